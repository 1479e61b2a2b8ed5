package io.sluice.systemtest;

import io.sluice.client.SluiceClient;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.replay.WhatIfRun;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.state.Aggregate;
import io.sluice.core.window.WindowSpec;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.journal.JournalIdentity;
import io.sluice.tools.SluiceMain;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journaled daemon with windows takes events with snapshots between them and stops; it restarts with another
 * window size, says from which window start its windows are the new ones, takes more events, stops; then restarts
 * again with another slide and lateness, and likewise. After each restart, every window result the daemon sent equals
 * exactly, from the reported window start on, what a what-if run of the resulting journal under the new windows
 * gives, and nothing else. The same after a SIGKILL (the daemon a process of its own), and a change whose history
 * retention purged is refused unless the windows are reset.
 */
class WindowChangeSystemTest
{
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;
    private static final int SEGMENT = 1 << 20;
    private static final Pattern FROM = Pattern.compile("window results from window start (-?\\d+) \\(");

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-window-change-" + System.nanoTime());
    private final Path killedDriverDir = Path.of(dir + "-driver");
    private final Random random = new Random(22);
    private long eventTime = T0;

    @AfterEach
    void tearDown()
    {
        IoUtil.delete(dir.toFile(), true);
        IoUtil.delete(killedDriverDir.toFile(), true);
    }

    private TestDaemon daemon(final String size, final String slide, final String lateness)
    {
        return new TestDaemon()
            .set(SluiceConfig.JOURNAL_MODE, "sync")
            .set(SluiceConfig.JOURNAL_DIR, dir.toString())
            .set(SluiceConfig.JOURNAL_SEGMENT_LENGTH, Integer.toString(SEGMENT))
            .set(SluiceConfig.SNAPSHOT_INTERVAL, "100ms")
            .set(SluiceConfig.WINDOW_TYPE, "sliding")
            .set(SluiceConfig.WINDOW_SIZE, size)
            .set(SluiceConfig.WINDOW_SLIDE, slide)
            .set(SluiceConfig.WINDOW_ALLOWED_LATENESS, lateness)
            .set(SluiceConfig.TICK_INTERVAL, "1ms");
    }

    /**
     * Send events in bursts of 400 (event time 2 ms apart, one in ten up to 60 ms behind, 40 keys, values on a
     * 1/1024 grid), pausing between bursts so snapshots fall between them; wait until every window result the
     * processors closed has arrived.
     */
    private List<String> send(final TestDaemon daemon, final int bursts) throws Exception
    {
        final RecordingHandler handler = new RecordingHandler();
        final long closedBefore = windowsClosed(daemon);
        try (SluiceClient client = daemon.client())
        {
            bursts(client, handler, bursts);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (handler.windows.size() < windowsClosed(daemon) - closedBefore && System.nanoTime() < deadline)
            {
                if (0 == client.poll(handler, 10))
                {
                    Thread.sleep(1);
                }
            }
            assertEquals(windowsClosed(daemon) - closedBefore, handler.windows.size());
        }
        return handler.windows;
    }

    private void bursts(final SluiceClient client, final RecordingHandler handler, final int bursts) throws Exception
    {
        assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
        for (int burst = 0; burst < bursts; burst++)
        {
            for (int i = 0; i < 400; i++)
            {
                eventTime += 2 * MS;
                final long ts = random.nextInt(10) == 0 ? eventTime - random.nextInt(60) * MS : eventTime;
                final double value = (random.nextInt(200_000) - 50_000) / 1024.0;
                while (client.offerEvent(random.nextInt(40), ts, value) < 0)
                {
                    client.poll(handler, 10);
                }
            }
            final long pauseEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150);
            while (System.nanoTime() < pauseEnd)
            {
                if (0 == client.poll(handler, 10))
                {
                    Thread.sleep(1);
                }
            }
        }
    }

    private static long windowsClosed(final TestDaemon daemon)
    {
        long closed = 0;
        for (int p = 0; p < daemon.config().processorCount(); p++)
        {
            closed += daemon.counter(SluiceCounters.WINDOWS_CLOSED_TYPE_ID, p + " windows-closed");
        }
        return closed;
    }

    private static long firstWindowStart(final TestDaemon daemon)
    {
        final String log = daemon.log.toString();
        final Matcher matcher = FROM.matcher(log);
        assertTrue(log.contains("  rebuilt   windows changed (") && matcher.find(), log);
        System.out.println(log.substring(log.indexOf("  rebuilt   "), log.indexOf('\n', log.indexOf("  rebuilt   "))));
        return Long.parseLong(matcher.group(1));
    }

    /**
     * @return the window results a what-if run of the whole (stopped) journal under the given windows closes, from
     * a window start on, in the client's format.
     */
    private List<String> whatIf(final WindowSpec spec, final long from)
    {
        return whatIf(spec, from, SEGMENT);
    }

    private List<String> whatIf(final WindowSpec spec, final long from, final int segmentLength)
    {
        final JournalIdentity identity = JournalIdentity.read(dir);
        assertEquals(Long.toString(spec.sizeNs()), identity.stateSettings().get(SluiceConfig.WINDOW_SIZE),
            "journal.properties holds the new windows");
        assertEquals(Long.toString(spec.latenessNs()),
            identity.stateSettings().get(SluiceConfig.WINDOW_ALLOWED_LATENESS));
        final List<String> windows = new ArrayList<>();
        final ShardContext shards = new ShardContext().processorCount(2).stateCapacity(1024)
            .hashSeed(identity.hashSeed()).windowSpec(spec).conclude();
        final WhatIfRun run = new WhatIfRun(shards, new WindowSink(windows, from), spec.latenessNs(), false, null);
        JournalReader.read(dir, segmentLength, (buffer, offset, endPosition) -> run.apply(buffer, offset));
        windows.sort(null);
        return windows;
    }

    @Test
    @Timeout(120)
    void shouldSendExactlyTheWhatIfWindowsOfTheNewWindowsFromTheReportedStartAfterEachChange() throws Exception
    {
        try (TestDaemon first = daemon("100ms", "100ms", "20ms").set(SluiceConfig.STATE_CAPACITY, "1024")
            .set(SluiceConfig.SNAPSHOT_RETAIN, "20").start())
        {
            assertTrue(send(first, 6).size() > 100);
        }

        final List<String> afterSizeChange;
        final long sizeChangeFrom;
        try (TestDaemon second = daemon("50ms", "50ms", "20ms").set(SluiceConfig.STATE_CAPACITY, "1024")
            .set(SluiceConfig.SNAPSHOT_RETAIN, "20").start())
        {
            sizeChangeFrom = firstWindowStart(second);
            assertTrue(second.log.toString().contains(" (a snapshot), "),
                "the history starts at a snapshot older than the open windows: " + second.log);
            assertTrue(second.log.toString().contains("sluice.window.size 100ms -> 50ms"), second.log.toString());
            afterSizeChange = send(second, 3);
        }
        assertTrue(afterSizeChange.size() > 200, "windows after the change: " + afterSizeChange.size());
        afterSizeChange.sort(null);
        assertEquals(whatIf(WindowSpec.of(50 * MS, 50 * MS, 20 * MS), sizeChangeFrom), afterSizeChange);

        final List<String> afterSlideChange;
        final long slideChangeFrom;
        try (TestDaemon third = daemon("100ms", "25ms", "40ms").set(SluiceConfig.STATE_CAPACITY, "1024").start())
        {
            slideChangeFrom = firstWindowStart(third);
            afterSlideChange = send(third, 3);
        }
        assertTrue(afterSlideChange.size() > 500, "windows after the change: " + afterSlideChange.size());
        afterSlideChange.sort(null);
        assertEquals(whatIf(WindowSpec.of(100 * MS, 25 * MS, 40 * MS), slideChangeFrom), afterSlideChange);
    }

    @Test
    @Timeout(120)
    void shouldRebuildTheWindowsOfADaemonKilledWithSigkillUnderANewSize() throws Exception
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.DRIVER_DIR, killedDriverDir.toString());
        properties.setProperty(SluiceConfig.DRIVER_THREADING, "invoker");
        properties.setProperty(SluiceConfig.INGRESS_IDLE_STRATEGY, "backoff");
        properties.setProperty(SluiceConfig.PROCESSOR_WAIT_STRATEGY, "sleeping");
        properties.setProperty("aeron.term.buffer.length", "1m");
        properties.setProperty("aeron.ipc.term.buffer.length", "1m");
        properties.setProperty(SluiceConfig.INGRESS_CHANNEL, "aeron:udp?endpoint=localhost:" + TestDaemon.freeUdpPort());
        properties.setProperty(SluiceConfig.EGRESS_CHANNEL,
            "aeron:udp?control=localhost:" + TestDaemon.freeUdpPort() + "|control-mode=dynamic|fc=min,t:5s");
        daemon("100ms", "100ms", "20ms").properties.forEach((key, value) ->
        {
            if (!key.toString().startsWith("aeron.") && !SluiceConfig.DRIVER_DIR.equals(key))
            {
                properties.put(key, value);
            }
        });
        properties.setProperty(SluiceConfig.SNAPSHOT_RETAIN, "20");
        Files.createDirectories(dir);
        final Path configFile = dir.resolve("daemon.properties");
        try (OutputStream out = Files.newOutputStream(configFile))
        {
            properties.store(out, "WindowChangeSystemTest");
        }
        final Process process = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java")
            .getAbsolutePath(), "-Xmx256m", "-jar", TestDaemon.shadedJar().getAbsolutePath(), "daemon", "--config",
            configFile.toString()).redirectErrorStream(true).start();
        try
        {
            final DaemonProcessSystemTest.Daemon killed = new DaemonProcessSystemTest.Daemon(process);
            assertNotNull(killed.await("sluice: ready", 60), killed.output());
            final SluiceConfig config = SluiceConfig.of(properties);
            final RecordingHandler handler = new RecordingHandler();
            try (SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(config)
                .embeddedDriver(true)
                .driverThreading(DriverThreading.INVOKER)
                .driverIdleStrategy(IdleStrategyType.SLEEPING)))
            {
                bursts(client, handler, 6);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (handler.results.size() + handler.rejects.size() < 2_400 && System.nanoTime() < deadline)
                {
                    if (0 == client.poll(handler, 10))
                    {
                        Thread.sleep(1);
                    }
                }
                assertEquals(2_400, handler.results.size() + handler.rejects.size(), "every event answered");
            }
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, process.exitValue(), "SIGKILL\n" + killed.output());
        }
        finally
        {
            process.destroyForcibly();
        }

        final List<String> afterChange;
        final long from;
        try (TestDaemon restarted = daemon("200ms", "50ms", "20ms").set(SluiceConfig.SNAPSHOT_RETAIN, "20").start())
        {
            from = firstWindowStart(restarted);
            assertTrue(restarted.log.toString().contains("sluice.window.size 100ms -> 200ms"), restarted.log.toString());
            afterChange = send(restarted, 3);
        }
        assertTrue(afterChange.size() > 500, "windows after the change: " + afterChange.size());
        afterChange.sort(null);
        assertEquals(whatIf(WindowSpec.of(200 * MS, 50 * MS, 20 * MS), from), afterChange);
    }

    @Test
    @Timeout(120)
    void shouldRefuseAChangeWhoseHistoryWasPurgedNamingBothPositionsAndResetTheWindowsWhenAsked() throws Exception
    {
        try (TestDaemon first = daemon("100ms", "100ms", "20ms")
            .set(SluiceConfig.JOURNAL_SEGMENT_LENGTH, "64k")
            .set(SluiceConfig.SNAPSHOT_RETAIN, "2")
            .start())
        {
            send(first, 10);
        }
        final long start;
        try (TestDaemon refused = daemon("1s", "1s", "20ms").set(SluiceConfig.JOURNAL_SEGMENT_LENGTH, "64k"))
        {
            final ConfigurationException ex = assertThrows(ConfigurationException.class, refused::start);
            assertEquals(SluiceConfig.WINDOW_SIZE, ex.key());
            final Matcher kept = Pattern.compile("it keeps only from position (\\d+) ").matcher(ex.getMessage());
            assertTrue(kept.find(), ex.getMessage());
            start = Long.parseLong(kept.group(1));
            assertTrue(start > 0 && start % 65536 == 0, "a purged journal starts at a segment: " + start);
            assertEquals(SluiceConfig.WINDOW_SIZE + "=1000000000 differs from the journal (" +
                SluiceConfig.WINDOW_SIZE + " 100ms -> 1s, " + SluiceConfig.WINDOW_SLIDE + " 100ms -> 1s): rebuilding the open windows needs the journal from " +
                "position 0, it keeps only from position " + start + " (older segments purged by " +
                SluiceConfig.JOURNAL_RETENTION + "); start with sluice daemon --reset-windows to start the windows " +
                "empty and keep every key's running figures, or with the journal's window settings", ex.getMessage());
        }
        assertEquals("100000000", JournalIdentity.read(dir).stateSettings().get(SluiceConfig.WINDOW_SIZE),
            "a refused change leaves journal.properties as it was");

        final long newest = eventTime;
        final List<String> afterReset;
        final long from;
        try (TestDaemon reset = daemon("1s", "1s", "20ms").set(SluiceConfig.JOURNAL_SEGMENT_LENGTH, "64k")
            .set(SluiceConfig.SNAPSHOT_INTERVAL, "0s").resetWindows().start())
        {
            final String log = reset.log.toString();
            assertTrue(log.contains("--reset-windows: the journal keeps only from position " + start +
                ", a rebuild needs it from 0; windows start empty, window results from window start "), log);
            from = firstWindowStart(reset);
            assertTrue(from > newest - 1_000 * MS && from <= newest + 1_000 * MS, "the first window after " + newest);
            afterReset = send(reset, 4);
        }
        final List<String> complete = new ArrayList<>();
        for (final String window : afterReset)
        {
            final long windowStart = Long.parseLong(window.substring(window.indexOf('[') + 1, window.indexOf(',')));
            if (windowStart >= from)
            {
                complete.add(window);
            }
        }
        // no snapshot until the stop: the journal after the restart is all there for the what-if run
        assertTrue(complete.size() >= 40 && complete.size() < afterReset.size(),
            complete.size() + " complete of " + afterReset.size());
        complete.sort(null);
        assertEquals(whatIf(WindowSpec.of(1_000 * MS, 1_000 * MS, 20 * MS), from, 64 * 1024), complete);
    }

    /**
     * Window results in {@link RecordingHandler}'s format, from a window start on.
     */
    private static final class WindowSink implements ResultSink
    {
        private final List<String> windows;
        private final long from;

        WindowSink(final List<String> windows, final long from)
        {
            this.windows = windows;
            this.from = from;
        }

        public void onWindowResult(final long key, final long windowEnd, final Aggregate w)
        {
            if (w.windowStart() >= from)
            {
                windows.add(key + " [" + w.windowStart() + "," + windowEnd + ") n=" + w.count() + " sum=" + w.sum() +
                    " min=" + w.min() + " max=" + w.max() + " first=" + w.first() + " last=" + w.last());
            }
        }

        public void onEventResult(
            final long clientId, final long correlationId, final long key, final long timestamp, final Aggregate a,
            final long receiveNanos, final int resultMode)
        {
        }

        public void onQueryResult(
            final long clientId, final long correlationId, final long key, final boolean found, final Aggregate open,
            final Aggregate closed)
        {
        }

        public void onRejected(
            final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
        }

        public void onAlert(
            final int ruleIndex, final long key, final long windowStart, final int field, final int op,
            final double observed, final double threshold)
        {
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
        }
    }
}
