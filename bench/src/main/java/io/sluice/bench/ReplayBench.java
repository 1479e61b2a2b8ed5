package io.sluice.bench;

import io.aeron.Publication;
import io.sluice.config.SluiceConfig;
import io.sluice.tools.SluiceMain;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResultMode;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import io.sluice.config.DriverThreading;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./sluice bench --replay}: what-if replay's rate over a recorded journal, and what a concurrent replay does to
 * a live daemon's latency.
 * <pre>
 *   1. record  [this process: SluiceClient, result mode NONE, full batches, flat out]
 *                  ──UDP EventBatch──▶ [daemon process, journal async, fresh dir] ──▶ journal (N events)
 *              stop the daemon (SIGTERM); it must have accepted the N events; sluice.journal.retention=3600s, so
 *              the snapshot at stop (which purges whole segments before it) leaves every event; sync
 *   2. replay  [this process: WhatIfReplay.run] ◀── the stopped journal, mapped read-only
 *              own configuration (cold, then warm), a what-if configuration, --compare (baseline: own), then
 *              `sluice replay` as a process (nice 19); each must find exactly N events; output to a temp CSV file
 *   3. latency [echo process] + [daemon process, journal async, fresh dir, N events recorded as in 1]
 *              ◀── LoadGenerator (as ./sluice bench): echo then Sluice at each rate, without a replay, then again
 *                  while [replay processes: sluice replay --journal (the live daemon's), nice 19 or SCHED_IDLE]
 *                  run one after another, with the default bound beside a live daemon
 *                  ({@code JournalInput.LIVE_DEFAULT_MIB_PER_SECOND}); {@link ReplayLatency} runs this phase
 * </pre>
 * Recorded events: {@code --replay-keys} keys at random (default {@value #KEYS}), event times
 * {@value #EVENT_SPACING_NS} ns apart starting an hour ago on a whole second (100,000 events per event-time second, so 10 M events span 100 windows of one second), values
 * 95-105 except one in 8,192 at 89 and one in 8,192 at 109 (as {@link BurstGenerator}). Temp files and journals are
 * deleted at the end (a journal in {@code --replay-journal DIR} is kept). The benchmark's own thread, and one that
 * starts the concurrent replay processes.
 */
final class ReplayBench
{
    static final int KEYS = 10_000;
    /** Connection probes (queries, counted as accepted input) that may arrive while a journal is filled. */
    private static final int MAX_PROBES = 16;
    static final long EVENT_SPACING_NS = 10_000;

    /**
     * One replay in this process.
     *
     * @param name       what was replayed.
     * @param entries    journal entries read.
     * @param events     events among them.
     * @param durationNs time taken.
     * @param gcCount    collections of this JVM during it.
     * @param gcMs       their time.
     */
    record ReplayRun(String name, long entries, long events, long durationNs, long gcCount, long gcMs)
    {
        double eventsPerSecond()
        {
            return events * 1e9 / Math.max(1, durationNs);
        }

        double entriesPerSecond()
        {
            return entries * 1e9 / Math.max(1, durationNs);
        }
    }

    private ReplayBench()
    {
    }

    /**
     * @param config the daemon's configuration file's settings.
     * @return the what-if configuration: the same with 500 ms windows, the window alert rule's threshold 104.9 and
     * 4 shards of 16,384 keys each.
     */
    static SluiceConfig whatIf(final Path configFile)
    {
        final Properties overrides = new Properties();
        overrides.putAll(System.getProperties());
        for (final String[] setting : whatIfSettings())
        {
            overrides.setProperty(setting[0], setting[1]);
        }
        return SluiceConfig.load(configFile, overrides);
    }

    /**
     * @return the what-if configuration's settings over the daemon's, as property name and value.
     */
    static List<String[]> whatIfSettings()
    {
        return List.of(
            new String[]{ SluiceConfig.WINDOW_SIZE, "500ms" },
            new String[]{ "sluice.alert.hot.threshold", "104.9" },
            new String[]{ SluiceConfig.PROCESSOR_COUNT, "4" },
            new String[]{ SluiceConfig.STATE_CAPACITY, "16384" });
    }

    static void run(final LatencyBench.Options o, final SluiceConfig config, final Path dir, final PrintStream console)
        throws Exception
    {
        final ByteArrayOutputStream transcript = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(new ThroughputBench.Tee(console, transcript), true,
            StandardCharsets.UTF_8);
        out.printf(Locale.ROOT, "sluice bench --replay: %,d events, %,d keys, config %s; latency at %s, warm-up %d s, " +
            "measured %d s%n", o.replayEvents, o.replayKeys, o.config, o.rates, o.warmupSeconds, o.measureSeconds);
        out.printf("results in %s%n", dir);

        final List<ReplayRun> runs = new ArrayList<>();
        // --replay-journal DIR: record into DIR and keep it, or replay what an earlier run recorded there
        final boolean kept = null != o.replayJournal;
        final Path journalDir = kept ? o.replayJournal : Files.createTempDirectory("sluice-bench-replay-journal-");
        final Path csv = Files.createTempFile("sluice-bench-replay-", ".csv");
        try
        {
            final String recordDir = LatencyBench.shmDir("sluice-bench-replay-record");
            if (kept && Files.isDirectory(journalDir.resolve("archive")))
            {
                out.printf(Locale.ROOT, "replaying the journal recorded earlier in %s (%,d bytes)%n", journalDir,
                    size(journalDir));
            }
            else
            {
                final long recordNs = record(o, config, journalDir, recordDir, dir.resolve("daemon-record.log"), out);
                out.printf(Locale.ROOT, "recorded %,d events in %.1f s (%,.0f events/s), journal %,d bytes%n",
                    o.replayEvents, recordNs / 1e9, o.replayEvents * 1e9 / recordNs, size(journalDir));
            }

            final SluiceConfig whatIf = whatIf(o.config);
            runs.add(replay("own configuration (cold)", config, null, journalDir, recordDir, csv, o, out));
            runs.add(replay("own configuration (warm)", config, null, journalDir, recordDir, csv, o, out));
            runs.add(replay("what-if", whatIf, null, journalDir, recordDir, csv, o, out));
            runs.add(replay("--compare (what-if vs own)", whatIf, config, journalDir, recordDir, csv, o, out));
            runs.add(replayProcess(o, journalDir, recordDir, csv, dir, out));
        }
        finally
        {
            if (!kept)
            {
                JournalLatency.deleteTree(journalDir);
            }
            Files.deleteIfExists(csv);
        }
        final String replayTable = replayTable(runs);
        out.println();
        out.print(replayTable);

        final String latencyTable = ReplayLatency.latency(o, config, dir, out);
        out.println();
        out.print(latencyTable);
        writeReport(dir, o, config, replayTable, latencyTable, transcript.toString(StandardCharsets.UTF_8));
    }

    /**
     * Start a daemon with a fresh journal, record the events into it, stop it.
     *
     * @return time from the first event offered until the daemon had accepted the last.
     */
    private static long record(
        final LatencyBench.Options o,
        final SluiceConfig config,
        final Path journalDir,
        final String driverDir,
        final Path log,
        final PrintStream out) throws IOException
    {
        final long recordNs;
        // The daemon's snapshot at stop would purge the segments before it; the retention keeps the whole run.
        try (ServerProcess daemon = startDaemon(o, journalDir, driverDir, log,
            List.of("-D" + SluiceConfig.JOURNAL_RETENTION + "=3600s")))
        {
            out.printf("record: daemon pid %d, journal async in %s, %s=3600s%n", daemon.pid(), journalDir,
                SluiceConfig.JOURNAL_RETENTION);
            recordNs = fill(o, config, driverDir, out);
        }
        out.println("record: daemon stopped: " + lastLines(log, "journal"));
        // the replays measure the replay, not the kernel writing the fresh journal back to disk beside them
        try
        {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return recordNs;
    }

    static ServerProcess startDaemon(
        final LatencyBench.Options o,
        final Path journalDir,
        final String driverDir,
        final Path log,
        final List<String> extra) throws IOException
    {
        final List<String> options = new ArrayList<>(List.of("-Dsluice.driver.dir=" + driverDir,
            "-D" + SluiceConfig.JOURNAL_MODE + "=async",
            "-D" + SluiceConfig.JOURNAL_DIR + "=" + journalDir,
            "-D" + SluiceConfig.JOURNAL_FILE_SYNC + "=0"));
        options.addAll(extra);
        options.addAll(List.of("-jar", o.jar, "daemon", "--config", o.config.toString()));
        return ServerProcess.start(ServerProcess.javaCommand(options.toArray(new String[0])), log, "sluice: ready");
    }

    /**
     * Push {@link LatencyBench.Options#replayEvents} events flat out into a running daemon and wait until it accepted
     * them all.
     *
     * @return time from the first offer until the daemon's accepted counter showed the last event.
     */
    static long fill(
        final LatencyBench.Options o, final SluiceConfig config, final String driverDir, final PrintStream out)
    {
        final long events = o.replayEvents;
        final SplittableRandom random = new SplittableRandom(42);
        final long startTimestamp = TimeUnit.SECONDS.toNanos(System.currentTimeMillis() / 1000 - 3600);
        final Drain drain = new Drain();
        try (DaemonCounters counters = new DaemonCounters(driverDir);
            SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(config)
                .egressImages(config.processorCount())
                .resultMode(ResultMode.NONE)
                .embeddedDriver(true)
                .driverThreading(DriverThreading.INVOKER)))
        {
            if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(30)))
            {
                throw new IllegalStateException("could not connect to the daemon within 30 s");
            }
            final long acceptedBefore = counters.sum(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID);
            out.printf(Locale.ROOT, "record: client batches of up to %d events, result mode NONE%n",
                client.batchLimit());
            final long startNs = System.nanoTime();
            for (long i = 0; i < events; i++)
            {
                final int r = random.nextInt(8192);
                final double value = 0 == r ? 89.0 : 1 == r ? 109.0 : 95.0 + (r & 1023) / 102.4;
                final long key = random.nextInt(o.replayKeys);
                final long timestamp = startTimestamp + i * EVENT_SPACING_NS;
                long id;
                while ((id = client.offerEvent(key, timestamp, value)) < 0)
                {
                    if (Publication.CLOSED == id || Publication.MAX_POSITION_EXCEEDED == id)
                    {
                        throw new IllegalStateException("publication to the daemon is closed: " + id);
                    }
                    client.poll(drain, BurstGenerator.POLL_LIMIT);
                }
                if (0 == (i & 1023))
                {
                    client.poll(drain, BurstGenerator.POLL_LIMIT);
                }
            }
            while (!client.flush())
            {
                client.poll(drain, BurstGenerator.POLL_LIMIT);
            }
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long accepted;
            while ((accepted = counters.sum(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID) - acceptedBefore) < events)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("the daemon accepted " + accepted + " of " + events + " events");
                }
                if (0 == client.poll(drain, BurstGenerator.POLL_LIMIT))
                {
                    Thread.onSpinWait();
                }
            }
            final long recordNs = System.nanoTime() - startNs;
            // the accepted counter also counts queries: the connection probes of clients connecting meanwhile
            if (accepted - events > MAX_PROBES || drain.rejected > 0)
            {
                throw new IllegalStateException("the daemon accepted " + accepted + " inputs and rejected " +
                    drain.rejected + ", " + events + " events sent");
            }
            out.printf(Locale.ROOT, "record: the daemon accepted %,d inputs (%,d events sent, the rest connection " +
                "probes), rejected none; %,d window results and %,d alerts came back so far%n", accepted, events,
                drain.windows, drain.alerts);
            return recordNs;
        }
    }

    private static ReplayRun replay(
        final String name,
        final SluiceConfig whatIf,
        final SluiceConfig baseline,
        final Path journalDir,
        final String driverDir,
        final Path csv,
        final LatencyBench.Options o,
        final PrintStream out)
    {
        out.println();
        out.println("replay: " + name);
        final long gcCountBefore = gcCount();
        final long gcMsBefore = gcMs();
        final WhatIfReplay.Result result = WhatIfReplay.run(new WhatIfReplay.Request(whatIf, baseline, journalDir,
            driverDir, null, null, null, csv, ReplayOutput.Format.CSV, false, false, -1, -1), out);
        final ReplayRun run = new ReplayRun(name, result.entries(), result.events(), result.durationNs(),
            gcCount() - gcCountBefore, gcMs() - gcMsBefore);
        if (result.events() != o.replayEvents)
        {
            throw new IllegalStateException(name + ": replayed " + result.events() + " events, recorded " +
                o.replayEvents);
        }
        out.printf(Locale.ROOT, "replay: %s: %,.0f events/s (%,.0f entries/s), %,d GCs (%,d ms), output %,d bytes%n",
            name, run.eventsPerSecond(), run.entriesPerSecond(), run.gcCount(), run.gcMs(), size(csv));
        return run;
    }

    /**
     * The recording's own configuration by {@code sluice replay} in a process of its own, as a user runs it: a cold
     * JVM, nice 19. Its entries, events and time come from its summary line.
     */
    private static ReplayRun replayProcess(
        final LatencyBench.Options o,
        final Path journalDir,
        final String driverDir,
        final Path csv,
        final Path dir,
        final PrintStream out) throws IOException, InterruptedException
    {
        final String name = "own configuration, `sluice replay` process (cold JVM, nice " + o.replayNice + ")";
        out.println();
        out.println("replay: " + name);
        final List<String> command = new ArrayList<>(List.of("nice", "-n", Integer.toString(o.replayNice)));
        command.addAll(ServerProcess.javaCommand("-Xms1g", "-Xmx1g", "-Dsluice.driver.dir=" + driverDir, "-jar", o.jar,
            "replay", "--config", o.config.toString(), "--journal", journalDir.toString(), "--out", csv.toString()));
        final Path log = dir.resolve("replay-process.log");
        final long startNs = System.nanoTime();
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
            .start();
        if (0 != process.waitFor())
        {
            throw new IllegalStateException(name + " failed: " + Files.readString(log));
        }
        final long wallNs = System.nanoTime() - startNs;
        final java.util.regex.Matcher summary = java.util.regex.Pattern
            .compile("sluice replay: ([\\d,]+) entries \\(([\\d,]+) events\\) .* in ([\\d.]+) s")
            .matcher(Files.readString(log));
        if (!summary.find())
        {
            throw new IllegalStateException(name + ": no summary line in " + log);
        }
        final ReplayRun run = new ReplayRun(name, Long.parseLong(summary.group(1).replace(",", "")),
            Long.parseLong(summary.group(2).replace(",", "")), (long)(Double.parseDouble(summary.group(3)) * 1e9),
            -1, -1);
        if (run.events() != o.replayEvents)
        {
            throw new IllegalStateException(name + ": replayed " + run.events() + " events, recorded " +
                o.replayEvents);
        }
        out.printf(Locale.ROOT, "replay: %s: %,.0f events/s (%,.0f entries/s), the process %.2f s from start to exit, " +
            "output %,d bytes%n", name, run.eventsPerSecond(), run.entriesPerSecond(), wallNs / 1e9, size(csv));
        return run;
    }

    static String replayTable(final List<ReplayRun> runs)
    {
        final StringBuilder b = new StringBuilder();
        b.append("| replay | entries | events | time (s) | entries/s | events/s | GCs (ms) |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (final ReplayRun r : runs)
        {
            b.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.2f | %,.0f | %,.0f | %s |%n", r.name(),
                r.entries(), r.events(), r.durationNs() / 1e9, r.entriesPerSecond(), r.eventsPerSecond(),
                r.gcCount() < 0 ? "not measured" : r.gcCount() + " (" + r.gcMs() + ")"));
        }
        return b.toString();
    }

    private static void writeReport(
        final Path dir,
        final LatencyBench.Options o,
        final SluiceConfig config,
        final String replayTable,
        final String latencyTable,
        final String transcript) throws IOException
    {
        final StringBuilder b = new StringBuilder();
        b.append("# machine\n").append(MachineFacts.describe());
        b.append("\n# command\n./sluice bench ").append(String.join(" ", o.args)).append('\n');
        b.append("\n# configuration (").append(o.config).append("; daemons: ").append(SluiceConfig.JOURNAL_MODE)
            .append("=async, a fresh ").append(SluiceConfig.JOURNAL_DIR).append(", ")
            .append(SluiceConfig.JOURNAL_FILE_SYNC).append("=0)\n");
        config.effective().forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        b.append("\n# what-if configuration: the same with\n");
        for (final String[] setting : whatIfSettings())
        {
            b.append(setting[0]).append('=').append(setting[1]).append('\n');
        }
        b.append("\n# replay rates\n").append(replayTable);
        b.append("\n# latency (round trip, us) without and with a concurrent replay\n").append(latencyTable);
        b.append("\n## transcript\n```\n").append(transcript).append("```\n");
        Files.writeString(dir.resolve("report.md"), b.toString());
    }

    private static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    private static long gcMs()
    {
        long ms = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    private static long size(final Path root)
    {
        try (var paths = Files.walk(root))
        {
            return paths.filter(Files::isRegularFile).mapToLong((p) -> p.toFile().length()).sum();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static String lastLines(final Path log, final String containing) throws IOException
    {
        final StringBuilder b = new StringBuilder();
        for (final String line : Files.readAllLines(log, StandardCharsets.UTF_8))
        {
            if (line.contains(containing))
            {
                b.append(b.length() == 0 ? "" : " | ").append(line.trim());
            }
        }
        return b.toString();
    }

    /**
     * Counts what comes back to the recording client (window results, alerts) and its rejections.
     */
    private static final class Drain implements SluiceResultHandler
    {
        private long rejected;
        private long windows;
        private long alerts;

        public void onEventResult(final EventResultDecoder result)
        {
        }

        public void onRejected(final RejectedDecoder reject)
        {
            rejected++;
        }

        public void onWindowResult(final io.sluice.transport.codec.WindowResultDecoder result)
        {
            windows++;
        }

        public void onAlert(final io.sluice.transport.codec.AlertDecoder alert)
        {
            alerts++;
        }
    }
}
