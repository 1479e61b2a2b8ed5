package io.sluice.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterBenchTest
{
    @Test
    void shouldMeasureOneAndFiveThousandPerSecondAndFiveKillsAgainstTheSmallHostDaemonByDefault()
    {
        final LatencyBench.Options o = LatencyBench.Options.parse(new String[]{ "--home", "/h", "--cluster" });

        assertTrue(o.cluster);
        assertEquals(List.of(1_000L, 5_000L), o.rates);
        assertEquals(5, o.kills);
        assertEquals(Paths.get("/h/config/small-host.properties"), o.config);
        assertEquals(List.of("--cluster"), List.of(o.args));
    }

    @Test
    void shouldTakeTheRatesAndTheKills()
    {
        final LatencyBench.Options o = LatencyBench.Options.parse(new String[]{
            "--cluster", "--rates", "2k", "--kills", "3", "--measure-seconds", "4" });

        assertEquals(List.of(2_000L), o.rates);
        assertEquals(3, o.kills);
        assertEquals(4, o.measureSeconds);
        assertEquals(List.of("--cluster", "--rates 2k", "--kills 3", "--measure-seconds 4"), List.of(o.args));
    }

    @Test
    void shouldRefuseClusterWithAnotherModeWithoutTheEchoOrWithPaddedEvents()
    {
        assertThrows(IllegalArgumentException.class,
            () -> LatencyBench.Options.parse(new String[]{ "--cluster", "--throughput" }));
        assertThrows(IllegalArgumentException.class,
            () -> LatencyBench.Options.parse(new String[]{ "--cluster", "--replay" }));
        assertThrows(IllegalArgumentException.class,
            () -> LatencyBench.Options.parse(new String[]{ "--cluster", "--journal", "async" }));
        assertThrows(IllegalArgumentException.class,
            () -> LatencyBench.Options.parse(new String[]{ "--cluster", "--no-echo" }));
        assertThrows(IllegalArgumentException.class,
            () -> LatencyBench.Options.parse(new String[]{ "--cluster", "--message-size", "64" }));
        assertThrows(IllegalArgumentException.class,
            () -> LatencyBench.Options.parse(new String[]{ "--cluster", "--kills", "-1" }));
    }

    @Test
    void shouldPrintEachPercentileOfTheThreeAndTheClustersRatiosUpToP99()
    {
        final ClusterBench.Row row = new ClusterBench.Row(1_000,
            phase(1_000, 10), phase(2_000, 10), phase(10_000, 10), new long[]{ 0, 0 });

        final String table = ClusterBench.table(List.of(row));

        assertTrue(table.contains("| 1,000 | p50 | 1.0 | 2.0 | 10.0 | 10.0 | 5.0 |\n"), table);
        assertTrue(table.contains("| 1,000 | max | 1.0 | 2.0 | 10.0 |  |  |\n"), table);
        assertTrue(table.contains("answered echo all 10, standalone all 10, cluster all 10"), table);
    }

    @Test
    void shouldSayWhenTheClusterDidNotAnswerEveryEvent()
    {
        final LoadGenerator.Phase partial = new LoadGenerator.Phase(histogram(1_000_000, 5), 10, 5, 0, 1_000);
        final ClusterBench.Row row = new ClusterBench.Row(1_000,
            phase(1_000, 10), phase(2_000, 10), partial, new long[]{ 0, 0 });

        final String table = ClusterBench.table(List.of(row));

        assertTrue(table.contains("cluster ONLY 5 of 10"), table);
        assertTrue(table.contains("1,000 ev/s: the cluster did NOT sustain this rate"), table);
    }

    private static LoadGenerator.Phase phase(final long valueNs, final int count)
    {
        return new LoadGenerator.Phase(histogram(valueNs, count), count, count, 0, 1_000);
    }

    private static Histogram histogram(final long valueNs, final int count)
    {
        final Histogram h = new Histogram(60_000_000_000L, 3);
        h.recordValueWithCount(valueNs, count);
        return h;
    }
}
