package io.sluice.systemtest;

import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import io.sluice.server.counters.SluiceCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SluiceSystemTest
{
    private static final long T0 = 1_700_000_000_000_000_000L;

    @ParameterizedTest(name = "threading={0}")
    @ValueSource(strings = {"shared", "dedicated"})
    @Timeout(120)
    void shouldAnswerEveryEventOfTwoConcurrentClientsWithItsOwnExactAggregate(final String threading) throws Exception
    {
        try (TestDaemon daemon = new TestDaemon().set(SluiceConfig.THREADING, threading).start())
        {
            final int events = 50_000;
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final java.util.concurrent.atomic.AtomicLong probes = new java.util.concurrent.atomic.AtomicLong();
            final List<RecordingHandler> handlers = new ArrayList<>();
            final List<long[]> keysSent = new ArrayList<>();
            final List<double[]> valuesSent = new ArrayList<>();
            final List<Long> clientIds = new ArrayList<>();
            final Thread[] threads = new Thread[2];
            for (int c = 0; c < 2; c++)
            {
                final int clientIndex = c;
                final RecordingHandler handler = new RecordingHandler();
                final long[] keys = new long[events];
                final double[] values = new double[events];
                final Random random = new Random(100 + c);
                for (int i = 0; i < events; i++)
                {
                    keys[i] = clientIndex * 1_000 + random.nextInt(500);
                    values[i] = random.nextInt(20_000) / 100.0 - 100;
                }
                handlers.add(handler);
                keysSent.add(keys);
                valuesSent.add(values);
                clientIds.add(0L);
                threads[c] = new Thread(() ->
                {
                    try (SluiceClient client = daemon.client())
                    {
                        clientIds.set(clientIndex, client.clientId());
                        assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
                        probes.addAndGet(client.probesSent());
                        sendAll(client, handler, keys, values);
                    }
                    catch (final Throwable t)
                    {
                        failure.set(t);
                    }
                }, "client-" + c);
                threads[c].start();
            }
            for (final Thread t : threads)
            {
                t.join();
            }
            assertNull(failure.get());

            for (int c = 0; c < 2; c++)
            {
                final RecordingHandler handler = handlers.get(c);
                assertEquals(events, handler.results.size(), "client " + c + " results; not-connected " +
                    daemon.counter(SluiceCounters.EGRESS_NOT_CONNECTED_TYPE_ID, "0 not-connected") + "/" +
                    daemon.counter(SluiceCounters.EGRESS_NOT_CONNECTED_TYPE_ID, "1 not-connected") + " dropped " +
                    daemon.counter(SluiceCounters.EGRESS_DROPPED_TYPE_ID, "0 dropped") + " first missing " +
                    firstMissing(handler, events));
                assertEquals(List.of(), handler.rejects);
                final Map<Long, double[]> reference = new HashMap<>();
                final Map<Long, RecordingHandler.Result> expected = new HashMap<>();
                for (int i = 0; i < events; i++)
                {
                    final double v = valuesSent.get(c)[i];
                    final double[] s = reference.get(keysSent.get(c)[i]);
                    final double[] n = null == s ? new double[]{1, v, v, v, v, v} :
                        new double[]{s[0] + 1, s[1] + v, Math.min(s[2], v), Math.max(s[3], v), s[4], v};
                    reference.put(keysSent.get(c)[i], n);
                    expected.put(i + 1L, new RecordingHandler.Result(
                        clientIds.get(c), i + 1, keysSent.get(c)[i], (long)n[0], n[1], n[2], n[3], n[4], n[5]));
                }
                final Map<Long, Long> lastCountPerKey = new HashMap<>();
                final Map<Long, RecordingHandler.Result> actual = new HashMap<>();
                for (final RecordingHandler.Result r : handler.results)
                {
                    assertNull(actual.put(r.correlationId(), r), "duplicate result " + r.correlationId());
                    final long previous = lastCountPerKey.getOrDefault(r.key(), 0L);
                    assertEquals(previous + 1, r.count(), "results of key " + r.key() + " out of order");
                    lastCountPerKey.put(r.key(), r.count());
                }
                assertEquals(expected, actual);
            }
            assertEquals(2L * events + probes.get(), daemon.counter(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, "accepted"));
        }
    }

    @Test
    @Timeout(60)
    void shouldAnswerQueriesForKnownAndUnknownKeys() throws Exception
    {
        try (TestDaemon daemon = new TestDaemon().start(); SluiceClient client = daemon.client())
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            final RecordingHandler handler = new RecordingHandler();
            sendAll(client, handler, new long[]{5, 5, 6}, new double[]{1.5, 2.5, 9});
            while (client.offerQuery(5) < 0)
            {
                Thread.yield();
            }
            while (client.offerQuery(77) < 0)
            {
                Thread.yield();
            }
            awaitTotal(client, handler, 5);
            handler.queries.sort(java.util.Comparator.comparingLong(RecordingHandler.Result::correlationId));
            assertEquals(2, handler.queries.size());
            assertEquals(new RecordingHandler.Result(client.clientId(), 4, 5, 2, 4.0, 1.5, 2.5, 1.5, 2.5),
                handler.queries.get(0));
            assertEquals(-1, handler.queries.get(1).count());
            assertEquals(77, handler.queries.get(1).key());
        }
    }

    @ParameterizedTest(name = "threading={0}")
    @ValueSource(strings = {"shared", "dedicated"})
    @Timeout(60)
    void shouldPushBackOnPublishersWhenResultsCannotGoOutAndLoseNothing(final String threading) throws Exception
    {
        try (TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.THREADING, threading)
            .set(SluiceConfig.RING_LENGTH, "64")
            .set(SluiceConfig.BATCH_MAX_EVENTS, "32")
            .set("aeron.term.buffer.length", "64k")
            .start();
            SluiceClient client = daemon.client())
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            final RecordingHandler handler = new RecordingHandler();
            final int events = 20_000;
            int sent = 0;
            long backPressuredSinceNs = 0;
            boolean polling = false;
            while (sent < events)
            {
                final long id = client.offerEvent(sent % 100, T0 + sent, 1.0);
                if (id > 0)
                {
                    sent++;
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
                    client.poll(handler, 100);
                }
            }
            awaitTotal(client, handler, events);
            assertEquals(events, handler.results.size());
            assertEquals(events / 100, handler.results.get(events - 1).count());
            if ("dedicated".equals(threading))
            {
                // processors block on egress, the ingress finds the ring full and stops reading
                assertTrue(daemon.counter(SluiceCounters.RING_FULL_TYPE_ID, "back-pressure") > 0, "ring-full counter");
            }
            final long egressBackPressure = daemon.counter(SluiceCounters.EGRESS_BACK_PRESSURE_TYPE_ID, "0 back-pressure") +
                daemon.counter(SluiceCounters.EGRESS_BACK_PRESSURE_TYPE_ID, "1 back-pressure");
            assertTrue(egressBackPressure > 0, "egress back-pressure counter");
            assertEquals(events + client.probesSent(), daemon.counter(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, "accepted"));
        }
    }

    private static long firstMissing(final RecordingHandler handler, final int events)
    {
        final java.util.Set<Long> ids = new java.util.HashSet<>();
        handler.results.forEach((r) -> ids.add(r.correlationId()));
        for (long id = 1; id <= events; id++)
        {
            if (!ids.contains(id))
            {
                return id;
            }
        }
        return -1;
    }

    static void sendAll(final SluiceClient client, final RecordingHandler handler, final long[] keys, final double[] values)
    {
        for (int i = 0; i < keys.length; i++)
        {
            while (client.offerEvent(keys[i], T0 + i, values[i]) < 0)
            {
                client.poll(handler, 100);
                Thread.yield();
            }
            client.poll(handler, 100);
        }
        awaitTotal(client, handler, keys.length);
    }

    static void awaitTotal(final SluiceClient client, final RecordingHandler handler, final int total)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (handler.total() < total && System.nanoTime() < deadline)
        {
            if (0 == client.poll(handler, 100))
            {
                Thread.yield();
            }
        }
        // anything beyond the expected total would be a duplicate: give it a moment to show
        final long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        while (System.nanoTime() < settle)
        {
            client.poll(handler, 100);
            Thread.yield();
        }
    }
}
