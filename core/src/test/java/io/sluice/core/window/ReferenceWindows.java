package io.sluice.core.window;

import io.sluice.config.AlertRule;
import io.sluice.core.RejectReason;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The simple on-heap reference of window semantics: keeps every accepted event and computes each window from the
 * raw events, with plain arithmetic: all accepted events of the key with {@code start <= ts < end}, summed in arrival
 * order (nothing pane by pane, as the table does). Fed the same sequence of events and ticks as the ring carries;
 * the inputs are chosen so sums are exact in any order (multiples of 1/1024 in a bounded range), so the comparison
 * with the engine stays exact.
 */
final class ReferenceWindows
{
    private record Accepted(long ts, double value, long arrival)
    {
    }

    private final long size;
    private final long slide;
    private final List<AlertRule> rules;
    private final Map<Long, List<Accepted>> events = new HashMap<>();
    private final Map<Long, TreeSet<Long>> pending = new java.util.TreeMap<>();
    private final Map<Long, List<Output>> outputs = new HashMap<>();
    private long watermark = Long.MIN_VALUE;
    private long arrivals;

    ReferenceWindows(final long size, final long slide, final List<AlertRule> rules)
    {
        this.size = size;
        this.slide = slide;
        this.rules = rules;
    }

    Map<Long, List<Output>> outputs()
    {
        return outputs;
    }

    void event(final long key, final long correlationId, final long ts, final double value)
    {
        final long paneStart = Math.floorDiv(ts, slide) * slide;
        if (paneStart + size <= watermark)
        {
            out(key, new Output('R', key, correlationId, RejectReason.LATE, 0, 0, 0, 0, 0, 0));
            return;
        }
        events.computeIfAbsent(key, (k) -> new ArrayList<>()).add(new Accepted(ts, value, arrivals++));
        for (long end = paneStart + slide; end <= paneStart + size; end += slide)
        {
            if (end > watermark)
            {
                pending.computeIfAbsent(key, (k) -> new TreeSet<>()).add(end);
            }
        }
        final double[] agg = aggregate(key, paneStart, paneStart + size);
        out(key, new Output('E', key, correlationId, paneStart, (long)agg[0], agg[1], agg[2], agg[3], agg[4], agg[5]));
        for (final AlertRule rule : rules)
        {
            if (rule.on() == AlertRule.On.EVENT)
            {
                final double observed = observe(rule.field(), value, agg);
                if (rule.op().test(observed, rule.threshold()))
                {
                    out(key, new Output('A', key, 0, rule.index(),
                        (rule.field().ordinal() + 1) * 10L + rule.op().ordinal() + 1, observed, rule.threshold(), 0, 0, 0));
                }
            }
        }
    }

    void tick(final long newWatermark)
    {
        if (newWatermark <= watermark)
        {
            return;
        }
        watermark = newWatermark;
        for (final Map.Entry<Long, TreeSet<Long>> e : pending.entrySet())
        {
            final long key = e.getKey();
            final TreeSet<Long> ends = e.getValue();
            while (!ends.isEmpty() && ends.first() <= watermark)
            {
                final long end = ends.pollFirst();
                final double[] agg = aggregate(key, end - size, end);
                out(key, new Output('W', key, end - size, end, (long)agg[0], agg[1], agg[2], agg[3], agg[4], agg[5]));
                for (final AlertRule rule : rules)
                {
                    if (rule.on() == AlertRule.On.WINDOW)
                    {
                        final double observed = observe(rule.field(), 0, agg);
                        if (rule.op().test(observed, rule.threshold()))
                        {
                            out(key, new Output('A', key, end - size, rule.index(),
                                (rule.field().ordinal() + 1) * 10L + rule.op().ordinal() + 1, observed,
                                rule.threshold(), 0, 0, 0));
                        }
                    }
                }
            }
        }
    }

    private double[] aggregate(final long key, final long from, final long to)
    {
        long count = 0;
        double sum = 0;
        double min = 0;
        double max = 0;
        Accepted first = null;
        Accepted last = null;
        final List<Accepted> in = new ArrayList<>();
        for (final Accepted a : events.get(key))
        {
            if (a.ts >= from && a.ts < to)
            {
                in.add(a);
            }
        }
        for (final Accepted a : in)
        {
            sum += a.value;
            min = 0 == count ? a.value : Math.min(min, a.value);
            max = 0 == count ? a.value : Math.max(max, a.value);
            count++;
            if (null == first || a.ts < first.ts)
            {
                first = a;
            }
            if (null == last || a.ts >= last.ts)
            {
                last = a;
            }
        }
        return new double[]{count, sum, min, max, null == first ? 0 : first.value, null == last ? 0 : last.value};
    }

    private static double observe(final AlertRule.Field field, final double value, final double[] agg)
    {
        switch (field)
        {
            case VALUE: return value;
            case COUNT: return agg[0];
            case SUM: return agg[1];
            case MIN: return agg[2];
            case MAX: return agg[3];
            default: return agg[0] == 0 ? Double.NaN : agg[1] / agg[0];
        }
    }

    private void out(final long key, final Output output)
    {
        outputs.computeIfAbsent(key, (k) -> new ArrayList<>()).add(output);
    }
}
