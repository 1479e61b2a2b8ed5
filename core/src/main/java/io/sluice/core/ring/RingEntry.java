package io.sluice.core.ring;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A ring slot: a flyweight over a fixed region of the ring's one off-heap buffer. The ring pre-allocates one
 * per slot; the ingress thread writes it between claim and publish, processors read it after.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          Entry type                           |  0  EVENT, QUERY, REJECT, TICK
 *  +---------------------------------------------------------------+
 *  |                             Shard                             |  4  processor that owns the entry
 *  +---------------------------------------------------------------+
 *  |                       Client id (64 bits)                     |  8
 *  +---------------------------------------------------------------+
 *  |                    Correlation id (64 bits)                   | 16
 *  +---------------------------------------------------------------+
 *  |                          Key (64 bits)                        | 24
 *  +---------------------------------------------------------------+
 *  |         Timestamp, event time epoch ns (64 bits)              | 32  TICK: watermark
 *  +---------------------------------------------------------------+
 *  |                Value, IEEE 754 double (64 bits)               | 40
 *  +---------------------------------------------------------------+
 *  |                          Reason code                          | 48  REJECT only
 *  +---------------------------------------------------------------+
 *  |                           (padding)                           | 52
 *  +---------------------------------------------------------------+
 *  |       Ingress receive time, System.nanoTime (64 bits)         | 56
 *  +---------------------------------------------------------------+
 * </pre>
 * The whole entry is {@link #LENGTH} bytes, the minimum slot length.
 */
public final class RingEntry
{
    /** A client's event, to be applied to its key's state. */
    public static final int TYPE_EVENT = 1;
    /** A client's query of a key. */
    public static final int TYPE_QUERY = 2;
    /** Input the ingress refused; the owning processor answers it with {@code Rejected}. */
    public static final int TYPE_REJECT = 3;
    /** Time passing: every processor sees it. */
    public static final int TYPE_TICK = 4;

    /** Offset of the entry type. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the shard. */
    public static final int SHARD_OFFSET = 4;
    /** Offset of the client id. */
    public static final int CLIENT_ID_OFFSET = 8;
    /** Offset of the correlation id. */
    public static final int CORRELATION_ID_OFFSET = 16;
    /** Offset of the key. */
    public static final int KEY_OFFSET = 24;
    /** Offset of the timestamp. */
    public static final int TIMESTAMP_OFFSET = 32;
    /** Offset of the value. */
    public static final int VALUE_OFFSET = 40;
    /** Offset of the reason code. */
    public static final int REASON_OFFSET = 48;
    /** Offset of the ingress receive time. */
    public static final int RECEIVE_NANOS_OFFSET = 56;
    /** Bytes used by an entry. */
    public static final int LENGTH = 64;

    private final UnsafeBuffer buffer;
    private final int offset;

    /**
     * @param buffer the ring's off-heap buffer.
     * @param offset start of this slot in the buffer.
     */
    public RingEntry(final UnsafeBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
    }

    /**
     * @return the entry type, one of the {@code TYPE_} constants.
     */
    public int type()
    {
        return buffer.getInt(offset + TYPE_OFFSET);
    }

    /**
     * @return the shard that owns this entry.
     */
    public int shard()
    {
        return buffer.getInt(offset + SHARD_OFFSET);
    }

    /**
     * @return the client id.
     */
    public long clientId()
    {
        return buffer.getLong(offset + CLIENT_ID_OFFSET);
    }

    /**
     * @return the client's correlation id.
     */
    public long correlationId()
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET);
    }

    /**
     * @return the key.
     */
    public long key()
    {
        return buffer.getLong(offset + KEY_OFFSET);
    }

    /**
     * @return the event time in epoch ns; for a tick, the watermark.
     */
    public long timestamp()
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET);
    }

    /**
     * @return the value.
     */
    public double value()
    {
        return buffer.getDouble(offset + VALUE_OFFSET);
    }

    /**
     * @return the reason code of a REJECT entry.
     */
    public int reason()
    {
        return buffer.getInt(offset + REASON_OFFSET);
    }

    /**
     * @return {@code System.nanoTime()} when the ingress received the message.
     */
    public long receiveNanos()
    {
        return buffer.getLong(offset + RECEIVE_NANOS_OFFSET);
    }

    /**
     * Write an event. Ingress thread only, between claim and publish.
     *
     * @param shard         owning shard.
     * @param clientId      client id.
     * @param correlationId client's correlation id.
     * @param key           key.
     * @param timestamp     event time, epoch ns.
     * @param value         value.
     * @param receiveNanos  receive time, {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry event(
        final int shard,
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final double value,
        final long receiveNanos)
    {
        header(TYPE_EVENT, shard, clientId, correlationId, key, receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, timestamp);
        buffer.putDouble(offset + VALUE_OFFSET, value);
        buffer.putInt(offset + REASON_OFFSET, 0);
        return this;
    }

    /**
     * Write a query. Ingress thread only, between claim and publish.
     *
     * @param shard         owning shard.
     * @param clientId      client id.
     * @param correlationId client's correlation id.
     * @param key           key.
     * @param receiveNanos  receive time, {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry query(
        final int shard, final long clientId, final long correlationId, final long key, final long receiveNanos)
    {
        header(TYPE_QUERY, shard, clientId, correlationId, key, receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, 0);
        buffer.putDouble(offset + VALUE_OFFSET, 0);
        buffer.putInt(offset + REASON_OFFSET, 0);
        return this;
    }

    /**
     * Write a rejection of input the ingress refused. Ingress thread only, between claim and publish.
     *
     * @param shard         shard whose processor answers it.
     * @param clientId      client id, 0 when it could not be read.
     * @param correlationId correlation id, 0 when it could not be read.
     * @param key           key, 0 when it could not be read.
     * @param reason        a {@code RejectReason} code.
     * @param receiveNanos  receive time, {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry reject(
        final int shard,
        final long clientId,
        final long correlationId,
        final long key,
        final int reason,
        final long receiveNanos)
    {
        header(TYPE_REJECT, shard, clientId, correlationId, key, receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, 0);
        buffer.putDouble(offset + VALUE_OFFSET, 0);
        buffer.putInt(offset + REASON_OFFSET, reason);
        return this;
    }

    /**
     * Write a tick. Ingress thread only, between claim and publish.
     *
     * @param watermarkNs  the watermark, epoch ns.
     * @param wallClockNs  wall-clock time, epoch ns.
     * @param receiveNanos {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry tick(final long watermarkNs, final long wallClockNs, final long receiveNanos)
    {
        header(TYPE_TICK, -1, 0, 0, 0, receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, watermarkNs);
        buffer.putLong(offset + VALUE_OFFSET, wallClockNs);
        buffer.putInt(offset + REASON_OFFSET, 0);
        return this;
    }

    /**
     * @return the wall-clock time of a TICK entry, epoch ns.
     */
    public long tickWallClockNs()
    {
        return buffer.getLong(offset + VALUE_OFFSET);
    }

    private void header(
        final int type, final int shard, final long clientId, final long correlationId, final long key, final long nanos)
    {
        buffer.putInt(offset + TYPE_OFFSET, type);
        buffer.putInt(offset + SHARD_OFFSET, shard);
        buffer.putLong(offset + CLIENT_ID_OFFSET, clientId);
        buffer.putLong(offset + CORRELATION_ID_OFFSET, correlationId);
        buffer.putLong(offset + KEY_OFFSET, key);
        buffer.putLong(offset + RECEIVE_NANOS_OFFSET, nanos);
    }
}
