package io.sluice.systemtest;

import io.sluice.client.SluiceClient;
import io.sluice.config.SluiceConfig;
import io.sluice.config.topology.KeyGroupHash;
import io.sluice.config.topology.Topology;
import io.sluice.core.RejectReason;
import io.sluice.tools.SluiceMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code sluice topology} commands against two real appliances on this host: {@code init} writes the file they
 * start from, {@code move} moves key groups 0-1023 from a to b and back through their driver directories, with the
 * moved keys' state, {@code show} reads their counters, and {@code sluice journal} lists a's two ownership changes.
 * <pre>
 *   sluice topology move ──(a's CnC: release)──► a ──► slices ──► b ◄──(b's CnC: acquire)── sluice topology move
 * </pre>
 */
class TopologyCommandsSystemTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int EVENTS_PER_KEY = 4;
    private static final long T0 = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldMoveKeyGroupsWithTheirStateBetweenRunningAppliancesAndBackWithTheCommands() throws Exception
    {
        final Path file = dir.resolve("topology.properties");
        final List<Long> moved = new ArrayList<>();
        final KeyGroupHash hash = new KeyGroupHash(0x5eedL, 4096);
        for (long key = 1; moved.size() < 10; key++)
        {
            if (hash.keyGroup(key) <= 1023)
            {
                moved.add(key);
            }
        }
        try (TestDaemon a = appliance("a", file); TestDaemon b = appliance("b", file))
        {
            final ToolRun init = ToolRun.of("topology", "init", "--file", file.toString(), "--appliances", "a,b",
                "--hash-seed", "0x5eed", "--slice-dir", dir.resolve("slices").toString(),
                "--appliance", spec("a", a), "--appliance", spec("b", b));
            assertEquals(0, init.exit(), init.err());
            a.start();
            b.start();

            final TopologySystemTest.Handler atA = new TopologySystemTest.Handler();
            try (SluiceClient client = client(a))
            {
                int sent = 0;
                for (final long key : moved)
                {
                    for (int i = 0; i < EVENTS_PER_KEY; i++)
                    {
                        while (client.offerEvent(key, T0 + i, key + i) <= 0)
                        {
                            client.poll(atA, 64);
                        }
                        sent++;
                    }
                }
                await(client, atA, sent, () -> atA.results);
            }

            final ToolRun move = ToolRun.of("topology", "move", "--file", file.toString(), "--groups", "0-1023",
                "--to", "b");
            assertEquals(0, move.exit(), move.out() + move.err() + a.log() + b.log());
            System.out.print(move.out());
            final String[] lines = move.out().split("\n");
            assertEquals(5, lines.length, move.out());
            assertEquals("sluice topology: move 2: groups 0-1023 (1024 groups) from a to b, epoch 1 -> 2", lines[0]);
            assertTrue(lines[1].startsWith("sluice topology: release on a: done at epoch 2, 10 keys, "), lines[1]);
            assertTrue(lines[2].startsWith("sluice topology: acquire on b: done at epoch 2, 10 keys, "), lines[2]);
            assertTrue(lines[3].startsWith("sluice topology: groups 0-1023 not served for "), lines[3]);
            assertEquals("sluice topology: moved: " + file + " is at epoch 2, 4096 key groups, a: 1024-2047, " +
                "b: 0-1023,2048-4095", lines[4]);

            final ToolRun show = ToolRun.of("topology", "show", "--file", file.toString());
            assertEquals(0, show.exit(), show.err());
            assertTrue(show.out().contains("  a: groups 1024-2047 (1024 groups); aeron dir " + a.driverDir +
                ": live epoch 2, owns 1024 groups, moves 1 released / 0 acquired, keys 10 out / 0 in\n"), show.out());
            assertTrue(show.out().contains("  b: groups 0-1023,2048-4095 (3072 groups); aeron dir " + b.driverDir +
                ": live epoch 2, owns 3072 groups, moves 0 released / 1 acquired, keys 0 out / 10 in\n"), show.out());

            final TopologySystemTest.Handler atB = new TopologySystemTest.Handler();
            try (SluiceClient client = client(b))
            {
                for (final long key : moved)
                {
                    while (client.offerQuery(key) <= 0)
                    {
                        client.poll(atB, 64);
                    }
                }
                await(client, atB, moved.size(), atB.queries::size);
            }
            for (final long key : moved)
            {
                assertEquals(EVENTS_PER_KEY, atB.queries.get(key)[0], "count of key " + key + " at b");
                assertEquals(EVENTS_PER_KEY * key + 6.0, atB.queries.get(key)[1], "sum of key " + key + " at b");
            }
            final TopologySystemTest.Handler refused = new TopologySystemTest.Handler();
            try (SluiceClient client = client(a))
            {
                assertTrue(client.offerEvent(moved.get(0), T0 + 10, 1.0) > 0);
                await(client, refused, 1, refused.rejects::size);
            }
            assertEquals(new TopologySystemTest.Handler.Reject(moved.get(0), RejectReason.NOT_OWNER, 2),
                refused.rejects.get(0));

            final ToolRun back = ToolRun.of("topology", "move", "--file", file.toString(), "--groups", "0-1023",
                "--to", "a");
            assertEquals(0, back.exit(), back.out() + back.err());
            assertEquals("epoch 3: a=0-2047 b=2048-4095", Topology.read(file).toString());

            final Path journalConfig = dir.resolve("a.properties");
            Files.writeString(journalConfig, SluiceConfig.JOURNAL_DIR + "=" + dir.resolve("journal-a") + "\n" +
                SluiceConfig.DRIVER_DIR + "=" + a.driverDir + "\n");
            final ToolRun journal = ToolRun.of("journal", "--config", journalConfig.toString());
            assertEquals(0, journal.exit(), journal.out() + journal.err());
            assertTrue(journal.out().matches("(?s).*\n  ownership changes \\(topology\\): 2\n" +
                "    epoch 2, move 2: released key groups 0-1023 \\(1024\\) at journal position [0-9]+\n" +
                "    epoch 3, move 3: acquired key groups 0-1023 \\(1024\\) at journal position [0-9]+\n.*"),
                journal.out());
        }
    }

    private TestDaemon appliance(final String name, final Path file)
    {
        return new TestDaemon()
            .set(SluiceConfig.TOPOLOGY_FILE, file.toString())
            .set(SluiceConfig.TOPOLOGY_APPLIANCE, name)
            .set(SluiceConfig.JOURNAL_MODE, "async")
            .set(SluiceConfig.JOURNAL_DIR, dir.resolve("journal-" + name).toString())
            .set(SluiceConfig.PROCESSOR_COUNT, "2")
            .set(SluiceConfig.STATE_CAPACITY, "4096");
    }

    private static String spec(final String name, final TestDaemon daemon)
    {
        final SluiceConfig config = daemon.config();
        return name + ":ingress=" + config.ingressChannel() + ";ingress-stream=" + config.ingressStreamId() +
            ";egress=" + config.egressChannel() + ";egress-stream=" + config.egressStreamId() + ";aeron-dir=" +
            daemon.driverDir;
    }

    private static SluiceClient client(final TestDaemon daemon)
    {
        final SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(daemon.config())
            .aeronDirectoryName(daemon.driverDir).egressImages(2));
        assertTrue(client.awaitConnected(TIMEOUT_NS), daemon::log);
        return client;
    }

    private static void await(
        final SluiceClient client, final TopologySystemTest.Handler handler, final int count,
        final java.util.function.IntSupplier done)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (done.getAsInt() < count && System.nanoTime() - deadline < 0)
        {
            if (0 == client.poll(handler, 64))
            {
                LockSupport.parkNanos(100_000);
            }
        }
        assertEquals(count, done.getAsInt(), "answers; rejects " + handler.rejects);
    }
}
