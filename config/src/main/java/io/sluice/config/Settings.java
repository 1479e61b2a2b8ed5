package io.sluice.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static io.sluice.config.Setting.DAY_NS;
import static io.sluice.config.Setting.HOUR_NS;
import static io.sluice.config.Setting.MICROSECOND_NS;
import static io.sluice.config.Setting.MILLISECOND_NS;
import static io.sluice.config.Setting.SECOND_NS;

/**
 * The one table of every {@code sluice.*} setting except the alert rules ({@code sluice.alert.<name>.*}, parsed by
 * {@link AlertRule}): key, default, parser with its range, and documentation, in the order of
 * {@code config/defaults.properties} and of {@link SluiceConfig#effective()}. Adding a setting means declaring it
 * here, adding its accessor to {@link SluiceConfig} and documenting it in {@code config/defaults.properties}; a test
 * checks that file against this table.
 * <p>
 * Immutable; safe to share between threads.
 */
public final class Settings
{
    /** Longest window size, lateness or idle advance: 366 days. */
    public static final long MAX_WINDOW_NS = 366L * DAY_NS;

    private static final List<Setting<?>> TABLE = new ArrayList<>();

    /** Aeron URI clients publish Events and Queries to. */
    public static final Setting<String> INGRESS_CHANNEL = declare(Setting.channel(
        SluiceConfig.INGRESS_CHANNEL, "aeron:udp?endpoint=localhost:20120",
        "Aeron URI clients publish Events and Queries to; loopback only by default."));

    /** Stream id on the ingress channel. */
    public static final Setting<Integer> INGRESS_STREAM_ID = declare(Setting.integer(
        SluiceConfig.INGRESS_STREAM_ID, 1001, 1, Integer.MAX_VALUE, "Stream id on the ingress channel."));

    /** Aeron URI processors publish results on. */
    public static final Setting<String> EGRESS_CHANNEL = declare(Setting.channel(
        SluiceConfig.EGRESS_CHANNEL, "aeron:udp?control=localhost:20121|control-mode=dynamic|fc=min,t:5s",
        "Aeron URI processors publish results on: multi-destination cast every client joins, min flow control."));

    /** Stream id on the egress channel. */
    public static final Setting<Integer> EGRESS_STREAM_ID = declare(Setting.integer(
        SluiceConfig.EGRESS_STREAM_ID, 1002, 1, Integer.MAX_VALUE, "Stream id on the egress channel."));

    /** Entries in the ring. */
    public static final Setting<Integer> RING_LENGTH = declare(Setting.powerOfTwo(
        SluiceConfig.RING_LENGTH, 16 * 1024, 2, 1 << 26, "Entries in the ring, a power of two in [2, 2^26]."));

    /** Processors, each the single writer of one shard of the keys. */
    public static final Setting<Integer> PROCESSOR_COUNT = declare(Setting.integer(
        SluiceConfig.PROCESSOR_COUNT, 2, 1, 64, "Processors, each the single writer of one shard of the keys."));

    /** Keys each processor's state table holds. */
    public static final Setting<Integer> STATE_CAPACITY = declare(Setting.powerOfTwo(
        SluiceConfig.STATE_CAPACITY, 64 * 1024, 2, 1 << 28,
        "Keys each processor's off-heap table holds, a power of two in [2, 2^28]; a full table rejects new keys."));

    /** Seed of the key hash. */
    public static final Setting<Long> HASH_SEED = declare(Setting.seed(
        SluiceConfig.HASH_SEED,
        "Seed of the key hash that picks each key's shard and table slot: random (a fresh non-zero seed each start) " +
        "or a 64-bit integer, decimal or 0x-hex."));

    /** Most distinct client ids tracked. */
    public static final Setting<Integer> CLIENT_CAPACITY = declare(Setting.integer(
        SluiceConfig.CLIENT_CAPACITY, 65536, 1, 1 << 24,
        "Most distinct client ids whose high-water mark (highest accepted event correlation id) is tracked; an " +
        "event from one more client is rejected CLIENTS_FULL."));

    /** Most events in one EventBatch. */
    public static final Setting<Integer> BATCH_MAX_EVENTS = declare(Setting.integer(
        SluiceConfig.BATCH_MAX_EVENTS, 1024, 1, 8192,
        "Most events in one EventBatch message; a larger batch is rejected whole (BATCH_TOO_LARGE). At most half " +
        "of sluice.ring.length: a batch's events and the ticks between them go into the ring at once."));

    /** How units of work map onto threads. */
    public static final Setting<ThreadingMode> THREADING = declare(Setting.choice(
        SluiceConfig.THREADING, ThreadingMode.SHARED, EnumSet.allOf(ThreadingMode.class),
        "How units of work map onto threads: shared (one thread) or dedicated (a thread each)."));

    /** Idle strategy of the ingress thread, or of the one shared thread. */
    public static final Setting<IdleStrategyType> INGRESS_IDLE_STRATEGY = declare(Setting.choice(
        SluiceConfig.INGRESS_IDLE_STRATEGY, IdleStrategyType.BACKOFF, agentIdleStrategies(),
        "Idle strategy of the ingress thread, or of the one shared thread."));

    /** Wait strategy of dedicated processor threads. */
    public static final Setting<WaitStrategyType> PROCESSOR_WAIT_STRATEGY = declare(Setting.choice(
        SluiceConfig.PROCESSOR_WAIT_STRATEGY, WaitStrategyType.SLEEPING, EnumSet.allOf(WaitStrategyType.class),
        "Wait strategy of dedicated processor threads."));

    /** CPUs to pin processor threads to. */
    public static final Setting<int[]> PROCESSOR_CPUS = declare(Setting.cpuList(
        SluiceConfig.PROCESSOR_CPUS, "CPU for each processor thread (dedicated threading only); empty: not pinned."));

    /** CPU to pin the ingress (or shared) thread to. */
    public static final Setting<Integer> INGRESS_CPU = declare(Setting.integer(
        SluiceConfig.INGRESS_CPU, -1, -1, 4095, "CPU for the ingress (or shared) thread; -1: not pinned."));

    /** Members of the Aeron Cluster this node belongs to; empty for a standalone daemon. */
    public static final Setting<String> CLUSTER_MEMBERS = declare(Setting.text(
        SluiceConfig.CLUSTER_MEMBERS, "",
        "Members of the Aeron Cluster this daemon is a node of, in Aeron's form " +
        "id,ingress,consensus,log,catchup,archive|... (host:port endpoints); empty: a standalone daemon."));

    /** This node's member id in the cluster. */
    public static final Setting<Integer> CLUSTER_MEMBER_ID = declare(Setting.integer(
        SluiceConfig.CLUSTER_MEMBER_ID, -1, -1, 1000,
        "This node's id in sluice.cluster.members; -1: not set (a client of the cluster; a node must set it)."));

    /** Whether the media driver is embedded or external. */
    public static final Setting<DriverMode> DRIVER_MODE = declare(Setting.choice(
        SluiceConfig.DRIVER_MODE, DriverMode.EMBEDDED, EnumSet.allOf(DriverMode.class),
        "embedded: the daemon runs its own media driver; external: it connects to one at the driver directory."));

    /** Media driver directory. */
    public static final Setting<String> DRIVER_DIR = declare(Setting.text(
        SluiceConfig.DRIVER_DIR, "", "Media driver directory.").derivedDefault(
        "<shared memory dir>/sluice-<user>-driver, on a cluster node <shared memory dir>/sluice-<user>-node-<member " +
        "id>-driver", (concluded) -> defaultDriverDir(concluded.value(CLUSTER_MEMBERS), concluded.value(CLUSTER_MEMBER_ID))));

    /** How long a driver's heartbeat may stand still before its directory is taken over. */
    public static final Setting<Long> DRIVER_LIVENESS_TIMEOUT = declare(Setting.duration(
        SluiceConfig.DRIVER_LIVENESS_TIMEOUT, "3s", 100 * MILLISECOND_NS, 60 * SECOND_NS,
        "A driver directory whose owner process is alive but whose driver heartbeat is older than this is treated " +
        "as dead and taken over."));

    /** Threading mode of an embedded media driver. */
    public static final Setting<DriverThreading> DRIVER_THREADING = declare(Setting.choice(
        SluiceConfig.DRIVER_THREADING, DriverThreading.INVOKER, EnumSet.allOf(DriverThreading.class),
        "Threading mode of an embedded driver; invoker: the daemon's own thread runs it."));

    /** Idle strategy of an embedded driver's own threads. */
    public static final Setting<IdleStrategyType> DRIVER_IDLE_STRATEGY = declare(Setting.choice(
        SluiceConfig.DRIVER_IDLE_STRATEGY, IdleStrategyType.BACKOFF, agentIdleStrategies(),
        "Idle strategy of an embedded driver's own threads (not used with invoker)."));

    /** Longest a graceful stop waits for the ring to drain and receivers to confirm every result. */
    public static final Setting<Long> SHUTDOWN_TIMEOUT = declare(Setting.duration(
        SluiceConfig.SHUTDOWN_TIMEOUT, "10s", 0, HOUR_NS,
        "Longest a graceful stop waits for the ring to drain and for egress receivers to confirm they received " +
        "everything published."));

    /** A duty cycle of a Sluice thread longer than this counts as a stall. */
    public static final Setting<Long> AGENT_STALL_THRESHOLD = declare(Setting.duration(
        SluiceConfig.AGENT_STALL_THRESHOLD, "1ms", MICROSECOND_NS, 60 * SECOND_NS,
        "A duty cycle of the daemon's thread (work plus idling), or a dedicated processor's batch, longer than " +
        "this counts as a stall."));

    /** Earliest accepted event timestamp, epoch ns. */
    public static final Setting<Long> TIMESTAMP_MIN = declare(Setting.longInteger(
        SluiceConfig.TIMESTAMP_MIN, SluiceConfig.YEAR_2000_NS, Long.MIN_VALUE, Long.MAX_VALUE,
        "Earliest accepted event time, epoch ns."));

    /** Latest accepted event timestamp, epoch ns. */
    public static final Setting<Long> TIMESTAMP_MAX = declare(Setting.longInteger(
        SluiceConfig.TIMESTAMP_MAX, SluiceConfig.YEAR_2200_NS, Long.MIN_VALUE, Long.MAX_VALUE,
        "Latest accepted event time, epoch ns."));

    /** Least time between two log lines about rejected input. */
    public static final Setting<Long> REJECT_LOG_INTERVAL = declare(Setting.duration(
        SluiceConfig.REJECT_LOG_INTERVAL, "1s", 0, HOUR_NS, "Least time between two log lines about rejected input."));

    /** Window type. */
    public static final Setting<WindowType> WINDOW_TYPE = declare(Setting.choice(
        SluiceConfig.WINDOW_TYPE, WindowType.NONE, EnumSet.allOf(WindowType.class),
        "Event-time windows: none, tumbling or sliding."));

    /** Window length. */
    public static final Setting<Long> WINDOW_SIZE = declare(Setting.duration(
        SluiceConfig.WINDOW_SIZE, "1s", MICROSECOND_NS, MAX_WINDOW_NS, "Window length."));

    /** Distance between window starts. */
    public static final Setting<Long> WINDOW_SLIDE = declare(Setting.duration(
        SluiceConfig.WINDOW_SLIDE, "", MICROSECOND_NS, MAX_WINDOW_NS,
        "Distance between window starts (sliding windows); divides the size.").derivedDefault(
        "the window size", (concluded) -> Setting.formatDuration(concluded.value(WINDOW_SIZE))));

    /** How far the watermark trails the newest accepted event time. */
    public static final Setting<Long> WINDOW_ALLOWED_LATENESS = declare(Setting.duration(
        SluiceConfig.WINDOW_ALLOWED_LATENESS, "0s", 0, MAX_WINDOW_NS,
        "How far the watermark trails the newest accepted event time."));

    /** Quiet time after which the watermark advances with the clock. */
    public static final Setting<Long> WINDOW_IDLE_ADVANCE = declare(Setting.duration(
        SluiceConfig.WINDOW_IDLE_ADVANCE, "0s", 0, MAX_WINDOW_NS,
        "After this long with no event the watermark advances with the clock; 0s: never."));

    /** Least time between two clock-driven ticks. */
    public static final Setting<Long> TICK_INTERVAL = declare(Setting.duration(
        SluiceConfig.TICK_INTERVAL, "1ms", MICROSECOND_NS, 60 * SECOND_NS,
        "Least time between two clock-driven ticks."));

    /** Window lengths without events after which a key is evicted. */
    public static final Setting<Integer> EVICT_AFTER_WINDOWS = declare(Setting.integer(
        SluiceConfig.EVICT_AFTER_WINDOWS, 0, 0, 1_000_000,
        "Window lengths of quiet after its last window closed before a key is removed; 0: never."));

    /** Journal mode. */
    public static final Setting<JournalMode> JOURNAL_MODE = declare(Setting.choice(
        SluiceConfig.JOURNAL_MODE, JournalMode.OFF, EnumSet.allOf(JournalMode.class),
        "Journal the ring's input on Aeron Archive: off, async (results leave at once) or sync (results leave " +
        "once their entry is recorded)."));

    /** Directory of the journal and the snapshots. */
    public static final Setting<String> JOURNAL_DIR = declare(Setting.text(
        SluiceConfig.JOURNAL_DIR, "",
        "Directory of the journal's Aeron Archive (archive/) and of the snapshot sets (snapshots/).").derivedDefault(
        "<user home>/sluice-journal", (concluded) -> inUserHome("sluice-journal")));

    /** Archive file sync level. */
    public static final Setting<Integer> JOURNAL_FILE_SYNC = declare(Setting.integer(
        SluiceConfig.JOURNAL_FILE_SYNC, 0, 0, 2,
        "The Archive's file sync level for the journal: 0 page cache (survives a process crash), 1 force data " +
        "(survives power loss), 2 force data and metadata."));

    /** Bytes of each journal segment file. */
    public static final Setting<Integer> JOURNAL_SEGMENT_LENGTH = declare(Setting.powerOfTwo(
        SluiceConfig.JOURNAL_SEGMENT_LENGTH, 128 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024,
        "Bytes of each journal segment file, a power of two in [64k, 1g]: the unit in which old journal is purged."));

    /** Journal history kept for what-if replay and export. */
    public static final Setting<Long> JOURNAL_RETENTION = declare(Setting.duration(
        SluiceConfig.JOURNAL_RETENTION, "0s", 0, 3660 * DAY_NS,
        "Journal history kept for what-if replay and export: a segment before the oldest kept snapshot is purged " +
        "only once it was last written this long ago; 0s: as soon as the snapshots allow."));

    /** Time between automatic snapshots. */
    public static final Setting<Long> SNAPSHOT_INTERVAL = declare(Setting.duration(
        SluiceConfig.SNAPSHOT_INTERVAL, "0s", 0, 7 * DAY_NS,
        "Time between automatic snapshots; 0s: only on request (sluice snapshot) and at a graceful stop."));

    /** Snapshot sets kept. */
    public static final Setting<Integer> SNAPSHOT_RETAIN = declare(Setting.integer(
        SluiceConfig.SNAPSHOT_RETAIN, 2, 1, 1000,
        "Complete snapshot sets kept; older sets are deleted and the journal before the oldest kept is purged."));

    /** Directory of this node's cluster state. */
    public static final Setting<String> CLUSTER_DIR = declare(Setting.text(
        SluiceConfig.CLUSTER_DIR, "",
        "Directory of this node's Aeron Archive (the replicated log and the snapshots, archive/) and consensus " +
        "state (cluster/).").derivedDefault(
        "<user home>/sluice-cluster-<member id>",
        (concluded) -> inUserHome("sluice-cluster-" + concluded.value(CLUSTER_MEMBER_ID))));

    /** How long followers wait for the leader's heartbeat before electing a new one. */
    public static final Setting<Long> CLUSTER_HEARTBEAT_TIMEOUT = declare(Setting.duration(
        SluiceConfig.CLUSTER_HEARTBEAT_TIMEOUT, "1s", 100 * MILLISECOND_NS, 60 * SECOND_NS,
        "How long followers hear nothing from the leader before they elect a new one (Aeron's default is 10s); " +
        "the leader sends a heartbeat every tenth of it."));

    /** How long an election waits for the other members. */
    public static final Setting<Long> CLUSTER_ELECTION_TIMEOUT = declare(Setting.duration(
        SluiceConfig.CLUSTER_ELECTION_TIMEOUT, "500ms", 50 * MILLISECOND_NS, 60 * SECOND_NS,
        "How long an election waits to hear from the other members before it goes on with a quorum (Aeron's " +
        "default is 1s)."));

    /** Idle strategy of the consensus module, the archive and the clustered service. */
    public static final Setting<IdleStrategyType> CLUSTER_IDLE_STRATEGY = declare(Setting.choice(
        SluiceConfig.CLUSTER_IDLE_STRATEGY, IdleStrategyType.BACKOFF, agentIdleStrategies(),
        "Idle strategy of a cluster node's consensus module, archive and Sluice service threads."));

    /** File the daemon writes its internal latency distribution to at shutdown. */
    public static final Setting<String> LATENCY_HISTOGRAM_FILE = declare(Setting.text(
        SluiceConfig.LATENCY_HISTOGRAM_FILE, "",
        "File for the ingress-to-egress latency distribution written at shutdown; empty: not recorded."));

    /** Where the Prometheus endpoint listens. */
    public static final Setting<String> METRICS_ENDPOINT = declare(Setting.endpoint(
        SluiceConfig.METRICS_ENDPOINT,
        "host:port the Prometheus endpoint (/metrics) listens on, e.g. localhost:9464 (loopback) or 0.0.0.0:9464 " +
        "(every interface); port 0: any free port, printed at start; empty: off."));

    private static final List<Setting<?>> ALL = List.copyOf(TABLE);

    private Settings()
    {
    }

    /**
     * @return every declared setting, in declaration order.
     */
    public static List<Setting<?>> all()
    {
        return ALL;
    }

    /**
     * @return every declared key, in declaration order.
     */
    public static Set<String> keys()
    {
        final Set<String> keys = new LinkedHashSet<>();
        for (final Setting<?> setting : ALL)
        {
            keys.add(setting.key());
        }
        return keys;
    }

    private static <T> Setting<T> declare(final Setting<T> setting)
    {
        TABLE.add(setting);
        return setting;
    }

    private static Set<IdleStrategyType> agentIdleStrategies()
    {
        return EnumSet.complementOf(EnumSet.of(IdleStrategyType.NOOP));
    }

    /**
     * Where a default data directory goes: the home directory of the user the process runs as (Java's
     * {@code user.home}), never the directory it was started in, so a daemon started in a checkout writes nothing
     * into it. Under the shipped systemd unit that is {@code /var/lib/sluice}, the {@code sluice} account's home.
     */
    private static String inUserHome(final String name)
    {
        return Path.of(System.getProperty("user.home"), name).toAbsolutePath().toString();
    }

    private static String defaultDriverDir(final String clusterMembers, final int clusterMemberId)
    {
        final String node = clusterMembers.isBlank() ? "" : "-node-" + clusterMemberId;
        return SluiceConfig.sharedMemoryDir() + "/sluice-" + System.getProperty("user.name", "default") + node +
            "-driver";
    }
}
