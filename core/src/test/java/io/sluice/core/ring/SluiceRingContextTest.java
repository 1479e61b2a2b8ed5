package io.sluice.core.ring;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WaitStrategyType;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SluiceRingContextTest
{
    @Test
    void shouldFillTheDeclaredDefaultsAndComputeTheBytesOnce()
    {
        final SluiceRing.Context ctx = new SluiceRing.Context().conclude();

        assertEquals(16 * 1024, ctx.length());
        assertEquals(WaitStrategyType.SLEEPING, ctx.waitStrategy());
        assertEquals(16 * 1024 * 64L, ctx.bytes());
        assertEquals(SluiceRing.bytesFor(16 * 1024), ctx.bytes());
    }

    @Test
    void shouldRejectALengthThatIsNotAPowerOfTwoNamingTheKey()
    {
        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> new SluiceRing.Context().length(1000).conclude());

        assertEquals("sluice.ring.length=1000 must be a power of two", ex.getMessage());
        assertEquals(SluiceConfig.RING_LENGTH, ex.key());
    }

    @Test
    void shouldRejectALengthOutOfTheDeclaredRangeNamingTheKey()
    {
        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> new SluiceRing.Context().length(1 << 27).conclude());

        assertEquals("sluice.ring.length=134217728 must be in [2, 67108864]", ex.getMessage());
    }

    @Test
    void shouldRejectARingWhoseSlotsNeedMoreThanOneBufferNamingTheKey()
    {
        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> new SluiceRing.Context().length(1 << 25).conclude());

        assertEquals("sluice.ring.length=33554432 needs 2147483648 bytes of slots, more than one off-heap buffer " +
            "holds (2147483647)", ex.getMessage());
    }

    @Test
    void shouldTakeTheRingSettingsFromTheConfiguration()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.RING_LENGTH, "1k");
        properties.setProperty(SluiceConfig.BATCH_MAX_EVENTS, "512");
        properties.setProperty(SluiceConfig.PROCESSOR_WAIT_STRATEGY, "yielding");

        final SluiceRing.Context ctx = SluiceRing.Context.from(SluiceConfig.of(properties)).conclude();

        assertEquals(1024, ctx.length());
        assertEquals(WaitStrategyType.YIELDING, ctx.waitStrategy());
        assertEquals(1024 * 64L, ctx.bytes());
        assertEquals(1024, new SluiceRing(ctx).length());
    }

    @Test
    void shouldConcludeOnlyOnceAndBeConcludedBeforeUse()
    {
        final SluiceRing.Context ctx = new SluiceRing.Context().length(8);

        assertThrows(IllegalStateException.class, ctx::bytes);
        assertThrows(IllegalStateException.class, () -> new SluiceRing(ctx));
        ctx.conclude();
        assertThrows(IllegalStateException.class, ctx::conclude);
    }
}
