package io.sluice.core.ring;

import io.sluice.core.RejectReason;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A ring slot: a flyweight over a fixed region of the ring's one off-heap buffer. The ring pre-allocates one
 * per slot; the ring's one producer ({@link RingProducer}) writes it between claim and publish, processors read it
 * after. The producer marks a claimed slot {@link #TYPE_NONE} before writing it and writes the type last, so an
 * entry whose write failed is published as NONE (processors skip it), never as a stale entry of the previous lap.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          Entry type                           |  0  NONE, EVENT, QUERY, REJECT, TICK,
 *  |                                                               |     SNAPSHOT, START, RESUME, RULES
 *  +---------------------------------------------------------------+
 *  |                             Shard                             |  4  processor that owns the entry
 *  +---------------------------------------------------------------+
 *  |                       Client id (64 bits)                     |  8
 *  +---------------------------------------------------------------+
 *  |                    Correlation id (64 bits)                   | 16  SNAPSHOT: snapshot id
 *  +---------------------------------------------------------------+
 *  |                          Key (64 bits)                        | 24  START: hash seed
 *  +---------------------------------------------------------------+
 *  |         Timestamp, event time epoch ns (64 bits)              | 32  TICK: watermark; RESUME: the
 *  |                                                               |     client's last correlation id;
 *  |                                                               |     START: configuration fingerprint
 *  +---------------------------------------------------------------+
 *  |                Value, IEEE 754 double (64 bits)               | 40  EVENT only
 *  +---------------------------------------------------------------+
 *  |                          Reason code                          | 48  REJECT only
 *  +---------------------------------------------------------------+
 *  |          Result mode          |     Batch index + 1           | 52  EVENT: result mode; EVENT, REJECT:
 *  |                               |                               |     index in the client's batch + 1
 *  +---------------------------------------------------------------+
 *  |       Ingress receive time, System.nanoTime (64 bits)         | 56
 *  +---------------------------------------------------------------+
 * </pre>
 * The whole entry is {@link #LENGTH} bytes, one slot of the ring. The journal holds entries in this same layout
 * (every type but NONE), so a journaled entry is replayed by copying it back into a slot.
 * <p>
 * A RULES entry (configuration in the log: the alert rules changed live) carries one chunk of an encoded rule
 * set; a set of {@code n} chunks is {@code n} consecutive entries, and every processor switches at the last:
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                       Entry type = RULES                      |  0
 *  +---------------------------------------------------------------+
 *  |                           Shard = -1                          |  4  every processor
 *  +---------------------------------------------------------------+
 *  |                  Configuration version (64 bits)              |  8
 *  +-------------------------------+-------------------------------+
 *  |          Chunk index          |          Chunk count          | 16
 *  +-------------------------------+-------------------------------+
 *  |                 Chunk payload (32 bytes)                      | 24 .. 55
 *  +---------------------------------------------------------------+
 *  |       Producer time, System.nanoTime (64 bits)                | 56
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class RingEntry
{
    /** A claimed slot whose write did not complete: no input, processors skip it. */
    public static final int TYPE_NONE = 0;
    /** A client's event, to be applied to its key's state. */
    public static final int TYPE_EVENT = 1;
    /** A client's query of a key. */
    public static final int TYPE_QUERY = 2;
    /** Input the ingress refused; the owning processor answers it with {@code Rejected}. */
    public static final int TYPE_REJECT = 3;
    /** Time passing: every processor sees it. */
    public static final int TYPE_TICK = 4;
    /** Take a snapshot: every processor copies its state on reaching it; the correlation id is the snapshot id. */
    public static final int TYPE_SNAPSHOT = 5;
    /** A run of the daemon began: hash seed in the key, configuration fingerprint in the timestamp. Journal only. */
    public static final int TYPE_START = 6;
    /** A client asked where to resume: the processor of the client's shard answers with the mark it carries. */
    public static final int TYPE_RESUME = 7;
    /**
     * One chunk of a live change of the alert rules (configuration version in the client id field): every processor
     * stages it and switches to the new rules at the set's last chunk.
     */
    public static final int TYPE_RULES = 8;
    /**
     * The daemon's credentials changed (authentication on; a reload): credentials version in the client id field,
     * the file's fingerprint in the key, its client count in the correlation id. Journal only: processors and
     * replay pass over it.
     */
    public static final int TYPE_AUTH = 9;
    /**
     * Topology mode: this appliance's ownership of a range of key groups changes here, at this journal position
     * (epoch in the client id field, move id in the correlation id, first and last group of the range in the key's
     * high and low 32 bits, {@link #OWNERSHIP_RELEASE} or {@link #OWNERSHIP_ACQUIRE} in the reason). Every processor
     * sees it: on a release each writes the range's keys to the move's slice and drops them; on an acquire each
     * takes the keys of the range it owns from the slice. Read it through {@link OwnershipEntry}.
     */
    public static final int TYPE_OWNERSHIP = 10;
    /** One past the highest type. */
    public static final int TYPE_LIMIT = 11;
    /** An OWNERSHIP entry's action: the appliance gives the range up. */
    public static final int OWNERSHIP_RELEASE = 1;
    /** An OWNERSHIP entry's action: the appliance takes the range over from a slice. */
    public static final int OWNERSHIP_ACQUIRE = 2;
    /** Offset of a RULES entry's chunk payload. */
    public static final int RULES_PAYLOAD_OFFSET = 24;
    /** Bytes of a RULES entry's chunk payload. */
    public static final int RULES_PAYLOAD_LENGTH = 32;

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
    /** Offset of the result mode of an EVENT ({@link io.sluice.core.ResultMode}), 16 bits. */
    public static final int RESULT_MODE_OFFSET = 52;
    /** Offset of an EVENT's or REJECT's index in its client's batch plus one (0: not from a batch), 16 bits. */
    public static final int BATCH_INDEX_OFFSET = 54;
    /** Offset of the ingress receive time. */
    public static final int RECEIVE_NANOS_OFFSET = 56;
    /** Bytes of an entry: one ring slot. */
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
     * @return an EVENT's {@link io.sluice.core.ResultMode}: which result its client wants.
     */
    public int resultMode()
    {
        return buffer.getShort(offset + RESULT_MODE_OFFSET);
    }

    /**
     * @return an EVENT's or a REJECT's index in its client's {@code EventBatch}, -1 when the input was not an event of
     * a batch.
     */
    public int batchIndex()
    {
        return (buffer.getShort(offset + BATCH_INDEX_OFFSET) & 0xFFFF) - 1;
    }

    /**
     * @return {@code System.nanoTime()} when the ingress received the message.
     */
    public long receiveNanos()
    {
        return buffer.getLong(offset + RECEIVE_NANOS_OFFSET);
    }

    /**
     * Write an event. Producer thread only, between claim and publish.
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
        return event(shard, clientId, correlationId, key, timestamp, value, receiveNanos, 0, -1);
    }

    /**
     * Write an event with the result its client wants. Producer thread only, between claim and publish.
     *
     * @param shard         owning shard.
     * @param clientId      client id.
     * @param correlationId client's correlation id.
     * @param key           key.
     * @param timestamp     event time, epoch ns.
     * @param value         value.
     * @param receiveNanos  receive time, {@code System.nanoTime()}.
     * @param resultMode    a {@link io.sluice.core.ResultMode}.
     * @param batchIndex    the event's index in its client's batch, -1 when not from a batch.
     * @return this.
     */
    public RingEntry event(
        final int shard,
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final double value,
        final long receiveNanos,
        final int resultMode,
        final int batchIndex)
    {
        ids(shard, clientId, correlationId, key, receiveNanos);
        buffer.putShort(offset + RESULT_MODE_OFFSET, (short)resultMode);
        buffer.putShort(offset + BATCH_INDEX_OFFSET, (short)(batchIndex + 1));
        buffer.putLong(offset + TIMESTAMP_OFFSET, timestamp);
        buffer.putDouble(offset + VALUE_OFFSET, value);
        buffer.putInt(offset + REASON_OFFSET, 0);
        buffer.putInt(offset + TYPE_OFFSET, TYPE_EVENT);
        return this;
    }

    /**
     * Write a query. Producer thread only, between claim and publish.
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
        ids(shard, clientId, correlationId, key, receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, 0);
        buffer.putDouble(offset + VALUE_OFFSET, 0);
        buffer.putInt(offset + REASON_OFFSET, 0);
        buffer.putInt(offset + TYPE_OFFSET, TYPE_QUERY);
        return this;
    }

    /**
     * Write a rejection of input the ingress refused. Producer thread only, between claim and publish.
     *
     * @param shard         shard whose processor answers it.
     * @param clientId      client id, 0 when it could not be read.
     * @param correlationId correlation id, 0 when it could not be read.
     * @param key           key, 0 when it could not be read.
     * @param reason        a {@link RejectReason} code, in {@code [1, RejectReason.LIMIT)}.
     * @param receiveNanos  receive time, {@code System.nanoTime()}.
     * @return this.
     * @throws IllegalArgumentException when the reason is not a reject reason; nothing is written then.
     */
    public RingEntry reject(
        final int shard,
        final long clientId,
        final long correlationId,
        final long key,
        final int reason,
        final long receiveNanos)
    {
        return reject(shard, clientId, correlationId, key, reason, receiveNanos, -1);
    }

    /**
     * Write a rejection of one event of a batch, naming its index. Producer thread only, between claim and publish.
     *
     * @param shard         owning shard.
     * @param clientId      client id, 0 when it could not be read.
     * @param correlationId client's correlation id, 0 when it could not be read.
     * @param key           key, 0 when it could not be read.
     * @param reason        a {@link RejectReason} code, in {@code [1, RejectReason.LIMIT)}.
     * @param receiveNanos  receive time, {@code System.nanoTime()}.
     * @param batchIndex    the event's index in its batch, -1 when not from a batch (or the whole batch).
     * @return this.
     * @throws IllegalArgumentException when the reason is not a reject reason; nothing is written then.
     */
    public RingEntry reject(
        final int shard,
        final long clientId,
        final long correlationId,
        final long key,
        final int reason,
        final long receiveNanos,
        final int batchIndex)
    {
        if (reason < 1 || reason >= RejectReason.LIMIT)
        {
            throw new IllegalArgumentException("not a reject reason: " + reason);
        }
        ids(shard, clientId, correlationId, key, receiveNanos);
        buffer.putShort(offset + BATCH_INDEX_OFFSET, (short)(batchIndex + 1));
        buffer.putLong(offset + TIMESTAMP_OFFSET, 0);
        buffer.putDouble(offset + VALUE_OFFSET, 0);
        buffer.putInt(offset + REASON_OFFSET, reason);
        buffer.putInt(offset + TYPE_OFFSET, TYPE_REJECT);
        return this;
    }

    /**
     * Write a tick. Producer thread only, between claim and publish.
     *
     * @param watermarkNs  the watermark, epoch ns.
     * @param receiveNanos {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry tick(final long watermarkNs, final long receiveNanos)
    {
        ids(-1, 0, 0, 0, receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, watermarkNs);
        buffer.putDouble(offset + VALUE_OFFSET, 0);
        buffer.putInt(offset + REASON_OFFSET, 0);
        buffer.putInt(offset + TYPE_OFFSET, TYPE_TICK);
        return this;
    }

    /**
     * Write a snapshot marker. Producer thread only, between claim and publish.
     *
     * @param snapshotId   the snapshot's id, increasing.
     * @param receiveNanos {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry snapshot(final long snapshotId, final long receiveNanos)
    {
        ids(-1, 0, snapshotId, 0, receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, 0);
        buffer.putDouble(offset + VALUE_OFFSET, 0);
        buffer.putInt(offset + REASON_OFFSET, 0);
        buffer.putInt(offset + TYPE_OFFSET, TYPE_SNAPSHOT);
        return this;
    }

    /**
     * Write the start of a run. Producer thread only, between claim and publish.
     *
     * @param hashSeed     the key hash's seed.
     * @param fingerprint  fingerprint of the settings that shape state.
     * @param receiveNanos {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry start(final long hashSeed, final long fingerprint, final long receiveNanos)
    {
        ids(-1, 0, 0, hashSeed, receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, fingerprint);
        buffer.putDouble(offset + VALUE_OFFSET, 0);
        buffer.putInt(offset + REASON_OFFSET, 0);
        buffer.putInt(offset + TYPE_OFFSET, TYPE_START);
        return this;
    }

    /**
     * Write a client's resume request. Producer thread only, between claim and publish.
     *
     * @param shard             shard whose processor answers (the client id's shard).
     * @param clientId          the client.
     * @param correlationId     the request's correlation id.
     * @param lastCorrelationId the highest event correlation id of the client in the ring before this entry, or
     *                          {@link Long#MIN_VALUE} for none.
     * @param receiveNanos      {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry resume(
        final int shard, final long clientId, final long correlationId, final long lastCorrelationId,
        final long receiveNanos)
    {
        ids(shard, clientId, correlationId, 0, receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, lastCorrelationId);
        buffer.putDouble(offset + VALUE_OFFSET, 0);
        buffer.putInt(offset + REASON_OFFSET, 0);
        buffer.putInt(offset + TYPE_OFFSET, TYPE_RESUME);
        return this;
    }

    /**
     * Write one chunk of an encoded rule set. Producer thread only, between claim and publish.
     *
     * @param version      the configuration version the set brings in.
     * @param chunkIndex   this chunk's index, from 0.
     * @param chunkCount   chunks of the set.
     * @param source       the encoded set.
     * @param sourceOffset where this chunk starts in it.
     * @param length       bytes of this chunk, at most {@link #RULES_PAYLOAD_LENGTH}; the rest is zeroed.
     * @param receiveNanos {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry rules(
        final long version,
        final int chunkIndex,
        final int chunkCount,
        final org.agrona.DirectBuffer source,
        final int sourceOffset,
        final int length,
        final long receiveNanos)
    {
        buffer.putInt(offset + SHARD_OFFSET, -1);
        buffer.putLong(offset + CLIENT_ID_OFFSET, version);
        buffer.putInt(offset + CORRELATION_ID_OFFSET, chunkIndex);
        buffer.putInt(offset + CORRELATION_ID_OFFSET + 4, chunkCount);
        buffer.setMemory(offset + RULES_PAYLOAD_OFFSET, RULES_PAYLOAD_LENGTH, (byte)0);
        buffer.putBytes(offset + RULES_PAYLOAD_OFFSET, source, sourceOffset, length);
        buffer.putLong(offset + RECEIVE_NANOS_OFFSET, receiveNanos);
        buffer.putInt(offset + TYPE_OFFSET, TYPE_RULES);
        return this;
    }

    /**
     * Write a change of this appliance's key-group ownership. Producer thread only, between claim and publish.
     *
     * @param epoch        the topology epoch the change brings in.
     * @param moveId       the move's id (names its slice).
     * @param firstGroup   first key group of the range.
     * @param lastGroup    last key group of the range, inclusive.
     * @param action       {@link #OWNERSHIP_RELEASE} or {@link #OWNERSHIP_ACQUIRE}.
     * @param receiveNanos {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry ownership(
        final long epoch,
        final long moveId,
        final int firstGroup,
        final int lastGroup,
        final int action,
        final long receiveNanos)
    {
        ids(-1, epoch, moveId, ((long)firstGroup << 32) | (lastGroup & 0xFFFF_FFFFL), receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, 0);
        buffer.putDouble(offset + VALUE_OFFSET, 0);
        buffer.putInt(offset + REASON_OFFSET, action);
        buffer.putInt(offset + TYPE_OFFSET, TYPE_OWNERSHIP);
        return this;
    }

    /**
     * Set the topology epoch a {@code NOT_OWNER} REJECT carries (in its timestamp field, 0 in every other REJECT).
     * Producer thread only, after {@link #reject} and before publish.
     *
     * @param epoch the appliance's topology epoch.
     * @return this.
     */
    public RingEntry rejectEpoch(final long epoch)
    {
        buffer.putLong(offset + TIMESTAMP_OFFSET, epoch);
        return this;
    }

    /**
     * Write a change of the credentials. Producer thread only, between claim and publish.
     *
     * @param version      the credentials version now in force.
     * @param fingerprint  the credentials file's fingerprint.
     * @param clientCount  clients the file lists.
     * @param receiveNanos {@code System.nanoTime()}.
     * @return this.
     */
    public RingEntry auth(final long version, final long fingerprint, final int clientCount, final long receiveNanos)
    {
        ids(-1, version, clientCount, fingerprint, receiveNanos);
        buffer.putLong(offset + TIMESTAMP_OFFSET, 0);
        buffer.putDouble(offset + VALUE_OFFSET, 0);
        buffer.putInt(offset + REASON_OFFSET, 0);
        buffer.putInt(offset + TYPE_OFFSET, TYPE_AUTH);
        return this;
    }

    /**
     * @return a RULES entry's configuration version.
     */
    public long rulesVersion()
    {
        return buffer.getLong(offset + CLIENT_ID_OFFSET);
    }

    /**
     * @return a RULES entry's chunk index, from 0.
     */
    public int rulesChunk()
    {
        return buffer.getInt(offset + CORRELATION_ID_OFFSET);
    }

    /**
     * @return a RULES entry's chunk count: the entry is its set's last when {@code rulesChunk() == rulesChunkCount() - 1}.
     */
    public int rulesChunkCount()
    {
        return buffer.getInt(offset + CORRELATION_ID_OFFSET + 4);
    }

    /**
     * Copy a whole entry (e.g. one read back from the journal) into this slot, type last. Producer thread only,
     * between claim and publish.
     *
     * @param source buffer holding an entry in this layout.
     * @param index  offset of the entry in the source.
     * @return this.
     */
    public RingEntry copyFrom(final org.agrona.DirectBuffer source, final int index)
    {
        buffer.putBytes(offset + SHARD_OFFSET, source, index + SHARD_OFFSET, LENGTH - SHARD_OFFSET);
        buffer.putInt(offset + TYPE_OFFSET, source.getInt(index + TYPE_OFFSET));
        return this;
    }

    /**
     * Hand the entry to another owner, for a replay that routes journaled entries to its own number of shards.
     *
     * @param shard the processor that owns the entry now.
     * @return this.
     */
    public RingEntry shard(final int shard)
    {
        buffer.putInt(offset + SHARD_OFFSET, shard);
        return this;
    }

    /**
     * Ask for another result of an EVENT, for a replay that writes per-event results or not whatever the client
     * chose.
     *
     * @param resultMode a {@link io.sluice.core.ResultMode}.
     * @return this.
     */
    public RingEntry resultMode(final int resultMode)
    {
        buffer.putShort(offset + RESULT_MODE_OFFSET, (short)resultMode);
        return this;
    }

    /**
     * @return the buffer this entry is a view of (the ring's, or a scratch one).
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return this entry's offset in {@link #buffer()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Mark a freshly claimed slot as holding no input, so that whatever happens before publish the processors never
     * see the previous lap's entry. Producer thread only, first thing after claim.
     *
     * @return this.
     */
    public RingEntry clear()
    {
        buffer.putInt(offset + TYPE_OFFSET, TYPE_NONE);
        buffer.putInt(offset + SHARD_OFFSET, -1);
        return this;
    }

    private void ids(final int shard, final long clientId, final long correlationId, final long key, final long nanos)
    {
        buffer.putInt(offset + SHARD_OFFSET, shard);
        buffer.putLong(offset + CLIENT_ID_OFFSET, clientId);
        buffer.putLong(offset + CORRELATION_ID_OFFSET, correlationId);
        buffer.putLong(offset + KEY_OFFSET, key);
        buffer.putInt(offset + RESULT_MODE_OFFSET, 0);
        buffer.putLong(offset + RECEIVE_NANOS_OFFSET, nanos);
    }
}
