package io.sluice.tools.cluster;

import io.aeron.AeronCounters;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.service.Cluster;
import io.sluice.config.SluiceConfig;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.stat.SluiceStat;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A Sluice cluster of separate node processes on this host's loopback, for the cluster demo, the cluster system
 * tests and the cluster benchmark: each node is {@code sluice daemon} of the shaded jar in its own JVM, with its own
 * driver directory (under the shared memory directory), node directory (archive and consensus state, under a work
 * directory) and log file, on ports {@code basePort + 10 * member + 0..4}. It starts, kills (SIGKILL), stops (SIGTERM)
 * and restarts nodes, finds the leader and reads each node's counters from its CnC file.
 * <p>
 * {@link #close()} kills what still runs and deletes the work directory and every driver directory. A member may be
 * started on one thread while another thread kills, stops or reads the others (the demo restarts a node in the
 * background); one member is handled by one thread at a time.
 */
public final class LocalCluster implements AutoCloseable
{
    private static final long READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final File jar;
    private final Path config;
    private final Path workDir;
    private final int size;
    private final int basePort;
    private final String tag;
    private final List<String> properties;
    private final AtomicReferenceArray<Process> processes;

    /**
     * @param jar        the shaded Sluice jar the nodes run.
     * @param config     the nodes' configuration file (e.g. {@code config/cluster-node.properties}); its members and
     *                   directories are overridden here.
     * @param workDir    where node directories and logs go; deleted by {@link #close()}.
     * @param size       members, 3 or 5 for a useful quorum.
     * @param basePort   first of {@code 10 * size} consecutive UDP ports on loopback.
     * @param properties more {@code key=value} system properties for every node (e.g. an idle strategy).
     */
    public LocalCluster(
        final File jar,
        final Path config,
        final Path workDir,
        final int size,
        final int basePort,
        final Map<String, String> properties)
    {
        this.jar = jar;
        this.config = config;
        this.workDir = workDir;
        this.size = size;
        this.basePort = basePort;
        this.tag = "sluice-cluster-" + ProcessHandle.current().pid() + "-" + basePort;
        this.properties = new ArrayList<>();
        properties.forEach((key, value) -> this.properties.add("-D" + key + "=" + value));
        this.processes = new AtomicReferenceArray<>(size);
    }

    /**
     * @return the members string of this cluster.
     */
    public String members()
    {
        final StringBuilder members = new StringBuilder();
        for (int member = 0; member < size; member++)
        {
            final int port = basePort + 10 * member;
            members.append(member > 0 ? "|" : "").append(member);
            for (int i = 0; i < 5; i++)
            {
                members.append(",localhost:").append(port + i);
            }
        }
        return members.toString();
    }

    /**
     * @return the ingress endpoints a client connects to.
     */
    public String ingressEndpoints()
    {
        final StringBuilder endpoints = new StringBuilder();
        for (int member = 0; member < size; member++)
        {
            endpoints.append(member > 0 ? "," : "").append(member).append("=localhost:").append(basePort + 10 * member);
        }
        return endpoints.toString();
    }

    /**
     * @return members.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param member a member.
     * @return its media driver directory.
     */
    public String driverDir(final int member)
    {
        return SluiceConfig.sharedMemoryDir() + "/" + tag + "-node-" + member + "-driver";
    }

    /**
     * @param member a member.
     * @return its log file (stdout and stderr of every start, appended).
     */
    public Path logFile(final int member)
    {
        return workDir.resolve("node-" + member + ".log");
    }

    /**
     * Start a member's process (again, after a kill or stop: it recovers from its snapshot and log and catches up)
     * and wait until it says it is ready.
     *
     * @param member a member.
     * @throws IllegalStateException when it exits or is not ready within a minute; its log is in the message.
     */
    public void start(final int member)
    {
        start(member, Map.of());
    }

    /**
     * Start one member with some settings of its own (e.g. another {@code sluice.processor.count}), given to it as
     * system properties over the nodes' configuration file.
     *
     * @param member   a member.
     * @param settings {@code sluice.*} key to value for this start of this member only.
     * @throws IllegalStateException when it exits or is not ready within a minute; its log is in the message.
     */
    public void start(final int member, final Map<String, String> settings)
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
        command.add("--add-opens");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("--add-opens");
        command.add("java.base/sun.nio.ch=ALL-UNNAMED");
        command.add("-XX:+UseParallelGC");
        command.add("-Xmx256m");
        command.add("-XX:MaxDirectMemorySize=512m");
        command.add("-D" + SluiceConfig.CLUSTER_MEMBERS + "=" + members());
        command.add("-D" + SluiceConfig.CLUSTER_MEMBER_ID + "=" + member);
        command.add("-D" + SluiceConfig.CLUSTER_DIR + "=" + workDir.resolve("node-" + member).toAbsolutePath());
        command.add("-D" + SluiceConfig.DRIVER_DIR + "=" + driverDir(member));
        command.addAll(properties);
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.getAbsolutePath());
        command.add("daemon");
        command.add("--config");
        command.add(config.toAbsolutePath().toString());
        try
        {
            Files.createDirectories(workDir);
            final long offset = Files.exists(logFile(member)) ? Files.size(logFile(member)) : 0;
            final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(member).toFile())).start();
            processes.set(member, process);
            final long deadlineNs = System.nanoTime() + READY_TIMEOUT_NS;
            while (!log(member, offset).contains("sluice: ready"))
            {
                if (!process.isAlive() || System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("cluster member " + member + " did not start:\n" +
                        log(member, offset));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Start every member.
     */
    public void startAll()
    {
        for (int member = 0; member < size; member++)
        {
            start(member);
        }
    }

    /**
     * SIGKILL a member's process and wait until it is gone.
     *
     * @param member a member.
     */
    public void kill(final int member)
    {
        final Process process = processes.getAndSet(member, null);
        if (null != process)
        {
            process.destroyForcibly();
            waitFor(process);
        }
    }

    /**
     * SIGTERM a member's process and wait until it exits.
     *
     * @param member a member.
     * @return its exit code, or -1 when it was not running.
     */
    public int stop(final int member)
    {
        final Process process = processes.getAndSet(member, null);
        if (null == process)
        {
            return -1;
        }
        process.destroy();
        return waitFor(process);
    }

    /**
     * @param member a member.
     * @return true while its process runs.
     */
    public boolean isRunning(final int member)
    {
        final Process process = processes.get(member);
        return null != process && process.isAlive();
    }

    /**
     * @param member a member.
     * @return its process, or null.
     */
    public Process process(final int member)
    {
        return processes.get(member);
    }

    /**
     * Wait until a running member leads.
     *
     * @param timeoutNs longest wait.
     * @return the leader's member id, or -1 when none leads in time.
     */
    public int awaitLeader(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        do
        {
            for (int member = 0; member < size; member++)
            {
                if (isRunning(member) && Cluster.Role.LEADER.code() == counter(member, AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID))
                {
                    return member;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        while (System.nanoTime() - deadlineNs < 0);
        return -1;
    }

    /**
     * @param member a member.
     * @param typeId a counter type.
     * @return the sum of that member's counters of the type, or -1 when its driver does not run.
     */
    public long counter(final int member, final int typeId)
    {
        return SluiceStat.sum(driverDir(member), typeId);
    }

    /**
     * Take a cluster snapshot through the leader's control toggle and wait until every running member took it.
     *
     * @param timeoutNs longest wait.
     * @return each member's state digest at the snapshot (index = member id; 0 for a member not running), the last
     * element the snapshot's log position.
     * @throws IllegalStateException when no leader is found or the snapshot is not taken in time.
     */
    public long[] snapshotDigests(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        final int leader = awaitLeader(timeoutNs);
        if (-1 == leader)
        {
            throw new IllegalStateException("no leader to take a snapshot");
        }
        final long before = counter(leader, SluiceCounters.SNAPSHOT_LAST_POSITION_TYPE_ID);
        final long[] taken = new long[size];
        for (int member = 0; member < size; member++)
        {
            taken[member] = isRunning(member) ? counter(member, AeronCounters.CLUSTER_SNAPSHOT_COUNTER_TYPE_ID) : 0;
        }
        while (!ClusterControlTool.toggle(driverDir(leader), ClusterControl.ToggleState.SNAPSHOT))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the leader took no snapshot request");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        final long[] digests = new long[size + 1];
        while (true)
        {
            final long position = counter(leader, SluiceCounters.SNAPSHOT_LAST_POSITION_TYPE_ID);
            boolean all = position > before;
            for (int member = 0; all && member < size; member++)
            {
                // the service's counters move when it has written its part; the consensus module's snapshot count
                // only once the snapshot is in the member's recording log, so a member killed after that restores it
                all = !isRunning(member) ||
                    (counter(member, SluiceCounters.SNAPSHOT_LAST_POSITION_TYPE_ID) == position &&
                    counter(member, AeronCounters.CLUSTER_SNAPSHOT_COUNTER_TYPE_ID) > taken[member]);
            }
            if (all)
            {
                for (int member = 0; member < size; member++)
                {
                    digests[member] = isRunning(member) ? counter(member, SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID) : 0;
                }
                digests[size] = position;
                return digests;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("not every member took the snapshot within the time");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * Stop the whole cluster through the leader's control toggle: every node takes a snapshot at the same log
     * position and terminates; wait until every process has exited.
     *
     * @param timeoutNs longest wait.
     * @return the highest exit code of the nodes (0 when all exited cleanly).
     * @throws IllegalStateException when no leader takes the request.
     */
    public int shutdown(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        final int leader = awaitLeader(timeoutNs);
        boolean toggled = false;
        while (-1 != leader && !toggled && System.nanoTime() - deadlineNs < 0)
        {
            toggled = ClusterControlTool.toggle(driverDir(leader), ClusterControl.ToggleState.SHUTDOWN);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (!toggled)
        {
            throw new IllegalStateException("no leader took the shutdown request");
        }
        int code = 0;
        for (int member = 0; member < size; member++)
        {
            final Process process = processes.getAndSet(member, null);
            if (null != process)
            {
                code = Math.max(code, waitFor(process));
            }
        }
        return code;
    }

    /**
     * @param member a member.
     * @param from   offset in its log file.
     * @return its log from there, or empty.
     */
    public String log(final int member, final long from)
    {
        try
        {
            final byte[] bytes = Files.exists(logFile(member)) ? Files.readAllBytes(logFile(member)) : new byte[0];
            return new String(bytes, (int)Math.min(from, bytes.length), bytes.length - (int)Math.min(from, bytes.length),
                StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Kill every node still running, then delete the work directory and the driver directories.
     */
    public void close()
    {
        for (int member = 0; member < size; member++)
        {
            kill(member);
        }
        for (int member = 0; member < size; member++)
        {
            IoUtil.delete(new File(driverDir(member)), true);
        }
        IoUtil.delete(workDir.toFile(), true);
    }

    private static int waitFor(final Process process)
    {
        try
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return process.waitFor();
            }
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }
}
