package io.sluice.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SluiceConfigTest
{
    private static Properties props(final String... keyValues)
    {
        final Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = ';', value = {
        "sluice.ring.length;1000;sluice.ring.length=1000 must be a power of two",
        "sluice.ring.length;lots;sluice.ring.length=lots must be a size such as 65536, 64k or 1m",
        "sluice.ring.slot-length;32;sluice.ring.slot-length=32 must be a multiple of 8 and at least 64 bytes",
        "sluice.ring.slot-length;68;sluice.ring.slot-length=68 must be a multiple of 8",
        "sluice.state.capacity;1000;sluice.state.capacity=1000 must be a power of two",
        "sluice.processor.count;0;sluice.processor.count=0 must be in [1, 64]",
        "sluice.ingress.idle-strategy;spinny;sluice.ingress.idle-strategy=spinny must be one of: busy-spin, yielding, backoff, sleeping, noop",
        "sluice.ingress.idle-strategy;noop;sluice.ingress.idle-strategy=noop must be one of: busy-spin, yielding, backoff, sleeping",
        "sluice.processor.wait-strategy;blocking;sluice.processor.wait-strategy=blocking must be one of: busy-spin, yielding, sleeping",
        "sluice.threading;many;sluice.threading=many must be one of: dedicated, shared",
        "sluice.reject.log-interval;10;sluice.reject.log-interval=10 must be a duration with a unit",
        "sluice.ingress.channel;udp://localhost:1;sluice.ingress.channel=udp://localhost:1 must be an Aeron URI",
        "sluice.ingress.stream-id;-3;sluice.ingress.stream-id=-3 must be in [1, 2147483647]",
        "sluice.ring.lenght;1024;sluice.ring.lenght=1024 is not a known setting",
        "sluice.driver.mode;remote;sluice.driver.mode=remote must be one of: embedded, external"})
    void shouldFailNamingTheKeyTheValueAndWhatIsAllowed(final String key, final String value, final String message)
    {
        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(key, value)));
        assertEquals(key, ex.key());
        assertEquals(message, ex.getMessage().substring(0, Math.min(ex.getMessage().length(), message.length())));
    }

    @Test
    void shouldRejectCpuListOfTheWrongLength()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.threading", "dedicated", "sluice.processor.count", "2", "sluice.processor.cpus", "1,2,3")));
        assertEquals("sluice.processor.cpus=1,2,3 must list exactly sluice.processor.count=2 CPUs, or be empty for no pinning",
            ex.getMessage());
    }

    @Test
    void shouldRejectInvokerDriverThreadingWithExternalDriver()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.driver.mode", "external", "sluice.driver.threading", "invoker")));
        assertEquals(SluiceConfig.DRIVER_THREADING, ex.key());
    }

    @Test
    void shouldParseSizesDurationsAndLists()
    {
        final SluiceConfig config = SluiceConfig.of(props(
            "sluice.ring.length", "64k", "sluice.state.capacity", "1m", "sluice.reject.log-interval", "250ms",
            "sluice.threading", "dedicated", "sluice.processor.count", "3", "sluice.processor.cpus", "1, 2,3",
            "sluice.ingress.idle-strategy", "busy-spin", "aeron.term.buffer.length", "4m"));
        assertEquals(65536, config.ringLength());
        assertEquals(1 << 20, config.stateCapacity());
        assertEquals(250_000_000L, config.rejectLogIntervalNs());
        assertEquals(ThreadingMode.DEDICATED, config.threading());
        assertArrayEquals(new int[]{1, 2, 3}, config.processorCpus());
        assertEquals(IdleStrategyType.BUSY_SPIN, config.ingressIdleStrategy());
        assertEquals("4m", config.aeronProperties().get("aeron.term.buffer.length"));
    }

    @Test
    void shouldLetSystemPropertiesOverrideTheFile()
    {
        final SluiceConfig config = SluiceConfig.load(profile("small-host.properties"), props("sluice.processor.count", "3"));
        assertEquals(3, config.processorCount());
        assertEquals(ThreadingMode.SHARED, config.threading());
    }

    @Test
    void shouldLoadEveryShippedProfile()
    {
        final SluiceConfig defaults = SluiceConfig.load(profile("defaults.properties"), null);
        assertEquals(SluiceConfig.of(new Properties()).effective().get(SluiceConfig.RING_LENGTH),
            defaults.effective().get(SluiceConfig.RING_LENGTH));
        assertEquals(SluiceConfig.of(new Properties()).egressChannel(), defaults.egressChannel());
        assertEquals(ThreadingMode.SHARED, SluiceConfig.load(profile("small-host.properties"), null).threading());
        final SluiceConfig pinned = SluiceConfig.load(profile("pinned-host.properties"), null);
        assertEquals(ThreadingMode.DEDICATED, pinned.threading());
        assertArrayEquals(new int[]{3, 4, 5, 6}, pinned.processorCpus());
    }

    private static Path profile(final String name)
    {
        Path path = Paths.get(name);
        if (!path.toFile().exists())
        {
            path = Paths.get("config", name);
        }
        return path;
    }
}
