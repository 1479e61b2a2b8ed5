package io.sluice.bench;

import io.aeron.ChannelUri;
import io.sluice.config.SluiceConfig;
import io.sluice.transport.codec.ResultMode;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ThroughputSetupTest
{
    private static SluiceConfig config(final String... keyValues)
    {
        final Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return SluiceConfig.of(properties);
    }

    @Test
    void shouldMoveTheDaemonsIngressChannelToTheBaselinesPortKeepingItsParameters()
    {
        final SluiceConfig config = config(SluiceConfig.INGRESS_CHANNEL, "aeron:udp?endpoint=localhost:20120|mtu=8k");
        final ChannelUri moved = ChannelUri.parse(RawAeronOneWay.channel(config, 40123));
        assertEquals("udp", moved.media());
        assertEquals("localhost:40123", moved.get("endpoint"));
        assertEquals("8k", moved.get("mtu"));
        final SluiceConfig ipc = config(SluiceConfig.INGRESS_CHANNEL, "aeron:ipc");
        assertEquals("aeron:udp?endpoint=localhost:40123", RawAeronOneWay.channel(ipc, 40123));
    }

    @Test
    void shouldMoveTheDaemonsChannelsToFreePortsKeepingTheirParameters()
    {
        final ChannelUri egress = ChannelUri.parse(ThroughputBench.onPort(
            "aeron:udp?control=localhost:20121|control-mode=dynamic|fc=min,t:5s", "control", 40999));
        assertEquals("localhost:40999", egress.get("control"));
        assertEquals("dynamic", egress.get("control-mode"));
        assertEquals("min,t:5s", egress.get("fc"));
        assertEquals("aeron:ipc", ThroughputBench.onPort("aeron:ipc", "endpoint", 40999));
    }

    @Test
    void shouldCountTheWindowsEachEventFallsIn()
    {
        assertEquals(0, BurstGenerator.windowsPerEvent(config()));
        assertEquals(1, BurstGenerator.windowsPerEvent(config(
            SluiceConfig.WINDOW_TYPE, "tumbling", SluiceConfig.WINDOW_SIZE, "1s")));
        assertEquals(4, BurstGenerator.windowsPerEvent(config(
            SluiceConfig.WINDOW_TYPE, "sliding", SluiceConfig.WINDOW_SIZE, "1s", SluiceConfig.WINDOW_SLIDE, "250ms")));
    }

    @Test
    void shouldNameTheWiresResultModes()
    {
        assertEquals(ResultMode.NONE, GeneratorProcess.resultMode("none"));
        assertEquals(ResultMode.BATCHED, GeneratorProcess.resultMode("batched"));
        assertEquals(ResultMode.PER_EVENT, GeneratorProcess.resultMode("per-event"));
        assertThrows(IllegalArgumentException.class, () -> GeneratorProcess.resultMode("PER_EVENT"));
    }

    @Test
    void shouldShipAThroughputConfigurationWithWindowsAlertsAndEightKilobyteFrames() throws Exception
    {
        final SluiceConfig config =
            SluiceConfig.load(java.nio.file.Paths.get("throughput.properties"), new Properties());

        assertEquals(io.sluice.config.WindowType.TUMBLING, config.windowType());
        assertEquals(2, config.alertRules().size());
        assertEquals("8k", ChannelUri.parse(config.ingressChannel()).get("mtu"));
        assertEquals("8k", ChannelUri.parse(config.egressChannel()).get("mtu"));
    }
}
