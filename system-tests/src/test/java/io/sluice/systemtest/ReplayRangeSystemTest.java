package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ring.RingEntry;
import io.sluice.client.SluiceClient;
import io.sluice.server.journal.JournalArchive;
import io.sluice.server.journal.JournalFiles;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What-if replay's range, key filter and option checks over one recorded run: a journaled daemon given 600 events
 * over 6 keys in small batches (so the journal holds many messages), read back message by message with
 * {@link JournalFiles} for the expected figures.
 */
class ReplayRangeSystemTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;
    private static final int EVENTS = 600;
    private static final int KEYS = 6;
    private static final int BATCH = 10;

    private static Path dir;
    private static Path journalDir;
    private static Path configFile;
    private static SluiceConfig config;
    private static final List<long[]> MESSAGES = new ArrayList<>();

    /**
     * A journal message: its frame start, entries, events, and the event time of its first event (or -1).
     */
    private static long[] message(final long start, final long entries, final long events, final long firstTime)
    {
        return new long[] { start, entries, events, firstTime };
    }

    @BeforeAll
    static void record() throws IOException
    {
        dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-replay-range-" + System.nanoTime())
            .toAbsolutePath();
        journalDir = dir.resolve("journal");
        final Map<String, String> settings = Map.of(
            SluiceConfig.JOURNAL_MODE, "async",
            SluiceConfig.JOURNAL_DIR, journalDir.toString(),
            SluiceConfig.WINDOW_TYPE, "tumbling",
            SluiceConfig.WINDOW_SIZE, "50ms",
            SluiceConfig.WINDOW_ALLOWED_LATENESS, "10ms");
        try (TestDaemon daemon = settings(new TestDaemon(), settings).start();
            SluiceClient client = daemon.client())
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
            final RecordingHandler handler = new RecordingHandler();
            for (int i = 0; i < EVENTS; i++)
            {
                while (client.offerEvent(i % KEYS, T0 + i * MS, 100 + i % 7) < 0)
                {
                    client.poll(handler, 64);
                }
                if (BATCH - 1 == i % BATCH)
                {
                    SluiceSystemTest.awaitTotal(client, handler, i + 1);
                }
            }
            assertEquals(EVENTS, handler.results.size());
            config = daemon.config();
        }
        final Properties properties = new Properties();
        settings.forEach(properties::setProperty);
        configFile = dir.resolve("whatif.properties");
        try (OutputStream out = Files.newOutputStream(configFile))
        {
            properties.store(out, "ReplayRangeSystemTest");
        }
        final Path archiveDir = journalDir.resolve("archive");
        final JournalArchive.RecordingDescriptor journal = JournalFiles.find(archiveDir);
        JournalFiles.read(archiveDir, journal, journal.startPosition(), journal.stopPosition(),
            (buffer, offset, length, frameStart, endPosition) ->
            {
                long events = 0;
                long firstTime = -1;
                for (int i = offset; i < offset + length; i += RingEntry.LENGTH)
                {
                    if (RingEntry.TYPE_EVENT == buffer.getInt(i + RingEntry.TYPE_OFFSET))
                    {
                        firstTime = 0 == events ? buffer.getLong(i + RingEntry.TIMESTAMP_OFFSET) : firstTime;
                        events++;
                    }
                }
                MESSAGES.add(message(frameStart, length / RingEntry.LENGTH, events, firstTime));
                return true;
            });
        assertTrue(MESSAGES.size() > 40, "the journal holds many messages: " + MESSAGES.size());
    }

    private static TestDaemon settings(final TestDaemon daemon, final Map<String, String> settings)
    {
        settings.forEach(daemon::set);
        return daemon;
    }

    @AfterAll
    static void deleteDir()
    {
        IoUtil.delete(dir.toFile(), true);
    }

    private static WhatIfReplay.Result replay(final String from, final String to, final long[] keys, final Path out)
    {
        return WhatIfReplay.run(new WhatIfReplay.Request(config, null, journalDir, config.driverDir(), from, to, keys,
            out, ReplayOutput.Format.CSV, true, true, -1, -1), new PrintStream(new ByteArrayOutputStream(), true));
    }

    private static long entriesOf(final int fromMessage, final int toMessage)
    {
        long entries = 0;
        for (int i = fromMessage; i < toMessage; i++)
        {
            entries += MESSAGES.get(i)[1];
        }
        return entries;
    }

    @Test
    @Timeout(60)
    void shouldReplayExactlyTheMessagesThatStartInTheRange()
    {
        final long start = MESSAGES.get(10)[0];
        final long end = MESSAGES.get(25)[0];
        final Path out = dir.resolve("range.csv");

        final WhatIfReplay.Result positions = replay(Long.toString(start), Long.toString(end), null, out);
        assertEquals(start, positions.from());
        assertEquals(end, positions.to(), "read up to the first message not in the range");
        assertEquals(entriesOf(10, 25), positions.entries());

        final WhatIfReplay.Result inside = replay(Long.toString(start + 32), Long.toString(end + 32), null, out);
        assertEquals(entriesOf(11, 26), inside.entries(), "a position inside a message: the next message on");

        final WhatIfReplay.Result whole = replay(null, null, null, out);
        assertEquals(entriesOf(0, MESSAGES.size()), whole.entries());
        assertEquals(EVENTS, whole.events());
    }

    @Test
    @Timeout(60)
    void shouldStartATimeRangeAtTheFirstMessageWithAnEventAtOrAfterIt()
    {
        int first = -1;
        final long timeNs = T0 + 300 * MS;
        for (int i = 0; i < MESSAGES.size() && -1 == first; i++)
        {
            if (MESSAGES.get(i)[3] >= 0 && lastEventTime(i) >= timeNs)
            {
                first = i;
            }
        }
        final String time = Instant.ofEpochSecond(0, timeNs).toString();

        final WhatIfReplay.Result result = replay(time, null, null, dir.resolve("time.csv"));

        assertEquals(MESSAGES.get(first)[0], result.from(), time);
        assertEquals(entriesOf(first, MESSAGES.size()), result.entries());
    }

    private static long lastEventTime(final int message)
    {
        // events are offered in time order, BATCH a message at most: the message's last event time bounds it
        return MESSAGES.get(message)[3] + (MESSAGES.get(message)[2] - 1) * MS;
    }

    @Test
    @Timeout(60)
    void shouldGiveTheSelectedKeysExactlyTheWholeRunsRows() throws IOException
    {
        final Path all = dir.resolve("all.csv");
        final Path some = dir.resolve("some.csv");
        assertEquals(0, SluiceMain.run(new String[] { "replay", "--config", configFile.toString(), "--out",
            all.toString(), "--event-results", "--close-open-windows" }));
        assertEquals(0, SluiceMain.run(new String[] { "replay", "--config", configFile.toString(), "--out",
            some.toString(), "--event-results", "--close-open-windows", "--keys", "1,4" }));

        final Map<String, List<String>> whole = rowsByKey(all);
        final Map<String, List<String>> selected = rowsByKey(some);
        assertEquals(List.of("1", "4"), new ArrayList<>(selected.keySet()));
        assertEquals(whole.get("1"), selected.get("1"));
        assertEquals(whole.get("4"), selected.get("4"));
        assertEquals(EVENTS / KEYS, selected.get("1").stream().filter((row) -> row.startsWith("event,")).count());
        assertTrue(selected.get("4").stream().anyMatch((row) -> row.startsWith("window,")));
    }

    private static Map<String, List<String>> rowsByKey(final Path csv) throws IOException
    {
        final Map<String, List<String>> byKey = new TreeMap<>();
        final List<String> lines = Files.readAllLines(csv);
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] columns = line.split(",", -1);
            if (!"query".equals(columns[0]) && !"query-closed".equals(columns[0]))
            {
                byKey.computeIfAbsent(columns[1], (k) -> new ArrayList<>()).add(line);
            }
        }
        return byKey;
    }

    @Test
    @Timeout(60)
    void shouldAnswerBadRangesNumbersAndFilesWithExitCodeTwo()
    {
        final String config = configFile.toString();
        final Path out = dir.resolve("bad.csv");
        final long end = 1L << 40;
        assertEquals(2, SluiceMain.run(new String[] { "replay", "--out", out.toString() }), "--config missing");
        assertEquals(2, run(config, out, "--compare", dir.resolve("missing.properties").toString()));
        assertEquals(2, run(config, out, "--threads", "two"));
        assertEquals(2, run(config, out, "--threads", "0"));
        assertEquals(2, run(config, out, "--max-read-mb", "-5"));
        assertEquals(2, run(config, out, "--from", Long.toString(end)), "--from past the end");
        assertEquals(2, run(config, out, "--from", Long.toString(MESSAGES.get(5)[0]), "--to",
            Long.toString(MESSAGES.get(5)[0])), "--to not after --from");
        assertEquals(2, run(config, out, "--from", "yesterday"));
        assertEquals(2, run(config, out, "--from", "99999999999999999999"));
        assertEquals(2, run(config, out, "--keys", "1,x"));
        assertFalse(Files.exists(out));
    }

    private static int run(final String config, final Path out, final String... options)
    {
        final List<String> args = new ArrayList<>(List.of("replay", "--config", config, "--out", out.toString()));
        args.addAll(List.of(options));
        return SluiceMain.run(args.toArray(new String[0]));
    }
}
