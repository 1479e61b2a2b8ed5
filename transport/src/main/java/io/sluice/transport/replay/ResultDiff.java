package io.sluice.transport.replay;

import io.sluice.core.RejectReason;
import io.sluice.core.shard.ResultSink;
import io.sluice.core.state.Aggregate;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The difference between two runs over the same journal ({@code sluice replay --compare}): the what-if run and the
 * baseline, fed entry by entry on one thread (with several threads, one diff each over the keys of its shards).
 * <ul>
 *     <li><b>Windows</b> are matched by key, start and end: equal, differing aggregates, or in one run only. A window
 *     one run produced is in that run only once the other run's watermark has passed its end without producing it
 *     (closed windows never change), so only windows still in flight are held.</li>
 *     <li><b>Alerts</b> are counted by rule name, key and window start in each run; the counts differ or not once
 *     both watermarks have passed the window (at the end without windows).</li>
 *     <li><b>Rejects</b> are compared entry by entry: an event one run rejects (LATE, STATE_FULL) and the other
 *     does not, or with another reason.</li>
 * </ul>
 * Every difference is a CSV row: {@code change} ({@code differs} or {@code only}), {@code side} ({@code what-if} or
 * {@code baseline}) and then {@link CsvRows}' columns (an alert row carries its count in {@code count}).
 */
final class ResultDiff implements AutoCloseable
{
    static final String HEADER = "change,side," + CsvRows.HEADER;
    private static final String[] SIDES = { "what-if", "baseline" };
    private static final int WHAT_IF = 0;
    private static final int BASELINE = 1;

    private record WindowKey(long key, long start, long end)
    {
    }

    private record WindowValue(long count, double sum, double min, double max, double first, double last)
    {
    }

    private record AlertKey(String rule, long key, long windowStart)
    {
    }

    private final OutputStream out;
    private final StringBuilder row = new StringBuilder(256);
    private final long maxWindowNs;
    @SuppressWarnings("unchecked")
    private final Map<WindowKey, WindowValue>[] pending = new Map[] { new HashMap<>(), new HashMap<>() };
    private final Map<AlertKey, long[]> alertCounts = new HashMap<>();
    private final Map<String, long[]> rules = new TreeMap<>();
    private final Side[] sides;
    private final int[] entryReject = new int[2];
    private final long[][] entryRejectIds = new long[2][];
    private long windowsEqual;
    private long windowsDiffer;
    private final long[] windowsOnly = new long[2];
    private long rejectsDiffer;

    /**
     * @param out          where the diff rows go, or null for none.
     * @param whatIfRules  the what-if run's alert rule names by index.
     * @param baselineRules the baseline's.
     * @param maxWindowNs  the longer of the two runs' window sizes, 0 without windows.
     * @param header       true to start the file with its header (false for a part appended to another).
     */
    ResultDiff(
        final OutputStream out,
        final List<String> whatIfRules,
        final List<String> baselineRules,
        final long maxWindowNs,
        final boolean header)
    {
        this.out = out;
        this.maxWindowNs = maxWindowNs;
        this.sides = new Side[] { new Side(WHAT_IF, whatIfRules), new Side(BASELINE, baselineRules) };
        if (null != out && header)
        {
            row.append(HEADER);
            flushRow();
        }
    }

    /**
     * @return the what-if run's sink.
     */
    ResultSink whatIf()
    {
        return sides[WHAT_IF];
    }

    /**
     * @return the baseline's sink.
     */
    ResultSink baseline()
    {
        return sides[BASELINE];
    }

    /**
     * After both runs applied an entry: compare what they rejected of it.
     */
    void afterEntry()
    {
        if (entryReject[WHAT_IF] != entryReject[BASELINE])
        {
            rejectsDiffer++;
            final boolean both = 0 != entryReject[WHAT_IF] && 0 != entryReject[BASELINE];
            for (int side = 0; side < 2; side++)
            {
                if (0 != entryReject[side])
                {
                    final long[] ids = entryRejectIds[side];
                    row.append(both ? "differs," : "only,").append(SIDES[side]).append(',');
                    CsvRows.reject(row, ids[0], ids[1], ids[2], entryReject[side], (int)ids[3]);
                    flushRow();
                }
            }
        }
        entryReject[WHAT_IF] = 0;
        entryReject[BASELINE] = 0;
    }

    /**
     * Settle what can no longer change: windows one run produced that the other, its watermark past their end,
     * did not; alerts of windows both runs have passed.
     *
     * @param whatIfWatermark   the what-if run's watermark.
     * @param baselineWatermark the baseline's.
     */
    void settle(final long whatIfWatermark, final long baselineWatermark)
    {
        settleWindows(WHAT_IF, baselineWatermark);
        settleWindows(BASELINE, whatIfWatermark);
        final long both = Math.min(whatIfWatermark, baselineWatermark);
        if (Long.MIN_VALUE != both && maxWindowNs > 0)
        {
            settleAlerts(both - maxWindowNs);
        }
    }

    /**
     * End of the input: whatever is still held differs.
     */
    void finish()
    {
        settleWindows(WHAT_IF, Long.MAX_VALUE);
        settleWindows(BASELINE, Long.MAX_VALUE);
        settleAlerts(Long.MAX_VALUE);
    }

    private void settleWindows(final int side, final long otherWatermark)
    {
        final Iterator<Map.Entry<WindowKey, WindowValue>> windows = pending[side].entrySet().iterator();
        while (windows.hasNext())
        {
            final Map.Entry<WindowKey, WindowValue> window = windows.next();
            if (window.getKey().end() <= otherWatermark)
            {
                windowsOnly[side]++;
                windowRow("only,", side, window.getKey(), window.getValue());
                windows.remove();
            }
        }
    }

    private void settleAlerts(final long windowStartBefore)
    {
        final Iterator<Map.Entry<AlertKey, long[]>> alerts = alertCounts.entrySet().iterator();
        while (alerts.hasNext())
        {
            final Map.Entry<AlertKey, long[]> alert = alerts.next();
            final AlertKey key = alert.getKey();
            if (key.windowStart() > windowStartBefore)
            {
                continue;
            }
            final long[] counts = alert.getValue();
            if (counts[WHAT_IF] != counts[BASELINE])
            {
                final boolean both = counts[WHAT_IF] > 0 && counts[BASELINE] > 0;
                final long[] rule = rules.get(key.rule());
                for (int side = 0; side < 2; side++)
                {
                    if (counts[side] > 0)
                    {
                        if (!both)
                        {
                            rule[2 + side]++;
                        }
                        row.append(both ? "differs," : "only,").append(SIDES[side]).append(',');
                        CsvRows.alertCount(row, key.rule(), key.key(), key.windowStart(), counts[side]);
                        flushRow();
                    }
                }
            }
            alerts.remove();
        }
    }

    private void windowRow(final String change, final int side, final WindowKey key, final WindowValue value)
    {
        row.append(change).append(SIDES[side]).append(',');
        CsvRows.window(row, key.key(), key.start(), key.end(), value.count(), value.sum(), value.min(), value.max(),
            value.first(), value.last());
        flushRow();
    }

    private void flushRow()
    {
        row.append('\n');
        if (null != out)
        {
            try
            {
                out.write(row.toString().getBytes(StandardCharsets.US_ASCII));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        row.setLength(0);
    }

    /**
     * @param diffs the differences found by one replay's threads.
     * @return the summary's lines: windows equal, differing and in one run only; alerts by rule; rejects that
     * differ.
     */
    static List<String> describe(final List<ResultDiff> diffs)
    {
        long equal = 0;
        long differ = 0;
        final long[] only = new long[2];
        long rejects = 0;
        final Map<String, long[]> rules = new TreeMap<>();
        for (final ResultDiff diff : diffs)
        {
            equal += diff.windowsEqual;
            differ += diff.windowsDiffer;
            only[WHAT_IF] += diff.windowsOnly[WHAT_IF];
            only[BASELINE] += diff.windowsOnly[BASELINE];
            rejects += diff.rejectsDiffer;
            diff.rules.forEach((rule, counts) ->
            {
                final long[] sum = rules.computeIfAbsent(rule, (k) -> new long[4]);
                for (int i = 0; i < sum.length; i++)
                {
                    sum[i] += counts[i];
                }
            });
        }
        final List<String> lines = new ArrayList<>();
        lines.add("windows: " + equal + " equal, " + differ + " differ, " + only[WHAT_IF] + " only in what-if, " +
            only[BASELINE] + " only in baseline");
        for (final Map.Entry<String, long[]> rule : rules.entrySet())
        {
            final long[] counts = rule.getValue();
            lines.add("alerts of rule " + rule.getKey() + ": what-if " + counts[WHAT_IF] + ", baseline " +
                counts[BASELINE] + "; " + counts[2 + WHAT_IF] + " only in what-if, " + counts[2 + BASELINE] +
                " only in baseline");
        }
        if (rules.isEmpty())
        {
            lines.add("alerts: none in either run");
        }
        lines.add("events rejected differently: " + rejects);
        return lines;
    }

    public void close()
    {
        if (null != out)
        {
            try
            {
                out.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    private final class Side implements ResultSink
    {
        private final int side;
        private final List<String> ruleNames;

        Side(final int side, final List<String> ruleNames)
        {
            this.side = side;
            this.ruleNames = ruleNames;
        }

        public void onEventResult(
            final long clientId,
            final long correlationId,
            final long key,
            final long timestamp,
            final Aggregate aggregate,
            final long receiveNanos,
            final int resultMode)
        {
        }

        public void onQueryResult(
            final long clientId,
            final long correlationId,
            final long key,
            final boolean found,
            final Aggregate open,
            final Aggregate closed)
        {
        }

        public void onRejected(
            final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
            entryReject[side] = reason;
            entryRejectIds[side] = new long[] { clientId, correlationId, key, batchIndex };
        }

        public void onWindowResult(final long key, final long windowEnd, final Aggregate window)
        {
            final WindowKey id = new WindowKey(key, window.windowStart(), windowEnd);
            final WindowValue value = new WindowValue(window.count(), window.sum(), window.min(), window.max(),
                window.first(), window.last());
            final WindowValue other = pending[1 - side].remove(id);
            if (null == other)
            {
                pending[side].put(id, value);
            }
            else if (other.equals(value))
            {
                windowsEqual++;
            }
            else
            {
                windowsDiffer++;
                windowRow("differs,", WHAT_IF, id, WHAT_IF == side ? value : other);
                windowRow("differs,", BASELINE, id, BASELINE == side ? value : other);
            }
        }

        public void onAlert(
            final int ruleIndex,
            final long key,
            final long windowStart,
            final int field,
            final int op,
            final double observed,
            final double threshold)
        {
            final String rule = ruleNames.get(ruleIndex);
            alertCounts.computeIfAbsent(new AlertKey(rule, key, windowStart), (k) -> new long[2])[side]++;
            rules.computeIfAbsent(rule, (k) -> new long[4])[side]++;
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
        }
    }
}
