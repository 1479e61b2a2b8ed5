package io.sluice.server.daemon;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.state.KeyStateTable;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DaemonContextTest
{
    @Test
    void shouldComputeTheDirectMemoryPreflightComputedFromTheConfiguration()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.PROCESSOR_COUNT, "3");
        properties.setProperty(SluiceConfig.STATE_CAPACITY, "1m");
        properties.setProperty(SluiceConfig.WINDOW_TYPE, "sliding");
        properties.setProperty(SluiceConfig.WINDOW_SIZE, "1s");
        properties.setProperty(SluiceConfig.WINDOW_SLIDE, "250ms");
        final SluiceConfig config = SluiceConfig.of(properties);

        final DaemonContext ctx = DaemonContext.from(config).conclude();

        final long before = SluiceRing.bytesFor(config.ringLength()) +
            config.processorCount() * KeyStateTable.bytesFor(config.stateCapacity(), config.panesPerKey()) +
            Preflight.RESERVE_BYTES;
        assertEquals(before, ctx.directMemoryBytes());
        assertEquals(16 * 1024 * 64L + 3 * (1L << 20) * (2 * 16 + 128 + 8 * 72) + 32L * 1024 * 1024,
            ctx.directMemoryBytes());
        assertEquals(16 * 1024 * 64L, ctx.ring().bytes());
        assertEquals((1L << 20) * (2 * 16 + 128 + 8 * 72), ctx.shards().tableBytes());
    }

    @Test
    void shouldFillEveryComponentFromTheDeclaredDefaults()
    {
        final DaemonContext ctx = new DaemonContext().conclude();

        assertSame(System.out, ctx.out());
        assertSame(System.out, ctx.ingress().log());
        assertEquals(16 * 1024, ctx.ring().length());
        assertEquals(2, ctx.shards().processorCount());
        assertEquals(2, ctx.egress().processorCount());
        assertEquals(1001, ctx.ingress().streamId());
        assertTrue(ctx.driver().isConcluded() && ctx.journal().isConcluded() && ctx.metrics().isConcluded());
        assertSame(System.out, ctx.driver().log());
        assertSame(System.out, ctx.journal().log());
        assertEquals(io.sluice.config.DriverThreading.INVOKER, ctx.driver().threading());
        assertEquals(io.sluice.config.JournalMode.OFF, ctx.journal().mode());
        assertEquals(false, ctx.metrics().isEnabled());
        assertEquals(16 * 1024 * 64L + 2 * (64L * 1024) * (2 * 16 + 64) + 32L * 1024 * 1024, ctx.directMemoryBytes());
    }

    @Test
    void shouldLogTheIngressToTheDaemonsOutput()
    {
        final PrintStream out = new PrintStream(new ByteArrayOutputStream());

        final DaemonContext ctx = DaemonContext.from(SluiceConfig.of(new Properties())).out(out).conclude();

        assertSame(out, ctx.ingress().log());
        assertSame(out, ctx.driver().log());
        assertSame(out, ctx.journal().log());
        assertSame(out, ctx.metrics().log());
    }

    @Test
    void shouldRejectComponentsThatDisagreeOnTheProcessorCountNamingTheKey()
    {
        final DaemonContext ctx = new DaemonContext().shards(new ShardContext().processorCount(4));

        final ConfigurationException ex = assertThrows(ConfigurationException.class, ctx::conclude);

        assertEquals("sluice.processor.count=4 must be the same for the shards and the egress, which has 2",
            ex.getMessage());
    }

    @Test
    void shouldRejectABadComponentValueNamingTheKey()
    {
        final DaemonContext ctx = new DaemonContext().ring(new SluiceRing.Context().length(1000));

        final ConfigurationException ex = assertThrows(ConfigurationException.class, ctx::conclude);

        assertEquals("sluice.ring.length=1000 must be a power of two", ex.getMessage());
    }

    @Test
    void shouldRefuseATableTooLargeForTheLimitWithTheConcludedSizes()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.STATE_CAPACITY, "1m");
        final DaemonContext ctx = DaemonContext.from(SluiceConfig.of(properties)).conclude();

        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> Preflight.checkMemory(ctx, 64L * 1024 * 1024));

        assertEquals("sluice.state.capacity=1048576 needs 235,929,600 bytes (225.0 MiB) of direct memory " +
            "(2 state table(s) of 100,663,296 bytes (96.0 MiB), ring 1,048,576 bytes (1.0 MiB), reserve 33,554,432 " +
            "bytes (32.0 MiB)), more than this JVM's limit of 67,108,864 bytes (64.0 MiB): lower it, or raise " +
            "-XX:MaxDirectMemorySize (./sluice sizes it from the configuration)", ex.getMessage());
        Preflight.checkMemory(ctx, ctx.directMemoryBytes());
    }

    @Test
    void shouldConcludeOnlyOnce()
    {
        final DaemonContext ctx = new DaemonContext();

        assertThrows(IllegalStateException.class, ctx::directMemoryBytes);
        ctx.conclude();
        assertTrue(ctx.ring().isConcluded() && ctx.shards().isConcluded());
        assertThrows(IllegalStateException.class, ctx::conclude);
    }
}
