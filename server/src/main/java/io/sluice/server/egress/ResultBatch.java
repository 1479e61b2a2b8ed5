package io.sluice.server.egress;

import io.sluice.core.state.Aggregate;
import io.sluice.transport.codec.EventResultBatchEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * One {@code EventResultBatch} being gathered: the results of {@code BATCHED} events, encoded by
 * {@link EgressCodec#batchedResult} into a buffer of its own, and sealed (its count patched in) when sent. The one
 * batched-result encoding of the standalone egress ({@link EgressPublisher}) and the cluster's
 * ({@code ClusterEgress}).
 * <pre>
 *   0        8             8 + 4                                      length
 *   +--------+-------------+---------------------------------------------+
 *   | header | group header | result 0 | result 1 | ... | result count-1 |
 *   +--------+-------------+---------------------------------------------+
 *   (the block is empty; numInGroup, at 8 + 2, is written when sealed)
 * </pre>
 * Allocates nothing after construction; one thread.
 */
public final class ResultBatch
{
    /** Message header, empty block and the results group's header. */
    public static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        EventResultBatchEncoder.BLOCK_LENGTH + EventResultBatchEncoder.ResultsEncoder.sbeHeaderSize();
    /** Offset of the group's numInGroup, patched when the batch is sealed. */
    private static final int COUNT_OFFSET = MessageHeaderEncoder.ENCODED_LENGTH +
        EventResultBatchEncoder.BLOCK_LENGTH + 2;
    private static final int RESULT_LENGTH = EventResultBatchEncoder.ResultsEncoder.sbeBlockLength();

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final EventResultBatchEncoder encoder = new EventResultBatchEncoder();
    private final UnsafeBuffer buffer;
    private final int capacity;
    private EventResultBatchEncoder.ResultsEncoder results;
    private long clientId;
    private int count;

    /**
     * @param capacity most results in one batch.
     */
    public ResultBatch(final int capacity)
    {
        this.capacity = capacity;
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(HEADER_LENGTH + capacity * RESULT_LENGTH, 64));
    }

    /**
     * @param maxMessageLength bytes one message may take.
     * @return results that fit one message of that length.
     */
    public static int capacityFor(final int maxMessageLength)
    {
        return (maxMessageLength - HEADER_LENGTH) / RESULT_LENGTH;
    }

    /**
     * @return most results in one batch.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return results gathered.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return true when no result is gathered.
     */
    public boolean isEmpty()
    {
        return 0 == count;
    }

    /**
     * @return the client of the batch's first result (of every result when the caller keeps one client a batch).
     */
    public long clientId()
    {
        return clientId;
    }

    /**
     * Add one result.
     *
     * @param clientId      the event's client.
     * @param correlationId the event's correlation id.
     * @param key           the event's key.
     * @param timestamp     the event's time.
     * @param aggregate     the key's aggregate after the event.
     * @return true when the batch is now full: seal and send it.
     */
    public boolean add(
        final long clientId, final long correlationId, final long key, final long timestamp, final Aggregate aggregate)
    {
        if (0 == count)
        {
            this.clientId = clientId;
            results = encoder.wrapAndApplyHeader(buffer, 0, header).resultsCount(capacity);
        }
        EgressCodec.batchedResult(results.next(), clientId, correlationId, key, timestamp, aggregate);
        return ++count == capacity;
    }

    /**
     * Write the count of the results gathered and start a new batch; the message stays in {@link #buffer()} until the
     * next {@link #add}.
     *
     * @return the message's length, from offset 0 of {@link #buffer()}.
     */
    public int seal()
    {
        final int sealed = count;
        count = 0;
        buffer.putShort(COUNT_OFFSET, (short)sealed, ByteOrder.LITTLE_ENDIAN);
        return HEADER_LENGTH + sealed * RESULT_LENGTH;
    }

    /**
     * @return the buffer the message is encoded in.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }
}
