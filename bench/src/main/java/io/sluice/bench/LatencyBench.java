package io.sluice.bench;

import io.sluice.config.DriverThreading;
import io.sluice.config.SluiceConfig;
import io.sluice.tools.SluiceMain;
import io.sluice.client.SluiceClient;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.stat.SluiceStat;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./sluice bench}: round-trip latency of Sluice against a raw Aeron echo measured the same way in the same
 * run (the echo runs beside the daemon on its own ports; each rate measures echo then Sluice). With
 * {@code --throughput} it runs {@link ThroughputBench} instead, with {@code --journal} {@link JournalLatency}, with
 * {@code --replay} {@link ReplayBench}, with {@code --cluster} {@link ClusterBench}.
 * <pre>
 *   [LatencyBench process]                          [server process: EchoServer, then the Sluice daemon]
 *   LoadGenerator ─ SluiceClient ─ driver ──UDP──▶ driver ─ ingress ─▶ (echo | ring ─▶ processors) ─┐
 *        ▲                                                                                          │
 *        └────────────────────────────── UDP (MDC egress) ◀─────────────────────────────────────────┘
 * </pre>
 * The generator is open loop (fixed-rate schedule, latency from intended send time); each rate has a warm-up and
 * a measured phase. Results go to {@code bench/results/<date-time>/}.
 */
public final class LatencyBench
{
    private LatencyBench()
    {
    }

    /**
     * @param args options, see {@link Options}.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Options o = Options.parse(args);
        final SluiceConfig config = SluiceConfig.load(o.config, System.getProperties());
        final Path dir = o.home.resolve("bench/results")
            .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        final PrintStream out = System.out;
        if (o.cluster)
        {
            ClusterBench.run(o, config, dir, out);
            out.printf("written: %s%n", dir);
            return;
        }
        if (o.throughput)
        {
            ThroughputBench.run(o, config, dir, out);
            out.printf("written: %s%n", dir);
            return;
        }
        if (o.replay)
        {
            ReplayBench.run(o, config, dir, out);
            out.printf("written: %s%n", dir);
            return;
        }
        out.printf("sluice bench: rates %s, warm-up %d s, measured %d s, %d keys, burst %d, event frame %d B, config %s%n",
            o.rates, o.warmupSeconds, o.measureSeconds, o.keys, o.burst,
            Math.max(o.messageSize, LoadGenerator.EVENT_LENGTH), o.config);
        out.printf("results in %s%n", dir);
        if (null != o.journalModes)
        {
            JournalLatency.run(o, config, dir, out);
            out.printf("written: %s%n", dir);
            return;
        }

        final List<LoadGenerator.Phase> echo = new ArrayList<>();
        final List<LoadGenerator.Phase> sluice = new ArrayList<>();
        final List<long[]> gc = new ArrayList<>();
        String internal = "";

        // The echo runs beside the daemon on its own free ports, so each rate measures both back to back.
        final String echoIngress = "aeron:udp?endpoint=localhost:" + freeUdpPort();
        final String echoEgress = "aeron:udp?control=localhost:" + freeUdpPort() + "|control-mode=dynamic|fc=min,t:5s";
        final java.util.Properties echoOverrides = new java.util.Properties();
        echoOverrides.putAll(System.getProperties());
        echoOverrides.setProperty(SluiceConfig.INGRESS_CHANNEL, echoIngress);
        echoOverrides.setProperty(SluiceConfig.EGRESS_CHANNEL, echoEgress);
        final SluiceConfig echoConfig = SluiceConfig.load(o.config, echoOverrides);

        final String daemonDir = o.connect ? config.driverDir() : shmDir("sluice-bench-daemon");
        final Path internalFile = dir.resolve("sluice-internal.hgrm");
        ServerProcess echoServer = null;
        ServerProcess daemon = null;
        BenchAuth auth = null;
        ConnectedClients others = null;
        try
        {
            final List<String> daemonOptions = new ArrayList<>(List.of("-Dsluice.driver.dir=" + daemonDir,
                "-Dsluice.latency.histogram-file=" + internalFile));
            if (o.auth)
            {
                auth = BenchAuth.create(o.clients);
                daemonOptions.addAll(auth.daemonOptions());
                out.printf("authentication on: %d client(s) in the bench's own credentials file, %s each%n",
                    o.clients, BenchAuth.PERMISSIONS);
            }
            if (!o.skipEcho)
            {
                echoServer = ServerProcess.start(
                    ServerProcess.javaCommand("-Dsluice.driver.dir=" + shmDir("sluice-bench-echo"),
                        "-D" + SluiceConfig.INGRESS_CHANNEL + "=" + echoIngress,
                        "-D" + SluiceConfig.EGRESS_CHANNEL + "=" + echoEgress,
                        "-cp", o.benchJar(), EchoServer.class.getName(), "--config", o.config.toString()),
                    dir.resolve("echo.log"), "echo: ready");
            }
            if (!o.connect)
            {
                daemonOptions.addAll(List.of("-jar", o.jar, "daemon", "--config", o.config.toString()));
                daemon = ServerProcess.start(ServerProcess.javaCommand(daemonOptions.toArray(new String[0])),
                    dir.resolve("daemon.log"), "sluice: ready");
            }
            try (SluiceClient echoClient = o.skipEcho ? null : connect(echoConfig, 1, null);
                SluiceClient sluiceClient = connect(config, config.processorCount(), auth))
            {
                if (o.clients > 1)
                {
                    others = ConnectedClients.start(config, auth, 1, o.clients - 1);
                    out.printf("%d more authenticated client(s) connected (each its own response channel, " +
                        "subscribe), %d in all%n", others.size(), o.clients);
                }
                final LoadGenerator echoGenerator = o.skipEcho ? null :
                    new LoadGenerator(echoClient, o.messageSize).companion(sluiceClient);
                final LoadGenerator sluiceGenerator = new LoadGenerator(sluiceClient, o.messageSize).companion(echoClient);
                for (final long rate : o.rates)
                {
                    if (null != echoGenerator)
                    {
                        echo.add(measure("echo", echoGenerator, rate, o, null, null, out));
                    }
                    sluice.add(measure("sluice", sluiceGenerator, rate, o, gc, daemonDir, out));
                }
            }
        }
        finally
        {
            if (null != others)
            {
                others.close();
            }
            if (null != echoServer)
            {
                echoServer.close();
            }
            if (null != daemon)
            {
                daemon.close();
                internal = daemon.output().lines().filter((l) -> l.contains("internal latency")).findFirst().orElse("");
            }
            if (null != auth)
            {
                auth.close();
            }
        }

        final List<Report.RateResult> results = new ArrayList<>();
        for (int i = 0; i < o.rates.size(); i++)
        {
            results.add(new Report.RateResult(
                o.rates.get(i), echo.isEmpty() ? null : echo.get(i), sluice.get(i), gc.get(i)[0], gc.get(i)[1]));
        }
        final String table = Report.table(results);
        final String summary = Report.summary(results);
        out.println();
        out.print(table);
        out.print(summary);
        out.println(internal);

        writeFiles(dir, o, config, results, table, summary, internal);
        out.printf("written: %s%n", dir);
    }

    static LoadGenerator.Phase measure(
        final String name,
        final LoadGenerator generator,
        final long rate,
        final Options o,
        final List<long[]> gc,
        final String daemonDir,
        final PrintStream out)
    {
        out.printf("%-6s %,9d ev/s: warm-up %d s ...", name, rate, o.warmupSeconds);
        out.flush();
        generator.run(rate, TimeUnit.SECONDS.toNanos(o.warmupSeconds), o.burst, o.keys, TimeUnit.SECONDS.toNanos(2));
        final long gcCountBefore = null == gc ? -1 : SluiceStat.sum(daemonDir, SluiceCounters.JVM_GC_COUNT_TYPE_ID);
        final long gcTimeBefore = null == gc ? -1 : SluiceStat.sum(daemonDir, SluiceCounters.JVM_GC_TIME_TYPE_ID);
        out.printf(" measuring %d s ...", o.measureSeconds);
        out.flush();
        final LoadGenerator.Phase phase = generator.run(
            rate, TimeUnit.SECONDS.toNanos(o.measureSeconds), o.burst, o.keys, TimeUnit.SECONDS.toNanos(5));
        if (null != gc)
        {
            sleep(250);
            gc.add(new long[]{
                SluiceStat.sum(daemonDir, SluiceCounters.JVM_GC_COUNT_TYPE_ID) - gcCountBefore,
                SluiceStat.sum(daemonDir, SluiceCounters.JVM_GC_TIME_TYPE_ID) - gcTimeBefore});
        }
        out.printf(" p50 %.1f us, p99 %.1f us, answered %s%n",
            Report.micros(phase.histogram(), 50), Report.micros(phase.histogram(), 99),
            phase.complete() ? "all" : (phase.received() + phase.rejected()) + "/" + phase.sent());
        return phase;
    }

    static int freeUdpPort()
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    static SluiceClient connect(final SluiceConfig config, final int egressImages)
    {
        return connect(config, egressImages, null);
    }

    /**
     * @param config       the server's configuration.
     * @param egressImages the egress images to wait for.
     * @param auth         the bench's credentials, to authenticate as its first client; null for none.
     * @return a connected client of single events.
     */
    static SluiceClient connect(final SluiceConfig config, final int egressImages, final BenchAuth auth)
    {
        // The latency sweep measures single events (each leaves at once as an Event): the echo answers Events only.
        final SluiceClient.Context ctx = SluiceMain.clientContextFor(config)
            .egressImages(egressImages)
            .maxBatchEvents(1)
            .embeddedDriver(true)
            .driverThreading(DriverThreading.INVOKER);
        final SluiceClient client = SluiceClient.connect(null == auth ? ctx : auth.authenticate(ctx, 0));
        if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(30)))
        {
            client.close();
            throw new IllegalStateException("could not connect to the server within 30 s");
        }
        return client;
    }

    private static void writeFiles(
        final Path dir,
        final Options o,
        final SluiceConfig config,
        final List<Report.RateResult> results,
        final String table,
        final String summary,
        final String internal) throws IOException
    {
        try (PrintStream log = new PrintStream(dir.resolve("sluice.hlog").toFile(), StandardCharsets.US_ASCII))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(log);
            writer.outputLogFormatVersion();
            writer.outputLegend();
            for (final Report.RateResult r : results)
            {
                write(dir.resolve("sluice-" + r.rate() + ".hgrm"), r.sluice().histogram());
                final Histogram h = r.sluice().histogram().copy();
                h.setTag("sluice-" + r.rate());
                writer.outputIntervalHistogram(h);
                if (null != r.echo())
                {
                    write(dir.resolve("echo-" + r.rate() + ".hgrm"), r.echo().histogram());
                    final Histogram e = r.echo().histogram().copy();
                    e.setTag("echo-" + r.rate());
                    writer.outputIntervalHistogram(e);
                }
            }
        }
        Files.writeString(dir.resolve("chart.html"), Report.chart(results, "Sluice vs raw Aeron echo"));
        final StringBuilder facts = new StringBuilder();
        facts.append("# machine\n").append(MachineFacts.describe());
        facts.append("\n# command\n./sluice bench ").append(String.join(" ", o.args)).append('\n');
        facts.append("\n# configuration (").append(o.config).append(")\n");
        config.effective().forEach((k, v) -> facts.append(k).append('=').append(v).append('\n'));
        config.aeronProperties().forEach((k, v) -> facts.append(k).append('=').append(v).append('\n'));
        facts.append("\n# results (round trip, us)\n").append(table).append('\n').append(summary).append('\n')
            .append(internal).append('\n');
        Files.writeString(dir.resolve("report.md"), facts.toString());
    }

    static void write(final Path file, final Histogram histogram) throws IOException
    {
        try (PrintStream ps = new PrintStream(file.toFile(), StandardCharsets.US_ASCII))
        {
            histogram.outputPercentileDistribution(ps, 1000.0);
        }
    }

    static String shmDir(final String prefix)
    {
        return SluiceConfig.sharedMemoryDir() + "/" + prefix + "-" + ProcessHandle.current().pid();
    }

    static void sleep(final long ms)
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

    /**
     * Command-line options.
     */
    static final class Options
    {
        List<Long> rates = List.of(10_000L, 50_000L, 100_000L, 200_000L);
        int warmupSeconds = 5;
        int measureSeconds = 10;
        int keys = 1000;
        int burst = 1;
        int messageSize;
        boolean connect;
        boolean skipEcho;
        boolean throughput;
        List<String> modes = ThroughputBench.MODES;
        int generators = 1;
        int generatorProcesses = 1;
        int stepSeconds = 3;
        long startRate;
        int rawBurst = 64;
        boolean skipRaw;
        List<String> journalModes;
        boolean replay;
        long replayEvents = 10_000_000L;
        int replayNice = 19;
        boolean replayIdle;
        int replayKeys = ReplayBench.KEYS;
        Path replayJournal;
        boolean cluster;
        int kills = 5;
        boolean auth;
        int clients = 1;
        boolean ratesGiven;
        Path config;
        Path home = Paths.get(".");
        String jar;
        String[] args;

        String benchJar()
        {
            return home.resolve("bench/target/benchmarks.jar").toString();
        }

        static Options parse(final String[] args)
        {
            final Options o = new Options();
            final List<String> userArgs = new ArrayList<>();
            for (int i = 0; i < args.length; i++)
            {
                final String a = args[i];
                switch (a)
                {
                    case "--jar" -> o.jar = args[++i];
                    case "--home" -> o.home = Paths.get(args[++i]);
                    case "--rates" ->
                    {
                        final List<Long> rates = new ArrayList<>();
                        for (final String r : args[++i].split(","))
                        {
                            rates.add(parseCount(r));
                        }
                        o.rates = rates;
                        o.ratesGiven = true;
                        userArgs.add(a + " " + args[i]);
                    }
                    case "--warmup-seconds" -> { o.warmupSeconds = Integer.parseInt(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--measure-seconds" -> { o.measureSeconds = Integer.parseInt(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--keys" -> { o.keys = Integer.parseInt(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--burst" -> { o.burst = Integer.parseInt(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--message-size" ->
                    {
                        o.messageSize = Integer.parseInt(args[++i]);
                        userArgs.add(a + " " + args[i]);
                    }
                    case "--config" -> { o.config = Paths.get(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--connect" -> { o.connect = true; o.skipEcho = true; userArgs.add(a); }
                    case "--no-echo" -> { o.skipEcho = true; userArgs.add(a); }
                    case "--throughput" -> { o.throughput = true; userArgs.add(a); }
                    case "--modes" -> { o.modes = List.of(args[++i].split(",")); userArgs.add(a + " " + args[i]); }
                    case "--generators" -> { o.generators = Integer.parseInt(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--generator-processes" ->
                    {
                        o.generatorProcesses = Integer.parseInt(args[++i]);
                        userArgs.add(a + " " + args[i]);
                    }
                    case "--step-seconds" -> { o.stepSeconds = Integer.parseInt(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--start-rate" -> { o.startRate = parseCount(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--raw-burst" -> { o.rawBurst = Integer.parseInt(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--no-raw" -> { o.skipRaw = true; userArgs.add(a); }
                    case "--journal" ->
                    {
                        o.journalModes = List.of(args[++i].split(","));
                        userArgs.add(a + " " + args[i]);
                    }
                    case "--replay" -> { o.replay = true; userArgs.add(a); }
                    case "--replay-events" ->
                    {
                        o.replayEvents = parseCount(args[++i]);
                        userArgs.add(a + " " + args[i]);
                    }
                    case "--replay-journal" ->
                    {
                        o.replayJournal = Paths.get(args[++i]).toAbsolutePath();
                        userArgs.add(a + " " + args[i]);
                    }
                    case "--replay-keys" ->
                    {
                        o.replayKeys = (int)parseCount(args[++i]);
                        userArgs.add(a + " " + args[i]);
                    }
                    case "--replay-idle" -> { o.replayIdle = true; userArgs.add(a); }
                    case "--cluster" -> { o.cluster = true; userArgs.add(a); }
                    case "--auth" -> { o.auth = true; userArgs.add(a); }
                    case "--clients" -> { o.clients = Integer.parseInt(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--kills" -> { o.kills = Integer.parseInt(args[++i]); userArgs.add(a + " " + args[i]); }
                    case "--replay-nice" ->
                    {
                        o.replayNice = Integer.parseInt(args[++i]);
                        userArgs.add(a + " " + args[i]);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a + "; options: --rates 10k,100k " +
                        "--warmup-seconds N --measure-seconds N --keys N --burst N --message-size BYTES --config FILE --connect " +
                        "--no-echo --journal off,async,sync --auth --clients N | --throughput --modes none,batched,per-event " +
                        "--generators N --generator-processes P --step-seconds N --warmup-seconds N --start-rate N " +
                        "--burst N --keys N --raw-burst N --no-raw --auth --clients N --config FILE | --replay --replay-events N --replay-keys N --replay-nice N --replay-idle --replay-journal DIR " +
                        "--rates 10k --warmup-seconds N --measure-seconds N --config FILE | --cluster --rates 1k,5k " +
                        "--kills N --warmup-seconds N --measure-seconds N --keys N --config FILE");
                }
            }
            if (null == o.config)
            {
                o.config = o.home.resolve(o.throughput || o.replay ? "config/demo.properties" :
                    "config/small-host.properties");
            }
            if (o.replay && (o.throughput || o.connect || o.skipEcho || null != o.journalModes || o.replayEvents < 1 ||
                o.replayKeys < 1))
            {
                throw new IllegalArgumentException("--replay records its own journal with its own daemons and measures " +
                    "the echo beside them (not with --throughput, --journal, --connect or --no-echo), and needs " +
                    "--replay-events >= 1 and --replay-keys >= 1");
            }
            if (o.cluster && (o.throughput || o.replay || o.connect || o.skipEcho || null != o.journalModes ||
                0 != o.messageSize || 1 != o.burst || o.kills < 0 || o.kills > 64))
            {
                throw new IllegalArgumentException("--cluster starts its own echo, daemon and cluster (not with " +
                    "--throughput, --replay, --journal, --connect or --no-echo), sends plain single events (no " +
                    "--message-size or --burst) and needs 0 <= --kills <= 64");
            }
            if ((o.auth || o.clients != 1) && (o.cluster || o.replay || o.connect || null != o.journalModes ||
                !o.auth || o.clients < 1 || o.clients > 256))
            {
                throw new IllegalArgumentException("--auth starts its own daemon with its own credentials file (with " +
                    "the latency sweep or --throughput; not with --cluster, --replay, --journal or --connect); " +
                    "--clients N needs --auth and 1 <= N <= 256");
            }
            if (o.cluster && !o.ratesGiven)
            {
                o.rates = List.of(1_000L, 5_000L);
            }
            if (o.replay && !o.ratesGiven)
            {
                o.rates = List.of(10_000L);
            }
            if (o.throughput && (o.connect || null != o.journalModes || o.generators < 1 || o.generatorProcesses < 1 ||
                o.stepSeconds < 1 || o.warmupSeconds < 1))
            {
                throw new IllegalArgumentException("--throughput starts its own daemon (not with --connect or --journal) " +
                    "and needs --generators, --generator-processes, --step-seconds and --warmup-seconds >= 1");
            }
            if (null == o.jar)
            {
                o.jar = o.home.resolve("tools/target/sluice-tools-0.1.0-SNAPSHOT-all.jar").toString();
            }
            o.args = userArgs.toArray(new String[0]);
            return o;
        }

        static long parseCount(final String text)
        {
            final String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.endsWith("k"))
            {
                return Long.parseLong(t.substring(0, t.length() - 1)) * 1000;
            }
            if (t.endsWith("m"))
            {
                return Long.parseLong(t.substring(0, t.length() - 1)) * 1_000_000;
            }
            return Long.parseLong(t);
        }
    }
}
