package io.sluice.core.ring;

import io.sluice.config.Settings;
import io.sluice.core.RejectReason;
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
 * Each event is screened against its client's high-water mark ({@link ClientMarks}): one whose correlation id is
 * not above the client's highest accepted one goes into the ring as a REJECT with reason {@code DUPLICATE}; one
 * from a client beyond the tracked capacity as {@code CLIENTS_FULL}. The marks, the watermark and the tick schedule
 * are the producer's state: {@link #offerSnapshot} copies them at a snapshot marker, {@link #restore} puts them
 * back, and {@link #applyJournaled} replays a journaled entry's effect on them.
 * <p>
 * In a topology (scale-out, {@link #ownership(GroupOwnership)}) the producer also holds the appliance's key groups:
 * events and queries of groups it does not own go in as REJECT {@code NOT_OWNER} with the epoch, and
 * {@link #offerOwnership} moves a range (OWNERSHIP entries); the key group comes from the same hash that picks the
 * shard. The entries that are not client input are written by its base, {@code RingControl}.
 * <p>
 * Claim and publish: each claimed slot is first marked {@link RingEntry#TYPE_NONE}, then written, and published in a
 * {@code finally}: if a write throws, processors see a NONE entry they skip, never a half-written entry or a stale
 * one from the previous lap, and the ring's sequence stays whole. The exception then reaches the caller.
 * <p>
 * Producer thread only; allocates nothing, but an ownership change (a copy of the marks) and a snapshot's copy of
 * the ownership, on the control path.
 */
public final class RingProducer extends RingControl
{
    /** {@link #offerEvent} put the event into the ring. */
    public static final int OFFERED = 0;
    /** {@link #offerEvent} found no room in the ring: nothing changed, offer it again later. */
    public static final int RING_FULL = -1;
    /** {@link #offerOwnership} refused: the epoch is not above the one in force. */
    public static final int OWNERSHIP_STALE_EPOCH = -2;
    /** {@link #offerOwnership} refused: a release of a range not wholly owned. */
    public static final int OWNERSHIP_NOT_OWNED = -3;
    /** {@link #offerOwnership} refused: an acquire of a range partly owned. */
    public static final int OWNERSHIP_ALREADY_OWNED = -4;
    /** {@link #offerOwnership} refused: this producer has no {@link GroupOwnership} (not in a topology). */
    public static final int OWNERSHIP_NO_TOPOLOGY = -5;
    /** {@link #offerOwnership} refused: the range is outside the key groups, or the action is unknown. */
    public static final int OWNERSHIP_BAD_RANGE = -6;
    /** The result mode a query's NOT_OWNER REJECT carries, so that a replay tells it from an event's. */
    private static final int QUERY_REJECT = 1;

    private final AtomicCounter ticks;
    private final StagedBatch batch;

    /**
     * @param ring        the ring this producer alone writes.
     * @param router      the daemon's seeded key hash, which picks each entry's shard.
     * @param shardCount  number of shards (processors), at least 1.
     * @param watermarks  the watermark and tick schedule when windows are on, null when they are off (no ticks).
     * @param ticks       counts the ticks put into the ring; written by the producer thread only.
     *                    Tracks as many clients as {@code sluice.client.capacity} declares by default.
     */
    public RingProducer(
        final SluiceRing ring,
        final ShardRouter router,
        final int shardCount,
        final WatermarkTracker watermarks,
        final AtomicCounter ticks)
    {
        this(ring, router, shardCount, watermarks, ticks, new ClientMarks(Settings.CLIENT_CAPACITY.defaultValue()));
    }

    /**
     * Batches hold as many events as {@code sluice.batch.max-events} declares by default, or half the ring when
     * that is less.
     *
     * @param ring        the ring this producer alone writes.
     * @param router      the daemon's seeded key hash, which picks each entry's shard.
     * @param shardCount  number of shards (processors), at least 1.
     * @param watermarks  the watermark and tick schedule when windows are on, null when they are off (no ticks).
     * @param ticks       counts the ticks put into the ring; written by the producer thread only.
     * @param marks       the clients' high-water marks.
     */
    public RingProducer(
        final SluiceRing ring,
        final ShardRouter router,
        final int shardCount,
        final WatermarkTracker watermarks,
        final AtomicCounter ticks,
        final ClientMarks marks)
    {
        this(ring, router, shardCount, watermarks, ticks, marks,
            Math.max(1, Math.min(Settings.BATCH_MAX_EVENTS.defaultValue(), ring.length() / 2)));
    }


    /**
     * @param ring        the ring this producer alone writes.
     * @param router      the daemon's seeded key hash, which picks each entry's shard.
     * @param shardCount  number of shards (processors), at least 1.
     * @param watermarks  the watermark and tick schedule when windows are on, null when they are off (no ticks).
     * @param ticks       counts the ticks put into the ring; written by the producer thread only.
     * @param marks       the clients' high-water marks.
     * @param batchMaxEvents most events in one batch ({@link #beginBatch}); the ring must hold twice as many.
     * @throws IllegalArgumentException when the shard count is below 1, or the ring is shorter than twice the
     *                                  batch size.
     */
    public RingProducer(
        final SluiceRing ring,
        final ShardRouter router,
        final int shardCount,
        final WatermarkTracker watermarks,
        final AtomicCounter ticks,
        final ClientMarks marks,
        final int batchMaxEvents)
    {
        super(ring, router, shardCount, watermarks, marks);
        if (batchMaxEvents < 1 || 2L * batchMaxEvents > ring.length())
        {
            throw new IllegalArgumentException(
                "batchMaxEvents must be in [1, ring length / 2 = " + ring.length() / 2 + "]: " + batchMaxEvents);
        }
        this.batch = new StagedBatch(batchMaxEvents);
        this.ticks = ticks;
    }

    /**
     * Put this producer in topology mode (before it goes live): events and queries of key groups it does not own
     * are answered NOT_OWNER. Null (the default) owns every group, at the cost of no check at all.
     *
     * @param ownership the appliance's key groups, or null.
     * @return this.
     * @throws IllegalArgumentException when its key-group count is not the router's.
     */
    public RingProducer ownership(final GroupOwnership ownership)
    {
        if (null != ownership && ownership.keyGroupCount() != router.keyGroupCount())
        {
            throw new IllegalArgumentException("the ownership is of " + ownership.keyGroupCount() +
                " key groups, the router places by " + router.keyGroupCount());
        }
        this.ownership = ownership;
        return this;
    }

    /**
     * @return the appliance's key groups, or null when not in a topology.
     */
    public GroupOwnership ownership()
    {
        return ownership;
    }

    /**
     * Put a valid event into the ring, preceded by a tick when it moves the watermark into a new pane; or, when its
     * correlation id is not above its client's mark, a REJECT with reason {@code DUPLICATE} (with {@code CLIENTS_FULL}
     * when the client is new and no more clients can be tracked). In a topology ({@link #ownership(GroupOwnership)})
     * a new event of a key group not owned raises the mark and goes in as a REJECT {@code NOT_OWNER} carrying the
     * epoch; a resent one is {@code DUPLICATE} when its group was owned when it was sequenced
     * ({@link GroupOwnership#ownedWhenSequenced}), else {@code NOT_OWNER} (it was never applied here).
     *
     * @param clientId      client id.
     * @param correlationId client's correlation id.
     * @param key           key.
     * @param timestamp     event time, epoch ns.
     * @param value         a finite value.
     * @param receiveNanos  when it was received, on the producer's monotonic clock; also the clock reading for the
     *                      tick rule.
     * @return {@link #OFFERED} when the event was written and published; the reject reason when a REJECT went in
     * instead; {@link #RING_FULL} when the ring lacks room (for the event and its tick), in which case nothing
     * changed.
     */
    public int offerEvent(
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final double value,
        final long receiveNanos)
    {
        final int group = router.keyGroup(router.hash(key));
        final int shard = router.owner(group, shardCount);
        final GroupOwnership ownership = this.ownership;
        if (!marks.isNew(clientId, correlationId))
        {
            final int reason = null == ownership || ownership.ownedWhenSequenced(clientId, correlationId, group) ?
                RejectReason.DUPLICATE : RejectReason.NOT_OWNER;
            return writeReject(shard, clientId, correlationId, key, reason, receiveNanos, 0) ? reason : RING_FULL;
        }
        if (!marks.hasRoomFor(clientId))
        {
            return writeReject(shard, clientId, correlationId, key, RejectReason.CLIENTS_FULL, receiveNanos, 0) ?
                RejectReason.CLIENTS_FULL : RING_FULL;
        }
        if (null != ownership && !ownership.owns(group))
        {
            if (!ring.hasCapacity(1))
            {
                return RING_FULL;
            }
            marks.accept(clientId, correlationId);
            writeReject(shard, clientId, correlationId, key, RejectReason.NOT_OWNER, receiveNanos, 0);
            return RejectReason.NOT_OWNER;
        }
        final WatermarkTracker watermarks = this.watermarks;
        final boolean tickFirst = null != watermarks && watermarks.needsTickBefore(timestamp);
        if (!ring.hasCapacity(tickFirst ? 2 : 1))
        {
            return RING_FULL;
        }
        marks.accept(clientId, correlationId);
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
                .event(shard, clientId, correlationId, key, timestamp, value, receiveNanos);
        }
        finally
        {
            ring.publish(sequence);
        }
        return OFFERED;
    }

    /**
     * @param code a result of {@link #offerOwnership}.
     * @return what it means, for a refusal's answer.
     */
    public static String describeOwnershipRefusal(final int code)
    {
        return switch (code)
        {
            case OFFERED -> "offered";
            case RING_FULL -> "the ring is full";
            case OWNERSHIP_STALE_EPOCH -> "the epoch is not above the appliance's";
            case OWNERSHIP_NOT_OWNED -> "the appliance does not own every key group of the range";
            case OWNERSHIP_ALREADY_OWNED -> "the appliance already owns key groups of the range";
            case OWNERSHIP_NO_TOPOLOGY -> "the appliance is not in a topology";
            case OWNERSHIP_BAD_RANGE -> "the range is outside the key groups or the action is unknown";
            default -> "unknown result " + code;
        };
    }

    /**
     * @return most events one batch holds.
     */
    public int batchCapacity()
    {
        return batch.capacity();
    }

    /**
     * Start staging a batch of one client's events (an {@code EventBatch} message), dropping whatever was staged
     * before. Then {@link #addToBatch} each event and {@link #offerBatch} them together.
     *
     * @param clientId   the batch's client.
     * @param resultMode the {@link io.sluice.core.ResultMode} its events' results take.
     */
    public void beginBatch(final long clientId, final int resultMode)
    {
        batch.begin(clientId, resultMode);
    }

    /**
     * Stage the next event of the batch.
     *
     * @param correlationId client's correlation id.
     * @param key           key.
     * @param timestamp     event time, epoch ns.
     * @param value         value; anything when a reason is given.
     * @param reason        0 for an event the caller found valid, else the {@link RejectReason} it was refused with.
     * @throws IndexOutOfBoundsException when the batch already holds {@link #batchCapacity()} events.
     */
    public void addToBatch(
        final long correlationId, final long key, final long timestamp, final double value, final int reason)
    {
        batch.add(correlationId, key, timestamp, value, reason);
    }

    /**
     * Put the staged batch into the ring with one claim and one publish: each event (its client's mark checked as
     * {@link #offerEvent} does, a tick before it when it moves the watermark into a new pane) or, for an event
     * refused by the caller or by its mark, a REJECT naming its index in the batch. All of it or nothing: the ring
     * must have room for twice the batch (a tick before every event, at worst), else nothing changes and the same
     * batch may be staged and offered again. Afterwards {@link #batchReason(int)} tells each event's outcome. In a
     * topology each event is decided as {@link #offerEvent} decides it (NOT_OWNER or DUPLICATE).
     *
     * @param receiveNanos when the batch was received, on the producer's monotonic clock.
     * @return {@link #OFFERED}, or {@link #RING_FULL} with nothing changed.
     */
    public int offerBatch(final long receiveNanos)
    {
        final int size = batch.size();
        if (0 == size)
        {
            return OFFERED;
        }
        if (!ring.hasCapacity(2 * size))
        {
            return RING_FULL;
        }
        final int slots = batch.admit(router, shardCount, ownership, marks, watermarks, ticks, receiveNanos);
        final long hi = ring.claim(slots);
        batch.write(ring, hi - slots + 1, hi, receiveNanos, null == ownership ? 0 : ownership.epoch());
        return OFFERED;
    }

    /**
     * @return events in the staged (or last offered) batch.
     */
    public int batchSize()
    {
        return batch.size();
    }

    /**
     * @param index an event's index in the last offered batch.
     * @return 0 when it went into the ring as an event, else the reason of the REJECT that went in instead.
     */
    public int batchReason(final int index)
    {
        return batch.reason(index);
    }

    /**
     * Replay a journaled entry's effect on the producer's state, without writing the ring: an EVENT raises its
     * client's mark and moves the watermark, a TICK records the tick; in a topology an OWNERSHIP entry changes the
     * ownership as {@link #offerOwnership} did (with the marks as they stand here), and an event's NOT_OWNER REJECT
     * raises its client's mark when above it. Recovery calls it for every entry after the snapshot, in journal
     * order, before going live.
     *
     * @param entry a journaled entry.
     * @param nowNs the producer's monotonic clock.
     */
    public void applyJournaled(final RingEntry entry, final long nowNs)
    {
        switch (entry.type())
        {
            case RingEntry.TYPE_EVENT:
                marks.accept(entry.clientId(), entry.correlationId());
                if (null != watermarks)
                {
                    watermarks.onEvent(entry.timestamp(), nowNs);
                }
                break;

            case RingEntry.TYPE_TICK:
                if (null != watermarks)
                {
                    watermarks.advanceTo(entry.timestamp());
                    watermarks.ticked(nowNs);
                }
                break;

            case RingEntry.TYPE_OWNERSHIP:
                if (null != ownership)
                {
                    ownership.apply(OwnershipEntry.epoch(entry), OwnershipEntry.firstGroup(entry),
                        OwnershipEntry.lastGroup(entry), OwnershipEntry.action(entry), marks);
                }
                break;

            case RingEntry.TYPE_REJECT:
                if (RejectReason.NOT_OWNER == entry.reason() && QUERY_REJECT != entry.resultMode() &&
                    marks.isNew(entry.clientId(), entry.correlationId()))
                {
                    marks.accept(entry.clientId(), entry.correlationId());
                }
                break;

            default:
                break;
        }
    }

    /**
     * Put back the producer's state from a snapshot (recovery, before going live).
     *
     * @param snapshot the producer's part of a snapshot; its ownership, when it has one, goes into this producer's
     *                 ({@link ProducerSnapshot#restoreOwnership}).
     * @param nowNs    the producer's monotonic clock.
     */
    public void restore(final ProducerSnapshot snapshot, final long nowNs)
    {
        snapshot.restoreInto(watermarks, marks, nowNs);
        if (null != ownership)
        {
            snapshot.restoreOwnership(ownership);
        }
    }

    /**
     * @return true when a clock-driven tick can still become due without another input ({@link WatermarkTracker#mayTick});
     * false without windows.
     */
    public boolean mayTick()
    {
        return null != watermarks && watermarks.mayTick();
    }

    /**
     * @return the clock reading of the last tick, {@link Long#MIN_VALUE} without windows; with
     * {@link #lastEventNs()} the clock-driven state a snapshot of a source whose clock is its input (a cluster's time)
     * must keep ({@link #restoreClock}).
     */
    public long lastTickNs()
    {
        return null == watermarks ? Long.MIN_VALUE : watermarks.lastTickNs();
    }

    /**
     * @return the clock reading of the last accepted event, {@link Long#MIN_VALUE} without windows.
     */
    public long lastEventNs()
    {
        return null == watermarks ? Long.MIN_VALUE : watermarks.lastEventNs();
    }

    /**
     * After {@link #restore}, put back the clock-driven state too (the tick interval and idle advance count from
     * these readings, not from the restore), for a source whose clock is part of its input: a cluster node restored
     * from a snapshot then ticks at the same log positions as the nodes that never stopped. Does nothing without
     * windows.
     *
     * @param lastTickNs  the clock reading of the last tick.
     * @param lastEventNs the clock reading of the last accepted event.
     */
    public void restoreClock(final long lastTickNs, final long lastEventNs)
    {
        if (null != watermarks)
        {
            watermarks.restoreClock(lastTickNs, lastEventNs);
        }
    }

    /**
     * Put a query into the ring; in a topology, one of a key group not owned goes in as a REJECT {@code NOT_OWNER}
     * carrying the epoch instead (no mark changes).
     *
     * @param clientId      client id.
     * @param correlationId client's correlation id.
     * @param key           key.
     * @param receiveNanos  when it was received, on the producer's monotonic clock.
     * @return true when written and published; false when the ring is full.
     */
    public boolean offerQuery(final long clientId, final long correlationId, final long key, final long receiveNanos)
    {
        final int group = router.keyGroup(router.hash(key));
        final int shard = router.owner(group, shardCount);
        if (null != ownership && !ownership.owns(group))
        {
            return writeReject(shard, clientId, correlationId, key, RejectReason.NOT_OWNER, receiveNanos, QUERY_REJECT);
        }
        if (!ring.hasCapacity(1))
        {
            return false;
        }
        final long sequence = ring.claim();
        try
        {
            ring.entry(sequence).clear().query(shard, clientId, correlationId, key, receiveNanos);
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
