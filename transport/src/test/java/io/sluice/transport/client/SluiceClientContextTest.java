package io.sluice.transport.client;

import io.sluice.config.ConfigurationException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SluiceClientContextTest
{
    @Test
    void shouldTakeTheDaemonsDeclaredDefaults()
    {
        final SluiceClient.Context ctx = new SluiceClient.Context().conclude();

        assertTrue(ctx.isConcluded());
        assertEquals("aeron:udp?endpoint=localhost:20120", ctx.ingressChannel());
        assertEquals(1001, ctx.ingressStreamId());
        assertEquals(1002, ctx.egressStreamId());
        assertEquals(0, ctx.egressImages());
        assertEquals(65536, ctx.resendBufferLength());
    }

    @Test
    void shouldRejectAStreamIdOutOfRangeNamingTheKey()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> new SluiceClient.Context().egress("aeron:ipc", -1).conclude());

        assertEquals("sluice.egress.stream-id=-1 must be in [1, 2147483647]", ex.getMessage());
    }

    @Test
    void shouldRejectAMissingChannelNamingTheKey()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> new SluiceClient.Context().ingress(null, 1001).conclude());

        assertEquals("sluice.ingress.channel=null must be set", ex.getMessage());
    }

    @Test
    void shouldRejectNegativeEgressImages()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> SluiceClient.connect(new SluiceClient.Context().egressImages(-1)));

        assertEquals("egressImages must be >= 0: -1", ex.getMessage());
    }

    @Test
    void shouldRejectANegativeResendBufferLength()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SluiceClient.Context().resendBufferLength(-1).conclude());

        assertEquals("resendBufferLength must be >= 0: -1", ex.getMessage());
    }
}
