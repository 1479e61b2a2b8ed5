package io.sluice.core.shard;

import com.lmax.disruptor.EventHandler;
import io.sluice.config.Settings;
import io.sluice.core.RejectReason;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.logic.ShardLogic;
import io.sluice.core.ring.OwnershipEntry;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.snapshot.SnapshotListener;

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
 * <p>
 * RULES entries (a live change of the alert rules) reach every processor; each stages them into its
 * {@link AlertRules} and switches at a set's last entry, between two events. OWNERSHIP entries (a key-group move)
 * reach every processor too; one built with slices ({@code ShardContext.sliceRoot}) writes or reads its part of the
 * move's slice ({@link SliceMover}), one without passes them over.
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
    private AlertRules alerts;
    private SliceMover slices;
    private volatile long longestRulesSwitchNs;
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
     * The alert rules this processor's logic tests, which RULES entries replace live; without them RULES entries
     * are passed over. Set before the processor starts; the sink is told their names at once.
     *
     * @param alerts the logic's alert rules, or null.
     * @return this.
     */
    public ShardProcessor alerts(final AlertRules alerts)
    {
        this.alerts = alerts;
        if (null != alerts)
        {
            alerts.nameRules(sink);
        }
        return this;
    }

    /**
     * Take another processor's alert rules in force, and tell the sink their names. Before the processor starts.
     *
     * @param from the processor whose rules to take; nothing happens when either has none.
     */
    public void installRules(final ShardProcessor from)
    {
        if (null != alerts && null != from.alerts)
        {
            alerts.install(from.alerts);
            alerts.nameRules(sink);
        }
    }

    /**
     * Where this processor's slices of key-group moves go and come from; without it OWNERSHIP entries are passed
     * over. Set before the processor starts.
     *
     * @param slices the processor's side of moves, or null.
     * @return this.
     */
    ShardProcessor slices(final SliceMover slices)
    {
        this.slices = slices;
        return this;
    }

    /**
     * @return the alert rules this processor's logic tests, or null when it takes no live change.
     */
    public AlertRules alerts()
    {
        return alerts;
    }

    /**
     * @return the longest time a RULES entry took on this processor (staging, and at a set's last entry the
     * switch), ns; any thread.
     */
    public long longestRulesSwitchNs()
    {
        return longestRulesSwitchNs;
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
            if (RingEntry.TYPE_TICK == type || RingEntry.TYPE_SNAPSHOT == type || RingEntry.TYPE_RULES == type ||
                RingEntry.TYPE_OWNERSHIP == type || entry.shard() == shard)
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
                if (RejectReason.NOT_OWNER == entry.reason())
                {
                    sink.onNotOwner(entry.clientId(), entry.correlationId(), entry.key(), entry.batchIndex(),
                        OwnershipEntry.rejectEpoch(entry));
                }
                else
                {
                    sink.onRejected(
                        entry.clientId(), entry.correlationId(), entry.key(), entry.reason(), entry.batchIndex());
                }
                break;

            case RingEntry.TYPE_RESUME:
                sink.onResumed(entry.clientId(), entry.correlationId(), entry.timestamp());
                break;

            case RingEntry.TYPE_SNAPSHOT:
                onSnapshotMarker(entry.correlationId());
                break;

            case RingEntry.TYPE_RULES:
                onRules(entry);
                break;

            case RingEntry.TYPE_OWNERSHIP:
                if (null != slices)
                {
                    slices.onOwnership(logic, entry);
                }
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

    private void onRules(final RingEntry entry)
    {
        final AlertRules alerts = this.alerts;
        if (null != alerts)
        {
            final long startNs = System.nanoTime();
            if (alerts.onRulesEntry(entry))
            {
                alerts.nameRules(sink);
            }
            final long tookNs = System.nanoTime() - startNs;
            if (tookNs > longestRulesSwitchNs)
            {
                longestRulesSwitchNs = tookNs;
            }
        }
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
     * @return the shard's counters.
     */
    public ShardCounters counters()
    {
        return counters;
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
}
