package io.sluice.server.cluster;

import io.aeron.DirectBufferVector;
import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.aeron.logbuffer.BufferClaim;
import io.sluice.core.RejectReason;
import io.sluice.core.ResultMode;
import io.sluice.core.state.Aggregate;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResumedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClusterEgressTest
{
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(new byte[16 * 1024]), new UnsafeBuffer(new byte[4 * 1024]));
    private final AtomicCounter backPressure = counters.newCounter("back-pressure");
    private final AtomicCounter notConnected = counters.newCounter("not-connected");
    private final AtomicCounter dropped = counters.newCounter("dropped");
    private final ClusterEgress egress = new ClusterEgress(List.of("hot"), 3, backPressure, notConnected, dropped);
    private final Aggregate aggregate = new Aggregate();

    ClusterEgressTest()
    {
        egress.retryIdle(NoOpIdleStrategy.INSTANCE);
    }

    @Test
    void shouldSendWindowsAndAlertsOnlyToSubscribersAndARefusalToTheSessionItCameOn()
    {
        final FakeSession subscriber = new FakeSession(1);
        final FakeSession sender = new FakeSession(2);
        egress.onSessionOpen(subscriber, true);
        egress.onSessionOpen(sender, false);
        egress.route(10, subscriber);
        egress.route(20, sender);

        egress.onWindowResult(7, 1000, aggregate);
        egress.onAlert(0, 7, 0, 1, 1, 2.0, 1.0);
        egress.rejectTo(sender, 10, 3, 7, RejectReason.UNAUTHENTICATED);
        egress.onEventResult(20, 4, 7, 100, aggregate, 0, ResultMode.PER_EVENT);

        assertEquals(List.of("WindowResult", "Alert hot"), subscriber.messages, "nothing of what the sender sent");
        assertEquals(List.of("Rejected 10/3 UNAUTHENTICATED", "EventResult 20/4"), sender.messages);
        assertEquals(1, egress.subscriberCount());
        egress.onSessionClose(subscriber);
        assertEquals(0, egress.subscriberCount());
        assertEquals(1, egress.sessionCount());
    }

    @Test
    void shouldSendAClientsResultsToTheSessionItsMessagesLastCameOnAndWindowsAndAlertsToEverySession()
    {
        final FakeSession a = new FakeSession(1);
        final FakeSession b = new FakeSession(2);
        egress.onSessionOpen(a);
        egress.onSessionOpen(b);
        egress.route(10, a);
        egress.route(20, b);

        egress.onEventResult(10, 1, 7, 100, aggregate, 0, ResultMode.PER_EVENT);
        egress.onRejected(20, 5, 7, RejectReason.LATE, -1);
        egress.onResumed(20, 6, 5);
        egress.onWindowResult(7, 1000, aggregate);
        egress.onAlert(0, 7, 0, 1, 1, 2.0, 1.0);
        egress.route(10, b);
        egress.onEventResult(10, 2, 7, 101, aggregate, 0, ResultMode.PER_EVENT);
        egress.onEventResult(30, 1, 7, 101, aggregate, 0, ResultMode.PER_EVENT);

        assertEquals(List.of("EventResult 10/1", "WindowResult", "Alert hot"), a.messages);
        assertEquals(List.of("Rejected 20/5 LATE", "Resumed 20/6 mark 5", "WindowResult", "Alert hot",
            "EventResult 10/2"), b.messages);
        assertEquals(1, notConnected.get(), "client 30 has no session");
        egress.onSessionClose(b);
        egress.onEventResult(10, 3, 7, 102, aggregate, 0, ResultMode.PER_EVENT);
        egress.onWindowResult(7, 2000, aggregate);
        assertEquals(2, notConnected.get(), "client 10's session closed");
        assertEquals(List.of("EventResult 10/1", "WindowResult", "Alert hot", "WindowResult"), a.messages);

        egress.route(40, a);
        egress.route(50, a);
        egress.route(60, a);
        egress.route(70, a);
        egress.onResumed(60, 1, 0);
        egress.onResumed(70, 1, 0);
        assertEquals("Resumed 60/1 mark 0", a.messages.get(a.messages.size() - 1));
        assertEquals(3, notConnected.get(), "client 70 is one more than the 3 routed clients the capacity allows");
    }

    @Test
    void shouldBatchResultsOfOneClientAtATimeAndSendThemBeforeAnyOtherMessage()
    {
        final FakeSession a = new FakeSession(1);
        final FakeSession b = new FakeSession(2);
        egress.onSessionOpen(a);
        egress.onSessionOpen(b);
        egress.route(10, a);
        egress.route(20, b);

        for (int i = 1; i <= ClusterEgress.BATCH_CAPACITY + 2; i++)
        {
            egress.onEventResult(10, i, 7, 100, aggregate, 0, ResultMode.BATCHED);
        }
        egress.onEventResult(20, 1, 7, 100, aggregate, 0, ResultMode.BATCHED);
        egress.onEventResult(20, 2, 7, 100, aggregate, 0, ResultMode.BATCHED);
        egress.onEventResult(20, 3, 7, 100, aggregate, 0, ResultMode.NONE);
        egress.onRejected(20, 4, 7, RejectReason.STATE_FULL, 3);
        egress.onEventResult(20, 5, 7, 100, aggregate, 0, ResultMode.BATCHED);
        egress.onBatchEnd();
        egress.onBatchEnd();

        assertEquals(List.of("EventResultBatch 10/1..10/" + ClusterEgress.BATCH_CAPACITY,
            "EventResultBatch 10/" + (ClusterEgress.BATCH_CAPACITY + 1) + "..10/" + (ClusterEgress.BATCH_CAPACITY + 2)),
            a.messages);
        assertEquals(List.of("EventResultBatch 20/1..20/2", "Rejected 20/4 STATE_FULL", "EventResultBatch 20/5..20/5"),
            b.messages);
    }

    @Test
    void shouldRetryABackPressuredSessionThenDropAndCountWithoutStopping()
    {
        final FakeSession slow = new FakeSession(1);
        egress.onSessionOpen(slow);
        egress.route(10, slow);
        for (int i = 0; i < 3; i++)
        {
            slow.results.add(Publication.BACK_PRESSURED);
        }
        egress.onEventResult(10, 1, 7, 100, aggregate, 0, ResultMode.PER_EVENT);
        assertEquals(3, backPressure.get());
        assertEquals(List.of("EventResult 10/1"), slow.messages);

        for (int i = 0; i <= ClusterEgress.MAX_RETRIES; i++)
        {
            slow.results.add(Publication.BACK_PRESSURED);
        }
        egress.onEventResult(10, 2, 7, 100, aggregate, 0, ResultMode.PER_EVENT);
        assertEquals(3 + ClusterEgress.MAX_RETRIES + 1, backPressure.get());
        assertEquals(1, dropped.get());

        for (int i = 0; i < 1000; i++)
        {
            slow.results.add(Publication.BACK_PRESSURED);
        }
        for (int i = 0; i < 1000; i++)
        {
            egress.onWindowResult(7, 1000 + i, aggregate);
        }
        assertEquals(3 + ClusterEgress.MAX_RETRIES + 1 + 1000, backPressure.get(),
            "a congested session gets one offer a message, no retries");
        assertEquals(1001, dropped.get());
        egress.onEventResult(10, 3, 7, 100, aggregate, 0, ResultMode.PER_EVENT);
        slow.results.add(Publication.BACK_PRESSURED);
        egress.onEventResult(10, 4, 7, 100, aggregate, 0, ResultMode.PER_EVENT);
        assertEquals(3 + ClusterEgress.MAX_RETRIES + 1 + 1000 + 1, backPressure.get(),
            "once an offer went through, the session is retried again");
        slow.results.add(Publication.NOT_CONNECTED);
        egress.onEventResult(10, 5, 7, 100, aggregate, 0, ResultMode.PER_EVENT);
        assertEquals(1, notConnected.get());
        assertEquals(List.of("EventResult 10/1", "EventResult 10/3", "EventResult 10/4"), slow.messages);
    }

    /**
     * Decodes what it is offered; answers queued results first (back-pressure...), then success.
     */
    private static final class FakeSession implements ClientSession
    {
        private final long id;
        private final List<String> messages = new ArrayList<>();
        private final Deque<Long> results = new ArrayDeque<>();
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();

        FakeSession(final long id)
        {
            this.id = id;
        }

        public long id()
        {
            return id;
        }

        public int responseStreamId()
        {
            return 102;
        }

        public String responseChannel()
        {
            return "aeron:udp?endpoint=localhost:0";
        }

        public byte[] encodedPrincipal()
        {
            return new byte[0];
        }

        public void close()
        {
        }

        public boolean isClosing()
        {
            return false;
        }

        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!results.isEmpty())
            {
                final long result = results.poll();
                if (result < 0)
                {
                    return result;
                }
            }
            messages.add(decode(buffer, offset));
            return 64;
        }

        public long offer(final DirectBufferVector[] vectors)
        {
            throw new UnsupportedOperationException();
        }

        public long tryClaim(final int length, final BufferClaim bufferClaim)
        {
            throw new UnsupportedOperationException();
        }

        private String decode(final DirectBuffer buffer, final int offset)
        {
            header.wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            switch (header.templateId())
            {
                case EventResultDecoder.TEMPLATE_ID:
                {
                    final EventResultDecoder d = new EventResultDecoder().wrap(buffer, body, header.blockLength(), 3);
                    return "EventResult " + d.clientId() + "/" + d.correlationId();
                }
                case EventResultBatchDecoder.TEMPLATE_ID:
                {
                    final EventResultBatchDecoder d =
                        new EventResultBatchDecoder().wrap(buffer, body, header.blockLength(), 3);
                    String first = null;
                    String last = null;
                    for (final EventResultBatchDecoder.ResultsDecoder r : d.results())
                    {
                        last = r.clientId() + "/" + r.correlationId();
                        first = null == first ? last : first;
                    }
                    return "EventResultBatch " + first + ".." + last;
                }
                case RejectedDecoder.TEMPLATE_ID:
                {
                    final RejectedDecoder d = new RejectedDecoder().wrap(buffer, body, header.blockLength(), 3);
                    return "Rejected " + d.clientId() + "/" + d.correlationId() + " " + RejectReason.name(d.reasonRaw());
                }
                case ResumedDecoder.TEMPLATE_ID:
                {
                    final ResumedDecoder d = new ResumedDecoder().wrap(buffer, body, header.blockLength(), 3);
                    return "Resumed " + d.clientId() + "/" + d.correlationId() + " mark " + d.lastCorrelationId();
                }
                case WindowResultDecoder.TEMPLATE_ID:
                    return "WindowResult";
                case AlertDecoder.TEMPLATE_ID:
                    return "Alert " + new AlertDecoder().wrap(buffer, body, header.blockLength(), 3).ruleName();
                default:
                    return "template " + header.templateId();
            }
        }
    }
}
