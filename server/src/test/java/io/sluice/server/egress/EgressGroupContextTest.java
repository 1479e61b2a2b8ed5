package io.sluice.server.egress;

import io.sluice.config.ConfigurationException;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.SluiceConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EgressGroupContextTest
{
    @Test
    void shouldFillTheDeclaredDefaults()
    {
        final EgressGroup.Context ctx = new EgressGroup.Context().conclude();

        assertEquals("aeron:udp?control=localhost:20121|control-mode=dynamic|fc=min,t:5s", ctx.channel());
        assertEquals(1002, ctx.streamId());
        assertEquals(2, ctx.processorCount());
        assertEquals(IdleStrategyType.BACKOFF, ctx.retryIdleStrategy());
        assertEquals("", ctx.latencyHistogramFile());
        assertEquals(List.of(), ctx.alertRuleNames());
    }

    @Test
    void shouldRejectAProcessorCountOutOfRangeNamingTheKey()
    {
        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> new EgressGroup.Context().processorCount(0).conclude());

        assertEquals("sluice.processor.count=0 must be in [1, 64]", ex.getMessage());
    }

    @Test
    void shouldRejectAChannelThatIsNotAnAeronUriNamingTheKey()
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> new EgressGroup.Context().channel("udp://localhost:1").conclude());

        assertEquals("sluice.egress.channel=udp://localhost:1 must be an Aeron URI starting aeron:udp or aeron:ipc",
            ex.getMessage());
    }

    @Test
    void shouldTakeTheEgressSettingsFromTheConfiguration()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.PROCESSOR_COUNT, "3");
        properties.setProperty(SluiceConfig.INGRESS_IDLE_STRATEGY, "yielding");
        properties.setProperty(SluiceConfig.LATENCY_HISTOGRAM_FILE, "latency.hgrm");
        properties.setProperty("sluice.alert.hot.on", "event");
        properties.setProperty("sluice.alert.hot.field", "value");
        properties.setProperty("sluice.alert.hot.op", ">");
        properties.setProperty("sluice.alert.hot.threshold", "10");

        final EgressGroup.Context ctx = EgressGroup.Context.from(SluiceConfig.of(properties)).conclude();

        assertEquals(3, ctx.processorCount());
        assertEquals(IdleStrategyType.YIELDING, ctx.retryIdleStrategy());
        assertEquals("latency.hgrm", ctx.latencyHistogramFile());
        assertEquals(List.of("hot"), ctx.alertRuleNames());
        assertThrows(IllegalStateException.class, ctx::conclude);
    }
}
