package io.sluice.core.processor;

import com.lmax.disruptor.EventHandler;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.shard.ResultSink;
import io.sluice.core.shard.ShardCounters;
import io.sluice.core.shard.ShardLogic;

/**
 * The single writer of one shard: filters the ring's entries by shard and dispatches them to the shard's
 * {@link ShardLogic} (events and queries of its shard, every tick), and answers the rejections the ingress routed
 * to it. Entries of type NONE (a producer write that failed) and of other shards are passed over.
 * <p>
 * Runs as a Disruptor {@link EventHandler} on its own thread ({@code threading=dedicated}, where it sees every entry
 * and filters), or is handed only its own entries and the ticks by the one poller of the shared layout
 * ({@link #onEntry(RingEntry)}). The shard logic reads no clock. On a dedicated thread the processor times each
 * batch the Disruptor hands it (from {@link #onBatchStart(long, long)} to the end of its last entry, with
 * {@code System.nanoTime()}) into {@link ShardCounters#maxCycleNs()}, and counts a batch longer than
 * {@link #STALL_THRESHOLD_NS} in {@link ShardCounters#cycleStalls()}, so a stalled thread shows in
 * {@code sluice stat}.
 */
public final class ShardProcessor implements EventHandler<RingEntry>
{
    /** A dedicated processor's batch that takes longer than this, in ns, counts as a stall: 1 ms. */
    public static final long STALL_THRESHOLD_NS = 1_000_000L;

    private final int shard;
    private final ShardLogic logic;
    private final ResultSink sink;
    private final ShardCounters counters;
    private final Runnable onStart;
    private final Runnable onShutdown;
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
        this.shard = shard;
        this.logic = logic;
        this.sink = sink;
        this.counters = counters;
        this.onStart = onStart;
        this.onShutdown = onShutdown;
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
            if (RingEntry.TYPE_TICK == entry.type() || entry.shard() == shard)
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
        final long cycleNs = System.nanoTime() - batchStartNs;
        if (cycleNs > maxCycleNs)
        {
            maxCycleNs = cycleNs;
            counters.maxCycleNs().setRelease(cycleNs);
        }
        if (cycleNs > STALL_THRESHOLD_NS)
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
                sink.onRejected(entry.clientId(), entry.correlationId(), entry.key(), entry.reason());
                break;

            default:
                break;
        }
    }
}
