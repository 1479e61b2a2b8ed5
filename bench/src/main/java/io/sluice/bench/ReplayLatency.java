package io.sluice.bench;

import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Phase 3 of {@code ./sluice bench --replay} ({@link ReplayBench}): latency at each rate against a daemon with the
 * journal on, first without and then with replays of its own journal running beside it, one after another.
 * <pre>
 *   [echo process] + [daemon process, journal async, fresh dir, N events recorded as in ReplayBench's phase 1]
 *       ◀── LoadGenerator (as ./sluice bench): echo then Sluice at each rate, without a replay, then again
 *           while [replay processes: sluice replay --journal (the live daemon's), nice 19 or SCHED_IDLE]
 *           run one after another ({@link ReplayLoop}, a thread of its own)
 * </pre>
 */
final class ReplayLatency
{
    private static final Pattern RATE = Pattern.compile("in ([0-9.]+) s: ([0-9.]+) M entries/s");
    private static final Pattern PROGRESS = Pattern.compile("([0-9.]+) M entries/s, journal position");

    private ReplayLatency()
    {
    }

    /**
     * Latency at each rate against a daemon with the journal on, without and then with replays of its own journal
     * running beside it.
     *
     * @return the table.
     */
    static String latency(
        final LatencyBench.Options o, final SluiceConfig config, final Path dir, final PrintStream out)
        throws Exception
    {
        out.println();
        out.println("latency: echo and daemon (journal async), then without and with a concurrent replay");
        final String echoIngress = "aeron:udp?endpoint=localhost:" + LatencyBench.freeUdpPort();
        final String echoEgress =
            "aeron:udp?control=localhost:" + LatencyBench.freeUdpPort() + "|control-mode=dynamic|fc=min,t:5s";
        final Properties echoOverrides = new Properties();
        echoOverrides.putAll(System.getProperties());
        echoOverrides.setProperty(SluiceConfig.INGRESS_CHANNEL, echoIngress);
        echoOverrides.setProperty(SluiceConfig.EGRESS_CHANNEL, echoEgress);
        final SluiceConfig echoConfig = SluiceConfig.load(o.config, echoOverrides);

        final Path journalDir = Files.createTempDirectory("sluice-bench-replay-live-journal-");
        final Path csv = Files.createTempFile("sluice-bench-replay-live-", ".csv");
        final String daemonDir = LatencyBench.shmDir("sluice-bench-replay-live");
        final List<Report.RateResult> without = new ArrayList<>();
        final List<Report.RateResult> with = new ArrayList<>();
        final ReplayLoop loop;
        try (ServerProcess echoServer = ServerProcess.start(
            ServerProcess.javaCommand("-Dsluice.driver.dir=" + LatencyBench.shmDir("sluice-bench-echo"),
                "-D" + SluiceConfig.INGRESS_CHANNEL + "=" + echoIngress,
                "-D" + SluiceConfig.EGRESS_CHANNEL + "=" + echoEgress,
                "-cp", o.benchJar(), EchoServer.class.getName(), "--config", o.config.toString()),
            dir.resolve("echo.log"), "echo: ready");
            ServerProcess daemon =
                ReplayBench.startDaemon(o, journalDir, daemonDir, dir.resolve("daemon-live.log"), List.of()))
        {
            out.printf("latency: daemon pid %d, journal async in %s; recording %,d events first%n", daemon.pid(),
                journalDir, o.replayEvents);
            ReplayBench.fill(o, config, daemonDir, out);
            final List<String> replayCommand = new ArrayList<>(List.of("-Dsluice.driver.dir=" + daemonDir));
            for (final String[] setting : ReplayBench.whatIfSettings())
            {
                replayCommand.add("-D" + setting[0] + "=" + setting[1]);
            }
            replayCommand.addAll(List.of("-jar", o.jar, "replay", "--config", o.config.toString(), "--journal",
                journalDir.toString(), "--out", csv.toString()));
            // as ./sluice runs it: at the lowest CPU priority (nice 19 by default), beside the live daemon
            final List<String> niced = new ArrayList<>(o.replayIdle ? List.of("chrt", "--idle", "0") :
                List.of("nice", "-n", Integer.toString(o.replayNice)));
            niced.addAll(ServerProcess.javaCommand(replayCommand.toArray(new String[0])));
            loop = new ReplayLoop(niced, dir);
            try (SluiceClient echoClient = LatencyBench.connect(echoConfig, 1);
                SluiceClient sluiceClient = LatencyBench.connect(config, config.processorCount()))
            {
                final LoadGenerator echoGenerator = new LoadGenerator(echoClient, o.messageSize).companion(sluiceClient);
                final LoadGenerator sluiceGenerator =
                    new LoadGenerator(sluiceClient, o.messageSize).companion(echoClient);
                for (final long rate : o.rates)
                {
                    without.add(measure(rate, echoGenerator, sluiceGenerator, o, daemonDir, "", out));
                }
                out.printf("latency: replays of the live journal start one after another (%s, %s)%n",
                    o.replayIdle ? "chrt --idle 0" : "nice -n " + o.replayNice, String.join(" ", replayCommand));
                loop.start();
                try
                {
                    for (final long rate : o.rates)
                    {
                        with.add(measure(rate, echoGenerator, sluiceGenerator, o, daemonDir, "+replay", out));
                    }
                }
                finally
                {
                    loop.stop();
                }
            }
        }
        finally
        {
            JournalLatency.deleteTree(journalDir);
            Files.deleteIfExists(csv);
        }
        for (final String line : loop.summaries)
        {
            out.println("latency: concurrent " + line);
        }
        return latencyTable(o.rates, without, with) + loop.describe();
    }

    private static Report.RateResult measure(
        final long rate,
        final LoadGenerator echoGenerator,
        final LoadGenerator sluiceGenerator,
        final LatencyBench.Options o,
        final String daemonDir,
        final String suffix,
        final PrintStream out)
    {
        final LoadGenerator.Phase echo = LatencyBench.measure("echo" + suffix, echoGenerator, rate, o, null, null, out);
        final List<long[]> gc = new ArrayList<>();
        final LoadGenerator.Phase sluice =
            LatencyBench.measure("sluice" + suffix, sluiceGenerator, rate, o, gc, daemonDir, out);
        return new Report.RateResult(rate, echo, sluice, gc.get(0)[0], gc.get(0)[1]);
    }

    static String latencyTable(
        final List<Long> rates, final List<Report.RateResult> without, final List<Report.RateResult> with)
    {
        final StringBuilder b = new StringBuilder();
        b.append("| rate (ev/s) | replay | percentile | echo (us) | sluice (us) | sluice/echo | " +
            "sluice/sluice(no replay) |\n");
        b.append("|---:|---|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < rates.size(); i++)
        {
            for (int side = 0; side < 2; side++)
            {
                final Report.RateResult r = 0 == side ? without.get(i) : with.get(i);
                final Histogram base = without.get(i).sluice().histogram();
                for (final double p : new double[]{ 50, 90, 99, 99.9 })
                {
                    final double echo = Report.micros(r.echo().histogram(), p);
                    final double sluice = Report.micros(r.sluice().histogram(), p);
                    b.append(String.format(Locale.ROOT, "| %,d | %s | p%s | %.1f | %.1f | %.2f | %.2f |%n",
                        rates.get(i), 0 == side ? "no" : "yes", p == Math.rint(p) ? Long.toString((long)p) :
                        Double.toString(p), echo, sluice, sluice / echo, sluice / Report.micros(base, p)));
                }
            }
        }
        return b.toString();
    }

    /**
     * Replay processes run one after another on a thread of their own until stopped; each one's log is kept, and
     * its summary line (entries, time, rate) and its progress lines' rates collected.
     */
    static final class ReplayLoop
    {
        private final List<String> command;
        private final Path dir;
        private final List<String> summaries = new ArrayList<>();
        private final List<Double> progressRates = new ArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;
        private volatile Process current;
        private int started;
        private int completed;

        ReplayLoop(final List<String> command, final Path dir)
        {
            this.command = command;
            this.dir = dir;
            this.thread = new Thread(this::loop, "sluice-bench-replay-loop");
        }

        void start()
        {
            thread.start();
        }

        void stop() throws InterruptedException
        {
            running = false;
            final Process process = current;
            if (null != process)
            {
                process.destroy();
            }
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }

        private void loop()
        {
            while (running)
            {
                final Path log = dir.resolve("replay-" + (started + 1) + ".log");
                try
                {
                    final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start();
                    started++;
                    current = process;
                    final int exit = process.waitFor();
                    final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                    for (final String line : lines)
                    {
                        final Matcher progress = PROGRESS.matcher(line);
                        if (progress.find())
                        {
                            progressRates.add(Double.parseDouble(progress.group(1)));
                        }
                        if (RATE.matcher(line).find())
                        {
                            summaries.add("replay " + started + ": " + line.trim());
                        }
                    }
                    if (0 == exit)
                    {
                        completed++;
                    }
                    else if (running)
                    {
                        summaries.add("replay " + started + " failed (exit " + exit + "): " + String.join(" | ", lines));
                        running = false;
                    }
                }
                catch (final IOException ex)
                {
                    summaries.add("replay " + (started + 1) + " could not start: " + ex);
                    running = false;
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        String describe()
        {
            double sum = 0;
            double min = Double.MAX_VALUE;
            double max = 0;
            for (final double rate : progressRates)
            {
                sum += rate;
                min = Math.min(min, rate);
                max = Math.max(max, rate);
            }
            return String.format(Locale.ROOT, "concurrent replays: %d started, %d completed while measuring; " +
                "their progress lines (cumulative rate since each start): mean %.2f M entries/s, %.2f-%.2f%n",
                started, completed, progressRates.isEmpty() ? 0 : sum / progressRates.size(),
                progressRates.isEmpty() ? 0 : min, max) + String.join("\n", summaries) + "\n";
        }
    }
}
