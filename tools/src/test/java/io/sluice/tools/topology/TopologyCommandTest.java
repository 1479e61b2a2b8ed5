package io.sluice.tools.topology;

import io.sluice.config.topology.Topology;
import io.sluice.tools.CommandRun;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code sluice topology init}, {@code check} and {@code show}: an initialised file checks valid and reads back as
 * written; a bad file exits 2 naming its problem; show puts a running appliance's counters beside the file.
 */
class TopologyCommandTest
{
    private static final String A = "a:ingress=aeron:udp?endpoint=localhost:20120;egress=aeron:udp?endpoint=" +
        "localhost:20121;aeron-dir=";
    private static final String B = "b:ingress=aeron:udp?endpoint=localhost:20220;ingress-stream=2001;" +
        "egress=aeron:udp?endpoint=localhost:20221;egress-stream=2002";

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-topology-cmd-" + System.nanoTime());
    private final Path file = dir.resolve("topology.properties");

    @AfterEach
    void tearDown()
    {
        IoUtil.delete(dir.toFile(), true);
    }

    @Test
    void shouldInitialiseAFileThatChecksValidAndReadsBackWithTheGroupsSplitEvenly() throws IOException
    {
        Files.createDirectories(dir);
        final CommandRun init = init("a,b", "4096", A + dir.resolve("a"), B);
        assertEquals("", init.err());
        assertEquals(0, init.exit());
        assertEquals("sluice topology: wrote " + file + ": epoch 1, 4096 key groups, a: 0-2047, b: 2048-4095\n",
            init.out());

        final CommandRun check = CommandRun.of("topology", "check", "--file", file.toString());
        assertEquals(0, check.exit());
        assertEquals("sluice topology: " + file + " is valid: epoch 1, 4096 key groups, a: 0-2047, b: 2048-4095\n",
            check.out());
        assertEquals("", check.err());

        final Topology topology = Topology.read(file);
        assertEquals(0x5eedL, topology.hashSeed());
        assertEquals(dir.resolve("slices").toString(), topology.sliceDir());
        final Topology.Appliance b = topology.appliances().get(1);
        assertEquals(new Topology.Appliance("b", "aeron:udp?endpoint=localhost:20220", 2001,
            "aeron:udp?endpoint=localhost:20221", 2002, "", "", List.of(new Topology.GroupRange(2048, 4095))), b);
        assertEquals(dir.resolve("a").toString(), topology.appliances().get(0).aeronDir());
        assertEquals(1001, topology.appliances().get(0).ingressStream());
    }

    @Test
    void shouldSplitGroupsThatDoNotDivideEvenlyIntoContiguousRanges() throws IOException
    {
        Files.createDirectories(dir);
        final CommandRun init = CommandRun.of("topology", "init", "--file", file.toString(), "--appliances",
            "x,y,z", "--key-groups", "16", "--hash-seed", "7", "--slice-dir", "/s",
            "--appliance", "x:cluster-ingress=0=h:1,1=h:2,2=h:3", "--appliance", "y:ingress=i;egress=e",
            "--appliance", "z:ingress=i;egress=e");
        assertEquals(0, init.exit(), init.err());
        assertEquals("sluice topology: wrote " + file + ": epoch 1, 16 key groups, x: 0-4, y: 5-9, z: 10-15\n",
            init.out());
        assertEquals("0=h:1,1=h:2,2=h:3", Topology.read(file).appliances().get(0).clusterIngress());
    }

    @Test
    void shouldRefuseToInitOverAnExistingFileOrWithAnApplianceLeftOutOrUnlisted() throws IOException
    {
        Files.createDirectories(dir);
        Files.writeString(file, "keep\n");
        final CommandRun exists = init("a,b", "4096", A, B);
        assertEquals(2, exists.exit());
        assertEquals("sluice topology: " + file + " exists: init writes a new topology only (sluice topology move " +
            "changes one; delete the file first to start over)\n", exists.err());
        assertEquals("keep\n", Files.readString(file));
        Files.delete(file);

        final CommandRun leftOut = init("a,b,c", "4096", A, B);
        assertEquals(2, leftOut.exit());
        assertEquals("sluice topology: init: --appliances names 'c' and no --appliance c:ingress=...;egress=... " +
            "gives its channels; nothing written\n", leftOut.err());
        assertFalse(Files.exists(file));

        final CommandRun unlisted = init("a", "4096", A, B);
        assertEquals(2, unlisted.exit());
        assertEquals("sluice topology: init: --appliance " + B + " names appliance 'b', which --appliances does " +
            "not list; nothing written\n", unlisted.err());

        final CommandRun badField = init("a,b", "4096", A, "b:ingres=x");
        assertEquals(2, badField.exit());
        assertEquals("sluice topology: init: --appliance b: 'ingres=x' is not FIELD=VALUE with a field of " +
            "aeron-dir, cluster-ingress, egress, egress-stream, ingress, ingress-stream; nothing written\n",
            badField.err());

        final CommandRun groups = init("a,b", "1000", A, B);
        assertEquals(2, groups.exit());
        assertEquals("sluice topology: init: key-groups=1000 must be a power of two from 1 to 65536; nothing written\n",
            groups.err());
        assertFalse(Files.exists(file));
    }

    @Test
    void shouldNameOverlappingRangesWithExitTwo() throws IOException
    {
        final CommandRun run = check(valid().replace("appliance.a.groups=0-2047", "appliance.a.groups=0-2048"));
        assertEquals(2, run.exit());
        assertEquals("sluice topology: topology file " + file + ": key group 2048 is owned by both 'a' and 'b'\n",
            run.err());
        assertEquals("", run.out());
    }

    @Test
    void shouldNameAGroupWithoutOwnerWithExitTwo() throws IOException
    {
        final CommandRun run = check(valid().replace("appliance.b.groups=2048-4095", "appliance.b.groups=2048-4094"));
        assertEquals(2, run.exit());
        assertEquals("sluice topology: topology file " + file + ": key group 4095 has no owner: every group of " +
            "[0, 4095] must be in exactly one appliance's groups\n", run.err());
    }

    @Test
    void shouldNameAKeyOfAnUnlistedApplianceWithExitTwo() throws IOException
    {
        final CommandRun run = check(valid() + "appliance.c.groups=0-1\n");
        assertEquals(2, run.exit());
        assertEquals("sluice topology: topology file " + file + ": appliance.c.groups names appliance 'c', which " +
            "appliances=a,b does not list\n", run.err());
    }

    @Test
    void shouldNameAMisspeltFieldWithExitTwo() throws IOException
    {
        final CommandRun run = check(valid() + "appliance.a.ingres=aeron:udp?endpoint=localhost:1\n");
        assertEquals(2, run.exit());
        assertEquals("sluice topology: topology file " + file + ": unknown key 'appliance.a.ingres': allowed per " +
            "appliance are ingress, ingress-stream, egress, egress-stream, cluster-ingress, aeron-dir, groups\n",
            run.err());
    }

    @Test
    void shouldNameAMissingKeyWithExitTwo() throws IOException
    {
        final CommandRun epoch = check(valid().replace("epoch=1\n", ""));
        assertEquals(2, epoch.exit());
        assertEquals("sluice topology: topology file " + file + ": epoch must be set\n", epoch.err());

        final CommandRun appliances = check(valid().replace("appliances=a,b\n", ""));
        assertEquals(2, appliances.exit());
        assertEquals("sluice topology: topology file " + file + ": appliances must be set\n", appliances.err());

        final CommandRun egress = check(valid().replace("appliance.b.egress=aeron:udp?endpoint=localhost:20221\n",
            ""));
        assertEquals(2, egress.exit());
        assertEquals("sluice topology: topology file " + file + ": appliance.b.ingress and appliance.b.egress " +
            "(a daemon) or appliance.b.cluster-ingress (a cluster) must be set\n", egress.err());
    }

    @Test
    void shouldNameAMissingFileWithExitTwo()
    {
        final CommandRun run = CommandRun.of("topology", "check", "--file", file.toString());
        assertEquals(2, run.exit());
        assertEquals("sluice topology: cannot read topology file " + file + ": java.nio.file.NoSuchFileException: " +
            file + "\n", run.err());
    }

    @Test
    void shouldShowTheFileBesideARunningAppliancesCountersAndFlagOneAheadOfTheFile() throws Exception
    {
        Files.createDirectories(dir);
        Files.writeString(file, valid());
        try (FakeAppliance a = new FakeAppliance(dir.resolve("a"), 3, 0, 1023))
        {
            final CommandRun run = CommandRun.of("topology", "show", "--file", file.toString());
            assertEquals(0, run.exit(), run.err());
            assertEquals("topology " + file + ": epoch 1, 4096 key groups, hash seed 0x5eed, slice dir " +
                dir.resolve("slices") + "\n" +
                "  a: groups 0-2047 (2048 groups); aeron dir " + dir.resolve("a") + ": live epoch 3 AHEAD of the " +
                "file (a move did not finish writing it, or this is an old copy), owns 1024 groups, moves 0 " +
                "released / 0 acquired, keys 0 out / 0 in\n" +
                "  b: groups 2048-4095 (2048 groups); aeron dir " + dir.resolve("b") + ": not running on this host\n",
                run.out());
        }
    }

    private CommandRun init(final String names, final String groups, final String... specs)
    {
        final List<String> words = new java.util.ArrayList<>(List.of("topology", "init", "--file", file.toString(),
            "--appliances", names, "--key-groups", groups, "--hash-seed", "0x5eed", "--slice-dir",
            dir.resolve("slices").toString()));
        for (final String spec : specs)
        {
            words.add("--appliance");
            words.add(spec);
        }
        return CommandRun.of(words.toArray(new String[0]));
    }

    private CommandRun check(final String text) throws IOException
    {
        Files.createDirectories(dir);
        Files.writeString(file, text);
        return CommandRun.of("topology", "check", "--file", file.toString());
    }

    private String valid()
    {
        return FakeAppliance.twoAppliances(dir);
    }
}
