package io.sluice.core.shard;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.running.RunningAggregates;
import io.sluice.core.logic.RecordingSink;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.state.KeyStateTable;
import io.sluice.core.window.WindowEngine;
import io.sluice.core.window.WindowSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShardContextTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldFillTheDeclaredDefaultsAndComputeTheTableBytesOnce()
    {
        final ShardContext ctx = new ShardContext().conclude();

        assertEquals(2, ctx.processorCount());
        assertEquals(1_000_000L, ctx.stallThresholdNs(), "sluice.agent.stall-threshold default 1ms");
        assertEquals(64 * 1024, ctx.stateCapacity());
        assertNotEquals(0L, ctx.hashSeed(), "random: a fresh non-zero seed");
        assertEquals(ctx.hashSeed(), ctx.router().seed());
        assertNull(ctx.windowSpec());
        assertEquals(MS, ctx.tickIntervalNs());
        assertEquals(0L, ctx.idleAdvanceNs());
        assertEquals(0, ctx.evictAfterWindows());
        assertEquals(List.of(), ctx.alertRules());
        assertEquals(0, ctx.panesPerKey());
        assertEquals(64 * 1024 * (2 * 16 + 64L), ctx.tableBytes());
        assertEquals(KeyStateTable.bytesFor(64 * 1024, 0), ctx.tableBytes());
        assertNull(ctx.newWatermarkTracker());
    }

    @Test
    void shouldRejectACapacityThatIsNotAPowerOfTwoNamingTheKey()
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> new ShardContext().stateCapacity(1000).conclude());

        assertEquals("sluice.state.capacity=1000 must be a power of two", ex.getMessage());
        assertEquals(SluiceConfig.STATE_CAPACITY, ex.key());
    }

    @Test
    void shouldRejectWindowsThatNeedTooManyPanesNamingTheSlide()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> new ShardContext()
            .windowSpec(new WindowSpec(1000 * MS, MS / 10, 0, 10003)).conclude());

        assertEquals("sluice.window.slide=100us is too small: 10003 panes per key, more than the 4096 a key can keep",
            ex.getMessage());
    }

    @Test
    void shouldRejectEvictionWithoutWindowsNamingTheKey()
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> new ShardContext().evictAfterWindows(2).conclude());

        assertEquals("sluice.state.evict-after-windows=2 needs windows: set sluice.window.type", ex.getMessage());
    }

    @Test
    void shouldRejectASlideThatDoesNotDivideTheSizeOrEvictionWithoutWindowsFromTheConfiguration()
    {
        final Properties sliding = new Properties();
        sliding.setProperty(SluiceConfig.WINDOW_TYPE, "sliding");
        sliding.setProperty(SluiceConfig.WINDOW_SIZE, "100ms");
        sliding.setProperty(SluiceConfig.WINDOW_SLIDE, "30ms");
        final ShardContext slide = ShardContext.from(SluiceConfig.of(sliding));
        ConfigurationException ex = assertThrows(ConfigurationException.class, slide::conclude);
        assertEquals("sluice.window.slide=30ms must divide sluice.window.size=100ms", ex.getMessage());

        final Properties evicting = new Properties();
        evicting.setProperty(SluiceConfig.EVICT_AFTER_WINDOWS, "3");
        final ShardContext evict = ShardContext.from(SluiceConfig.of(evicting));
        ex = assertThrows(ConfigurationException.class, evict::conclude);
        assertEquals(SluiceConfig.EVICT_AFTER_WINDOWS, ex.key());
        assertEquals("sluice.state.evict-after-windows=3 needs windows: set sluice.window.type", ex.getMessage());
    }

    @Test
    void shouldDeriveTheStateSettingsFromTheSettingsDeclaredToShapeState()
    {
        final ShardContext windowed = new ShardContext()
            .processorCount(3).stateCapacity(1024).windowSpec(WindowSpec.of(1000 * MS, 250 * MS, 40 * MS))
            .evictAfterWindows(2).conclude();

        assertEquals(java.util.Map.of(
            SluiceConfig.PROCESSOR_COUNT, "3",
            SluiceConfig.STATE_CAPACITY, "1024",
            SluiceConfig.KEYGROUP_COUNT, "4096",
            SluiceConfig.WINDOW_SIZE, "1000000000",
            SluiceConfig.WINDOW_SLIDE, "250000000",
            SluiceConfig.WINDOW_ALLOWED_LATENESS, "40000000",
            SluiceConfig.EVICT_AFTER_WINDOWS, "2"), windowed.stateSettings());
        assertEquals(List.of(SluiceConfig.PROCESSOR_COUNT, SluiceConfig.STATE_CAPACITY, SluiceConfig.KEYGROUP_COUNT,
            SluiceConfig.WINDOW_SIZE, SluiceConfig.WINDOW_SLIDE, SluiceConfig.WINDOW_ALLOWED_LATENESS, SluiceConfig.EVICT_AFTER_WINDOWS),
            List.copyOf(windowed.stateSettings().keySet()), "declaration order, which the fingerprint depends on");
        assertEquals("none", new ShardContext().conclude().stateSettings().get(SluiceConfig.WINDOW_SIZE));
        assertEquals(fingerprintOf("sluice.keygroup.count=4096\nsluice.window.size=1000000000\n" +
            "sluice.window.slide=250000000\nsluice.window.allowed-lateness=40000000\n" +
            "sluice.state.evict-after-windows=2\n"), windowed.fingerprint(),
            "the journal's START entries carry this fingerprint: without the processor count and capacity");
        final ShardContext rescaled = new ShardContext()
            .processorCount(4).stateCapacity(4096).windowSpec(WindowSpec.of(1000 * MS, 250 * MS, 40 * MS))
            .evictAfterWindows(2).conclude();
        assertEquals(windowed.fingerprint(), rescaled.fingerprint(), "a rescale keeps the fingerprint");
        assertEquals(fingerprintOf("sluice.processor.count=3\nsluice.state.capacity=1024\n" +
            "sluice.window.size=1000000000\nsluice.window.slide=250000000\nsluice.window.allowed-lateness=40000000\n" +
            "sluice.state.evict-after-windows=2\n"), rescaled.legacyFingerprint(windowed.stateSettings()),
            "the fingerprint of a journal written before key groups, under its processor count and capacity");
    }

    private static long fingerprintOf(final String text)
    {
        final io.sluice.core.state.StateDigest digest = new io.sluice.core.state.StateDigest();
        for (int i = 0; i < text.length(); i++)
        {
            digest.add(text.charAt(i));
        }
        return digest.value();
    }

    @Test
    void shouldRefuseFewerKeyGroupsThanProcessorsNamingBoth()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.PROCESSOR_COUNT, "8");
        properties.setProperty(SluiceConfig.KEYGROUP_COUNT, "4");
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> ShardContext.from(SluiceConfig.of(properties)).conclude());
        assertEquals(SluiceConfig.KEYGROUP_COUNT, ex.key());
        assertEquals("sluice.keygroup.count=4 must be at least sluice.processor.count=8: each processor owns at " +
            "least one key group", ex.getMessage());
        properties.setProperty(SluiceConfig.KEYGROUP_COUNT, "1000");
        assertEquals("sluice.keygroup.count=1000 must be a power of two",
            assertThrows(ConfigurationException.class, () -> SluiceConfig.of(properties)).getMessage());
    }

    @Test
    void shouldBuildRunningAggregatesOrWindowsOverTheirOwnTable()
    {
        final RecordingSink sink = new RecordingSink();
        final TestCounters counters = new TestCounters();
        final ShardContext running = new ShardContext().stateCapacity(16).hashSeed(7).conclude();
        final ShardContext windowed = new ShardContext()
            .stateCapacity(16).hashSeed(7).windowSpec(WindowSpec.of(1000 * MS, 250 * MS, 0)).evictAfterWindows(2)
            .conclude();

        assertInstanceOf(RunningAggregates.class, running.newLogic(sink, counters.processor(0)));
        assertInstanceOf(WindowEngine.class, windowed.newLogic(sink, counters.processor(0)));
        assertEquals(7, windowed.panesPerKey());
        assertEquals(16 * (2 * 16 + 128 + 8 * 72L), windowed.tableBytes(), "7 panes round up to a ring of 8");
        final SluiceRing ring = new SluiceRing(new SluiceRing.Context().length(8).conclude());
        assertEquals(2, windowed.newProducer(ring, counters.counter("ticks")).shardCount());
    }

    @Test
    void shouldTakeTheShardSettingsFromTheConfiguration()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.PROCESSOR_COUNT, "3");
        properties.setProperty(SluiceConfig.STATE_CAPACITY, "1k");
        properties.setProperty(SluiceConfig.HASH_SEED, "0x5eed");
        properties.setProperty(SluiceConfig.WINDOW_TYPE, "sliding");
        properties.setProperty(SluiceConfig.WINDOW_SIZE, "1s");
        properties.setProperty(SluiceConfig.WINDOW_SLIDE, "250ms");
        properties.setProperty(SluiceConfig.TICK_INTERVAL, "5ms");
        properties.setProperty(SluiceConfig.EVICT_AFTER_WINDOWS, "4");
        final SluiceConfig config = SluiceConfig.of(properties);

        final ShardContext ctx = ShardContext.from(config).conclude();

        assertEquals(3, ctx.processorCount());
        assertEquals(1024, ctx.stateCapacity());
        assertEquals(0x5eedL, ctx.hashSeed());
        assertEquals(WindowSpec.of(config), ctx.windowSpec());
        assertEquals(5 * MS, ctx.tickIntervalNs());
        assertEquals(4, ctx.evictAfterWindows());
        assertEquals(KeyStateTable.bytesFor(1024, config.panesPerKey()), ctx.tableBytes());
    }

    @Test
    void shouldConcludeOnlyOnceAndBeConcludedBeforeUse()
    {
        final ShardContext ctx = new ShardContext();

        assertThrows(IllegalStateException.class, ctx::tableBytes);
        assertThrows(IllegalStateException.class, ctx::router);
        ctx.conclude();
        assertThrows(IllegalStateException.class, ctx::conclude);
    }
}
