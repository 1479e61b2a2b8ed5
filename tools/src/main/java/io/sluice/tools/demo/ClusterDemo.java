package io.sluice.tools.demo;

import io.aeron.AeronCounters;
import io.sluice.config.DriverThreading;
import io.sluice.core.RejectReason;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.tools.cluster.LocalCluster;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.collections.MutableLong;

import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice cluster-demo}: a three-node Sluice cluster on loopback (three processes, each with its own driver,
 * archive, consensus module and Sluice service) under a producer at a fixed rate; kills the leader with SIGKILL,
 * shows the election and the fail-over gap, restarts the killed node and shows it catching up, then takes a cluster
 * snapshot and compares the three nodes' state digests. Everything it started is stopped and deleted.
 * <pre>
 *   producer (this JVM, SluiceClient) ──ingress──▶ leader ──log──▶ followers
 *            ◀────────────────────────egress──────┘
 *   t = kill-after: SIGKILL the leader; a follower is elected; the client resumes with it
 *   t = restart-after: the killed node starts again, recovers and catches up from the new leader's log
 *   end: snapshot on every node at one log position; the digests must be equal
 * </pre>
 * Exit 0 when every event was applied exactly once (no answer twice, no {@code DUPLICATE}, and a last resume finds
 * the cluster's mark for the client at its last event) and the digests are equal; 1 otherwise.
 */
public final class ClusterDemo implements SluiceResultHandler
{
    private static final long CLIENT_ID = 0x5_1CE_C1A5L;
    private static final int BASE_PORT = 20310;

    private final PrintStream out;
    private final BitSet answered = new BitSet();
    private long results;
    private long rejected;
    private long duplicates;
    private long duplicateRejects;
    private long killNs;
    private int killed = -1;
    private long gapNs = -1;
    private SluiceClient client;

    private ClusterDemo(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * Run the demo.
     *
     * @param jar     the shaded jar the nodes run.
     * @param config  the nodes' configuration ({@code config/cluster-node.properties}).
     * @param rate    events per second.
     * @param seconds how long to send.
     * @param out     where the lines go.
     * @return 0 when every event was applied once and the digests agree, else 1.
     * @throws Exception when a node cannot start.
     */
    public static int run(final File jar, final Path config, final int rate, final int seconds, final PrintStream out)
        throws Exception
    {
        final Path workDir = Files.createTempDirectory("sluice-cluster-demo");
        try (LocalCluster cluster = new LocalCluster(jar, config, workDir, 3, BASE_PORT, Map.of()))
        {
            // Ctrl-C: the JVM's shutdown still kills the nodes and deletes what they wrote
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "sluice-cluster-demo-cleanup"));
            out.println("cluster-demo: starting 3 nodes on loopback (ports " + BASE_PORT + ".." + (BASE_PORT + 24) +
                "), logs in " + workDir);
            cluster.startAll();
            final int firstLeader = cluster.awaitLeader(TimeUnit.SECONDS.toNanos(60));
            out.println("cluster-demo: member " + firstLeader + " leads");
            return new ClusterDemo(out).drive(cluster, rate, seconds);
        }
    }

    private int drive(final LocalCluster cluster, final int rate, final int seconds)
    {
        final SluiceClient.Context ctx = new SluiceClient.Context()
            .embeddedDriver(true)
            .driverThreading(DriverThreading.SHARED)
            .clusterIngressEndpoints(cluster.ingressEndpoints())
            .clientId(CLIENT_ID);
        try (SluiceClient client = SluiceClient.connect(ctx))
        {
            this.client = client;
            if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(30)))
            {
                out.println("cluster-demo: the client could not connect to the cluster");
                return 1;
            }
            final long sent = send(cluster, client, rate, seconds);
            final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (answered.cardinality() < sent && System.nanoTime() - drainDeadline < 0)
            {
                if (0 == client.poll(this, 64))
                {
                    sleepMs(1);
                }
            }
            return report(cluster, sent);
        }
    }

    private long send(final LocalCluster cluster, final SluiceClient client, final int rate, final int seconds)
    {
        final Random random = new Random(7);
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long startNs = System.nanoTime();
        final long epochOffsetNs = System.currentTimeMillis() * 1_000_000L - startNs;
        final long killAtNs = startNs + TimeUnit.SECONDS.toNanos(Math.max(2, seconds / 4));
        final long restartAtNs = startNs + TimeUnit.SECONDS.toNanos(Math.max(4, seconds / 2));
        final long events = (long)rate * seconds;
        final MutableLong restarted = new MutableLong(0);
        Thread restarter = null;
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long sent = 0;
        while (sent < events)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - (startNs + sent * intervalNs) >= 0)
            {
                final long key = 1 + random.nextInt(1000);
                final double value = Math.round((100 + random.nextGaussian() * 5) * 100) / 100.0;
                if (client.offerEvent(key, epochOffsetNs + nowNs, value) > 0)
                {
                    sent++;
                }
            }
            if (0 == client.poll(this, 64) && nowNs - (startNs + sent * intervalNs) < 0)
            {
                Thread.onSpinWait();
            }
            if (-1 == killed && nowNs - killAtNs >= 0)
            {
                final int leader = cluster.awaitLeader(TimeUnit.SECONDS.toNanos(5));
                if (-1 == leader)
                {
                    out.println("cluster-demo: no member leads; nothing to kill");
                    killed = -2;
                }
                else
                {
                    killed = leader;
                    killNs = System.nanoTime();
                    cluster.kill(killed);
                    out.println("cluster-demo: SIGKILL leader member " + killed);
                }
            }
            if (null == restarter && killed >= 0 && nowNs - restartAtNs >= 0)
            {
                final int member = killed;
                out.println("cluster-demo: restarting member " + member);
                restarter = new Thread(() ->
                {
                    cluster.start(member);
                    restarted.set(1);
                }, "sluice-cluster-demo-restart");
                restarter.start();
            }
            if (nowNs - nextReportNs >= 0)
            {
                line(cluster, sent, 1 == restarted.get());
                nextReportNs += TimeUnit.SECONDS.toNanos(1);
            }
        }
        if (null != restarter)
        {
            try
            {
                restarter.join(TimeUnit.SECONDS.toMillis(60));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        return sent;
    }

    private void line(final LocalCluster cluster, final long sent, final boolean restarted)
    {
        final StringBuilder line = new StringBuilder(160);
        line.append(String.format("leader %2s  sent %,9d  results %,9d  rejected %,6d  leader changes %d",
            client.leaderMemberId() < 0 ? "-" : Integer.toString(client.leaderMemberId()), sent, results, rejected,
            client.leaderChanges()));
        if (killed >= 0)
        {
            line.append(gapNs < 0 ? "  fail-over gap: waiting" :
                String.format("  fail-over gap %,d ms", TimeUnit.NANOSECONDS.toMillis(gapNs)));
        }
        if (restarted)
        {
            final long own = cluster.counter(killed, AeronCounters.CLUSTER_COMMIT_POSITION_TYPE_ID);
            final int leader = client.leaderMemberId();
            final long lead = leader < 0 ? -1 : cluster.counter(leader, AeronCounters.CLUSTER_COMMIT_POSITION_TYPE_ID);
            line.append(String.format("  member %d catching up: commit position %,d of %,d", killed, own, lead));
        }
        out.println(line);
    }

    private int report(final LocalCluster cluster, final long sent)
    {
        final long resent = client.resume(this, TimeUnit.SECONDS.toNanos(30));
        final int leader = cluster.awaitLeader(TimeUnit.SECONDS.toNanos(10));
        final long accepted = cluster.counter(leader, SluiceCounters.INGRESS_ACCEPTED_TYPE_ID);
        final long[] digests = cluster.snapshotDigests(TimeUnit.SECONDS.toNanos(60));
        final long position = digests[cluster.size()];
        boolean equal = true;
        out.printf("cluster-demo: sent %,d events; the leader (member %d) accepted %,d inputs (the events, the client's " +
            "probes and resumes); %,d events answered, %,d answered twice, %,d rejected DUPLICATE%n",
            sent, leader, accepted, answered.cardinality(), duplicates, duplicateRejects);
        if (answered.cardinality() < sent)
        {
            out.printf("cluster-demo: %,d events were applied but their results were lost with the killed leader " +
                "(results are not replayed; query the keys to see them)%n", sent - answered.cardinality());
        }
        out.println("cluster-demo: fail-over gap (SIGKILL to the first result from the new leader): " +
            (gapNs < 0 ? "none seen" : TimeUnit.NANOSECONDS.toMillis(gapNs) + " ms"));
        for (int member = 0; member < cluster.size(); member++)
        {
            out.printf("cluster-demo: member %d state digest %016x at log position %,d%n", member, digests[member],
                position);
            equal &= digests[member] == digests[0];
        }
        final boolean exactlyOnce = 0 == duplicates && 0 == duplicateRejects && 0 == resent;
        out.println("cluster-demo: a last resume finds the cluster's mark for this client at its last event: " +
            (0 == resent ? "no event lost" : -1 == resent ? "NOT ANSWERED" : resent + " events were MISSING and resent"));
        out.println("cluster-demo: digests " + (equal ? "equal" : "DIFFER") + "; events applied " +
            (exactlyOnce ? "once each" : "NOT once each"));
        for (int member = 0; member < cluster.size(); member++)
        {
            final int code = cluster.stop(member);
            out.println("cluster-demo: member " + member + " stopped (exit " + code + ")");
        }
        return equal && exactlyOnce ? 0 : 1;
    }

    /**
     * {@inheritDoc}
     */
    public void onEventResult(final EventResultDecoder result)
    {
        results++;
        answer(result.correlationId());
    }

    /**
     * {@inheritDoc}
     */
    public void onRejected(final RejectedDecoder reject)
    {
        rejected++;
        if (RejectReason.DUPLICATE == reject.reasonRaw())
        {
            duplicateRejects++;
        }
        answer(reject.correlationId());
    }

    private void answer(final long correlationId)
    {
        if (correlationId > 0 && correlationId < Integer.MAX_VALUE)
        {
            if (answered.get((int)correlationId))
            {
                duplicates++;
            }
            answered.set((int)correlationId);
        }
        if (killed >= 0 && gapNs < 0 && client.leaderChanges() > 0)
        {
            gapNs = System.nanoTime() - killNs;
        }
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
