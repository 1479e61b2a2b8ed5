package io.sluice.systemtest;

import io.sluice.config.JournalMode;
import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shipped profile (and the throughput benchmark's) starts for real, on its own channel parameters (mtu and
 * flow control kept, ports moved), answers events and stops cleanly. Only what must be scaled to this
 * machine is overridden: CPU lists (pinning to CPUs the host may not have) and busy-spinning strategies (never
 * more spinning threads than cores in a test); sizes stay as shipped.
 */
class ShippedProfilesSystemTest
{
    @ParameterizedTest
    @ValueSource(strings = {
        "config/defaults.properties", "config/small-host.properties", "config/pinned-host.properties",
        "config/demo.properties", "config/durable.properties", "bench/throughput.properties"})
    @Timeout(120)
    void shouldStartAnswerAndStopWithEveryShippedProfile(final String profile, @TempDir final Path journalDir)
        throws Exception
    {
        final TestDaemon daemon = new TestDaemon()
            .profile(Path.of("..").resolve(profile))
            .set(SluiceConfig.JOURNAL_DIR, journalDir.toString())
            .set(SluiceConfig.PROCESSOR_CPUS, "")
            .set(SluiceConfig.INGRESS_CPU, "-1")
            .set(SluiceConfig.PROCESSOR_WAIT_STRATEGY, "sleeping")
            .set(SluiceConfig.INGRESS_IDLE_STRATEGY, "backoff")
            .set(SluiceConfig.DRIVER_IDLE_STRATEGY, "backoff");
        final SluiceConfig config = daemon.config();
        final SluiceConfig shipped = SluiceConfig.load(Path.of("..").resolve(profile), new java.util.Properties());
        assertEquals(io.aeron.ChannelUri.parse(shipped.ingressChannel()).get("mtu"),
            io.aeron.ChannelUri.parse(config.ingressChannel()).get("mtu"), "the profile's ingress mtu is kept");
        assertEquals(io.aeron.ChannelUri.parse(shipped.egressChannel()).get("mtu"),
            io.aeron.ChannelUri.parse(config.egressChannel()).get("mtu"), "the profile's egress mtu is kept");
        final RecordingHandler handler = new RecordingHandler();
        try
        {
            daemon.start();
            try (SluiceClient client = daemon.client())
            {
                assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(20)));
                final long[] keys = new long[100];
                final double[] values = new double[100];
                for (int i = 0; i < keys.length; i++)
                {
                    keys[i] = i % 10;
                    values[i] = 1.0;
                }
                SluiceSystemTest.sendAll(client, handler, keys, values);
            }
        }
        finally
        {
            daemon.close();
        }
        assertEquals(100, handler.results.size(), profile + "\n" + daemon.log());
        assertEquals(10, handler.results.stream().mapToLong(RecordingHandler.Result::count).max().orElse(0));
        assertTrue(daemon.log().contains("sluice: stopped after accepting"), daemon.log());
        assertFalse(new File(config.driverDir()).exists(), "driver directory deleted at stop");
        if (JournalMode.OFF != config.journalMode())
        {
            assertTrue(daemon.log().contains("recovered new journal"), daemon.log());
            assertTrue(daemon.log().contains("sluice: snapshot 1 at journal position"), daemon.log());
        }
    }
}
