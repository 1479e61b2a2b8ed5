package io.sluice.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static io.sluice.config.SettingText.DAY_NS;
import static io.sluice.config.SettingText.HOUR_NS;
import static io.sluice.config.SettingText.MICROSECOND_NS;
import static io.sluice.config.SettingText.MILLISECOND_NS;
import static io.sluice.config.SettingText.SECOND_NS;

/**
 * The one table of every {@code sluice.*} setting except the alert rules ({@code sluice.alert.<name>.*}, parsed by
 * {@link AlertRule}): key, default, parser with its range and unit, {@link Scope}, section and documentation, in
 * the order of {@link SluiceConfig#effective()}. Adding a setting means declaring it here and adding its accessor
 * to {@link SluiceConfig}; {@code config/defaults.properties} and the table of {@code docs/configuration.md} are
 * generated from this table ({@link ConfigurationReference}) and tests fail when they differ from it.
 * <p>
 * Immutable; safe to share between threads.
 */
public final class Settings
{
    /** Longest window size, lateness or idle advance: 366 days. */
    public static final long MAX_WINDOW_NS = 366L * DAY_NS;

    private static final List<Section> SECTIONS = new ArrayList<>();
    private static final List<Setting<?>> TABLE = new ArrayList<>();

    private static final Section CHANNELS = section("Channels", "", "");
    private static final Section RING_AND_STATE = section("Ring and state", "", "");
    private static final Section THREADS = section("Threads", "", "");
    private static final Section DRIVER = section("Media driver", "", "");
    private static final Section STOP = section("Stop", "", "");
    private static final Section INPUT = section("Input validation", "", "");
    private static final Section WINDOWS = section("Event-time windows", "", "");
    private static final Section ALERTS = section("Alerts", AlertRule.DOCUMENTATION, AlertRule.EXAMPLE);
    private static final Section JOURNAL = section("Journal and snapshots", "", "");
    private static final Section CLUSTER =
        section("Cluster (fail-over on Aeron Cluster; see config/cluster-node.properties)", "", "");
    private static final Section AUTH = section("Authentication (docs/security.md)", "", "");
    private static final Section TOPOLOGY = section("Scale-out topology (docs/scale-out.md)", "", "");
    private static final Section MEASUREMENT = section("Measurement", "", "");
    private static final Section METRICS = section("Metrics", "", "");

    /** Aeron URI clients publish Events and Queries to. */
    public static final Setting<String> INGRESS_CHANNEL = declare(CHANNELS, Scope.LOCAL, Setting.channel(
        "sluice.ingress.channel", "aeron:udp?endpoint=localhost:20120", """
        Where clients publish Events and Queries. Loopback only by default: to listen on another interface
        give its address explicitly (e.g. aeron:udp?endpoint=10.0.0.5:20120); the start-up summary says
        which interfaces are open.
        """));

    /** Stream id on the ingress channel. */
    public static final Setting<Integer> INGRESS_STREAM_ID = declare(CHANNELS, Scope.LOCAL, Setting.integer(
        "sluice.ingress.stream-id", 1001, 1, Integer.MAX_VALUE, "", """
        Stream id on the ingress channel.
        """));

    /** Aeron URI processors publish results on. */
    public static final Setting<String> EGRESS_CHANNEL = declare(CHANNELS, Scope.LOCAL, Setting.channel(
        "sluice.egress.channel", "aeron:udp?control=localhost:20121|control-mode=dynamic|fc=min,t:5s", """
        Where processors publish results: multi-destination cast with dynamic control. Each client joins by
        subscribing to aeron:udp?endpoint=<its host>:0|control=localhost:20121|control-mode=dynamic.
        fc=min: the slowest live client sets the pace, so no client loses results; a client that stops
        sending status (dead or unreachable) is dropped after t:5s and stalls no one after that.
        Use aeron:ipc for clients on the same host and media driver.
        """));

    /** Stream id on the egress channel. */
    public static final Setting<Integer> EGRESS_STREAM_ID = declare(CHANNELS, Scope.LOCAL, Setting.integer(
        "sluice.egress.stream-id", 1002, 1, Integer.MAX_VALUE, "", """
        Stream id on the egress channel; differs from the ingress stream id when the two share a channel.
        """));

    /** Entries in the ring. */
    public static final Setting<Integer> RING_LENGTH = declare(RING_AND_STATE, Scope.LOG, Setting.powerOfTwo(
        "sluice.ring.length", 16 * 1024, 2, 1 << 26, "entries", """
        Ring entries, a power of two. When the ring is full the ingress stops reading and Aeron's flow
        control pushes back on publishers: nothing is dropped.
        """));

    /** Processors, each the single writer of one shard of the keys. */
    public static final Setting<Integer> PROCESSOR_COUNT = declare(RING_AND_STATE, Scope.STATE, Setting.integer(
        "sluice.processor.count", 2, 1, 64, "processors", """
        Processors = shards. A key belongs to exactly one processor, its single writer.
        """));

    /** Keys each processor's state table holds. */
    public static final Setting<Integer> STATE_CAPACITY = declare(RING_AND_STATE, Scope.STATE, Setting.powerOfTwo(
        "sluice.state.capacity", 64 * 1024, 2, 1 << 28, "keys", """
        Keys each processor's off-heap table holds, a power of two (64 bytes a key, table at load <= 0.5).
        A full table answers new keys with Rejected(STATE_FULL) and keeps serving the keys it holds.
        """));

    /** Key groups between the key hash and the shards. */
    public static final Setting<Integer> KEYGROUP_COUNT = declare(RING_AND_STATE, Scope.STATE, Setting.powerOfTwo(
        "sluice.keygroup.count", 4096, 1, 1 << 16, "groups", """
        Key groups, a power of two, at least sluice.processor.count: a key's group is the top bits of its
        seeded hash, and processor p owns the contiguous range of groups [p x groups / processors,
        (p + 1) x groups / processors). A restart with another processor count moves whole groups. Recorded
        in journal.properties at a journal's first start and never changed for the journal's life.
        """));

    /** Seed of the key hash. */
    public static final Setting<Long> HASH_SEED = declare(RING_AND_STATE, Scope.STATE, Setting.seed(
        "sluice.hash.seed", """
        Seed of the key hash that picks each key's shard and its slot in the table, so that a client cannot
        craft keys that all land on one shard and one probe run. random: a fresh non-zero seed at every start,
        printed in the start-up summary (as 0x...); give that value here to reproduce a run. Otherwise a
        64-bit integer, decimal or hex with 0x (e.g. 0x5eed).
        """));

    /** Most distinct client ids tracked. */
    public static final Setting<Integer> CLIENT_CAPACITY = declare(RING_AND_STATE, Scope.LOG, Setting.integer(
        "sluice.client.capacity", 65536, 1, 1 << 24, "client ids", """
        Most distinct client ids tracked. Correlation ids increase per client: the daemon keeps each
        client's highest accepted event correlation id and rejects an event at or below it DUPLICATE;
        an event from one client more than this is rejected CLIENTS_FULL.
        """));

    /** Most events in one EventBatch. */
    public static final Setting<Integer> BATCH_MAX_EVENTS = declare(RING_AND_STATE, Scope.LOG, Setting.integer(
        "sluice.batch.max-events", 1024, 1, 8192, "events", """
        Most events in one EventBatch message; a batch with more is rejected whole, Rejected(BATCH_TOO_LARGE).
        At most half of sluice.ring.length: a batch's events (and the ticks between them) go into the ring with
        one claim and one publish.
        """));

    /** How units of work map onto threads. */
    public static final Setting<ThreadingMode> THREADING = declare(THREADS, Scope.LOCAL, Setting.choice(
        "sluice.threading", ThreadingMode.SHARED, EnumSet.allOf(ThreadingMode.class), """
        shared:    one thread runs the driver's duty cycle (driver.threading=invoker), the ingress and every
                   processor (each through its own Disruptor EventPoller). For hosts with few cores.
        dedicated: the ingress on one thread, each processor a Disruptor BatchEventProcessor on its own
                   thread, optionally pinned. For servers with cores to dedicate.
        """));

    /** Idle strategy of the ingress thread, or of the one shared thread. */
    public static final Setting<IdleStrategyType> INGRESS_IDLE_STRATEGY = declare(THREADS, Scope.LOCAL, Setting.choice(
        "sluice.ingress.idle-strategy", IdleStrategyType.BACKOFF, agentIdleStrategies(), """
        Idle strategy of the ingress (or shared) thread: busy-spin, yielding, backoff, sleeping.
        """));

    /** Wait strategy of dedicated processor threads. */
    public static final Setting<WaitStrategyType> PROCESSOR_WAIT_STRATEGY = declare(THREADS, Scope.LOCAL,
        Setting.choice("sluice.processor.wait-strategy", WaitStrategyType.SLEEPING,
        EnumSet.allOf(WaitStrategyType.class), """
        Wait strategy of dedicated processor threads: busy-spin, yielding, sleeping.
        """));

    /** CPUs to pin processor threads to. */
    public static final Setting<int[]> PROCESSOR_CPUS = declare(THREADS, Scope.LOCAL, Setting.cpuList(
        "sluice.processor.cpus", """
        CPUs for the processor threads (dedicated only), one per processor, e.g. 2,3. Empty: not pinned.
        """));

    /** CPU to pin the ingress (or shared) thread to. */
    public static final Setting<Integer> INGRESS_CPU = declare(THREADS, Scope.LOCAL, Setting.integer(
        "sluice.ingress.cpu", -1, -1, 4095, "CPU number", """
        CPU for the ingress (or shared) thread; -1: not pinned.
        """));

    /** Members of the Aeron Cluster this node belongs to; empty for a standalone daemon. */
    public static final Setting<String> CLUSTER_MEMBERS = declare(CLUSTER, Scope.LOCAL, Setting.text(
        "sluice.cluster.members", "", "id,ingress,consensus,log,catchup,archive|... with host:port endpoints, or empty",
        """
        Members of the Aeron Cluster this daemon is a node of, in Aeron's form
        id,ingress,consensus,log,catchup,archive|... (host:port endpoints); empty: a standalone daemon.
        A node needs a fixed sluice.hash.seed, sluice.journal.mode=off (the replicated log is the
        journal), sluice.threading=shared and an embedded driver with threads of its own.
        """));

    /** This node's member id in the cluster. */
    public static final Setting<Integer> CLUSTER_MEMBER_ID = declare(CLUSTER, Scope.LOCAL, Setting.integer(
        "sluice.cluster.member-id", -1, -1, 1000, "", """
        This node's id among the members; -1: not set (a client of the cluster, e.g. sluice producer; a node
        must set it).
        """));

    /** Whether the media driver is embedded or external. */
    public static final Setting<DriverMode> DRIVER_MODE = declare(DRIVER, Scope.LOCAL, Setting.choice(
        "sluice.driver.mode", DriverMode.EMBEDDED, EnumSet.allOf(DriverMode.class), """
        embedded: the daemon runs its own media driver and deletes its directory at shutdown.
        external: connect to a media driver already running at sluice.driver.dir.
        """));

    /** Media driver directory. */
    public static final Setting<String> DRIVER_DIR = declare(DRIVER, Scope.LOCAL, Setting.text(
        "sluice.driver.dir", "", "a directory", """
        Media driver directory. Default /dev/shm/sluice-<user>-driver; on a cluster node
        /dev/shm/sluice-<user>-node-<member id>-driver. A second daemon pointed at a directory whose
        driver is alive refuses to start.
        """).derivedDefault("<shared memory dir>/sluice-<user>-driver, on a cluster node <shared memory " +
        "dir>/sluice-<user>-node-<member id>-driver", "/dev/shm/sluice-me-driver",
        (concluded) -> defaultDriverDir(concluded.value(CLUSTER_MEMBERS), concluded.value(CLUSTER_MEMBER_ID))));

    /** How long a driver's heartbeat may stand still before its directory is taken over. */
    public static final Setting<Long> DRIVER_LIVENESS_TIMEOUT = declare(DRIVER, Scope.LOCAL, Setting.duration(
        "sluice.driver.liveness-timeout", "3s", 100 * MILLISECOND_NS, 60 * SECOND_NS, """
        A driver directory whose owner process has gone is taken over at once; one whose owner process is
        alive but whose driver heartbeat is older than this is treated as dead and taken over too. A live
        driver's directory is refused. 100ms .. 60s.
        """));

    /** Threading mode of an embedded media driver. */
    public static final Setting<DriverThreading> DRIVER_THREADING = declare(DRIVER, Scope.LOCAL, Setting.choice(
        "sluice.driver.threading", DriverThreading.INVOKER, EnumSet.allOf(DriverThreading.class), """
        Embedded driver threading: invoker (no driver thread; the daemon's thread runs it), shared,
        shared-network, dedicated.
        """));

    /** Idle strategy of an embedded driver's own threads. */
    public static final Setting<IdleStrategyType> DRIVER_IDLE_STRATEGY = declare(DRIVER, Scope.LOCAL, Setting.choice(
        "sluice.driver.idle-strategy", IdleStrategyType.BACKOFF, agentIdleStrategies(), """
        Idle strategy of the embedded driver's own threads (not used with invoker).
        """));

    /** Longest a graceful stop waits for the ring to drain and receivers to confirm every result. */
    public static final Setting<Long> SHUTDOWN_TIMEOUT = declare(STOP, Scope.LOCAL, Setting.duration(
        "sluice.shutdown.timeout", "10s", 0, HOUR_NS, """
        A graceful stop (SIGTERM, SIGINT) waits at most this long for the ring to drain and for every
        live egress receiver to confirm it received everything published, so that every accepted event is
        answered; it logs when it gives up. 0s .. 1h.
        """));

    /** A duty cycle of a Sluice thread longer than this counts as a stall. */
    public static final Setting<Long> AGENT_STALL_THRESHOLD = declare(STOP, Scope.LOCAL, Setting.duration(
        "sluice.agent.stall-threshold", "1ms", MICROSECOND_NS, 60 * SECOND_NS, """
        A duty cycle of the daemon's thread (its work plus its idling), or a batch of a dedicated processor
        thread, longer than this counts as a stall in that thread's stall counter; the longest cycle is a
        counter too (./sluice stat). 1us .. 60s.
        """));

    /** Earliest accepted event timestamp, epoch ns. */
    public static final Setting<Long> TIMESTAMP_MIN = declare(INPUT, Scope.LOG, Setting.longInteger(
        "sluice.event.timestamp-min", SluiceConfig.YEAR_2000_NS, Long.MIN_VALUE, Long.MAX_VALUE, "epoch ns", """
        Event timestamps (epoch ns) outside [min, max] are answered with Rejected(TIMESTAMP_OUT_OF_RANGE).
        Defaults: 2000-01-01T00:00:00Z .. 2200-01-01T00:00:00Z. The minimum must be less than the maximum.
        """));

    /** Latest accepted event timestamp, epoch ns. */
    public static final Setting<Long> TIMESTAMP_MAX = declare(INPUT, Scope.LOG, Setting.longInteger(
        "sluice.event.timestamp-max", SluiceConfig.YEAR_2200_NS, Long.MIN_VALUE, Long.MAX_VALUE, "epoch ns", """
        Latest accepted event time (see sluice.event.timestamp-min).
        """));

    /** Least time between two log lines about rejected input. */
    public static final Setting<Long> REJECT_LOG_INTERVAL = declare(INPUT, Scope.LOCAL, Setting.duration(
        "sluice.reject.log-interval", "1s", 0, HOUR_NS, """
        Least time between two log lines about rejected input (each line gives the count since the last).
        """));

    /** Window type. */
    public static final Setting<WindowType> WINDOW_TYPE = declare(WINDOWS, Scope.STATE, Setting.choice(
        "sluice.window.type", WindowType.NONE, EnumSet.allOf(WindowType.class), """
        none: each key's aggregate runs from its first event (no ticks, no window results).
        tumbling: windows of window.size aligned to the epoch; sliding: windows of window.size starting
        every window.slide (which must divide the size). EventResult then carries the aggregate of the
        newest window holding the event; WindowResult goes out once per key and window with events when
        the watermark reaches the window's end.
        """));

    /** Window length. */
    public static final Setting<Long> WINDOW_SIZE = declare(WINDOWS, Scope.STATE, Setting.duration(
        "sluice.window.size", "1s", MICROSECOND_NS, MAX_WINDOW_NS, """
        Window length (with sluice.window.type tumbling or sliding).
        """));

    /** Distance between window starts. */
    public static final Setting<Long> WINDOW_SLIDE = declare(WINDOWS, Scope.STATE, Setting.duration(
        "sluice.window.slide", "", MICROSECOND_NS, MAX_WINDOW_NS, """
        Distance between window starts (sliding windows); divides the size. Default: the size (tumbling).
        """).derivedDefault("the window size", "250ms",
        (concluded) -> Setting.formatDuration(concluded.value(WINDOW_SIZE))));

    /** How far the watermark trails the newest accepted event time. */
    public static final Setting<Long> WINDOW_ALLOWED_LATENESS = declare(WINDOWS, Scope.STATE, Setting.duration(
        "sluice.window.allowed-lateness", "0s", 0, MAX_WINDOW_NS, """
        Watermark = newest accepted event time - allowed lateness. An event whose windows have all closed
        (its newest window ends at or before the watermark) is answered Rejected(LATE).
        """));

    /** Quiet time after which the watermark advances with the clock. */
    public static final Setting<Long> WINDOW_IDLE_ADVANCE = declare(WINDOWS, Scope.LOG, Setting.duration(
        "sluice.window.idle-advance", "0s", 0, MAX_WINDOW_NS, """
        After this long with no event the watermark advances with the clock, so a quiet stream's windows
        still close; 0s: never.
        """));

    /** Least time between two clock-driven ticks. */
    public static final Setting<Long> TICK_INTERVAL = declare(WINDOWS, Scope.LOG, Setting.duration(
        "sluice.tick.interval", "1ms", MICROSECOND_NS, 60 * SECOND_NS, """
        Least time between two clock-driven ticks (the ingress also ticks at once before an event that
        moves the watermark into a new slide).
        """));

    /** Window lengths without events after which a key is evicted. */
    public static final Setting<Integer> EVICT_AFTER_WINDOWS = declare(WINDOWS, Scope.STATE, Setting.integer(
        "sluice.state.evict-after-windows", 0, 0, 1_000_000, "window lengths", """
        Remove a key from the state table once its last window closed this many window lengths ago
        (fixed memory with churning keys); 0: never. Needs windows.
        """));

    /** Journal mode. */
    public static final Setting<JournalMode> JOURNAL_MODE = declare(JOURNAL, Scope.LOCAL, Setting.choice(
        "sluice.journal.mode", JournalMode.OFF, EnumSet.allOf(JournalMode.class), """
        off: nothing kept, a restart starts empty. async: every ring entry is recorded on an embedded Aeron
        Archive beside the processors; results leave at once. sync: a result leaves only once its entry is
        recorded, so a result a client saw is never contradicted after a crash.
        """));

    /** Directory of the journal and the snapshots. */
    public static final Setting<String> JOURNAL_DIR = declare(JOURNAL, Scope.LOCAL, Setting.text(
        "sluice.journal.dir", "", "a directory", """
        Directory of the journal's Aeron Archive (archive/) and of the snapshot sets (snapshots/). Default
        <user home>/sluice-journal: the home directory of the user the daemon runs as (Java's user.home), never
        the directory it starts in; under the shipped systemd unit /var/lib/sluice/sluice-journal. A relative
        path is taken from the directory the daemon starts in.
        """).derivedDefault("<user home>/sluice-journal", "/var/lib/sluice/journal",
        (concluded) -> inUserHome("sluice-journal")));

    /** Archive file sync level. */
    public static final Setting<Integer> JOURNAL_FILE_SYNC = declare(JOURNAL, Scope.LOCAL, Setting.integer(
        "sluice.journal.file-sync", 0, 0, 2, "", """
        The Archive's file sync level: 0 page cache (survives kill -9, not power loss), 1 force data
        (survives power loss, costs a disk flush per write), 2 force data and metadata.
        """));

    /** Bytes of each journal segment file. */
    public static final Setting<Integer> JOURNAL_SEGMENT_LENGTH = declare(JOURNAL, Scope.LOCAL, Setting.powerOfTwo(
        "sluice.journal.segment-length", 128 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024, "bytes", """
        Bytes of each journal segment file (a power of two, 64k..1g): the unit in which the journal
        before the oldest kept snapshot is purged.
        """));

    /** Journal history kept for what-if replay and export. */
    public static final Setting<Long> JOURNAL_RETENTION = declare(JOURNAL, Scope.LOCAL, Setting.duration(
        "sluice.journal.retention", "0s", 0, 3660 * DAY_NS, """
        Journal history kept for what-if replay and export (sluice replay, sluice journal export): a
        segment before the oldest kept snapshot is purged only once it was last written this long ago,
        e.g. 604800s (a week); 0s: as soon as the snapshots allow (the journal then holds little more
        than the time between two snapshots).
        """));

    /** Time between automatic snapshots. */
    public static final Setting<Long> SNAPSHOT_INTERVAL = declare(JOURNAL, Scope.LOCAL, Setting.duration(
        "sluice.snapshot.interval", "0s", 0, 7 * DAY_NS, """
        Time between automatic snapshots; 0s: only on request (sluice snapshot) and at a graceful stop.
        Needs a journal.
        """));

    /** Snapshot sets kept. */
    public static final Setting<Integer> SNAPSHOT_RETAIN = declare(JOURNAL, Scope.LOCAL, Setting.integer(
        "sluice.snapshot.retain", 2, 1, 1000, "snapshot sets", """
        Complete snapshot sets kept; older ones are deleted and the journal before the oldest kept is purged.
        """));

    /** Directory of this node's cluster state. */
    public static final Setting<String> CLUSTER_DIR = declare(CLUSTER, Scope.LOCAL, Setting.text(
        "sluice.cluster.dir", "", "a directory", """
        This node's Aeron Archive (the replicated log and snapshots, archive/) and consensus state
        (cluster/); default <user home>/sluice-cluster-<member id> (under the systemd unit
        /var/lib/sluice/sluice-cluster-<member id>). Keep it across restarts.
        """).derivedDefault("<user home>/sluice-cluster-<member id>", "/var/lib/sluice/cluster",
        (concluded) -> inUserHome("sluice-cluster-" + concluded.value(CLUSTER_MEMBER_ID))));

    /** How long followers wait for the leader's heartbeat before electing a new one. */
    public static final Setting<Long> CLUSTER_HEARTBEAT_TIMEOUT = declare(CLUSTER, Scope.LOCAL, Setting.duration(
        "sluice.cluster.heartbeat-timeout", "1s", 100 * MILLISECOND_NS, 60 * SECOND_NS, """
        Followers elect a new leader after hearing nothing from it this long (Aeron's default: 10s);
        the leader sends a heartbeat every tenth of it.
        """));

    /** How long an election waits for the other members. */
    public static final Setting<Long> CLUSTER_ELECTION_TIMEOUT = declare(CLUSTER, Scope.LOCAL, Setting.duration(
        "sluice.cluster.election-timeout", "500ms", 50 * MILLISECOND_NS, 60 * SECOND_NS, """
        How long an election waits to hear from the other members (Aeron's default: 1s).
        """));

    /** Idle strategy of the consensus module, the archive and the clustered service. */
    public static final Setting<IdleStrategyType> CLUSTER_IDLE_STRATEGY = declare(CLUSTER, Scope.LOCAL,
        Setting.choice("sluice.cluster.idle-strategy", IdleStrategyType.BACKOFF, agentIdleStrategies(), """
        Idle strategy of the node's consensus module, archive and Sluice service threads.
        """));

    /** The credentials file; empty: authentication off. */
    public static final Setting<String> AUTH_FILE = declare(AUTH, Scope.LOCAL, Setting.text(
        "sluice.auth.file", "", "a file, or empty", """
        Credentials file (written by sluice auth add-client): one client id, stored key and permissions per
        line. When set, every client must authenticate (Connect, Challenge, Authenticate) before anything it
        sends counts, and results go only to the client they belong to, on the response channel it named;
        re-read on SIGHUP or sluice auth reload. Empty: authentication off, one shared egress for every
        client (docs/security.md).
        """));

    /** Authenticated sessions at once. */
    public static final Setting<Integer> AUTH_MAX_SESSIONS = declare(AUTH, Scope.LOCAL, Setting.integer(
        "sluice.auth.max-sessions", 64, 1, 4096, "sessions", """
        Authenticated sessions at once, each with a response publication of its own; a handshake beyond it
        is refused AUTHENTICATION_FAILED. Handshakes in progress are limited to the same number.
        """));

    /** How long a started handshake waits for its Authenticate. */
    public static final Setting<Long> AUTH_HANDSHAKE_TIMEOUT = declare(AUTH, Scope.LOCAL, Setting.duration(
        "sluice.auth.handshake-timeout", "5s", 100 * MILLISECOND_NS, 600 * SECOND_NS, """
        A Connect whose Authenticate has not come this long after its Challenge is dropped, and its response
        publication closed.
        """));

    /** How long a source that failed repeatedly is refused. */
    public static final Setting<Long> AUTH_FAILURE_DELAY = declare(AUTH, Scope.LOCAL, Setting.duration(
        "sluice.auth.failure-delay", "1s", 0, 600 * SECOND_NS, """
        After 3 failed handshakes from one source host, its next handshakes are refused without being
        checked for this long, doubling with each further failure up to 64 times; a success resets it.
        0s: never slowed down.
        """));

    /** Term length of each session's response publication. */
    public static final Setting<Integer> AUTH_RESPONSE_TERM_LENGTH = declare(AUTH, Scope.LOCAL, Setting.powerOfTwo(
        "sluice.auth.response-term-length", 1024 * 1024, 64 * 1024, 1 << 30, "bytes", """
        Term length of the publication each authenticated session's results go out on, unless the client's
        response channel names its own term-length. Each session's log takes three terms in the driver's
        directory (with 64 sessions at 1 MiB: 192 MiB).
        """));

    /** The scale-out topology this appliance is part of. */
    public static final Setting<String> TOPOLOGY_FILE = declare(TOPOLOGY, Scope.LOCAL, Setting.text(
        "sluice.topology.file", "", "a file, or empty", """
        Topology file (docs/scale-out.md): the appliances, the key-group ranges each owns, the epoch, the
        hash seed and key-group count they share. When set, the daemon is the appliance named by
        sluice.topology.appliance: it owns the ranges the file (or, when newer, its journal) gives it and
        refuses an event or query of any other key group NOT_OWNER. Needs the journal. Empty: one appliance
        owns every key.
        """));

    /** This appliance's name in the topology file. */
    public static final Setting<String> TOPOLOGY_APPLIANCE = declare(TOPOLOGY, Scope.LOCAL, Setting.text(
        "sluice.topology.appliance", "", "a name the topology file lists", """
        Which of the topology file's appliances this daemon is; required with sluice.topology.file.
        """));

    /** File the daemon writes its internal latency distribution to at shutdown. */
    public static final Setting<String> LATENCY_HISTOGRAM_FILE = declare(MEASUREMENT, Scope.LOCAL, Setting.text(
        "sluice.latency.histogram-file", "", "a file, or empty", """
        When set, each processor records ingress receive -> egress offer for every event (HdrHistogram,
        no allocation) and the daemon writes the merged percentile distribution (.hgrm) here at shutdown.
        """));

    /** Where the Prometheus endpoint listens. */
    public static final Setting<String> METRICS_ENDPOINT = declare(METRICS, Scope.LOCAL, Setting.endpoint(
        "sluice.metrics.endpoint", """
        host:port of a Prometheus endpoint (GET /metrics, text format) on a thread of its own: every
        Sluice counter (shard, reason or thread as a label), the ingress-to-egress latency histogram per
        shard and JVM metrics. localhost:9464 serves loopback only; 0.0.0.0:9464 every interface; port 0
        any free port (the start-up summary prints it). Empty: off.
        """));

    private static final List<Setting<?>> ALL = List.copyOf(TABLE);
    private static final List<Section> ALL_SECTIONS = List.copyOf(SECTIONS);

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
     * @return every section, in the order the defaults file and the reference list them.
     */
    public static List<Section> sections()
    {
        return ALL_SECTIONS;
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

    /**
     * @param scope what the settings decide.
     * @return every setting declared with that scope, in declaration order.
     */
    public static List<Setting<?>> inScope(final Scope scope)
    {
        final List<Setting<?>> settings = new ArrayList<>();
        for (final Setting<?> setting : ALL)
        {
            if (setting.scope() == scope)
            {
                settings.add(setting);
            }
        }
        return List.copyOf(settings);
    }

    /**
     * @param section a section of {@link #sections()}.
     * @return the settings listed in it, in declaration order.
     */
    public static List<Setting<?>> in(final Section section)
    {
        final List<Setting<?>> settings = new ArrayList<>();
        for (final Setting<?> setting : ALL)
        {
            if (setting.section() == section)
            {
                settings.add(setting);
            }
        }
        return List.copyOf(settings);
    }

    private static Section section(final String title, final String note, final String example)
    {
        final Section section = new Section(title, note.strip(), example.strip());
        SECTIONS.add(section);
        return section;
    }

    private static <T> Setting<T> declare(final Section section, final Scope scope, final Setting<T> setting)
    {
        final Setting<T> declared = setting.declared(section, scope);
        TABLE.add(declared);
        return declared;
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
