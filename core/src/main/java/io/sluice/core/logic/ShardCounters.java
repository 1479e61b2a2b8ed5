package io.sluice.core.logic;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

/**
 * The counters one shard's processor keeps, so AeronStat or {@code sluice stat} read them from another process.
 * The per-processor counters are written by the processor thread only, with ordered writes
 * ({@code incrementRelease}, {@code setRelease}). The per-reason reject counters are the daemon's counters of that
 * reason, shared by every processor: they are incremented atomically ({@code increment}). Whoever decides a
 * {@code STATE_FULL} or {@code LATE} reject counts it in its own counter and in the reason's.
 *
 * @param processed         ring entries of this processor's shard handled (events, queries, rejections).
 * @param stateFull         events this processor refused because its state table was full.
 * @param liveKeys          keys held in the state table.
 * @param late              events this processor refused because their windows had closed.
 * @param windowsClosed     window results published.
 * @param evictions         idle keys removed from the state table.
 * @param alertsFired       alerts published.
 * @param rejectedStateFull every processor's STATE_FULL rejects: the daemon's per-reason counter, shared.
 * @param rejectedLate      every processor's LATE rejects: the daemon's per-reason counter, shared.
 * @param maxCycleNs        longest batch a dedicated processor thread took, ns (0 in the shared layout, whose
 *                          thread's duty cycle is its agent runner's to measure).
 * @param cycleStalls       batches of a dedicated processor thread longer than the stall threshold.
 */
public record ShardCounters(
    AtomicCounter processed,
    AtomicCounter stateFull,
    AtomicCounter liveKeys,
    AtomicCounter late,
    AtomicCounter windowsClosed,
    AtomicCounter evictions,
    AtomicCounter alertsFired,
    AtomicCounter rejectedStateFull,
    AtomicCounter rejectedLate,
    AtomicCounter maxCycleNs,
    AtomicCounter cycleStalls)
{
    /**
     * Count a {@code STATE_FULL} reject decided by this processor: its own counter, the reason's shared counter, and
     * the entry as processed. Processor thread only.
     */
    public void onStateFull()
    {
        stateFull.incrementRelease();
        rejectedStateFull.increment();
        processed.incrementRelease();
    }

    /**
     * Count a {@code LATE} reject decided by this processor: its own counter, the reason's shared counter, and the
     * entry as processed. Processor thread only.
     */
    public void onLate()
    {
        late.incrementRelease();
        rejectedLate.increment();
        processed.incrementRelease();
    }

    /**
     * Counters no other process reads (a replay, a test): each shard's own, and the two per-reason reject counters
     * shared by them all, over one private buffer. Start-up only.
     *
     * @param shardCount how many shards.
     * @return shard i's counters at index i.
     */
    public static ShardCounters[] standalone(final int shardCount)
    {
        final int perShard = 9;
        final UnsafeBuffer values = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            (perShard * shardCount + 2) * CountersReader.COUNTER_LENGTH, 64));
        final AtomicCounter rejectedLate = new AtomicCounter(values, 0);
        final AtomicCounter rejectedStateFull = new AtomicCounter(values, 1);
        final ShardCounters[] counters = new ShardCounters[shardCount];
        for (int shard = 0; shard < shardCount; shard++)
        {
            final int id = 2 + shard * perShard;
            counters[shard] = new ShardCounters(new AtomicCounter(values, id), new AtomicCounter(values, id + 1),
                new AtomicCounter(values, id + 2), new AtomicCounter(values, id + 3), new AtomicCounter(values, id + 4),
                new AtomicCounter(values, id + 5), new AtomicCounter(values, id + 6), rejectedStateFull, rejectedLate,
                new AtomicCounter(values, id + 7), new AtomicCounter(values, id + 8));
        }
        return counters;
    }
}
