package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.config.topology.KeyGroupHash;
import io.sluice.config.topology.Topology;
import io.sluice.config.topology.Topology.GroupRange;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResultMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TopologyClient} against two {@link FakeAppliance}s over Aeron IPC on a media driver of the test's own (temp
 * directory, yielding idle): routing by the topology's key groups, a move answered NOT_OWNER until the file has the
 * new epoch, the restart decision (DUPLICATE for what was applied, NOT_OWNER for what was not), and the refused
 * settings.
 */
@Timeout(120)
class TopologyClientTest
{
    private static final String CHANNEL = "aeron:ipc?term-length=1m";
    private static final int GROUPS = 64;
    private static final long SEED = 0x5eedL;
    private static final long CLIENT_ID = 77;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    /** Every answer the application saw, by application id: e.g. "RESULT 17", "BATCHED 17", "DUPLICATE 17". */
    private final Map<Long, List<String>> answers = new HashMap<>();
    private final SluiceResultHandler handler = new SluiceResultHandler()
    {
        public void onEventResult(final EventResultDecoder result)
        {
            answer(result.correlationId(), "RESULT " + result.key());
        }

        public void onBatchedEventResult(final EventResultBatchDecoder.ResultsDecoder result)
        {
            answer(result.correlationId(), "BATCHED " + result.key());
        }

        public void onQueryResult(final QueryResultDecoder result)
        {
            answer(result.correlationId(), "QUERY " + result.key());
        }

        public void onRejected(final RejectedDecoder rejected)
        {
            answer(rejected.correlationId(), rejected.reason() + " " + rejected.key());
        }
    };
    private final KeyGroupHash hash = new KeyGroupHash(SEED, GROUPS);
    private File dir;
    private Path topologyFile;
    private MediaDriver driver;
    private Aeron aeron;
    private FakeAppliance a;
    private FakeAppliance b;
    private TopologyClient client;

    @BeforeEach
    void launchDriver() throws Exception
    {
        dir = Files.createTempDirectory("sluice-topology-client-").toFile();
        topologyFile = dir.toPath().resolve("topology.properties");
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new YieldingIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
    }

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(client, a, b, aeron, driver);
        IoUtil.delete(dir, true);
    }

    private void answer(final long appId, final String what)
    {
        answers.computeIfAbsent(appId, (id) -> new ArrayList<>()).add(what);
    }

    private void writeTopology(final long epoch, final String aGroups, final String bGroups)
    {
        new Topology(epoch, GROUPS, SEED, dir.getAbsolutePath(), List.of(
            appliance("a", 2001, aGroups), appliance("b", 2003, bGroups))).write(topologyFile);
    }

    private static Topology.Appliance appliance(final String name, final int stream, final String groups)
    {
        final List<GroupRange> ranges = new ArrayList<>();
        for (final String range : groups.split(","))
        {
            ranges.add(GroupRange.parse(range, GROUPS));
        }
        return new Topology.Appliance(name, CHANNEL, stream, CHANNEL, stream + 1, "", "", ranges);
    }

    private TopologyClient.Context context()
    {
        return new TopologyClient.Context()
            .topologyFile(topologyFile)
            .clientId(CLIENT_ID)
            .aeronDirectoryName(driver.aeronDirectoryName())
            .topologyRetryNs(TimeUnit.MILLISECONDS.toNanos(20));
    }

    private void connect(final TopologyClient.Context ctx)
    {
        client = TopologyClient.connect(ctx);
        assertTrue(client.awaitConnected(TIMEOUT_NS), "connected to both fake appliances");
    }

    /** Offer one event, polling while the client does not take it; returns its application id. */
    private long offer(final long key, final double value)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        long id;
        while ((id = client.offerEvent(key, 1_000_000_000L + key, value)) < 0)
        {
            assertTrue(System.nanoTime() - deadline < 0, "offer taken in time: " + id);
            client.poll(handler, 64);
        }
        return id;
    }

    private void pollUntil(final BooleanSupplier done, final String what)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!done.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, what + " in time; answers " + answers.size() +
                ", waiting " + client.waiting() + ", unanswered " + client.unanswered());
            if (0 == client.poll(handler, 64))
            {
                Thread.yield();
            }
        }
    }

    private static int countAt(final FakeAppliance appliance, final String answer)
    {
        int n = 0;
        for (final FakeAppliance.Received r : appliance.received)
        {
            n += r.answer().equals(answer) ? 1 : 0;
        }
        return n;
    }

    @Test
    void shouldRouteEveryKeyToTheOwnerOfItsKeyGroup()
    {
        writeTopology(1, "0-9,40-63", "10-39");
        final Topology topology = Topology.read(topologyFile);
        a = new FakeAppliance(aeron, "a", CHANNEL, 2001, 2002, hash, 1, 0, 63);
        b = new FakeAppliance(aeron, "b", CHANNEL, 2003, 2004, hash, 1, 0, 63);
        connect(context());

        final int events = 10_000;
        final Random random = new Random(24);
        final Map<Long, Long> keyOf = new HashMap<>();
        final List<Long> expectedAtA = new ArrayList<>();
        final List<Long> expectedAtB = new ArrayList<>();
        for (int i = 0; i < events; i++)
        {
            final long key = random.nextLong();
            final int owner = topology.ownerOf(hash.keyGroup(key));
            assertEquals(owner, client.ownerOf(key));
            (0 == owner ? expectedAtA : expectedAtB).add(key);
            final long id = offer(key, 1.0);
            assertEquals(i + 1, id, "application ids are the client's own sequence");
            keyOf.put(id, key);
        }
        pollUntil(() -> answers.size() == events && 0 == client.unanswered(), "every event answered");

        for (long id = 1; id <= events; id++)
        {
            assertEquals(List.of("RESULT " + keyOf.get(id)), answers.get(id), "application id " + id);
        }
        assertEquals(expectedAtA, a.received.stream().map(FakeAppliance.Received::key).toList());
        assertEquals(expectedAtB, b.received.stream().map(FakeAppliance.Received::key).toList());
        assertTrue(expectedAtA.size() > 1000 && expectedAtB.size() > 1000, "both appliances own many keys");
        assertEquals(expectedAtA.size(), client.eventsSent(0));
        assertEquals(expectedAtB.size(), client.eventsSent(1));
        assertEquals(expectedAtA.size(), client.resultsReceived(0));
        assertEquals(expectedAtB.size(), client.resultsReceived(1));
        assertEquals(0, client.notOwnerReroutes(0) + client.notOwnerReroutes(1));
        assertEquals(1, client.topologyEpoch());
        assertEquals(0, client.topologyReloads());
    }

    @Test
    void shouldSendAnEventRefusedNotOwnerToTheNewOwnerOnceTheFileHasTheNewEpoch()
    {
        writeTopology(1, "0-31", "32-63");
        a = new FakeAppliance(aeron, "a", CHANNEL, 2001, 2002, hash, 2, 0, 15);
        b = new FakeAppliance(aeron, "b", CHANNEL, 2003, 2004, hash, 2, 16, 63);
        connect(context().resultMode(ResultMode.BATCHED));

        final int events = 2_000;
        final Random random = new Random(7);
        final Map<Long, Long> keyOf = new HashMap<>();
        int moved = 0;
        int atB = 0;
        for (int i = 0; i < events; i++)
        {
            final long key = random.nextLong();
            final int group = hash.keyGroup(key);
            moved += group >= 16 && group <= 31 ? 1 : 0;
            atB += group >= 32 ? 1 : 0;
            keyOf.put(offer(key, 1.0), key);
        }
        long movedKey;
        do
        {
            movedKey = random.nextLong();
        }
        while (hash.keyGroup(movedKey) < 16 || hash.keyGroup(movedKey) > 31);
        long queryId;
        while ((queryId = client.offerQuery(movedKey)) < 0)
        {
            client.poll(handler, 64);
        }
        assertEquals(events + 1, queryId, "queries take application ids from the same sequence");
        final int refused = moved + 1;
        pollUntil(() -> answers.size() + client.waiting() == events + 1 && refused == client.waiting(),
            "a's answers and NOT_OWNER refusals");
        assertEquals(0, b.received.stream().filter((r) -> hash.keyGroup(r.key()) < 32).count(),
            "nothing moved reached b while the file said epoch 1");
        assertEquals(1, client.topologyEpoch());
        assertEquals(0, client.topologyReloads());

        writeTopology(2, "0-15", "16-63");
        pollUntil(() -> answers.size() == events + 1 && 0 == client.unanswered(), "every event answered");
        assertEquals(List.of("QUERY " + movedKey), answers.get(queryId), "the query refused NOT_OWNER, asked again");
        assertEquals(1, client.queriesSent(0));
        assertEquals(1, client.queriesSent(1));

        for (long id = 1; id <= events; id++)
        {
            assertEquals(List.of("BATCHED " + keyOf.get(id)), answers.get(id), "application id " + id);
        }
        assertEquals(2, client.topologyEpoch());
        assertEquals(1, client.topologyReloads());
        assertNull(client.lastTopologyFailure());
        assertEquals(moved + 1, client.notOwnerReroutes(0));
        assertEquals(0, client.notOwnerReroutes(1));
        assertEquals(moved + 1, countAt(a, "NOT_OWNER"));
        assertEquals(events - atB, client.eventsSent(0));
        assertEquals(atB + moved, client.eventsSent(1));
        assertEquals(events - atB - moved, client.resultsReceived(0));
        assertEquals(atB + moved + 1, client.resultsReceived(1));
        final List<Long> wireIdsAtB = b.received.stream().map(FakeAppliance.Received::wireId).toList();
        for (int i = 0; i < wireIdsAtB.size(); i++)
        {
            assertEquals(i + 1, wireIdsAtB.get(i), "b's wire ids are its link's own fresh sequence");
        }
        assertEquals(atB + moved + 1, wireIdsAtB.size());
        assertEquals(moved + 1, b.received.stream().filter((r) -> hash.keyGroup(r.key()) < 32).count(),
            "each moved event reached b once");
        assertEquals(0, client.waiting());
    }

    @ParameterizedTest
    @ValueSource(strings = {"RESUME_REQUIRED", "UNAUTHENTICATED"})
    void shouldResendUnansweredEventsWithTheirWireIdsAfterARestartAndRouteThoseNeverApplied(final String refusal)
    {
        writeTopology(1, "0-31", "32-63");
        a = new FakeAppliance(aeron, "a", CHANNEL, 2001, 2002, hash, 2, 0, 15);
        b = new FakeAppliance(aeron, "b", CHANNEL, 2003, 2004, hash, 2, 16, 63);
        connect(context().maxBatchEvents(1));
        a.silent = true;

        final Random random = new Random(11);
        final Map<Long, Long> keyOf = new HashMap<>();
        final Map<Long, Long> wireAtA = new HashMap<>();
        int applied = 0;
        int notApplied = 0;
        while (applied < 20 || notApplied < 20)
        {
            final long key = random.nextLong();
            final int group = hash.keyGroup(key);
            if (group >= 32 || (group < 16 ? applied >= 20 : notApplied >= 20))
            {
                continue;
            }
            applied += group < 16 ? 1 : 0;
            notApplied += group >= 16 ? 1 : 0;
            final long id = offer(key, 1.0);
            keyOf.put(id, key);
            wireAtA.put(id, (long)keyOf.size());
        }
        pollUntil(() -> 40 == a.received.size(), "a received the 40 events and answered none");
        assertEquals(40, client.unanswered());

        a.silent = false;
        a.resumeAnswer = refusal;
        a.mustResume = true;
        writeTopology(2, "0-15", "16-63");
        long keyAfter;
        do
        {
            keyAfter = random.nextLong();
        }
        while (hash.keyGroup(keyAfter) >= 16);
        final long idAfter = offer(keyAfter, 1.0);
        pollUntil(() -> 41 == answers.size() && 0 == client.unanswered(), "every event answered after the resume");

        assertEquals(1, client.resumes(0));
        assertEquals(List.of("RESULT " + keyAfter), answers.get(idAfter));
        int duplicates = 0;
        int rerouted = 0;
        for (final Map.Entry<Long, Long> e : keyOf.entrySet())
        {
            final long key = e.getValue();
            if (hash.keyGroup(key) < 16)
            {
                assertEquals(List.of("DUPLICATE " + key), answers.get(e.getKey()), "applied before the restart");
                duplicates++;
            }
            else
            {
                assertEquals(List.of("RESULT " + key), answers.get(e.getKey()), "never applied at a: moved to b");
                rerouted++;
            }
        }
        assertEquals(20, duplicates);
        assertEquals(20, rerouted);
        final List<FakeAppliance.Received> afterRestart = a.received.subList(40, a.received.size());
        assertEquals(List.of(refusal, "RESULT"), afterRestart.subList(0, 2).stream()
            .map(FakeAppliance.Received::answer).toList(), "the event after the restart, then its resend");
        final Map<Long, Long> resentWireIds = new HashMap<>();
        for (final FakeAppliance.Received r : afterRestart.subList(2, afterRestart.size()))
        {
            resentWireIds.put(r.wireId(), r.key());
            assertEquals(hash.keyGroup(r.key()) < 16 ? "DUPLICATE" : "NOT_OWNER", r.answer());
        }
        assertEquals(40, resentWireIds.size(), "every unanswered event resent once");
        for (final Map.Entry<Long, Long> e : wireAtA.entrySet())
        {
            assertEquals(keyOf.get(e.getKey()), resentWireIds.get(e.getValue()), "resent with its original wire id");
        }
        assertEquals(20, client.notOwnerReroutes(0));
        assertEquals(20, b.received.size());
        assertEquals(2, client.topologyEpoch());
    }

    @Test
    void shouldHoldAtMostResendBufferLengthUnansweredAndResumeOnDemand()
    {
        writeTopology(1, "0-62", "63");
        a = new FakeAppliance(aeron, "a", CHANNEL, 2001, 2002, hash, 1, 0, 62);
        b = new FakeAppliance(aeron, "b", CHANNEL, 2003, 2004, hash, 1, 63, 63);
        connect(context().resendBufferLength(4).maxBatchEvents(1));
        a.silent = true;
        final long[] keys = new Random(5).longs(64).filter((k) -> hash.keyGroup(k) < 63).limit(5).toArray();
        for (int i = 0; i < 4; i++)
        {
            assertEquals(i + 1, client.offerEvent(keys[i], 1_000_000_000L, 1.0));
        }
        assertEquals(io.aeron.Publication.BACK_PRESSURED, client.offerEvent(keys[4], 1_000_000_000L, 1.0),
            "4 unanswered: the fifth is not taken");
        pollUntil(() -> 4 == a.received.size(), "a received the 4 events and answered none");

        a.silent = false;
        assertEquals(4, client.resume(0, handler, TIMEOUT_NS), "the 4 unanswered events sent again");
        pollUntil(() -> 4 == answers.size(), "the 4 answered");
        for (long id = 1; id <= 4; id++)
        {
            assertEquals(List.of("DUPLICATE " + keys[(int)id - 1]), answers.get(id), "application id " + id);
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 1L, 2L, 3L, 4L),
            a.received.stream().map(FakeAppliance.Received::wireId).toList(), "resent with their wire ids");
        assertEquals(5, client.offerEvent(keys[4], 1_000_000_000L, 1.0));
        pollUntil(() -> 5 == answers.size(), "the fifth answered");
        assertEquals(List.of("RESULT " + keys[4]), answers.get(5L));
        assertEquals(6, a.received.get(8).wireId(), "wire ids go on above the Resume's");
        assertEquals(1, client.resumes(0));
        assertEquals(9, client.eventsSent(0));
        assertEquals(5, client.resultsReceived(0));
    }

    @Test
    void shouldAllocateNothingPerEventOnceWarm()
    {
        writeTopology(1, "0-31", "32-63");
        a = new FakeAppliance(aeron, "a", CHANNEL, 2001, 2002, hash, 1, 0, 63);
        b = new FakeAppliance(aeron, "b", CHANNEL, 2003, 2004, hash, 1, 0, 63);
        connect(context());
        final long[] answered = new long[1];
        final SluiceResultHandler counting = new SluiceResultHandler()
        {
            public void onEventResult(final EventResultDecoder result)
            {
                answered[0]++;
            }

            public void onRejected(final RejectedDecoder rejected)
            {
                answered[0] += 1_000_000;
            }
        };
        final long[] keys = new Random(3).longs(4096).toArray();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        sendAndAwait(counting, answered, keys, 20_000);
        answered[0] = 0;

        // The least of three rounds: a JIT deoptimization may once re-create on this thread objects the compiler
        // had scalar-replaced (a few hundred bytes); an allocation per event shows in every round (20000 x >= 16 B).
        long least = Long.MAX_VALUE;
        for (int round = 1; round <= 3; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            final boolean done = sendAndAwait(counting, answered, keys, 20_000);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(done, "answered in time: " + answered[0]);
            assertEquals(20_000L * round, answered[0]);
            least = Math.min(least, allocated);
        }
        assertEquals(0, least, "bytes allocated by the application thread for 20000 events, offers and polls");
        assertEquals(0, client.unanswered());
    }

    /** Offer events (polling while one is not taken) and poll until all are answered; false when out of time. */
    private boolean sendAndAwait(
        final SluiceResultHandler counting, final long[] answered, final long[] keys, final int events)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        final long target = answered[0] + events;
        for (int i = 0; i < events; i++)
        {
            while (client.offerEvent(keys[i & (keys.length - 1)], 1_000_000_000L, 1.0) < 0)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    return false;
                }
                client.poll(counting, 64);
            }
        }
        while (answered[0] < target)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            if (0 == client.poll(counting, 64))
            {
                Thread.yield();
            }
        }
        return true;
    }

    @Test
    void shouldRefuseResultModeNoneNamingWhy()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new TopologyClient.Context().topologyFile(Path.of("t.properties")).resultMode(ResultMode.NONE)
                .conclude());
        assertEquals("resultMode=NONE is not allowed for a TopologyClient: the routing client needs each event's " +
            "answer to know it was applied (or must be sent to another appliance); use PER_EVENT or BATCHED",
            ex.getMessage());
    }

    @Test
    void shouldRefuseAContextWithoutTopologyFileOrResendBuffer()
    {
        assertEquals("topologyFile must be set: the topology file (sluice.topology.file) the client routes by",
            assertThrows(IllegalArgumentException.class, () -> new TopologyClient.Context().conclude()).getMessage());
        assertEquals("resendBufferLength=0 must be >= 1 for a TopologyClient: it bounds the unanswered events the " +
            "client keeps to route again", assertThrows(IllegalArgumentException.class,
            () -> new TopologyClient.Context().topologyFile(Path.of("t")).resendBufferLength(0).conclude())
            .getMessage());
    }
}
