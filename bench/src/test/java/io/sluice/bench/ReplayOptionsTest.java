package io.sluice.bench;

import io.sluice.config.SluiceConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayOptionsTest
{
    @Test
    void shouldReplayTenMillionEventsOfTheDemoConfigurationAtTenThousandPerSecondByDefault()
    {
        final LatencyBench.Options o = LatencyBench.Options.parse(new String[]{ "--home", "/h", "--replay" });

        assertTrue(o.replay);
        assertFalse(o.throughput);
        assertEquals(10_000_000L, o.replayEvents);
        assertEquals(Paths.get("/h/config/demo.properties"), o.config);
        assertEquals(List.of(10_000L), o.rates);
    }

    @Test
    void shouldTakeTheEventCountTheRatesAndTheConfiguration()
    {
        final LatencyBench.Options o = LatencyBench.Options.parse(new String[]{
            "--replay", "--replay-events", "2m", "--rates", "10k,50k", "--config", "x.properties" });

        assertEquals(2_000_000L, o.replayEvents);
        assertEquals(List.of(10_000L, 50_000L), o.rates);
        assertEquals(Paths.get("x.properties"), o.config);
        assertEquals(List.of("--replay", "--replay-events 2m", "--rates 10k,50k", "--config x.properties"),
            List.of(o.args));
    }

    @Test
    void shouldRefuseReplayWithAnotherModeOrWithoutTheEcho()
    {
        assertThrows(IllegalArgumentException.class,
            () -> LatencyBench.Options.parse(new String[]{ "--replay", "--throughput" }));
        assertThrows(IllegalArgumentException.class,
            () -> LatencyBench.Options.parse(new String[]{ "--replay", "--journal", "async" }));
        assertThrows(IllegalArgumentException.class,
            () -> LatencyBench.Options.parse(new String[]{ "--replay", "--no-echo" }));
        assertThrows(IllegalArgumentException.class,
            () -> LatencyBench.Options.parse(new String[]{ "--replay", "--replay-events", "0" }));
    }

    @Test
    void shouldMakeTheWhatIfConfigurationFromTheDaemonsWithHalfSecondWindowsFourShardsAndAnotherThreshold()
    {
        final SluiceConfig whatIf = ReplayBench.whatIf(Paths.get("../config/demo.properties"));

        assertEquals(500_000_000L, whatIf.windowSizeNs());
        assertEquals(4, whatIf.processorCount());
        assertEquals(16_384, whatIf.stateCapacity());
        assertEquals(104.9, whatIf.alertRules().stream().filter((r) -> "hot".equals(r.name())).findFirst()
            .orElseThrow().threshold());
        assertEquals(50_000_000L, whatIf.allowedLatenessNs());
    }
}
