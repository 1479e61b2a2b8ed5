package io.sluice.server.ingress;

import io.sluice.transport.codec.EventBatchEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes {@code EventBatch} frames byte by byte, well formed or not (block and group lengths, declared count, result
 * mode, schema version and trailing bytes all settable), for tests that feed the ingress what a faulty or newer
 * client could send.
 * <pre>
 *   header (8): blockLength, templateId 4, schemaId, version
 *   block (blockLength): clientId int64, resultMode uint8, padding
 *   group header (4): entryLength uint16, count uint16
 *   entries (entryLength each): correlationId, key, timestamp int64, value double, padding
 *   trailing bytes
 * </pre>
 */
public final class BatchFrame
{
    private final List<long[]> events = new ArrayList<>();
    private final List<Double> values = new ArrayList<>();
    private final long clientId;
    private int resultMode;
    private int blockLength = EventBatchEncoder.BLOCK_LENGTH;
    private int version = MessageHeaderEncoder.SCHEMA_VERSION;
    private int entryLength = EventBatchEncoder.EventsEncoder.sbeBlockLength();
    private int declaredCount = -1;
    private int trailingBytes;

    /**
     * @param clientId   the batch's client.
     * @param resultMode the wire value of its result mode.
     */
    public BatchFrame(final long clientId, final int resultMode)
    {
        this.clientId = clientId;
        this.resultMode = resultMode;
    }

    /**
     * @param correlationId the event's correlation id.
     * @param key           its key.
     * @param timestamp     its time, epoch ns.
     * @param value         its value.
     * @return this.
     */
    public BatchFrame add(final long correlationId, final long key, final long timestamp, final double value)
    {
        events.add(new long[]{correlationId, key, timestamp});
        values.add(value);
        return this;
    }

    /**
     * @param resultMode the wire value of the result mode, any byte.
     * @return this.
     */
    public BatchFrame resultMode(final int resultMode)
    {
        this.resultMode = resultMode;
        return this;
    }

    /**
     * @param blockLength the header's block length; the block is written that long (clientId and resultMode only
     *                    where they fit).
     * @return this.
     */
    public BatchFrame blockLength(final int blockLength)
    {
        this.blockLength = blockLength;
        return this;
    }

    /**
     * @param version the header's schema version.
     * @return this.
     */
    public BatchFrame version(final int version)
    {
        this.version = version;
        return this;
    }

    /**
     * @param entryLength the group header's entry length; each entry is written that long (fields where they fit).
     * @return this.
     */
    public BatchFrame entryLength(final int entryLength)
    {
        this.entryLength = entryLength;
        return this;
    }

    /**
     * @param count the group header's count, whatever number of events is written.
     * @return this.
     */
    public BatchFrame declaredCount(final int count)
    {
        this.declaredCount = count;
        return this;
    }

    /**
     * @param bytes zero bytes written after the last entry.
     * @return this.
     */
    public BatchFrame trailingBytes(final int bytes)
    {
        this.trailingBytes = bytes;
        return this;
    }

    /**
     * @return events added.
     */
    public int size()
    {
        return events.size();
    }

    /**
     * @param buffer where to write, from offset 0; zeroed first over the frame's length.
     * @return the frame's length.
     */
    public int writeTo(final MutableDirectBuffer buffer)
    {
        final int count = events.size();
        final int groupOffset = MessageHeaderEncoder.ENCODED_LENGTH + blockLength;
        final int length = groupOffset + 4 + count * entryLength + trailingBytes;
        buffer.setMemory(0, length, (byte)0);
        buffer.putShort(0, (short)blockLength, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(2, (short)EventBatchEncoder.TEMPLATE_ID, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(4, (short)EventBatchEncoder.SCHEMA_ID, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(6, (short)version, ByteOrder.LITTLE_ENDIAN);
        if (blockLength >= 8)
        {
            buffer.putLong(MessageHeaderEncoder.ENCODED_LENGTH, clientId, ByteOrder.LITTLE_ENDIAN);
        }
        if (blockLength >= 9)
        {
            buffer.putByte(MessageHeaderEncoder.ENCODED_LENGTH + 8, (byte)resultMode);
        }
        buffer.putShort(groupOffset, (short)entryLength, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(groupOffset + 2, (short)(declaredCount >= 0 ? declaredCount : count), ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++)
        {
            final int entry = groupOffset + 4 + i * entryLength;
            final long[] event = events.get(i);
            for (int field = 0; field < 3 && (field + 1) * 8 <= entryLength; field++)
            {
                buffer.putLong(entry + field * 8, event[field], ByteOrder.LITTLE_ENDIAN);
            }
            if (32 <= entryLength)
            {
                buffer.putDouble(entry + 24, values.get(i), ByteOrder.LITTLE_ENDIAN);
            }
        }
        return length;
    }
}
