package io.sluice.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest
{
    private static Histogram uniform(final long fromNs, final long toNs, final long stepNs)
    {
        final Histogram h = new Histogram(60_000_000_000L, 3);
        for (long v = fromNs; v <= toNs; v += stepNs)
        {
            h.recordValue(v);
        }
        return h;
    }

    @Test
    void shouldReportPercentilesInMicrosecondsAndMaxAtOneHundred()
    {
        final Histogram h = uniform(1_000, 100_000, 1_000);
        assertEquals(50.0, Report.micros(h, 50), 0.1);
        assertEquals(99.0, Report.micros(h, 99), 0.1);
        assertEquals(100.0, Report.micros(h, 100), 0.1);
    }

    @Test
    void shouldPutEchoAndSluiceSideBySideWithTheirRatio()
    {
        final LoadGenerator.Phase echo = new LoadGenerator.Phase(uniform(1_000, 10_000, 1_000), 10, 10, 0, 10_000);
        final LoadGenerator.Phase sluice = new LoadGenerator.Phase(uniform(2_000, 20_000, 2_000), 10, 10, 0, 10_000);
        final String table = Report.table(List.of(new Report.RateResult(10_000, echo, sluice, 0, 0)));
        assertTrue(table.contains("| 10,000 | 10,000 / 10,000 | p50 | 5.0 | 10.0 | 2.00 |"), table);
        assertTrue(table.contains("| 10,000 |  | max | 10.0 | 20.0 | 2.00 |"), table);
        assertEquals(2 + Report.PERCENTILES.length, table.lines().count());
    }

    @Test
    void shouldFlagUnansweredEventsAndMissedRates()
    {
        final LoadGenerator.Phase sluice = new LoadGenerator.Phase(uniform(1_000, 2_000, 1_000), 100, 90, 5, 40_000);
        final String summary = Report.summary(List.of(new Report.RateResult(50_000, null, sluice, 2, 17)));
        assertTrue(summary.contains("answered ONLY 95"), summary);
        assertTrue(summary.contains("2 collections, 17 ms"), summary);
        assertTrue(summary.contains("WARNING: target rate not reached (40000 ev/s)"), summary);
    }

    @Test
    void shouldDrawOneChartPerRateWithBothCurves()
    {
        final LoadGenerator.Phase echo = new LoadGenerator.Phase(uniform(1_000, 10_000, 1_000), 10, 10, 0, 1);
        final LoadGenerator.Phase sluice = new LoadGenerator.Phase(uniform(2_000, 20_000, 2_000), 10, 10, 0, 1);
        final String html = Report.chart(List.of(
            new Report.RateResult(10_000, echo, sluice, 0, 0),
            new Report.RateResult(20_000, echo, sluice, 0, 0)), "t");
        assertEquals(2, html.split("<svg ", -1).length - 1);
        assertEquals(4, html.split("<polyline ", -1).length - 1);
    }

    @Test
    void shouldMarkP50AndTheNinesOnThePercentileAxis()
    {
        final LoadGenerator.Phase sluice = new LoadGenerator.Phase(uniform(2_000, 20_000, 2_000), 10, 10, 0, 1);
        final String html = Report.chart(List.of(new Report.RateResult(10_000, null, sluice, 0, 0)), "t");
        final Matcher axis = Pattern.compile(
            "<line x1=\"([0-9.]+)\" y1=\"30\" x2=\"[0-9.]+\" y2=\"280\" stroke=\"#eee\"/>" +
            "<text x=\"([0-9.]+)\" y=\"296\" font-size=\"11\">(p[0-9.]+)</text>").matcher(html);
        final List<String> marks = new ArrayList<>();
        while (axis.find())
        {
            marks.add(axis.group(3) + " at " + axis.group(1) + " label " + axis.group(2));
        }
        assertEquals(List.of(
            "p0 at 60.0 label 48.0",
            "p50 at 86.5 label 74.5",
            "p90 at 148.0 label 136.0",
            "p99 at 236.0 label 224.0",
            "p99.9 at 324.0 label 312.0",
            "p99.99 at 412.0 label 400.0",
            "p99.999 at 500.0 label 488.0"), marks);
        assertEquals(0.0, Report.nines(0));
        assertEquals(1.0, Report.nines(90), 1e-12);
        assertEquals(Math.log10(2), Report.nines(50), 1e-15);
    }
}
