package io.sluice.server.ingress;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IngressAgentContextTest
{
    @Test
    void shouldFillTheDeclaredDefaults()
    {
        final IngressAgent.Context ctx = new IngressAgent.Context().conclude();

        assertEquals("aeron:udp?endpoint=localhost:20120", ctx.channel());
        assertEquals(1001, ctx.streamId());
        assertEquals(SluiceConfig.YEAR_2000_NS, ctx.timestampMinNs());
        assertEquals(SluiceConfig.YEAR_2200_NS, ctx.timestampMaxNs());
        assertEquals(1_000_000_000L, ctx.rejectLogIntervalNs());
        assertInstanceOf(SystemNanoClock.class, ctx.nanoClock());
        assertSame(System.out, ctx.log());
    }

    @Test
    void shouldRejectAStreamIdOutOfRangeNamingTheKey()
    {
        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> new IngressAgent.Context().streamId(0).conclude());

        assertEquals("sluice.ingress.stream-id=0 must be in [1, 2147483647]", ex.getMessage());
    }

    @Test
    void shouldRejectATimestampRangeOutOfOrderNamingTheKey()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> new IngressAgent.Context().timestampMinNs(10).timestampMaxNs(10).conclude());

        assertEquals("sluice.event.timestamp-min=10 must be less than sluice.event.timestamp-max=10", ex.getMessage());
    }

    @Test
    void shouldTakeTheIngressSettingsFromTheConfiguration()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.INGRESS_CHANNEL, "aeron:ipc");
        properties.setProperty(SluiceConfig.INGRESS_STREAM_ID, "7");
        properties.setProperty(SluiceConfig.REJECT_LOG_INTERVAL, "100ms");

        final IngressAgent.Context ctx = IngressAgent.Context.from(SluiceConfig.of(properties)).conclude();

        assertEquals("aeron:ipc", ctx.channel());
        assertEquals(7, ctx.streamId());
        assertEquals(100_000_000L, ctx.rejectLogIntervalNs());
        assertThrows(IllegalStateException.class, ctx::conclude);
    }
}
