package io.sluice.systemtest;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ring.RingEntry;
import io.sluice.tools.SluiceMain;
import io.sluice.tools.rules.RulesTool;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live rule swaps on a journaled standalone daemon ({@code sluice rules apply}):
 * <ul>
 *     <li>under load, {@value #SWAPS} swaps between two rule sets: every alert the client receives equals a
 *     reference computed from the journal's events and the positions the tool printed (the old rules for an event
 *     in a message ending at or before a change's position, the new after);</li>
 *     <li>then {@code --dry-run} of one set over the whole journal beside the rules in force at its end counts
 *     every alert of each rule on each side as the journal's events say;</li>
 *     <li>a restart under other windows (which rebuilds the processors from part of the journal and writes a
 *     snapshot at start) and the restart after it keep the live rules;</li>
 *     <li>a SIGKILL right after a swap: the restarted daemon has the new rules (its summary says so and its alerts
 *     follow them).</li>
 * </ul>
 */
class RuleSwapSystemTest
{
    private static final int SWAPS = Integer.getInteger("sluice.test.rules.swaps", 100);
    private static final int KEYS = 50;
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final Pattern APPLIED =
        Pattern.compile("sluice rules: rules version (\\d+) applied at journal position (\\d+) \\(.*");
    /** Set A: one rule. */
    private static final String A = rule("big", ">", 700);
    /** Set B: two rules, other names and indexes. */
    private static final String B = rule("huge", ">=", 900) + rule("low", "<", 50);

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-rules-" + System.nanoTime());
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException
    {
        for (final Process process : processes)
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        IoUtil.delete(dir.toFile(), true);
    }

    @Test
    @Timeout(180)
    void shouldJudgeEveryEventByTheRulesInForceAtItsJournalPositionAcrossLiveSwapsUnderLoad() throws Exception
    {
        Files.createDirectories(dir);
        final Path journalDir = dir.resolve("journal");
        final Path ruleA = write("a.properties", A);
        final Path ruleB = write("b.properties", B);
        final long[] positions = new long[SWAPS + 1];
        final Alerts alerts = new Alerts();
        final Path daemonFile = dir.resolve("daemon.properties");
        long sent = 0;
        try (TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.JOURNAL_MODE, "async")
            .set(SluiceConfig.JOURNAL_DIR, journalDir.toString())
            .set(SluiceConfig.PROCESSOR_COUNT, "2")
            .set("sluice.alert.big.on", "event").set("sluice.alert.big.field", "value")
            .set("sluice.alert.big.op", ">").set("sluice.alert.big.threshold", "700")
            .start();
            SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(daemon.config())
                .aeronDirectoryName(daemon.driverDir).egressImages(2)))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
            try (OutputStream out = Files.newOutputStream(daemonFile))
            {
                daemon.properties.store(out, "RuleSwapSystemTest");
            }
            final SluiceConfig config = daemon.config();
            final AtomicReference<String> failure = new AtomicReference<>();
            final Thread swapper = new Thread(() ->
            {
                for (int version = 1; version <= SWAPS && null == failure.get(); version++)
                {
                    final Path file = 1 == version % 2 ? ruleB : ruleA;
                    final ByteArrayOutputStream out = new ByteArrayOutputStream();
                    final int exit = RulesTool.apply(config, RulesTool.validate(file, config), file,
                        TIMEOUT_NS, new PrintStream(out, true, StandardCharsets.UTF_8));
                    final Matcher m = APPLIED.matcher(out.toString(StandardCharsets.UTF_8).trim());
                    if (0 != exit || !m.matches() || Long.parseLong(m.group(1)) != version)
                    {
                        failure.set("swap " + version + " exit " + exit + ": " + out);
                        return;
                    }
                    positions[version] = Long.parseLong(m.group(2));
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }, "rule-swapper");
            swapper.start();
            while (swapper.isAlive())
            {
                if (sent - alerts.results < 2_000 && client.offerEvent(sent % KEYS, T0 + sent, sent % 1000) > 0)
                {
                    sent++;
                }
                if (0 == client.poll(alerts, 64))
                {
                    LockSupport.parkNanos(20_000);
                }
            }
            assertNull(failure.get());
            final long deadline = System.nanoTime() + TIMEOUT_NS;
            while (alerts.results < sent && System.nanoTime() < deadline)
            {
                if (0 == client.poll(alerts, 64))
                {
                    LockSupport.parkNanos(100_000);
                }
            }
            assertEquals(sent, alerts.results, "a result for every event");
            final long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < settle)
            {
                client.poll(alerts, 64);
            }
        }

        final List<String> expected = new ArrayList<>();
        final long[] events = { 0 };
        final long[] underA = { 0 };
        final long[] underB = { 0, 0 };
        JournalReader.read(journalDir, 128 * 1024 * 1024, (buffer, offset, endPosition) ->
        {
            final RingEntry entry = new RingEntry(new org.agrona.concurrent.UnsafeBuffer(buffer, offset,
                RingEntry.LENGTH), 0);
            if (RingEntry.TYPE_EVENT != entry.type())
            {
                return;
            }
            events[0]++;
            underA[0] += entry.value() > 700 ? 1 : 0;
            underB[0] += entry.value() >= 900 ? 1 : 0;
            underB[1] += entry.value() < 50 ? 1 : 0;
            int version = 0;
            while (version < SWAPS && positions[version + 1] < endPosition)
            {
                version++;
            }
            expected.addAll(reference(0 == version % 2 ? A : B, entry.key(), entry.value()));
        });
        assertEquals(sent, events[0], "every event journaled");
        for (int version = 2; version <= SWAPS; version++)
        {
            assertTrue(positions[version] > positions[version - 1], "positions grow: " + version);
        }
        final List<String> received = new ArrayList<>(alerts.alerts);
        Collections.sort(expected);
        Collections.sort(received);
        assertTrue(expected.size() > SWAPS, "alerts under both sets: " + expected.size());
        assertEquals(expected, received);
        System.out.printf("%d live rule swaps under %d events: %d alerts, each as the rules in force at its " +
            "journal position%n", SWAPS, sent, received.size());

        // what-if, then apply: set B over the whole journal beside the rules in force at its end (set A, version 100)
        final SluiceConfig config = SluiceConfig.load(daemonFile, new Properties());
        final ByteArrayOutputStream dryRun = new ByteArrayOutputStream();
        assertEquals(0, RulesTool.dryRun(daemonFile, config, RulesTool.validate(ruleB, config), "0",
            new PrintStream(dryRun, true, StandardCharsets.UTF_8)));
        final String summary = dryRun.toString(StandardCharsets.UTF_8);
        assertTrue(summary.startsWith("sluice rules: dry run from 0: proposed huge: on event value >= 900.0, low: on " +
            "event value < 50.0 against version " + SWAPS + " in force: big: on event value > 700.0\n"), summary);
        assertTrue(summary.contains("sluice replay: alerts of rule big: what-if 0, baseline " + underA[0] + "; 0 only " +
            "in what-if, " + underA[0] + " only in baseline\n"), summary);
        assertTrue(summary.contains("sluice replay: alerts of rule huge: what-if " + underB[0] + ", baseline 0; " +
            underB[0] + " only in what-if, 0 only in baseline\n"), summary);
        assertTrue(summary.contains("sluice replay: alerts of rule low: what-if " + underB[1] + ", baseline 0; " +
            underB[1] + " only in what-if, 0 only in baseline\n"), summary);
        assertTrue(summary.endsWith("sluice rules: dry run only: nothing applied (sluice rules apply without " +
            "--dry-run applies them)\n"), summary);
    }

    @Test
    @Timeout(120)
    void shouldRecoverTheNewRulesAfterASigkillRightAfterASwap() throws Exception
    {
        Files.createDirectories(dir);
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.THREADING, "shared");
        properties.setProperty(SluiceConfig.PROCESSOR_COUNT, "2");
        properties.setProperty(SluiceConfig.DRIVER_MODE, "embedded");
        properties.setProperty(SluiceConfig.DRIVER_THREADING, "invoker");
        properties.setProperty(SluiceConfig.INGRESS_IDLE_STRATEGY, "backoff");
        properties.setProperty(SluiceConfig.STATE_CAPACITY, "4096");
        properties.setProperty("aeron.term.buffer.length", "1m");
        properties.setProperty("aeron.ipc.term.buffer.length", "1m");
        properties.setProperty(SluiceConfig.DRIVER_DIR, dir.resolve("driver").toString());
        properties.setProperty(SluiceConfig.JOURNAL_MODE, "async");
        properties.setProperty(SluiceConfig.JOURNAL_DIR, dir.resolve("journal").toString());
        properties.setProperty(SluiceConfig.INGRESS_CHANNEL, "aeron:udp?endpoint=localhost:" + TestDaemon.freeUdpPort());
        properties.setProperty(SluiceConfig.EGRESS_CHANNEL,
            "aeron:udp?control=localhost:" + TestDaemon.freeUdpPort() + "|control-mode=dynamic|fc=min,t:5s");
        for (final String line : A.split("\n"))
        {
            properties.setProperty(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        final Path configFile = dir.resolve("daemon.properties");
        try (OutputStream out = Files.newOutputStream(configFile))
        {
            properties.store(out, "RuleSwapSystemTest");
        }
        final SluiceConfig config = SluiceConfig.of(properties);
        final Path ruleB = write("b.properties", B);

        final DaemonProcessSystemTest.Daemon first = start(configFile);
        assertNotNull(first.await("sluice: ready", 30), first.output());
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, RulesTool.apply(config, RulesTool.validate(ruleB, config), ruleB, TIMEOUT_NS,
            new PrintStream(out, true, StandardCharsets.UTF_8)), out.toString(StandardCharsets.UTF_8));
        final Matcher applied = APPLIED.matcher(out.toString(StandardCharsets.UTF_8).trim());
        assertTrue(applied.matches(), out.toString(StandardCharsets.UTF_8));
        assertEquals("1", applied.group(1));
        first.process.destroyForcibly();
        first.process.waitFor(10, TimeUnit.SECONDS);

        final DaemonProcessSystemTest.Daemon second = start(configFile);
        assertNotNull(second.await("sluice: ready", 30), second.output());
        assertEquals("  rules     configuration version 1 (a live change the journal holds; the file's " +
            "sluice.alert.* rules are not in force): huge: on event value >= 900.0, low: on event value < 50.0; " +
            "change with: sluice rules apply", second.await("  rules ", 1));
        final Alerts alerts = new Alerts();
        try (SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(config)
            .embeddedDriver(true).egressImages(2)))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), second.output());
            final double[] values = { 800, 950, 10, 500 };
            for (int i = 0; i < values.length; i++)
            {
                while (client.offerEvent(i, T0 + i, values[i]) < 0)
                {
                    client.poll(alerts, 16);
                }
            }
            final long deadline = System.nanoTime() + TIMEOUT_NS;
            while (alerts.results < values.length && System.nanoTime() < deadline)
            {
                client.poll(alerts, 16);
            }
            final long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < settle)
            {
                client.poll(alerts, 16);
            }
        }
        final List<String> received = new ArrayList<>(alerts.alerts);
        Collections.sort(received);
        assertEquals(List.of("huge#0 key 1 observed 950.0", "low#1 key 2 observed 10.0"), received,
            "set B's rules, not A's (800 would fire big)");
    }

    @Test
    @Timeout(120)
    void shouldKeepTheLiveRulesAcrossARestartUnderOtherWindowsAndTheRestartAfterIt() throws Exception
    {
        Files.createDirectories(dir);
        final Path journalDir = dir.resolve("journal");
        final Path ruleB = write("b.properties", B);
        final String inForce = "  rules     configuration version 1 (a live change the journal holds; the file's " +
            "sluice.alert.* rules are not in force): huge: on event value >= 900.0, low: on event value < 50.0; " +
            "change with: sluice rules apply";
        final String[] sizes = { "1s", "2s", "2s" };
        for (int run = 0; run < sizes.length; run++)
        {
            try (TestDaemon daemon = new TestDaemon()
                .set(SluiceConfig.JOURNAL_MODE, "async")
                .set(SluiceConfig.JOURNAL_DIR, journalDir.toString())
                .set(SluiceConfig.WINDOW_TYPE, "tumbling")
                .set(SluiceConfig.WINDOW_SIZE, sizes[run])
                .set("sluice.alert.big.on", "event").set("sluice.alert.big.field", "value")
                .set("sluice.alert.big.op", ">").set("sluice.alert.big.threshold", "700")
                .start())
            {
                if (0 == run)
                {
                    final SluiceConfig config = daemon.config();
                    final ByteArrayOutputStream out = new ByteArrayOutputStream();
                    assertEquals(0, RulesTool.apply(config, RulesTool.validate(ruleB, config), ruleB, TIMEOUT_NS,
                        new PrintStream(out, true, StandardCharsets.UTF_8)), out.toString(StandardCharsets.UTF_8));
                }
                else
                {
                    final String log = daemon.log();
                    assertTrue(log.contains(inForce + "\n"), "run " + run + ":\n" + log);
                    assertEquals(1 == run, log.contains("windows changed ("), "run " + run + ":\n" + log);
                }
            }
        }
    }

    private static List<String> reference(final String set, final long key, final double value)
    {
        final List<String> fired = new ArrayList<>();
        int index = 0;
        for (final String line : set.split("\n"))
        {
            if (!line.endsWith(".on=event"))
            {
                continue;
            }
            final String name = line.substring("sluice.alert.".length(), line.indexOf(".on="));
            final String op = lineOf(set, name, "op");
            final double threshold = Double.parseDouble(lineOf(set, name, "threshold"));
            final boolean fires = switch (op)
            {
                case ">" -> value > threshold;
                case ">=" -> value >= threshold;
                case "<" -> value < threshold;
                default -> value <= threshold;
            };
            if (fires)
            {
                fired.add(name + "#" + index + " key " + key + " observed " + value);
            }
            index++;
        }
        return fired;
    }

    private static String lineOf(final String set, final String name, final String attribute)
    {
        final String prefix = "sluice.alert." + name + "." + attribute + "=";
        for (final String line : set.split("\n"))
        {
            if (line.startsWith(prefix))
            {
                return line.substring(prefix.length());
            }
        }
        throw new IllegalArgumentException(prefix);
    }

    private static String rule(final String name, final String op, final double threshold)
    {
        final String base = "sluice.alert." + name + ".";
        return base + "on=event\n" + base + "field=value\n" + base + "op=" + op + "\n" + base + "threshold=" +
            threshold + "\n";
    }

    private Path write(final String name, final String text) throws IOException
    {
        final Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private DaemonProcessSystemTest.Daemon start(final Path configFile) throws IOException
    {
        final File jar = TestDaemon.shadedJar();
        final Process process = new ProcessBuilder(
            new File(System.getProperty("java.home"), "bin/java").getAbsolutePath(), "-Xmx256m", "-jar",
            jar.getAbsolutePath(), "daemon", "--config", configFile.toString())
            .redirectErrorStream(true).start();
        processes.add(process);
        return new DaemonProcessSystemTest.Daemon(process);
    }

    /**
     * Counts results and keeps each alert as {@code name#index key K observed V}.
     */
    private static final class Alerts implements SluiceResultHandler
    {
        final List<String> alerts = new CopyOnWriteArrayList<>();
        long results;

        public void onEventResult(final EventResultDecoder result)
        {
            results++;
        }

        public void onRejected(final RejectedDecoder rejected)
        {
            results++;
        }

        public void onAlert(final AlertDecoder alert)
        {
            final int index = alert.ruleIndex();
            final long key = alert.key();
            final double observed = alert.observed();
            final String name = alert.ruleName();
            alerts.add(name + "#" + index + " key " + key + " observed " + observed);
        }
    }
}
