package io.sluice.client;

import io.sluice.transport.codec.EventBatchEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.ResultMode;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * The pending {@code EventBatch} of one client: events are encoded into a buffer of the client's own as they are
 * offered, and leave as one message (at most one frame of the link) on {@link #send()}. The events group's count is
 * patched in when the batch is sent, so the buffer is never re-encoded. A batch of one event in
 * {@link ResultMode#PER_EVENT} mode leaves as a plain {@code Event}.
 * <pre>
 *   0                8                          24                28
 *   | message header | clientId(8) resultMode   | blockLength(2) | event 0 (32 bytes):       | event 1 | ...
 *   | (8 bytes)      | (block, 16 bytes)        | numInGroup(2)  | correlationId key         |
 *   |                |                          |                | timestamp value (8 each)  |
 * </pre>
 * The client's offering thread only; nothing allocated after construction.
 */
final class EventBatch
{
    /** Message header, block and the events group's header of an EventBatch. */
    private static final int BATCH_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + EventBatchEncoder.BLOCK_LENGTH +
        EventBatchEncoder.EventsEncoder.sbeHeaderSize();
    /** Offset of the events group's numInGroup, patched when the batch is sent. */
    private static final int BATCH_COUNT_OFFSET = MessageHeaderEncoder.ENCODED_LENGTH + EventBatchEncoder.BLOCK_LENGTH + 2;
    private static final int EVENT_LENGTH = EventBatchEncoder.EventsEncoder.sbeBlockLength();

    private final MessageSender sender;
    private final long clientId;
    private final ResultMode resultMode;
    private final int limit;
    private final UnsafeBuffer buffer;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EventBatchEncoder batchEncoder = new EventBatchEncoder();
    private EventBatchEncoder.EventsEncoder events;
    private int pending;
    private long lastSendResult;

    /**
     * @param sender                where the batch goes.
     * @param clientId              carried in the batch.
     * @param resultMode            the results the batch's events get.
     * @param maxBatchEvents        most events a batch holds as configured.
     * @param maxFrameMessageLength longest message the link sends in one frame: the batch holds no more.
     */
    EventBatch(
        final MessageSender sender,
        final long clientId,
        final ResultMode resultMode,
        final int maxBatchEvents,
        final int maxFrameMessageLength)
    {
        this.sender = sender;
        this.clientId = clientId;
        this.resultMode = resultMode;
        this.limit = Math.max(1, Math.min(maxBatchEvents, (maxFrameMessageLength - BATCH_HEADER_LENGTH) / EVENT_LENGTH));
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(BATCH_HEADER_LENGTH + limit * EVENT_LENGTH, 64));
    }

    /**
     * @return most events one batch holds.
     */
    int limit()
    {
        return limit;
    }

    /**
     * @return events added and not yet sent.
     */
    int pending()
    {
        return pending;
    }

    /**
     * @return true when another event does not fit.
     */
    boolean isFull()
    {
        return pending == limit;
    }

    /**
     * @return what the last {@link #send()} got: the new position, or a negative {@code Publication} code.
     */
    long lastSendResult()
    {
        return lastSendResult;
    }

    /**
     * Set a result as if the last send got it (a send that did not start because a resume is owed).
     *
     * @param result a negative {@code Publication} code.
     */
    void lastSendResult(final long result)
    {
        lastSendResult = result;
    }

    /**
     * Drop the pending events (a resume sends them again from the resend buffer).
     */
    void clear()
    {
        pending = 0;
    }

    /**
     * Add an event to the batch; the caller made sure it is not {@link #isFull()}.
     *
     * @param correlationId its correlation id.
     * @param key           the key.
     * @param timestamp     event time, epoch ns.
     * @param value         the value.
     */
    void add(final long correlationId, final long key, final long timestamp, final double value)
    {
        if (0 == pending)
        {
            events = batchEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId)
                .resultMode(resultMode)
                .eventsCount(limit);
        }
        events.next()
            .correlationId(correlationId)
            .key(key)
            .timestamp(timestamp)
            .value(value);
        pending++;
    }

    /**
     * Send the pending events, if any, as one message.
     *
     * @return true when nothing is pending any more; false when the link refused the batch, which stays pending
     * ({@link #lastSendResult()} says why).
     */
    boolean send()
    {
        final int count = pending;
        if (0 == count)
        {
            return true;
        }
        final long result;
        if (1 == count && ResultMode.PER_EVENT == resultMode)
        {
            final int entry = BATCH_HEADER_LENGTH;
            result = sender.offerEvent(buffer.getLong(entry), buffer.getLong(entry + 8),
                buffer.getLong(entry + 16), buffer.getDouble(entry + 24));
        }
        else
        {
            buffer.putShort(BATCH_COUNT_OFFSET, (short)count, ByteOrder.LITTLE_ENDIAN);
            result = sender.offer(buffer, 0, BATCH_HEADER_LENGTH + count * EVENT_LENGTH);
        }
        lastSendResult = result;
        if (result < 0)
        {
            return false;
        }
        pending = 0;
        return true;
    }
}
