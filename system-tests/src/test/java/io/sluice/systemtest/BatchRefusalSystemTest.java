package io.sluice.systemtest;

import io.sluice.server.ingress.BatchFrame;
import io.aeron.ExclusivePublication;
import io.sluice.config.SluiceConfig;
import io.sluice.core.RejectReason;
import io.sluice.client.SluiceClient;
import io.sluice.transport.codec.ResultMode;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batches over UDP that the daemon refuses whole (too large, malformed) while it goes on serving, and back-pressure
 * on a batching client whose results cannot go out: every event answered once. Shared setup:
 * {@link BatchTestSupport}.
 */
class BatchRefusalSystemTest extends BatchTestSupport
{
    @Test
    @Timeout(60)
    void shouldRejectAnOversizedOrMalformedBatchWholeAndGoOnServing() throws Exception
    {
        try (TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.BATCH_MAX_EVENTS, Integer.toString(MAX_BATCH))
            .set(SluiceConfig.WINDOW_TYPE, "tumbling")
            .set(SluiceConfig.WINDOW_SIZE, "100ms")
            .start();
            SluiceClient client = client(daemon, ResultMode.PER_EVENT, ""))
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            final Outcomes outcomes = new Outcomes();
            final long id = client.clientId();
            final ExclusivePublication publication = client.publication();
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024));
            assertEquals((publication.maxPayloadLength() - 28) / 32, client.batchLimit(),
                "the client's own batches stay within one frame of the default MTU");

            final BatchFrame tooLarge = new BatchFrame(id, ResultMode.PER_EVENT.value());
            for (int i = 1; i <= MAX_BATCH + 1; i++)
            {
                tooLarge.add(i, 5, T0, 1.0);
            }
            assertTrue(tooLarge.writeTo(buffer) > publication.maxPayloadLength(), "spans several frames");
            send(publication, buffer, tooLarge, client, outcomes);
            send(publication, buffer, events(id, ResultMode.PER_EVENT, 1, 4).declaredCount(5), client, outcomes);
            send(publication, buffer, events(id, ResultMode.PER_EVENT, 1, 3).entryLength(24), client, outcomes);
            send(publication, buffer, events(id, ResultMode.PER_EVENT, 1, 3).resultMode(9), client, outcomes);
            send(publication, buffer, events(id, ResultMode.PER_EVENT, 1, 3).blockLength(8), client, outcomes);
            send(publication, buffer, events(id, ResultMode.PER_EVENT, 1, 3), client, outcomes);
            send(publication, buffer, events(id, ResultMode.PER_EVENT, 4, 200), client, outcomes);
            send(publication, buffer, events(id, ResultMode.BATCHED, 4, 2), client, outcomes);
            send(publication, buffer, events(id, ResultMode.NONE, 6, 1), client, outcomes);
            long query;
            while ((query = client.offerQuery(5)) < 0)
            {
                client.poll(outcomes, 10);
            }
            pollUntil(() -> outcomes.perEventOutcomes() >= 11 && !outcomes.queries.isEmpty(),
                new SluiceClient[]{client}, new Outcomes[]{outcomes});

            assertEquals(List.of(
                new Reject(id, 1, 0, RejectReason.BATCH_TOO_LARGE, -1),
                new Reject(id, 1, 0, RejectReason.BATCH_MALFORMED, -1),
                new Reject(id, 1, 0, RejectReason.BATCH_MALFORMED, -1),
                new Reject(id, 1, 0, RejectReason.BATCH_MALFORMED, -1),
                new Reject(id, 0, 0, RejectReason.BAD_BLOCK_LENGTH, -1),
                new Reject(id, 4, 0, RejectReason.BATCH_TOO_LARGE, -1)), outcomes.rejects,
                "refused whole, named by the first event when it can be read");
            assertEquals(List.of(
                new Result('E', id, 1, 5, T0, T0, 1, 1.0, 1.0, 1.0, 1.0, 1.0),
                new Result('E', id, 2, 5, T0 + 1, T0, 2, 3.0, 1.0, 2.0, 1.0, 2.0),
                new Result('E', id, 3, 5, T0 + 2, T0, 3, 6.0, 1.0, 3.0, 1.0, 3.0),
                new Result('B', id, 4, 5, T0, T0, 4, 7.0, 1.0, 3.0, 1.0, 3.0),
                new Result('B', id, 5, 5, T0 + 1, T0, 5, 9.0, 1.0, 3.0, 1.0, 3.0)), outcomes.results,
                "no event of a refused batch was applied, nor raised the client's mark");
            assertEquals(1, outcomes.queries.size());
            assertEquals(List.of(query, 5L, 6L, 10L), List.of(
                outcomes.queries.get(0)[0], outcomes.queries.get(0)[1], outcomes.queries.get(0)[2],
                outcomes.queries.get(0)[3]), "the NONE batch's event was applied, unanswered");

            // a processor's rejection of an event of a batch names its index too
            send(publication, buffer, new BatchFrame(id, ResultMode.PER_EVENT.value())
                .add(7, 6, T0 + 1_000 * MS, 1.0)
                .add(8, 5, T0, 1.0), client, outcomes);
            pollUntil(() -> outcomes.perEventOutcomes() >= 13 && !outcomes.windows.isEmpty(),
                new SluiceClient[]{client}, new Outcomes[]{outcomes});
            assertEquals(new Reject(id, 8, 5, RejectReason.LATE, 1), outcomes.rejects.get(6));
            assertEquals(7, outcomes.rejects.size());
            assertEquals(new Result('E', id, 7, 6, T0 + 1_000 * MS, T0 + 1_000 * MS, 1, 1.0, 1.0, 1.0, 1.0, 1.0),
                outcomes.results.get(5));
            assertEquals(6, outcomes.results.size());
            assertEquals(List.of(window(5, T0, T0 + WINDOW_NS, 6, 10.0, 1.0, 3.0, 1.0, 3.0)), outcomes.windows);

            final long probes = client.probesSent();
            assertEquals(probes + 15, daemon.counter(SluiceCounters.INGRESS_RECEIVED_TYPE_ID, "received"));
            assertEquals(probes + 9, daemon.counter(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, "accepted"));
            assertEquals(4, daemon.counter(SluiceCounters.INGRESS_BATCHES_TYPE_ID, "batches"));
            assertEquals(2, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected BATCH_TOO_LARGE"));
            assertEquals(3, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected BATCH_MALFORMED"));
            assertEquals(1, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected BAD_BLOCK_LENGTH"));
            assertEquals(1, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected LATE"));
        }
    }

    @Test
    @Timeout(60)
    void shouldPushBackOnABatchingClientWhenResultsCannotGoOutAndAnswerEveryEventOnce() throws Exception
    {
        try (TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.THREADING, "dedicated")
            .set(SluiceConfig.RING_LENGTH, "64")
            .set(SluiceConfig.BATCH_MAX_EVENTS, "32")
            .set("aeron.term.buffer.length", "64k")
            .start();
            SluiceClient client = client(daemon, ResultMode.BATCHED, ""))
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            assertEquals(32, client.batchLimit());
            final Outcomes outcomes = new Outcomes();
            final int events = 20_000;
            final int keys = 100;
            int sent = 0;
            long backPressuredSinceNs = 0;
            boolean polling = false;
            while (sent < events)
            {
                final long correlationId = client.offerEvent(sent % keys, T0 + sent, 1.0);
                if (correlationId > 0)
                {
                    sent++;
                    assertEquals(sent, correlationId);
                    backPressuredSinceNs = 0;
                }
                else if (0 == backPressuredSinceNs)
                {
                    backPressuredSinceNs = System.nanoTime();
                }
                else if (System.nanoTime() - backPressuredSinceNs > TimeUnit.MILLISECONDS.toNanos(200))
                {
                    polling = true;
                }
                if (polling)
                {
                    client.poll(outcomes, 100);
                }
            }
            flush(client, outcomes);
            final SluiceClient[] clients = {client};
            pollUntil(() -> outcomes.perEventOutcomes() >= events, clients, new Outcomes[]{outcomes});

            assertTrue(polling, "the client was pushed back before it polled");
            assertEquals(List.of(), outcomes.rejects);
            assertEquals(events, outcomes.results.size());
            final Map<Long, Long> countOfKey = new HashMap<>();
            for (final Result r : outcomes.results)
            {
                assertEquals('B', r.kind());
                final long count = countOfKey.getOrDefault(r.key(), 0L) + 1;
                assertEquals(new Result('B', client.clientId(), r.key() + 1 + (count - 1) * keys, r.key(),
                    T0 + r.id() - 1, 0, count, count, 1.0, 1.0, 1.0, 1.0), r, "each key's results in order, once");
                countOfKey.put(r.key(), count);
            }
            assertEquals(keys, countOfKey.size());
            assertTrue(daemon.counter(SluiceCounters.RING_FULL_TYPE_ID, "back-pressure") > 0, "ring-full counter");
            assertEquals(events + client.probesSent(), daemon.counter(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, "accepted"));
            assertEquals(events + client.probesSent(), daemon.counter(SluiceCounters.INGRESS_RECEIVED_TYPE_ID, "received"));
        }
    }

    private static void send(
        final ExclusivePublication publication, final UnsafeBuffer buffer, final BatchFrame frame,
        final SluiceClient client, final Outcomes outcomes)
    {
        final int length = frame.writeTo(buffer);
        while (publication.offer(buffer, 0, length) < 0)
        {
            client.poll(outcomes, 10);
            Thread.yield();
        }
    }
}
