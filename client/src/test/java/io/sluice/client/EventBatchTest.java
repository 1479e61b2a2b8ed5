package io.sluice.client;

import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.transport.codec.EventBatchDecoder;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.ResultMode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventBatchTest
{
    private static final long CLIENT = 77;
    /** A publication's max payload at the default MTU of 1408 (1408 less the 32-byte data header). */
    private static final int MAX_PAYLOAD_AT_DEFAULT_MTU = 1376;

    private final RecordingLink link = new RecordingLink();
    private final MessageSender sender = new MessageSender(link, CLIENT, null, null);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();

    @Test
    void shouldHoldAtMostWhatOneFrameTakes()
    {
        assertEquals(42, new EventBatch(sender, CLIENT, ResultMode.PER_EVENT, 1024, MAX_PAYLOAD_AT_DEFAULT_MTU).limit());
        assertEquals(5, new EventBatch(sender, CLIENT, ResultMode.PER_EVENT, 5, MAX_PAYLOAD_AT_DEFAULT_MTU).limit());
        assertEquals(1, new EventBatch(sender, CLIENT, ResultMode.PER_EVENT, 1024, 40).limit());
    }

    @Test
    void shouldSendThePendingEventsAsOneEventBatchWithTheirCount()
    {
        final EventBatch batch = new EventBatch(sender, CLIENT, ResultMode.BATCHED, 1024, MAX_PAYLOAD_AT_DEFAULT_MTU);
        batch.add(1, 10, 1000, 0.5);
        batch.add(2, 20, 2000, 1.5);
        batch.add(3, 30, 3000, 2.5);

        assertEquals(3, batch.pending());
        assertTrue(batch.send());

        assertEquals(0, batch.pending());
        assertEquals(1, link.messages);
        header.wrap(link.buffer, 0);
        assertEquals(EventBatchDecoder.TEMPLATE_ID, header.templateId());
        final EventBatchDecoder decoder = new EventBatchDecoder()
            .wrap(link.buffer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        assertEquals(CLIENT, decoder.clientId());
        assertEquals(ResultMode.BATCHED, decoder.resultMode());
        final EventBatchDecoder.EventsDecoder events = decoder.events();
        assertEquals(3, events.count());
        long expected = 1;
        for (final EventBatchDecoder.EventsDecoder event : events)
        {
            assertEquals(expected, event.correlationId());
            assertEquals(expected * 10, event.key());
            assertEquals(expected * 1000, event.timestamp());
            assertEquals(expected - 0.5, event.value());
            expected++;
        }
        assertEquals(link.length, decoder.encodedLength() + MessageHeaderDecoder.ENCODED_LENGTH);
    }

    @Test
    void shouldSendALoneEventInPerEventModeAsAPlainEvent()
    {
        final EventBatch batch = new EventBatch(sender, CLIENT, ResultMode.PER_EVENT, 1024, MAX_PAYLOAD_AT_DEFAULT_MTU);
        batch.add(9, 42, 123, 3.5);

        assertTrue(batch.send());

        assertEquals(1, link.messages);
        final int offset = DataHeaderFlyweight.HEADER_LENGTH;
        header.wrap(link.claimed, offset);
        assertEquals(EventDecoder.TEMPLATE_ID, header.templateId());
        final EventDecoder event = new EventDecoder()
            .wrap(link.claimed, offset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        assertEquals(CLIENT, event.clientId());
        assertEquals(9, event.correlationId());
        assertEquals(42, event.key());
        assertEquals(123, event.timestamp());
        assertEquals(3.5, event.value());
    }

    @Test
    void shouldKeepTheBatchPendingWhenTheLinkRefusesIt()
    {
        final EventBatch batch = new EventBatch(sender, CLIENT, ResultMode.BATCHED, 2, MAX_PAYLOAD_AT_DEFAULT_MTU);
        batch.add(1, 10, 1000, 0.5);
        batch.add(2, 20, 2000, 1.5);
        link.result = Publication.BACK_PRESSURED;

        assertTrue(batch.isFull());
        assertFalse(batch.send());

        assertEquals(Publication.BACK_PRESSURED, batch.lastSendResult());
        assertEquals(2, batch.pending());
        link.result = 64;
        assertTrue(batch.send());
        assertEquals(0, batch.pending());
        assertEquals(64, batch.lastSendResult());
    }

    /** Keeps the last message offered ({@link #buffer}) or claimed ({@link #claimed}), or refuses with {@link #result}. */
    private static final class RecordingLink implements ClientLink
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        UnsafeBuffer claimed;
        long result = 64;
        int messages;
        int length;

        public int claimHeaderLength()
        {
            return 0;
        }

        public int maxFrameMessageLength()
        {
            return MAX_PAYLOAD_AT_DEFAULT_MTU;
        }

        public long tryClaim(final int messageLength, final BufferClaim claim)
        {
            if (result < 0)
            {
                return result;
            }
            claimed = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH + messageLength]);
            claim.wrap(claimed, 0, claimed.capacity());
            messages++;
            length = messageLength;
            return result;
        }

        public long offer(final DirectBuffer source, final int offset, final int length)
        {
            if (result < 0)
            {
                return result;
            }
            buffer.putBytes(0, source, offset, length);
            messages++;
            this.length = length;
            return result;
        }

        public boolean isConnected(final int images)
        {
            return true;
        }

        public int connect(final int fragmentLimit)
        {
            return 0;
        }

        public int poll(final int fragmentLimit)
        {
            return 0;
        }

        public long epoch()
        {
            return 0;
        }

        public void close()
        {
        }
    }
}
