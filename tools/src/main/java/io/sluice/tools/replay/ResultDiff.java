package io.sluice.tools.replay;

import io.sluice.core.logic.ResultSink;
import io.sluice.core.state.Aggregate;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The difference between two runs over the same journal ({@code sluice replay --compare}): the what-if run and the
 * baseline, fed entry by entry on one thread (with several threads, one diff each over the keys of its shards).
 * <ul>
 *     <li><b>Windows</b> are matched by key, start and end: equal, differing aggregates, or in one run only. A window
 *     one run produced is in that run only once the other run's watermark has reached its end without producing it
 *     (closed windows never change), so only windows still in flight are held. A run without windows produces none:
 *     every window of the other run is in that run only as soon as it closes. At the end, a window one run closed
 *     while the other's watermark has not reached its end is not compared: the other run may still produce it
 *     (counted apart). After {@code --close-open-windows} both runs have closed every window they will ever
 *     produce, so every window is compared.</li>
 *     <li><b>Alerts</b> are counted by rule name, key and window start in each run; the counts are compared once
 *     both watermarks have passed the window, the rest at the end, except the alerts of a window still open in one
 *     run.</li>
 *     <li><b>Rejects</b> are compared entry by entry: an event one run rejects (LATE, STATE_FULL) and the other
 *     does not, or with another reason.</li>
 * </ul>
 * Query and per-event results are not compared. Every difference is a CSV row: {@code change} ({@code differs} or
 * {@code only}), {@code side} ({@code what-if} or {@code baseline}) and then {@link CsvRows}' columns (an alert row
 * carries its count in {@code count}).
 */
final class ResultDiff implements AutoCloseable
{
    static final String HEADER = "change,side," + CsvRows.HEADER;
    private static final String[] SIDES = { "what-if", "baseline" };
    private static final int WHAT_IF = 0;
    private static final int BASELINE = 1;
    /** Per rule: alerts fired in what-if and baseline, only in what-if, only in baseline, groups that differ. */
    private static final int RULE_STATS = 5;

    private record WindowKey(long key, long start, long end)
    {
    }

    private record WindowValue(long count, double sum, double min, double max, double first, double last)
    {
    }

    private record AlertKey(String rule, long key, long windowStart)
    {
    }

    private record WindowStart(long key, long start)
    {
    }

    private final CsvWriter out;
    private final boolean[] windowed;
    private final long maxWindowNs;
    @SuppressWarnings("unchecked")
    private final Map<WindowKey, WindowValue>[] pending = new Map[] { new HashMap<>(), new HashMap<>() };
    private final Map<AlertKey, long[]> alertCounts = new HashMap<>();
    private final Map<String, long[]> rules = new TreeMap<>();
    private final Side[] sides;
    private final int[] entryReason = new int[2];
    private final long[][] entryReject = new long[2][4];
    private long windowsEqual;
    private long windowsDiffer;
    private final long[] windowsOnly = new long[2];
    private final long[] windowsStillOpen = new long[2];
    private long alertsStillOpen;
    private long rejectsDiffer;

    /**
     * @param out              where the diff rows go.
     * @param whatIfRules      the what-if run's alert rule names by index.
     * @param baselineRules    the baseline's.
     * @param whatIfWindowNs   the what-if run's window size, 0 without windows.
     * @param baselineWindowNs the baseline's.
     * @param header           true to start the file with its header (false for a part appended to another).
     */
    ResultDiff(
        final OutputStream out,
        final List<String> whatIfRules,
        final List<String> baselineRules,
        final long whatIfWindowNs,
        final long baselineWindowNs,
        final boolean header)
    {
        this.out = new CsvWriter(out, header ? HEADER : null);
        this.windowed = new boolean[] { whatIfWindowNs > 0, baselineWindowNs > 0 };
        this.maxWindowNs = Math.max(whatIfWindowNs, baselineWindowNs);
        this.sides = new Side[] { new Side(WHAT_IF, whatIfRules), new Side(BASELINE, baselineRules) };
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
        if (entryReason[WHAT_IF] != entryReason[BASELINE])
        {
            rejectsDiffer++;
            final boolean both = 0 != entryReason[WHAT_IF] && 0 != entryReason[BASELINE];
            for (int side = 0; side < 2; side++)
            {
                if (0 != entryReason[side])
                {
                    final long[] ids = entryReject[side];
                    final StringBuilder row = out.row().append(both ? "differs," : "only,").append(SIDES[side])
                        .append(',');
                    CsvRows.reject(row, ids[0], ids[1], ids[2], entryReason[side], (int)ids[3]);
                    out.endRow();
                }
            }
        }
        entryReason[WHAT_IF] = 0;
        entryReason[BASELINE] = 0;
    }

    /**
     * Settle what can no longer change: windows one run produced that the other, its watermark at or past their end
     * (or without windows), did not; alerts of windows both runs have passed.
     *
     * @param whatIfWatermark   the what-if run's watermark.
     * @param baselineWatermark the baseline's.
     */
    void settle(final long whatIfWatermark, final long baselineWatermark)
    {
        final long whatIfDone = windowsDoneUpTo(WHAT_IF, whatIfWatermark);
        final long baselineDone = windowsDoneUpTo(BASELINE, baselineWatermark);
        settleWindows(WHAT_IF, baselineDone);
        settleWindows(BASELINE, whatIfDone);
        final long both = Math.min(whatIfDone, baselineDone);
        if (Long.MIN_VALUE != both && maxWindowNs > 0)
        {
            settleAlerts(both - maxWindowNs);
        }
    }

    /**
     * End of the input: settle with the runs' last watermarks, or, when both closed every window still open
     * ({@code --close-open-windows}), with every window final. A window still held was closed by one run while the
     * other's watermark had not reached its end: it and its alerts are counted, not compared. Every other alert count
     * is final (an event rule's alert never changes once its event is applied) and is compared.
     *
     * @param whatIfWatermark   the what-if run's last watermark.
     * @param baselineWatermark the baseline's.
     * @param allClosed         true when both runs closed every window still open.
     */
    void finish(final long whatIfWatermark, final long baselineWatermark, final boolean allClosed)
    {
        settle(allClosed ? Long.MAX_VALUE : whatIfWatermark, allClosed ? Long.MAX_VALUE : baselineWatermark);
        final Set<WindowStart> open = new HashSet<>();
        for (int side = 0; side < 2; side++)
        {
            for (final WindowKey window : pending[side].keySet())
            {
                open.add(new WindowStart(window.key(), window.start()));
            }
            windowsStillOpen[side] += pending[side].size();
            pending[side].clear();
        }
        final Iterator<Map.Entry<AlertKey, long[]>> alerts = alertCounts.entrySet().iterator();
        while (alerts.hasNext())
        {
            final Map.Entry<AlertKey, long[]> alert = alerts.next();
            if (open.contains(new WindowStart(alert.getKey().key(), alert.getKey().windowStart())))
            {
                alertsStillOpen += alert.getValue()[WHAT_IF] + alert.getValue()[BASELINE];
                alerts.remove();
            }
        }
        settleAlerts(Long.MAX_VALUE);
    }

    /**
     * @return the window end up to which a run has produced every window it will: its watermark, or every end for a
     * run without windows (it produces none).
     */
    private long windowsDoneUpTo(final int side, final long watermark)
    {
        return windowed[side] ? watermark : Long.MAX_VALUE;
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
                if (both)
                {
                    rule[4]++;
                }
                for (int side = 0; side < 2; side++)
                {
                    if (counts[side] > 0)
                    {
                        if (!both)
                        {
                            rule[2 + side] += counts[side];
                        }
                        final StringBuilder row = out.row().append(both ? "differs," : "only,").append(SIDES[side])
                            .append(',');
                        CsvRows.alertCount(row, key.rule(), key.key(), key.windowStart(), counts[side]);
                        out.endRow();
                    }
                }
            }
            alerts.remove();
        }
    }

    private void windowRow(final String change, final int side, final WindowKey key, final WindowValue value)
    {
        final StringBuilder row = out.row().append(change).append(SIDES[side]).append(',');
        CsvRows.window(row, key.key(), key.start(), key.end(), value.count(), value.sum(), value.min(), value.max(),
            value.first(), value.last());
        out.endRow();
    }

    /**
     * @param diffs the differences found by one replay's threads.
     * @return the summary's lines: windows equal, differing and in one run only; alerts by rule; rejects that
     * differ; what was still open at the end.
     */
    static List<String> describe(final List<ResultDiff> diffs)
    {
        long equal = 0;
        long differ = 0;
        final long[] only = new long[2];
        final long[] stillOpen = new long[2];
        long alertsOpen = 0;
        long rejects = 0;
        final Map<String, long[]> rules = new TreeMap<>();
        for (final ResultDiff diff : diffs)
        {
            equal += diff.windowsEqual;
            differ += diff.windowsDiffer;
            alertsOpen += diff.alertsStillOpen;
            rejects += diff.rejectsDiffer;
            for (int side = 0; side < 2; side++)
            {
                only[side] += diff.windowsOnly[side];
                stillOpen[side] += diff.windowsStillOpen[side];
            }
            diff.rules.forEach((rule, counts) ->
            {
                final long[] sum = rules.computeIfAbsent(rule, (k) -> new long[RULE_STATS]);
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
                " only in baseline" + (counts[4] > 0 ? ", " + counts[4] + " windows with another count" : ""));
        }
        if (rules.isEmpty())
        {
            lines.add("alerts: none in either run");
        }
        lines.add("events rejected differently: " + rejects);
        if (stillOpen[WHAT_IF] + stillOpen[BASELINE] + alertsOpen > 0)
        {
            lines.add("not compared, the other run's watermark had not reached their end: " + stillOpen[WHAT_IF] +
                " windows closed only in what-if, " + stillOpen[BASELINE] + " only in baseline, " + alertsOpen +
                " alerts of such windows (--close-open-windows closes every window at the end and compares them all)");
        }
        return lines;
    }

    /**
     * Flush and close the file.
     */
    public void close()
    {
        out.close();
    }

    private final class Side implements ResultSink
    {
        private final int side;
        private List<String> ruleNames;

        Side(final int side, final List<String> ruleNames)
        {
            this.side = side;
            this.ruleNames = ruleNames;
        }

        public void onAlertRules(final int count, final byte[][] names, final int[] nameLengths)
        {
            ruleNames = ReplayOutput.names(count, names, nameLengths);
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
            entryReason[side] = reason;
            final long[] ids = entryReject[side];
            ids[0] = clientId;
            ids[1] = correlationId;
            ids[2] = key;
            ids[3] = batchIndex;
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
            rules.computeIfAbsent(rule, (k) -> new long[RULE_STATS])[side]++;
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
        }
    }
}
