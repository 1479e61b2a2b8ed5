package io.sluice.server.topology;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.config.topology.Topology;
import io.sluice.core.ring.GroupOwnership;
import io.sluice.server.daemon.DaemonContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApplianceTopologyTest
{
    @TempDir
    Path dir;

    private Path topologyFile() throws Exception
    {
        final Path file = dir.resolve("topology.properties");
        new Topology(3, 4096, 0x5eedL, dir.resolve("shared").toString(), List.of(
            new Topology.Appliance("a", "aeron:udp?endpoint=localhost:40001", 1001, "aeron:udp?endpoint=localhost:40002",
                1002, "", dir.resolve("aeron-a").toString(), List.of(new Topology.GroupRange(0, 2047))),
            new Topology.Appliance("b", "aeron:udp?endpoint=localhost:40003", 1001, "aeron:udp?endpoint=localhost:40004",
                1002, "", dir.resolve("aeron-b").toString(), List.of(new Topology.GroupRange(2048, 4095)))))
            .write(file);
        return file;
    }

    private Properties settings(final Path file, final String appliance)
    {
        final Properties p = new Properties();
        p.setProperty(SluiceConfig.TOPOLOGY_FILE, file.toString());
        p.setProperty(SluiceConfig.TOPOLOGY_APPLIANCE, appliance);
        p.setProperty(SluiceConfig.JOURNAL_MODE, "async");
        p.setProperty(SluiceConfig.JOURNAL_DIR, dir.resolve("journal-" + appliance).toString());
        return p;
    }

    private static String refusal(final Properties p)
    {
        return assertThrows(ConfigurationException.class,
            () -> DaemonContext.from(SluiceConfig.of(p)).conclude()).getMessage();
    }

    @Test
    void shouldTakeTheTopologysSeedAndKeyGroupCount() throws Exception
    {
        final Path file = topologyFile();
        final DaemonContext ctx = DaemonContext.from(SluiceConfig.of(settings(file, "b"))).conclude();
        assertEquals("b", ctx.topology().appliance());
        assertEquals(1, ctx.topology().index());
        assertEquals(0x5eedL, ctx.shards().hashSeed());
        assertEquals(4096, ctx.shards().keyGroupCount());
        assertEquals(io.sluice.core.route.ShardRouter.Placement.INTERLEAVED, ctx.shards().router().placement(),
            "an appliance's processors own key groups interleaved");
        final DaemonContext standalone = DaemonContext.from(SluiceConfig.of(new Properties())).conclude();
        assertNull(standalone.topology());
        assertEquals(io.sluice.core.route.ShardRouter.Placement.CONTIGUOUS, standalone.shards().router().placement());
    }

    @Test
    void shouldRefuseAnApplianceTheFileDoesNotName() throws Exception
    {
        final Path file = topologyFile();
        assertEquals("sluice.topology.appliance=c is not an appliance of the topology file " + file +
            ": allowed are a, b", refusal(settings(file, "c")));
        assertEquals("sluice.topology.appliance= is not an appliance of the topology file " + file +
            ": allowed are a, b", refusal(settings(file, "")));
    }

    @Test
    void shouldRefuseTopologyModeWithoutTheJournal() throws Exception
    {
        final Path file = topologyFile();
        final Properties p = settings(file, "a");
        p.setProperty(SluiceConfig.JOURNAL_MODE, "off");
        assertEquals("sluice.journal.mode=off cannot be used with sluice.topology.file=" + file + ": an appliance " +
            "keeps its key-group ownership in its journal; use async or sync", refusal(p));
    }

    @Test
    void shouldRefuseAnotherSeedOrKeyGroupCountGivenExplicitly() throws Exception
    {
        final Path file = topologyFile();
        final Properties p = settings(file, "a");
        p.setProperty(SluiceConfig.HASH_SEED, "7");
        assertEquals("sluice.hash.seed=0x0000000000000007 differs from the topology file " + file + ", whose " +
            "hash-seed is 0x0000000000005eed: every appliance uses the topology's; remove sluice.hash.seed or set " +
            "it to 0x0000000000005eed", refusal(p));
        p.setProperty(SluiceConfig.HASH_SEED, "0x5eed");
        p.setProperty(SluiceConfig.KEYGROUP_COUNT, "1024");
        assertEquals("sluice.keygroup.count=1024 differs from the topology file " + file + ", whose key-groups " +
            "is 4096: every appliance uses the topology's; remove sluice.keygroup.count or set it to 4096",
            refusal(p));
        p.setProperty(SluiceConfig.KEYGROUP_COUNT, "4096");
        assertEquals(0x5eedL, DaemonContext.from(SluiceConfig.of(p)).conclude().shards().hashSeed());
    }

    @Test
    void shouldRefuseABadTopologyFileNamingTheKeyAndTheFile() throws Exception
    {
        final Path file = dir.resolve("bad.properties");
        Files.writeString(file, "epoch=0\n");
        final String message = refusal(settings(file, "a"));
        assertTrue(message.startsWith("sluice.topology.file=" + file + " cannot be used: topology file " + file +
            ": "), message);
        final Path missing = dir.resolve("missing.properties");
        assertTrue(refusal(settings(missing, "a")).startsWith("sluice.topology.file=" + missing +
            " cannot be used: cannot read topology file " + missing), refusal(settings(missing, "a")));
    }

    @Test
    void shouldRefuseTopologyModeOnAClusterNode() throws Exception
    {
        final Path file = topologyFile();
        final Properties p = settings(file, "a");
        p.setProperty(SluiceConfig.CLUSTER_MEMBERS,
            "0,localhost:20110,localhost:20111,localhost:20112,localhost:20113,localhost:20114");
        p.setProperty(SluiceConfig.HASH_SEED, "0x5eed");
        p.setProperty(SluiceConfig.JOURNAL_MODE, "off");
        p.setProperty(SluiceConfig.DRIVER_THREADING, "shared");
        final String expected = "sluice.topology.file=" + file + " is set: topology mode is for standalone daemons " +
            "in this version";
        assertEquals(expected, refusal(p));
        p.setProperty(SluiceConfig.CLUSTER_MEMBER_ID, "0");
        assertEquals(expected, assertThrows(ConfigurationException.class,
            () -> io.sluice.server.cluster.ClusterNode.Context.from(SluiceConfig.of(p)).conclude()).getMessage());
    }

    @Test
    void shouldKeepTheFilesOwnershipOfTheFirstStartInTheJournalDirectory() throws Exception
    {
        final Path file = topologyFile();
        final ApplianceTopology topology = ApplianceTopology.of(SluiceConfig.of(settings(file, "a")));
        final Path journalDir = dir.resolve("journal-a");
        final GroupOwnership fresh = topology.ownershipBeforeRecovery(journalDir);
        assertEquals(0, fresh.epoch());
        assertEquals(0, fresh.ownedCount());
        assertTrue(topology.ownershipAfterRecovery(fresh, journalDir));
        assertEquals("appliance a of 2, epoch 3, owns 2048 of 4096 key groups (0-2047) from file " + file,
            topology.describe(fresh, true));

        final GroupOwnership again = topology.ownershipBeforeRecovery(journalDir);
        assertEquals(3, again.epoch());
        assertEquals("0-2047", again.describeRanges());
        assertFalse(topology.ownershipAfterRecovery(again, journalDir), "a journal with an ownership keeps it");
        assertEquals("appliance a of 2, epoch 3, owns 2048 of 4096 key groups (0-2047) from journal",
            topology.describe(again, false));
    }
}
