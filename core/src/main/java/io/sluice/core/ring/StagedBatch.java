package io.sluice.core.ring;

import io.sluice.core.RejectReason;
import io.sluice.core.route.ShardRouter;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The events of one client's {@code EventBatch} staged by the {@link RingProducer} before it offers them together:
 * their fields in parallel arrays, then, when offered, each event's outcome (admitted, or the reason of the REJECT
 * that goes in instead) and the tick that goes before it. Producer thread only; allocates nothing after
 * construction.
 */
final class StagedBatch
{
    private final long[] correlationIds;
    private final long[] keys;
    private final long[] timestamps;
    private final double[] values;
    private final int[] reasons;
    private final long[] ticks;
    private final int[] shards;
    private long clientId;
    private int resultMode;
    private int size;

    /**
     * @param capacity most events in one batch.
     */
    StagedBatch(final int capacity)
    {
        correlationIds = new long[capacity];
        keys = new long[capacity];
        timestamps = new long[capacity];
        values = new double[capacity];
        reasons = new int[capacity];
        ticks = new long[capacity];
        shards = new int[capacity];
    }

    int capacity()
    {
        return reasons.length;
    }

    int size()
    {
        return size;
    }

    int reason(final int index)
    {
        return reasons[index];
    }

    void begin(final long clientId, final int resultMode)
    {
        this.clientId = clientId;
        this.resultMode = resultMode;
        size = 0;
    }

    void add(final long correlationId, final long key, final long timestamp, final double value, final int reason)
    {
        final int index = size;
        correlationIds[index] = correlationId;
        keys[index] = key;
        timestamps[index] = timestamp;
        values[index] = value;
        reasons[index] = reason;
        size = index + 1;
    }

    /**
     * Decide each event's outcome, as {@link RingProducer#offerEvent} would: a refused event, a duplicate of the
     * client's mark, a client beyond the marks' room or (in a topology) an event of a key group not owned becomes a
     * REJECT; an admitted one moves the client's mark and the watermark, and gets a tick before it when it moves the
     * watermark into a new pane. Each event's shard is taken from the one hash of its key.
     *
     * @param router       the key hash.
     * @param shardCount   shards.
     * @param ownership    the appliance's key groups, or null when not in a topology.
     * @param marks        the clients' marks.
     * @param watermarks   the watermark and tick schedule, or null without windows.
     * @param tickCounter  counts the ticks.
     * @param receiveNanos when the batch was received.
     * @return the ring slots the batch takes.
     */
    int admit(
        final ShardRouter router,
        final int shardCount,
        final GroupOwnership ownership,
        final ClientMarks marks, final WatermarkTracker watermarks, final AtomicCounter tickCounter,
        final long receiveNanos)
    {
        final long markBefore = marks.mark(clientId);
        final boolean hasRoom = marks.hasRoomFor(clientId);
        long mark = markBefore;
        int slots = 0;
        for (int i = 0; i < size; i++)
        {
            int reason = reasons[i];
            final long correlationId = correlationIds[i];
            final int group = router.keyGroup(router.hash(keys[i]));
            shards[i] = router.owner(group, shardCount);
            if (0 == reason)
            {
                if (correlationId <= mark)
                {
                    reason = null == ownership || ownership.ownedWhenSequenced(clientId, correlationId, group) ?
                        RejectReason.DUPLICATE : RejectReason.NOT_OWNER;
                }
                else if (!hasRoom)
                {
                    reason = RejectReason.CLIENTS_FULL;
                }
                else if (null != ownership && !ownership.owns(group))
                {
                    reason = RejectReason.NOT_OWNER;
                    mark = correlationId;
                }
                reasons[i] = reason;
            }
            ticks[i] = Long.MIN_VALUE;
            if (0 == reason)
            {
                mark = correlationId;
                if (null != watermarks)
                {
                    final long timestamp = timestamps[i];
                    final boolean tickFirst = watermarks.needsTickBefore(timestamp);
                    watermarks.onEvent(timestamp, receiveNanos);
                    if (tickFirst)
                    {
                        ticks[i] = watermarks.watermark();
                        watermarks.ticked(receiveNanos);
                        tickCounter.incrementRelease();
                        slots++;
                    }
                }
            }
            slots++;
        }
        if (mark != markBefore)
        {
            marks.accept(clientId, mark);
        }
        return slots;
    }

    /**
     * Write the admitted batch into the claimed slots and publish them, clearing (to NONE) whatever a failed write
     * left unwritten.
     *
     * @param ring         the ring.
     * @param lo           first claimed sequence.
     * @param hi           last claimed sequence.
     * @param receiveNanos when the batch was received.
     * @param epoch        the topology epoch a NOT_OWNER REJECT carries.
     */
    void write(final SluiceRing ring, final long lo, final long hi, final long receiveNanos, final long epoch)
    {
        long sequence = lo;
        try
        {
            for (int i = 0; i < size; i++)
            {
                final int reason = reasons[i];
                final long key = keys[i];
                if (0 != reason)
                {
                    final RingEntry entry = ring.entry(sequence).clear().reject(
                        shards[i], clientId, correlationIds[i], key, reason, receiveNanos, i);
                    if (RejectReason.NOT_OWNER == reason)
                    {
                        entry.rejectEpoch(epoch);
                    }
                    sequence++;
                    continue;
                }
                if (Long.MIN_VALUE != ticks[i])
                {
                    ring.entry(sequence).clear().tick(ticks[i], receiveNanos);
                    sequence++;
                }
                ring.entry(sequence).clear().event(shards[i], clientId, correlationIds[i], key,
                    timestamps[i], values[i], receiveNanos, resultMode, i);
                sequence++;
            }
        }
        finally
        {
            for (long s = sequence; s <= hi; s++)
            {
                ring.entry(s).clear();
            }
            ring.publish(lo, hi);
        }
    }
}
