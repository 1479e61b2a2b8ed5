package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.ResultMode;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.replay.JournalExport;
import io.sluice.tools.replay.JournalInput;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the replay and journal commands write: per-event results only with {@code --event-results}, {@code journal
 * export} of exactly the journaled events, exit code 2 for bad options, a live daemon's journal up to what it has
 * recorded. The scripted run and its helpers: {@link WhatIfReplayScript}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WhatIfReplayOutputSystemTest extends WhatIfReplayScript
{
    /**
     * Per-event results are in the output only with {@code --event-results}, whatever the processors compute: without
     * windows they have the key's running aggregate after every event, and with windows an event rule on the
     * aggregate (here {@code spike} on the window's max) has them merge the window for every event. Without the
     * option both hand it on tagged {@code NONE}, and it must be neither written nor counted.
     */
    @Test
    @Timeout(60)
    void shouldWritePerEventResultsOnlyWithTheEventResultsOption() throws IOException
    {
        assertEventResultsOnlyWhenAsked(windowless(journalDir), journalDir, "windowless",
            acceptedEvents(clientId, correlationIds, 4));
        assertEventResultsOnlyWhenAsked(config(Map.of("sluice.alert.spike.field", "max")), journalDir,
            "aggregate-rule", acceptedEvents(clientId, correlationIds, 4, 9, 11, 14));
    }

    /**
     * A client that asked for batched results live: the daemon sent them in {@code EventResultBatch} messages. The
     * replay writes none without {@code --event-results}, and with it a single {@code EventResult} for each accepted
     * event, as for any other client.
     */
    @Test
    @Timeout(60)
    void shouldWriteABatchingClientsPerEventResultsOnlyWithTheEventResultsOption() throws IOException
    {
        final Path batchedJournal = dir.resolve("batched-journal");
        final long[] ids = new long[SCRIPT.length];
        final long client;
        final List<String> batchedLive;
        try (TestDaemon daemon = journaled(new TestDaemon(), windowlessProperties(batchedJournal)).start();
            LiveRun run = new LiveRun(daemon, ResultMode.BATCHED))
        {
            client = run.client.clientId();
            for (int i = 0; i < SCRIPT.length; i++)
            {
                ids[i] = run.offerEvent(SCRIPT[i][0], T0 + SCRIPT[i][1] * MS, VALUES[i]);
            }
            for (final long key : KEYS)
            {
                run.offerQuery(key);
            }
            // the INVALID_VALUE reject and the queries' answers; the queries reach both processors after the events
            run.pollUntil((messages) -> answersTo(messages, client) == 1 + KEYS.length);
            assertEquals(0, run.messages.stream().filter((m) -> EventResultDecoder.TEMPLATE_ID == m.templateId())
                .count(), "no single event results live");
            batchedLive = batchedResults(run.messages);
        }
        final List<String> accepted = acceptedEvents(client, ids, 4);
        assertEquals(accepted, batchedLive, "every accepted event's result in an EventResultBatch live");
        assertEventResultsOnlyWhenAsked(windowless(batchedJournal), batchedJournal, "batched", accepted);
    }

    @Test
    @Timeout(60)
    void shouldExportExactlyTheJournaledEventsInTheOrderTheyWereSent() throws IOException
    {
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < SCRIPT.length; i++)
        {
            if (!Double.isNaN(VALUES[i]))
            {
                expected.add(clientId + "," + correlationIds[i] + "," + SCRIPT[i][0] + "," + (T0 + SCRIPT[i][1] * MS) +
                    "," + VALUES[i]);
            }
        }
        final PrintStream log = new PrintStream(new ByteArrayOutputStream(), true);
        final Path csv = dir.resolve("export.csv");
        assertEquals(expected.size(), JournalExport.export(journalDir, driverDir, null, null, csv,
            ReplayOutput.Format.CSV, -1, log));
        final List<String> lines = Files.readAllLines(csv);
        assertEquals(JournalExport.CSV_HEADER, lines.get(0));
        final List<String> exported = new ArrayList<>();
        long lastPosition = 0;
        for (int i = 1; i < lines.size(); i++)
        {
            final String[] columns = lines.get(i).split(",", 3);
            assertEquals(String.valueOf(i - 1), columns[0]);
            final long position = Long.parseLong(columns[1]);
            assertTrue(position >= lastPosition, "positions in journal order: " + lines);
            lastPosition = position;
            exported.add(columns[2]);
        }
        assertEquals(expected, exported);

        final Path sbe = dir.resolve("export.sbe");
        assertEquals(expected.size(), JournalExport.export(journalDir, driverDir, null, null, sbe,
            ReplayOutput.Format.SBE, -1, log));
        final List<String> decoded = new ArrayList<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(Files.readAllBytes(sbe));
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final EventDecoder event = new EventDecoder();
        for (int offset = 0; offset < buffer.capacity(); )
        {
            final int length = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
            header.wrap(buffer, offset + Integer.BYTES);
            assertEquals(EventDecoder.TEMPLATE_ID, header.templateId());
            event.wrapAndApplyHeader(buffer, offset + Integer.BYTES, header);
            assertEquals(length, MessageHeaderDecoder.ENCODED_LENGTH + event.encodedLength());
            decoded.add(event.clientId() + "," + event.correlationId() + "," + event.key() + "," + event.timestamp() +
                "," + event.value());
            offset += Integer.BYTES + length;
        }
        assertEquals(expected, decoded);
    }

    @Test
    @Timeout(60)
    void shouldAnswerTheReplayCommandsBadOptionsWithExitCodeTwo() throws IOException
    {
        final Path configFile = dir.resolve("whatif.properties");
        final Properties properties = properties(Map.of());
        try (OutputStream out = Files.newOutputStream(configFile))
        {
            properties.store(out, "WhatIfReplaySystemTest");
        }
        final Path empty = Files.createDirectories(dir.resolve("no-journal"));
        final String config = configFile.toString();
        final String out = dir.resolve("cli.csv").toString();
        assertEquals(2, SluiceMain.run(new String[]{ "replay", "--config", config }), "--out missing");
        assertEquals(2, SluiceMain.run(new String[]{ "replay", "--config", config, "--out", out, "--format", "xml" }));
        assertEquals(2, SluiceMain.run(new String[]{ "replay", "--config", config, "--out", out, "--compare", config,
            "--format", "sbe" }));
        assertEquals(2, SluiceMain.run(new String[]{ "replay", "--config", config, "--out", out, "--journal",
            empty.toString() }));
        assertTrue(Files.notExists(Path.of(out)));

        assertEquals(0, SluiceMain.run(new String[]{ "replay", "--config", config, "--out", out }));
        final List<String> lines = Files.readAllLines(Path.of(out));
        assertEquals(HEADER, lines.get(0));
        final Map<String, Integer> kinds = new TreeMap<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            kinds.merge(line.substring(0, line.indexOf(',')), 1, Integer::sum);
        }
        assertEquals(Map.of("alert", 5, "query", 6, "query-closed", 6, "reject", 4, "window", 7), kinds);
    }

    @Test
    @Timeout(60)
    void shouldReplayALiveDaemonsJournalUpToWhatItHasRecorded() throws Exception
    {
        final Path liveJournal = dir.resolve("live-journal");
        final int events = 50;
        try (TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.JOURNAL_MODE, "async")
            .set(SluiceConfig.JOURNAL_DIR, liveJournal.toString())
            .start();
            SluiceClient client = daemon.client())
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
            final RecordingHandler handler = new RecordingHandler();
            for (int i = 0; i < events; i++)
            {
                while (client.offerEvent(i % 5, T0 + i * MS, i) < 0)
                {
                    client.poll(handler, 16);
                }
            }
            SluiceSystemTest.awaitTotal(client, handler, events);
            assertEquals(events, handler.results.size());

            final long deadline = System.nanoTime() + TIMEOUT_NS;
            long journaled;
            while ((journaled = journaledEvents(liveJournal, daemon.driverDir)) < events && System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertEquals(events, journaled, "the journal holds every accepted event once recorded");

            final long recorded = daemon.counter(SluiceCounters.JOURNAL_RECORDED_POSITION_TYPE_ID,
                liveJournal.toString());
            assertEquals(recorded, JournalInput.open(liveJournal, daemon.driverDir).endPosition(),
                "a live journal is read up to the daemon's recorded position, not to whatever the files hold");
            final ByteArrayOutputStream log = new ByteArrayOutputStream();
            final WhatIfReplay.Result result = WhatIfReplay.run(new WhatIfReplay.Request(daemon.config(), null,
                liveJournal, daemon.driverDir, null, null, null, dir.resolve("live-replay.csv"),
                ReplayOutput.Format.CSV, true, false, -1, -1), new PrintStream(log, true));
            assertEquals(events, result.events());
            assertEquals(recorded, result.to());
            final String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("(live daemon pid " + ProcessHandle.current().pid() + ", up to its recorded " +
                "position "), text);
            assertTrue(text.contains("journal reads bounded to 64 MiB/s"), text);
            final List<String> lines = Files.readAllLines(dir.resolve("live-replay.csv"));
            assertEquals(events, lines.stream().filter((line) -> line.startsWith("event,")).count());
        }
    }

    /**
     * Replay to CSV and to SBE, without {@code --event-results} and with it: the per-event results are exactly those
     * of the accepted events with the option, none without, and the summary counts what the file holds.
     */
    private void assertEventResultsOnlyWhenAsked(
        final SluiceConfig config, final Path journal, final String name, final List<String> accepted)
        throws IOException
    {
        for (final boolean eventResults : new boolean[] { false, true })
        {
            final List<String> expected = eventResults ? accepted : List.of();
            final String what = name + (eventResults ? " with" : " without") + " --event-results";

            final Path csv = dir.resolve(name + "-" + eventResults + ".csv");
            final ByteArrayOutputStream log = new ByteArrayOutputStream();
            WhatIfReplay.run(new WhatIfReplay.Request(config, null, journal, driverDir, null, null, null, csv,
                ReplayOutput.Format.CSV, eventResults, false, -1, -1), new PrintStream(log, true));
            final List<String> rows = new ArrayList<>();
            for (final String line : Files.readAllLines(csv))
            {
                if (line.startsWith("event,"))
                {
                    final String[] columns = line.split(",", -1);
                    rows.add(columns[15] + " " + columns[1] + " " + columns[16]);
                }
            }
            assertEquals(expected, sortedList(rows), what + " (csv)");
            final String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains(" alerts, " + expected.size() + " event results, "), what + ": " + text);

            final Path sbe = dir.resolve(name + "-" + eventResults + ".sbe");
            WhatIfReplay.run(new WhatIfReplay.Request(config, null, journal, driverDir, null, null, null, sbe,
                ReplayOutput.Format.SBE, eventResults, false, -1, -1), new PrintStream(new ByteArrayOutputStream(),
                true));
            final List<Message> messages = messagesOf(sbe);
            assertEquals(expected, sortedList(messages.stream()
                .filter((m) -> EventResultDecoder.TEMPLATE_ID == m.templateId())
                .map((m) -> m.clientId() + " " + m.key() + " " + m.correlationId()).toList()), what + " (sbe)");
            assertEquals(0, messages.stream().filter((m) -> EventResultBatchDecoder.TEMPLATE_ID == m.templateId())
                .count(), what + " (sbe): no batches");
        }
    }

    /**
     * @param client   the script's client.
     * @param ids      the correlation ids of the script's events.
     * @param rejected indexes of the script's events the run rejects.
     * @return every other event as client, key and correlation id, sorted.
     */
    private static List<String> acceptedEvents(final long client, final long[] ids, final int... rejected)
    {
        final List<String> accepted = new ArrayList<>();
        for (int i = 0; i < SCRIPT.length; i++)
        {
            final int index = i;
            if (Arrays.stream(rejected).noneMatch((r) -> r == index))
            {
                accepted.add(client + " " + SCRIPT[i][0] + " " + ids[i]);
            }
        }
        return sortedList(accepted);
    }

    /**
     * @return the results in the {@code EventResultBatch} messages, as client, key and correlation id, sorted.
     */
    private static List<String> batchedResults(final List<Message> messages)
    {
        final List<String> results = new ArrayList<>();
        for (final Message message : messages)
        {
            if (EventResultBatchDecoder.TEMPLATE_ID != message.templateId())
            {
                continue;
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(HexFormat.of().parseHex(message.hex()));
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
            final EventResultBatchDecoder batch = new EventResultBatchDecoder()
                .wrap(buffer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
            for (final EventResultBatchDecoder.ResultsDecoder result : batch.results())
            {
                results.add(result.clientId() + " " + result.key() + " " + result.correlationId());
            }
        }
        return sortedList(results);
    }

    private static long journaledEvents(final Path journalDir, final String driverDir)
    {
        final JournalInput input = JournalInput.open(journalDir, driverDir);
        final long[] events = { 0 };
        input.read(input.startPosition(), Long.MAX_VALUE, 0, (buffer, offset, position) ->
        {
            if (io.sluice.core.ring.RingEntry.TYPE_EVENT ==
                buffer.getInt(offset + io.sluice.core.ring.RingEntry.TYPE_OFFSET))
            {
                events[0]++;
            }
        });
        return events[0];
    }
}
