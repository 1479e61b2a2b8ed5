package io.sluice.transport.replay;

import io.sluice.config.AlertRule;
import io.sluice.config.SluiceConfig;
import io.sluice.core.processor.ShardProcessor;
import io.sluice.core.replay.WhatIfRun;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice replay}: a daemon's journal through fresh processors under another configuration (windows, alert
 * rules, eviction, state capacity, shard count), as fast as the machine goes, on one thread, to a file: window
 * results, alerts, rejects, query results and optionally per-event results ({@link ReplayOutput}). With a baseline
 * configuration both run over the same entries in one pass and the file holds their difference ({@link ResultDiff}).
 * A progress line a second and a summary at the end. How the runs see the journal (routing, time, results): see
 * {@link WhatIfRun}; how the journal is read (stopped, crashed or live daemon): see {@link JournalInput}.
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
        long maxReadMibPerSecond)
    {
    }

    /**
     * What a replay did, for its caller (tests, the benchmark).
     *
     * @param entries    journal entries read.
     * @param events     events among them.
     * @param from       first position read.
     * @param to         position read up to.
     * @param durationNs time taken.
     * @param whatIf     the what-if run.
     * @param diff       the comparison, or null.
     */
    public record Result(long entries, long events, long from, long to, long durationNs, WhatIfRun whatIf,
        ResultDiff diff)
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
     * @throws io.sluice.config.ConfigurationException naming {@code --format} when it is neither.
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
            throw new io.sluice.config.ConfigurationException("--format", format, "must be csv or sbe");
        }
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
        final long from = input.resolve("--from", request.from(), input.startPosition());
        final long to = input.resolve("--to", request.to(), Long.MAX_VALUE);
        final long readBound = input.readBound(request.maxReadMibPerSecond());
        final ShardProcessor.Context whatIfShards = shardsOf(request.whatIf(), input);
        log.println("sluice replay: journal " + input.dir() + (input.livePid() > 0 ?
            " (live daemon pid " + input.livePid() + ", up to its recorded position " + input.endPosition() + ")" :
            "") + ", written under " + input.settings());
        log.println("sluice replay: what-if " + describe(whatIfShards) +
            (null == request.baseline() ? "" : "; baseline " + describe(shardsOf(request.baseline(), input))));
        if (readBound > 0)
        {
            log.println("sluice replay: journal reads bounded to " + readBound / (1024 * 1024) + " MiB/s " +
                "(--max-read-mb)");
        }

        final ReplayOutput output;
        final ResultDiff diff;
        final WhatIfRun whatIf;
        final WhatIfRun baseline;
        if (null == request.baseline())
        {
            output = ReplayOutput.open(request.out(), request.format(), ruleNames(request.whatIf()));
            diff = null;
            whatIf = new WhatIfRun(whatIfShards, output, input.latenessNs(), request.eventResults(), request.keys());
            baseline = null;
        }
        else
        {
            final ShardProcessor.Context baselineShards = shardsOf(request.baseline(), input);
            output = null;
            diff = new ResultDiff(ReplayOutput.newStream(request.out()), ruleNames(request.whatIf()),
                ruleNames(request.baseline()), Math.max(windowNs(whatIfShards), windowNs(baselineShards)));
            whatIf = new WhatIfRun(whatIfShards, diff.whatIf(), input.latenessNs(), false, request.keys());
            baseline = new WhatIfRun(baselineShards, diff.baseline(), input.latenessNs(), false, request.keys());
        }

        final long startNs = System.nanoTime();
        final long[] progress = { 0, startNs + TimeUnit.SECONDS.toNanos(1), from };
        final long end;
        try
        {
            end = input.read(from, to, readBound, (buffer, offset, position) ->
            {
                whatIf.apply(buffer, offset);
                if (null != baseline)
                {
                    baseline.apply(buffer, offset);
                    diff.afterEntry();
                }
                if (0 == (++progress[0] & (PROGRESS_EVERY_ENTRIES - 1)))
                {
                    if (null != diff)
                    {
                        diff.settle(whatIf.watermark(), baseline.watermark());
                    }
                    final long nowNs = System.nanoTime();
                    if (nowNs - progress[1] >= 0)
                    {
                        progress[1] = nowNs + TimeUnit.SECONDS.toNanos(1);
                        log.println(String.format(Locale.ROOT, "sluice replay: %,d entries, %.2f M entries/s, " +
                            "journal position %,d", progress[0], progress[0] * 1e3 / (nowNs - startNs), position));
                    }
                }
            });
            if (request.closeOpenWindows())
            {
                whatIf.closeOpenWindows();
                if (null != baseline)
                {
                    baseline.closeOpenWindows();
                }
            }
            if (null != diff)
            {
                diff.finish();
            }
        }
        finally
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
        final long durationNs = System.nanoTime() - startNs;
        final Result result = new Result(whatIf.entries(), whatIf.events(), from, end, durationNs, whatIf, diff);
        log.println(String.format(Locale.ROOT, "sluice replay: %,d entries (%,d events) from journal position %,d " +
            "to %,d in %.2f s: %.2f M entries/s", result.entries(), result.events(), from, end, durationNs / 1e9,
            result.entriesPerSecond() / 1e6));
        if (null != output)
        {
            log.println("sluice replay: wrote " + output.describe() + " to " + request.out() + " (" +
                request.format().name().toLowerCase(Locale.ROOT) + ")" + (request.closeOpenWindows() ? "" :
                "; windows still open at the end are not in it (--close-open-windows closes them)"));
        }
        else
        {
            for (final String line : diff.describe())
            {
                log.println("sluice replay: " + line);
            }
            log.println("sluice replay: the differences are in " + request.out() + " (csv)");
        }
        return result;
    }

    private static ShardProcessor.Context shardsOf(final SluiceConfig config, final JournalInput input)
    {
        return ShardProcessor.Context.from(config).hashSeed(input.hashSeed()).conclude();
    }

    private static long windowNs(final ShardProcessor.Context shards)
    {
        return null == shards.windowSpec() ? 0 : shards.windowSpec().sizeNs();
    }

    private static String describe(final ShardProcessor.Context shards)
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
