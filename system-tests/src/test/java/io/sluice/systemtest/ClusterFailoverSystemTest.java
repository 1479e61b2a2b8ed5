package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.sluice.config.DriverThreading;
import io.sluice.config.SluiceConfig;
import io.sluice.config.ThreadingMode;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.shard.ProcessorGroup;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.state.Aggregate;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.tools.cluster.LocalCluster;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.journal.JournalTool;
import io.sluice.tools.stat.SluiceStat;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Sluice cluster nodes as separate processes on loopback (every thread backing off, never spinning), a resuming
 * client under load, and node failures: after each run every event the client offered is applied exactly once, which
 * the state digests prove: every live node's digest at one cluster snapshot equals the digest of a plain reference
 * run of the same processors over the events in order, once each (an event applied twice or lost changes a key's
 * count and sum). The profile has no windows, so the reference needs no cluster time.
 * <p>
 * {@code -Dsluice.test.cluster.events=N} (default 15,000) sets the events per run, {@code
 * -Dsluice.test.cluster.kills=K} (default 1) how many leaders the first test kills in turn.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterFailoverSystemTest
{
    private static final int EVENTS = Integer.getInteger("sluice.test.cluster.events", 15_000);
    private static final int KILLS = Integer.getInteger("sluice.test.cluster.kills", 1);
    private static final long CLIENT_ID = 4711;
    private static final long BASE_TIME_NS = 1_700_000_000_000_000_000L;
    private static final long SECONDS_60 = TimeUnit.SECONDS.toNanos(60);
    private static final Pattern RESTORED =
        Pattern.compile("sluice: restored cluster snapshot of log position (\\d+): digest ([0-9a-f]{16})");

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Path workDir;
    private Path profile;

    @AfterEach
    void tearDown() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
        if (null != workDir)
        {
            org.agrona.IoUtil.delete(workDir.toFile(), true);
        }
    }

    @Test
    void shouldApplyEveryEventOnceWhenTheLeaderIsKilledUnderLoadAndTheKilledNodeCatchesUp() throws Exception
    {
        final LocalCluster cluster = cluster(21200);
        cluster.startAll();
        final int firstLeader = cluster.awaitLeader(SECONDS_60);
        final Client client = client(cluster);

        final List<Integer> killed = new ArrayList<>();
        final int step = EVENTS / (2 * KILLS + 1);
        int sent = 0;
        for (int kill = 0; kill < KILLS; kill++)
        {
            client.send(sent, sent + step);
            sent += step;
            final int leader = cluster.awaitLeader(SECONDS_60);
            cluster.kill(leader);
            killed.add(leader);
            client.send(sent, sent + step);
            sent += step;
            final int next = cluster.awaitLeader(SECONDS_60);
            assertNotEquals(-1, next, "a new leader is elected");
            assertNotEquals(leader, next);
            cluster.start(leader);
        }
        client.send(sent, EVENTS);
        client.awaitAnswers(EVENTS - 2_000);
        client.awaitAllApplied();

        assertTrue(client.client.leaderChanges() >= KILLS, "the client followed every new leader (an extra election " +
            "on a starved host is allowed): " + client.client.leaderChanges());
        assertEquals(0, client.duplicateRejects, "no event was resent after the cluster applied it");
        assertEquals(0, client.answeredTwice);
        final long[] digests = cluster.snapshotDigests(SECONDS_60);
        final long reference = referenceDigest(EVENTS);
        for (int member = 0; member < 3; member++)
        {
            assertEquals(hex(reference), hex(digests[member]), "member " + member + " (first leader " + firstLeader +
                ", killed " + killed + ", digests " + hex(digests[0]) + " " + hex(digests[1]) + " " + hex(digests[2]) +
                ", answered " + client.answered.cardinality() + ", leader changes " + client.client.leaderChanges() +
                ", resumes " + client.client.autoResumes() + ") has every event once");
        }
    }

    @Test
    void shouldGoOnWithoutPauseWhenAFollowerIsKilledAndCatchItUpWhenItRestarts() throws Exception
    {
        final LocalCluster cluster = cluster(21240);
        cluster.startAll();
        final int leader = cluster.awaitLeader(SECONDS_60);
        final int follower = (leader + 1) % 3;
        final Client client = client(cluster);

        client.send(0, EVENTS / 3);
        cluster.kill(follower);
        client.send(EVENTS / 3, 2 * EVENTS / 3);
        client.awaitAnswers(2 * EVENTS / 3);
        final long[] withTwo = cluster.snapshotDigests(SECONDS_60);
        assertEquals(hex(referenceDigest(2 * EVENTS / 3)), hex(withTwo[leader]), "two nodes are a quorum");
        cluster.start(follower);
        client.send(2 * EVENTS / 3, EVENTS);
        client.awaitAnswers(EVENTS);

        assertEquals(EVENTS, client.answered.cardinality(), "every event answered");
        final long[] digests = cluster.snapshotDigests(SECONDS_60);
        final long reference = referenceDigest(EVENTS);
        for (int member = 0; member < 3; member++)
        {
            assertEquals(hex(reference), hex(digests[member]), "member " + member);
        }
    }

    @Test
    void shouldRestoreEveryNodeFromItsSnapshotAfterTheWholeClusterStopped() throws Exception
    {
        final LocalCluster cluster = cluster(21280);
        cluster.startAll();
        cluster.awaitLeader(SECONDS_60);
        final Client first = client(cluster);
        first.send(0, EVENTS / 2);
        first.awaitAnswers(EVENTS / 2);
        first.close();

        final int leader = cluster.awaitLeader(SECONDS_60);
        assertEquals(0, cluster.shutdown(SECONDS_60), "every node snapshots, terminates and exits 0");
        final long[] logOffsets = new long[3];
        for (int member = 0; member < 3; member++)
        {
            assertTrue(cluster.log(member, 0).contains("the cluster terminated this node"), cluster.log(member, 0));
            logOffsets[member] = Files.size(cluster.logFile(member));
        }

        cluster.startAll();
        final long reference = referenceDigest(EVENTS / 2);
        for (int member = 0; member < 3; member++)
        {
            final Matcher restored = awaitRestored(cluster, member, logOffsets[member]);
            assertEquals(hex(reference), restored.group(2), "member " + member + " restored every event once");
        }
        cluster.awaitLeader(SECONDS_60);
        final Client second = client(cluster);
        assertEquals(0, second.client.resume(second, SECONDS_60), "a new client of the same id resumes above the " +
            "restored mark and has nothing to resend");
        second.send(EVENTS / 2, EVENTS);
        second.awaitAnswers(EVENTS - EVENTS / 2);
        assertEquals(0, second.duplicateRejects);
        final long[] digests = cluster.snapshotDigests(SECONDS_60);
        for (int member = 0; member < 3; member++)
        {
            assertEquals(hex(referenceDigest(EVENTS)), hex(digests[member]), "member " + member + " (leader was " +
                leader + ")");
        }
    }

    @Test
    void shouldTakeTheSameSnapshotDigestAsAStandaloneDaemonOverTheSameInput() throws Exception
    {
        final LocalCluster cluster = cluster(21320);
        cluster.startAll();
        cluster.awaitLeader(SECONDS_60);
        final Client client = client(cluster);
        client.send(0, EVENTS / 2);
        client.awaitAnswers(EVENTS / 2);
        final long clusterDigest = cluster.snapshotDigests(SECONDS_60)[0];

        final TestDaemon daemon = new TestDaemon().profile(profile)
            .set(SluiceConfig.CLUSTER_MEMBERS, "")
            .set(SluiceConfig.JOURNAL_MODE, "async")
            .set(SluiceConfig.JOURNAL_DIR, workDir.resolve("standalone-journal").toString())
            .set(SluiceConfig.DRIVER_THREADING, "invoker")
            .start();
        resources.add(daemon);
        try (SluiceClient standaloneClient = SluiceClient.connect(
            SluiceMain.clientContextFor(daemon.config()).embeddedDriver(true).clientId(CLIENT_ID)))
        {
            assertTrue(standaloneClient.awaitConnected(SECONDS_60));
            final Client feeder = new Client(standaloneClient);
            feeder.send(0, EVENTS / 2);
            feeder.awaitAnswers(EVENTS / 2);
        }
        final long standaloneDigest = standaloneSnapshot(daemon);
        assertEquals(hex(referenceDigest(EVENTS / 2)), hex(standaloneDigest), "the standalone daemon's snapshot");
        assertEquals(hex(standaloneDigest), hex(clusterDigest), "the cluster's snapshot");

        daemon.restart();
        assertEquals(hex(standaloneDigest), hex(standaloneSnapshot(daemon)),
            "the standalone daemon restored from its snapshot");
        final long[] logOffsets = new long[3];
        assertEquals(0, cluster.shutdown(SECONDS_60));
        for (int member = 0; member < 3; member++)
        {
            logOffsets[member] = Files.size(cluster.logFile(member));
        }
        cluster.startAll();
        for (int member = 0; member < 3; member++)
        {
            final Matcher restored = awaitRestored(cluster, member, logOffsets[member]);
            assertEquals(hex(standaloneDigest), restored.group(2), "member " + member + " restored the same state");
        }
    }

    /**
     * Windows, ticks by the cluster timer and idle advance on quiet stretches, a snapshot, a follower killed and
     * restarted from it: every node, the restored one included, holds the same windows at the next snapshot. This run
     * also passes when a restored node restarts its clock readings (tried): the readings a restored node must keep
     * are checked exactly in {@code RingProducerMarksTest}, which fails without them.
     */
    @Test
    void shouldHoldTheSameWindowsOnEveryNodeWhenAFollowerRestartsFromASnapshot() throws Exception
    {
        final LocalCluster cluster = cluster(21400, String.join("\n",
            "sluice.window.type=tumbling",
            "sluice.window.size=200ms",
            "sluice.window.idle-advance=300ms",
            "sluice.tick.interval=20ms",
            "sluice.state.evict-after-windows=3",
            ""));
        cluster.startAll();
        final int leader = cluster.awaitLeader(SECONDS_60);
        final int follower = (leader + 2) % 3;
        final Client client = client(cluster);
        client.sendNow(0, 2_000);
        client.awaitAnswers(2_000);
        Thread.sleep(700);
        final long[] before = cluster.snapshotDigests(SECONDS_60);
        assertEquals(hex(before[0]), hex(before[1]));
        assertEquals(hex(before[0]), hex(before[2]));

        cluster.kill(follower);
        client.sendNow(2_000, 4_000);
        client.awaitAnswers(4_000);
        Thread.sleep(700);
        cluster.start(follower);
        client.sendNow(4_000, 6_000);
        client.awaitAnswers(6_000);
        Thread.sleep(700);
        final long[] after = cluster.snapshotDigests(SECONDS_60);
        assertNotEquals(hex(before[leader]), hex(after[leader]));
        for (int member = 0; member < 3; member++)
        {
            assertEquals(hex(after[leader]), hex(after[member]), "member " + member + " (restarted: " + follower + ")");
        }
        assertTrue(cluster.counter(leader, SluiceCounters.WINDOWS_CLOSED_TYPE_ID) > 0, "windows closed");
        assertEquals(cluster.counter(leader, SluiceCounters.WINDOWS_CLOSED_TYPE_ID),
            cluster.counter((leader + 1) % 3, SluiceCounters.WINDOWS_CLOSED_TYPE_ID), "a node that never stopped");
    }

    @Test
    void shouldStartAnswerAndStopTheShippedClusterNodeProfile() throws Exception
    {
        workDir = Files.createTempDirectory("sluice-cluster-test");
        final LocalCluster cluster = new LocalCluster(TestDaemon.shadedJar(), Path.of("../config/cluster-node.properties"),
            workDir.resolve("nodes"), 3, 21360, Map.of());
        resources.add(cluster);
        cluster.startAll();
        assertNotEquals(-1, cluster.awaitLeader(SECONDS_60));
        final Client client = client(cluster);
        final long nowNs = System.currentTimeMillis() * 1_000_000L;
        for (int event = 1; event <= 100; event++)
        {
            while (client.client.offerEvent(key(event), nowNs + event, 100.0 + event % 7) <= 0)
            {
                client.client.poll(client, 64);
            }
        }
        client.client.flush();
        client.awaitAnswers(100);
        assertEquals(0, client.duplicateRejects);
        for (int member = 0; member < 3; member++)
        {
            assertEquals(0, cluster.stop(member), cluster.log(member, 0));
            assertTrue(cluster.log(member, 0).contains("sluice: SIGTERM received, stopping"), cluster.log(member, 0));
            assertTrue(!new File(cluster.driverDir(member)).exists(), "member " + member + " deleted its driver dir");
        }
    }

    /**
     * A node says it restored its snapshot once its service has started, shortly after the node is ready.
     */
    private static Matcher awaitRestored(final LocalCluster cluster, final int member, final long logOffset)
    {
        final long deadlineNs = System.nanoTime() + SECONDS_60;
        while (true)
        {
            final Matcher restored = RESTORED.matcher(cluster.log(member, logOffset));
            if (restored.find())
            {
                return restored;
            }
            assertTrue(System.nanoTime() - deadlineNs < 0, "member " + member + " restored no snapshot: " +
                cluster.log(member, logOffset));
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static long standaloneSnapshot(final TestDaemon daemon)
    {
        final java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        assertEquals(0, JournalTool.snapshot(daemon.config(), SECONDS_60, new java.io.PrintStream(text, true)),
            text.toString());
        return SluiceStat.sum(daemon.driverDir, SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID);
    }

    private LocalCluster cluster(final int basePort) throws IOException
    {
        return cluster(basePort, "");
    }

    private LocalCluster cluster(final int basePort, final String moreSettings) throws IOException
    {
        workDir = Files.createTempDirectory("sluice-cluster-test");
        profile = workDir.resolve("cluster-test.properties");
        Files.writeString(profile, String.join("\n",
            "sluice.cluster.members=set-by-LocalCluster",
            "sluice.cluster.heartbeat-timeout=1s",
            "sluice.cluster.election-timeout=500ms",
            "sluice.cluster.idle-strategy=backoff",
            "sluice.hash.seed=0x5eed5eed5eed5eed",
            "sluice.journal.mode=off",
            "sluice.threading=shared",
            "sluice.processor.count=2",
            "sluice.ring.length=4096",
            "sluice.state.capacity=1024",
            "sluice.driver.mode=embedded",
            "sluice.driver.threading=shared",
            "sluice.driver.idle-strategy=backoff",
            "aeron.term.buffer.length=1m",
            "aeron.ipc.term.buffer.length=1m",
            moreSettings));
        final LocalCluster cluster = new LocalCluster(TestDaemon.shadedJar(), profile, workDir.resolve("nodes"), 3, basePort,
            Map.of());
        resources.add(cluster);
        return cluster;
    }

    private Client client(final LocalCluster cluster)
    {
        final SluiceClient client = SluiceClient.connect(new SluiceClient.Context()
            .embeddedDriver(true)
            .driverThreading(DriverThreading.SHARED)
            .clusterIngressEndpoints(cluster.ingressEndpoints())
            .clientId(CLIENT_ID)
            .maxBatchEvents(64));
        resources.add(client);
        assertTrue(client.awaitConnected(SECONDS_60), "connected to the cluster");
        return new Client(client);
    }

    private static long key(final int event)
    {
        return 1 + event % 300;
    }

    private static double value(final int event)
    {
        return (event % 1024) / 1024.0;
    }

    private static String hex(final long digest)
    {
        return String.format("%016x", digest);
    }

    /**
     * The same processors as a node's, fed the events 1..count in order, once each, with nothing else.
     */
    private long referenceDigest(final int count) throws IOException
    {
        final Properties properties = new Properties();
        try (var in = Files.newInputStream(profile))
        {
            properties.load(in);
        }
        properties.setProperty(SluiceConfig.CLUSTER_MEMBERS, "");
        final SluiceConfig config = SluiceConfig.of(properties);
        final ShardContext shards = ShardContext.from(config).conclude();
        final SluiceRing ring = new SluiceRing(config.ringLength(), WaitStrategyType.SLEEPING);
        final ResultSink sink = new DiscardingSink();
        final ShardCounters[] counters = ShardCounters.standalone(shards.processorCount());
        final ShardProcessor[] processors = shards.newProcessors((shard) -> sink, (shard) -> counters[shard], null);
        final ProcessorGroup group = new ProcessorGroup(ring, processors, ThreadingMode.SHARED, Throwable::printStackTrace);
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(new byte[4 * 1024]), new UnsafeBuffer(new byte[1024]));
        final AtomicCounter ticks = manager.newCounter("ticks");
        final RingProducer producer = shards.newProducer(ring, ticks);
        try
        {
            for (int event = 1; event <= count; event++)
            {
                while (RingProducer.RING_FULL == producer.offerEvent(
                    CLIENT_ID, event, key(event), BASE_TIME_NS + event, value(event), 0))
                {
                    group.pollAgent().doWork();
                }
            }
            while (!ring.isDrained())
            {
                group.pollAgent().doWork();
            }
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
        final long[] digests = new long[processors.length];
        for (int shard = 0; shard < processors.length; shard++)
        {
            digests[shard] = processors[shard].digest();
        }
        return SnapshotManifest.combined(digests);
    }

    /**
     * Offers events {@code [from, to)} (correlation ids from + 1 ..) at about 5,000 a second, polling, and counts the
     * answers by correlation id.
     */
    private static final class Client implements SluiceResultHandler, AutoCloseable
    {
        private final SluiceClient client;
        private final java.util.BitSet answered = new java.util.BitSet();
        private long answeredTwice;
        private long duplicateRejects;

        Client(final SluiceClient client)
        {
            this.client = client;
        }

        void send(final int from, final int to)
        {
            final long startNs = System.nanoTime();
            for (int event = from + 1; event <= to; )
            {
                final long dueNs = startNs + (event - from) * 200_000L;
                if (System.nanoTime() - dueNs >= 0)
                {
                    if (client.offerEvent(key(event), BASE_TIME_NS + event, value(event)) > 0)
                    {
                        event++;
                    }
                }
                if (0 == client.poll(this, 64))
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
            }
            client.flush();
        }

        /**
         * Events {@code [from, to)} as fast as the client takes them, stamped with the wall clock (cluster time is
         * the leader's wall clock, so windows close as time passes).
         */
        void sendNow(final int from, final int to)
        {
            for (int event = from + 1; event <= to; )
            {
                if (client.offerEvent(key(event), System.currentTimeMillis() * 1_000_000L, value(event)) > 0)
                {
                    event++;
                }
                else
                {
                    client.poll(this, 64);
                }
            }
            client.flush();
        }

        /**
         * Results of events the killed leader had applied are lost, so answers cannot tell whether every event is in
         * the log yet: a resume that finds nothing to resend can (the mark is the last event's), and a snapshot asked
         * for after it comes later in the log.
         */
        void awaitAllApplied()
        {
            long resent = -1;
            for (int round = 0; round < 5 && 0 != resent; round++)
            {
                resent = client.resume(this, SECONDS_60);
            }
            assertEquals(0, resent, "the cluster's mark for the client is its last event");
        }

        void awaitAnswers(final int atLeast)
        {
            final long deadlineNs = System.nanoTime() + SECONDS_60;
            while (answered.cardinality() < atLeast && System.nanoTime() - deadlineNs < 0)
            {
                if (0 == client.poll(this, 64))
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            }
            assertTrue(answered.cardinality() >= atLeast, answered.cardinality() + " answered");
        }

        public void onEventResult(final EventResultDecoder result)
        {
            answer(result.correlationId());
        }

        public void onRejected(final RejectedDecoder rejected)
        {
            if (io.sluice.core.RejectReason.DUPLICATE == rejected.reasonRaw())
            {
                duplicateRejects++;
            }
            answer(rejected.correlationId());
        }

        private void answer(final long correlationId)
        {
            if (correlationId > 0)
            {
                if (answered.get((int)correlationId))
                {
                    answeredTwice++;
                }
                answered.set((int)correlationId);
            }
        }

        public void close()
        {
            client.close();
        }
    }

    /**
     * A sink for the reference run, which only wants the state.
     */
    private static final class DiscardingSink implements ResultSink
    {
        public void onEventResult(final long clientId, final long correlationId, final long key, final long timestamp,
            final Aggregate aggregate, final long receiveNanos, final int resultMode)
        {
        }

        public void onQueryResult(final long clientId, final long correlationId, final long key, final boolean found,
            final Aggregate open, final Aggregate closed)
        {
        }

        public void onRejected(final long clientId, final long correlationId, final long key, final int reason,
            final int batchIndex)
        {
        }

        public void onWindowResult(final long key, final long windowEnd, final Aggregate window)
        {
        }

        public void onAlert(final int ruleIndex, final long key, final long windowStart, final int field, final int op,
            final double observed, final double threshold)
        {
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
        }
    }
}
