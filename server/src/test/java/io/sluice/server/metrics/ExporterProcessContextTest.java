package io.sluice.server.metrics;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExporterProcessContextTest
{
    @Test
    void shouldBeOffByDefault()
    {
        final ExporterProcess.Context ctx = new ExporterProcess.Context().conclude();

        assertFalse(ctx.isEnabled());
        assertEquals("", ctx.endpoint());
        assertSame(System.out, ctx.log());
    }

    @Test
    void shouldTakeTheEndpointAndDriverDirectoryFromTheConfiguration()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.METRICS_ENDPOINT, "localhost:0");
        properties.setProperty(SluiceConfig.DRIVER_DIR, "/tmp/d");

        final ExporterProcess.Context ctx = ExporterProcess.Context.from(SluiceConfig.of(properties)).conclude();

        assertTrue(ctx.isEnabled());
        assertEquals("localhost:0", ctx.endpoint());
        assertEquals("/tmp/d", ctx.driverDir());
    }

    @Test
    void shouldRejectABadEndpointOrAMissingDriverDirectoryNamingTheKey()
    {
        final ConfigurationException endpoint = assertThrows(ConfigurationException.class, () ->
            new ExporterProcess.Context().endpoint("nonsense").driverDir("/tmp/d").conclude());
        assertTrue(endpoint.getMessage().startsWith("sluice.metrics.endpoint=nonsense "), endpoint.getMessage());

        final ConfigurationException dir = assertThrows(ConfigurationException.class, () ->
            new ExporterProcess.Context().endpoint("localhost:0").conclude());
        assertEquals("sluice.driver.dir=null must be set", dir.getMessage());
    }
}
