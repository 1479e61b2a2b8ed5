package io.sluice.bench;

import io.aeron.AeronCounters;
import io.aeron.Publication;
import io.sluice.config.DriverThreading;
import io.sluice.config.SluiceConfig;
import io.sluice.core.RejectReason;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.tools.cluster.LocalCluster;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ./sluice bench --cluster}: round trips through a three-node Sluice cluster beside the standalone daemon and
 * the raw Aeron echo of the same run, then the fail-over gap over several leader kills.
 * <pre>
 *   1. round trip, each rate: echo, standalone, cluster back to back (same LoadGenerator settings)
 *
 *   [bench JVM]                              [EchoServer process]   [daemon process]
 *   LoadGenerator ─ SluiceClient ──UDP──▶    echo               or  ingress ─▶ ring ─▶ processors ─┐
 *        ▲ └──────────────── UDP (egress) ◀──────────────────────────────────────────────────────┘
 *        │
 *   LoadGenerator ─ cluster client ──ingress──▶ leader ──log──▶ follower, follower (commit: a quorum of 2 appended)
 *        ▲                                        │ service thread: ring ─▶ processors (on every node)
 *        └──────────────── egress ◀───────────────┘ (the leader only)
 *
 *   2. fail-over, echo and daemon stopped: one cluster client at a fixed rate, resuming by itself; per kill:
 *      all three nodes run and the last restarted one has caught up ─ settle ─ SIGKILL the leader ─ election
 *      ─ first result after the client heard of the new leader (the gap) ─ restart the killed node
 * </pre>
 * The fail-over run checks that every event was applied once: no event answered twice, no {@code Rejected
 * DUPLICATE}, every event answered or at or below the mark a resume reported (applied by the cluster, its result
 * lost with the killed leader), and the three nodes' state digests equal at one cluster snapshot. Control thread:
 * this class's thread; the kills run on a thread of their own while the client thread sends.
 */
final class ClusterBench
{
    /** First UDP port of the cluster's members ({@code ./sluice cluster-demo} uses 20310). */
    static final int BASE_PORT = 20410;
    static final long CLUSTER_CLIENT_ID = 0x5_1CE_BE4CL;
    static final long FAILOVER_RATE = 1_000;
    static final int CLUSTER_ID_BITS = 20;

    private static final long SETTLE_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long GAP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long CATCH_UP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private ClusterBench()
    {
    }

    /**
     * One rate's three measurements.
     *
     * @param rate       events per second.
     * @param echo       raw Aeron echo.
     * @param standalone the standalone daemon.
     * @param cluster    the three-node cluster.
     * @param leaderGc   collections and their ms in the cluster leader during the cluster's measured phase.
     */
    record Row(long rate, LoadGenerator.Phase echo, LoadGenerator.Phase standalone, LoadGenerator.Phase cluster,
        long[] leaderGc)
    {
    }

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

    static void run(final LatencyBench.Options o, final SluiceConfig config, final Path dir, final PrintStream out)
        throws Exception
    {
        final Path clusterConfig = o.home.resolve("config/cluster-node.properties").toAbsolutePath();
        out.printf("sluice bench --cluster: rates %s, warm-up %d s, measured %d s, %d keys, standalone config %s, " +
            "cluster config %s; fail-over: %d kills at %,d ev/s%n", o.rates, o.warmupSeconds, o.measureSeconds, o.keys,
            o.config, clusterConfig, o.kills, FAILOVER_RATE);
        out.printf("results in %s%n", dir);

        final String echoIngress = "aeron:udp?endpoint=localhost:" + LatencyBench.freeUdpPort();
        final String echoEgress = "aeron:udp?control=localhost:" + LatencyBench.freeUdpPort() +
            "|control-mode=dynamic|fc=min,t:5s";
        final Properties echoOverrides = new Properties();
        echoOverrides.putAll(System.getProperties());
        echoOverrides.setProperty(SluiceConfig.INGRESS_CHANNEL, echoIngress);
        echoOverrides.setProperty(SluiceConfig.EGRESS_CHANNEL, echoEgress);
        final SluiceConfig echoConfig = SluiceConfig.load(o.config, echoOverrides);
        final String daemonDir = LatencyBench.shmDir("sluice-bench-daemon");

        final List<Row> rows = new ArrayList<>();
        final List<Kill> kills = new ArrayList<>();
        final Failover failover;
        final Path workDir = Files.createTempDirectory("sluice-cluster-bench");
        try (LocalCluster cluster = new LocalCluster(new File(o.jar), clusterConfig, workDir, 3, BASE_PORT, Map.of()))
        {
            SluiceClient clusterClient = null;
            try
            {
                ServerProcess echoServer = null;
                ServerProcess daemon = null;
                SluiceClient echoClient = null;
                SluiceClient sluiceClient = null;
                try
                {
                    echoServer = ServerProcess.start(
                        ServerProcess.javaCommand("-Dsluice.driver.dir=" + LatencyBench.shmDir("sluice-bench-echo"),
                            "-D" + SluiceConfig.INGRESS_CHANNEL + "=" + echoIngress,
                            "-D" + SluiceConfig.EGRESS_CHANNEL + "=" + echoEgress,
                            "-cp", o.benchJar(), EchoServer.class.getName(), "--config", o.config.toString()),
                        dir.resolve("echo.log"), "echo: ready");
                    daemon = ServerProcess.start(
                        ServerProcess.javaCommand("-Dsluice.driver.dir=" + daemonDir, "-jar", o.jar, "daemon",
                            "--config", o.config.toString()),
                        dir.resolve("daemon.log"), "sluice: ready");
                    out.printf("cluster: starting 3 nodes on loopback, ports %d..%d%n", BASE_PORT, BASE_PORT + 24);
                    cluster.startAll();
                    out.printf("cluster: member %d leads%n", cluster.awaitLeader(TimeUnit.SECONDS.toNanos(60)));

                    echoClient = LatencyBench.connect(echoConfig, 1);
                    sluiceClient = LatencyBench.connect(config, config.processorCount());
                    clusterClient = connectCluster(cluster);

                    final LoadGenerator echoGenerator =
                        new LoadGenerator(echoClient, 0).companions(sluiceClient, clusterClient);
                    final LoadGenerator sluiceGenerator =
                        new LoadGenerator(sluiceClient, 0).companions(echoClient, clusterClient);
                    final LoadGenerator clusterGenerator =
                        new LoadGenerator(clusterClient, 0, CLUSTER_ID_BITS).companions(echoClient, sluiceClient);
                    for (final long rate : o.rates)
                    {
                        final LoadGenerator.Phase echo =
                            LatencyBench.measure("echo", echoGenerator, rate, o, null, null, out);
                        final LoadGenerator.Phase standalone =
                            LatencyBench.measure("daemon", sluiceGenerator, rate, o, null, null, out);
                        final List<long[]> gc = new ArrayList<>();
                        final int leader = cluster.awaitLeader(TimeUnit.SECONDS.toNanos(10));
                        final LoadGenerator.Phase clustered = LatencyBench.measure(
                            "cluster", clusterGenerator, rate, o, gc, cluster.driverDir(leader), out);
                        rows.add(new Row(rate, echo, standalone, clustered, gc.get(0)));
                    }
                }
                finally
                {
                    if (null != echoClient)
                    {
                        echoClient.close();
                    }
                    if (null != sluiceClient)
                    {
                        sluiceClient.close();
                    }
                    if (null != echoServer)
                    {
                        echoServer.close();
                    }
                    if (null != daemon)
                    {
                        daemon.close();
                    }
                }

                out.printf("%nfail-over: echo and daemon stopped; %d leader kills at %,d ev/s%n", o.kills,
                    FAILOVER_RATE);
                failover = new Failover(cluster, clusterClient, o.keys, out);
                failover.run(o.kills, kills);
            }
            finally
            {
                if (null != clusterClient)
                {
                    clusterClient.close();
                }
                for (int member = 0; member < cluster.size(); member++)
                {
                    if (Files.exists(cluster.logFile(member)))
                    {
                        Files.copy(cluster.logFile(member), dir.resolve("node-" + member + ".log"));
                    }
                }
            }
        }

        final String table = table(rows);
        final String gaps = gaps(kills, failover);
        out.println();
        out.print(table);
        out.println();
        out.print(gaps);
        writeFiles(dir, o, config, clusterConfig, rows, failover, table, gaps);
    }

    private static SluiceClient connectCluster(final LocalCluster cluster)
    {
        final SluiceClient client = SluiceClient.connect(new SluiceClient.Context()
            .embeddedDriver(true)
            .driverThreading(DriverThreading.SHARED)
            .clusterIngressEndpoints(cluster.ingressEndpoints())
            .clientId(CLUSTER_CLIENT_ID)
            .maxBatchEvents(1));
        if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(30)))
        {
            client.close();
            throw new IllegalStateException("the cluster client could not connect within 30 s");
        }
        return client;
    }

    static String table(final List<Row> rows)
    {
        final StringBuilder b = new StringBuilder();
        b.append("| rate (ev/s) | percentile | echo (us) | standalone (us) | cluster (us) | cluster/echo | " +
            "cluster/standalone |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        final double[] percentiles = {50, 90, 99, 99.9, 100};
        for (final Row r : rows)
        {
            for (final double p : percentiles)
            {
                final double echo = Report.micros(r.echo().histogram(), p);
                final double standalone = Report.micros(r.standalone().histogram(), p);
                final double cluster = Report.micros(r.cluster().histogram(), p);
                final boolean ratio = p <= 99;
                b.append(String.format(Locale.ROOT, "| %,d | %s | %,.1f | %,.1f | %,.1f | %s | %s |%n",
                    r.rate(),
                    p >= 100 ? "max" : "p" + (p == Math.rint(p) ? Long.toString((long)p) : Double.toString(p)),
                    echo, standalone, cluster,
                    ratio ? String.format(Locale.ROOT, "%.1f", cluster / echo) : "",
                    ratio ? String.format(Locale.ROOT, "%.1f", cluster / standalone) : ""));
            }
        }
        b.append('\n');
        for (final Row r : rows)
        {
            b.append(String.format(Locale.ROOT, "%,9d ev/s: achieved echo %,.0f, standalone %,.0f, cluster %,.0f; " +
                "answered echo %s, standalone %s, cluster %s; cluster leader GC in the measured phase: %d, %d ms%n",
                r.rate(), r.echo().achievedPerSecond(), r.standalone().achievedPerSecond(),
                r.cluster().achievedPerSecond(), answered(r.echo()), answered(r.standalone()), answered(r.cluster()),
                r.leaderGc()[0], r.leaderGc()[1]));
            if (r.cluster().achievedPerSecond() < 0.95 * r.rate() || !r.cluster().complete())
            {
                b.append(String.format(Locale.ROOT, "%,9d ev/s: the cluster did NOT sustain this rate%n", r.rate()));
            }
        }
        return b.toString();
    }

    private static String answered(final LoadGenerator.Phase phase)
    {
        return phase.complete() ? "all " + String.format(Locale.ROOT, "%,d", phase.sent()) :
            String.format(Locale.ROOT, "ONLY %,d of %,d", phase.received() + phase.rejected(), phase.sent());
    }

    static String gaps(final List<Kill> kills, final Failover f)
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

    private static String ms(final long ns)
    {
        return ns < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", ns / 1e6);
    }

    private static void writeFiles(
        final Path dir,
        final LatencyBench.Options o,
        final SluiceConfig config,
        final Path clusterConfig,
        final List<Row> rows,
        final Failover failover,
        final String table,
        final String gaps) throws IOException
    {
        for (final Row r : rows)
        {
            LatencyBench.write(dir.resolve("echo-" + r.rate() + ".hgrm"), r.echo().histogram());
            LatencyBench.write(dir.resolve("standalone-" + r.rate() + ".hgrm"), r.standalone().histogram());
            LatencyBench.write(dir.resolve("cluster-" + r.rate() + ".hgrm"), r.cluster().histogram());
        }
        LatencyBench.write(dir.resolve("failover-roundtrip.hgrm"), failover.histogram);
        final StringBuilder facts = new StringBuilder();
        facts.append("# machine\n").append(MachineFacts.describe());
        facts.append("\n# command\n./sluice bench ").append(String.join(" ", o.args)).append('\n');
        facts.append("\n# standalone daemon and echo configuration (").append(o.config).append(")\n");
        config.effective().forEach((k, v) -> facts.append(k).append('=').append(v).append('\n'));
        config.aeronProperties().forEach((k, v) -> facts.append(k).append('=').append(v).append('\n'));
        facts.append("\n# cluster node configuration (").append(clusterConfig)
            .append("; members on loopback from port ").append(BASE_PORT).append(")\n");
        for (final String line : Files.readAllLines(clusterConfig, StandardCharsets.UTF_8))
        {
            if (!line.isBlank() && !line.startsWith("#"))
            {
                facts.append(line).append('\n');
            }
        }
        facts.append("\n# round trip (us)\n").append(table);
        facts.append("\n# fail-over\n").append(gaps);
        Files.writeString(dir.resolve("report.md"), facts.toString());
    }

    /**
     * The fail-over run: the client thread (the caller) sends at {@link #FAILOVER_RATE} and polls; a control thread
     * kills leaders and restarts them. Only the control thread touches the {@link LocalCluster} while both run.
     */
    static final class Failover implements SluiceResultHandler
    {
        private final LocalCluster cluster;
        private final SluiceClient client;
        private final int keys;
        private final PrintStream out;
        private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        private final BitSet sentIds = new BitSet();
        private final BitSet answeredIds = new BitSet();
        private final long[] intendedById = new long[1 << CLUSTER_ID_BITS];
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

        Failover(final LocalCluster cluster, final SluiceClient client, final int keys, final PrintStream out)
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
                new Schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1), FAILOVER_RATE, 1);
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
                "mark %,d%n", sent, FAILOVER_RATE, answeredIds.cardinality(), answeredTwice, duplicateRejects,
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
    }
}
