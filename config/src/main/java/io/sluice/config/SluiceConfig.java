package io.sluice.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The daemon's configuration: every setting as a property name, a default and an accessor documenting meaning
 * and unit. Built once at start-up by {@link #load(Path, Properties)}, which validates every value and every
 * cross-field rule and throws a {@link ConfigurationException} naming the key on the first failure.
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
    /** Bytes per ring slot. */
    public static final String RING_SLOT_LENGTH = "sluice.ring.slot-length";
    /** Number of processors (shards). */
    public static final String PROCESSOR_COUNT = "sluice.processor.count";
    /** Key capacity of each processor's state table. */
    public static final String STATE_CAPACITY = "sluice.state.capacity";
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
    /** Embedded driver threading mode. */
    public static final String DRIVER_THREADING = "sluice.driver.threading";
    /** Idle strategy of the embedded driver's threads. */
    public static final String DRIVER_IDLE_STRATEGY = "sluice.driver.idle-strategy";
    /** Earliest accepted event timestamp, epoch ns. */
    public static final String TIMESTAMP_MIN = "sluice.event.timestamp-min";
    /** Latest accepted event timestamp, epoch ns. */
    public static final String TIMESTAMP_MAX = "sluice.event.timestamp-max";
    /** Minimum time between two log lines about rejected input. */
    public static final String REJECT_LOG_INTERVAL = "sluice.reject.log-interval";

    /** File the daemon writes its internal latency distribution to at shutdown. */
    public static final String LATENCY_HISTOGRAM_FILE = "sluice.latency.histogram-file";

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

    private static final Set<String> KNOWN_KEYS = Set.of(
        INGRESS_CHANNEL, INGRESS_STREAM_ID, EGRESS_CHANNEL, EGRESS_STREAM_ID, RING_LENGTH, RING_SLOT_LENGTH,
        PROCESSOR_COUNT, STATE_CAPACITY, THREADING, INGRESS_IDLE_STRATEGY, PROCESSOR_WAIT_STRATEGY, PROCESSOR_CPUS,
        INGRESS_CPU, DRIVER_MODE, DRIVER_DIR, DRIVER_THREADING, DRIVER_IDLE_STRATEGY, TIMESTAMP_MIN, TIMESTAMP_MAX,
        REJECT_LOG_INTERVAL, LATENCY_HISTOGRAM_FILE, WINDOW_TYPE, WINDOW_SIZE, WINDOW_SLIDE, WINDOW_ALLOWED_LATENESS,
        WINDOW_IDLE_ADVANCE, TICK_INTERVAL, EVICT_AFTER_WINDOWS);

    /**
     * Smallest slot that holds the largest ring entry; the core module checks its slot layout against it.
     */
    public static final int MIN_SLOT_LENGTH = 64;

    private String ingressChannel;
    private int ingressStreamId;
    private String egressChannel;
    private int egressStreamId;
    private int ringLength;
    private int slotLength;
    private int processorCount;
    private int stateCapacity;
    private ThreadingMode threading;
    private IdleStrategyType ingressIdleStrategy;
    private WaitStrategyType processorWaitStrategy;
    private int[] processorCpus;
    private int ingressCpu;
    private DriverMode driverMode;
    private String driverDir;
    private DriverThreading driverThreading;
    private IdleStrategyType driverIdleStrategy;
    private long timestampMinNs;
    private long timestampMaxNs;
    private long rejectLogIntervalNs;
    private String latencyHistogramFile;
    private WindowType windowType;
    private long windowSizeNs;
    private long windowSlideNs;
    private long allowedLatenessNs;
    private long idleAdvanceNs;
    private long tickIntervalNs;
    private int evictAfterWindows;
    private java.util.List<AlertRule> alertRules;
    private Map<String, String> aeronProperties;
    private Map<String, String> effective;

    private SluiceConfig()
    {
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

        final SluiceConfig c = new SluiceConfig();
        c.ingressChannel = source.string(INGRESS_CHANNEL, "aeron:udp?endpoint=localhost:20120");
        c.ingressStreamId = source.intValue(INGRESS_STREAM_ID, 1001, 1, Integer.MAX_VALUE);
        c.egressChannel = source.string(EGRESS_CHANNEL, "aeron:udp?control=localhost:20121|control-mode=dynamic|fc=min,t:5s");
        c.egressStreamId = source.intValue(EGRESS_STREAM_ID, 1002, 1, Integer.MAX_VALUE);
        c.ringLength = (int)source.size(RING_LENGTH, 16 * 1024, 2, 1 << 26);
        c.slotLength = (int)source.size(RING_SLOT_LENGTH, MIN_SLOT_LENGTH, 1, 1 << 16);
        c.processorCount = source.intValue(PROCESSOR_COUNT, 2, 1, 64);
        c.stateCapacity = (int)source.size(STATE_CAPACITY, 64 * 1024, 2, 1 << 28);
        c.threading = source.enumValue(THREADING, ThreadingMode.SHARED, ThreadingMode.class);
        c.ingressIdleStrategy = source.enumValue(INGRESS_IDLE_STRATEGY, IdleStrategyType.BACKOFF, IdleStrategyType.class);
        c.processorWaitStrategy = source.enumValue(
            PROCESSOR_WAIT_STRATEGY, WaitStrategyType.SLEEPING, WaitStrategyType.class);
        c.processorCpus = source.intList(PROCESSOR_CPUS);
        c.ingressCpu = source.intValue(INGRESS_CPU, -1, -1, 4095);
        c.driverMode = source.enumValue(DRIVER_MODE, DriverMode.EMBEDDED, DriverMode.class);
        c.driverDir = source.string(DRIVER_DIR, defaultDriverDir());
        c.driverThreading = source.enumValue(DRIVER_THREADING, DriverThreading.INVOKER, DriverThreading.class);
        c.driverIdleStrategy = source.enumValue(DRIVER_IDLE_STRATEGY, IdleStrategyType.BACKOFF, IdleStrategyType.class);
        c.timestampMinNs = source.longValue(TIMESTAMP_MIN, YEAR_2000_NS, Long.MIN_VALUE, Long.MAX_VALUE);
        c.timestampMaxNs = source.longValue(TIMESTAMP_MAX, YEAR_2200_NS, Long.MIN_VALUE, Long.MAX_VALUE);
        c.rejectLogIntervalNs = source.durationNs(REJECT_LOG_INTERVAL, 1_000_000_000L, 0, 3_600_000_000_000L);
        c.latencyHistogramFile = source.string(LATENCY_HISTOGRAM_FILE, "");
        c.windowType = source.enumValue(WINDOW_TYPE, WindowType.NONE, WindowType.class);
        c.windowSizeNs = source.durationNs(WINDOW_SIZE, 1_000_000_000L, 1_000, 366L * 86_400_000_000_000L);
        c.windowSlideNs = source.durationNs(WINDOW_SLIDE, c.windowSizeNs, 1_000, c.windowSizeNs);
        c.allowedLatenessNs = source.durationNs(WINDOW_ALLOWED_LATENESS, 0, 0, 366L * 86_400_000_000_000L);
        c.idleAdvanceNs = source.durationNs(WINDOW_IDLE_ADVANCE, 0, 0, 366L * 86_400_000_000_000L);
        c.tickIntervalNs = source.durationNs(TICK_INTERVAL, 1_000_000L, 1_000, 60_000_000_000L);
        c.evictAfterWindows = source.intValue(EVICT_AFTER_WINDOWS, 0, 0, 1_000_000);
        c.alertRules = java.util.List.copyOf(AlertRule.parse(source));
        c.aeronProperties = source.withPrefix("aeron.");
        c.conclude(source);
        return c;
    }

    private void conclude(final PropertySource source)
    {
        if (Integer.bitCount(ringLength) != 1)
        {
            throw new ConfigurationException(RING_LENGTH, source.string(RING_LENGTH, ""), "must be a power of two");
        }
        if (slotLength < MIN_SLOT_LENGTH || (slotLength & 7) != 0)
        {
            throw new ConfigurationException(
                RING_SLOT_LENGTH, source.string(RING_SLOT_LENGTH, ""),
                "must be a multiple of 8 and at least " + MIN_SLOT_LENGTH +
                " bytes, the largest ring entry (an Event with its routing header)");
        }
        if (Integer.bitCount(stateCapacity) != 1)
        {
            throw new ConfigurationException(STATE_CAPACITY, source.string(STATE_CAPACITY, ""), "must be a power of two");
        }
        if (processorCpus.length != 0 && processorCpus.length != processorCount)
        {
            throw new ConfigurationException(
                PROCESSOR_CPUS, source.string(PROCESSOR_CPUS, ""),
                "must list exactly " + PROCESSOR_COUNT + "=" + processorCount + " CPUs, or be empty for no pinning");
        }
        if (processorCpus.length != 0 && threading == ThreadingMode.SHARED)
        {
            throw new ConfigurationException(
                PROCESSOR_CPUS, source.string(PROCESSOR_CPUS, ""),
                "needs " + THREADING + "=dedicated; with shared threading pin the one thread with " + INGRESS_CPU);
        }
        if (driverThreading == DriverThreading.INVOKER && driverMode != DriverMode.EMBEDDED)
        {
            throw new ConfigurationException(
                DRIVER_THREADING, "invoker", "needs " + DRIVER_MODE + "=embedded: only an embedded driver can be invoked");
        }
        if (ingressIdleStrategy == IdleStrategyType.NOOP)
        {
            throw new ConfigurationException(
                INGRESS_IDLE_STRATEGY, "noop", "must be one of: busy-spin, yielding, backoff, sleeping");
        }
        if (driverIdleStrategy == IdleStrategyType.NOOP)
        {
            throw new ConfigurationException(
                DRIVER_IDLE_STRATEGY, "noop", "must be one of: busy-spin, yielding, backoff, sleeping");
        }
        if (timestampMinNs >= timestampMaxNs)
        {
            throw new ConfigurationException(
                TIMESTAMP_MIN, Long.toString(timestampMinNs), "must be less than " + TIMESTAMP_MAX + "=" + timestampMaxNs);
        }
        if (windowType == WindowType.TUMBLING && windowSlideNs != windowSizeNs)
        {
            throw new ConfigurationException(
                WINDOW_SLIDE, source.string(WINDOW_SLIDE, ""), "must equal " + WINDOW_SIZE + " (or be absent) for tumbling windows");
        }
        if (windowSizeNs % windowSlideNs != 0)
        {
            throw new ConfigurationException(
                WINDOW_SLIDE, source.string(WINDOW_SLIDE, ""), "must divide " + WINDOW_SIZE + "=" + windowSizeNs + "ns");
        }
        if (windowType != WindowType.NONE && panesPerKey() > 4096)
        {
            throw new ConfigurationException(
                WINDOW_SLIDE, source.string(WINDOW_SLIDE, windowSlideNs + "ns"), "is too small: (" + WINDOW_SIZE + " + " +
                WINDOW_ALLOWED_LATENESS + ") / slide must stay under 4093 panes per key");
        }
        if (windowType == WindowType.NONE)
        {
            if (evictAfterWindows > 0)
            {
                throw new ConfigurationException(
                    EVICT_AFTER_WINDOWS, Integer.toString(evictAfterWindows), "needs windows: set " + WINDOW_TYPE);
            }
            for (final AlertRule rule : alertRules)
            {
                if (rule.on() == AlertRule.On.WINDOW || rule.field() != AlertRule.Field.VALUE)
                {
                    throw new ConfigurationException(AlertRule.PREFIX + rule.name() + ".on", rule.on().name().toLowerCase(),
                        "with field " + rule.field().name().toLowerCase() + " needs windows: set " + WINDOW_TYPE);
                }
            }
        }
        checkChannel(INGRESS_CHANNEL, ingressChannel);
        checkChannel(EGRESS_CHANNEL, egressChannel);
        if (ingressChannel.equals(egressChannel) && ingressStreamId == egressStreamId)
        {
            throw new ConfigurationException(
                EGRESS_STREAM_ID, Integer.toString(egressStreamId), "must differ from " + INGRESS_STREAM_ID +
                " when ingress and egress share a channel");
        }

        final Map<String, String> map = new LinkedHashMap<>();
        map.put(INGRESS_CHANNEL, ingressChannel);
        map.put(INGRESS_STREAM_ID, Integer.toString(ingressStreamId));
        map.put(EGRESS_CHANNEL, egressChannel);
        map.put(EGRESS_STREAM_ID, Integer.toString(egressStreamId));
        map.put(RING_LENGTH, Integer.toString(ringLength));
        map.put(RING_SLOT_LENGTH, Integer.toString(slotLength));
        map.put(PROCESSOR_COUNT, Integer.toString(processorCount));
        map.put(STATE_CAPACITY, Integer.toString(stateCapacity));
        map.put(THREADING, lower(threading));
        map.put(INGRESS_IDLE_STRATEGY, lower(ingressIdleStrategy));
        map.put(PROCESSOR_WAIT_STRATEGY, lower(processorWaitStrategy));
        map.put(PROCESSOR_CPUS, Arrays.toString(processorCpus));
        map.put(INGRESS_CPU, Integer.toString(ingressCpu));
        map.put(DRIVER_MODE, lower(driverMode));
        map.put(DRIVER_DIR, driverDir);
        map.put(DRIVER_THREADING, lower(driverThreading));
        map.put(DRIVER_IDLE_STRATEGY, lower(driverIdleStrategy));
        map.put(TIMESTAMP_MIN, Long.toString(timestampMinNs));
        map.put(TIMESTAMP_MAX, Long.toString(timestampMaxNs));
        map.put(REJECT_LOG_INTERVAL, rejectLogIntervalNs + "ns");
        map.put(LATENCY_HISTOGRAM_FILE, latencyHistogramFile);
        map.put(WINDOW_TYPE, lower(windowType));
        map.put(WINDOW_SIZE, windowSizeNs + "ns");
        map.put(WINDOW_SLIDE, windowSlideNs + "ns");
        map.put(WINDOW_ALLOWED_LATENESS, allowedLatenessNs + "ns");
        map.put(WINDOW_IDLE_ADVANCE, idleAdvanceNs + "ns");
        map.put(TICK_INTERVAL, tickIntervalNs + "ns");
        map.put(EVICT_AFTER_WINDOWS, Integer.toString(evictAfterWindows));
        for (final AlertRule rule : alertRules)
        {
            map.put(AlertRule.PREFIX + rule.name(), "on " + lower(rule.on()) + ": " + lower(rule.field()) + " " +
                rule.op().symbol() + " " + rule.threshold());
        }
        effective = map;
    }

    private static void checkChannel(final String key, final String channel)
    {
        if (!channel.startsWith("aeron:udp") && !channel.startsWith("aeron:ipc"))
        {
            throw new ConfigurationException(key, channel, "must be an Aeron URI starting aeron:udp or aeron:ipc");
        }
    }

    private static String lower(final Enum<?> value)
    {
        return value.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static String defaultDriverDir()
    {
        return sharedMemoryDir() + "/sluice-" + System.getProperty("user.name", "default") + "-driver";
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
     * @return {@value #INGRESS_CHANNEL}: the Aeron URI clients publish to. Default
     * {@code aeron:udp?endpoint=localhost:20120}, loopback only.
     */
    public String ingressChannel()
    {
        return ingressChannel;
    }

    /**
     * @return {@value #INGRESS_STREAM_ID}: stream id on the ingress channel. Default 1001.
     */
    public int ingressStreamId()
    {
        return ingressStreamId;
    }

    /**
     * @return {@value #EGRESS_CHANNEL}: the Aeron URI processors publish results on. Default
     * {@code aeron:udp?control=localhost:20121|control-mode=dynamic|fc=min,t:5s}: multi-destination cast on
     * loopback, which every client joins with its own endpoint. Min flow control: no client loses results to a
     * faster one; a client that stops answering (dead, unreachable) is dropped after 5 s so it stalls no one.
     */
    public String egressChannel()
    {
        return egressChannel;
    }

    /**
     * @return {@value #EGRESS_STREAM_ID}: stream id on the egress channel. Default 1002.
     */
    public int egressStreamId()
    {
        return egressStreamId;
    }

    /**
     * @return {@value #RING_LENGTH}: entries in the ring, a power of two. Default 16384.
     */
    public int ringLength()
    {
        return ringLength;
    }

    /**
     * @return {@value #RING_SLOT_LENGTH}: bytes per ring slot, a multiple of 8 and at least
     * {@value #MIN_SLOT_LENGTH}. Default 64.
     */
    public int slotLength()
    {
        return slotLength;
    }

    /**
     * @return {@value #PROCESSOR_COUNT}: processors, each the single writer of one shard of the keys. Default 2.
     */
    public int processorCount()
    {
        return processorCount;
    }

    /**
     * @return {@value #STATE_CAPACITY}: keys each processor's off-heap table can hold, a power of two. Default
     * 65536. A full table answers new keys with {@code Rejected(STATE_FULL)}.
     */
    public int stateCapacity()
    {
        return stateCapacity;
    }

    /**
     * @return {@value #THREADING}: {@code dedicated} or {@code shared}. Default shared (small hosts).
     */
    public ThreadingMode threading()
    {
        return threading;
    }

    /**
     * @return {@value #INGRESS_IDLE_STRATEGY}: idle strategy of the ingress thread, or of the one shared thread.
     * Default backoff.
     */
    public IdleStrategyType ingressIdleStrategy()
    {
        return ingressIdleStrategy;
    }

    /**
     * @return {@value #PROCESSOR_WAIT_STRATEGY}: wait strategy of dedicated processor threads. Default sleeping.
     */
    public WaitStrategyType processorWaitStrategy()
    {
        return processorWaitStrategy;
    }

    /**
     * @return {@value #PROCESSOR_CPUS}: CPU for each processor thread, empty for no pinning. Default empty.
     */
    public int[] processorCpus()
    {
        return processorCpus.clone();
    }

    /**
     * @return {@value #INGRESS_CPU}: CPU for the ingress (or shared) thread, -1 for no pinning. Default -1.
     */
    public int ingressCpu()
    {
        return ingressCpu;
    }

    /**
     * @return {@value #DRIVER_MODE}: {@code embedded} or {@code external}. Default embedded.
     */
    public DriverMode driverMode()
    {
        return driverMode;
    }

    /**
     * @return {@value #DRIVER_DIR}: the media driver directory. Default {@code /dev/shm/sluice-<user>-driver}.
     */
    public String driverDir()
    {
        return driverDir;
    }

    /**
     * @return {@value #DRIVER_THREADING}: threading mode of an embedded driver. Default invoker.
     */
    public DriverThreading driverThreading()
    {
        return driverThreading;
    }

    /**
     * @return {@value #DRIVER_IDLE_STRATEGY}: idle strategy of an embedded driver's own threads. Default backoff.
     */
    public IdleStrategyType driverIdleStrategy()
    {
        return driverIdleStrategy;
    }

    /**
     * @return {@value #TIMESTAMP_MIN}: earliest accepted event time, epoch ns. Default 2000-01-01.
     */
    public long timestampMinNs()
    {
        return timestampMinNs;
    }

    /**
     * @return {@value #TIMESTAMP_MAX}: latest accepted event time, epoch ns. Default 2200-01-01.
     */
    public long timestampMaxNs()
    {
        return timestampMaxNs;
    }

    /**
     * @return {@value #REJECT_LOG_INTERVAL}: least time between two log lines about rejected input, ns.
     * Default 1s.
     */
    public long rejectLogIntervalNs()
    {
        return rejectLogIntervalNs;
    }

    /**
     * @return {@value #LATENCY_HISTOGRAM_FILE}: when set, each processor records ingress receive to egress offer
     * per event (one {@code System.nanoTime()} read, no allocation) and the daemon writes the merged percentile
     * distribution to this file at shutdown. Default empty: not recorded.
     */
    public String latencyHistogramFile()
    {
        return latencyHistogramFile;
    }

    /**
     * @return {@value #WINDOW_TYPE}: none, tumbling or sliding. Default none.
     */
    public WindowType windowType()
    {
        return windowType;
    }

    /**
     * @return {@value #WINDOW_SIZE}: window length, ns. Default 1s.
     */
    public long windowSizeNs()
    {
        return windowSizeNs;
    }

    /**
     * @return {@value #WINDOW_SLIDE}: distance between window starts, ns; divides the size. Default the size.
     */
    public long windowSlideNs()
    {
        return windowSlideNs;
    }

    /**
     * @return {@value #WINDOW_ALLOWED_LATENESS}: the watermark is the newest accepted event time minus this, ns.
     * Default 0.
     */
    public long allowedLatenessNs()
    {
        return allowedLatenessNs;
    }

    /**
     * @return {@value #WINDOW_IDLE_ADVANCE}: after this long with no event the watermark advances with wall-clock
     * time, ns; 0 never. Default 0.
     */
    public long idleAdvanceNs()
    {
        return idleAdvanceNs;
    }

    /**
     * @return {@value #TICK_INTERVAL}: least time between two ticks that are due to the clock, ns. Default 1ms.
     */
    public long tickIntervalNs()
    {
        return tickIntervalNs;
    }

    /**
     * @return {@value #EVICT_AFTER_WINDOWS}: a key with no event for this many window lengths after its last
     * window closed is removed from the state table; 0 never. Default 0.
     */
    public int evictAfterWindows()
    {
        return evictAfterWindows;
    }

    /**
     * @return the alert rules ({@code sluice.alert.<name>.*}), in name order; empty when none.
     */
    public java.util.List<AlertRule> alertRules()
    {
        return alertRules;
    }

    /**
     * @return panes (slide-long slices) each key keeps: enough for every window that can still be open.
     */
    public int panesPerKey()
    {
        return (int)((windowSizeNs + allowedLatenessNs + windowSlideNs - 1) / windowSlideNs) + 3;
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
