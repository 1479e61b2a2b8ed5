package io.sluice.bench;

import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * {@code ./sluice bench --journal off,async,sync}: the round trip with each journal mode in one run, beside the same
 * run's raw Aeron echo. Per mode a daemon process is started with {@code sluice.journal.mode} set to the mode and a
 * fresh journal directory of its own ({@code sluice.journal.dir}, deleted after the mode; file sync 0), and for each
 * rate the echo and then that daemon are measured back to back, so every mode has its own echo figures too.
 * <pre>
 *   for mode in modes: start daemon(mode, fresh journal dir)
 *                      for rate in rates: echo warm-up + measure, sluice warm-up + measure
 *                      stop daemon, delete its journal dir
 * </pre>
 * Control thread only.
 */
final class JournalLatency
{
    /**
     * One mode's measurement at one rate.
     *
     * @param mode     the journal mode.
     * @param result   the echo and Sluice phases and the daemon's GC during the measured phase.
     */
    record ModeResult(String mode, Report.RateResult result)
    {
    }

    private JournalLatency()
    {
    }

    static void run(final LatencyBench.Options o, final SluiceConfig config, final Path dir, final PrintStream out)
        throws IOException
    {
        if (o.connect || o.skipEcho)
        {
            throw new IllegalArgumentException("--journal starts its own daemons and measures the echo beside them: " +
                "not with --connect or --no-echo");
        }
        out.printf("journal modes %s (a daemon per mode, each with a fresh journal directory, file sync 0)%n",
            o.journalModes);
        final String echoIngress = "aeron:udp?endpoint=localhost:" + LatencyBench.freeUdpPort();
        final String echoEgress =
            "aeron:udp?control=localhost:" + LatencyBench.freeUdpPort() + "|control-mode=dynamic|fc=min,t:5s";
        final Properties echoOverrides = new Properties();
        echoOverrides.putAll(System.getProperties());
        echoOverrides.setProperty(SluiceConfig.INGRESS_CHANNEL, echoIngress);
        echoOverrides.setProperty(SluiceConfig.EGRESS_CHANNEL, echoEgress);
        final SluiceConfig echoConfig = SluiceConfig.load(o.config, echoOverrides);

        final List<ModeResult> results = new ArrayList<>();
        final StringBuilder internal = new StringBuilder();
        final StringBuilder recovered = new StringBuilder();
        try (ServerProcess echoServer = ServerProcess.start(
            ServerProcess.javaCommand("-Dsluice.driver.dir=" + LatencyBench.shmDir("sluice-bench-echo"),
                "-D" + SluiceConfig.INGRESS_CHANNEL + "=" + echoIngress,
                "-D" + SluiceConfig.EGRESS_CHANNEL + "=" + echoEgress,
                "-cp", o.benchJar(), EchoServer.class.getName(), "--config", o.config.toString()),
            dir.resolve("echo.log"), "echo: ready");
            SluiceClient echoClient = LatencyBench.connect(echoConfig, 1))
        {
            for (final String mode : o.journalModes)
            {
                final Path journalDir = Files.createTempDirectory("sluice-bench-journal-" + mode + "-");
                final String daemonDir = LatencyBench.shmDir("sluice-bench-daemon-" + mode);
                final ServerProcess daemon = ServerProcess.start(
                    ServerProcess.javaCommand("-Dsluice.driver.dir=" + daemonDir,
                        "-D" + SluiceConfig.JOURNAL_MODE + "=" + mode,
                        "-D" + SluiceConfig.JOURNAL_DIR + "=" + journalDir,
                        "-D" + SluiceConfig.JOURNAL_FILE_SYNC + "=0",
                        "-Dsluice.latency.histogram-file=" + dir.resolve("sluice-internal-" + mode + ".hgrm"),
                        "-jar", o.jar, "daemon", "--config", o.config.toString()),
                    dir.resolve("daemon-" + mode + ".log"), "sluice: ready");
                try
                {
                    out.printf("journal %s: daemon pid %d, journal in %s%n", mode, daemon.pid(), journalDir);
                    try (SluiceClient sluiceClient = LatencyBench.connect(config, config.processorCount()))
                    {
                        final LoadGenerator echoGenerator = new LoadGenerator(echoClient, o.messageSize)
                            .companion(sluiceClient);
                        final LoadGenerator sluiceGenerator = new LoadGenerator(sluiceClient, o.messageSize)
                            .companion(echoClient);
                        for (final long rate : o.rates)
                        {
                            final LoadGenerator.Phase echo =
                                LatencyBench.measure("echo", echoGenerator, rate, o, null, null, out);
                            final List<long[]> gc = new ArrayList<>();
                            final LoadGenerator.Phase sluice =
                                LatencyBench.measure(mode, sluiceGenerator, rate, o, gc, daemonDir, out);
                            results.add(new ModeResult(mode,
                                new Report.RateResult(rate, echo, sluice, gc.get(0)[0], gc.get(0)[1])));
                        }
                    }
                }
                finally
                {
                    daemon.close();
                    daemon.output().lines().filter((l) -> l.contains("internal latency")).findFirst()
                        .ifPresent((l) -> internal.append(mode).append(": ").append(l.trim()).append('\n'));
                    daemon.output().lines().filter((l) -> l.contains("journal") || l.contains("snapshot"))
                        .forEach((l) -> recovered.append(mode).append(": ").append(l.trim()).append('\n'));
                    deleteTree(journalDir);
                }
            }
        }

        final String table = table(results, o.journalModes);
        final String ratios = ratios(results, o);
        final StringBuilder summary = new StringBuilder();
        for (final ModeResult r : results)
        {
            summary.append(r.mode()).append(": ").append(Report.summary(List.of(r.result())));
        }
        out.println();
        out.print(table);
        out.println();
        out.print(ratios);
        out.print(summary);
        out.print(internal);
        writeFiles(dir, o, config, results, table, ratios, summary + internal.toString() + recovered);
    }

    static String table(final List<ModeResult> results, final List<String> modes)
    {
        final StringBuilder b = new StringBuilder();
        b.append("| rate (ev/s) | journal | achieved (echo / sluice) | percentile | echo (us) | sluice (us) | " +
            "sluice/echo | sluice/sluice(off) |\n");
        b.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (final ModeResult r : results)
        {
            final Report.RateResult off = find(results, "off", r.result().rate());
            for (final double p : Report.PERCENTILES)
            {
                final double echo = Report.micros(r.result().echo().histogram(), p);
                final double sluice = Report.micros(r.result().sluice().histogram(), p);
                final double offSluice = null == off ? Double.NaN : Report.micros(off.sluice().histogram(), p);
                b.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %.1f | %.1f | %.2f | %.2f |%n",
                    r.result().rate(), r.mode(),
                    p == 50 ? String.format(Locale.ROOT, "%,.0f / %,.0f", r.result().echo().achievedPerSecond(),
                        r.result().sluice().achievedPerSecond()) : "",
                    p >= 100 ? "max" : "p" + (p == Math.rint(p) ? Long.toString((long)p) : Double.toString(p)),
                    echo, sluice, sluice / echo, sluice / offSluice));
            }
        }
        return b.toString();
    }

    static String ratios(final List<ModeResult> results, final LatencyBench.Options o)
    {
        final StringBuilder b = new StringBuilder();
        for (final long rate : o.rates)
        {
            final Report.RateResult off = find(results, "off", rate);
            for (final String mode : o.journalModes)
            {
                final Report.RateResult r = find(results, mode, rate);
                if (null == off || null == r || "off".equals(mode))
                {
                    continue;
                }
                final Histogram h = r.sluice().histogram();
                final Histogram hOff = off.sluice().histogram();
                b.append(String.format(Locale.ROOT,
                    "%,9d ev/s: %s/off p50 %.2f (%.1f / %.1f us), p90 %.2f, p99 %.2f%n", rate, mode,
                    Report.micros(h, 50) / Report.micros(hOff, 50), Report.micros(h, 50), Report.micros(hOff, 50),
                    Report.micros(h, 90) / Report.micros(hOff, 90), Report.micros(h, 99) / Report.micros(hOff, 99)));
            }
        }
        return b.toString();
    }

    private static Report.RateResult find(final List<ModeResult> results, final String mode, final long rate)
    {
        for (final ModeResult r : results)
        {
            if (r.mode().equals(mode) && r.result().rate() == rate)
            {
                return r.result();
            }
        }
        return null;
    }

    private static void writeFiles(
        final Path dir,
        final LatencyBench.Options o,
        final SluiceConfig config,
        final List<ModeResult> results,
        final String table,
        final String ratios,
        final String summary) throws IOException
    {
        for (final String mode : o.journalModes)
        {
            final List<Report.RateResult> modeResults = new ArrayList<>();
            for (final ModeResult r : results)
            {
                if (r.mode().equals(mode))
                {
                    modeResults.add(r.result());
                    LatencyBench.write(dir.resolve("sluice-" + mode + "-" + r.result().rate() + ".hgrm"),
                        r.result().sluice().histogram());
                    LatencyBench.write(dir.resolve("echo-" + mode + "-" + r.result().rate() + ".hgrm"),
                        r.result().echo().histogram());
                }
            }
            Files.writeString(dir.resolve("chart-" + mode + ".html"),
                Report.chart(modeResults, "Sluice (journal " + mode + ") vs raw Aeron echo"));
        }
        final StringBuilder facts = new StringBuilder();
        facts.append("# machine\n").append(MachineFacts.describe());
        facts.append("\n# command\n./sluice bench ").append(String.join(" ", o.args)).append('\n');
        facts.append("\n# configuration (").append(o.config).append("; per mode ").append(SluiceConfig.JOURNAL_MODE)
            .append(", a fresh ").append(SluiceConfig.JOURNAL_DIR).append(", ").append(SluiceConfig.JOURNAL_FILE_SYNC)
            .append("=0)\n");
        config.effective().forEach((k, v) -> facts.append(k).append('=').append(v).append('\n'));
        config.aeronProperties().forEach((k, v) -> facts.append(k).append('=').append(v).append('\n'));
        facts.append("\n# results (round trip, us)\n").append(table).append('\n').append(ratios).append('\n')
            .append(summary).append('\n');
        Files.writeString(dir.resolve("report.md"), facts.toString());
    }

    static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
