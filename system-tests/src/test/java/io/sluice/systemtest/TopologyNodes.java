package io.sluice.systemtest;

import io.sluice.config.topology.Topology;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.demo.TopologyDemo;
import io.sluice.tools.stat.SluiceStat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Daemon processes for the topology tests: two appliances of one topology file and a reference daemon outside any
 * topology, each started from the shaded jar with its own embedded media driver (invoker threading, yielding idle),
 * journal and loopback ports, killed with SIGKILL and started again with the same command. Closing kills what is
 * left; the test deletes the directory.
 */
final class TopologyNodes implements AutoCloseable
{
    /** The topology's key groups. */
    static final int KEY_GROUPS = 4096;
    /** The topology's hash seed. */
    static final long HASH_SEED = 0x5eedL;

    private final Path dir;
    private final List<Process> processes = new CopyOnWriteArrayList<>();

    /**
     * One daemon: its command, directories and its running process.
     */
    static final class Node
    {
        final String name;
        final Path configFile;
        final String driverDir;
        final Path journalDir;
        final int ingressPort;
        final int egressPort;
        final List<String> command;
        volatile DaemonProcessSystemTest.Daemon daemon;

        Node(final String name, final Path configFile, final String driverDir, final int ingressPort,
            final int egressPort)
        {
            this.name = name;
            this.configFile = configFile;
            this.driverDir = driverDir;
            this.journalDir = configFile.resolveSibling("journal");
            this.ingressPort = ingressPort;
            this.egressPort = egressPort;
            this.command = CrashRecoverySystemTest.daemonCommand(configFile);
        }

        String ingress()
        {
            return TopologyDemo.ingress(ingressPort);
        }

        /**
         * @param typeId a counter type.
         * @return the sum of the running daemon's counters of that type.
         */
        long counter(final int typeId)
        {
            return SluiceStat.sum(driverDir, typeId);
        }

        /**
         * @return the appliance's topology epoch and owned key groups, from its counters.
         */
        String ownership()
        {
            return "epoch " + counter(SluiceCounters.TOPOLOGY_EPOCH_TYPE_ID) + ", " +
                counter(SluiceCounters.TOPOLOGY_OWNED_GROUPS_TYPE_ID) + " groups";
        }
    }

    TopologyNodes(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * Write a daemon's configuration.
     *
     * @param name      the appliance's name (its directories are named after it).
     * @param topology  the topology file it belongs to, or null for a daemon outside any topology (no journal).
     * @param windows   the window, eviction and alert settings.
     * @return the node, not started.
     */
    Node node(final String name, final Path topology, final Map<String, String> windows) throws IOException
    {
        final Path home = dir.resolve(name);
        Files.createDirectories(home);
        final Node node = new Node(name, home.resolve("daemon.properties"), home.resolve("driver").toString(),
            TestDaemon.freeUdpPort(), TestDaemon.freeUdpPort());
        final Properties p = TopologyDemo.daemonProperties(node.driverDir, node.ingressPort, node.egressPort,
            null == topology ? null : node.journalDir, topology, name, windows);
        try (OutputStream out = Files.newOutputStream(node.configFile))
        {
            p.store(out, "TopologyNodes " + name);
        }
        return node;
    }

    /**
     * Write the topology file: epoch 1, {@value #KEY_GROUPS} groups, a owns the first half and b the second.
     */
    static Topology writeTopology(final Path file, final Path sliceDir, final Node a, final Node b)
        throws IOException
    {
        Files.createDirectories(sliceDir);
        final List<Topology.Appliance> appliances = new ArrayList<>();
        appliances.add(appliance(a, new Topology.GroupRange(0, KEY_GROUPS / 2 - 1)));
        appliances.add(appliance(b, new Topology.GroupRange(KEY_GROUPS / 2, KEY_GROUPS - 1)));
        final Topology topology = new Topology(1, KEY_GROUPS, HASH_SEED, sliceDir.toString(), appliances);
        topology.write(file);
        return topology;
    }

    private static Topology.Appliance appliance(final Node node, final Topology.GroupRange range)
    {
        return new Topology.Appliance(node.name, node.ingress(), 1001, TopologyDemo.clientEgress(node.egressPort),
            1002, "", node.driverDir, List.of(range));
    }

    /**
     * Start the node's daemon and wait until it is ready.
     */
    void start(final Node node) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(node.command).redirectErrorStream(true).start();
        processes.add(process);
        node.daemon = new DaemonProcessSystemTest.Daemon(process);
        assertNotNull(node.daemon.await("sluice: ready", 60), node.name + " ready\n" + node.daemon.output());
    }

    /**
     * SIGKILL the node's daemon and wait for it to be gone.
     */
    static void kill(final Node node) throws InterruptedException
    {
        node.daemon.process.destroyForcibly();
        assertTrue(node.daemon.process.waitFor(30, TimeUnit.SECONDS), node.name + " killed");
        assertEquals(137, node.daemon.process.exitValue(), node.name + " SIGKILL\n" + node.daemon.output());
    }

    /**
     * SIGTERM the node's daemon and wait for its clean exit.
     */
    static void stop(final Node node) throws InterruptedException
    {
        CrashRecoverySystemTest.stopCleanly(node.daemon);
    }

    /**
     * @param node a node.
     * @return the first line of its output that starts with the prefix (trimmed), or a note that there is none.
     */
    static String line(final Node node, final String prefix)
    {
        for (final String line : node.daemon.lines)
        {
            if (line.trim().startsWith(prefix))
            {
                return line.trim();
            }
        }
        return "(no '" + prefix + "' line)";
    }

    /**
     * @param node a node.
     * @return the lines of its output since its last start that report an error or a failure, each after its name.
     */
    static String errorLines(final Node node)
    {
        final StringBuilder lines = new StringBuilder();
        for (final String line : node.daemon.lines)
        {
            final String lower = line.toLowerCase(Locale.ROOT);
            if (lower.contains("error") || lower.contains("fail") || lower.contains("exception"))
            {
                lines.append("  [").append(node.name).append("] ").append(line).append('\n');
            }
        }
        return lines.toString();
    }

    public void close()
    {
        processes.forEach(Process::destroyForcibly);
        for (final Process process : processes)
        {
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
