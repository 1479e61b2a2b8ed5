package io.sluice.systemtest;

import io.sluice.config.SluiceConfig;
import io.sluice.core.route.ShardRouter;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What-if replay under the recorded daemon's own configuration, 1 and 4 processors, one thread or two: exactly
 * what the daemon published, but the answers to connection probes; windows left open closed only when asked.
 * The scripted run and its helpers: {@link WhatIfReplayScript}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WhatIfReplaySystemTest extends WhatIfReplayScript
{
    @Test
    @Timeout(60)
    void shouldPublishTheScriptedOutputLive()
    {
        assertEquals(List.of(
            "1 0 100 n=2 sum=207.0 max=107.0 last=107.0",
            "1 100 200 n=1 sum=100.0 max=100.0 last=100.0",
            "2 0 100 n=2 sum=207.0 max=106.0 last=101.0",
            "3 0 100 n=1 sum=109.0 max=109.0 last=109.0",
            "3 100 200 n=1 sum=104.0 max=104.0 last=104.0",
            "4 0 100 n=1 sum=160.0 max=160.0 last=160.0",
            "4 100 200 n=1 sum=103.0 max=103.0 last=103.0"), describe(live, WindowResultDecoder.TEMPLATE_ID));
        assertEquals(List.of("1 0 107.0 hot", "2 0 106.0 hot", "3 0 109.0 hot", "4 - 160.0 spike", "4 0 160.0 hot"),
            describe(live, AlertDecoder.TEMPLATE_ID));
        assertEquals(sortedList(List.of(
            "4 " + correlationIds[4] + " INVALID_VALUE 0",
            "2 " + correlationIds[9] + " LATE 1",
            "1 " + correlationIds[11] + " LATE 3",
            "1 " + correlationIds[14] + " LATE 2")), describe(live, RejectedDecoder.TEMPLATE_ID));
        assertEquals(SCRIPT.length - 4, live.stream()
            .filter((m) -> EventResultDecoder.TEMPLATE_ID == m.templateId() && clientId == m.clientId()).count());
    }

    @Test
    @Timeout(60)
    void shouldReplayUnderTheLiveConfigurationExactlyWhatTheDaemonPublished() throws IOException
    {
        final List<Message> replayed = replaySbe(config(Map.of()), "live.sbe");
        assertEquals(sorted(live), sorted(replayed), "the same messages, byte for byte");
        assertEquals(byKey(live), byKey(replayed), "each key's messages in the same order");
        assertEquals(byProcessor(live, 2), byProcessor(replayed, 2), "each processor's messages in the same order");
    }

    /**
     * Windows the clock closed: with idle advance the daemon's watermark moves on with its clock once events stop,
     * and only the journaled ticks say how far; replay under the daemon's configuration must take them as they are.
     */
    @Test
    @Timeout(60)
    void shouldReplayWindowsClosedByIdleAdvanceExactlyAsTheDaemonPublishedThem() throws IOException
    {
        final Path idleJournal = dir.resolve("idle-journal");
        final Map<String, String> idle = Map.of(SluiceConfig.WINDOW_IDLE_ADVANCE, "50ms");
        final List<Message> published;
        final SluiceConfig config;
        try (TestDaemon daemon = journaled(new TestDaemon(), idleJournal, idle).start();
            LiveRun run = new LiveRun(daemon))
        {
            config = daemon.config();
            for (int i = 0; i < KEYS.length; i++)
            {
                run.offerEvent(KEYS[i], T0 + (10 + i) * MS, 104 + i);
            }
            // no event ever closes a window here: only ticks of the idle advance can
            run.pollUntil((messages) -> messages.stream()
                .filter((m) -> WindowResultDecoder.TEMPLATE_ID == m.templateId()).count() == KEYS.length);
            published = withoutProbeAnswers(run.messages);
        }
        assertEquals(List.of("1 0 100 n=1 sum=104.0 max=104.0 last=104.0", "2 0 100 n=1 sum=105.0 max=105.0 last=105.0",
            "3 0 100 n=1 sum=106.0 max=106.0 last=106.0", "4 0 100 n=1 sum=107.0 max=107.0 last=107.0"),
            describe(published, WindowResultDecoder.TEMPLATE_ID));
        assertEquals(List.of("3 0 106.0 hot", "4 0 107.0 hot"), describe(published, AlertDecoder.TEMPLATE_ID));

        final List<Message> replayed = replaySbe(config, idleJournal, "idle.sbe", KEYS.length);
        assertEquals(sorted(published), sorted(replayed), "the same messages, byte for byte");
        assertEquals(byKey(published), byKey(replayed), "each key's messages in the same order");
    }

    /**
     * Two threads, each the only writer of its shards, give each processor's output in the same order as one thread:
     * the file holds the first thread's shards, then the second's.
     */
    @Test
    @Timeout(60)
    void shouldGiveEachProcessorsOutputInTheSameOrderWithOneThreadOrTwo() throws IOException
    {
        final List<Message> one = replaySbe(config(Map.of()), journalDir, "one-thread.sbe", SCRIPT.length - 1, 1);
        final List<Message> two = replaySbe(config(Map.of()), journalDir, "two-threads.sbe", SCRIPT.length - 1, 2);
        assertEquals(sorted(live), sorted(two), "the same messages, byte for byte");
        assertEquals(byProcessor(one, 2), byProcessor(two, 2), "each processor's messages in the same order");
        assertEquals(byProcessor(live, 2), byProcessor(two, 2));
        final ShardRouter router = shards(config(Map.of())).router();
        final long shardZero = two.stream().filter((m) -> 0 == router.shard(m.key(), 2)).count();
        assertTrue(shardZero > 0 && shardZero < two.size(), "both shards answer: " + shardZero + " of " + two.size());
        assertTrue(two.subList(0, (int)shardZero).stream().allMatch((m) -> 0 == router.shard(m.key(), 2)),
            "the first thread's shard first");
    }

    @Test
    @Timeout(60)
    void shouldReplayAJournalOfTwoShardsUnderOneAndFourToTheSameOutputPerKey() throws IOException
    {
        final Map<Long, List<String>> two = byKey(replaySbe(config(Map.of()), "two.sbe"));
        final List<Message> one = replaySbe(config(Map.of(SluiceConfig.PROCESSOR_COUNT, "1")), "one.sbe");
        final List<Message> four = replaySbe(config(Map.of(SluiceConfig.PROCESSOR_COUNT, "4")), "four.sbe");
        assertEquals(byKey(live), two);
        assertEquals(two, byKey(one));
        assertEquals(two, byKey(four));
        assertEquals(sorted(live), sorted(one));
        assertEquals(sorted(live), sorted(four));
    }

    @Test
    @Timeout(60)
    void shouldCloseTheWindowsStillOpenAtTheEndOnlyWhenAsked() throws IOException
    {
        final Path out = dir.resolve("closed.csv");
        WhatIfReplay.run(new WhatIfReplay.Request(config(Map.of()), null, journalDir, driverDir, null, null, null, out,
            ReplayOutput.Format.CSV, false, true, -1, -1), new PrintStream(new ByteArrayOutputStream(), true));
        final List<String> lines = Files.readAllLines(out);
        assertEquals(HEADER, lines.get(0));
        final long w2 = T0 + 200 * MS;
        final long w3 = T0 + 300 * MS;
        final List<String> closedAtTheEnd = new ArrayList<>();
        for (final String line : lines)
        {
            if (line.startsWith("window,") && line.contains("," + w2 + "," + w3 + ",") ||
                line.startsWith("alert,") && line.contains("," + w2 + ","))
            {
                closedAtTheEnd.add(line);
            }
        }
        assertEquals(sortedList(List.of(
            "window,2," + w2 + "," + w3 + ",1,105.0,105.0,105.0,105.0,105.0,,,,,,,,,,,",
            "window,3," + w2 + "," + w3 + ",1,108.0,108.0,108.0,108.0,108.0,,,,,,,,,,,",
            "window,4," + w2 + "," + w3 + ",1,110.0,110.0,110.0,110.0,110.0,,,,,,,,,,,",
            "alert,3," + w2 + ",,,,,,,,hot,MAX,GT,108.0,105.0,,,,,,",
            "alert,4," + w2 + ",,,,,,,,hot,MAX,GT,110.0,105.0,,,,,,")), sortedList(closedAtTheEnd));
        assertEquals(7 + 3, lines.stream().filter((line) -> line.startsWith("window,")).count());
        assertEquals(5 + 2, lines.stream().filter((line) -> line.startsWith("alert,")).count());
    }

    /**
     * While it waits to be connected, the client sends Queries with negative correlation ids (its connection probes)
     * and the daemon answers them like any query. They are journaled, but they are not the user's input: the replay
     * leaves their answers out of its output and its count of query results.
     */
    @Test
    @Timeout(60)
    void shouldLeaveTheClientsConnectionProbesOutOfTheReplayOutput() throws IOException
    {
        assertTrue(probesAnswered > 0, "the client probed the daemon live");
        final Path out = dir.resolve("queries.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(config(Map.of()), null, journalDir, driverDir, null, null, null, out,
            ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        final List<String> replayed = new ArrayList<>();
        for (final String line : Files.readAllLines(out))
        {
            if (line.startsWith("query,") || line.startsWith("query-closed,"))
            {
                final String[] columns = line.split(",", -1);
                replayed.add(columns[0] + " " + columns[1] + " " + columns[15] + " " + columns[16]);
            }
        }
        final List<String> expected = new ArrayList<>();
        for (final long[] query : queries)
        {
            expected.add("query " + query[0] + " " + clientId + " " + query[1]);
            expected.add("query-closed " + query[0] + " " + clientId + " " + query[1]);
        }
        assertEquals(6, queries.size());
        assertEquals(sortedList(expected), sortedList(replayed));
        final String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("sluice replay: wrote 7 window results, 5 alerts, 0 event results, 6 query results, " +
            "rejects: "), text);
    }

    /**
     * @return the messages of one kind, each as a line (times as ms after {@code T0}, {@code -} for none), sorted.
     */
    private static List<String> describe(final List<Message> messages, final int templateId)
    {
        final List<String> lines = new ArrayList<>();
        for (final Message message : messages)
        {
            if (templateId != message.templateId())
            {
                continue;
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(HexFormat.of().parseHex(message.hex()));
            final int body = MessageHeaderDecoder.ENCODED_LENGTH;
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
            if (WindowResultDecoder.TEMPLATE_ID == templateId)
            {
                final WindowResultDecoder w = new WindowResultDecoder()
                    .wrap(buffer, body, header.blockLength(), header.version());
                lines.add(w.key() + " " + (w.windowStart() - T0) / MS + " " + (w.windowEnd() - T0) / MS + " n=" +
                    w.count() + " sum=" + w.sum() + " max=" + w.max() + " last=" + w.last());
            }
            else if (AlertDecoder.TEMPLATE_ID == templateId)
            {
                final AlertDecoder a = new AlertDecoder().wrap(buffer, body, header.blockLength(), header.version());
                lines.add(a.key() + " " + (0 == a.windowStart() ? "-" : (a.windowStart() - T0) / MS + "") + " " +
                    a.observed() + " " + a.ruleName());
            }
            else if (RejectedDecoder.TEMPLATE_ID == templateId)
            {
                final RejectedDecoder r = new RejectedDecoder().wrap(buffer, body, header.blockLength(), header.version());
                lines.add(r.key() + " " + r.correlationId() + " " + r.reason() + " " + r.batchIndex());
            }
        }
        return sortedList(lines);
    }

    private static Map<Long, List<String>> byKey(final List<Message> messages)
    {
        final Map<Long, List<String>> byKey = new TreeMap<>();
        for (final Message message : messages)
        {
            byKey.computeIfAbsent(message.key(), (k) -> new ArrayList<>()).add(message.hex());
        }
        return byKey;
    }

    /**
     * @return the messages as the given number of processors produce them: each processor's sequence, in the order
     * of their first message.
     */
    private List<List<String>> byProcessor(final List<Message> messages, final int processors)
    {
        final ShardRouter router = shards(config(Map.of())).router();
        final List<List<String>> sequences = new ArrayList<>();
        final Map<Integer, List<String>> byShard = new TreeMap<>();
        for (final Message message : messages)
        {
            final List<String> sequence = byShard.computeIfAbsent(router.shard(message.key(), processors), (s) ->
            {
                final List<String> list = new ArrayList<>();
                sequences.add(list);
                return list;
            });
            sequence.add(message.hex());
        }
        sequences.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        return sequences;
    }
}
