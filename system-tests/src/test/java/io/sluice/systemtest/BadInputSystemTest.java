package io.sluice.systemtest;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.sluice.core.RejectReason;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BadInputSystemTest
{
    private static final long CLIENT = 4242;
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final int EVENT_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final EventEncoder event = new EventEncoder();

    @Test
    @Timeout(60)
    void shouldRejectEveryKindOfBadInputWithItsReasonAndKeepServing() throws Exception
    {
        // The test's own Aeron client on the daemon's driver: the daemon's client runs in invoker mode on the
        // daemon's thread, and calling it from the test thread would run the driver's duty cycle on two threads.
        try (TestDaemon daemon = new TestDaemon().start();
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(daemon.driverDir)))
        {
            final var config = daemon.config();
            final String egress = "aeron:udp?endpoint=localhost:0|control=" +
                io.aeron.ChannelUri.parse(config.egressChannel()).get("control") + "|control-mode=dynamic";
            try (ExclusivePublication publication =
                    aeron.addExclusivePublication(config.ingressChannel(), config.ingressStreamId());
                Subscription subscription = aeron.addSubscription(egress, config.egressStreamId()))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((!publication.isConnected() || subscription.imageCount() < config.processorCount()) &&
                    System.nanoTime() < deadline)
                {
                    Thread.sleep(1);
                }
                assertTrue(publication.isConnected());
                assertTrue(daemon.awaitEgressReceivers(TimeUnit.SECONDS.toNanos(10)), "daemon hears the subscriber");

                final Map<Long, Integer> expectedReasons = new TreeMap<>();
                send(publication, encodeEvent(1, 7, T0, 1.0), EVENT_LENGTH);
                send(publication, encodeEvent(2, 7, T0, 1.0), 5);
                expectedReasons.put(0L, RejectReason.TRUNCATED);
                send(publication, encodeEvent(3, 7, T0, 1.0), EVENT_LENGTH - 4);
                expectedReasons.put(3L, RejectReason.TRUNCATED);
                encodeEvent(4, 7, T0, 1.0).putShort(4, (short)99);
                send(publication, buffer, EVENT_LENGTH);
                expectedReasons.put(4L, RejectReason.WRONG_SCHEMA);
                encodeEvent(5, 7, T0, 1.0).putShort(6, (short)0);
                send(publication, buffer, EVENT_LENGTH);
                expectedReasons.put(5L, RejectReason.UNSUPPORTED_VERSION);
                encodeEvent(6, 7, T0, 1.0).putShort(2, (short)77);
                send(publication, buffer, EVENT_LENGTH);
                expectedReasons.put(6L, RejectReason.UNKNOWN_TEMPLATE);
                encodeEvent(7, 7, T0, 1.0).putShort(0, (short)(EventEncoder.BLOCK_LENGTH - 8));
                send(publication, buffer, EVENT_LENGTH);
                expectedReasons.put(7L, RejectReason.BAD_BLOCK_LENGTH);
                send(publication, encodeEvent(8, 7, T0, Double.NaN), EVENT_LENGTH);
                expectedReasons.put(8L, RejectReason.INVALID_VALUE);
                send(publication, encodeEvent(9, 7, T0, Double.NEGATIVE_INFINITY), EVENT_LENGTH);
                expectedReasons.put(9L, RejectReason.INVALID_VALUE);
                send(publication, encodeEvent(10, 7, 5, 1.0), EVENT_LENGTH);
                expectedReasons.put(10L, RejectReason.TIMESTAMP_OUT_OF_RANGE);
                send(publication, encodeEvent(11, 7, Long.MAX_VALUE, 1.0), EVENT_LENGTH);
                expectedReasons.put(11L, RejectReason.TIMESTAMP_OUT_OF_RANGE);
                send(publication, encodeEvent(12, 7, T0 + 1, 2.5), EVENT_LENGTH);
                encodeEvent(13, 7, T0, 1.0).putShort(4, (short)99);
                send(publication, buffer, 5000);
                expectedReasons.put(13L, RejectReason.WRONG_SCHEMA);
                send(publication, encodeEvent(14, 7, T0 + 2, 1.0), 3000);
                encodeEvent(15, 7, T0 + 3, 2.0).putShort(6, (short)(MessageHeaderDecoder.SCHEMA_VERSION + 1));
                buffer.putShort(0, (short)(EventEncoder.BLOCK_LENGTH + 8));
                buffer.putLong(EVENT_LENGTH, 0x5eed_f1e1_dL);
                send(publication, buffer, EVENT_LENGTH + 8);
                encodeEvent(16, 7, T0 + 4, 1.0).putShort(6, (short)(MessageHeaderDecoder.SCHEMA_VERSION + 1));
                buffer.putShort(0, (short)(EventEncoder.BLOCK_LENGTH + 8));
                send(publication, buffer, EVENT_LENGTH);
                expectedReasons.put(16L, RejectReason.TRUNCATED);

                final Map<Long, Integer> reasons = new TreeMap<>();
                final List<long[]> results = new ArrayList<>();
                final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
                final RejectedDecoder rejected = new RejectedDecoder();
                final EventResultDecoder result = new EventResultDecoder();
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (reasons.size() + results.size() < 16 && System.nanoTime() < until)
                {
                    subscription.poll((b, o, l, h) ->
                    {
                        headerDecoder.wrap(b, o);
                        if (headerDecoder.templateId() == RejectedDecoder.TEMPLATE_ID)
                        {
                            rejected.wrapAndApplyHeader(b, o, headerDecoder);
                            reasons.put(rejected.correlationId(), (int)rejected.reason().value());
                            if (0 != rejected.correlationId())
                            {
                                assertEquals(CLIENT, rejected.clientId());
                                assertEquals(7, rejected.key());
                            }
                        }
                        else if (headerDecoder.templateId() == EventResultDecoder.TEMPLATE_ID)
                        {
                            result.wrapAndApplyHeader(b, o, headerDecoder);
                            results.add(new long[]{result.correlationId(), result.count(), (long)(result.sum() * 10)});
                        }
                    }, 10);
                    Thread.yield();
                }

                assertEquals(expectedReasons, reasons);
                assertEquals(4, results.size(), "a valid event padded past one frame is reassembled and accepted; " +
                    "an event of a newer version with an appended field is read; got " + describe(results) + "\n" +
                    daemon.log());
                assertEquals(List.of(1L, 1L, 10L), List.of(results.get(0)[0], results.get(0)[1], results.get(0)[2]));
                assertEquals(List.of(12L, 2L, 35L), List.of(results.get(1)[0], results.get(1)[1], results.get(1)[2]));
                assertEquals(List.of(14L, 3L, 45L), List.of(results.get(2)[0], results.get(2)[1], results.get(2)[2]));
                assertEquals(List.of(15L, 4L, 65L), List.of(results.get(3)[0], results.get(3)[1], results.get(3)[2]));

                assertEquals(16, daemon.counter(SluiceCounters.INGRESS_RECEIVED_TYPE_ID, "received"),
                    "a message of several frames counts once");
                assertEquals(4, daemon.counter(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, "accepted"));
                assertEquals(3, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected TRUNCATED"));
                assertEquals(2, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected WRONG_SCHEMA"));
                assertEquals(1, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected UNSUPPORTED_VERSION"));
                assertEquals(1, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected UNKNOWN_TEMPLATE"));
                assertEquals(1, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected BAD_BLOCK_LENGTH"));
                assertEquals(2, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected INVALID_VALUE"));
                assertEquals(2, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected TIMESTAMP_OUT_OF_RANGE"));
                assertTrue(daemon.log().contains("sluice: rejected"), daemon.log());
            }
        }
    }

    private static String describe(final List<long[]> results)
    {
        final StringBuilder b = new StringBuilder();
        for (final long[] r : results)
        {
            b.append(java.util.Arrays.toString(r)).append(' ');
        }
        return b.toString();
    }

    private UnsafeBuffer encodeEvent(final long correlationId, final long key, final long timestamp, final double value)
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        event.wrapAndApplyHeader(buffer, 0, header)
            .clientId(CLIENT)
            .correlationId(correlationId)
            .key(key)
            .timestamp(timestamp)
            .value(value);
        return buffer;
    }

    private static void send(final ExclusivePublication publication, final UnsafeBuffer buffer, final int length)
    {
        while (publication.offer(buffer, 0, length) < 0)
        {
            Thread.yield();
        }
    }
}
