package io.sluice.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The daemon's configuration: the concluded value of every setting declared in {@link Settings} (key, default,
 * parser with its range, scope, documentation), one accessor each, plus the alert rules. The key constants here
 * are the declarations' keys. Built once at start-up by {@link #load(Path, Properties)}, which validates every
 * value and the rules between settings that no single component owns ({@link ConfigRules}), and throws a
 * {@link ConfigurationException} naming the key on the first failure. A rule a component owns is checked when its
 * context concludes (the timestamp range by the ingress's, slide-divides-size and eviction-needs-windows by the
 * shards').
 * <p>
 * Keys under {@code aeron.} are not interpreted here: {@link #aeronProperties()} hands them to the media driver
 * and the Aeron client. Any other key under {@code sluice.} that is not known here is an error, so a typo fails
 * the start instead of silently running with a default.
 * <p>
 * Immutable once loaded; safe to share between threads.
 */
public final class SluiceConfig
{
    /** Keys of {@link Settings#INGRESS_CHANNEL}, its stream id, {@link Settings#EGRESS_CHANNEL} and its stream id. */
    public static final String INGRESS_CHANNEL = Settings.INGRESS_CHANNEL.key();
    public static final String INGRESS_STREAM_ID = Settings.INGRESS_STREAM_ID.key();
    public static final String EGRESS_CHANNEL = Settings.EGRESS_CHANNEL.key();
    public static final String EGRESS_STREAM_ID = Settings.EGRESS_STREAM_ID.key();
    /** Key of {@link Settings#RING_LENGTH}. */
    public static final String RING_LENGTH = Settings.RING_LENGTH.key();
    /** Key of {@link Settings#KEYGROUP_COUNT}. */
    public static final String KEYGROUP_COUNT = Settings.KEYGROUP_COUNT.key();
    /** Key of {@link Settings#PROCESSOR_COUNT}. */
    public static final String PROCESSOR_COUNT = Settings.PROCESSOR_COUNT.key();
    /** Key of {@link Settings#STATE_CAPACITY}. */
    public static final String STATE_CAPACITY = Settings.STATE_CAPACITY.key();
    /** Key of {@link Settings#HASH_SEED}. */
    public static final String HASH_SEED = Settings.HASH_SEED.key();
    /** Key of {@link Settings#CLIENT_CAPACITY}. */
    public static final String CLIENT_CAPACITY = Settings.CLIENT_CAPACITY.key();
    /** Key of {@link Settings#BATCH_MAX_EVENTS}. */
    public static final String BATCH_MAX_EVENTS = Settings.BATCH_MAX_EVENTS.key();
    /** Key of {@link Settings#THREADING}. */
    public static final String THREADING = Settings.THREADING.key();
    /** Key of {@link Settings#INGRESS_IDLE_STRATEGY}. */
    public static final String INGRESS_IDLE_STRATEGY = Settings.INGRESS_IDLE_STRATEGY.key();
    /** Key of {@link Settings#PROCESSOR_WAIT_STRATEGY}. */
    public static final String PROCESSOR_WAIT_STRATEGY = Settings.PROCESSOR_WAIT_STRATEGY.key();
    /** Key of {@link Settings#PROCESSOR_CPUS}. */
    public static final String PROCESSOR_CPUS = Settings.PROCESSOR_CPUS.key();
    /** Key of {@link Settings#INGRESS_CPU}. */
    public static final String INGRESS_CPU = Settings.INGRESS_CPU.key();
    /** Key of {@link Settings#CLUSTER_MEMBERS}. */
    public static final String CLUSTER_MEMBERS = Settings.CLUSTER_MEMBERS.key();
    /** Key of {@link Settings#CLUSTER_MEMBER_ID}. */
    public static final String CLUSTER_MEMBER_ID = Settings.CLUSTER_MEMBER_ID.key();
    /** Key of {@link Settings#DRIVER_MODE}. */
    public static final String DRIVER_MODE = Settings.DRIVER_MODE.key();
    /** Key of {@link Settings#DRIVER_DIR}. */
    public static final String DRIVER_DIR = Settings.DRIVER_DIR.key();
    /** Key of {@link Settings#DRIVER_LIVENESS_TIMEOUT}. */
    public static final String DRIVER_LIVENESS_TIMEOUT = Settings.DRIVER_LIVENESS_TIMEOUT.key();
    /** Key of {@link Settings#DRIVER_THREADING}. */
    public static final String DRIVER_THREADING = Settings.DRIVER_THREADING.key();
    /** Key of {@link Settings#DRIVER_IDLE_STRATEGY}. */
    public static final String DRIVER_IDLE_STRATEGY = Settings.DRIVER_IDLE_STRATEGY.key();
    /** Key of {@link Settings#SHUTDOWN_TIMEOUT}. */
    public static final String SHUTDOWN_TIMEOUT = Settings.SHUTDOWN_TIMEOUT.key();
    /** Key of {@link Settings#AGENT_STALL_THRESHOLD}. */
    public static final String AGENT_STALL_THRESHOLD = Settings.AGENT_STALL_THRESHOLD.key();
    /** Key of {@link Settings#TIMESTAMP_MIN}. */
    public static final String TIMESTAMP_MIN = Settings.TIMESTAMP_MIN.key();
    /** Key of {@link Settings#TIMESTAMP_MAX}. */
    public static final String TIMESTAMP_MAX = Settings.TIMESTAMP_MAX.key();
    /** Key of {@link Settings#REJECT_LOG_INTERVAL}. */
    public static final String REJECT_LOG_INTERVAL = Settings.REJECT_LOG_INTERVAL.key();
    /** Key of {@link Settings#WINDOW_TYPE}. */
    public static final String WINDOW_TYPE = Settings.WINDOW_TYPE.key();
    /** Key of {@link Settings#WINDOW_SIZE}. */
    public static final String WINDOW_SIZE = Settings.WINDOW_SIZE.key();
    /** Key of {@link Settings#WINDOW_SLIDE}. */
    public static final String WINDOW_SLIDE = Settings.WINDOW_SLIDE.key();
    /** Key of {@link Settings#WINDOW_ALLOWED_LATENESS}. */
    public static final String WINDOW_ALLOWED_LATENESS = Settings.WINDOW_ALLOWED_LATENESS.key();
    /** Key of {@link Settings#WINDOW_IDLE_ADVANCE}. */
    public static final String WINDOW_IDLE_ADVANCE = Settings.WINDOW_IDLE_ADVANCE.key();
    /** Key of {@link Settings#TICK_INTERVAL}. */
    public static final String TICK_INTERVAL = Settings.TICK_INTERVAL.key();
    /** Key of {@link Settings#EVICT_AFTER_WINDOWS}. */
    public static final String EVICT_AFTER_WINDOWS = Settings.EVICT_AFTER_WINDOWS.key();
    /** Key of {@link Settings#JOURNAL_MODE}. */
    public static final String JOURNAL_MODE = Settings.JOURNAL_MODE.key();
    /** Key of {@link Settings#JOURNAL_DIR}. */
    public static final String JOURNAL_DIR = Settings.JOURNAL_DIR.key();
    /** Key of {@link Settings#JOURNAL_FILE_SYNC}. */
    public static final String JOURNAL_FILE_SYNC = Settings.JOURNAL_FILE_SYNC.key();
    /** Key of {@link Settings#JOURNAL_SEGMENT_LENGTH}. */
    public static final String JOURNAL_SEGMENT_LENGTH = Settings.JOURNAL_SEGMENT_LENGTH.key();
    /** Key of {@link Settings#JOURNAL_RETENTION}. */
    public static final String JOURNAL_RETENTION = Settings.JOURNAL_RETENTION.key();
    /** Key of {@link Settings#SNAPSHOT_INTERVAL}. */
    public static final String SNAPSHOT_INTERVAL = Settings.SNAPSHOT_INTERVAL.key();
    /** Key of {@link Settings#SNAPSHOT_RETAIN}. */
    public static final String SNAPSHOT_RETAIN = Settings.SNAPSHOT_RETAIN.key();
    /** Key of {@link Settings#CLUSTER_DIR}. */
    public static final String CLUSTER_DIR = Settings.CLUSTER_DIR.key();
    /** Key of {@link Settings#CLUSTER_HEARTBEAT_TIMEOUT}. */
    public static final String CLUSTER_HEARTBEAT_TIMEOUT = Settings.CLUSTER_HEARTBEAT_TIMEOUT.key();
    /** Key of {@link Settings#CLUSTER_ELECTION_TIMEOUT}. */
    public static final String CLUSTER_ELECTION_TIMEOUT = Settings.CLUSTER_ELECTION_TIMEOUT.key();
    /** Key of {@link Settings#CLUSTER_IDLE_STRATEGY}. */
    public static final String CLUSTER_IDLE_STRATEGY = Settings.CLUSTER_IDLE_STRATEGY.key();
    /** Key of {@link Settings#LATENCY_HISTOGRAM_FILE}. */
    public static final String LATENCY_HISTOGRAM_FILE = Settings.LATENCY_HISTOGRAM_FILE.key();
    /** Key of {@link Settings#METRICS_ENDPOINT}. */
    public static final String METRICS_ENDPOINT = Settings.METRICS_ENDPOINT.key();
    /** Keys of {@link Settings#AUTH_FILE} and the other authentication settings below, in declaration order. */
    public static final String AUTH_FILE = Settings.AUTH_FILE.key();
    public static final String AUTH_MAX_SESSIONS = Settings.AUTH_MAX_SESSIONS.key();
    public static final String AUTH_HANDSHAKE_TIMEOUT = Settings.AUTH_HANDSHAKE_TIMEOUT.key();
    public static final String AUTH_FAILURE_DELAY = Settings.AUTH_FAILURE_DELAY.key();
    public static final String AUTH_RESPONSE_TERM_LENGTH = Settings.AUTH_RESPONSE_TERM_LENGTH.key();
    /** Keys of {@link Settings#TOPOLOGY_FILE} and {@link Settings#TOPOLOGY_APPLIANCE}. */
    public static final String TOPOLOGY_FILE = Settings.TOPOLOGY_FILE.key();
    public static final String TOPOLOGY_APPLIANCE = Settings.TOPOLOGY_APPLIANCE.key();
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
        new ConfigRules(this).check();
        this.panesPerKey = windowType() == WindowType.NONE ? 0 :
            (int)ConfigRules.windowPanes(this) + ConfigRules.SPARE_PANES;

        final Map<String, String> map = new LinkedHashMap<>();
        for (final Map.Entry<Setting<?>, Object> e : values.entrySet())
        {
            map.put(e.getKey().key(), e.getKey().renderObject(e.getValue()));
        }
        for (final AlertRule rule : alertRules)
        {
            map.put(AlertRule.PREFIX + rule.name(), "on " + SettingText.formatEnum(rule.on()) + ": " +
                SettingText.formatEnum(rule.field()) + " " + rule.op().symbol() + " " + rule.threshold());
        }
        this.effective = Collections.unmodifiableMap(map);
    }

    /**
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

    /**
     * @param setting a declared setting ({@link Settings}); settings without an accessor of their own are read so.
     * @param <T>     its type.
     * @return its concluded value.
     */
    @SuppressWarnings("unchecked")
    public <T> T value(final Setting<T> setting)
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

    /** @return {@link Settings#INGRESS_CHANNEL}, as concluded. */
    public String ingressChannel()
    {
        return value(Settings.INGRESS_CHANNEL);
    }

    /** @return {@link Settings#INGRESS_STREAM_ID}, as concluded. */
    public int ingressStreamId()
    {
        return value(Settings.INGRESS_STREAM_ID);
    }

    /** @return {@link Settings#EGRESS_CHANNEL}, as concluded. */
    public String egressChannel()
    {
        return value(Settings.EGRESS_CHANNEL);
    }

    /** @return {@link Settings#EGRESS_STREAM_ID}, as concluded. */
    public int egressStreamId()
    {
        return value(Settings.EGRESS_STREAM_ID);
    }

    /** @return {@link Settings#RING_LENGTH}, as concluded. */
    public int ringLength()
    {
        return value(Settings.RING_LENGTH);
    }

    /** @return {@link Settings#PROCESSOR_COUNT}, as concluded. */
    public int processorCount()
    {
        return value(Settings.PROCESSOR_COUNT);
    }

    /** @return {@link Settings#KEYGROUP_COUNT}, as concluded. */
    public int keyGroupCount()
    {
        return value(Settings.KEYGROUP_COUNT);
    }

    /** @return {@link Settings#STATE_CAPACITY}, as concluded. */
    public int stateCapacity()
    {
        return value(Settings.STATE_CAPACITY);
    }

    /**
     * @return {@link #HASH_SEED}: the concluded seed of the key hash; when the setting is {@code random}, the
     * non-zero seed drawn at load, which {@link #effective()} shows so a run can be reproduced.
     */
    public long hashSeed()
    {
        return value(Settings.HASH_SEED);
    }

    /** @return {@link Settings#THREADING}, as concluded. */
    public ThreadingMode threading()
    {
        return value(Settings.THREADING);
    }

    /** @return {@link Settings#INGRESS_IDLE_STRATEGY}, as concluded. */
    public IdleStrategyType ingressIdleStrategy()
    {
        return value(Settings.INGRESS_IDLE_STRATEGY);
    }

    /** @return {@link Settings#PROCESSOR_WAIT_STRATEGY}, as concluded. */
    public WaitStrategyType processorWaitStrategy()
    {
        return value(Settings.PROCESSOR_WAIT_STRATEGY);
    }

    /**
     * @return {@link #PROCESSOR_CPUS}: CPU for each processor thread, empty for no pinning; a fresh copy. Default and
     * range: {@link Settings#PROCESSOR_CPUS}.
     */
    public int[] processorCpus()
    {
        return value(Settings.PROCESSOR_CPUS).clone();
    }

    /** @return {@link Settings#INGRESS_CPU}, as concluded. */
    public int ingressCpu()
    {
        return value(Settings.INGRESS_CPU);
    }

    /** @return {@link Settings#DRIVER_MODE}, as concluded. */
    public DriverMode driverMode()
    {
        return value(Settings.DRIVER_MODE);
    }

    /** @return {@link Settings#DRIVER_DIR}, as concluded. */
    public String driverDir()
    {
        return value(Settings.DRIVER_DIR);
    }

    /** @return {@link Settings#DRIVER_LIVENESS_TIMEOUT}, as concluded, ns. */
    public long driverLivenessTimeoutNs()
    {
        return value(Settings.DRIVER_LIVENESS_TIMEOUT);
    }

    /** @return {@link Settings#DRIVER_THREADING}, as concluded. */
    public DriverThreading driverThreading()
    {
        return value(Settings.DRIVER_THREADING);
    }

    /** @return {@link Settings#DRIVER_IDLE_STRATEGY}, as concluded. */
    public IdleStrategyType driverIdleStrategy()
    {
        return value(Settings.DRIVER_IDLE_STRATEGY);
    }

    /**
     * @return true when {@link #HASH_SEED} was drawn at load ({@code random}, the default) rather than given: a
     * daemon with a journal then adopts the journal's seed.
     */
    public boolean hashSeedDrawn()
    {
        return hashSeedDrawn;
    }

    /** @return {@link Settings#CLIENT_CAPACITY}, as concluded. */
    public int clientCapacity()
    {
        return value(Settings.CLIENT_CAPACITY);
    }

    /** @return {@link Settings#BATCH_MAX_EVENTS}, as concluded. */
    public int batchMaxEvents()
    {
        return value(Settings.BATCH_MAX_EVENTS);
    }

    /** @return {@link Settings#JOURNAL_MODE}, as concluded. */
    public JournalMode journalMode()
    {
        return value(Settings.JOURNAL_MODE);
    }

    /** @return {@link Settings#JOURNAL_DIR}, as concluded. */
    public String journalDir()
    {
        return value(Settings.JOURNAL_DIR);
    }

    /**
     * @return {@link #JOURNAL_FILE_SYNC}: the Archive's {@code file.sync.level} and {@code catalog.file.sync.level}
     * for the journal: 0 page cache only, 1 data forced to disk, 2 data and metadata.
     */
    public int journalFileSync()
    {
        return value(Settings.JOURNAL_FILE_SYNC);
    }

    /** @return {@link Settings#JOURNAL_SEGMENT_LENGTH}, as concluded. */
    public int journalSegmentLength()
    {
        return value(Settings.JOURNAL_SEGMENT_LENGTH);
    }

    /** @return {@link Settings#JOURNAL_RETENTION}, as concluded, ns. */
    public long journalRetentionNs()
    {
        return value(Settings.JOURNAL_RETENTION);
    }

    /**
     * @return true when {@link #CLUSTER_MEMBERS} is set: the daemon runs as a node of an Aeron Cluster.
     */
    public boolean isClustered()
    {
        return !clusterMembers().isBlank();
    }

    /** @return {@link Settings#CLUSTER_MEMBERS}, as concluded. */
    public String clusterMembers()
    {
        return value(Settings.CLUSTER_MEMBERS);
    }

    /** @return {@link Settings#CLUSTER_MEMBER_ID}, as concluded. */
    public int clusterMemberId()
    {
        return value(Settings.CLUSTER_MEMBER_ID);
    }

    /** @return {@link Settings#CLUSTER_DIR}, as concluded. */
    public String clusterDir()
    {
        return value(Settings.CLUSTER_DIR);
    }

    /** @return {@link Settings#CLUSTER_HEARTBEAT_TIMEOUT}, as concluded, ns. */
    public long clusterHeartbeatTimeoutNs()
    {
        return value(Settings.CLUSTER_HEARTBEAT_TIMEOUT);
    }

    /** @return {@link Settings#CLUSTER_ELECTION_TIMEOUT}, as concluded, ns. */
    public long clusterElectionTimeoutNs()
    {
        return value(Settings.CLUSTER_ELECTION_TIMEOUT);
    }

    /** @return {@link Settings#CLUSTER_IDLE_STRATEGY}, as concluded. */
    public IdleStrategyType clusterIdleStrategy()
    {
        return value(Settings.CLUSTER_IDLE_STRATEGY);
    }

    /** @return {@link Settings#SNAPSHOT_INTERVAL}, as concluded, ns. */
    public long snapshotIntervalNs()
    {
        return value(Settings.SNAPSHOT_INTERVAL);
    }

    /** @return {@link Settings#SNAPSHOT_RETAIN}, as concluded. */
    public int snapshotRetain()
    {
        return value(Settings.SNAPSHOT_RETAIN);
    }

    /** @return {@link Settings#SHUTDOWN_TIMEOUT}, as concluded, ns. */
    public long shutdownTimeoutNs()
    {
        return value(Settings.SHUTDOWN_TIMEOUT);
    }

    /** @return {@link Settings#AGENT_STALL_THRESHOLD}, as concluded, ns. */
    public long agentStallThresholdNs()
    {
        return value(Settings.AGENT_STALL_THRESHOLD);
    }

    /** @return {@link Settings#TIMESTAMP_MIN}, as concluded, ns. */
    public long timestampMinNs()
    {
        return value(Settings.TIMESTAMP_MIN);
    }

    /** @return {@link Settings#TIMESTAMP_MAX}, as concluded, ns. */
    public long timestampMaxNs()
    {
        return value(Settings.TIMESTAMP_MAX);
    }

    /** @return {@link Settings#REJECT_LOG_INTERVAL}, as concluded, ns. */
    public long rejectLogIntervalNs()
    {
        return value(Settings.REJECT_LOG_INTERVAL);
    }

    /**
     * @return {@link #LATENCY_HISTOGRAM_FILE}: when not empty, each processor records ingress receive to egress offer
     * per event (one {@code System.nanoTime()} read, no allocation) and the daemon writes the merged
     * percentile distribution to this file at shutdown.
     */
    public String latencyHistogramFile()
    {
        return value(Settings.LATENCY_HISTOGRAM_FILE);
    }

    /**
     * @return {@link #METRICS_ENDPOINT}: {@code host:port} the Prometheus endpoint listens on (port 0: any free
     * port), empty when off. When on, each processor also records ingress receive to egress offer per event, as
     * with {@link #latencyHistogramFile()}.
     */
    public String metricsEndpoint()
    {
        return value(Settings.METRICS_ENDPOINT);
    }

    /** @return {@link Settings#AUTH_FILE}: the credentials file, empty when authentication is off. */
    public String authFile()
    {
        return value(Settings.AUTH_FILE);
    }

    /** @return {@link Settings#AUTH_MAX_SESSIONS}, as concluded. */
    public int authMaxSessions()
    {
        return value(Settings.AUTH_MAX_SESSIONS);
    }

    /** @return {@link Settings#AUTH_HANDSHAKE_TIMEOUT}, as concluded, ns. */
    public long authHandshakeTimeoutNs()
    {
        return value(Settings.AUTH_HANDSHAKE_TIMEOUT);
    }

    /** @return {@link Settings#AUTH_FAILURE_DELAY}, as concluded, ns. */
    public long authFailureDelayNs()
    {
        return value(Settings.AUTH_FAILURE_DELAY);
    }

    /** @return {@link Settings#AUTH_RESPONSE_TERM_LENGTH}, as concluded, bytes. */
    public int authResponseTermLength()
    {
        return value(Settings.AUTH_RESPONSE_TERM_LENGTH);
    }

    /** @return {@link Settings#WINDOW_TYPE}, as concluded. */
    public WindowType windowType()
    {
        return value(Settings.WINDOW_TYPE);
    }

    /** @return {@link Settings#WINDOW_SIZE}, as concluded, ns. */
    public long windowSizeNs()
    {
        return value(Settings.WINDOW_SIZE);
    }

    /** @return {@link Settings#WINDOW_SLIDE}, as concluded, ns. */
    public long windowSlideNs()
    {
        return value(Settings.WINDOW_SLIDE);
    }

    /** @return {@link Settings#WINDOW_ALLOWED_LATENESS}, as concluded, ns. */
    public long allowedLatenessNs()
    {
        return value(Settings.WINDOW_ALLOWED_LATENESS);
    }

    /** @return {@link Settings#WINDOW_IDLE_ADVANCE}, as concluded, ns. */
    public long idleAdvanceNs()
    {
        return value(Settings.WINDOW_IDLE_ADVANCE);
    }

    /** @return {@link Settings#TICK_INTERVAL}, as concluded, ns. */
    public long tickIntervalNs()
    {
        return value(Settings.TICK_INTERVAL);
    }

    /** @return {@link Settings#EVICT_AFTER_WINDOWS}, as concluded. */
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
