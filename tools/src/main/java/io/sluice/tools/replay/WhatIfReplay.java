package io.sluice.tools.replay;

import io.sluice.config.AlertRule;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.replay.ReplayFanOut;
import io.sluice.core.replay.WhatIfRun;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice replay}: a daemon's journal through fresh processors under another configuration (windows, alert
 * rules, eviction, state capacity, shard count), as fast as the machine goes, to a file: window results, alerts,
 * rejects, query results and optionally per-event results ({@link ReplayOutput}). With a baseline configuration both
 * run over the same entries in one pass and the file holds their difference ({@link ResultDiff}). Threads share the
 * shards as recovery's do ({@link #threads}); each writes its own part, and the parts follow each other in the file.
 * A progress line a second and a summary at the end. How the runs see the journal (routing, time, results): see
 * {@link WhatIfRun}; how the journal is read (stopped, crashed or live daemon): see {@link JournalInput}. An
 * appliance's OWNERSHIP entries (topology moves) are passed over: the replay covers every key the appliance ever
 * held, each from its first journaled event here (state that came in a move's slice is not in the journal).
 */
public final class WhatIfReplay
{
    private static final int PROGRESS_EVERY_ENTRIES = 4096;

    private WhatIfReplay()
    {
    }

    /**
     * What to replay and where to.
     *
     * @param whatIf             the configuration to run.
     * @param baseline           the configuration to compare with ({@code --compare}), or null.
     * @param journalDir         the journal ({@code --journal}, else the what-if configuration's).
     * @param driverDir          where a live daemon's counters are read (the what-if configuration's driver dir).
     * @param from               {@code --from}: a position or an ISO-8601 event time, or null for the start.
     * @param to                 {@code --to}: likewise, or null for the end.
     * @param keys               {@code --keys}, or null for every key.
     * @param out                the output file.
     * @param format             its format.
     * @param eventResults       {@code --event-results}: a result for every event.
     * @param closeOpenWindows   {@code --close-open-windows}: close every window still open at the end.
     * @param maxReadMibPerSecond bound on journal reads in MiB/s, 0 for none, -1 for the default
     *                            ({@link JournalInput#readBound(long)}).
     * @param threads            {@code --threads}: threads sharing the shards, -1 for the default
     *                           ({@link #threads}).
     * @param fixedRules         true to keep each configuration's alert rules throughout; false to follow the
     *                           journal's live rule changes from their positions on, as the daemon did.
     */
    public record Request(
        SluiceConfig whatIf,
        SluiceConfig baseline,
        Path journalDir,
        String driverDir,
        String from,
        String to,
        long[] keys,
        Path out,
        ReplayOutput.Format format,
        boolean eventResults,
        boolean closeOpenWindows,
        long maxReadMibPerSecond,
        int threads,
        boolean fixedRules)
    {
        /**
         * A request that follows the journal's live rule changes ({@code fixedRules} false).
         */
        public Request(
            final SluiceConfig whatIf,
            final SluiceConfig baseline,
            final Path journalDir,
            final String driverDir,
            final String from,
            final String to,
            final long[] keys,
            final Path out,
            final ReplayOutput.Format format,
            final boolean eventResults,
            final boolean closeOpenWindows,
            final long maxReadMibPerSecond,
            final int threads)
        {
            this(whatIf, baseline, journalDir, driverDir, from, to, keys, out, format, eventResults,
                closeOpenWindows, maxReadMibPerSecond, threads, false);
        }
    }

    /**
     * What a replay did, for its caller (tests, the benchmark).
     *
     * @param entries    journal entries read.
     * @param events     events among them.
     * @param from       first position read.
     * @param to         position read up to.
     * @param durationNs time taken.
     * @param threads    threads that shared the shards.
     * @param summary    the summary's lines on what was written (or, with a baseline, what differs).
     */
    public record Result(long entries, long events, long from, long to, long durationNs, int threads,
        List<String> summary)
    {
        /**
         * @return entries a second.
         */
        public double entriesPerSecond()
        {
            return entries * 1e9 / Math.max(1, durationNs);
        }
    }

    /**
     * Parse {@code --format}, or take it from the file name ({@code .sbe} for SBE, anything else CSV).
     *
     * @param format the option's value, or null.
     * @param out    the output file.
     * @return the format.
     * @throws ConfigurationException naming {@code --format} when it is neither.
     */
    public static ReplayOutput.Format format(final String format, final Path out)
    {
        if (null == format)
        {
            return null != out && out.toString().endsWith(".sbe") ? ReplayOutput.Format.SBE : ReplayOutput.Format.CSV;
        }
        try
        {
            return ReplayOutput.Format.valueOf(format.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigurationException("--format", format, "must be csv or sbe");
        }
    }

    /**
     * How many threads share the replay: each reads the whole journal and runs the shards {@code s} with
     * {@code s % threads == t}, so each shard keeps one writer. By default one per shard up to the CPUs, and one
     * beside a live daemon (its cores are the daemon's); a comparison of runs with different shard counts takes one
     * (a key's shards differ between the runs).
     *
     * @param requested {@code --threads}, -1 for the default.
     * @param live      true when a live daemon records the journal.
     * @param shards    the what-if run's shard count.
     * @param baseline  the baseline's shard count, or 0 without one.
     * @return the threads, at least 1 and at most the shard count.
     * @throws ConfigurationException naming {@code --threads} when it is not -1 or positive.
     */
    public static int threads(final int requested, final boolean live, final int shards, final int baseline)
    {
        if (0 == requested || requested < -1)
        {
            throw new ConfigurationException("--threads", Integer.toString(requested),
                "must be at least 1");
        }
        if (baseline > 0 && baseline != shards)
        {
            return 1;
        }
        final int wanted = -1 != requested ? requested : live ? 1 : Runtime.getRuntime().availableProcessors();
        return Math.max(1, Math.min(wanted, shards));
    }

    /**
     * Run a replay.
     *
     * @param request what to replay.
     * @param log     where progress and the summary go.
     * @return what was done.
     */
    public static Result run(final Request request, final PrintStream log)
    {
        final JournalInput input = JournalInput.open(request.journalDir(), request.driverDir());
        final long readBound = input.readBound(request.maxReadMibPerSecond());
        final long[] range = input.range("--from", request.from(), "--to", request.to(), readBound);
        final long from = range[0];
        final long to = range[1];
        final ShardContext whatIfShards = shardsOf(request.whatIf(), input);
        final ShardContext baselineShards = null == request.baseline() ? null :
            shardsOf(request.baseline(), input);
        final int threads = threads(request.threads(), input.livePid() > 0, whatIfShards.processorCount(),
            null == baselineShards ? 0 : baselineShards.processorCount());
        log.println("sluice replay: journal " + input.dir() + (input.livePid() > 0 ?
            " (live daemon pid " + input.livePid() + ", up to its recorded position " + input.endPosition() + ")" :
            "") + ", written under " + input.settings());
        log.println("sluice replay: what-if " + describe(whatIfShards) +
            (null == baselineShards ? "" : "; baseline " + describe(baselineShards)) + "; " + threads +
            (1 == threads ? " thread" : " threads") + " (--threads)");
        if (readBound > 0)
        {
            log.println("sluice replay: journal reads bounded to " + readBound / (1024 * 1024) + " MiB/s " +
                "(--max-read-mb)");
        }

        final Pass[] passes = new Pass[threads];
        final ReplayFanOut fanOut = new ReplayFanOut(threads, "sluice-replay-");
        final long startNs = System.nanoTime();
        boolean done = false;
        try
        {
            for (int t = 0; t < threads; t++)
            {
                passes[t] = new Pass(request, input, whatIfShards, baselineShards, t, threads, fanOut);
            }
            // every thread reads the whole journal: the bound is shared among them
            final long threadBound = readBound / threads;
            fanOut.run((t) -> passes[t].replay(input, from, to, threadBound, 0 == t ? log : null, startNs));
            done = true;
        }
        finally
        {
            closeAll(passes, done);
        }
        appendParts(request.out(), passes);
        final long durationNs = System.nanoTime() - startNs;
        final List<String> summary = new ArrayList<>();
        if (null == baselineShards)
        {
            summary.add("wrote " + ReplayOutput.describe(Arrays.stream(passes).map((pass) -> pass.output).toList()) +
                " to " + request.out() + " (" + request.format().name().toLowerCase(Locale.ROOT) + ")" +
                (request.closeOpenWindows() || null == whatIfShards.windowSpec() ? "" :
                "; windows still open at the end are not in it (--close-open-windows closes them)"));
        }
        else
        {
            summary.addAll(ResultDiff.describe(Arrays.stream(passes).map((pass) -> pass.diff).toList()));
            summary.add("the differences are in " + request.out() + " (csv)");
        }
        final Pass first = passes[0];
        final Result result = new Result(first.whatIf.entries(), first.whatIf.events(), from, first.end, durationNs,
            threads, List.copyOf(summary));
        log.println(String.format(Locale.ROOT, "sluice replay: %,d entries (%,d events) from journal position %,d " +
            "to %,d in %.2f s: %.2f M entries/s", result.entries(), result.events(), from, first.end,
            durationNs / 1e9, result.entriesPerSecond() / 1e6));
        for (final String line : summary)
        {
            log.println("sluice replay: " + line);
        }
        return result;
    }

    /**
     * Close every pass's file; after a failure also delete the other threads' part files (the output file itself
     * stays, as far as it got).
     */
    private static void closeAll(final Pass[] passes, final boolean done)
    {
        RuntimeException failure = null;
        for (int t = 0; t < passes.length; t++)
        {
            try
            {
                if (null != passes[t])
                {
                    passes[t].close();
                }
                if (!done && t > 0)
                {
                    Files.deleteIfExists(passes[t].file);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                if (null == failure)
                {
                    failure = ex instanceof RuntimeException runtime ? runtime : new UncheckedIOException(
                        (IOException)ex);
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (null != failure && done)
        {
            throw failure;
        }
    }

    private static Path partOf(final Path out, final int thread)
    {
        return out.resolveSibling(out.getFileName() + ".part-" + thread);
    }

    /**
     * The first thread wrote the output file itself; the others' parts follow it, in thread order, and are deleted.
     */
    private static void appendParts(final Path out, final Pass[] passes)
    {
        if (passes.length < 2)
        {
            return;
        }
        try (OutputStream file = Files.newOutputStream(out, StandardOpenOption.APPEND))
        {
            for (int t = 1; t < passes.length; t++)
            {
                final Path part = partOf(out, t);
                Files.copy(part, file);
                Files.delete(part);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot append the threads' parts to " + out, ex);
        }
    }

    /**
     * One thread's share: its runs (the what-if one, and the baseline with a comparison) of the shards it owns, and
     * where their output goes (the output file for the first thread, a part file for the others).
     */
    private static final class Pass implements AutoCloseable
    {
        private final ReplayOutput output;
        private final ResultDiff diff;
        private final WhatIfRun whatIf;
        private final WhatIfRun baseline;
        private final boolean closeOpenWindows;
        private final ReplayFanOut fanOut;
        private final Path file;
        private long end;

        Pass(
            final Request request,
            final JournalInput input,
            final ShardContext whatIfShards,
            final ShardContext baselineShards,
            final int thread,
            final int threads,
            final ReplayFanOut fanOut)
        {
            this.fanOut = fanOut;
            this.file = 0 == thread ? request.out() : partOf(request.out(), thread);
            closeOpenWindows = request.closeOpenWindows();
            if (null == baselineShards)
            {
                output = ReplayOutput.open(file, request.format(), ruleNames(request.whatIf()), 0 == thread);
                diff = null;
                whatIf = new WhatIfRun(whatIfShards, output, input.latenessNs(), request.eventResults(),
                    request.keys(), thread, threads);
                baseline = null;
            }
            else
            {
                output = null;
                diff = new ResultDiff(ReplayOutput.newStream(file), ruleNames(request.whatIf()),
                    ruleNames(request.baseline()), windowNs(whatIfShards), windowNs(baselineShards), 0 == thread);
                whatIf = new WhatIfRun(whatIfShards, diff.whatIf(), input.latenessNs(), false, request.keys(),
                    thread, threads);
                baseline = new WhatIfRun(baselineShards, diff.baseline(), input.latenessNs(), false, request.keys(),
                    thread, threads).journalRules(!request.fixedRules());
            }
            whatIf.journalRules(!request.fixedRules());
        }

        void replay(
            final JournalInput input,
            final long from,
            final long to,
            final long readBound,
            final PrintStream progressLog,
            final long startNs)
        {
            final long[] progress = { 0, startNs + TimeUnit.SECONDS.toNanos(1) };
            end = input.read(from, to, readBound, (buffer, offset, position) ->
            {
                if (RingEntry.TYPE_OWNERSHIP == buffer.getInt(offset + RingEntry.TYPE_OFFSET))
                {
                    return;
                }
                whatIf.apply(buffer, offset);
                if (null != baseline)
                {
                    baseline.apply(buffer, offset);
                    diff.afterEntry();
                }
                if (0 == (++progress[0] & (PROGRESS_EVERY_ENTRIES - 1)))
                {
                    fanOut.checkNotFailed();
                    if (null != diff)
                    {
                        diff.settle(whatIf.watermark(), baseline.watermark());
                    }
                    final long nowNs = System.nanoTime();
                    if (null != progressLog && nowNs - progress[1] >= 0)
                    {
                        progress[1] = nowNs + TimeUnit.SECONDS.toNanos(1);
                        progressLog.println(String.format(Locale.ROOT, "sluice replay: %,d entries, %.2f M " +
                            "entries/s, journal position %,d", progress[0], progress[0] * 1e3 / (nowNs - startNs),
                            position));
                    }
                }
            });
            if (closeOpenWindows)
            {
                whatIf.closeOpenWindows();
                if (null != baseline)
                {
                    baseline.closeOpenWindows();
                }
            }
            if (null != diff)
            {
                diff.finish(whatIf.watermark(), baseline.watermark(), closeOpenWindows);
            }
        }

        public void close()
        {
            if (null != output)
            {
                output.close();
            }
            if (null != diff)
            {
                diff.close();
            }
        }
    }

    private static ShardContext shardsOf(final SluiceConfig config, final JournalInput input)
    {
        return ShardContext.from(config).hashSeed(input.hashSeed()).conclude();
    }

    private static long windowNs(final ShardContext shards)
    {
        return null == shards.windowSpec() ? 0 : shards.windowSpec().sizeNs();
    }

    private static String describe(final ShardContext shards)
    {
        final StringBuilder line = new StringBuilder().append(shards.processorCount()).append(" shards, ");
        if (null == shards.windowSpec())
        {
            line.append("no windows");
        }
        else
        {
            line.append("windows ").append(shards.windowSpec().sizeNs() / 1_000_000).append(" ms sliding ")
                .append(shards.windowSpec().slideNs() / 1_000_000).append(" ms, lateness ")
                .append(shards.windowSpec().latenessNs() / 1_000_000).append(" ms");
        }
        line.append(", ").append(shards.alertRules().size()).append(" alert rules");
        for (final AlertRule rule : shards.alertRules())
        {
            line.append(rule == shards.alertRules().get(0) ? " (" : ", ").append(rule.name()).append(": ")
                .append(rule.on()).append(' ').append(rule.field()).append(' ').append(rule.op()).append(' ')
                .append(rule.threshold());
        }
        return line.append(shards.alertRules().isEmpty() ? "" : ")").toString();
    }

    private static List<String> ruleNames(final SluiceConfig config)
    {
        return config.alertRules().stream().map(AlertRule::name).toList();
    }
}
