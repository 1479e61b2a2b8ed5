package io.sluice.server.cluster;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.NanosecondClusterClock;
import io.aeron.cluster.service.ClusterMarkFile;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.server.daemon.DaemonContext;
import io.sluice.server.daemon.DaemonErrorHandler;
import io.sluice.server.daemon.Preflight;
import io.sluice.server.daemon.SluiceDaemon;
import io.sluice.driver.EmbeddedDriver;
import io.sluice.driver.IdleStrategies;
import io.sluice.server.metrics.ExporterProcess;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.SystemEpochClock;

import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One node of a Sluice cluster: on this host, its own media driver, Aeron Archive (the replicated log and the
 * snapshots), consensus module and the {@link SluiceClusteredService}, started in that order and closed in reverse.
 * <pre>
 *   clients ──ingress──▶ consensus module (leader) ──log──▶ archive + every node's consensus module
 *                                │                                   │
 *                                ▼                                   ▼
 *                        SluiceClusteredService ◀─────────── the committed log, on every node
 *                                │ (leader only sends)
 *                                └──egress──▶ clients
 * </pre>
 * The ports are the members string's ({@code sluice.cluster.members}); this node's archive endpoint also names the
 * host its replication channels bind to. Cluster time is in nanoseconds ({@link NanosecondClusterClock}); the leader
 * heartbeat and election timeouts are Sluice's settings (1 s and 500 ms by default, against Aeron's 10 s and 1 s), so
 * a dead leader is replaced in about a second. Every thread of the node idles with
 * {@code sluice.cluster.idle-strategy}, the driver with its own settings.
 * <p>
 * A failed start closes what was started before the failure propagates. Control thread only.
 */
public final class ClusterNode implements AutoCloseable
{
    /** The log's term length: large enough for bursts, small enough for three nodes on one test host. */
    static final String LOG_CHANNEL = "aeron:udp?term-length=16m";

    private final DaemonContext ctx;
    private final SluiceConfig config;
    private final PrintStream out;
    private final DaemonErrorHandler errorHandler;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final ErrorHandler nodeErrors;
    private volatile Throwable failure;
    private MediaDriver driver;
    private Archive archive;
    private ConsensusModule consensusModule;
    private ClusteredServiceContainer container;
    private ExporterProcess metrics;
    private SluiceClusteredService service;
    private boolean closed;

    private ClusterNode(final DaemonContext ctx)
    {
        this.ctx = ctx;
        this.config = ctx.config();
        this.out = ctx.out();
        this.errorHandler = new DaemonErrorHandler(out);
        this.nodeErrors = (ex) ->
        {
            errorHandler.onError(ex);
            if (ex instanceof AgentTerminationException)
            {
                failure = ex;
                terminated.countDown();
            }
        };
    }

    /**
     * Start a node of the configuration's cluster.
     *
     * @param config a configuration with {@code sluice.cluster.members} and {@code sluice.cluster.member-id} set.
     * @param out    where the summary and log lines go.
     * @return the running node.
     * @throws ConfigurationException when a setting does not fit, or a directory is in use.
     */
    public static ClusterNode start(final SluiceConfig config, final PrintStream out)
    {
        final DaemonContext ctx = DaemonContext.from(config).out(out);
        ctx.conclude();
        final ClusterNode node = new ClusterNode(ctx);
        try
        {
            node.startComponents();
            return node;
        }
        catch (final Throwable ex)
        {
            node.close();
            throw ex;
        }
    }

    private void startComponents()
    {
        if (!config.isClustered())
        {
            throw new ConfigurationException(SluiceConfig.CLUSTER_MEMBERS, "", "must be set to start a cluster node");
        }
        Preflight.check(ctx);
        final int memberId = config.clusterMemberId();
        if (-1 == memberId)
        {
            throw new ConfigurationException(SluiceConfig.CLUSTER_MEMBER_ID, "-1",
                "must be set to run a cluster node, e.g. -Dsluice.cluster.member-id=0");
        }
        final String[] self = ClusterMembers.member(config.clusterMembers(), memberId);
        final String host = ClusterMembers.host(self[ClusterMembers.ARCHIVE]);
        final String driverDir = config.driverDir();
        final File nodeDir = new File(config.clusterDir()).getAbsoluteFile();
        final File clusterDir = new File(nodeDir, "cluster");

        EmbeddedDriver.checkDirectory(SluiceConfig.DRIVER_DIR, driverDir, config.driverLivenessTimeoutNs());
        removeStaleMarkFiles(nodeDir);
        driver = EmbeddedDriver.launch(SluiceConfig.DRIVER_DIR, driverDir, config.driverThreading(),
            config.driverIdleStrategy(), errorHandler.driverErrors(), config.driverLivenessTimeoutNs(),
            config.aeronProperties(), (c) -> c.termBufferSparseFile(true), out);
        errorHandler.errorLog(driver.context().errorLog());

        final Archive.Context archiveContext = new Archive.Context()
            .aeronDirectoryName(driverDir)
            .archiveDir(new File(nodeDir, "archive"))
            .controlChannel("aeron:udp?endpoint=" + self[ClusterMembers.ARCHIVE])
            .archiveClientContext(new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint=" + host + ":0"))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(() -> IdleStrategies.create(config.clusterIdleStrategy()))
            .errorHandler(nodeErrors);
        archive = Archive.launch(archiveContext);

        final AeronArchive.Context localArchive = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveContext.localControlChannel())
            .controlRequestStreamId(archiveContext.localControlStreamId())
            .controlResponseChannel(archiveContext.localControlChannel())
            .aeronDirectoryName(driverDir);

        final long heartbeatTimeoutNs = config.clusterHeartbeatTimeoutNs();
        consensusModule = ConsensusModule.launch(new ConsensusModule.Context()
            .aeronDirectoryName(driverDir)
            .clusterMemberId(memberId)
            .clusterMembers(config.clusterMembers())
            .clusterDir(clusterDir)
            .ingressChannel("aeron:udp")
            .logChannel(LOG_CHANNEL)
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .archiveContext(localArchive.clone())
            .clusterClock(new NanosecondClusterClock())
            .leaderHeartbeatTimeoutNs(heartbeatTimeoutNs)
            .leaderHeartbeatIntervalNs(Math.max(TimeUnit.MILLISECONDS.toNanos(10), heartbeatTimeoutNs / 10))
            .electionTimeoutNs(config.clusterElectionTimeoutNs())
            .idleStrategySupplier(() -> IdleStrategies.create(config.clusterIdleStrategy()))
            .errorHandler(nodeErrors)
            .terminationHook(terminated::countDown));

        service = new SluiceClusteredService(ctx, errorHandler);
        container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
            .aeronDirectoryName(driverDir)
            .archiveContext(localArchive.clone())
            .clusterDir(clusterDir)
            .clusteredService(service)
            .idleStrategySupplier(() -> IdleStrategies.create(config.clusterIdleStrategy()))
            .errorHandler(nodeErrors)
            .terminationHook(terminated::countDown));

        out.print(summary(self, nodeDir));
        if (!config.metricsEndpoint().isEmpty())
        {
            metrics = ExporterProcess.start(config.metricsEndpoint(), driverDir, out);
            out.println("  metrics   " + metrics.url() + " (Prometheus, exporter process " + metrics.pid() + ")");
        }
        errorHandler.startPrinting();
        out.println("sluice: ready");
        out.flush();
    }

    /**
     * Aeron refuses a mark file whose activity is less than ten seconds old, so a node killed a moment ago could not
     * start again at once. Each mark file records the process that wrote it: one whose process is gone is stale and
     * removed; one whose process lives belongs to a running node (another member pointed at the same directory) and
     * is refused; one that cannot be read is left for Aeron to judge.
     */
    private void removeStaleMarkFiles(final File nodeDir)
    {
        final File archiveDir = new File(nodeDir, "archive");
        final File clusterDir = new File(nodeDir, "cluster");
        removeIfStale(archiveDir, ArchiveMarkFile.FILENAME, () ->
        {
            try (ArchiveMarkFile markFile = new ArchiveMarkFile(
                archiveDir, ArchiveMarkFile.FILENAME, SystemEpochClock.INSTANCE, 0, (message) -> {}))
            {
                return markFile.decoder().pid();
            }
        });
        final List<String> clusterMarks = new ArrayList<>();
        clusterMarks.add(ClusterMarkFile.FILENAME);
        final String[] serviceMarks = clusterDir.list((dir, name) ->
            name.startsWith(ClusterMarkFile.SERVICE_FILENAME_PREFIX) && name.endsWith(ClusterMarkFile.FILE_EXTENSION));
        if (null != serviceMarks)
        {
            clusterMarks.addAll(List.of(serviceMarks));
        }
        for (final String name : clusterMarks)
        {
            removeIfStale(clusterDir, name, () ->
            {
                try (ClusterMarkFile markFile = new ClusterMarkFile(
                    clusterDir, name, SystemEpochClock.INSTANCE, 0, (message) -> {}))
                {
                    return markFile.decoder().pid();
                }
            });
        }
    }

    private void removeIfStale(final File dir, final String name, final java.util.function.LongSupplier pidReader)
    {
        final File markFile = new File(dir, name);
        if (!markFile.exists())
        {
            return;
        }
        final long pid;
        try
        {
            pid = pidReader.getAsLong();
        }
        catch (final RuntimeException ex)
        {
            return;
        }
        if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        {
            throw new ConfigurationException(SluiceConfig.CLUSTER_DIR, config.clusterDir(), "is in use by process " +
                pid + " (" + markFile + "; another member started with the same directory?): give every node its own");
        }
        if (markFile.delete())
        {
            out.println("sluice: removed the stale mark file " + markFile + " of process " + pid + ", which is gone");
        }
    }

    private String summary(final String[] self, final File nodeDir)
    {
        return "sluice " + SluiceDaemon.VERSION + " starting as cluster member " + config.clusterMemberId() + "\n" +
            "  members   " + config.clusterMembers() + "\n" +
            "  ingress   " + self[ClusterMembers.INGRESS] + " (clients: every member's ingress endpoint)\n" +
            "  node      " + nodeDir + " (archive/ holds the replicated log and snapshots, cluster/ the consensus " +
            "state)\n" +
            "  driver    embedded, " + config.driverThreading().name().toLowerCase() + ", dir " + config.driverDir() +
            "\n" +
            "  state     " + config.processorCount() + " processor(s) x " + config.stateCapacity() + " keys on the " +
            "service thread; hash seed " + String.format("0x%016x", config.hashSeed()) + "\n" +
            "  fail-over leader heartbeat timeout " + config.clusterHeartbeatTimeoutNs() / 1_000_000 + " ms, " +
            "election timeout " + config.clusterElectionTimeoutNs() / 1_000_000 + " ms; threads idle " +
            config.clusterIdleStrategy().name().toLowerCase() + "\n";
    }

    /**
     * @return what stopped one of the node's agents (the consensus module or the service failed to start, or
     * failed for good), or null; the node is then terminated too.
     */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * @return true once the cluster terminated this node (a cluster shutdown through the control toggle, or the
     * node left); the process should then close and exit.
     */
    public boolean isTerminated()
    {
        return 0 == terminated.getCount();
    }

    /**
     * Refresh the JVM counters the metrics exporter and {@code sluice stat} read. Control thread only.
     */
    public void updateJvmCounters()
    {
        if (null != service)
        {
            service.updateJvmCounters();
        }
    }

    /**
     * Wait up to the given time for the cluster to terminate this node.
     *
     * @param timeoutMs longest wait.
     * @return true when terminated.
     * @throws InterruptedException when interrupted.
     */
    public boolean awaitTerminated(final long timeoutMs) throws InterruptedException
    {
        return terminated.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @return the configuration.
     */
    public SluiceConfig config()
    {
        return config;
    }

    /**
     * Stop the node: the service, the consensus module, the archive, then the driver (its directory deleted). The
     * cluster and archive directories stay: they are the node's state for its next start. Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(errorHandler, metrics, container, consensusModule, archive, driver);
        if (null != container)
        {
            out.println("sluice: cluster member " + config.clusterMemberId() + " stopped");
            out.flush();
        }
    }
}
