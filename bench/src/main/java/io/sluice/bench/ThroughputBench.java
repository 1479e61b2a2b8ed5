package io.sluice.bench;

import io.aeron.ChannelUri;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WindowType;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.stat.SluiceStat;
import org.agrona.IoUtil;
import org.agrona.collections.LongArrayList;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./sluice bench --throughput}: the highest rate at which Sluice answers every event, per result mode, beside
 * raw Aeron one-way throughput of 32-byte messages measured with the same driver configuration in the same run.
 * <pre>
 *   1. baseline   [RawAeronOneWay publisher] ──UDP 32 B msgs, flat out──▶ [RawAeronOneWay subscriber] ─▶ counter
 *   2. per mode   [GeneratorProcess x P: N threads, a SluiceClient each, bursts of events, flush, poll]
 *                        ──UDP EventBatch──▶ [daemon process: ingress ─▶ ring ─▶ processors] ──UDP (MDC)──┐
 *                        ◀─── results in the mode's form, window results, alerts ─────────────────────────┘
 *                 this process: drives the steps, reads the daemon's counters from its CnC file, judges
 * </pre>
 * Each mode gets fresh generator processes on the same daemon: a warm-up at flat out, a measured flat-out step
 * (offer as fast as the clients take events, with back-pressure), then a {@link RateSearch} from half the flat-out
 * rate (or {@code --start-rate}; x1.25 until a fail, then bisection to 5 %), a step per rate, each judged by
 * {@link StepOutcome#passed()}. The total rate is split evenly over the generator threads; each sends bursts of
 * 100 us worth of events (or {@code --burst}), 256 at a time flat out.
 * <ul>
 *     <li><b>Achieved</b> counts until the daemon had processed the step's events: this process samples the daemon's
 *     processed counters every millisecond, so events that waited in a client's publication (up to half a term)
 *     while the daemon was behind do not pass for throughput.</li>
 *     <li><b>Steps do not overlap</b>: a step starts only once the daemon has accepted every event the mode's
 *     generators sent before it.</li>
 *     <li><b>Windows close after each step</b> in {@code none} mode, so their counts can be compared with the events
 *     sent: the daemon's {@code sluice.window.idle-advance} moves the watermark on once the generators stop (set to
 *     200 ms for the run when the configuration has windows and no idle advance); the generators wait for the
 *     windows within the drain time (window size + lateness + idle advance + 2 s), and attribute windows to a step
 *     by event time (see {@link BurstGenerator}).</li>
 * </ul>
 * Everything printed also goes into the run's {@code report.md}. Control thread only.
 */
final class ThroughputBench
{
    /** Modes measured when {@code --modes} is not given. */
    static final List<String> MODES = List.of("none", "batched", "per-event");

    private static final long BURST_PERIOD_NS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final int MAX_BURST = 1024;
    private static final int FLAT_OUT_BURST = 256;
    private static final long ANSWER_DRAIN_MS = 2_000;
    private static final long SETTLE_LIMIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final Pattern RAW_SENT = Pattern.compile("raw-publisher: sent (\\d+)");

    private ThroughputBench()
    {
    }

    private static java.util.Properties overrides(final List<String> channels)
    {
        final java.util.Properties properties = new java.util.Properties();
        properties.putAll(System.getProperties());
        for (final String option : channels)
        {
            final int equals = option.indexOf('=');
            properties.setProperty(option.substring(2, equals), option.substring(equals + 1));
        }
        return properties;
    }

    static void run(final LatencyBench.Options o, final SluiceConfig config, final Path dir, final PrintStream console)
        throws IOException
    {
        final ByteArrayOutputStream transcript = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(new Tee(console, transcript), true, StandardCharsets.UTF_8);
        for (final String mode : o.modes)
        {
            if (!MODES.contains(mode))
            {
                throw new IllegalArgumentException("--modes takes " + MODES + ": " + mode);
            }
        }
        final int threads = o.generators * o.generatorProcesses;
        out.printf(Locale.ROOT, "sluice bench --throughput: modes %s, %d generator thread(s) x %d process(es), " +
            "%,d keys per thread, warm-up %d s, steps %d s, config %s%n",
            o.modes, o.generators, o.generatorProcesses, o.keys, o.warmupSeconds, o.stepSeconds, o.config);
        out.printf("results in %s%n", dir);

        final ThroughputReport.RawResult raw = o.skipRaw ? null : measureRaw(o, config, dir, out);

        final int ingressPort = LatencyBench.freeUdpPort();
        int egressPort;
        while (ingressPort == (egressPort = LatencyBench.freeUdpPort()))
        {
            Thread.onSpinWait();
        }
        final List<String> channels = List.of(
            "-D" + SluiceConfig.INGRESS_CHANNEL + "=" + onPort(config.ingressChannel(), "endpoint", ingressPort),
            "-D" + SluiceConfig.EGRESS_CHANNEL + "=" + onPort(config.egressChannel(), "control", egressPort));
        final List<String> daemonOptions = new ArrayList<>(channels);
        final String daemonDir = LatencyBench.shmDir("sluice-tput-daemon");
        daemonOptions.add("-Dsluice.driver.dir=" + daemonDir);
        String note = "";
        if (WindowType.NONE != config.windowType() && 0 == config.idleAdvanceNs())
        {
            daemonOptions.add("-D" + SluiceConfig.WINDOW_IDLE_ADVANCE + "=200ms");
            note = SluiceConfig.WINDOW_IDLE_ADVANCE + "=200ms set for the run, so each step's windows close\n";
            out.print(note);
        }
        // each mode's generators are new clients (a client id's correlation ids start again at 1 in a new process,
        // which the daemon would refuse as DUPLICATE): threads x modes generator clients, then the connected ones
        final int generatorClients = threads * o.modes.size();
        final BenchAuth auth = o.auth ? BenchAuth.create(generatorClients + o.clients - 1) : null;
        if (null != auth)
        {
            daemonOptions.addAll(auth.daemonOptions());
            out.printf("authentication on: %d generator client(s) a mode and %d more connected client(s), each its " +
                "own session and response channel, %s%n", threads, o.clients - 1, BenchAuth.PERMISSIONS);
        }
        daemonOptions.addAll(List.of("-jar", o.jar, "daemon", "--config", o.config.toString()));
        final List<ThroughputReport.ModeResult> results = new ArrayList<>();
        try (ServerProcess daemon = ServerProcess.start(ServerProcess.javaCommand(daemonOptions.toArray(new String[0])),
            dir.resolve("daemon-throughput.log"), "sluice: ready");
            DaemonCounters counters = new DaemonCounters(daemonDir);
            ConnectedClients others = null == auth || 1 == o.clients ? null :
                ConnectedClients.start(SluiceConfig.load(o.config, overrides(channels)), auth, generatorClients,
                    o.clients - 1))
        {
            out.printf("daemon pid %d, driver %s, %s%n", daemon.pid(), daemonDir, String.join(" ", channels));
            for (final String mode : o.modes)
            {
                results.add(runMode(mode, results.size() * threads, o, config, channels, counters, threads, auth,
                    dir, out));
            }
        }
        finally
        {
            if (null != auth)
            {
                auth.close();
            }
        }

        final String table = ThroughputReport.table(raw, results);
        final String bounds = ThroughputReport.bounds(results);
        out.println();
        out.print(table);
        out.print(bounds);
        writeReport(dir, o, config, table, bounds, note, transcript.toString(StandardCharsets.UTF_8));
    }

    private static ThroughputReport.ModeResult runMode(
        final String mode,
        final int firstClient,
        final LatencyBench.Options o,
        final SluiceConfig config,
        final List<String> channels,
        final DaemonCounters counters,
        final int threads,
        final BenchAuth auth,
        final Path dir,
        final PrintStream out) throws IOException
    {
        final List<Generator> generators = new ArrayList<>();
        try
        {
            for (int p = 0; p < o.generatorProcesses; p++)
            {
                final List<String> command = new ArrayList<>(channels);
                command.addAll(List.of("-cp", o.benchJar(), GeneratorProcess.class.getName(),
                    "--config", o.config.toString(), "--mode", mode, "--threads", Integer.toString(o.generators),
                    "--keys", Integer.toString(o.keys), "--key-base", Long.toString((long)p * o.generators * o.keys)));
                if (null != auth)
                {
                    command.addAll(List.of("--secrets", auth.writeSecrets(firstClient + p * o.generators, o.generators).toString()));
                }
                generators.add(Generator.start(ServerProcess.javaCommand(command.toArray(new String[0])),
                    dir.resolve("generator-" + mode + "-" + p + ".log")));
            }
            out.printf("%-9s %s%n", mode, generators.get(0).readyLine);
            final Ledger ledger = new Ledger(counters.sum(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID));
            out.printf("%-9s warm-up %d s at flat out ...%n", mode, o.warmupSeconds);
            final StepOutcome warmUp =
                step(mode, 0, o.warmupSeconds, o, config, counters, ledger, threads, generators, out);
            out.println(ThroughputReport.progress(warmUp, false) + " (warm-up)");
            final StepOutcome flatOut =
                step(mode, 0, o.stepSeconds, o, config, counters, ledger, threads, generators, out);
            out.println(ThroughputReport.progress(flatOut, false));

            final long start = o.startRate > 0 ? o.startRate : Math.max(1_000, (long)(flatOut.achievedPerSecond() / 2));
            final RateSearch search = new RateSearch(start, 1.25, 0.05, 1_000, 1_000_000_000L);
            StepOutcome sustained = null;
            while (0 != search.rate())
            {
                final StepOutcome s =
                    step(mode, search.rate(), o.stepSeconds, o, config, counters, ledger, threads, generators, out);
                final boolean retrying = !s.passed() && !search.retrying();
                out.println(ThroughputReport.progress(s, retrying));
                if (s.passed() && (null == sustained || s.targetRate() > sustained.targetRate()))
                {
                    sustained = s;
                }
                search.record(s.passed());
            }
            settle(counters, ledger);
            return new ThroughputReport.ModeResult(mode, sustained, search.firstFail(), flatOut);
        }
        finally
        {
            for (final Generator g : generators)
            {
                g.close();
            }
        }
    }

    private static StepOutcome step(
        final String mode,
        final long rate,
        final int seconds,
        final LatencyBench.Options o,
        final SluiceConfig config,
        final DaemonCounters counters,
        final Ledger ledger,
        final int threads,
        final List<Generator> generators,
        final PrintStream out) throws IOException
    {
        final boolean none = "none".equals(mode);
        final int windowsPerEvent = BurstGenerator.windowsPerEvent(config);
        final long perThread = 0 == rate ? 0 : Math.max(1, rate / threads);
        final int burst = o.burst > 1 ? o.burst : 0 == rate ? FLAT_OUT_BURST :
            (int)Math.max(1, Math.min(MAX_BURST, perThread * BURST_PERIOD_NS / 1_000_000_000L));
        final long drainMs = none && windowsPerEvent > 0 ?
            TimeUnit.NANOSECONDS.toMillis(config.windowSizeNs() + config.allowedLatenessNs() + config.idleAdvanceNs()) +
            ANSWER_DRAIN_MS : ANSWER_DRAIN_MS;

        if (!settle(counters, ledger))
        {
            out.printf("%-9s the daemon had not accepted every earlier event after %d s; the step goes on%n", mode,
                TimeUnit.NANOSECONDS.toSeconds(SETTLE_LIMIT_NS));
        }
        final long acceptedBefore = counters.sum(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID);
        final long processedBefore = counters.sum(SluiceCounters.PROCESSED_TYPE_ID);
        final long lateBefore = counters.sum(SluiceCounters.LATE_TYPE_ID);
        final LongArrayList sampleNs = new LongArrayList();
        final LongArrayList sampleProcessed = new LongArrayList();
        final String command =
            "step " + perThread + ' ' + TimeUnit.SECONDS.toMillis(seconds) + ' ' + drainMs + ' ' + burst;
        for (final Generator g : generators)
        {
            g.send(command);
        }
        BurstGenerator.Totals sum = null;
        final List<Generator> waiting = new ArrayList<>(generators);
        while (!waiting.isEmpty())
        {
            sampleNs.addLong(System.nanoTime());
            sampleProcessed.addLong(counters.sum(SluiceCounters.PROCESSED_TYPE_ID) - processedBefore);
            for (int i = waiting.size() - 1; i >= 0; i--)
            {
                final BurstGenerator.Totals totals = waiting.get(i).pollResult();
                if (null != totals)
                {
                    sum = null == sum ? totals : sum.plus(totals);
                    waiting.remove(i);
                }
            }
            LatencyBench.sleep(1);
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_DRAIN_MS);
        do
        {
            sampleNs.addLong(System.nanoTime());
            sampleProcessed.addLong(counters.sum(SluiceCounters.PROCESSED_TYPE_ID) - processedBefore);
            LatencyBench.sleep(1);
        }
        while (sampleProcessed.getLong(sampleProcessed.size() - 1) < sum.sent() && System.nanoTime() - deadlineNs < 0);
        final long processed = sampleProcessed.getLong(sampleProcessed.size() - 1);
        final long target = Math.min(sum.sent(), processed);
        int reached = 0;
        while (sampleProcessed.getLong(reached) < target)
        {
            reached++;
        }
        final long processedNs = sampleNs.getLong(reached) - sum.beganNs();
        ledger.sent += sum.sent();
        final long accepted = counters.sum(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID) - acceptedBefore;
        final long late = counters.sum(SluiceCounters.LATE_TYPE_ID) - lateBefore;
        return new StepOutcome(mode, 0 == rate ? 0 : perThread * threads, sum.sent(), sum.answered(), sum.misrouted(),
            sum.rejected(), late, sum.windowCount(), windowsPerEvent, accepted, processed, sum.sendNs(), processedNs,
            sum.outBytes());
    }

    /**
     * Wait until the daemon has accepted every event the mode's generators have sent so far (events of a step can
     * still sit in a client's publication, or wait for a retransmission, after the step), so nothing of one step is
     * counted in the next.
     *
     * @return false when that did not happen within {@link #SETTLE_LIMIT_NS}.
     */
    private static boolean settle(final DaemonCounters counters, final Ledger ledger)
    {
        final long limitNs = System.nanoTime() + SETTLE_LIMIT_NS;
        while (counters.sum(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID) - ledger.acceptedBase < ledger.sent)
        {
            if (System.nanoTime() - limitNs >= 0)
            {
                return false;
            }
            LatencyBench.sleep(5);
        }
        return true;
    }

    /**
     * What the daemon should have accepted from one mode's generators: their events so far, counted from the
     * daemon's accepted counter once they were connected (their connection probes are accepted input too).
     */
    private static final class Ledger
    {
        private final long acceptedBase;
        private long sent;

        Ledger(final long acceptedBase)
        {
            this.acceptedBase = acceptedBase;
        }
    }

    /**
     * @param channel an Aeron channel.
     * @param param   its parameter holding a host:port address, e.g. {@code endpoint} or {@code control}.
     * @param port    the port to move the address to.
     * @return the channel with that address at localhost:port and every other parameter kept; unchanged when the
     * channel has no such parameter (IPC).
     */
    static String onPort(final String channel, final String param, final int port)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        if (null == uri.get(param))
        {
            return channel;
        }
        uri.put(param, "localhost:" + port);
        return uri.toString();
    }

    private static ThroughputReport.RawResult measureRaw(
        final LatencyBench.Options o, final SluiceConfig config, final Path dir, final PrintStream out)
        throws IOException
    {
        final String channel = RawAeronOneWay.channel(config, LatencyBench.freeUdpPort());
        final String subscriberDir = LatencyBench.shmDir("sluice-tput-raw-sub");
        final String publisherDir = LatencyBench.shmDir("sluice-tput-raw-pub");
        final int seconds = o.warmupSeconds + o.stepSeconds;
        out.printf(Locale.ROOT, "raw Aeron one-way, %d B messages, flat out: warm-up %d s, measuring %d s ...",
            RawAeronOneWay.MESSAGE_LENGTH, o.warmupSeconds, o.stepSeconds);
        out.flush();
        try (ServerProcess subscriber = ServerProcess.start(ServerProcess.javaCommand("-cp", o.benchJar(),
            RawAeronOneWay.class.getName(), "subscriber", "--config", o.config.toString(), "--channel", channel,
            "--dir", subscriberDir), dir.resolve("raw-subscriber.log"), "raw-subscriber: ready"))
        {
            final double perSecond;
            final long sent;
            try (ServerProcess publisher = ServerProcess.start(ServerProcess.javaCommand("-cp", o.benchJar(),
                RawAeronOneWay.class.getName(), "publisher", "--config", o.config.toString(), "--channel", channel,
                "--dir", publisherDir, "--seconds", Integer.toString(seconds + 1), "--burst",
                Integer.toString(o.rawBurst)), dir.resolve("raw-publisher.log"), "raw-publisher: connected"))
            {
                LatencyBench.sleep(TimeUnit.SECONDS.toMillis(o.warmupSeconds));
                final long c0 = SluiceStat.sum(subscriberDir, RawAeronOneWay.RECEIVED_TYPE_ID);
                final long t0 = System.nanoTime();
                LatencyBench.sleep(TimeUnit.SECONDS.toMillis(o.stepSeconds));
                final long c1 = SluiceStat.sum(subscriberDir, RawAeronOneWay.RECEIVED_TYPE_ID);
                final long t1 = System.nanoTime();
                perSecond = (c1 - c0) * 1e9 / (t1 - t0);
                if (!publisher.awaitExit(TimeUnit.SECONDS.toMillis(30)))
                {
                    throw new IOException("raw publisher did not finish:\n" + publisher.output());
                }
                final Matcher m = RAW_SENT.matcher(publisher.output());
                if (!m.find())
                {
                    throw new IOException("raw publisher did not say what it sent:\n" + publisher.output());
                }
                sent = Long.parseLong(m.group(1));
            }
            long received = SluiceStat.sum(subscriberDir, RawAeronOneWay.RECEIVED_TYPE_ID);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (received < sent && System.nanoTime() - deadlineNs < 0)
            {
                LatencyBench.sleep(10);
                received = SluiceStat.sum(subscriberDir, RawAeronOneWay.RECEIVED_TYPE_ID);
            }
            final long outOfSequence = SluiceStat.sum(subscriberDir, RawAeronOneWay.OUT_OF_SEQUENCE_TYPE_ID);
            final ThroughputReport.RawResult raw =
                new ThroughputReport.RawResult(perSecond, sent, received, outOfSequence);
            out.printf(Locale.ROOT, " %,.0f msgs/s, %.1f MB/s; received %,d/%,d, %,d out of sequence%n",
                raw.messagesPerSecond(), raw.megabytesPerSecond(), received, sent, outOfSequence);
            return raw;
        }
        finally
        {
            IoUtil.delete(new File(subscriberDir), true);
            IoUtil.delete(new File(publisherDir), true);
        }
    }

    private static void writeReport(
        final Path dir,
        final LatencyBench.Options o,
        final SluiceConfig config,
        final String table,
        final String bounds,
        final String note,
        final String transcript) throws IOException
    {
        final StringBuilder b = new StringBuilder();
        final Path report = dir.resolve("report.md");
        if (!Files.exists(report))
        {
            b.append("# machine\n").append(MachineFacts.describe());
            b.append("\n# command\n./sluice bench ").append(String.join(" ", o.args)).append('\n');
            b.append("\n# configuration (").append(o.config).append(")\n");
            config.effective().forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
            config.aeronProperties().forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        }
        b.append(String.format(Locale.ROOT, "%n# throughput (%d generator thread(s) x %d process(es), %d s steps)%n",
            o.generators, o.generatorProcesses, o.stepSeconds));
        b.append("Highest rate with every event answered (none: counted by the daemon and in its window results), " +
            "payload MB/s (32 B in per event; out: results, window results and alerts for the generators), " +
            "and its ratio to raw Aeron one-way messages/s of 32 B in the same run.\n");
        b.append(note).append('\n').append(table).append('\n').append(bounds);
        b.append("\n## every step\n```\n").append(transcript).append("```\n");
        Files.writeString(report, b.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * A generator process and its stdin/stdout protocol.
     */
    private static final class Generator implements AutoCloseable
    {
        private final Process process;
        private final Path log;
        private final BufferedReader in;
        private final Writer toProcess;
        private String readyLine;

        private Generator(final Process process, final Path log)
        {
            this.process = process;
            this.log = log;
            this.in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            this.toProcess = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        }

        static Generator start(final List<String> command, final Path log) throws IOException
        {
            final Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            final Generator generator = new Generator(process, log);
            final String line = generator.in.readLine();
            if (null == line || !line.startsWith("generator: ready"))
            {
                process.destroyForcibly();
                throw new IOException("generator did not become ready (" + line + "): " + command + "\n" +
                    Files.readString(log));
            }
            generator.readyLine = line;
            return generator;
        }

        void send(final String line) throws IOException
        {
            toProcess.write(line);
            toProcess.write('\n');
            toProcess.flush();
        }

        /**
         * @return the step's result when the process has printed it, else null.
         * @throws IOException when the process ended.
         */
        BurstGenerator.Totals pollResult() throws IOException
        {
            if (!in.ready())
            {
                if (!process.isAlive())
                {
                    throw new IOException("generator process ended:\n" + Files.readString(log));
                }
                return null;
            }
            final String line = in.readLine();
            if (null == line)
            {
                throw new IOException("generator process ended:\n" + Files.readString(log));
            }
            return BurstGenerator.Totals.parse(line);
        }

        public void close()
        {
            try
            {
                send("quit");
            }
            catch (final IOException ignore)
            {
                process.destroy();
            }
            try
            {
                if (!process.waitFor(30, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes what the benchmark prints to the console and to the transcript that goes into the report.
     */
    static final class Tee extends OutputStream
    {
        private final OutputStream first;
        private final OutputStream second;

        Tee(final OutputStream first, final OutputStream second)
        {
            this.first = first;
            this.second = second;
        }

        public void write(final int b) throws IOException
        {
            first.write(b);
            second.write(b);
        }

        public void write(final byte[] bytes, final int offset, final int length) throws IOException
        {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }

        public void flush() throws IOException
        {
            first.flush();
            second.flush();
        }
    }
}
