package io.sluice.systemtest;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.config.SluiceConfig;
import io.sluice.config.topology.KeyGroupHash;
import io.sluice.config.topology.Topology;
import io.sluice.core.RejectReason;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.topology.TopologyRequests;
import io.sluice.tools.SluiceMain;
import io.sluice.tools.stat.CounterRequest;
import io.sluice.transport.codec.BooleanType;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two appliances in topology mode, each an in-process daemon with its own driver, journal and ports: events to
 * both, then key groups 0-1023 moved from a to b through the host-local request files and counters
 * ({@link TopologyRequests}), as {@code sluice topology move} does it.
 * <pre>
 *   client ──► a (groups 0-2047)      client ──► b (groups 2048-4095)
 *              release 0-1023 ──► shared slices ──► acquire 0-1023
 * </pre>
 * Afterwards a answers NOT_OWNER with its epoch for a moved key, b holds the moved keys' exact aggregates, the
 * counters say what moved, a step at a stale epoch is refused, and a restarted a still refuses the moved groups.
 */
class TopologySystemTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long SEED = 0x5eedL;
    private static final int GROUPS = 4096;
    private static final int EVENTS_PER_KEY = 5;
    private static final long T0 = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldMoveKeyGroupsBetweenTwoAppliancesWithTheirStateAndRefuseThemAtTheSourceAfterwards() throws Exception
    {
        final KeyGroupHash hash = new KeyGroupHash(SEED, GROUPS);
        final List<Long> moved = keys(hash, 0, 1023, 12);
        final List<Long> stay = keys(hash, 1024, 2047, 12);
        final List<Long> atB = keys(hash, 2048, 4095, 12);
        final Path topologyFile = dir.resolve("topology.properties");
        final Path shared = dir.resolve("shared-slices");
        try (TestDaemon a = appliance("a", topologyFile); TestDaemon b = appliance("b", topologyFile))
        {
            final SluiceConfig ca = a.config();
            final SluiceConfig cb = b.config();
            new Topology(3, GROUPS, SEED, shared.toString(), List.of(
                new Topology.Appliance("a", ca.ingressChannel(), ca.ingressStreamId(), ca.egressChannel(),
                    ca.egressStreamId(), "", a.driverDir, List.of(new Topology.GroupRange(0, 2047))),
                new Topology.Appliance("b", cb.ingressChannel(), cb.ingressStreamId(), cb.egressChannel(),
                    cb.egressStreamId(), "", b.driverDir, List.of(new Topology.GroupRange(2048, 4095)))))
                .write(topologyFile);
            a.start();
            b.start();
            assertTrue(a.log().contains("  topology: appliance a of 2, epoch 3, owns 2048 of 4096 key groups " +
                "(0-2047) from file " + topologyFile), a.log());
            assertTrue(b.log().contains("  topology: appliance b of 2, epoch 3, owns 2048 of 4096 key groups " +
                "(2048-4095) from file " + topologyFile), b.log());

            final Map<Long, double[]> expected = new HashMap<>();
            final Handler ha = new Handler();
            final Handler hb = new Handler();
            try (SluiceClient clientA = client(a); SluiceClient clientB = client(b))
            {
                final List<Long> toA = new ArrayList<>(moved);
                toA.addAll(stay);
                send(clientA, ha, toA, expected);
                send(clientB, hb, atB, expected);

                // a key of b's groups sent to a: NOT_OWNER with a's epoch
                assertTrue(clientA.offerEvent(atB.get(0), T0, 1.0) > 0);
                final Handler.Reject wrongOwner = awaitReject(clientA, ha);
                assertEquals(RejectReason.NOT_OWNER, wrongOwner.reason);
                assertEquals(3, wrongOwner.epoch);
            }

            final TopologyRequests.Result released = step(a, 11, new TopologyRequests.Request(
                TopologyRequests.RELEASE, 4, 1, 0, 1023, shared.toString(), ""));
            assertEquals(new TopologyRequests.Result("release", 4, 1, moved.size(), released.bytes(),
                released.position(), released.durationNs()), released);
            assertTrue(released.position() > 0 && released.bytes() > 0, released.toString());
            final TopologyRequests.Result acquired = step(b, 21, new TopologyRequests.Request(
                TopologyRequests.ACQUIRE, 5, 1, 0, 1023, shared.toString(), "a"));
            assertEquals(new TopologyRequests.Result("acquire", 5, 1, moved.size(), 0, acquired.position(),
                acquired.durationNs()), acquired);

            assertEquals(4, counter(a, SluiceCounters.TOPOLOGY_EPOCH_TYPE_ID));
            assertEquals(1024, counter(a, SluiceCounters.TOPOLOGY_OWNED_GROUPS_TYPE_ID));
            assertEquals(1, counter(a, SluiceCounters.TOPOLOGY_MOVES_RELEASED_TYPE_ID));
            assertEquals(moved.size(), counter(a, SluiceCounters.TOPOLOGY_KEYS_OUT_TYPE_ID));
            assertEquals(5, counter(b, SluiceCounters.TOPOLOGY_EPOCH_TYPE_ID));
            assertEquals(3072, counter(b, SluiceCounters.TOPOLOGY_OWNED_GROUPS_TYPE_ID));
            assertEquals(1, counter(b, SluiceCounters.TOPOLOGY_MOVES_ACQUIRED_TYPE_ID));
            assertEquals(moved.size(), counter(b, SluiceCounters.TOPOLOGY_KEYS_IN_TYPE_ID));
            assertTrue(counter(b, SluiceCounters.TOPOLOGY_LAST_MOVE_TYPE_ID) > 0);
            assertEquals(moved.size() + atB.size(), liveKeys(b), "b took every moved key in");
            assertEquals(stay.size(), liveKeys(a), "a dropped every moved key");

            // a step at an epoch not above the appliance's is refused, naming both
            final long[] stale = exchange(b, 22, new TopologyRequests.Request(
                TopologyRequests.RELEASE, 5, 2, 0, 1023, shared.toString(), ""));
            assertEquals(-22, stale[0]);
            assertEquals("stale epoch 5: appliance b is at epoch 5, a step needs a greater one",
                TopologyRequests.readRefusal(Path.of(b.driverDir), 22));
            final long[] notOwned = exchange(a, 12, new TopologyRequests.Request(
                TopologyRequests.RELEASE, 6, 3, 0, 1023, shared.toString(), ""));
            assertEquals(-12, notOwned[0]);
            assertEquals("range 0-1023 is not owned by appliance a (it owns 1024-2047)",
                TopologyRequests.readRefusal(Path.of(a.driverDir), 12));

            final Handler ha2 = new Handler();
            final Handler hb2 = new Handler();
            try (SluiceClient clientA = client(a); SluiceClient clientB = client(b))
            {
                assertTrue(clientA.offerEvent(moved.get(0), T0 + 100, 1.0) > 0);
                final Handler.Reject notOwner = awaitReject(clientA, ha2);
                assertEquals(RejectReason.NOT_OWNER, notOwner.reason);
                assertEquals(moved.get(0).longValue(), notOwner.key);
                assertEquals(4, notOwner.epoch, "the refusal carries a's epoch after the release");
                queryAll(clientA, ha2, stay, expected);
                queryAll(clientB, hb2, moved, expected);
            }

            a.restart();
            assertTrue(a.log().contains("  topology: appliance a of 2, epoch 4, owns 1024 of 4096 key groups " +
                "(1024-2047) from journal"), a.log());
            final Handler ha3 = new Handler();
            try (SluiceClient clientA = client(a))
            {
                assertTrue(clientA.offerEvent(moved.get(1), T0 + 200, 1.0) > 0);
                final Handler.Reject afterRestart = awaitReject(clientA, ha3);
                assertEquals(RejectReason.NOT_OWNER, afterRestart.reason);
                assertEquals(4, afterRestart.epoch);
                queryAll(clientA, ha3, stay, expected);
            }
            assertEquals(stay.size(), liveKeys(a), "a dropped the moved keys");

            // no snapshot: the restart replays the whole journal, the release included, from the start ownership
            a.daemon.close();
            a.daemon = null;
            deleteRecursively(dir.resolve("journal-a").resolve("snapshots"));
            final int before = a.log().length();
            a.start();
            final String replayed = a.log().substring(before);
            assertTrue(replayed.contains("  topology: appliance a of 2, epoch 4, owns 1024 of 4096 key groups " +
                "(1024-2047) from journal"), replayed);
            assertEquals(stay.size(), liveKeys(a), "the replayed release dropped the moved keys again");
            final Handler ha4 = new Handler();
            try (SluiceClient clientA = client(a))
            {
                assertTrue(clientA.offerEvent(moved.get(2), T0 + 300, 1.0) > 0);
                final Handler.Reject afterReplay = awaitReject(clientA, ha4);
                assertEquals(RejectReason.NOT_OWNER, afterReplay.reason);
                assertEquals(4, afterReplay.epoch);
                queryAll(clientA, ha4, stay, expected);
            }
        }
    }

    private TestDaemon appliance(final String name, final Path topologyFile)
    {
        return new TestDaemon()
            .set(SluiceConfig.TOPOLOGY_FILE, topologyFile.toString())
            .set(SluiceConfig.TOPOLOGY_APPLIANCE, name)
            .set(SluiceConfig.JOURNAL_MODE, "async")
            .set(SluiceConfig.JOURNAL_DIR, dir.resolve("journal-" + name).toString())
            .set(SluiceConfig.PROCESSOR_COUNT, "2")
            .set(SluiceConfig.STATE_CAPACITY, "4096");
    }

    private static SluiceClient client(final TestDaemon daemon)
    {
        final SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(daemon.config())
            .aeronDirectoryName(daemon.driverDir).egressImages(2));
        assertTrue(client.awaitConnected(TIMEOUT_NS), () -> daemon.log() + counters(daemon));
        return client;
    }

    private static List<Long> keys(final KeyGroupHash hash, final int first, final int last, final int count)
    {
        final List<Long> keys = new ArrayList<>();
        for (long key = 1; keys.size() < count; key++)
        {
            final int group = hash.keyGroup(key);
            if (group >= first && group <= last)
            {
                keys.add(key);
            }
        }
        return keys;
    }

    private static void send(
        final SluiceClient client, final Handler handler, final List<Long> keys, final Map<Long, double[]> expected)
    {
        int sent = 0;
        for (final long key : keys)
        {
            final double[] aggregate = new double[2];
            for (int i = 0; i < EVENTS_PER_KEY; i++)
            {
                final double value = key % 7 + i * 0.5;
                while (client.offerEvent(key, T0 + i, value) <= 0)
                {
                    client.poll(handler, 64);
                }
                aggregate[0]++;
                aggregate[1] += value;
                sent++;
            }
            expected.put(key, aggregate);
        }
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (handler.results < sent && System.nanoTime() - deadline < 0)
        {
            if (0 == client.poll(handler, 64))
            {
                LockSupport.parkNanos(100_000);
            }
        }
        assertEquals(sent, handler.results, "a result for every event; rejects " + handler.rejects);
    }

    private static Handler.Reject awaitReject(final SluiceClient client, final Handler handler)
    {
        final int before = handler.rejects.size();
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (handler.rejects.size() == before && System.nanoTime() - deadline < 0)
        {
            if (0 == client.poll(handler, 64))
            {
                LockSupport.parkNanos(100_000);
            }
        }
        assertEquals(before + 1, handler.rejects.size(), "one reject");
        return handler.rejects.get(before);
    }

    private static void queryAll(
        final SluiceClient client, final Handler handler, final List<Long> keys, final Map<Long, double[]> expected)
    {
        handler.queries.clear();
        for (final long key : keys)
        {
            while (client.offerQuery(key) <= 0)
            {
                client.poll(handler, 64);
            }
        }
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (handler.queries.size() < keys.size() && System.nanoTime() - deadline < 0)
        {
            if (0 == client.poll(handler, 64))
            {
                LockSupport.parkNanos(100_000);
            }
        }
        assertEquals(keys.size(), handler.queries.size(), "an answer per query; rejects " + handler.rejects);
        for (final long key : keys)
        {
            final double[] answer = handler.queries.get(key);
            assertEquals(expected.get(key)[0], answer[0], "count of key " + key);
            assertEquals(expected.get(key)[1], answer[1], "sum of key " + key);
        }
    }

    private static long[] exchange(final TestDaemon daemon, final long id, final TopologyRequests.Request request)
    {
        TopologyRequests.writeRequest(Path.of(daemon.driverDir), id, request);
        return CounterRequest.exchange(daemon.driverDir, counterId(daemon, SluiceCounters.TOPOLOGY_REQUEST_TYPE_ID),
            counterId(daemon, SluiceCounters.TOPOLOGY_RESULT_TYPE_ID), id, TIMEOUT_NS);
    }

    private static TopologyRequests.Result step(
        final TestDaemon daemon, final long id, final TopologyRequests.Request request) throws Exception
    {
        final long[] outcome = exchange(daemon, id, request);
        if (-id == outcome[0])
        {
            throw new AssertionError("refused: " + TopologyRequests.readRefusal(Path.of(daemon.driverDir), id) +
                "\n" + daemon.log());
        }
        assertEquals(id, outcome[0], daemon.log());
        return TopologyRequests.readResult(Path.of(daemon.driverDir), id);
    }

    private static int counterId(final TestDaemon daemon, final int typeId)
    {
        final CountersReader reader = daemon.daemon.aeron().countersReader();
        final int[] found = {-1};
        reader.forEach((counterId, type, keyBuffer, label) ->
        {
            if (type == typeId && reader.getCounterState(counterId) == CountersReader.RECORD_ALLOCATED)
            {
                found[0] = counterId;
            }
        });
        assertTrue(found[0] >= 0, "counter type " + typeId);
        return found[0];
    }

    private static long liveKeys(final TestDaemon daemon)
    {
        final CountersReader reader = daemon.daemon.aeron().countersReader();
        final long[] sum = {0};
        reader.forEach((counterId, type, keyBuffer, label) ->
        {
            if (type == SluiceCounters.LIVE_KEYS_TYPE_ID &&
                reader.getCounterState(counterId) == CountersReader.RECORD_ALLOCATED)
            {
                sum[0] += reader.getCounterValue(counterId);
            }
        });
        return sum[0];
    }

    private static void deleteRecursively(final Path path) throws java.io.IOException
    {
        if (!java.nio.file.Files.exists(path))
        {
            return;
        }
        try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(path))
        {
            for (final Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                java.nio.file.Files.delete(p);
            }
        }
    }

    private static String counters(final TestDaemon daemon)
    {
        final StringBuilder b = new StringBuilder();
        final CountersReader reader = daemon.daemon.aeron().countersReader();
        reader.forEach((value, counterId, label) -> b.append(label).append(" = ").append(value).append('\n'));
        return b.toString();
    }

    private static long counter(final TestDaemon daemon, final int typeId)
    {
        return daemon.daemon.aeron().countersReader().getCounterValue(counterId(daemon, typeId));
    }

    static final class Handler implements SluiceResultHandler
    {
        record Reject(long key, int reason, long epoch)
        {
        }

        int results;
        final List<Reject> rejects = new ArrayList<>();
        final Map<Long, double[]> queries = new HashMap<>();

        public void onEventResult(final EventResultDecoder r)
        {
            results++;
        }

        public void onRejected(final RejectedDecoder r)
        {
            if (r.correlationId() < 0)
            {
                return; // a connection probe of a key group the appliance does not own
            }
            rejects.add(new Reject(r.key(), r.reason().value(), r.epoch()));
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
        }

        public void onQueryResult(final QueryResultDecoder r)
        {
            if (r.correlationId() >= 0)
            {
                queries.put(r.key(), new double[]{ BooleanType.TRUE == r.found() ? r.openCount() : -1, r.openSum() });
            }
        }
    }
}
