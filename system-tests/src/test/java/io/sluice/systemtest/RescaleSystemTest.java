package io.sluice.systemtest;

import io.sluice.client.SluiceClient;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.SluiceConfig;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import io.sluice.tools.SluiceMain;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rescale test, with real processes: a journaled daemon with windows, eviction and an alert rule, started
 * from the shaded jar with 2 processors under open-loop load from a resuming client in this JVM, is killed with
 * SIGKILL and started on the same journal with 4 processors, killed again and started with 1 (and a larger
 * capacity); the client resumes after each restart and keeps sending throughout. Each restart restores the newest
 * snapshot key by key into the new processor count and says so ({@code rescaled from 2 to 4 processors: N keys
 * moved in T ms}). After a last graceful stop (a final snapshot) the journal is read back in this JVM
 * ({@link CrashRecoverySystemTest#check}): every event the client offered is in it exactly once, as offered, and the
 * final snapshot's digest equals that of one uninterrupted run of the final configuration (1 processor) over the
 * whole journal from its start. {@code -Dsluice.test.rescale.seed=S} replays the moments and the load of a seed.
 */
class RescaleSystemTest
{
    private static final long CLIENT_ID = 0x0c4a_54ed_c11eL;
    private static final long RESUME_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long READY_LIMIT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final Pattern RESCALED =
        Pattern.compile("rescaled from (\\d+) to (\\d+) processors: ([\\d,]+) keys moved in (\\d+) ms");

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-rescale-" + System.nanoTime());
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException
    {
        processes.forEach(Process::destroyForcibly);
        for (final Process process : processes)
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        IoUtil.delete(dir.toFile(), true);
    }

    @Test
    @Timeout(300)
    void shouldKeepEveryKeyThroughRescalesFromTwoToFourToOneProcessorsWithSigkillBetween() throws Exception
    {
        final long testStartNs = System.nanoTime();
        final long seed = Long.getLong("sluice.test.rescale.seed", System.nanoTime());
        System.out.printf("rescale test: seed %d (replay with -Dsluice.test.rescale.seed=%d)%n", seed, seed);
        final Random random = new Random(seed);
        Files.createDirectories(dir);
        final int[] counts = { 2, 4, 1 };
        final int[] capacities = { 4096, 4096, 8192 };
        final List<List<String>> commands = new ArrayList<>();
        SluiceConfig config = null;
        final Properties base = properties();
        for (int step = 0; step < counts.length; step++)
        {
            final Properties properties = (Properties)base.clone();
            properties.setProperty(SluiceConfig.PROCESSOR_COUNT, Integer.toString(counts[step]));
            properties.setProperty(SluiceConfig.STATE_CAPACITY, Integer.toString(capacities[step]));
            final Path file = dir.resolve("daemon-" + counts[step] + ".properties");
            try (OutputStream out = Files.newOutputStream(file))
            {
                properties.store(out, "RescaleSystemTest");
            }
            commands.add(CrashRecoverySystemTest.daemonCommand(file));
            config = SluiceConfig.of(properties);
        }

        final CrashRecoverySystemTest.Load load = new CrashRecoverySystemTest.Load(random);
        final List<String> rescaled = new ArrayList<>();
        DaemonProcessSystemTest.Daemon daemon = start(commands.get(0));
        try (SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(config)
            .embeddedDriver(true)
            .driverThreading(DriverThreading.INVOKER)
            .driverIdleStrategy(IdleStrategyType.SLEEPING)
            .clientId(CLIENT_ID)
            .egressImages(1)))
        {
            assertNotNull(daemon.await("sluice: ready", 60), daemon.output());
            assertTrue(client.resume(load.log, RESUME_TIMEOUT_NS) >= 0, "first connect\n" + daemon.output());
            load.begin();
            for (int step = 1; step < counts.length; step++)
            {
                final long loadMs = 1_200 + random.nextInt(800);
                load.runFor(client, TimeUnit.MILLISECONDS.toNanos(loadMs));
                daemon.process.destroyForcibly();
                assertTrue(daemon.process.waitFor(30, TimeUnit.SECONDS), "killed");
                assertEquals(137, daemon.process.exitValue(), "SIGKILL\n" + daemon.output());

                final long restartNs = System.nanoTime();
                daemon = start(commands.get(step));
                while (!daemon.lines.contains("sluice: ready"))
                {
                    assertTrue(System.nanoTime() - restartNs < READY_LIMIT_NS,
                        "restart with " + counts[step] + " processors not ready in time\n" + daemon.output());
                    assertTrue(daemon.process.isAlive(), "restart with " + counts[step] + " processors failed\n" +
                        daemon.output());
                    load.step(client);
                }
                final long resent = client.resume(load.log, RESUME_TIMEOUT_NS);
                assertTrue(resent >= 0, "resume after the restart with " + counts[step] + " processors\n" +
                    daemon.output());
                final String line = rescaledLine(daemon);
                final Matcher matcher = RESCALED.matcher(line);
                assertTrue(matcher.find(), "the summary says the rescale\n" + daemon.output());
                assertEquals(counts[step - 1], Integer.parseInt(matcher.group(1)), line);
                assertEquals(counts[step], Integer.parseInt(matcher.group(2)), line);
                assertTrue(Long.parseLong(matcher.group(3).replace(",", "")) > 0, line);
                rescaled.add(line.trim());
                System.out.printf("  after %d ms of load, killed; restarted with %d processors, ready in %d ms: %s; " +
                    "resent %d%n", loadMs, counts[step], TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartNs),
                    line.trim(), resent);
            }
            load.runFor(client, TimeUnit.SECONDS.toNanos(1));
            assertEquals(0, client.resume(load.log, RESUME_TIMEOUT_NS),
                "nothing offered to the running daemon was lost\n" + daemon.output());
        }
        CrashRecoverySystemTest.stopCleanly(daemon);

        final Path journalDir = Path.of(config.journalDir());
        final SnapshotManifest last = new SnapshotStore(journalDir.resolve("snapshots")).complete().get(0);
        assertEquals(1, last.shardCount(), "the final snapshot is the final configuration's");
        final CrashRecoverySystemTest.Verdict verdict = CrashRecoverySystemTest.check(config, journalDir, last, load);
        System.out.printf("rescale test: seed %d, %s, %d events offered, %d journal entries (%d events of the " +
            "client), final snapshot digest %016x, uninterrupted 1-processor replay of %d entries %016x, %.1f s%n",
            seed, rescaled, load.offered, verdict.entries, verdict.clientEvents, last.digest(), verdict.replayed,
            verdict.replayDigest, (System.nanoTime() - testStartNs) / 1e9);

        assertEquals(0, verdict.journalStart, "no journal segment was purged: the whole run is replayable");
        assertEquals("", verdict.missing, "every offered event is journaled");
        assertEquals("", verdict.unexpected, "the journal holds only offered events, as offered");
        assertEquals("", verdict.twice, "no event journaled twice");
        assertEquals(load.offered, verdict.clientEvents);
        assertEquals(0, verdict.eventsAfterSnapshot, "the final snapshot covers every event");
        assertEquals(String.format("%016x", last.digest()), String.format("%016x", verdict.replayDigest),
            "the final snapshot's digest is that of the final configuration fed the journal from its start");
    }

    private static String rescaledLine(final DaemonProcessSystemTest.Daemon daemon)
    {
        for (final String line : daemon.lines)
        {
            if (RESCALED.matcher(line).find())
            {
                return line;
            }
        }
        return "(no rescaled line)";
    }

    private Properties properties()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.THREADING, "shared");
        properties.setProperty(SluiceConfig.DRIVER_MODE, "embedded");
        properties.setProperty(SluiceConfig.DRIVER_THREADING, "invoker");
        properties.setProperty(SluiceConfig.INGRESS_IDLE_STRATEGY, "backoff");
        properties.setProperty(SluiceConfig.RING_LENGTH, "16384");
        properties.setProperty("aeron.term.buffer.length", "1m");
        properties.setProperty("aeron.ipc.term.buffer.length", "1m");
        properties.setProperty(SluiceConfig.DRIVER_DIR, dir.resolve("driver").toString());
        properties.setProperty(SluiceConfig.JOURNAL_MODE, "sync");
        properties.setProperty(SluiceConfig.JOURNAL_DIR, dir.resolve("journal").toString());
        properties.setProperty(SluiceConfig.SNAPSHOT_INTERVAL, "300ms");
        properties.setProperty(SluiceConfig.WINDOW_TYPE, "sliding");
        properties.setProperty(SluiceConfig.WINDOW_SIZE, "200ms");
        properties.setProperty(SluiceConfig.WINDOW_SLIDE, "100ms");
        properties.setProperty(SluiceConfig.WINDOW_ALLOWED_LATENESS, "50ms");
        properties.setProperty(SluiceConfig.WINDOW_IDLE_ADVANCE, "200ms");
        properties.setProperty(SluiceConfig.EVICT_AFTER_WINDOWS, "5");
        properties.setProperty("sluice.alert.busy.on", "window");
        properties.setProperty("sluice.alert.busy.field", "count");
        properties.setProperty("sluice.alert.busy.op", ">=");
        properties.setProperty("sluice.alert.busy.threshold", "12");
        properties.setProperty(SluiceConfig.INGRESS_CHANNEL,
            "aeron:udp?endpoint=localhost:" + TestDaemon.freeUdpPort());
        properties.setProperty(SluiceConfig.EGRESS_CHANNEL,
            "aeron:udp?control=localhost:" + TestDaemon.freeUdpPort() + "|control-mode=dynamic|fc=min,t:5s");
        return properties;
    }


    private DaemonProcessSystemTest.Daemon start(final List<String> command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        return new DaemonProcessSystemTest.Daemon(process);
    }
}
