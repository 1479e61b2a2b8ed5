package io.sluice.bench;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * The benchmark's report: a percentile table of Sluice against the echo baseline per rate, with ratios, and a
 * self-contained HTML/SVG chart of the latency percentile spectrum.
 */
final class Report
{
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99, 100};
    /** Percentiles marked on the chart's percentile axis, each at its {@link #nines} position. */
    static final double[] AXIS_PERCENTILES = {0, 50, 90, 99, 99.9, 99.99, 99.999};

    /**
     * One rate's measurements.
     *
     * @param rate     target events per second.
     * @param echo     the echo baseline's phase, or null when not measured.
     * @param sluice   Sluice's phase.
     * @param gcCount  garbage collections in the daemon during the measured phase (-1 unknown).
     * @param gcTimeMs their time.
     */
    record RateResult(long rate, LoadGenerator.Phase echo, LoadGenerator.Phase sluice, long gcCount, long gcTimeMs)
    {
    }

    private Report()
    {
    }

    static double micros(final Histogram h, final double percentile)
    {
        return (percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile)) / 1000.0;
    }

    static String table(final List<RateResult> results)
    {
        final StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "| rate (ev/s) | achieved (echo / sluice) | percentile | echo (us) | sluice (us) | sluice/echo |%n"));
        b.append(String.format(Locale.ROOT, "|---:|---:|---:|---:|---:|---:|%n"));
        for (final RateResult r : results)
        {
            for (final double p : PERCENTILES)
            {
                final double echo = null == r.echo() ? Double.NaN : micros(r.echo().histogram(), p);
                final double sluice = micros(r.sluice().histogram(), p);
                b.append(String.format(Locale.ROOT, "| %,d | %s | %s | %.1f | %.1f | %.2f |%n",
                    r.rate(),
                    p == 50 ? achieved(r) : "",
                    p >= 100 ? "max" : "p" + trim(p),
                    echo, sluice, sluice / echo));
            }
        }
        return b.toString();
    }

    static String summary(final List<RateResult> results)
    {
        final StringBuilder b = new StringBuilder();
        for (final RateResult r : results)
        {
            b.append(String.format(Locale.ROOT,
                "%,9d ev/s: sent %,d, answered %s; daemon GC in measured phase: %s%s%n",
                r.rate(), r.sluice().sent(), r.sluice().complete() ? "all" : "ONLY " +
                (r.sluice().received() + r.sluice().rejected()),
                r.gcCount() < 0 ? "unknown" : r.gcCount() + " collections, " + r.gcTimeMs() + " ms",
                r.sluice().achievedPerSecond() < 0.95 * r.rate() ?
                    String.format(Locale.ROOT, "  WARNING: target rate not reached (%.0f ev/s)", r.sluice().achievedPerSecond()) :
                    ""));
        }
        return b.toString();
    }

    private static String achieved(final RateResult r)
    {
        return String.format(Locale.ROOT, "%,.0f / %,.0f",
            null == r.echo() ? Double.NaN : r.echo().achievedPerSecond(), r.sluice().achievedPerSecond());
    }

    /**
     * @param percentile 0 to below 100.
     * @return its position on the chart's percentile axis, in nines: -log10(1 - p/100), 0 for p0, 1 for p90, 2 for
     * p99, about 0.30 for p50.
     */
    static double nines(final double percentile)
    {
        return Math.log10(1 / (1 - percentile / 100.0));
    }

    private static String trim(final double p)
    {
        return p == Math.rint(p) ? Long.toString((long)p) : Double.toString(p);
    }

    /**
     * @param results the measurements.
     * @return an HTML page with one SVG chart per rate: latency (log scale) against percentile (in nines).
     */
    static String chart(final List<RateResult> results, final String title)
    {
        final StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(title)
            .append("</title><style>body{font-family:sans-serif}svg{background:#fff;border:1px solid #ccc;margin:8px}")
            .append("</style></head><body><h1>").append(title).append("</h1>")
            .append("<p>Round-trip latency percentile spectrum, open loop, from intended send time. ")
            .append("<span style=\"color:#1f77b4\">echo (raw Aeron)</span> vs ")
            .append("<span style=\"color:#d62728\">Sluice</span>.</p>");
        for (final RateResult r : results)
        {
            b.append(svg(r));
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    private static String svg(final RateResult r)
    {
        final int w = 520;
        final int h = 320;
        final int left = 60;
        final int bottom = 40;
        final double maxNines = 5;
        double maxUs = micros(r.sluice().histogram(), 100);
        if (null != r.echo())
        {
            maxUs = Math.max(maxUs, micros(r.echo().histogram(), 100));
        }
        final double minLog = 0;
        final double maxLog = Math.max(1, Math.ceil(Math.log10(Math.max(1, maxUs))));
        final StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", w, h));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%,d events/s</text>", left, r.rate()));
        for (int d = (int)minLog; d <= maxLog; d++)
        {
            final double y = (h - bottom) - (d - minLog) / (maxLog - minLog) * (h - bottom - 30);
            b.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"4\" y=\"%.1f\" font-size=\"11\">%s us</text>",
                left, y, w - 10, y, y + 4, d == 0 ? "1" : "1e" + d));
        }
        for (final double percentile : AXIS_PERCENTILES)
        {
            final double x = left + nines(percentile) / maxNines * (w - left - 20);
            b.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"30\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/><text x=\"%.1f\" y=\"%d\" font-size=\"11\">%s</text>",
                x, x, h - bottom, x - 12, h - bottom + 16, "p" + trim(percentile)));
        }
        if (null != r.echo())
        {
            b.append(polyline(r.echo().histogram(), "#1f77b4", w, h, left, bottom, maxNines, minLog, maxLog));
        }
        b.append(polyline(r.sluice().histogram(), "#d62728", w, h, left, bottom, maxNines, minLog, maxLog));
        b.append("</svg>");
        return b.toString();
    }

    private static String polyline(
        final Histogram histogram, final String colour, final int w, final int h, final int left, final int bottom,
        final double maxNines, final double minLog, final double maxLog)
    {
        final StringBuilder points = new StringBuilder();
        for (double nines = 0; nines <= maxNines + 1e-9; nines += 0.05)
        {
            final double percentile = 100.0 * (1 - Math.pow(10, -nines));
            final double us = Math.max(1, histogram.getValueAtPercentile(percentile) / 1000.0);
            final double x = left + nines / maxNines * (w - left - 20);
            final double y = (h - bottom) - (Math.log10(us) - minLog) / (maxLog - minLog) * (h - bottom - 30);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\" points=\"" + points + "\"/>";
    }
}
