package io.sluice.config;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The daemon's configuration: the concluded value of every setting declared in {@link Settings} (key, default,
 * parser with its range, documentation), one accessor each, plus the alert rules. Built once at start-up by
 * {@link #load(Path, Properties)}, which validates every value and every cross-field rule and throws a
 * {@link ConfigurationException} naming the key on the first failure.
 * <p>
 * Keys under {@code aeron.} are not interpreted here: {@link #aeronProperties()} hands them to the media driver
 * and the Aeron client. Any other key under {@code sluice.} that is not known here is an error, so a typo fails
 * the start instead of silently running with a default.
 * <p>
 * Immutable once loaded; safe to share between threads.
 */
public final class SluiceConfig
{
    /** Ingress channel, where clients publish Events and Queries. */
    public static final String INGRESS_CHANNEL = "sluice.ingress.channel";
    /** Ingress stream id. */
    public static final String INGRESS_STREAM_ID = "sluice.ingress.stream-id";
    /** Egress channel, where processors publish results. */
    public static final String EGRESS_CHANNEL = "sluice.egress.channel";
    /** Egress stream id. */
    public static final String EGRESS_STREAM_ID = "sluice.egress.stream-id";
    /** Number of entries in the ring. */
    public static final String RING_LENGTH = "sluice.ring.length";
    /** Number of processors (shards). */
    public static final String PROCESSOR_COUNT = "sluice.processor.count";
    /** Key capacity of each processor's state table. */
    public static final String STATE_CAPACITY = "sluice.state.capacity";
    /** Seed of the key hash: {@code random} or a long. */
    public static final String HASH_SEED = "sluice.hash.seed";
    /** Property: most distinct client ids whose high-water marks the daemon tracks. */
    public static final String CLIENT_CAPACITY = "sluice.client.capacity";
    /** Property: most events in one EventBatch message. */
    public static final String BATCH_MAX_EVENTS = "sluice.batch.max-events";
    /** Property: journal mode, off, async or sync. */
    public static final String JOURNAL_MODE = "sluice.journal.mode";
    /** Property: directory of the journal (the Aeron Archive) and the snapshots. */
    public static final String JOURNAL_DIR = "sluice.journal.dir";
    /** Property: the Archive's file sync level for the journal, 0, 1 or 2. */
    public static final String JOURNAL_FILE_SYNC = "sluice.journal.file-sync";
    /** Property: bytes of each journal segment file. */
    public static final String JOURNAL_SEGMENT_LENGTH = "sluice.journal.segment-length";
    /** Property: journal history kept for what-if replay and export, a duration. */
    public static final String JOURNAL_RETENTION = "sluice.journal.retention";
    /** Property: time between automatic snapshots, 0 for none. */
    public static final String SNAPSHOT_INTERVAL = "sluice.snapshot.interval";
    /** Property: complete snapshot sets kept; the journal before the oldest kept is purged. */
    public static final String SNAPSHOT_RETAIN = "sluice.snapshot.retain";
    /** How units of work map onto threads. */
    public static final String THREADING = "sluice.threading";
    /** Idle strategy of the ingress thread (or of the one shared thread). */
    public static final String INGRESS_IDLE_STRATEGY = "sluice.ingress.idle-strategy";
    /** Wait strategy of dedicated processor threads. */
    public static final String PROCESSOR_WAIT_STRATEGY = "sluice.processor.wait-strategy";
    /** CPUs to pin processor threads to. */
    public static final String PROCESSOR_CPUS = "sluice.processor.cpus";
    /** CPU to pin the ingress (or shared) thread to. */
    public static final String INGRESS_CPU = "sluice.ingress.cpu";
    /** Whether the media driver is embedded or external. */
    public static final String DRIVER_MODE = "sluice.driver.mode";
    /** Media driver directory. */
    public static final String DRIVER_DIR = "sluice.driver.dir";
    /** How long a live owner's driver heartbeat may stand still before its directory is taken over. */
    public static final String DRIVER_LIVENESS_TIMEOUT = "sluice.driver.liveness-timeout";
    /** Embedded driver threading mode. */
    public static final String DRIVER_THREADING = "sluice.driver.threading";
    /** Idle strategy of the embedded driver's threads. */
    public static final String DRIVER_IDLE_STRATEGY = "sluice.driver.idle-strategy";
    /** Longest a graceful stop waits for everything published to be received. */
    public static final String SHUTDOWN_TIMEOUT = "sluice.shutdown.timeout";
    /** Duty cycle length that counts as a stall. */
    public static final String AGENT_STALL_THRESHOLD = "sluice.agent.stall-threshold";
    /** Earliest accepted event timestamp, epoch ns. */
    public static final String TIMESTAMP_MIN = "sluice.event.timestamp-min";
    /** Latest accepted event timestamp, epoch ns. */
    public static final String TIMESTAMP_MAX = "sluice.event.timestamp-max";
    /** Minimum time between two log lines about rejected input. */
    public static final String REJECT_LOG_INTERVAL = "sluice.reject.log-interval";

    /** Property: members of the Aeron Cluster this daemon is a node of; empty for standalone. */
    public static final String CLUSTER_MEMBERS = "sluice.cluster.members";
    /** Property: this node's member id. */
    public static final String CLUSTER_MEMBER_ID = "sluice.cluster.member-id";
    /** Property: directory of this node's archive and consensus state. */
    public static final String CLUSTER_DIR = "sluice.cluster.dir";
    /** Property: leader heartbeat timeout. */
    public static final String CLUSTER_HEARTBEAT_TIMEOUT = "sluice.cluster.heartbeat-timeout";
    /** Property: election timeout. */
    public static final String CLUSTER_ELECTION_TIMEOUT = "sluice.cluster.election-timeout";
    /** Property: idle strategy of the cluster node's own threads. */
    public static final String CLUSTER_IDLE_STRATEGY = "sluice.cluster.idle-strategy";

    /** File the daemon writes its internal latency distribution to at shutdown. */
    public static final String LATENCY_HISTOGRAM_FILE = "sluice.latency.histogram-file";
    /** Where the Prometheus endpoint listens; empty: off. */
    public static final String METRICS_ENDPOINT = "sluice.metrics.endpoint";

    /** Window type: none, tumbling or sliding. */
    public static final String WINDOW_TYPE = "sluice.window.type";
    /** Window size. */
    public static final String WINDOW_SIZE = "sluice.window.size";
    /** Window slide (sliding windows). */
    public static final String WINDOW_SLIDE = "sluice.window.slide";
    /** How far behind the newest event the watermark stays. */
    public static final String WINDOW_ALLOWED_LATENESS = "sluice.window.allowed-lateness";
    /** Quiet time after which the watermark advances with wall-clock time. */
    public static final String WINDOW_IDLE_ADVANCE = "sluice.window.idle-advance";
    /** Interval between ticks. */
    public static final String TICK_INTERVAL = "sluice.tick.interval";
    /** Windows without events after which a key is evicted. */
    public static final String EVICT_AFTER_WINDOWS = "sluice.state.evict-after-windows";

    /** 2000-01-01T00:00:00Z in epoch nanoseconds. */
    public static final long YEAR_2000_NS = 946_684_800_000_000_000L;
    /** 2200-01-01T00:00:00Z in epoch nanoseconds. */
    public static final long YEAR_2200_NS = 7_258_118_400_000_000_000L;

    /**
     * Most panes a key keeps: {@code ceil((window size + allowed lateness) / slide)} plus 3 spare, so at most 4093
     * slides of window and lateness.
     */
    public static final int MAX_PANES_PER_KEY = 4096;

    /**
     * Longest eviction horizon, {@code evict-after-windows x window size + window size + allowed lateness}: 100
     * Julian years of event time, in ns. The latest accepted timestamp plus the horizon must also stay within a
     * {@code long} of epoch ns (2262-04-11), so that no window end or eviction time can overflow.
     */
    public static final long MAX_EVICTION_HORIZON_NS = 100L * 31_557_600L * 1_000_000_000L;

    private static final int SPARE_PANES = 3;
    private static final String LARGEST_EPOCH_NS = "the largest epoch-ns time, " +
        Instant.ofEpochSecond(0, Long.MAX_VALUE);
    private static final Set<String> KNOWN_KEYS = Settings.keys();

    private final Map<Setting<?>, Object> values;
    private final List<AlertRule> alertRules;
    private final Map<String, String> aeronProperties;
    private final Map<String, String> effective;
    private final int panesPerKey;
    private final boolean hashSeedDrawn;

    private SluiceConfig(final PropertySource source, final Map<Setting<?>, Object> values)
    {
        this.values = values;
        final String seedText = source.string(HASH_SEED, null);
        this.hashSeedDrawn = null == seedText || "random".equalsIgnoreCase(seedText.trim());
        this.alertRules = List.copyOf(AlertRule.parse(source));
        this.aeronProperties = source.withPrefix("aeron.");
        conclude();
        this.panesPerKey = windowType() == WindowType.NONE ? 0 : (int)windowPanes() + SPARE_PANES;

        final Map<String, String> map = new LinkedHashMap<>();
        for (final Map.Entry<Setting<?>, Object> e : values.entrySet())
        {
            map.put(e.getKey().key(), e.getKey().renderObject(e.getValue()));
        }
        for (final AlertRule rule : alertRules)
        {
            map.put(AlertRule.PREFIX + rule.name(), "on " + Setting.formatEnum(rule.on()) + ": " +
                Setting.formatEnum(rule.field()) + " " + rule.op().symbol() + " " + rule.threshold());
        }
        this.effective = Collections.unmodifiableMap(map);
    }

    /**
     * Load and validate.
     *
     * @param file      properties file, or null for defaults only.
     * @param overrides properties that win over the file, normally {@link System#getProperties()}.
     * @return the validated configuration.
     * @throws ConfigurationException naming the key of the first invalid setting.
     */
    public static SluiceConfig load(final Path file, final Properties overrides)
    {
        return from(PropertySource.load(file, overrides));
    }

    /**
     * @param properties the settings; absent keys take their defaults.
     * @return the validated configuration.
     * @throws ConfigurationException naming the key of the first invalid setting.
     */
    public static SluiceConfig of(final Properties properties)
    {
        return from(PropertySource.of(properties));
    }

    /**
     * Parse every declared setting in {@link Settings} order (absent or blank keys take their defaults), then the
     * alert rules, then check the rules that span settings.
     *
     * @param source layered properties.
     * @return the validated configuration.
     * @throws ConfigurationException naming the key of the first invalid setting.
     */
    public static SluiceConfig from(final PropertySource source)
    {
        final Set<String> unknown = new TreeSet<>();
        for (final String key : source.all().keySet())
        {
            if (key.startsWith("sluice.") && !key.startsWith(AlertRule.PREFIX) && !KNOWN_KEYS.contains(key))
            {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty())
        {
            final String key = unknown.iterator().next();
            throw new ConfigurationException(
                key, source.all().get(key), "is not a known setting (see config/defaults.properties)");
        }

        final Map<Setting<?>, Object> values = new LinkedHashMap<>();
        final Setting.Concluded concluded = new Setting.Concluded()
        {
            @Override
            @SuppressWarnings("unchecked")
            public <V> V value(final Setting<V> setting)
            {
                return (V)values.get(setting);
            }
        };
        for (final Setting<?> setting : Settings.all())
        {
            values.put(setting, setting.conclude(source.string(setting.key(), null), concluded));
        }
        return new SluiceConfig(source, values);
    }

    private void conclude()
    {
        if (processorCpus().length != 0 && processorCpus().length != processorCount())
        {
            throw fail(Settings.PROCESSOR_CPUS,
                "must list exactly " + PROCESSOR_COUNT + "=" + processorCount() + " CPUs, or be empty for no pinning");
        }
        if (processorCpus().length != 0 && threading() == ThreadingMode.SHARED)
        {
            throw fail(Settings.PROCESSOR_CPUS,
                "needs " + THREADING + "=dedicated; with shared threading pin the one thread with " + INGRESS_CPU);
        }
        if (driverThreading() == DriverThreading.INVOKER && driverMode() != DriverMode.EMBEDDED)
        {
            throw fail(Settings.DRIVER_THREADING,
                "needs " + DRIVER_MODE + "=embedded: only an embedded driver can be invoked");
        }
        if (timestampMinNs() >= timestampMaxNs())
        {
            throw fail(Settings.TIMESTAMP_MIN, "must be less than " + TIMESTAMP_MAX + "=" + timestampMaxNs());
        }
        if (windowType() == WindowType.TUMBLING && windowSlideNs() != windowSizeNs())
        {
            throw fail(Settings.WINDOW_SLIDE, "must equal " + WINDOW_SIZE + " (or be absent) for tumbling windows");
        }
        if (windowSizeNs() % windowSlideNs() != 0)
        {
            throw fail(Settings.WINDOW_SLIDE, "must divide " + show(Settings.WINDOW_SIZE));
        }
        if (windowType() != WindowType.NONE)
        {
            checkWindowArithmetic();
        }
        else
        {
            if (evictAfterWindows() > 0)
            {
                throw fail(Settings.EVICT_AFTER_WINDOWS, "needs windows: set " + WINDOW_TYPE);
            }
            for (final AlertRule rule : alertRules)
            {
                if (rule.on() == AlertRule.On.WINDOW || rule.field() != AlertRule.Field.VALUE)
                {
                    throw new ConfigurationException(AlertRule.PREFIX + rule.name() + ".on",
                        Setting.formatEnum(rule.on()),
                        "with field " + Setting.formatEnum(rule.field()) + " needs windows: set " + WINDOW_TYPE);
                }
            }
        }
        if ((long)batchMaxEvents() * 2 > ringLength())
        {
            throw fail(Settings.BATCH_MAX_EVENTS, "must be at most half of " + show(Settings.RING_LENGTH) +
                ": a batch's events and the ticks between them go into the ring at once");
        }
        if (journalMode() == JournalMode.OFF && snapshotIntervalNs() > 0)
        {
            throw fail(Settings.SNAPSHOT_INTERVAL, "needs a journal: set " + JOURNAL_MODE + "=async or sync");
        }
        if (isClustered())
        {
            checkCluster();
        }
        if (ingressChannel().equals(egressChannel()) && ingressStreamId() == egressStreamId())
        {
            throw fail(Settings.EGRESS_STREAM_ID,
                "must differ from " + INGRESS_STREAM_ID + " when ingress and egress share a channel");
        }
    }

    /**
     * A cluster node (or a client of one, which sets no member id): every member parses, this node's id is among them, and what a replicated state machine needs
     * holds (a fixed hash seed, no journal of its own, processors on the service thread, driver threads of its own).
     */
    private void checkCluster()
    {
        final List<Integer> ids = new ArrayList<>();
        for (final String member : clusterMembers().split("\\|"))
        {
            if (member.isBlank())
            {
                continue;
            }
            final String[] fields = member.trim().split(",");
            boolean endpoints = 6 == fields.length;
            for (int i = 1; endpoints && i < fields.length; i++)
            {
                final int colon = fields[i].lastIndexOf(':');
                endpoints = colon > 0 && colon < fields[i].length() - 1;
            }
            if (!endpoints)
            {
                throw fail(Settings.CLUSTER_MEMBERS, "must have member '" + member.trim() +
                    "' as id,ingress,consensus,log,catchup,archive with host:port endpoints");
            }
            try
            {
                ids.add(Integer.parseInt(fields[0].trim()));
            }
            catch (final NumberFormatException ex)
            {
                throw fail(Settings.CLUSTER_MEMBERS, "must have member '" + member.trim() + "' start with an integer id");
            }
        }
        if (-1 != clusterMemberId() && !ids.contains(clusterMemberId()))
        {
            throw fail(Settings.CLUSTER_MEMBER_ID, "must be one of the ids in " + CLUSTER_MEMBERS + ": " + ids);
        }
        if (hashSeedDrawn)
        {
            throw new ConfigurationException(HASH_SEED, "random",
                "must be a fixed number in a cluster: every node routes keys with the same seed");
        }
        if (journalMode() != JournalMode.OFF)
        {
            throw fail(Settings.JOURNAL_MODE, "must be off in a cluster: the cluster's replicated log is the journal");
        }
        if (threading() != ThreadingMode.SHARED)
        {
            throw fail(Settings.THREADING, "must be shared in a cluster: the processors run on the service thread");
        }
        if (driverMode() != DriverMode.EMBEDDED)
        {
            throw fail(Settings.DRIVER_MODE, "must be embedded in a cluster: each node runs its own driver beside its " +
                "archive and consensus module");
        }
        if (driverThreading() == DriverThreading.INVOKER)
        {
            throw fail(Settings.DRIVER_THREADING, "must be shared, shared-network or dedicated in a cluster: the " +
                "node's driver, archive and consensus module run their own threads");
        }
    }

    /**
     * Window size, lateness and slide are each at most {@link Settings#MAX_WINDOW_NS}, so every sum below fits a
     * {@code long}; products are checked with {@link Math#multiplyExact(long, long)} before any cast.
     */
    private void checkWindowArithmetic()
    {
        final long windowPanes = windowPanes();
        if (windowPanes > MAX_PANES_PER_KEY - SPARE_PANES)
        {
            throw fail(Settings.WINDOW_SLIDE, "is too small: (" + show(Settings.WINDOW_SIZE) + " + " +
                show(Settings.WINDOW_ALLOWED_LATENESS) + ") / slide is " + windowPanes + " panes, more than the " +
                (MAX_PANES_PER_KEY - SPARE_PANES) + " a key can keep");
        }
        final long spanNs = windowSizeNs() + allowedLatenessNs();
        if (timestampMaxNs() > Long.MAX_VALUE - spanNs)
        {
            throw fail(Settings.TIMESTAMP_MAX, "leaves no room for a window: + " + show(Settings.WINDOW_SIZE) + " + " +
                show(Settings.WINDOW_ALLOWED_LATENESS) + " passes " + LARGEST_EPOCH_NS);
        }
        final int evictAfterWindows = evictAfterWindows();
        if (evictAfterWindows > 0)
        {
            long horizonNs;
            try
            {
                horizonNs = Math.addExact(Math.multiplyExact((long)evictAfterWindows, windowSizeNs()), spanNs);
            }
            catch (final ArithmeticException ex)
            {
                horizonNs = Long.MAX_VALUE;
            }
            final String horizon = evictAfterWindows + " x " + show(Settings.WINDOW_SIZE) + " + " + WINDOW_SIZE + " + " +
                show(Settings.WINDOW_ALLOWED_LATENESS);
            if (horizonNs > MAX_EVICTION_HORIZON_NS)
            {
                throw fail(Settings.EVICT_AFTER_WINDOWS, "is too large: " + horizon + " must stay within 100 years (" +
                    Setting.formatDuration(MAX_EVICTION_HORIZON_NS) + ") of event time");
            }
            if (timestampMaxNs() > Long.MAX_VALUE - horizonNs)
            {
                throw fail(Settings.EVICT_AFTER_WINDOWS, "is too large: " + show(Settings.TIMESTAMP_MAX) + " + " + horizon +
                    " passes " + LARGEST_EPOCH_NS);
            }
        }
    }

    private long windowPanes()
    {
        return (windowSizeNs() + allowedLatenessNs() + windowSlideNs() - 1) / windowSlideNs();
    }

    private <T> String show(final Setting<T> setting)
    {
        return setting.key() + "=" + setting.render(value(setting));
    }

    private <T> ConfigurationException fail(final Setting<T> setting, final String reason)
    {
        return new ConfigurationException(setting.key(), setting.render(value(setting)), reason);
    }

    @SuppressWarnings("unchecked")
    private <T> T value(final Setting<T> setting)
    {
        return (T)values.get(setting);
    }

    /**
     * @return where media driver directories go by default: {@code /dev/shm} when the host has it (memory, no disk
     * writes), else the JVM's temporary directory.
     */
    public static String sharedMemoryDir()
    {
        return new java.io.File("/dev/shm").isDirectory() ? "/dev/shm" : System.getProperty("java.io.tmpdir");
    }

    /**
     * @return {@value #INGRESS_CHANNEL}: the Aeron URI clients publish to. Default and range: {@link
     * Settings#INGRESS_CHANNEL}.
     */
    public String ingressChannel()
    {
        return value(Settings.INGRESS_CHANNEL);
    }

    /**
     * @return {@value #INGRESS_STREAM_ID}: stream id on the ingress channel. Default and range: {@link
     * Settings#INGRESS_STREAM_ID}.
     */
    public int ingressStreamId()
    {
        return value(Settings.INGRESS_STREAM_ID);
    }

    /**
     * @return {@value #EGRESS_CHANNEL}: the Aeron URI processors publish results on. Default and range: {@link
     * Settings#EGRESS_CHANNEL}.
     */
    public String egressChannel()
    {
        return value(Settings.EGRESS_CHANNEL);
    }

    /**
     * @return {@value #EGRESS_STREAM_ID}: stream id on the egress channel. Default and range: {@link
     * Settings#EGRESS_STREAM_ID}.
     */
    public int egressStreamId()
    {
        return value(Settings.EGRESS_STREAM_ID);
    }

    /**
     * @return {@value #RING_LENGTH}: entries in the ring, a power of two. Default and range: {@link
     * Settings#RING_LENGTH}.
     */
    public int ringLength()
    {
        return value(Settings.RING_LENGTH);
    }

    /**
     * @return {@value #PROCESSOR_COUNT}: processors, each the single writer of one shard of the keys. Default and
     * range: {@link Settings#PROCESSOR_COUNT}.
     */
    public int processorCount()
    {
        return value(Settings.PROCESSOR_COUNT);
    }

    /**
     * @return {@value #STATE_CAPACITY}: keys each processor's off-heap table can hold, a power of two. Default and
     * range: {@link Settings#STATE_CAPACITY}.
     */
    public int stateCapacity()
    {
        return value(Settings.STATE_CAPACITY);
    }

    /**
     * @return {@value #HASH_SEED}: the concluded seed of the key hash; when the setting is {@code random}, the
     * non-zero seed drawn at load, which {@link #effective()} shows so a run can be reproduced. Default and range:
     * {@link Settings#HASH_SEED}.
     */
    public long hashSeed()
    {
        return value(Settings.HASH_SEED);
    }

    /**
     * @return {@value #THREADING}: how units of work map onto threads. Default and range: {@link Settings#THREADING}.
     */
    public ThreadingMode threading()
    {
        return value(Settings.THREADING);
    }

    /**
     * @return {@value #INGRESS_IDLE_STRATEGY}: idle strategy of the ingress thread, or of the one shared thread; never
     * noop. Default and range: {@link Settings#INGRESS_IDLE_STRATEGY}.
     */
    public IdleStrategyType ingressIdleStrategy()
    {
        return value(Settings.INGRESS_IDLE_STRATEGY);
    }

    /**
     * @return {@value #PROCESSOR_WAIT_STRATEGY}: wait strategy of dedicated processor threads. Default and range:
     * {@link Settings#PROCESSOR_WAIT_STRATEGY}.
     */
    public WaitStrategyType processorWaitStrategy()
    {
        return value(Settings.PROCESSOR_WAIT_STRATEGY);
    }

    /**
     * @return {@value #PROCESSOR_CPUS}: CPU for each processor thread, empty for no pinning; a fresh copy. Default and
     * range: {@link Settings#PROCESSOR_CPUS}.
     */
    public int[] processorCpus()
    {
        return value(Settings.PROCESSOR_CPUS).clone();
    }

    /**
     * @return {@value #INGRESS_CPU}: CPU for the ingress (or shared) thread, -1 for no pinning. Default and range:
     * {@link Settings#INGRESS_CPU}.
     */
    public int ingressCpu()
    {
        return value(Settings.INGRESS_CPU);
    }

    /**
     * @return {@value #DRIVER_MODE}: embedded or external media driver. Default and range: {@link
     * Settings#DRIVER_MODE}.
     */
    public DriverMode driverMode()
    {
        return value(Settings.DRIVER_MODE);
    }

    /**
     * @return {@value #DRIVER_DIR}: the media driver directory. Default and range: {@link Settings#DRIVER_DIR}.
     */
    public String driverDir()
    {
        return value(Settings.DRIVER_DIR);
    }

    /**
     * @return {@value #DRIVER_LIVENESS_TIMEOUT}: a driver directory whose owner process is alive but whose driver
     * heartbeat is older than this is treated as dead and taken over, ns. Default and range:
     * {@link Settings#DRIVER_LIVENESS_TIMEOUT}.
     */
    public long driverLivenessTimeoutNs()
    {
        return value(Settings.DRIVER_LIVENESS_TIMEOUT);
    }

    /**
     * @return {@value #DRIVER_THREADING}: threading mode of an embedded driver. Default and range: {@link
     * Settings#DRIVER_THREADING}.
     */
    public DriverThreading driverThreading()
    {
        return value(Settings.DRIVER_THREADING);
    }

    /**
     * @return {@value #DRIVER_IDLE_STRATEGY}: idle strategy of an embedded driver's own threads; never noop. Default
     * and range: {@link Settings#DRIVER_IDLE_STRATEGY}.
     */
    public IdleStrategyType driverIdleStrategy()
    {
        return value(Settings.DRIVER_IDLE_STRATEGY);
    }

    /**
     * @return true when {@value #HASH_SEED} was drawn at load ({@code random}, the default) rather than given: a
     * daemon with a journal then adopts the journal's seed.
     */
    public boolean hashSeedDrawn()
    {
        return hashSeedDrawn;
    }

    /**
     * @return {@value #CLIENT_CAPACITY}: most distinct client ids tracked (each client's high-water mark of
     * correlation ids); an event from one more is rejected CLIENTS_FULL. Default and range:
     * {@link Settings#CLIENT_CAPACITY}.
     */
    public int clientCapacity()
    {
        return value(Settings.CLIENT_CAPACITY);
    }

    /**
     * @return {@value #BATCH_MAX_EVENTS}: most events in one EventBatch message; a larger one is rejected whole
     * (BATCH_TOO_LARGE). Default and range: {@link Settings#BATCH_MAX_EVENTS}; at most half of {@link #ringLength()}.
     */
    public int batchMaxEvents()
    {
        return value(Settings.BATCH_MAX_EVENTS);
    }

    /**
     * @return {@value #JOURNAL_MODE}: whether and how the ring's input is journaled. Default and range:
     * {@link Settings#JOURNAL_MODE}.
     */
    public JournalMode journalMode()
    {
        return value(Settings.JOURNAL_MODE);
    }

    /**
     * @return {@value #JOURNAL_DIR}: directory of the journal's Aeron Archive ({@code archive/}) and of the
     * snapshot sets ({@code snapshots/}). Default: {@link Settings#JOURNAL_DIR}.
     */
    public String journalDir()
    {
        return value(Settings.JOURNAL_DIR);
    }

    /**
     * @return {@value #JOURNAL_FILE_SYNC}: the Archive's {@code file.sync.level} and {@code catalog.file.sync.level}
     * for the journal: 0 page cache only, 1 data forced to disk, 2 data and metadata. Default and range:
     * {@link Settings#JOURNAL_FILE_SYNC}.
     */
    public int journalFileSync()
    {
        return value(Settings.JOURNAL_FILE_SYNC);
    }

    /**
     * @return {@value #JOURNAL_SEGMENT_LENGTH}: bytes of each journal segment file, the unit in which the journal
     * before the oldest kept snapshot is purged. Default and range: {@link Settings#JOURNAL_SEGMENT_LENGTH}.
     */
    public int journalSegmentLength()
    {
        return value(Settings.JOURNAL_SEGMENT_LENGTH);
    }

    /**
     * @return {@value #JOURNAL_RETENTION}: how long ago a journal segment must have been last written before it may
     * be purged, ns; 0 to purge whatever the oldest kept snapshot no longer needs. Default and range:
     * {@link Settings#JOURNAL_RETENTION}.
     */
    public long journalRetentionNs()
    {
        return value(Settings.JOURNAL_RETENTION);
    }

    /**
     * @return true when {@value #CLUSTER_MEMBERS} is set: the daemon runs as a node of an Aeron Cluster.
     */
    public boolean isClustered()
    {
        return !clusterMembers().isBlank();
    }

    /**
     * @return {@value #CLUSTER_MEMBERS}: Aeron's {@code id,ingress,consensus,log,catchup,archive|...} form, or empty.
     */
    public String clusterMembers()
    {
        return value(Settings.CLUSTER_MEMBERS);
    }

    /**
     * @return {@value #CLUSTER_MEMBER_ID}: this node's id, -1 when not set.
     */
    public int clusterMemberId()
    {
        return value(Settings.CLUSTER_MEMBER_ID);
    }

    /**
     * @return {@value #CLUSTER_DIR}: this node's archive and consensus state directory.
     */
    public String clusterDir()
    {
        return value(Settings.CLUSTER_DIR);
    }

    /**
     * @return {@value #CLUSTER_HEARTBEAT_TIMEOUT}, ns: followers elect a new leader after hearing nothing this long.
     */
    public long clusterHeartbeatTimeoutNs()
    {
        return value(Settings.CLUSTER_HEARTBEAT_TIMEOUT);
    }

    /**
     * @return {@value #CLUSTER_ELECTION_TIMEOUT}, ns.
     */
    public long clusterElectionTimeoutNs()
    {
        return value(Settings.CLUSTER_ELECTION_TIMEOUT);
    }

    /**
     * @return {@value #CLUSTER_IDLE_STRATEGY}: the idle strategy of a node's consensus module, archive and service.
     */
    public IdleStrategyType clusterIdleStrategy()
    {
        return value(Settings.CLUSTER_IDLE_STRATEGY);
    }

    /**
     * @return {@value #SNAPSHOT_INTERVAL}: time between automatic snapshots, ns; 0 for none. Default and range:
     * {@link Settings#SNAPSHOT_INTERVAL}.
     */
    public long snapshotIntervalNs()
    {
        return value(Settings.SNAPSHOT_INTERVAL);
    }

    /**
     * @return {@value #SNAPSHOT_RETAIN}: complete snapshot sets kept. Default and range:
     * {@link Settings#SNAPSHOT_RETAIN}.
     */
    public int snapshotRetain()
    {
        return value(Settings.SNAPSHOT_RETAIN);
    }

    /**
     * @return {@value #SHUTDOWN_TIMEOUT}: the longest a graceful stop waits for the ring to drain and for every
     * live egress receiver to confirm it received everything published, ns; the stop logs when it gives up. Default
     * and range: {@link Settings#SHUTDOWN_TIMEOUT}.
     */
    public long shutdownTimeoutNs()
    {
        return value(Settings.SHUTDOWN_TIMEOUT);
    }

    /**
     * @return {@value #AGENT_STALL_THRESHOLD}: a duty cycle of a Sluice thread (its work plus its idling) longer
     * than this counts as a stall in the thread's stall counter, ns. Default and range:
     * {@link Settings#AGENT_STALL_THRESHOLD}.
     */
    public long agentStallThresholdNs()
    {
        return value(Settings.AGENT_STALL_THRESHOLD);
    }

    /**
     * @return {@value #TIMESTAMP_MIN}: earliest accepted event time, epoch ns. Default and range: {@link
     * Settings#TIMESTAMP_MIN}.
     */
    public long timestampMinNs()
    {
        return value(Settings.TIMESTAMP_MIN);
    }

    /**
     * @return {@value #TIMESTAMP_MAX}: latest accepted event time, epoch ns. Default and range: {@link
     * Settings#TIMESTAMP_MAX}.
     */
    public long timestampMaxNs()
    {
        return value(Settings.TIMESTAMP_MAX);
    }

    /**
     * @return {@value #REJECT_LOG_INTERVAL}: least time between two log lines about rejected input, ns. Default and
     * range: {@link Settings#REJECT_LOG_INTERVAL}.
     */
    public long rejectLogIntervalNs()
    {
        return value(Settings.REJECT_LOG_INTERVAL);
    }

    /**
     * @return {@value #LATENCY_HISTOGRAM_FILE}: when not empty, each processor records ingress receive to egress offer
     * per event (one {@code System.nanoTime()} read, no allocation) and the daemon writes the merged
     * percentile distribution to this file at shutdown. Default and range: {@link
     * Settings#LATENCY_HISTOGRAM_FILE}.
     */
    public String latencyHistogramFile()
    {
        return value(Settings.LATENCY_HISTOGRAM_FILE);
    }

    /**
     * @return {@value #METRICS_ENDPOINT}: {@code host:port} the Prometheus endpoint listens on (port 0: any free
     * port), empty when off. When on, each processor also records ingress receive to egress offer per event, as
     * with {@link #latencyHistogramFile()}. Default and range: {@link Settings#METRICS_ENDPOINT}.
     */
    public String metricsEndpoint()
    {
        return value(Settings.METRICS_ENDPOINT);
    }

    /**
     * @return {@value #WINDOW_TYPE}: none, tumbling or sliding. Default and range: {@link Settings#WINDOW_TYPE}.
     */
    public WindowType windowType()
    {
        return value(Settings.WINDOW_TYPE);
    }

    /**
     * @return {@value #WINDOW_SIZE}: window length, ns. Default and range: {@link Settings#WINDOW_SIZE}.
     */
    public long windowSizeNs()
    {
        return value(Settings.WINDOW_SIZE);
    }

    /**
     * @return {@value #WINDOW_SLIDE}: distance between window starts, ns; divides the size. Default and range: {@link
     * Settings#WINDOW_SLIDE}.
     */
    public long windowSlideNs()
    {
        return value(Settings.WINDOW_SLIDE);
    }

    /**
     * @return {@value #WINDOW_ALLOWED_LATENESS}: the watermark is the newest accepted event time minus this, ns.
     * Default and range: {@link Settings#WINDOW_ALLOWED_LATENESS}.
     */
    public long allowedLatenessNs()
    {
        return value(Settings.WINDOW_ALLOWED_LATENESS);
    }

    /**
     * @return {@value #WINDOW_IDLE_ADVANCE}: after this long with no event the watermark advances with wall-clock
     * time, ns; 0 never. Default and range: {@link Settings#WINDOW_IDLE_ADVANCE}.
     */
    public long idleAdvanceNs()
    {
        return value(Settings.WINDOW_IDLE_ADVANCE);
    }

    /**
     * @return {@value #TICK_INTERVAL}: least time between two ticks that are due to the clock, ns. Default and range:
     * {@link Settings#TICK_INTERVAL}.
     */
    public long tickIntervalNs()
    {
        return value(Settings.TICK_INTERVAL);
    }

    /**
     * @return {@value #EVICT_AFTER_WINDOWS}: a key with no event for this many window lengths after its last window
     * closed is removed from the state table; 0 never. Default and range: {@link
     * Settings#EVICT_AFTER_WINDOWS}.
     */
    public int evictAfterWindows()
    {
        return value(Settings.EVICT_AFTER_WINDOWS);
    }

    /**
     * @return the alert rules ({@code sluice.alert.<name>.*}), in name order; empty when none.
     */
    public List<AlertRule> alertRules()
    {
        return alertRules;
    }

    /**
     * @return panes (slide-long slices) each key keeps: enough for every window that can still be open, at most
     * {@link #MAX_PANES_PER_KEY}; 0 when windows are off ({@link WindowType#NONE}).
     */
    public int panesPerKey()
    {
        return panesPerKey;
    }

    /**
     * @return the {@code aeron.*} keys of the configuration, for the media driver and client.
     */
    public Map<String, String> aeronProperties()
    {
        return aeronProperties;
    }

    /**
     * @return every {@code sluice.*} setting as concluded (defaults filled), in a stable order, for the start-up
     * summary.
     */
    public Map<String, String> effective()
    {
        return effective;
    }
}
