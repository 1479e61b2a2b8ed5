package io.sluice.core.shard;

import io.sluice.config.AlertRule;
import io.sluice.config.ConfigurationException;
import io.sluice.config.Scope;
import io.sluice.config.Setting;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.logic.ShardLogic;
import io.sluice.core.ring.ClientMarks;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.ring.WatermarkTracker;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.running.RunningAggregates;
import io.sluice.core.state.KeyStateTable;
import io.sluice.core.window.WindowEngine;
import io.sluice.core.window.WindowSpec;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.List;
import java.util.function.IntFunction;

/**
 * What every shard is made of: the processor count, each processor's state table (capacity, and window panes
 * per key), the windows (or none), the watermark's tick interval and idle advance, the alert rules, the eviction
 * of idle keys, and the seeded key hash. Set what differs from the declared defaults ({@link Settings}), or take
 * every value from a configuration with {@link #from(SluiceConfig)}, then {@link #conclude()} once; the
 * concluded context sizes a table ({@link #tableBytes()}, computed once) and builds each shard's table and
 * logic ({@link #newLogic(ResultSink, ShardCounters)}), every shard's processor ({@link #newProcessors}) and the ring
 * producer that routes to the shards
 * ({@link #newProducer(SluiceRing, AtomicCounter)}). In a topology the processors own key groups interleaved
 * ({@link #placement}) and carry out key-group moves through slices ({@link #sliceRoot}, {@link #ownershipListener}).
 * <p>
 * Start-up only; not thread safe.
 */
public final class ShardContext
{
    private Integer processorCount;
    private Integer stateCapacity;
    private Integer keyGroupCount;
    private Long hashSeed;
    private WindowSpec windowSpec;
    private Long tickIntervalNs;
    private Long idleAdvanceNs;
    private List<AlertRule> alertRules;
    private Integer evictAfterWindows;
    private Long stallThresholdNs;
    private Integer clientCapacity;
    private Integer batchMaxEvents;
    private java.nio.file.Path sliceRoot;
    private OwnershipListener ownershipListener;
    private ShardRouter.Placement placement = ShardRouter.Placement.CONTIGUOUS;
    private ShardRouter router;
    private long tableBytes;
    private boolean concluded;

    /**
     * @param config the daemon's configuration, the one place its shard settings are read.
     * @return a context holding the processor count, state capacity, hash seed, windows, tick interval, idle
     * advance, alert rules and eviction of the configuration, not yet concluded.
     */
    public static ShardContext from(final SluiceConfig config)
    {
        return new ShardContext()
            .processorCount(config.processorCount())
            .stateCapacity(config.stateCapacity())
            .keyGroupCount(config.keyGroupCount())
            .hashSeed(config.hashSeed())
            .windowSpec(WindowSpec.of(config))
            .tickIntervalNs(config.tickIntervalNs())
            .idleAdvanceNs(config.idleAdvanceNs())
            .alertRules(config.alertRules())
            .evictAfterWindows(config.evictAfterWindows())
            .stallThresholdNs(config.agentStallThresholdNs())
            .clientCapacity(config.clientCapacity())
            .batchMaxEvents(config.batchMaxEvents());
    }

    /**
     * Fill defaults from the declarations in {@link Settings} (a {@code random} hash seed draws a fresh one),
     * check every value against its declared range and the rules between them, and compute the bytes of one
     * state table. Runs once.
     *
     * @return this.
     * @throws ConfigurationException naming the key of the first value out of range, e.g.
     *                                {@code sluice.state.capacity=1000 must be a power of two}, or
     *                                {@code sluice.window.slide} when a key would need more than
     *                                {@link SluiceConfig#MAX_PANES_PER_KEY} panes.
     * @throws IllegalStateException  when called a second time.
     */
    public ShardContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("ShardContext is already concluded");
        }
        processorCount = Settings.PROCESSOR_COUNT.valueOrDefault(processorCount);
        stateCapacity = Settings.STATE_CAPACITY.valueOrDefault(stateCapacity);
        keyGroupCount = Settings.KEYGROUP_COUNT.valueOrDefault(keyGroupCount);
        Settings.KEYGROUP_COUNT.check(keyGroupCount);
        if (keyGroupCount < processorCount)
        {
            throw new ConfigurationException(SluiceConfig.KEYGROUP_COUNT, Integer.toString(keyGroupCount),
                "must be at least " + SluiceConfig.PROCESSOR_COUNT + "=" + processorCount + ": each processor owns " +
                "at least one key group");
        }
        hashSeed = Settings.HASH_SEED.valueOrDefault(hashSeed);
        tickIntervalNs = Settings.TICK_INTERVAL.valueOrDefault(tickIntervalNs);
        idleAdvanceNs = Settings.WINDOW_IDLE_ADVANCE.valueOrDefault(idleAdvanceNs);
        evictAfterWindows = Settings.EVICT_AFTER_WINDOWS.valueOrDefault(evictAfterWindows);
        stallThresholdNs = Settings.AGENT_STALL_THRESHOLD.valueOrDefault(stallThresholdNs);
        clientCapacity = Settings.CLIENT_CAPACITY.valueOrDefault(clientCapacity);
        Settings.CLIENT_CAPACITY.check(clientCapacity);
        batchMaxEvents = Settings.BATCH_MAX_EVENTS.valueOrDefault(batchMaxEvents);
        Settings.BATCH_MAX_EVENTS.check(batchMaxEvents);
        alertRules = null == alertRules ? List.of() : List.copyOf(alertRules);
        if (null != windowSpec)
        {
            checkWindows(windowSpec);
        }
        else if (evictAfterWindows > 0)
        {
            throw new ConfigurationException(SluiceConfig.EVICT_AFTER_WINDOWS, Integer.toString(evictAfterWindows),
                "needs windows: set " + SluiceConfig.WINDOW_TYPE);
        }
        tableBytes = KeyStateTable.bytesFor(stateCapacity, panesPerKey());
        router = new ShardRouter(hashSeed, keyGroupCount, placement);
        concluded = true;
        return this;
    }

    private static void checkWindows(final WindowSpec spec)
    {
        Settings.WINDOW_SIZE.check(spec.sizeNs());
        Settings.WINDOW_SLIDE.check(spec.slideNs());
        Settings.WINDOW_ALLOWED_LATENESS.check(spec.latenessNs());
        if (spec.sizeNs() % spec.slideNs() != 0)
        {
            throw new ConfigurationException(SluiceConfig.WINDOW_SLIDE, Setting.formatDuration(spec.slideNs()),
                "must divide " + SluiceConfig.WINDOW_SIZE + "=" + Setting.formatDuration(spec.sizeNs()));
        }
        if (spec.panesPerKey() < 1 || spec.panesPerKey() > SluiceConfig.MAX_PANES_PER_KEY)
        {
            throw new ConfigurationException(SluiceConfig.WINDOW_SLIDE, Setting.formatDuration(spec.slideNs()),
                "is too small: " + spec.panesPerKey() + " panes per key, more than the " +
                SluiceConfig.MAX_PANES_PER_KEY + " a key can keep");
        }
    }

    /**
     * @param stallThresholdNs a processor batch longer than this counts as a stall
     *                         ({@link SluiceConfig#AGENT_STALL_THRESHOLD}), ns.
     * @return this.
     */
    public ShardContext stallThresholdNs(final long stallThresholdNs)
    {
        this.stallThresholdNs = stallThresholdNs;
        return this;
    }

    /**
     * @param clientCapacity most distinct clients tracked ({@link SluiceConfig#CLIENT_CAPACITY}).
     * @return this.
     */
    public ShardContext clientCapacity(final int clientCapacity)
    {
        this.clientCapacity = clientCapacity;
        return this;
    }

    /** @return most distinct clients tracked. */
    public Integer clientCapacity()
    {
        return clientCapacity;
    }

    /**
     * @param batchMaxEvents most events in one batch the producer takes ({@link SluiceConfig#BATCH_MAX_EVENTS}).
     * @return this.
     */
    public ShardContext batchMaxEvents(final int batchMaxEvents)
    {
        this.batchMaxEvents = batchMaxEvents;
        return this;
    }

    /** @return most events in one batch the producer takes; null before conclude when not set. */
    public Integer batchMaxEvents()
    {
        return batchMaxEvents;
    }

    /**
     * @return every setting that shapes state (but the hash seed and the window type, which the window settings
     * imply), key to value as the journal records them: window durations in ns, "none" without windows.
     * @throws IllegalStateException when not concluded.
     */
    public java.util.Map<String, String> stateSettings()
    {
        checkConcluded();
        final java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        for (final Setting<?> setting : Settings.inScope(Scope.STATE))
        {
            if (Settings.HASH_SEED != setting && Settings.WINDOW_TYPE != setting)
            {
                settings.put(setting.key(), stateValue(setting));
            }
        }
        return settings;
    }

    private String stateValue(final Setting<?> setting)
    {
        if (Settings.PROCESSOR_COUNT == setting)
        {
            return Integer.toString(processorCount);
        }
        if (Settings.STATE_CAPACITY == setting)
        {
            return Integer.toString(stateCapacity);
        }
        if (Settings.KEYGROUP_COUNT == setting)
        {
            return Integer.toString(keyGroupCount);
        }
        if (Settings.EVICT_AFTER_WINDOWS == setting)
        {
            return Integer.toString(evictAfterWindows);
        }
        if (null == windowSpec &&
            (Settings.WINDOW_SIZE == setting || Settings.WINDOW_SLIDE == setting ||
            Settings.WINDOW_ALLOWED_LATENESS == setting))
        {
            return "none";
        }
        if (Settings.WINDOW_SIZE == setting)
        {
            return Long.toString(windowSpec.sizeNs());
        }
        if (Settings.WINDOW_SLIDE == setting)
        {
            return Long.toString(windowSpec.slideNs());
        }
        if (Settings.WINDOW_ALLOWED_LATENESS == setting)
        {
            return Long.toString(windowSpec.latenessNs());
        }
        throw new IllegalStateException(setting.key() + " is declared to shape state, but the shards do not hold it");
    }

    /**
     * @param key a setting's key.
     * @return true for a setting that shapes state but may change at a restart, the state being moved to its new
     * shape (rescale): the processor count and the state capacity. They are recorded in the journal as what it is
     * now written under, but are not part of {@link #fingerprint()}.
     */
    public static boolean mayChangeAtRestart(final String key)
    {
        return SluiceConfig.PROCESSOR_COUNT.equals(key) || SluiceConfig.STATE_CAPACITY.equals(key);
    }

    /**
     * @return a 64-bit fingerprint of {@link #stateSettings()} but those that {@link #mayChangeAtRestart}, carried
     * by the journal's START entries and the snapshots' manifests: a daemon replays only a journal of its own
     * fingerprint.
     * @throws IllegalStateException when not concluded.
     */
    public long fingerprint()
    {
        final java.util.Map<String, String> settings = new java.util.LinkedHashMap<>(stateSettings());
        settings.keySet().removeIf(ShardContext::mayChangeAtRestart);
        return fingerprintOf(settings);
    }

    /**
     * The fingerprint a journal written before key groups carries in its START entries and manifests: every
     * setting that shapes state as the journal records it (the processor count and capacity it was written under
     * included), no key-group count.
     *
     * @param journalSettings the settings the journal records ({@code journal.properties}).
     * @return that fingerprint, under this context's other settings.
     * @throws IllegalStateException when not concluded.
     */
    public long legacyFingerprint(final java.util.Map<String, String> journalSettings)
    {
        final java.util.Map<String, String> settings = new java.util.LinkedHashMap<>(stateSettings());
        settings.remove(SluiceConfig.KEYGROUP_COUNT);
        settings.replaceAll((key, value) -> journalSettings.getOrDefault(key, value));
        return fingerprintOf(settings);
    }

    private static long fingerprintOf(final java.util.Map<String, String> settings)
    {
        final io.sluice.core.state.StateDigest digest = new io.sluice.core.state.StateDigest();
        settings.forEach((key, value) ->
        {
            for (final char c : (key + "=" + value + "\n").toCharArray())
            {
                digest.add(c);
            }
        });
        return digest.value();
    }

    /**
     * @return a processor batch longer than this counts as a stall, ns.
     */
    public long stallThresholdNs()
    {
        return stallThresholdNs;
    }

    /**
     * @param processorCount processors, each the single writer of one shard ({@link SluiceConfig#PROCESSOR_COUNT}).
     * @return this.
     */
    public ShardContext processorCount(final int processorCount)
    {
        this.processorCount = processorCount;
        return this;
    }

    /** @return processors; null before conclude when not set. */
    public Integer processorCount()
    {
        return processorCount;
    }

    /**
     * @param stateCapacity keys each processor's table holds, a power of two
     *                      ({@link SluiceConfig#STATE_CAPACITY}).
     * @return this.
     */
    public ShardContext stateCapacity(final int stateCapacity)
    {
        this.stateCapacity = stateCapacity;
        return this;
    }

    /** @return keys each processor's table holds; null before conclude when not set. */
    public Integer stateCapacity()
    {
        return stateCapacity;
    }

    /**
     * @param keyGroupCount key groups between the key hash and the shards, a power of two, at least the processor
     *                      count ({@link SluiceConfig#KEYGROUP_COUNT}).
     * @return this.
     */
    public ShardContext keyGroupCount(final int keyGroupCount)
    {
        this.keyGroupCount = keyGroupCount;
        return this;
    }

    /** @return key groups; null before conclude when not set. */
    public Integer keyGroupCount()
    {
        return keyGroupCount;
    }

    /**
     * @param hashSeed seed of the key hash ({@link SluiceConfig#HASH_SEED}).
     * @return this.
     */
    public ShardContext hashSeed(final long hashSeed)
    {
        this.hashSeed = hashSeed;
        return this;
    }

    /** @return seed of the key hash; drawn at conclude when not set. */
    public Long hashSeed()
    {
        return hashSeed;
    }

    /**
     * @param windowSpec the windows, or null for none (running aggregates per key).
     * @return this.
     */
    public ShardContext windowSpec(final WindowSpec windowSpec)
    {
        this.windowSpec = windowSpec;
        return this;
    }

    /** @return the windows, or null for none. */
    public WindowSpec windowSpec()
    {
        return windowSpec;
    }

    /**
     * @param tickIntervalNs least time between two clock-driven ticks, ns ({@link SluiceConfig#TICK_INTERVAL}).
     * @return this.
     */
    public ShardContext tickIntervalNs(final long tickIntervalNs)
    {
        this.tickIntervalNs = tickIntervalNs;
        return this;
    }

    /** @return least time between two clock-driven ticks, ns. */
    public Long tickIntervalNs()
    {
        return tickIntervalNs;
    }

    /**
     * @param idleAdvanceNs quiet time after which the watermark advances with the clock, ns, 0 never
     *                      ({@link SluiceConfig#WINDOW_IDLE_ADVANCE}).
     * @return this.
     */
    public ShardContext idleAdvanceNs(final long idleAdvanceNs)
    {
        this.idleAdvanceNs = idleAdvanceNs;
        return this;
    }

    /** @return quiet time after which the watermark advances with the clock, ns. */
    public Long idleAdvanceNs()
    {
        return idleAdvanceNs;
    }

    /**
     * @param alertRules the alert rules, in name order; none when not set.
     * @return this.
     */
    public ShardContext alertRules(final List<AlertRule> alertRules)
    {
        this.alertRules = alertRules;
        return this;
    }

    /** @return the alert rules. */
    public List<AlertRule> alertRules()
    {
        return alertRules;
    }

    /**
     * @param evictAfterWindows window lengths of quiet before a key is removed, 0 never
     *                          ({@link SluiceConfig#EVICT_AFTER_WINDOWS}).
     * @return this.
     */
    public ShardContext evictAfterWindows(final int evictAfterWindows)
    {
        this.evictAfterWindows = evictAfterWindows;
        return this;
    }

    /** @return window lengths of quiet before a key is removed. */
    public Integer evictAfterWindows()
    {
        return evictAfterWindows;
    }

    /**
     * @return panes each key keeps, 0 without windows.
     */
    public int panesPerKey()
    {
        return null == windowSpec ? 0 : windowSpec.panesPerKey();
    }

    /**
     * @return off-heap bytes of one processor's state table, as {@link KeyStateTable#bytesFor(int, int)},
     * computed once by {@link #conclude()} ({@link Long#MAX_VALUE} when it does not fit a long).
     * @throws IllegalStateException when not concluded.
     */
    public long tableBytes()
    {
        return checkConcluded().tableBytes;
    }

    /**
     * @return the seeded key hash every shard and the ring producer share.
     * @throws IllegalStateException when not concluded.
     */
    public ShardRouter router()
    {
        return checkConcluded().router;
    }

    /**
     * @return true once {@link #conclude()} succeeded.
     */
    public boolean isConcluded()
    {
        return concluded;
    }

    /**
     * Allocate one shard's state table and build its logic: running aggregates, or windows when a window spec
     * is set, testing the alert rules.
     *
     * @param sink     where the shard's results go.
     * @param counters the shard's counters.
     * @return the shard's logic over its own new table.
     * @throws IllegalStateException when not concluded.
     */
    public ShardLogic newLogic(final ResultSink sink, final ShardCounters counters)
    {
        return newLogic(sink, counters, new AlertRules(alertRules));
    }

    /**
     * Build one shard's logic testing its own alert rules, which a live change replaces
     * ({@link AlertRules#onRulesEntry}).
     *
     * @param sink     where the shard's results go.
     * @param counters the shard's counters.
     * @param alerts   the shard's alert rules.
     * @return the shard's logic over its own new table.
     * @throws IllegalStateException when not concluded.
     */
    public ShardLogic newLogic(final ResultSink sink, final ShardCounters counters, final AlertRules alerts)
    {
        checkConcluded();
        final KeyStateTable table = new KeyStateTable(stateCapacity, panesPerKey(), router);
        return null == windowSpec ?
            new RunningAggregates(table, sink, counters, alerts) :
            new WindowEngine(windowSpec, table, sink, counters, alerts, evictAfterWindows);
    }

    /**
     * Build every shard's processor over its own new logic ({@link #newLogic}): the one place N processors are made.
     *
     * @param sinks    shard to where its results go.
     * @param counters shard to its counters (asked first, in shard order).
     * @param pins     shard to the CPU its processor thread pins to at start and releases at shutdown, or null to
     *                 pin none.
     * @return the processors, shard i at index i.
     * @throws IllegalStateException when not concluded.
     */
    public ShardProcessor[] newProcessors(
        final IntFunction<ResultSink> sinks, final IntFunction<ShardCounters> counters, final IntFunction<CpuPin> pins)
    {
        return newProcessors(0, 1, sinks, counters, pins);
    }

    /**
     * Build the processors of some shards only, for one of several threads replaying one journal side by side.
     *
     * @param first    the first shard to build.
     * @param stride   build {@code first}, {@code first + stride}, ...; the others stay null.
     * @param sinks    shard to where its results go.
     * @param counters shard to its counters (asked first, in shard order).
     * @param pins     shard to the CPU its processor thread pins to at start and releases at shutdown, or null to
     *                 pin none.
     * @return the processors, shard i at index i, null at a shard not built.
     * @throws IllegalStateException when not concluded.
     */
    public ShardProcessor[] newProcessors(
        final int first,
        final int stride,
        final IntFunction<ResultSink> sinks,
        final IntFunction<ShardCounters> counters,
        final IntFunction<CpuPin> pins)
    {
        checkConcluded();
        final ShardProcessor[] processors = new ShardProcessor[processorCount];
        for (int shard = first; shard < processors.length; shard += stride)
        {
            final ShardCounters shardCounters = counters.apply(shard);
            final ResultSink sink = sinks.apply(shard);
            final CpuPin pin = null == pins ? null : pins.apply(shard);
            final AlertRules alerts = new AlertRules(alertRules);
            processors[shard] = new ShardProcessor(shard, newLogic(sink, shardCounters, alerts), sink, shardCounters,
                null == pin ? null : pin::pin, null == pin ? null : pin::release, stallThresholdNs).alerts(alerts)
                .slices(null == sliceRoot && null == ownershipListener ? null :
                new SliceMover(shard, processorCount, router, sliceRoot, ownershipListener));
        }
        return processors;
    }

    /**
     * @param sliceRoot where the processors write and read the slices of key-group moves ({@link SliceStore}), or
     *                  null for none (an OWNERSHIP entry then fails on every processor).
     * @return this.
     */
    public ShardContext sliceRoot(final java.nio.file.Path sliceRoot)
    {
        this.sliceRoot = sliceRoot;
        return this;
    }

    /**
     * @param placement how the processors own key groups ({@link ShardRouter#owner}): contiguous when not set;
     *                  an appliance in a topology, interleaved. {@link #router()} carries it.
     * @return this.
     */
    public ShardContext placement(final ShardRouter.Placement placement)
    {
        this.placement = java.util.Objects.requireNonNull(placement, "placement");
        return this;
    }

    /**
     * @param ownershipListener told, on each processor's thread, when it carried out an OWNERSHIP entry, or null:
     *                          then a failure is thrown for the processor group to report.
     * @return this.
     */
    public ShardContext ownershipListener(final OwnershipListener ownershipListener)
    {
        this.ownershipListener = ownershipListener;
        return this;
    }

    /**
     * @return the watermark and tick schedule of the windows, or null without windows (no ticks).
     * @throws IllegalStateException when not concluded.
     */
    public WatermarkTracker newWatermarkTracker()
    {
        checkConcluded();
        return null == windowSpec ? null : new WatermarkTracker(
            windowSpec.slideNs(), windowSpec.latenessNs(), tickIntervalNs, idleAdvanceNs);
    }

    /**
     * @param ring  the ring the producer alone writes.
     * @param ticks counts the ticks put into the ring.
     * @return the ring's producer, routing to {@link #processorCount()} shards by {@link #router()}, taking batches
     * of {@link #batchMaxEvents()} events (or half the ring, when that is less).
     * @throws IllegalStateException when not concluded.
     */
    public RingProducer newProducer(final SluiceRing ring, final AtomicCounter ticks)
    {
        return new RingProducer(ring, router(), processorCount, newWatermarkTracker(), ticks,
            new ClientMarks(clientCapacity), Math.min(batchMaxEvents, Math.max(1, ring.length() / 2)));
    }

    private ShardContext checkConcluded()
    {
        if (!concluded)
        {
            throw new IllegalStateException("ShardContext is not concluded");
        }
        return this;
    }
}
