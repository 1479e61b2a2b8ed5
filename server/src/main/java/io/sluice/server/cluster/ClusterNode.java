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
import io.sluice.config.IdleStrategyType;
import io.sluice.config.Settings;
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

    private final Context nodeContext;
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
    private ClusterAuth auth;
    private boolean closed;

    private ClusterNode(final Context nodeContext)
    {
        this.nodeContext = nodeContext;
        this.ctx = nodeContext.daemon();
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
     * Start a node of the configuration's cluster: {@link #start(Context)} of {@code Context.from(config)} printing
     * to {@code out}.
     *
     * @param config a configuration with {@code sluice.cluster.members} and {@code sluice.cluster.member-id} set.
     * @param out    where the summary and log lines go.
     * @return the running node.
     * @throws ConfigurationException when a setting does not fit, or a directory is in use.
     */
    public static ClusterNode start(final SluiceConfig config, final PrintStream out)
    {
        return start(Context.from(config).out(out));
    }

    /**
     * Start a node: conclude the context when it is not yet concluded, check it against this host, then start the
     * driver, archive, consensus module and service in order. On failure what was started is closed again.
     *
     * @param nodeContext the node's cluster settings and the daemon context of its components.
     * @return the running node.
     * @throws ConfigurationException when a setting does not fit, or a directory is in use.
     */
    public static ClusterNode start(final Context nodeContext)
    {
        if (!nodeContext.isConcluded())
        {
            nodeContext.conclude();
        }
        final ClusterNode node = new ClusterNode(nodeContext);
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
        Preflight.check(ctx);
        final int memberId = nodeContext.memberId();
        final String[] self = ClusterMembers.member(nodeContext.members(), memberId);
        final String host = ClusterMembers.host(self[ClusterMembers.ARCHIVE]);
        final EmbeddedDriver.Context driverContext = ctx.driver();
        final String driverDir = driverContext.dir();
        final File nodeDir = new File(nodeContext.dir()).getAbsoluteFile();
        final File clusterDir = new File(nodeDir, "cluster");

        EmbeddedDriver.checkDirectory(driverContext.dirKey(), driverDir, driverContext.livenessTimeoutNs());
        removeStaleMarkFiles(nodeDir);
        driver = EmbeddedDriver.launch(driverContext.errorHandler(errorHandler.driverErrors()));
        errorHandler.errorLog(driver.context().errorLog());
        final IdleStrategyType idle = nodeContext.idleStrategy();

        final Archive.Context archiveContext = new Archive.Context()
            .aeronDirectoryName(driverDir)
            .archiveDir(new File(nodeDir, "archive"))
            .controlChannel("aeron:udp?endpoint=" + self[ClusterMembers.ARCHIVE])
            .archiveClientContext(new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint=" + host + ":0"))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(() -> IdleStrategies.create(idle))
            .errorHandler(nodeErrors);
        archive = Archive.launch(archiveContext);

        final AeronArchive.Context localArchive = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveContext.localControlChannel())
            .controlRequestStreamId(archiveContext.localControlStreamId())
            .controlResponseChannel(archiveContext.localControlChannel())
            .aeronDirectoryName(driverDir);

        final long heartbeatTimeoutNs = nodeContext.heartbeatTimeoutNs();
        auth = ClusterAuth.from(config, out);
        final ConsensusModule.Context consensusContext = new ConsensusModule.Context()
            .aeronDirectoryName(driverDir)
            .clusterMemberId(memberId)
            .clusterMembers(nodeContext.members())
            .clusterDir(clusterDir)
            .ingressChannel("aeron:udp")
            .logChannel(LOG_CHANNEL)
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .archiveContext(localArchive.clone())
            .clusterClock(new NanosecondClusterClock())
            .leaderHeartbeatTimeoutNs(heartbeatTimeoutNs)
            .leaderHeartbeatIntervalNs(Math.max(TimeUnit.MILLISECONDS.toNanos(10), heartbeatTimeoutNs / 10))
            .electionTimeoutNs(nodeContext.electionTimeoutNs())
            .idleStrategySupplier(() -> IdleStrategies.create(idle))
            .errorHandler(nodeErrors)
            .terminationHook(terminated::countDown);
        if (null != auth)
        {
            consensusContext.authenticatorSupplier(auth::authenticator)
                .authorisationServiceSupplier(() -> ClusterAuthorisation.INSTANCE);
        }
        consensusModule = ConsensusModule.launch(consensusContext);
        if (null != auth)
        {
            auth.start();
        }

        service = new SluiceClusteredService(ctx, errorHandler, auth);
        container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
            .aeronDirectoryName(driverDir)
            .archiveContext(localArchive.clone())
            .clusterDir(clusterDir)
            .clusteredService(service)
            .idleStrategySupplier(() -> IdleStrategies.create(idle))
            .errorHandler(nodeErrors)
            .terminationHook(terminated::countDown));

        out.print(summary(self, nodeDir));
        if (ctx.metrics().isEnabled())
        {
            metrics = ExporterProcess.start(ctx.metrics());
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
            throw new ConfigurationException(SluiceConfig.CLUSTER_DIR, nodeContext.dir(), "is in use by process " +
                pid + " (" + markFile + "; another member started with the same directory?): give every node its own");
        }
        if (markFile.delete())
        {
            out.println("sluice: removed the stale mark file " + markFile + " of process " + pid + ", which is gone");
        }
    }

    private String summary(final String[] self, final File nodeDir)
    {
        return "sluice " + SluiceDaemon.VERSION + " starting as cluster member " + nodeContext.memberId() + "\n" +
            "  members   " + nodeContext.members() + "\n" +
            "  ingress   " + self[ClusterMembers.INGRESS] + " (clients: every member's ingress endpoint)\n" +
            "  node      " + nodeDir + " (archive/ holds the replicated log and snapshots, cluster/ the consensus " +
            "state)\n" +
            "  driver    embedded, " + ctx.driver().threading().name().toLowerCase() + ", dir " + ctx.driver().dir() +
            "\n" +
            "  state     " + config.processorCount() + " processor(s) x " + config.stateCapacity() + " keys on the " +
            "service thread; hash seed " + String.format("0x%016x", config.hashSeed()) + "\n" +
            "  fail-over leader heartbeat timeout " + nodeContext.heartbeatTimeoutNs() / 1_000_000 + " ms, " +
            "election timeout " + nodeContext.electionTimeoutNs() / 1_000_000 + " ms; threads idle " +
            nodeContext.idleStrategy().name().toLowerCase() + "\n" +
            (null == auth ? "  auth      off: any client may connect and send\n" : "  auth      " +
            auth.authenticator().credentials().size() + " clients from " + config.authFile() + " (SIGHUP re-reads it)\n");
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
        CloseHelper.closeAll(errorHandler, metrics, container, auth, consensusModule, archive, driver);
        if (null != container)
        {
            out.println("sluice: cluster member " + nodeContext.memberId() + " stopped");
            out.flush();
        }
    }

    /**
     * What a cluster node is configured with: the members string and this node's id in it, the node's directory,
     * the leader heartbeat and election timeouts, the idle strategy of its consensus module, archive and service,
     * and the daemon context of the components it runs (shards, ingress, its embedded driver, the metrics
     * exporter). Take every value from a configuration with {@link #from(SluiceConfig)} or set them, then
     * {@link #conclude()} once.
     * <p>
     * Start-up only; not thread safe.
     */
    public static final class Context
    {
        private DaemonContext daemon;
        private String members;
        private Integer memberId;
        private String dir;
        private Long heartbeatTimeoutNs;
        private Long electionTimeoutNs;
        private IdleStrategyType idleStrategy;
        private boolean concluded;

        /**
         * @param config a configuration, the one place a node's cluster settings are read.
         * @return a context holding the cluster settings and the daemon context of the node's components (its
         * driver's term buffers sparse), printing to {@link System#out}, not yet concluded.
         */
        public static Context from(final SluiceConfig config)
        {
            final DaemonContext daemon = DaemonContext.from(config);
            daemon.driver().customise((c) -> c.termBufferSparseFile(true));
            return new Context()
                .daemon(daemon)
                .members(config.clusterMembers())
                .memberId(config.clusterMemberId())
                .dir(config.clusterDir())
                .heartbeatTimeoutNs(config.clusterHeartbeatTimeoutNs())
                .electionTimeoutNs(config.clusterElectionTimeoutNs())
                .idleStrategy(config.clusterIdleStrategy());
        }

        /**
         * Conclude the daemon context when it is not yet, fill defaults from the declarations in {@link Settings}
         * and check every value against its declared range; a node needs the members and its member id. Runs once.
         *
         * @return this.
         * @throws ConfigurationException naming the key of the first value out of range or not set, e.g.
         *                                {@code sluice.cluster.member-id=-1 must be set to run a cluster node, ...}.
         * @throws IllegalStateException  when called a second time.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("ClusterNode.Context is already concluded");
            }
            daemon = null == daemon ? new DaemonContext() : daemon;
            final String topologyFile = null == daemon.config() ? "" :
                daemon.config().value(Settings.TOPOLOGY_FILE).trim();
            if (!topologyFile.isEmpty())
            {
                throw new ConfigurationException(SluiceConfig.TOPOLOGY_FILE, topologyFile,
                    io.sluice.server.topology.ApplianceTopology.NOT_ON_CLUSTER);
            }
            if (!daemon.isConcluded())
            {
                daemon.conclude();
            }
            members = Settings.CLUSTER_MEMBERS.valueOrDefault(members);
            if (members.isEmpty())
            {
                throw new ConfigurationException(SluiceConfig.CLUSTER_MEMBERS, "", "must be set to start a cluster node");
            }
            memberId = Settings.CLUSTER_MEMBER_ID.valueOrDefault(memberId);
            if (-1 == memberId)
            {
                throw new ConfigurationException(SluiceConfig.CLUSTER_MEMBER_ID, "-1",
                    "must be set to run a cluster node, e.g. -Dsluice.cluster.member-id=0");
            }
            dir = Settings.CLUSTER_DIR.check(dir);
            heartbeatTimeoutNs = Settings.CLUSTER_HEARTBEAT_TIMEOUT.valueOrDefault(heartbeatTimeoutNs);
            electionTimeoutNs = Settings.CLUSTER_ELECTION_TIMEOUT.valueOrDefault(electionTimeoutNs);
            idleStrategy = Settings.CLUSTER_IDLE_STRATEGY.valueOrDefault(idleStrategy);
            concluded = true;
            return this;
        }

        /**
         * @param daemon the daemon context of the node's components: shards, ingress, driver, metrics exporter.
         * @return this.
         */
        public Context daemon(final DaemonContext daemon)
        {
            this.daemon = daemon;
            return this;
        }

        /**
         * @return the daemon context of the node's components.
         */
        public DaemonContext daemon()
        {
            return daemon;
        }

        /**
         * @param out where the node's summary and log lines go; sets the daemon context's.
         * @return this.
         */
        public Context out(final PrintStream out)
        {
            daemon = null == daemon ? new DaemonContext() : daemon;
            daemon.out(out);
            return this;
        }

        /**
         * @param members the cluster's members in Aeron's form ({@link SluiceConfig#CLUSTER_MEMBERS}); must be set.
         * @return this.
         */
        public Context members(final String members)
        {
            this.members = members;
            return this;
        }

        /**
         * @return the cluster's members.
         */
        public String members()
        {
            return members;
        }

        /**
         * @param memberId this node's id in the members ({@link SluiceConfig#CLUSTER_MEMBER_ID}); must be set.
         * @return this.
         */
        public Context memberId(final int memberId)
        {
            this.memberId = memberId;
            return this;
        }

        /**
         * @return this node's id in the members.
         */
        public Integer memberId()
        {
            return memberId;
        }

        /**
         * @param dir the node's archive and consensus state directory ({@link SluiceConfig#CLUSTER_DIR}).
         * @return this.
         */
        public Context dir(final String dir)
        {
            this.dir = dir;
            return this;
        }

        /**
         * @return the node's directory.
         */
        public String dir()
        {
            return dir;
        }

        /**
         * @param heartbeatTimeoutNs how long followers hear nothing from the leader before electing another, ns
         *                           ({@link SluiceConfig#CLUSTER_HEARTBEAT_TIMEOUT}).
         * @return this.
         */
        public Context heartbeatTimeoutNs(final long heartbeatTimeoutNs)
        {
            this.heartbeatTimeoutNs = heartbeatTimeoutNs;
            return this;
        }

        /**
         * @return the leader heartbeat timeout, ns.
         */
        public Long heartbeatTimeoutNs()
        {
            return heartbeatTimeoutNs;
        }

        /**
         * @param electionTimeoutNs how long an election waits for the other members, ns
         *                          ({@link SluiceConfig#CLUSTER_ELECTION_TIMEOUT}).
         * @return this.
         */
        public Context electionTimeoutNs(final long electionTimeoutNs)
        {
            this.electionTimeoutNs = electionTimeoutNs;
            return this;
        }

        /**
         * @return the election timeout, ns.
         */
        public Long electionTimeoutNs()
        {
            return electionTimeoutNs;
        }

        /**
         * @param idleStrategy idle strategy of the consensus module, archive and service threads
         *                     ({@link SluiceConfig#CLUSTER_IDLE_STRATEGY}).
         * @return this.
         */
        public Context idleStrategy(final IdleStrategyType idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * @return idle strategy of the consensus module, archive and service threads.
         */
        public IdleStrategyType idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * @return true once {@link #conclude()} succeeded.
         */
        public boolean isConcluded()
        {
            return concluded;
        }
    }
}
