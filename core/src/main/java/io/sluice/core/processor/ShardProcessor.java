package io.sluice.core.processor;

import com.lmax.disruptor.EventHandler;
import io.sluice.config.AlertRule;
import io.sluice.config.ConfigurationException;
import io.sluice.config.Scope;
import io.sluice.config.Setting;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.ring.ClientMarks;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.ring.WatermarkTracker;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.running.RunningAggregates;
import io.sluice.core.shard.ResultSink;
import io.sluice.core.shard.ShardCounters;
import io.sluice.core.shard.ShardLogic;
import io.sluice.core.shard.ShardSnapshot;
import io.sluice.core.shard.SnapshotListener;
import io.sluice.core.state.KeyStateTable;
import io.sluice.core.window.WindowEngine;
import io.sluice.core.window.WindowSpec;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.List;

/**
 * The single writer of one shard: filters the ring's entries by shard and dispatches them to the shard's
 * {@link ShardLogic} (events and queries of its shard, every tick), and answers the rejections the ingress routed
 * to it. Entries of type NONE (a producer write that failed) and of other shards are passed over.
 * <p>
 * Runs as a Disruptor {@link EventHandler} on its own thread ({@code threading=dedicated}, where it sees every entry
 * and filters), or is handed only its own entries and the ticks by the one poller of the shared layout
 * ({@link #onEntry(RingEntry)}). The shard logic reads no clock. On a dedicated thread the processor times each
 * batch the Disruptor hands it (from {@link #onBatchStart(long, long)} to the end of its last entry, with
 * {@code System.nanoTime()}) into {@link ShardCounters#maxCycleNs()}, and counts a batch longer than its stall
 * threshold ({@code sluice.agent.stall-threshold}) in {@link ShardCounters#cycleStalls()}, so a stalled thread shows
 * in {@code sluice stat}.
 */
public final class ShardProcessor implements EventHandler<RingEntry>
{
    /** The declared default stall threshold ({@code sluice.agent.stall-threshold}), ns. */
    public static final long STALL_THRESHOLD_NS = Settings.AGENT_STALL_THRESHOLD.defaultValue();

    private final int shard;
    private final ShardLogic logic;
    private final ResultSink sink;
    private final ShardCounters counters;
    private final Runnable onStart;
    private final Runnable onShutdown;
    private final long stallThresholdNs;
    private SnapshotListener snapshots;
    private long batchStartNs;
    private long maxCycleNs;

    /**
     * @param shard      the shard this processor owns.
     * @param logic      what the shard does with its events, queries and ticks.
     * @param sink       where answers to rejected input go (the logic's sink).
     * @param counters   the shard's counters.
     * @param onStart    run on the processor thread before the first entry (pinning), may be null.
     * @param onShutdown run on the processor thread after the last entry, may be null.
     */
    public ShardProcessor(
        final int shard,
        final ShardLogic logic,
        final ResultSink sink,
        final ShardCounters counters,
        final Runnable onStart,
        final Runnable onShutdown)
    {
        this(shard, logic, sink, counters, onStart, onShutdown, STALL_THRESHOLD_NS);
    }

    /**
     * @param shard            the shard this processor owns.
     * @param logic            what the shard does with its events, queries and ticks.
     * @param sink             where answers to rejected input go (the logic's sink).
     * @param counters         the shard's counters.
     * @param onStart          run on the processor thread before the first entry (pinning), may be null.
     * @param onShutdown       run on the processor thread after the last entry, may be null.
     * @param stallThresholdNs a batch longer than this counts as a stall (dedicated layout).
     */
    public ShardProcessor(
        final int shard,
        final ShardLogic logic,
        final ResultSink sink,
        final ShardCounters counters,
        final Runnable onStart,
        final Runnable onShutdown,
        final long stallThresholdNs)
    {
        this.shard = shard;
        this.logic = logic;
        this.sink = sink;
        this.counters = counters;
        this.onStart = onStart;
        this.onShutdown = onShutdown;
        this.stallThresholdNs = stallThresholdNs;
    }

    /**
     * @return the shard this processor owns.
     */
    public int shard()
    {
        return shard;
    }

    /**
     * @return the shard's logic.
     */
    public ShardLogic logic()
    {
        return logic;
    }

    /**
     * Where this processor's snapshot parts go; without one, snapshot markers are passed over. Set before the
     * processor starts.
     *
     * @param snapshots takes the parts, or null.
     * @return this.
     */
    public ShardProcessor snapshots(final SnapshotListener snapshots)
    {
        this.snapshots = snapshots;
        return this;
    }

    /**
     * {@inheritDoc}
     */
    public void onStart()
    {
        if (null != onStart)
        {
            onStart.run();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onShutdown()
    {
        if (null != onShutdown)
        {
            onShutdown.run();
        }
    }

    /**
     * Start timing a batch (dedicated layout).
     * <p>
     * {@inheritDoc}
     */
    public void onBatchStart(final long batchSize, final long queueDepth)
    {
        batchStartNs = System.nanoTime();
    }

    /**
     * Handle any ring entry: ticks, and entries of this shard; everything else is passed over. The last entry of a
     * batch ends its timing, whether or not it threw.
     * <p>
     * {@inheritDoc}
     */
    public void onEvent(final RingEntry entry, final long sequence, final boolean endOfBatch)
    {
        try
        {
            final int type = entry.type();
            if (RingEntry.TYPE_TICK == type || RingEntry.TYPE_SNAPSHOT == type || entry.shard() == shard)
            {
                onEntry(entry);
            }
        }
        finally
        {
            if (endOfBatch)
            {
                endBatch();
            }
        }
    }

    private void endBatch()
    {
        sink.onBatchEnd();
        final long cycleNs = System.nanoTime() - batchStartNs;
        if (cycleNs > maxCycleNs)
        {
            maxCycleNs = cycleNs;
            counters.maxCycleNs().setRelease(cycleNs);
        }
        if (cycleNs > stallThresholdNs)
        {
            counters.cycleStalls().incrementRelease();
        }
    }

    /**
     * Handle an entry of this shard or a tick, without looking at its shard.
     *
     * @param entry the entry, valid only during the call.
     */
    public void onEntry(final RingEntry entry)
    {
        switch (entry.type())
        {
            case RingEntry.TYPE_EVENT:
                logic.onEvent(entry);
                break;

            case RingEntry.TYPE_QUERY:
                logic.onQuery(entry);
                break;

            case RingEntry.TYPE_TICK:
                logic.onTick(entry.timestamp());
                break;

            case RingEntry.TYPE_REJECT:
                counters.processed().incrementRelease();
                sink.onRejected(entry.clientId(), entry.correlationId(), entry.key(), entry.reason(), entry.batchIndex());
                break;

            case RingEntry.TYPE_RESUME:
                sink.onResumed(entry.clientId(), entry.correlationId(), entry.timestamp());
                break;

            case RingEntry.TYPE_SNAPSHOT:
                onSnapshotMarker(entry.correlationId());
                break;

            default:
                break;
        }
    }

    /**
     * The end of a batch of ring entries when entries reach this processor through {@link #onEntry} (the shared
     * layout's poller): lets the sink send what it holds for the batch. Processor thread only.
     */
    public void onBatchEnd()
    {
        sink.onBatchEnd();
    }

    private void onSnapshotMarker(final long snapshotId)
    {
        final SnapshotListener snapshots = this.snapshots;
        final ShardSnapshot part = null == snapshots ? null : snapshots.partFor(shard, snapshotId);
        if (null != part)
        {
            final long startNs = System.nanoTime();
            logic.snapshotTo(shard, snapshotId, part);
            snapshots.onPartCopied(shard, snapshotId, System.nanoTime() - startNs);
        }
    }

    /**
     * Copy this shard's state into a part, as a snapshot marker would, and return its digest. Processor thread
     * only, or before the processor starts or after it stopped (tests, {@code sluice stat} via a snapshot).
     *
     * @return the digest of the shard's state ({@link ShardSnapshot#digest()}).
     */
    public long digest()
    {
        final ShardSnapshot part = new ShardSnapshot();
        logic.snapshotTo(shard, 0, part);
        return part.digest();
    }

    /**
     * What every shard is made of: the processor count, each processor's state table (capacity, and window panes
     * per key), the windows (or none), the watermark's tick interval and idle advance, the alert rules, the eviction
     * of idle keys, and the seeded key hash. Set what differs from the declared defaults ({@link Settings}), or take
     * every value from a configuration with {@link #from(SluiceConfig)}, then {@link #conclude()} once; the
     * concluded context sizes a table ({@link #tableBytes()}, computed once) and builds each shard's table and
     * logic ({@link #newLogic(ResultSink, ShardCounters)}) and the ring producer that routes to the shards
     * ({@link #newProducer(SluiceRing, AtomicCounter)}).
     * <p>
     * Start-up only; not thread safe.
     */
    public static final class Context
    {
        private Integer processorCount;
        private Integer stateCapacity;
        private Long hashSeed;
        private WindowSpec windowSpec;
        private Long tickIntervalNs;
        private Long idleAdvanceNs;
        private List<AlertRule> alertRules;
        private Integer evictAfterWindows;
        private Long stallThresholdNs;
        private Integer clientCapacity;
        private Integer batchMaxEvents;
        private ShardRouter router;
        private AlertRules alerts;
        private long tableBytes;
        private boolean concluded;

        /**
         * @param config the daemon's configuration, the one place its shard settings are read.
         * @return a context holding the processor count, state capacity, hash seed, windows, tick interval, idle
         * advance, alert rules and eviction of the configuration, not yet concluded.
         */
        public static Context from(final SluiceConfig config)
        {
            return new Context()
                .processorCount(config.processorCount())
                .stateCapacity(config.stateCapacity())
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
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("ShardProcessor.Context is already concluded");
            }
            processorCount = Settings.PROCESSOR_COUNT.valueOrDefault(processorCount);
            stateCapacity = Settings.STATE_CAPACITY.valueOrDefault(stateCapacity);
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
            router = new ShardRouter(hashSeed);
            alerts = new AlertRules(alertRules);
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
        public Context stallThresholdNs(final long stallThresholdNs)
        {
            this.stallThresholdNs = stallThresholdNs;
            return this;
        }

        /**
         * @param clientCapacity most distinct clients tracked ({@link SluiceConfig#CLIENT_CAPACITY}).
         * @return this.
         */
        public Context clientCapacity(final int clientCapacity)
        {
            this.clientCapacity = clientCapacity;
            return this;
        }

        /**
         * @return most distinct clients tracked.
         */
        public Integer clientCapacity()
        {
            return clientCapacity;
        }

        /**
         * @param batchMaxEvents most events in one batch the producer takes ({@link SluiceConfig#BATCH_MAX_EVENTS}).
         * @return this.
         */
        public Context batchMaxEvents(final int batchMaxEvents)
        {
            this.batchMaxEvents = batchMaxEvents;
            return this;
        }

        /**
         * @return most events in one batch the producer takes; null before conclude when not set.
         */
        public Integer batchMaxEvents()
        {
            return batchMaxEvents;
        }

        /**
         * The settings declared to shape state ({@link Scope#STATE}), in declaration order: a journal or snapshot
         * made under other values cannot be replayed into this configuration. The hash seed is kept apart
         * ({@link #hashSeed()}); the window type is carried by the window's size, slide and lateness, each
         * {@code none} when windows are off.
         *
         * @return key to value, in a fixed order.
         * @throws IllegalStateException when not concluded, or when a setting declared to shape state is not one
         *                               the shards hold.
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
         * @return a 64-bit fingerprint of {@link #stateSettings()}, carried by the journal's START entries.
         * @throws IllegalStateException when not concluded.
         */
        public long fingerprint()
        {
            final io.sluice.core.state.StateDigest digest = new io.sluice.core.state.StateDigest();
            stateSettings().forEach((key, value) ->
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
        public Context processorCount(final int processorCount)
        {
            this.processorCount = processorCount;
            return this;
        }

        /**
         * @return processors; null before conclude when not set.
         */
        public Integer processorCount()
        {
            return processorCount;
        }

        /**
         * @param stateCapacity keys each processor's table holds, a power of two
         *                      ({@link SluiceConfig#STATE_CAPACITY}).
         * @return this.
         */
        public Context stateCapacity(final int stateCapacity)
        {
            this.stateCapacity = stateCapacity;
            return this;
        }

        /**
         * @return keys each processor's table holds; null before conclude when not set.
         */
        public Integer stateCapacity()
        {
            return stateCapacity;
        }

        /**
         * @param hashSeed seed of the key hash ({@link SluiceConfig#HASH_SEED}).
         * @return this.
         */
        public Context hashSeed(final long hashSeed)
        {
            this.hashSeed = hashSeed;
            return this;
        }

        /**
         * @return seed of the key hash; drawn at conclude when not set.
         */
        public Long hashSeed()
        {
            return hashSeed;
        }

        /**
         * @param windowSpec the windows, or null for none (running aggregates per key).
         * @return this.
         */
        public Context windowSpec(final WindowSpec windowSpec)
        {
            this.windowSpec = windowSpec;
            return this;
        }

        /**
         * @return the windows, or null for none.
         */
        public WindowSpec windowSpec()
        {
            return windowSpec;
        }

        /**
         * @param tickIntervalNs least time between two clock-driven ticks, ns ({@link SluiceConfig#TICK_INTERVAL}).
         * @return this.
         */
        public Context tickIntervalNs(final long tickIntervalNs)
        {
            this.tickIntervalNs = tickIntervalNs;
            return this;
        }

        /**
         * @return least time between two clock-driven ticks, ns.
         */
        public Long tickIntervalNs()
        {
            return tickIntervalNs;
        }

        /**
         * @param idleAdvanceNs quiet time after which the watermark advances with the clock, ns, 0 never
         *                      ({@link SluiceConfig#WINDOW_IDLE_ADVANCE}).
         * @return this.
         */
        public Context idleAdvanceNs(final long idleAdvanceNs)
        {
            this.idleAdvanceNs = idleAdvanceNs;
            return this;
        }

        /**
         * @return quiet time after which the watermark advances with the clock, ns.
         */
        public Long idleAdvanceNs()
        {
            return idleAdvanceNs;
        }

        /**
         * @param alertRules the alert rules, in name order; none when not set.
         * @return this.
         */
        public Context alertRules(final List<AlertRule> alertRules)
        {
            this.alertRules = alertRules;
            return this;
        }

        /**
         * @return the alert rules.
         */
        public List<AlertRule> alertRules()
        {
            return alertRules;
        }

        /**
         * @param evictAfterWindows window lengths of quiet before a key is removed, 0 never
         *                          ({@link SluiceConfig#EVICT_AFTER_WINDOWS}).
         * @return this.
         */
        public Context evictAfterWindows(final int evictAfterWindows)
        {
            this.evictAfterWindows = evictAfterWindows;
            return this;
        }

        /**
         * @return window lengths of quiet before a key is removed.
         */
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
            checkConcluded();
            final KeyStateTable table = new KeyStateTable(stateCapacity, panesPerKey(), router);
            return null == windowSpec ?
                new RunningAggregates(table, sink, counters, alerts) :
                new WindowEngine(windowSpec, table, sink, counters, alerts, evictAfterWindows);
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

        private Context checkConcluded()
        {
            if (!concluded)
            {
                throw new IllegalStateException("ShardProcessor.Context is not concluded");
            }
            return this;
        }
    }
}
