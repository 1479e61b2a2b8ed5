package io.sluice.tools.topology;

import io.sluice.config.topology.Topology;
import io.sluice.tools.CommandRun;
import io.sluice.server.topology.TopologyRequests;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code sluice topology move} against two fake appliances on this host (their counters in a CnC file, their answers
 * as the daemon writes them): a move releases on the owner, acquires on the target at the same epoch and writes
 * the file at that epoch with the range moved; a refused acquire makes the owner take its slice back at the epoch
 * after, and the file keeps the owners at that epoch (exit 1); nothing is sent for a bad option.
 */
class TopologyMoveTest
{
    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-topology-move-" + System.nanoTime());
    private final Path file = dir.resolve("topology.properties");
    private final String slices = dir.resolve("slices").toString();

    @BeforeEach
    void setUp() throws IOException
    {
        Files.createDirectories(dir);
        Files.writeString(file, FakeAppliance.twoAppliances(dir));
    }

    @AfterEach
    void tearDown()
    {
        IoUtil.delete(dir.toFile(), true);
    }

    @Test
    void shouldReleaseOnTheOwnerAcquireOnTheTargetAndWriteTheFileAtTheNextEpoch() throws Exception
    {
        try (FakeAppliance a = new FakeAppliance(dir.resolve("a"), 1, 0, 2047);
            FakeAppliance b = new FakeAppliance(dir.resolve("b"), 1, 2048, 4095))
        {
            final CommandRun run = move("0-1023", "b");
            assertEquals("", run.err());
            assertEquals(0, run.exit());
            assertEquals("sluice topology: move 2: groups 0-1023 (1024 groups) from a to b, epoch 1 -> 2\n" +
                "sluice topology: release on a: done at epoch 2, 10240 keys, 1024000 bytes, journal position 4096, " +
                "T ms in the daemon, T ms round trip\n" +
                "sluice topology: acquire on b: done at epoch 2, 10240 keys, 1024000 bytes, journal position 8192, " +
                "T ms in the daemon, T ms round trip\n" +
                "sluice topology: groups 0-1023 not served for T ms (from sending the release to the acquire's " +
                "answer; in the daemons T ms + T ms)\n" +
                "sluice topology: moved: " + file + " is at epoch 2, 4096 key groups, a: 1024-2047, " +
                "b: 0-1023,2048-4095\n", run.outTimed());
            assertEquals(List.of(new TopologyRequests.Request("release", 2, 2, 0, 1023, slices, "")), a.requests());
            assertEquals(List.of(new TopologyRequests.Request("acquire", 2, 2, 0, 1023, slices, "a")), b.requests());
            assertEquals(1024, a.ownedGroups());
            assertEquals(3072, b.ownedGroups());
            final Topology written = Topology.read(file);
            assertEquals(2, written.epoch());
            assertEquals(1, written.ownerOf(0));
            assertEquals(1, written.ownerOf(1023));
            assertEquals(0, written.ownerOf(1024));
            assertEquals(dir.resolve("a").toString(), written.appliances().get(0).aeronDir());
            assertEquals(List.of(), leftovers(dir.resolve("a")));
            assertEquals(List.of(), leftovers(dir.resolve("b")));
        }
    }

    @Test
    void shouldTakeTheNewEpochAboveAnApplianceAheadOfTheFile() throws Exception
    {
        try (FakeAppliance a = new FakeAppliance(dir.resolve("a"), 1, 0, 2047);
            FakeAppliance b = new FakeAppliance(dir.resolve("b"), 6, 2048, 4095))
        {
            final CommandRun run = move("2048-4095", "a");
            assertEquals(0, run.exit(), run.out());
            assertEquals(List.of(new TopologyRequests.Request("release", 7, 7, 2048, 4095, slices, "")),
                b.requests());
            assertEquals(List.of(new TopologyRequests.Request("acquire", 7, 7, 2048, 4095, slices, "b")),
                a.requests());
            assertEquals(7, Topology.read(file).epoch());
            assertEquals(0, Topology.read(file).ownerOf(4095));
            assertEquals("[]", Topology.read(file).appliances().get(1).ranges().toString());
        }
    }

    @Test
    void shouldRollBackARefusedAcquireSoTheOwnerKeepsTheGroupsAndExitOne() throws Exception
    {
        try (FakeAppliance a = new FakeAppliance(dir.resolve("a"), 1, 0, 2047);
            FakeAppliance b = new FakeAppliance(dir.resolve("b"), 1, 2048, 4095))
        {
            b.refuseAcquires("the slice does not fit: 10240 keys, 100 free slots");
            final CommandRun run = move("0-1023", "b");
            assertEquals(1, run.exit(), run.out() + run.err());
            assertEquals("sluice topology: move 2: groups 0-1023 (1024 groups) from a to b, epoch 1 -> 2\n" +
                "sluice topology: release on a: done at epoch 2, 10240 keys, 1024000 bytes, journal position 4096, " +
                "T ms in the daemon, T ms round trip\n" +
                "sluice topology: acquire on b: refused: the slice does not fit: 10240 keys, 100 free slots\n" +
                "sluice topology: the acquire on b failed: a takes groups 0-1023 back from its own slice at epoch 3\n" +
                "sluice topology: acquire back on a: done at epoch 3, 10240 keys, 1024000 bytes, journal position " +
                "8192, T ms in the daemon, T ms round trip\n" +
                "sluice topology: groups 0-1023 not served for T ms; not moved: a keeps them; " + file + " is at " +
                "epoch 3 with the owners unchanged\n", run.outTimed());
            assertEquals(List.of(new TopologyRequests.Request("release", 2, 2, 0, 1023, slices, ""),
                new TopologyRequests.Request("acquire", 3, 2, 0, 1023, slices, "a")), a.requests());
            assertEquals(List.of(new TopologyRequests.Request("acquire", 2, 2, 0, 1023, slices, "a")), b.requests());
            assertEquals(2048, a.ownedGroups());
            assertEquals(3, a.epoch());
            assertEquals(1, b.epoch());
            final Topology written = Topology.read(file);
            assertEquals(3, written.epoch());
            assertEquals("epoch 3: a=0-2047 b=2048-4095", written.toString());
            assertEquals(List.of(), leftovers(dir.resolve("a")));
            assertEquals(List.of(), leftovers(dir.resolve("b")));
        }
    }

    @Test
    void shouldNameTheAcquireThatRecoversAMoveWhoseOwnerCouldNotTakeTheGroupsBackAndRunIt() throws Exception
    {
        try (FakeAppliance a = new FakeAppliance(dir.resolve("a"), 1, 0, 2047);
            FakeAppliance b = new FakeAppliance(dir.resolve("b"), 1, 2048, 4095))
        {
            final String before = Files.readString(file);
            b.refuseAcquires("no room");
            a.refuseAcquires("disk full");
            final CommandRun run = move("0-1023", "b");
            assertEquals(1, run.exit(), run.out() + run.err());
            assertEquals("sluice topology: move 2: groups 0-1023 (1024 groups) from a to b, epoch 1 -> 2\n" +
                "sluice topology: release on a: done at epoch 2, 10240 keys, 1024000 bytes, journal position 4096, " +
                "T ms in the daemon, T ms round trip\n" +
                "sluice topology: acquire on b: refused: no room\n" +
                "sluice topology: the acquire on b failed: a takes groups 0-1023 back from its own slice at epoch 3\n" +
                "sluice topology: acquire back on a: refused: disk full\n" +
                "sluice topology: not moved, and a could not take groups 0-1023 back (its epoch 2, it owns 1024 " +
                "groups): " + file + " unchanged at epoch 1; if a released them they are in " + slices +
                "/move-2: once it runs again, sluice topology acquire --file " + file + " --groups 0-1023 --on a " +
                "--move-id 2 (docs/scale-out.md: a failed move)\n", run.outTimed());
            assertEquals(before, Files.readString(file));
            assertEquals(1024, a.ownedGroups());

            a.refuseAcquires(null);
            final CommandRun acquire = CommandRun.of("topology", "acquire", "--file", file.toString(), "--groups",
                "0-1023", "--on", "a", "--move-id", "2", "--timeout", "5");
            assertEquals(0, acquire.exit(), acquire.out() + acquire.err());
            assertEquals("sluice topology: acquire: groups 0-1023 (1024 groups) on a from the slice of move 2 " +
                "(released by a), epoch 3\n" +
                "sluice topology: acquire on a: done at epoch 3, 10240 keys, 1024000 bytes, journal position 8192, " +
                "T ms in the daemon, T ms round trip\n" +
                "sluice topology: acquired: " + file + " is at epoch 3, 4096 key groups, a: 0-2047, b: 2048-4095\n",
                acquire.outTimed());
            assertEquals(List.of(new TopologyRequests.Request("release", 2, 2, 0, 1023, slices, ""),
                new TopologyRequests.Request("acquire", 3, 2, 0, 1023, slices, "a"),
                new TopologyRequests.Request("acquire", 3, 2, 0, 1023, slices, "a")), a.requests());
            assertEquals(2048, a.ownedGroups());
            assertEquals("epoch 3: a=0-2047 b=2048-4095", Topology.read(file).toString());
        }
    }

    @Test
    void shouldRollBackAnAcquireThatIsNotAnsweredInTime() throws Exception
    {
        try (FakeAppliance a = new FakeAppliance(dir.resolve("a"), 1, 0, 2047);
            FakeAppliance b = new FakeAppliance(dir.resolve("b"), 1, 2048, 4095))
        {
            b.ignoreAcquires();
            final CommandRun run = CommandRun.of("topology", "move", "--file", file.toString(), "--groups", "0-1023",
                "--to", "b", "--timeout", "1");
            assertEquals(1, run.exit(), run.out() + run.err());
            assertEquals("sluice topology: move 2: groups 0-1023 (1024 groups) from a to b, epoch 1 -> 2\n" +
                "sluice topology: release on a: done at epoch 2, 10240 keys, 1024000 bytes, journal position 4096, " +
                "T ms in the daemon, T ms round trip\n" +
                "sluice topology: acquire on b: no answer within 1 s\n" +
                "sluice topology: the acquire on b failed: a takes groups 0-1023 back from its own slice at epoch 3\n" +
                "sluice topology: acquire back on a: done at epoch 3, 10240 keys, 1024000 bytes, journal position " +
                "8192, T ms in the daemon, T ms round trip\n" +
                "sluice topology: groups 0-1023 not served for T ms; not moved: a keeps them; " + file + " is at " +
                "epoch 3 with the owners unchanged\n", run.outTimed());
            assertEquals(List.of(), b.requests());
            assertEquals(1, b.epoch());
            assertEquals(2048, a.ownedGroups());
            assertEquals("epoch 3: a=0-2047 b=2048-4095", Topology.read(file).toString());
            assertEquals(List.of(), leftovers(dir.resolve("b")));
        }
    }

    @Test
    void shouldCountAnAcquireTheTargetTookWithoutAnsweringAsAMove() throws Exception
    {
        try (FakeAppliance a = new FakeAppliance(dir.resolve("a"), 1, 0, 2047);
            FakeAppliance b = new FakeAppliance(dir.resolve("b"), 1, 2048, 4095))
        {
            b.applyAcquiresWithoutAnswer();
            final CommandRun run = CommandRun.of("topology", "move", "--file", file.toString(), "--groups", "0-1023",
                "--to", "b", "--timeout", "1");
            assertEquals(0, run.exit(), run.out() + run.err());
            assertEquals("sluice topology: acquire on b: no answer within 1 s\n" +
                "sluice topology: groups 0-1023 not served for T ms (from sending the release to the acquire's " +
                "answer; the acquire was not answered in time, but b is at epoch 2: it took them)\n" +
                "sluice topology: moved: " + file + " is at epoch 2, 4096 key groups, a: 1024-2047, " +
                "b: 0-1023,2048-4095\n", run.outTimed().substring(run.outTimed().indexOf("sluice topology: acquire")));
            assertEquals(1, a.requests().size());
            assertEquals(3072, b.ownedGroups());
            assertEquals("epoch 2: a=1024-2047 b=0-1023,2048-4095", Topology.read(file).toString());
        }
    }

    @Test
    void shouldLeaveEverythingAsItWasWhenTheOwnerRefusesTheRelease() throws Exception
    {
        try (FakeAppliance a = new FakeAppliance(dir.resolve("a"), 1, 1024, 2047);
            FakeAppliance b = new FakeAppliance(dir.resolve("b"), 1, 2048, 4095))
        {
            final String before = Files.readString(file);
            final CommandRun run = move("0-1023", "b");
            assertEquals(1, run.exit());
            assertEquals("sluice topology: move 2: groups 0-1023 (1024 groups) from a to b, epoch 1 -> 2\n" +
                "sluice topology: release on a: refused: groups 0-1023 are not all owned here: 0 is not\n" +
                "sluice topology: nothing moved: a keeps groups 0-1023; " + file + " unchanged at epoch 1\n",
                run.out());
            assertEquals(List.of(), b.requests());
            assertEquals(before, Files.readString(file));
        }
    }

    @Test
    void shouldExitOneSendingNothingWhenTheTargetIsNotRunning() throws Exception
    {
        try (FakeAppliance a = new FakeAppliance(dir.resolve("a"), 1, 0, 2047))
        {
            final CommandRun run = move("0-1023", "b");
            assertEquals(1, run.exit());
            assertEquals("sluice topology: appliance 'b' is not running as a topology appliance at " +
                dir.resolve("b") + " (sluice topology show --file " + file + "); nothing changed\n", run.out());
            assertEquals(List.of(), a.requests());
        }
    }

    @Test
    void shouldExitTwoSendingNothingForAnUnknownTargetOrARangeOfTwoOwners()
    {
        final CommandRun unknown = move("0-1023", "c");
        assertEquals(2, unknown.exit());
        assertEquals("sluice topology: move: no appliance 'c' in the topology (epoch 1); nothing changed\n",
            unknown.err());
        final CommandRun twoOwners = move("2000-2100", "b");
        assertEquals(2, twoOwners.exit());
        assertEquals("sluice topology: move: groups 2000-2100 are not owned by one appliance: 2000 by 'a', 2048 by " +
            "'b'; nothing changed\n", twoOwners.err());
        final CommandRun beyond = move("0-4096", "b");
        assertEquals(2, beyond.exit());
        assertEquals("sluice topology: move: '0-4096' is not a group range within [0, 4095] with first <= last; " +
            "nothing changed\n", beyond.err());
        final CommandRun timeout = CommandRun.of("topology", "move", "--file", file.toString(), "--groups", "0-1",
            "--to", "b", "--timeout", "0");
        assertEquals(2, timeout.exit());
        assertEquals("sluice: configuration error: --timeout=0 must be a number from 1 to 3600\n", timeout.err());
    }

    private CommandRun move(final String groups, final String to)
    {
        return CommandRun.of("topology", "move", "--file", file.toString(), "--groups", groups, "--to", to,
            "--timeout", "5");
    }

    private static List<String> leftovers(final Path driverDir) throws IOException
    {
        try (var files = Files.list(driverDir))
        {
            return files.map((f) -> f.getFileName().toString()).filter((n) -> n.startsWith("sluice-topology-"))
                .toList();
        }
    }
}
