package io.sluice.core.ring;

import io.sluice.core.route.ShardRouter;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The ring's single writer and the owner of the ring protocol: it routes each input to its shard (by the seeded
 * {@link ShardRouter}), claims slots,
 * writes EVENT, QUERY, REJECT and TICK entries, runs the watermark and tick rule of {@link WatermarkTracker}, and
 * always publishes what it claimed. Whoever feeds the ring (the daemon's ingress, a test, a benchmark, later a
 * journal replay or a clustered service) calls this class, so the rule lives in one place.
 * <p>
 * The rule, with windows on:
 * <ul>
 *     <li>a TICK goes into the ring right before an event that moves the watermark into a new pane, in the same
 *     offer: processors never see an event more than lateness + one slide ahead of their watermark;</li>
 *     <li>otherwise {@link #doTick(long)} puts one in at most once per tick interval, when the watermark changed
 *     (and, with idle advance, when the clock moved it on a quiet stream).</li>
 * </ul>
 * Every offer either writes all its entries or none: it first checks the ring has room for them (event and tick
 * together), and answers false without side effects when it has not, so the caller can push back (Aeron's ABORT)
 * and offer the same input again later.
 * <p>
 * Claim and publish: each claimed slot is first marked {@link RingEntry#TYPE_NONE}, then written, and published in a
 * {@code finally}: if a write throws, processors see a NONE entry they skip, never a half-written entry or a stale
 * one from the previous lap, and the ring's sequence stays whole. The exception then reaches the caller.
 * <p>
 * Producer thread only; allocates nothing.
 */
public final class RingProducer
{
    private final SluiceRing ring;
    private final ShardRouter router;
    private final int shardCount;
    private final WatermarkTracker watermarks;
    private final AtomicCounter ticks;

    /**
     * @param ring        the ring this producer alone writes.
     * @param router      the daemon's seeded key hash, which picks each entry's shard.
     * @param shardCount  number of shards (processors), at least 1.
     * @param watermarks  the watermark and tick schedule when windows are on, null when they are off (no ticks).
     * @param ticks       counts the ticks put into the ring; written by the producer thread only.
     */
    public RingProducer(
        final SluiceRing ring,
        final ShardRouter router,
        final int shardCount,
        final WatermarkTracker watermarks,
        final AtomicCounter ticks)
    {
        if (shardCount < 1)
        {
            throw new IllegalArgumentException("shardCount must be >= 1: " + shardCount);
        }
        this.ring = ring;
        this.router = router;
        this.shardCount = shardCount;
        this.watermarks = watermarks;
        this.ticks = ticks;
    }

    /**
     * @return the ring written.
     */
    public SluiceRing ring()
    {
        return ring;
    }

    /**
     * @return number of shards entries are routed to.
     */
    public int shardCount()
    {
        return shardCount;
    }

    /**
     * @param key a key.
     * @return the shard that owns it.
     */
    public int shardOf(final long key)
    {
        return router.shard(key, shardCount);
    }

    /**
     * Put a valid event into the ring, preceded by a tick when it moves the watermark into a new pane.
     *
     * @param clientId      client id.
     * @param correlationId client's correlation id.
     * @param key           key.
     * @param timestamp     event time, epoch ns.
     * @param value         a finite value.
     * @param receiveNanos  when it was received, on the producer's monotonic clock; also the clock reading for the
     *                      tick rule.
     * @return true when written and published; false when the ring lacks room for the event (and its tick), in
     * which case nothing changed.
     */
    public boolean offerEvent(
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final double value,
        final long receiveNanos)
    {
        final WatermarkTracker watermarks = this.watermarks;
        final boolean tickFirst = null != watermarks && watermarks.needsTickBefore(timestamp);
        if (!ring.hasCapacity(tickFirst ? 2 : 1))
        {
            return false;
        }
        if (null != watermarks)
        {
            watermarks.onEvent(timestamp, receiveNanos);
            if (tickFirst)
            {
                publishTick(receiveNanos);
            }
        }
        final long sequence = ring.claim();
        try
        {
            ring.entry(sequence).clear()
                .event(shardOf(key), clientId, correlationId, key, timestamp, value, receiveNanos);
        }
        finally
        {
            ring.publish(sequence);
        }
        return true;
    }

    /**
     * Put a query into the ring.
     *
     * @param clientId      client id.
     * @param correlationId client's correlation id.
     * @param key           key.
     * @param receiveNanos  when it was received, on the producer's monotonic clock.
     * @return true when written and published; false when the ring is full.
     */
    public boolean offerQuery(final long clientId, final long correlationId, final long key, final long receiveNanos)
    {
        if (!ring.hasCapacity(1))
        {
            return false;
        }
        final long sequence = ring.claim();
        try
        {
            ring.entry(sequence).clear().query(shardOf(key), clientId, correlationId, key, receiveNanos);
        }
        finally
        {
            ring.publish(sequence);
        }
        return true;
    }

    /**
     * Put a rejection of refused input into the ring; the processor of the key's shard answers it.
     *
     * @param clientId      client id, 0 when unreadable.
     * @param correlationId correlation id, 0 when unreadable.
     * @param key           key, 0 when unreadable.
     * @param reason        a {@code RejectReason} code.
     * @param receiveNanos  when it was received, on the producer's monotonic clock.
     * @return true when written and published; false when the ring is full.
     * @throws IllegalArgumentException when the reason is not a reject reason; a NONE entry is published then.
     */
    public boolean offerReject(
        final long clientId, final long correlationId, final long key, final int reason, final long receiveNanos)
    {
        if (!ring.hasCapacity(1))
        {
            return false;
        }
        final long sequence = ring.claim();
        try
        {
            ring.entry(sequence).clear().reject(shardOf(key), clientId, correlationId, key, reason, receiveNanos);
        }
        finally
        {
            ring.publish(sequence);
        }
        return true;
    }

    /**
     * The clock-driven part of the tick rule: put a tick into the ring when one is due (the tick interval has passed
     * and the watermark moved, by events or, with idle advance, by the clock). Call once per duty cycle.
     *
     * @param nowNs the producer's monotonic clock.
     * @return 1 when a tick was published, else 0 (no windows, none due, or no room: it is due again next time).
     */
    public int doTick(final long nowNs)
    {
        if (null != watermarks && watermarks.tickDue(nowNs) && ring.hasCapacity(1))
        {
            publishTick(nowNs);
            return 1;
        }
        return 0;
    }

    /**
     * Move the watermark to at least the given time and put a tick carrying it into the ring at once, for a source
     * that knows event time has passed: the end of an input, a replay, a cluster's clock. Without windows there is
     * no watermark and this does nothing.
     *
     * @param watermarkNs the earliest watermark wanted, epoch ns.
     * @param nowNs       the producer's monotonic clock.
     * @return true when the tick was published (or windows are off); false when the ring is full, in which case
     * the watermark moved but no tick went in: the next offer or {@link #doTick(long)} carries it.
     */
    public boolean offerWatermark(final long watermarkNs, final long nowNs)
    {
        if (null == watermarks)
        {
            return true;
        }
        watermarks.advanceTo(watermarkNs);
        if (!ring.hasCapacity(1))
        {
            return false;
        }
        publishTick(nowNs);
        return true;
    }

    /**
     * @return the watermark, epoch ns, or {@link Long#MIN_VALUE} before the first event or without windows.
     */
    public long watermark()
    {
        return null == watermarks ? Long.MIN_VALUE : watermarks.watermark();
    }

    private void publishTick(final long nowNs)
    {
        final long sequence = ring.claim();
        try
        {
            ring.entry(sequence).clear().tick(watermarks.watermark(), nowNs);
        }
        finally
        {
            ring.publish(sequence);
        }
        watermarks.ticked(nowNs);
        ticks.incrementRelease();
    }
}
