package io.sluice.bench;

import io.sluice.config.DriverThreading;
import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import io.sluice.tools.cluster.LocalCluster;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

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
 *      ─ first result after the client heard of the new leader (the gap) ─ restart the killed node ({@link ClusterFailover})
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
        final List<ClusterFailover.Kill> kills = new ArrayList<>();
        final ClusterFailover failover;
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
                failover = new ClusterFailover(cluster, clusterClient, o.keys, out);
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
        final String gaps = ClusterFailover.gaps(kills, failover);
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

    private static void writeFiles(
        final Path dir,
        final LatencyBench.Options o,
        final SluiceConfig config,
        final Path clusterConfig,
        final List<Row> rows,
        final ClusterFailover failover,
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
}
