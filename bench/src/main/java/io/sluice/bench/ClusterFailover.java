package io.sluice.bench;

import io.aeron.AeronCounters;
import io.aeron.Publication;
import io.sluice.core.RejectReason;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.tools.cluster.LocalCluster;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The fail-over run of {@code ./sluice bench --cluster} ({@link ClusterBench}): the client thread (the caller)
 * sends at {@link ClusterBench#FAILOVER_RATE} and polls; a control thread kills leaders and restarts them. Only
 * the control thread touches the {@link LocalCluster} while both run. Checks that every event was applied once and
 * reports each kill's election, fail-over gap, restart and catch-up ({@link #gaps}).
 */
final class ClusterFailover implements SluiceResultHandler
{
    private static final long SETTLE_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long GAP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long CATCH_UP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    /**
     * One kill of the fail-over run.
     *
     * @param killed        the leader killed.
     * @param newLeader     who led next (-1 none seen).
     * @param electionNs    kill to a running member showing the leader role (-1 none in time).
     * @param gapNs         kill to the first result after the client heard of the new leader (-1 none in time).
     * @param restartNs     restart of the killed node to its ready line.
     * @param catchUpNs     its ready line to its commit position reaching the leader's.
     */
    record Kill(int killed, int newLeader, long electionNs, long gapNs, long restartNs, long catchUpNs)
    {
    }

    private final LocalCluster cluster;
    private final SluiceClient client;
    private final int keys;
    private final PrintStream out;
    final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final BitSet sentIds = new BitSet();
    private final BitSet answeredIds = new BitSet();
    private final long[] intendedById = new long[1 << ClusterBench.CLUSTER_ID_BITS];
    private final long epochOffsetNs = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    private final SplittableRandom random = new SplittableRandom(11);
    private final AtomicLongArray gapNs;
    private final long[] killNs;
    private volatile int killsDone;
    private volatile boolean controlDone;
    private volatile Throwable controlFailure;
    private int armedKill = -1;
    private long leaderChangesAtKill;
    private long sent;
    private long answeredTwice;
    private long duplicateRejects;
    private long otherRejects;
    private long highestMark = Long.MIN_VALUE;
    private long unansweredBelowMark;
    private long missing = -1;
    private long[] digests;
    private long leaderChanges;
    private long autoResumes;
    private long sessions;

    ClusterFailover(final LocalCluster cluster, final SluiceClient client, final int keys, final PrintStream out)
    {
        this.cluster = cluster;
        this.client = client;
        this.keys = keys;
        this.out = out;
        this.gapNs = new AtomicLongArray(64);
        this.killNs = new long[64];
    }

    void run(final int kills, final List<Kill> results) throws InterruptedException
    {
        if (kills > 64)
        {
            throw new IllegalArgumentException("--kills must be at most 64: " + kills);
        }
        for (int i = 0; i < kills; i++)
        {
            gapNs.set(i, -1);
        }
        final Thread control = new Thread(() ->
        {
            try
            {
                control(kills, results);
            }
            catch (final Throwable ex)
            {
                controlFailure = ex;
            }
            finally
            {
                controlDone = true;
            }
        }, "sluice-bench-cluster-control");
        control.start();
        send();
        control.join();
        if (null != controlFailure)
        {
            throw new IllegalStateException("fail-over control failed", controlFailure);
        }
        drain();
        digests = cluster.snapshotDigests(TimeUnit.SECONDS.toNanos(60));
        leaderChanges = client.leaderChanges();
        autoResumes = client.autoResumes();
        sessions = client.clusterSessionsOpened();
    }

    private void send()
    {
        final Schedule schedule =
            new Schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1), ClusterBench.FAILOVER_RATE, 1);
        long index = 0;
        int seenKills = 0;
        while (!controlDone)
        {
            final int done = killsDone;
            if (done != seenKills)
            {
                seenKills = done;
                armedKill = done - 1;
                leaderChangesAtKill = client.leaderChanges();
            }
            final long intendedNs = schedule.intendedNs(index);
            boolean work = false;
            if (System.nanoTime() - intendedNs >= 0)
            {
                final long id = client.offerEvent(random.nextInt(keys), epochOffsetNs + intendedNs,
                    random.nextInt(10_000) / 100.0);
                if (id == Publication.CLOSED || id == Publication.MAX_POSITION_EXCEEDED)
                {
                    throw new IllegalStateException("the cluster client is closed: " + id);
                }
                if (id > 0)
                {
                    intendedById[(int)(id & (intendedById.length - 1))] = intendedNs;
                    sentIds.set((int)id);
                    sent++;
                    index++;
                    work = true;
                }
            }
            if (client.poll(this, 64) > 0)
            {
                work = true;
            }
            if (!work)
            {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    private void drain()
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (0 == unaccounted())
            {
                break;
            }
            if (0 == client.poll(this, 64))
            {
                LockSupport.parkNanos(1_000_000);
            }
        }
        missing = unaccounted();
        unansweredBelowMark = 0;
        for (int id = sentIds.nextSetBit(0); id >= 0; id = sentIds.nextSetBit(id + 1))
        {
            if (!answeredIds.get(id) && id <= highestMark)
            {
                unansweredBelowMark++;
            }
        }
    }

    private long unaccounted()
    {
        long count = 0;
        for (int id = sentIds.nextSetBit(0); id >= 0; id = sentIds.nextSetBit(id + 1))
        {
            if (!answeredIds.get(id) && id > highestMark)
            {
                count++;
            }
        }
        return count;
    }

    private void control(final int kills, final List<Kill> results)
    {
        int lastKilled = -1;
        long restartNs = -1;
        for (int i = 0; i < kills; i++)
        {
            final long catchUpNs = -1 == lastKilled ? -1 : awaitCaughtUp(lastKilled);
            if (i > 0)
            {
                results.set(i - 1, withCatchUp(results.get(i - 1), restartNs, catchUpNs));
            }
            LockSupport.parkNanos(SETTLE_NS);
            final int leader = cluster.awaitLeader(TimeUnit.SECONDS.toNanos(30));
            if (-1 == leader)
            {
                throw new IllegalStateException("no leader before kill " + (i + 1));
            }
            killNs[i] = System.nanoTime();
            cluster.kill(leader);
            killsDone = i + 1;
            final int next = cluster.awaitLeader(TimeUnit.SECONDS.toNanos(30));
            final long electionNs = -1 == next ? -1 : System.nanoTime() - killNs[i];
            final long waitUntilNs = killNs[i] + GAP_TIMEOUT_NS;
            while (gapNs.get(i) < 0 && System.nanoTime() - waitUntilNs < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            final long gap = gapNs.get(i);
            out.printf("kill %d: SIGKILL leader member %d; member %s leads after %s ms; fail-over gap %s ms; " +
                "restarting member %d%n", i + 1, leader, next < 0 ? "none" : Integer.toString(next),
                ms(electionNs), ms(gap), leader);
            results.add(new Kill(leader, next, electionNs, gap, -1, -1));
            final long startNs = System.nanoTime();
            cluster.start(leader);
            restartNs = System.nanoTime() - startNs;
            lastKilled = leader;
        }
        if (-1 != lastKilled)
        {
            final long catchUpNs = awaitCaughtUp(lastKilled);
            results.set(kills - 1, withCatchUp(results.get(kills - 1), restartNs, catchUpNs));
        }
        LockSupport.parkNanos(SETTLE_NS);
    }

    private static Kill withCatchUp(final Kill k, final long restartNs, final long catchUpNs)
    {
        return new Kill(k.killed(), k.newLeader(), k.electionNs(), k.gapNs(), restartNs, catchUpNs);
    }

    /**
     * Wait until a restarted member's commit position reaches the leader's as read just before it.
     *
     * @return how long it took, ns.
     */
    private long awaitCaughtUp(final int member)
    {
        final long startNs = System.nanoTime();
        while (System.nanoTime() - startNs < CATCH_UP_TIMEOUT_NS)
        {
            final int leader = cluster.awaitLeader(TimeUnit.SECONDS.toNanos(10));
            if (-1 != leader && leader != member)
            {
                final long leaderPosition = cluster.counter(leader, AeronCounters.CLUSTER_COMMIT_POSITION_TYPE_ID);
                final long own = cluster.counter(member, AeronCounters.CLUSTER_COMMIT_POSITION_TYPE_ID);
                if (leaderPosition > 0 && own >= leaderPosition)
                {
                    return System.nanoTime() - startNs;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new IllegalStateException("member " + member + " did not catch up within 60 s");
    }

    /**
     * {@inheritDoc}
     */
    public void onEventResult(final EventResultDecoder result)
    {
        final long id = result.correlationId();
        if (answer(id))
        {
            histogram.recordValue(Math.min(histogram.getHighestTrackableValue(),
                System.nanoTime() - intendedById[(int)(id & (intendedById.length - 1))]));
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onRejected(final RejectedDecoder rejected)
    {
        if (RejectReason.DUPLICATE == rejected.reasonRaw())
        {
            duplicateRejects++;
        }
        else
        {
            otherRejects++;
        }
        answer(rejected.correlationId());
    }

    /**
     * {@inheritDoc}
     */
    public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
    {
        highestMark = Math.max(highestMark, lastCorrelationId);
    }

    private boolean answer(final long id)
    {
        if (armedKill >= 0 && client.leaderChanges() > leaderChangesAtKill)
        {
            gapNs.set(armedKill, System.nanoTime() - killNs[armedKill]);
            armedKill = -1;
        }
        if (id <= 0 || id >= Integer.MAX_VALUE || !sentIds.get((int)id))
        {
            return false;
        }
        if (answeredIds.get((int)id))
        {
            answeredTwice++;
            return false;
        }
        answeredIds.set((int)id);
        return true;
    }

    boolean exactlyOnce()
    {
        return 0 == answeredTwice && 0 == duplicateRejects && 0 == missing && digestsEqual();
    }

    private boolean digestsEqual()
    {
        if (null == digests)
        {
            return false;
        }
        for (int member = 0; member < cluster.size(); member++)
        {
            if (digests[member] != digests[0] || 0 == digests[member])
            {
                return false;
            }
        }
        return true;
    }

    String summary()
    {
        final StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "fail-over run: sent %,d events at %,d ev/s; answered %,d; " +
            "answered twice %,d; Rejected DUPLICATE %,d, other rejections %,d; not answered but at or below a " +
            "resume's mark (applied, result lost with a killed leader) %,d; neither answered nor covered by a " +
            "mark %,d%n", sent, ClusterBench.FAILOVER_RATE, answeredIds.cardinality(), answeredTwice, duplicateRejects,
            otherRejects, unansweredBelowMark, missing));
        b.append(String.format(Locale.ROOT, "client: leader changes %d, automatic resumes %d, cluster sessions " +
            "opened %d; round trip over the whole run (from intended send time): p50 %,.1f ms, p99 %,.1f ms, " +
            "max %,.1f ms%n", leaderChanges, autoResumes, sessions, histogram.getValueAtPercentile(50) / 1e6,
            histogram.getValueAtPercentile(99) / 1e6, histogram.getMaxValue() / 1e6));
        if (null != digests)
        {
            for (int member = 0; member < cluster.size(); member++)
            {
                b.append(String.format(Locale.ROOT, "member %d state digest %016x at log position %,d%n", member,
                    digests[member], digests[cluster.size()]));
            }
        }
        b.append("every event applied once: ").append(exactlyOnce() ? "yes" : "NO").append(" (digests ")
            .append(digestsEqual() ? "equal" : "DIFFER").append(")\n");
        return b.toString();
    }

    static String gaps(final List<Kill> kills, final ClusterFailover f)
    {
        final StringBuilder b = new StringBuilder();
        b.append("| kill | leader killed | new leader | election (ms) | fail-over gap (ms) | restart to ready (ms) | " +
            "ready to caught up (ms) |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        final List<Long> gapList = new ArrayList<>();
        final List<Long> electionList = new ArrayList<>();
        for (int i = 0; i < kills.size(); i++)
        {
            final Kill k = kills.get(i);
            b.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %s | %s |%n", i + 1, k.killed(),
                k.newLeader() < 0 ? "none" : Integer.toString(k.newLeader()), ms(k.electionNs()), ms(k.gapNs()),
                ms(k.restartNs()), ms(k.catchUpNs())));
            if (k.gapNs() >= 0)
            {
                gapList.add(k.gapNs());
            }
            if (k.electionNs() >= 0)
            {
                electionList.add(k.electionNs());
            }
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, "fail-over gap over %d kills (%d seen): median %s ms, max %s ms; " +
            "election alone: median %s ms, max %s ms%n", kills.size(), gapList.size(), ms(median(gapList)),
            ms(max(gapList)), ms(median(electionList)), ms(max(electionList))));
        b.append(f.summary());
        return b.toString();
    }

    private static long median(final List<Long> values)
    {
        if (values.isEmpty())
        {
            return -1;
        }
        final List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Long::compare);
        final int n = sorted.size();
        return 1 == n % 2 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static long max(final List<Long> values)
    {
        return values.stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    static String ms(final long ns)
    {
        return ns < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", ns / 1e6);
    }
}
