package io.sluice.systemtest;

import io.sluice.config.SluiceConfig;
import io.sluice.core.RejectReason;
import io.sluice.client.SluiceClient;
import io.sluice.transport.codec.ResultMode;
import io.sluice.server.counters.SluiceCounters;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batches over UDP: two clients each send batches of 1, 7, 64 and the largest size (128: {@code sluice.batch.max-events}
 * and an ingress {@code mtu} of 8192 so it fits one frame), single events, and bad events inside both, in every
 * result mode, with tumbling windows and alert rules on (a window rule, an event rule on the value and, in the
 * dedicated runs, an event rule on the window's sum); every event's outcome, every window result and every alert is
 * checked against a reference computed here from what was sent. Shared setup: {@link BatchTestSupport}.
 */
class BatchSystemTest extends BatchTestSupport
{
    @ParameterizedTest(name = "{0} {1} heavy rule {2}")
    @CsvSource({
        "PER_EVENT, shared, false", "BATCHED, shared, false", "NONE, shared, false",
        "PER_EVENT, dedicated, true", "BATCHED, dedicated, true", "NONE, dedicated, true"})
    @Timeout(90)
    void shouldGiveEveryEventOfBatchesAndSingleEventsFromTwoClientsExactlyItsOutcomeAndCloseExactWindows(
        final ResultMode mode, final String threading, final boolean heavyRule) throws Exception
    {
        try (TestDaemon daemon = windowedDaemon(threading, heavyRule);
            SluiceClient client0 = client(daemon, mode, "|mtu=8192");
            SluiceClient client1 = client(daemon, mode, "|mtu=8192"))
        {
            final SluiceClient[] clients = {client0, client1};
            final Outcomes[] outcomes = {new Outcomes(), new Outcomes()};
            final List<List<List<Sent>>> plans = List.of(plan(0, mode), plan(1, mode));
            final boolean perEventResults = ResultMode.NONE != mode;
            final int[] eventCounts = new int[2];
            final int[] expectedOutcomes = new int[2];
            for (int c = 0; c < 2; c++)
            {
                assertEquals(MAX_BATCH, clients[c].batchLimit(), "the largest batch fits one frame");
                for (final List<Sent> batch : plans.get(c))
                {
                    for (final Sent e : batch)
                    {
                        eventCounts[c]++;
                        expectedOutcomes[c] += perEventResults || 0 != e.reason() ? 1 : 0;
                    }
                }
            }

            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicInteger clientsComplete = new AtomicInteger();
            final CountDownLatch connected = new CountDownLatch(2);
            final Thread[] threads = new Thread[2];
            for (int c = 0; c < 2; c++)
            {
                final SluiceClient client = clients[c];
                final Outcomes received = outcomes[c];
                final List<List<Sent>> plan = plans.get(c);
                final int awaited = expectedOutcomes[c];
                threads[c] = new Thread(() ->
                {
                    try
                    {
                        assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
                        // alerts go to every client: neither sends before both receive the egress
                        connected.countDown();
                        assertTrue(connected.await(10, TimeUnit.SECONDS));
                        for (final List<Sent> batch : plan)
                        {
                            for (final Sent e : batch)
                            {
                                assertEquals(e.id(), client.offerEvent(e.key(), e.timestamp(), e.value()));
                            }
                            flush(client, received);
                            client.poll(received, 100);
                        }
                        // both clients read until both have everything: the egress goes at the pace of its slowest
                        // receiver, so a client that stopped reading would hold back the other's results
                        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        boolean complete = false;
                        while (clientsComplete.get() < 2 && System.nanoTime() < deadline)
                        {
                            if (!complete && received.perEventOutcomes() >= awaited)
                            {
                                complete = true;
                                clientsComplete.incrementAndGet();
                            }
                            if (0 == client.poll(received, 100))
                            {
                                Thread.yield();
                            }
                        }
                        assertTrue(complete, "every outcome arrives without later traffic to push it out: " +
                            received.perEventOutcomes() + " of " + awaited);
                    }
                    catch (final Throwable t)
                    {
                        failure.set(t);
                    }
                }, "batch-client-" + c);
                threads[c].start();
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
            assertNull(failure.get());

            // every event is in the ring (in NONE mode nothing else says so); then close the windows
            final long probes = client0.probesSent() + client1.probesSent();
            awaitCounter(daemon, SluiceCounters.INGRESS_RECEIVED_TYPE_ID, "received",
                probes + eventCounts[0] + eventCounts[1]);
            final Sent closer = new Sent(eventCounts[0] + 1L, CLOSER_KEY, CLOSER_TIME, 1.0, 0, 0);
            assertEquals(closer.id(), client0.offerEvent(closer.key(), closer.timestamp(), closer.value()));
            flush(client0, outcomes[0]);

            final Reference reference = new Reference();
            final List<Map<Long, Result>> expectedResults = List.of(new HashMap<>(), new HashMap<>());
            final List<Map<Long, Reject>> expectedRejects = List.of(new HashMap<>(), new HashMap<>());
            final char kind = ResultMode.PER_EVENT == mode ? 'E' : 'B';
            int goodEvents = 0;
            int batchMessages = 0;
            final int[] rejectedByReason = new int[RejectReason.LIMIT];
            final int heavyIndex = 0;
            final int hotIndex = heavyRule ? 1 : 0;
            final int spikeIndex = hotIndex + 1;
            final List<String> expectedAlerts = new ArrayList<>();
            for (int c = 0; c < 2; c++)
            {
                final long clientId = clients[c].clientId();
                final List<List<Sent>> plan = new ArrayList<>(plans.get(c));
                if (0 == c)
                {
                    plan.add(List.of(closer));
                }
                for (final List<Sent> batch : plan)
                {
                    batchMessages += batch.size() > 1 || ResultMode.PER_EVENT != mode ? 1 : 0;
                    for (final Sent e : batch)
                    {
                        if (0 == e.reason())
                        {
                            goodEvents++;
                            final Result result = reference.apply(kind, clientId, e);
                            if (heavyRule && result.sum() > HEAVY_THRESHOLD)
                            {
                                expectedAlerts.add(
                                    alert("heavy", heavyIndex, e.key(), 0, "SUM GT", result.sum(), HEAVY_THRESHOLD));
                            }
                            if (e.value() >= SPIKE_THRESHOLD)
                            {
                                expectedAlerts.add(
                                    alert("spike", spikeIndex, e.key(), 0, "VALUE GE", e.value(), SPIKE_THRESHOLD));
                            }
                            if (perEventResults)
                            {
                                expectedResults.get(c).put(e.id(), result);
                            }
                        }
                        else
                        {
                            rejectedByReason[e.reason()]++;
                            expectedRejects.get(c).put(
                                e.id(), new Reject(clientId, e.id(), e.key(), e.reason(), e.batchIndex()));
                        }
                    }
                }
            }
            final long openStart = Math.floorDiv(CLOSER_TIME, WINDOW_NS) * WINDOW_NS;
            final List<String> expectedWindows = reference.closedWindows(openStart);
            expectedAlerts.addAll(reference.windowAlerts(openStart, hotIndex));
            expectedAlerts.sort(null);
            final int closerOutcomes = perEventResults ? 1 : 0;
            pollUntil(() -> outcomes[0].perEventOutcomes() >= expectedOutcomes[0] + closerOutcomes &&
                outcomes[1].perEventOutcomes() >= expectedOutcomes[1] &&
                outcomes[0].windows.size() >= expectedWindows.size() &&
                outcomes[1].windows.size() >= expectedWindows.size() &&
                outcomes[0].alerts.size() >= expectedAlerts.size() &&
                outcomes[1].alerts.size() >= expectedAlerts.size(), clients, outcomes);

            for (int c = 0; c < 2; c++)
            {
                final Outcomes received = outcomes[c];
                final Map<Long, Result> results = new HashMap<>();
                for (final Result r : received.results)
                {
                    assertNull(results.put(r.id(), r), "client " + c + ": a second result for " + r.id());
                }
                assertEquals(expectedResults.get(c), results, "client " + c + " " + mode + " results");
                final Map<Long, Reject> rejects = new HashMap<>();
                for (final Reject r : received.rejects)
                {
                    assertNull(rejects.put(r.id(), r), "client " + c + ": a second rejection of " + r.id());
                }
                assertEquals(expectedRejects.get(c), rejects, "client " + c + " rejections");

                final Map<Long, Long> lastIdOfKey = new HashMap<>();
                for (final long[] arrival : received.arrivals)
                {
                    final long previous = lastIdOfKey.getOrDefault(arrival[0], 0L);
                    assertTrue(arrival[1] > previous,
                        "client " + c + " key " + arrival[0] + ": " + arrival[1] + " after " + previous);
                    lastIdOfKey.put(arrival[0], arrival[1]);
                }

                assertSameElements(expectedWindows, received.windows, "client " + c + " window results");
                assertSameElements(expectedAlerts, received.alerts, "client " + c + " alerts");
            }
            assertTrue(expectedWindows.size() > 300, "windows closed: " + expectedWindows.size());
            for (final String rule : heavyRule ? List.of("heavy ", "hot ", "spike ") : List.of("hot ", "spike "))
            {
                assertTrue(expectedAlerts.stream().filter((a) -> a.startsWith(rule)).count() > 10, rule + "alerts");
            }
            long alertsFired = 0;
            for (int p = 0; p < daemon.config().processorCount(); p++)
            {
                alertsFired += daemon.counter(SluiceCounters.ALERTS_FIRED_TYPE_ID, p + " alerts-fired");
            }
            assertEquals(expectedAlerts.size(), alertsFired);
            assertTrue(rejectedByReason[RejectReason.INVALID_VALUE] > 10, "bad values sent");
            assertTrue(rejectedByReason[RejectReason.TIMESTAMP_OUT_OF_RANGE] > 10, "bad timestamps sent");

            assertEquals(probes + eventCounts[0] + eventCounts[1] + 1,
                daemon.counter(SluiceCounters.INGRESS_RECEIVED_TYPE_ID, "received"));
            assertEquals(probes + goodEvents, daemon.counter(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, "accepted"));
            assertEquals(batchMessages, daemon.counter(SluiceCounters.INGRESS_BATCHES_TYPE_ID, "batches"),
                "one message per flush");
            assertEquals(rejectedByReason[RejectReason.INVALID_VALUE],
                daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected INVALID_VALUE"));
            assertEquals(rejectedByReason[RejectReason.TIMESTAMP_OUT_OF_RANGE],
                daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected TIMESTAMP_OUT_OF_RANGE"));
            assertEquals(0, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected LATE"));
        }
    }

    private static final int[] PATTERN = {1, 7, 1, 64, 1, MAX_BATCH, 7, 1};
    private static final int ROUNDS = 30;
    private static final int KEYS_PER_CLIENT = 16;
    private static final long CLOSER_KEY = 999;
    /** Past the newest event time by more than the allowed lateness plus a window: closes every window but its own. */
    private static final long CLOSER_TIME = T0 + 10_000 * MS;
    private static final double HOT_THRESHOLD = 0.95;
    private static final double SPIKE_THRESHOLD = 0.99;
    private static final double HEAVY_THRESHOLD = 3;

    /**
     * One event as sent, and what it should get: a reason (0: applied) and, for a rejection, the index it names.
     */
    record Sent(long id, long key, long timestamp, double value, int reason, int batchIndex)
    {
    }

    /**
     * A window's aggregate computed from raw events in arrival order: first and last by event time, ties by arrival.
     */
    static final class Aggregate
    {
        long count;
        double sum;
        double min;
        double max;
        double first;
        double last;
        long firstTime;
        long lastTime;

        void add(final long timestamp, final double value)
        {
            if (0 == count)
            {
                min = value;
                max = value;
                first = value;
                last = value;
                firstTime = timestamp;
                lastTime = timestamp;
            }
            else
            {
                min = Math.min(min, value);
                max = Math.max(max, value);
                if (timestamp < firstTime)
                {
                    first = value;
                    firstTime = timestamp;
                }
                if (timestamp >= lastTime)
                {
                    last = value;
                    lastTime = timestamp;
                }
            }
            count++;
            sum += value;
        }
    }

    /**
     * Tumbling windows, computed plainly: per key and window start, the events applied to it.
     */
    static final class Reference
    {
        final Map<Long, TreeMap<Long, Aggregate>> windows = new TreeMap<>();

        Result apply(final char kind, final long clientId, final Sent event)
        {
            final long start = Math.floorDiv(event.timestamp(), WINDOW_NS) * WINDOW_NS;
            final Aggregate a = windows.computeIfAbsent(event.key(), (k) -> new TreeMap<>())
                .computeIfAbsent(start, (s) -> new Aggregate());
            a.add(event.timestamp(), event.value());
            return new Result(kind, clientId, event.id(), event.key(), event.timestamp(), start, a.count, a.sum, a.min,
                a.max, a.first, a.last);
        }

        List<String> windowAlerts(final long openStart, final int ruleIndex)
        {
            final List<String> alerts = new ArrayList<>();
            windows.forEach((key, byStart) -> byStart.forEach((start, a) ->
            {
                if (start != openStart && a.max > HOT_THRESHOLD)
                {
                    alerts.add(alert("hot", ruleIndex, key, start, "MAX GT", a.max, HOT_THRESHOLD));
                }
            }));
            return alerts;
        }

        List<String> closedWindows(final long openStart)
        {
            final List<String> closed = new ArrayList<>();
            windows.forEach((key, byStart) -> byStart.forEach((start, a) ->
            {
                if (start != openStart)
                {
                    closed.add(window(key, start, start + WINDOW_NS, a.count, a.sum, a.min, a.max, a.first, a.last));
                }
            }));
            closed.sort(null);
            return closed;
        }
    }

    static String alert(
        final String name, final int ruleIndex, final long key, final long windowStart, final String fieldAndOp,
        final double observed, final double threshold)
    {
        return name + " " + ruleIndex + " key=" + key + " window=" + windowStart + " " + fieldAndOp + " observed=" +
            observed + " threshold=" + threshold;
    }

    /**
     * A client's deterministic mix: rounds of batches of 1, 7, 64 and 128 events, a bad event (NaN or infinite value,
     * timestamp out of range) now and then anywhere; event times mostly forward, sometimes a few ms back, all within
     * 2.6 s (less than the allowed lateness, so no event is late whatever the interleaving of the two clients).
     */
    static List<List<Sent>> plan(final int clientIndex, final ResultMode mode)
    {
        final Random random = new Random(9_000 + clientIndex);
        final List<List<Sent>> batches = new ArrayList<>();
        long id = 1;
        int index = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            for (final int size : PATTERN)
            {
                final List<Sent> batch = new ArrayList<>();
                for (int i = 0; i < size; i++)
                {
                    final long key = clientIndex * 1_000L + random.nextInt(KEYS_PER_CLIENT);
                    long timestamp = T0 + index * 400_000L + random.nextInt(20) * MS;
                    double value = (random.nextInt(2048) - 1024) / 1024.0;
                    int reason = 0;
                    final int fault = random.nextInt(120);
                    if (fault < 2)
                    {
                        value = 0 == fault ? Double.NaN : Double.POSITIVE_INFINITY;
                        reason = RejectReason.INVALID_VALUE;
                    }
                    else if (fault < 4)
                    {
                        timestamp = 2 == fault ? 5 : SluiceConfig.YEAR_2200_NS + 1;
                        reason = RejectReason.TIMESTAMP_OUT_OF_RANGE;
                    }
                    final int batchIndex = 1 == size && ResultMode.PER_EVENT == mode ? -1 : i;
                    batch.add(new Sent(id++, key, timestamp, value, reason, batchIndex));
                    index++;
                }
                batches.add(batch);
            }
        }
        return batches;
    }

    /**
     * Tumbling 100 ms windows, lateness 5 s; alert rules: {@code hot} (window max &gt; 0.95), {@code spike} (event
     * value &gt;= 0.99) and, when asked, {@code heavy} (event: the window's sum after the event &gt; 3, a rule that
     * reads the aggregate even when no per-event result is wanted).
     */
    /**
     * Equal as sorted lists (each element as many times), naming the first differences when not.
     */
    private static void assertSameElements(final List<String> expected, final List<String> actual, final String what)
    {
        final List<String> sorted = new ArrayList<>(actual);
        sorted.sort(null);
        if (!expected.equals(sorted))
        {
            final List<String> missing = new ArrayList<>(expected);
            sorted.forEach(missing::remove);
            final List<String> extra = new ArrayList<>(sorted);
            expected.forEach(extra::remove);
            throw new AssertionError(what + ": " + expected.size() + " expected, " + actual.size() + " received; " +
                missing.size() + " missing, e.g. " + missing.subList(0, Math.min(5, missing.size())) + "; " +
                extra.size() + " unexpected, e.g. " + extra.subList(0, Math.min(5, extra.size())));
        }
    }

    private static TestDaemon windowedDaemon(final String threading, final boolean heavyRule)
    {
        final TestDaemon daemon = new TestDaemon()
            .set("sluice.alert.hot.on", "window")
            .set("sluice.alert.hot.field", "max")
            .set("sluice.alert.hot.op", ">")
            .set("sluice.alert.hot.threshold", Double.toString(HOT_THRESHOLD))
            .set("sluice.alert.spike.on", "event")
            .set("sluice.alert.spike.field", "value")
            .set("sluice.alert.spike.op", ">=")
            .set("sluice.alert.spike.threshold", Double.toString(SPIKE_THRESHOLD));
        if (heavyRule)
        {
            daemon
                .set("sluice.alert.heavy.on", "event")
                .set("sluice.alert.heavy.field", "sum")
                .set("sluice.alert.heavy.op", ">")
                .set("sluice.alert.heavy.threshold", Double.toString(HEAVY_THRESHOLD));
        }
        return daemon
            .set(SluiceConfig.THREADING, threading)
            .set(SluiceConfig.WINDOW_TYPE, "tumbling")
            .set(SluiceConfig.WINDOW_SIZE, "100ms")
            .set(SluiceConfig.WINDOW_ALLOWED_LATENESS, "5s")
            .set(SluiceConfig.STATE_CAPACITY, "256")
            .set(SluiceConfig.BATCH_MAX_EVENTS, Integer.toString(MAX_BATCH))
            .start();
    }

    private static void awaitCounter(final TestDaemon daemon, final int typeId, final String label, final long value)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (daemon.counter(typeId, label) < value && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertEquals(value, daemon.counter(typeId, label), label);
    }
}
