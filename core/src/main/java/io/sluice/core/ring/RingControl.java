package io.sluice.core.ring;

import io.sluice.core.RejectReason;
import io.sluice.core.route.ShardRouter;
import org.agrona.DirectBuffer;

/**
 * The ring producer's entries that are not a client's event or query: rejections, resumes, snapshot markers, rule
 * sets, credentials, run starts and ownership changes, with the state they share with the input path (ring, key
 * hash, marks, watermark, ownership). The one subclass is {@link RingProducer}, whose class comment gives the
 * protocol. Producer thread only; allocates nothing but on an ownership change.
 */
abstract class RingControl
{
    final SluiceRing ring;
    final ClientMarks marks;
    final ShardRouter router;
    final int shardCount;
    final WatermarkTracker watermarks;
    final RuleEntries rules = new RuleEntries();
    GroupOwnership ownership;

    RingControl(
        final SluiceRing ring,
        final ShardRouter router,
        final int shardCount,
        final WatermarkTracker watermarks,
        final ClientMarks marks)
    {
        if (shardCount < 1)
        {
            throw new IllegalArgumentException("shardCount must be >= 1: " + shardCount);
        }
        this.ring = ring;
        this.router = router;
        this.shardCount = shardCount;
        this.watermarks = watermarks;
        this.marks = marks;
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
     * @return the clients' high-water marks.
     */
    public ClientMarks marks()
    {
        return marks;
    }

    final boolean writeReject(
        final int shard,
        final long clientId,
        final long correlationId,
        final long key,
        final int reason,
        final long receiveNanos,
        final int resultMode)
    {
        if (!ring.hasCapacity(1))
        {
            return false;
        }
        final long sequence = ring.claim();
        try
        {
            final RingEntry entry = ring.entry(sequence).clear()
                .reject(shard, clientId, correlationId, key, reason, receiveNanos);
            if (RejectReason.NOT_OWNER == reason)
            {
                entry.rejectEpoch(null == ownership ? 0 : ownership.epoch()).resultMode(resultMode);
            }
        }
        finally
        {
            ring.publish(sequence);
        }
        return true;
    }

    /**
     * Change this appliance's ownership of a range of key groups (a move): check it, flip the groups, record the
     * transition with a copy of the clients' marks ({@link GroupOwnership#apply}), take the epoch, and put an
     * OWNERSHIP entry into the ring, which every processor sees (a release writes its keys of the range to a
     * slice and drops them; an acquire reads them in). A refusal changes nothing.
     *
     * @param epoch      the epoch the change brings in, above the one in force.
     * @param moveId     the move's id (names its slice).
     * @param firstGroup first key group of the range.
     * @param lastGroup  last key group of the range, inclusive.
     * @param action     {@link RingEntry#OWNERSHIP_RELEASE} or {@link RingEntry#OWNERSHIP_ACQUIRE}.
     * @param nowNs      the producer's monotonic clock.
     * @return {@link RingProducer#OFFERED}, {@link RingProducer#RING_FULL}, or an {@code OWNERSHIP_}
     * refusal ({@link RingProducer#describeOwnershipRefusal}).
     */
    public int offerOwnership(
        final long epoch, final long moveId, final int firstGroup, final int lastGroup, final int action,
        final long nowNs)
    {
        final GroupOwnership ownership = this.ownership;
        final int refusal = null == ownership ? RingProducer.OWNERSHIP_NO_TOPOLOGY :
            ownership.check(epoch, firstGroup, lastGroup, action);
        if (RingProducer.OFFERED != refusal)
        {
            return refusal;
        }
        if (!ring.hasCapacity(1))
        {
            return RingProducer.RING_FULL;
        }
        ownership.apply(epoch, firstGroup, lastGroup, action, marks);
        final long sequence = ring.claim();
        try
        {
            ring.entry(sequence).clear().ownership(epoch, moveId, firstGroup, lastGroup, action, nowNs);
        }
        finally
        {
            ring.publish(sequence);
        }
        return RingProducer.OFFERED;
    }

    /** Put a credentials change ({@link RingEntry#auth}) into the ring for the journal; false when it is full. */
    public boolean offerAuth(final long version, final long fingerprint, final int clientCount, final long nowNs)
    {
        final boolean room = ring.hasCapacity(1);
        if (room)
        {
            final long sequence = ring.claim();
            ring.entry(sequence).clear().auth(version, fingerprint, clientCount, nowNs);
            ring.publish(sequence);
        }
        return room;
    }

    /**
     * Put a client's resume request into the ring, carrying the client's mark as it stands now, for the processor
     * of the client id's shard to answer after every entry before it.
     *
     * @param clientId      the client.
     * @param correlationId the request's correlation id.
     * @param receiveNanos  when it was received, on the producer's monotonic clock.
     * @return true when written and published; false when the ring is full.
     */
    public boolean offerResume(final long clientId, final long correlationId, final long receiveNanos)
    {
        if (!ring.hasCapacity(1))
        {
            return false;
        }
        final long sequence = ring.claim();
        try
        {
            ring.entry(sequence).clear()
                .resume(shardOf(clientId), clientId, correlationId, marks.mark(clientId), receiveNanos);
        }
        finally
        {
            ring.publish(sequence);
        }
        return true;
    }

    /**
     * Put a snapshot marker into the ring, first copying the producer's own state (marks, watermark) as of the
     * marker into a holder.
     *
     * @param snapshotId the snapshot's id.
     * @param nowNs      the producer's monotonic clock.
     * @param into       receives the producer's state.
     * @return true when written and published; false when the ring is full (the holder is untouched then).
     */
    public boolean offerSnapshot(final long snapshotId, final long nowNs, final ProducerSnapshot into)
    {
        if (!ring.hasCapacity(1 + rules.chunks()))
        {
            return false;
        }
        into.capture(snapshotId, watermarks, marks);
        into.captureOwnership(ownership);
        final long sequence = ring.claim();
        try
        {
            ring.entry(sequence).clear().snapshot(snapshotId, nowNs);
        }
        finally
        {
            ring.publish(sequence);
        }
        rules.write(ring, nowNs);
        return true;
    }

    /**
     * Put a live change of the alert rules into the ring: the encoded set in RULES entries, one chunk each, in one
     * claim (no other input between them). From now on the set also follows every snapshot marker
     * ({@link #offerSnapshot}), so a recovery from that snapshot replays it before any later input.
     *
     * @param version the configuration version it brings in.
     * @param encoded the encoded rule set ({@code AlertRules.encode}).
     * @param length  its bytes.
     * @param nowNs   the producer's monotonic clock.
     * @return true when written and published; false when the ring has no room for every chunk (nothing changed).
     */
    public boolean offerRules(final long version, final DirectBuffer encoded, final int length, final long nowNs)
    {
        if (!ring.hasCapacity(RuleEntries.chunksFor(length)))
        {
            return false;
        }
        rules.rulesInForce(version, encoded, length);
        rules.write(ring, nowNs);
        return true;
    }

    /**
     * @return the rule set in force that follows every snapshot marker, once a live change happened or recovery
     * found one ({@link RuleEntries#rulesInForce}).
     */
    public RuleEntries rules()
    {
        return rules;
    }

    /**
     * Put the start of a run into the ring, for the journal: the hash seed and the configuration fingerprint.
     *
     * @param fingerprint fingerprint of the settings that shape state.
     * @param nowNs       the producer's monotonic clock.
     * @return true when written and published; false when the ring is full.
     */
    public boolean offerStart(final long fingerprint, final long nowNs)
    {
        if (!ring.hasCapacity(1))
        {
            return false;
        }
        final long sequence = ring.claim();
        try
        {
            ring.entry(sequence).clear().start(router.seed(), fingerprint, nowNs);
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
}
