package io.sluice.systemtest;

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
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * <p>
 * This class holds what the cluster system tests share (the local cluster, the resuming client, the reference
 * digest); the tests are {@link ClusterFailoverSystemTest} (leader and follower killed under load),
 * {@link ClusterSnapshotSystemTest} (restore from snapshots, digests equal to a standalone daemon's, windows after a
 * follower restart) and {@link ClusterNodeProfileSystemTest} (the shipped node profile).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
abstract class ClusterTestSupport
{
    static final int EVENTS = Integer.getInteger("sluice.test.cluster.events", 15_000);
    static final long CLIENT_ID = 4711;
    static final long BASE_TIME_NS = 1_700_000_000_000_000_000L;
    static final long SECONDS_60 = TimeUnit.SECONDS.toNanos(60);
    final List<AutoCloseable> resources = new ArrayList<>();

    Path workDir;

    Path profile;

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

    LocalCluster cluster(final int basePort) throws IOException
    {
        return cluster(basePort, "");
    }

    LocalCluster cluster(final int basePort, final String moreSettings) throws IOException
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

    Client client(final LocalCluster cluster)
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

    static long key(final int event)
    {
        return 1 + event % 300;
    }

    static double value(final int event)
    {
        return (event % 1024) / 1024.0;
    }

    static String hex(final long digest)
    {
        return String.format("%016x", digest);
    }

    /**
     * The same processors as a node's, fed the events 1..count in order, once each, with nothing else.
     */
    long referenceDigest(final int count) throws IOException
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
    static final class Client implements SluiceResultHandler, AutoCloseable
    {
        final SluiceClient client;
        final java.util.BitSet answered = new java.util.BitSet();
        long answeredTwice;
        long duplicateRejects;

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

        void answer(final long correlationId)
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
    static final class DiscardingSink implements ResultSink
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
