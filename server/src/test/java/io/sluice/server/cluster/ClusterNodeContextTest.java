package io.sluice.server.cluster;

import io.sluice.config.ConfigurationException;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.SluiceConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterNodeContextTest
{
    private static final String MEMBERS = "0,localhost:20000,localhost:20001,localhost:20002,localhost:0," +
        "localhost:20004";

    @Test
    void shouldTakeTheClusterSettingsAndTheComponentsFromTheConfiguration()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.CLUSTER_MEMBERS, MEMBERS);
        properties.setProperty(SluiceConfig.CLUSTER_MEMBER_ID, "0");
        properties.setProperty(SluiceConfig.CLUSTER_DIR, "/tmp/node-0");
        properties.setProperty(SluiceConfig.CLUSTER_HEARTBEAT_TIMEOUT, "2s");
        properties.setProperty(SluiceConfig.CLUSTER_ELECTION_TIMEOUT, "300ms");
        properties.setProperty(SluiceConfig.CLUSTER_IDLE_STRATEGY, "sleeping");
        properties.setProperty(SluiceConfig.THREADING, "shared");
        properties.setProperty(SluiceConfig.DRIVER_THREADING, "shared");
        properties.setProperty(SluiceConfig.HASH_SEED, "42");
        final PrintStream out = new PrintStream(new ByteArrayOutputStream());

        final ClusterNode.Context ctx = ClusterNode.Context.from(SluiceConfig.of(properties)).out(out).conclude();

        assertEquals(MEMBERS, ctx.members());
        assertEquals(0, ctx.memberId());
        assertEquals("/tmp/node-0", ctx.dir());
        assertEquals(TimeUnit.SECONDS.toNanos(2), ctx.heartbeatTimeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(300), ctx.electionTimeoutNs());
        assertEquals(IdleStrategyType.SLEEPING, ctx.idleStrategy());
        assertTrue(ctx.daemon().isConcluded());
        assertSame(out, ctx.daemon().out());
        assertSame(out, ctx.daemon().driver().log());
    }

    @Test
    void shouldRefuseANodeWithoutMembersOrMemberIdNamingTheKey()
    {
        final ConfigurationException members = assertThrows(ConfigurationException.class, () ->
            ClusterNode.Context.from(SluiceConfig.of(new Properties())).conclude());
        assertEquals("sluice.cluster.members= must be set to start a cluster node", members.getMessage());

        final ConfigurationException memberId = assertThrows(ConfigurationException.class, () ->
            new ClusterNode.Context().members(MEMBERS).dir("/tmp/node").conclude());
        assertEquals("sluice.cluster.member-id=-1 must be set to run a cluster node, e.g. " +
            "-Dsluice.cluster.member-id=0", memberId.getMessage());
    }

    @Test
    void shouldRejectATimeoutOutOfRangeNamingTheKey()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () ->
            new ClusterNode.Context().members(MEMBERS).memberId(0).dir("/tmp/node").electionTimeoutNs(1).conclude());

        assertTrue(ex.getMessage().startsWith("sluice.cluster.election-timeout=1ns "), ex.getMessage());
    }
}
