package io.sluice.client;

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

    @Test
    void shouldTurnClusterMembersIntoIngressEndpoints()
    {
        final String members =
            "0,host0:9002,host0:9003,host0:9004,host0:0,host0:8001|" +
            "1,host1:9002,host1:9003,host1:9004,host1:0,host1:8001|" +
            "2,host2:9002,host2:9003,host2:9004,host2:0,host2:8001,host2:0";

        assertEquals("0=host0:9002,1=host1:9002,2=host2:9002", SluiceClient.Context.ingressEndpointsOf(members));
    }

    @Test
    void shouldRejectAClusterMemberWithTooFewEndpointsNamingIt()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> SluiceClient.Context.ingressEndpointsOf("0,a:1,a:2,a:3,a:0,a:4|1,b:1,b:2"));

        assertEquals("cluster member '1,b:1,b:2' must be id,ingress,consensus,log,catchup,archive " +
            "(in 0,a:1,a:2,a:3,a:0,a:4|1,b:1,b:2)", ex.getMessage());
    }

    @Test
    void shouldRejectAClusterMemberWithoutAnIntegerId()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> SluiceClient.Context.ingressEndpointsOf("x,a:1,a:2,a:3,a:0,a:4"));

        assertEquals("cluster member 'x,a:1,a:2,a:3,a:0,a:4' must be id,ingress,consensus,log,catchup,archive " +
            "(in x,a:1,a:2,a:3,a:0,a:4)", ex.getMessage());
    }

    @Test
    void shouldTakeClusterDefaultsAndStayADaemonClientWithoutEndpoints()
    {
        final SluiceClient.Context ctx = new SluiceClient.Context().conclude();

        assertEquals(false, ctx.isClusterClient());
        assertEquals(null, ctx.clusterIngressEndpoints());
        assertEquals("aeron:udp", ctx.clusterIngressChannel());
        assertEquals("aeron:udp?endpoint=localhost:0", ctx.clusterEgressChannel());
        assertEquals(10_000_000_000L, ctx.resumeTimeoutNs());
    }

    @Test
    void shouldRejectMalformedIngressEndpointsNamingTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SluiceClient.Context().clusterIngressEndpoints("0=a:1,1:b:2").conclude());

        assertEquals("clusterIngressEndpoints=0=a:1,1:b:2 must be id=host:port,... " +
            "(e.g. 0=localhost:9002,1=localhost:9102), not '1:b:2'", ex.getMessage());
    }

    @Test
    void shouldRejectAnIpcClusterIngressChannelNamingTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SluiceClient.Context().clusterIngressEndpoints("0=a:1").clusterIngressChannel("aeron:ipc")
                .conclude());

        assertEquals("clusterIngressChannel=aeron:ipc must be an aeron:udp channel", ex.getMessage());
    }

    @Test
    void shouldRejectANonPositiveResumeTimeoutNamingTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SluiceClient.Context().resumeTimeoutNs(0).conclude());

        assertEquals("resumeTimeoutNs=0 must be > 0", ex.getMessage());
    }
}
