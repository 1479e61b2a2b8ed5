package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.sluice.config.SluiceConfig;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.route.ShardRouter;
import io.sluice.client.SluiceClient;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResultMode;
import io.sluice.transport.codec.WindowResultDecoder;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.replay.JournalExport;
import io.sluice.tools.replay.JournalInput;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What-if replay against a recorded daemon. One journaled daemon (tumbling 100 ms windows, 20 ms allowed lateness, a
 * window alert rule and an event alert rule, 2 processors) is sent a scripted history whose every output is worked
 * out by hand below; a raw subscription to its egress keeps every message it published, as bytes. Then:
 * <ul>
 *     <li>replay under the daemon's own configuration writes exactly those messages but the answers to the client's
 *     connection probes (the determinism test), and so does replay under 1 and 4 processors, key by key; so does the
 *     replay of a second daemon whose windows only its clock closed (idle advance: only the journaled ticks know
 *     when);</li>
 *     <li>{@code --close-open-windows} adds exactly the windows the daemon left open, and their alerts;</li>
 *     <li>{@code --compare} against a what-if threshold and a what-if lateness reports exactly the differences the
 *     script makes, and against a run without windows or with other window sizes reports every window of one run
 *     the other does not have (also over a journal a daemon without windows wrote);</li>
 *     <li>the client's connection probes (Queries with negative correlation ids) are journaled but not replayed
 *     into the output;</li>
 *     <li>per-event results are in the output only with {@code --event-results}: without windows, with an event
 *     rule on the window aggregate, and over the journal of a client that asked for batched results live;</li>
 *     <li>{@code journal export} writes exactly the events the daemon journaled, in the order they were sent;</li>
 *     <li>the {@code replay} command refuses bad options with exit code 2;</li>
 *     <li>a live daemon's journal replays up to what it has recorded.</li>
 * </ul>
 * The script (event time as ms after {@code T0}, a multiple of the window size; windows {@code [0,100)},
 * {@code [100,200)}, {@code [200,300)}; the watermark is the newest event time less the lateness):
 * <pre>
 *   #   key  time  value  with lateness 20 ms           with lateness 40 ms
 *   1   1    10    100
 *   2   2    15    106
 *   3   3    20    109
 *   4   1    30    107
 *   5   4    40    NaN    INVALID_VALUE                 INVALID_VALUE
 *   6   4    50    160    spike fires                   spike fires
 *   7   2    90    101
 *   8   1    110   100    watermark 90
 *       (queries of keys 1 and 2)
 *   9   3    130   104    watermark 110: [0,100) closes watermark 90
 *   10  2    95    102    LATE                          in k2's [0,100)
 *   11  4    140   103                                  watermark 100: [0,100) closes
 *   12  1    99    99     LATE                          LATE
 *   13  2    210   105    watermark 190                 watermark 170
 *   14  3    230   108    watermark 210: [100,200)       watermark 190
 *                         closes
 *   15  1    185   100    LATE                          in k1's [100,200)
 *   16  4    250   110                                  watermark 210: [100,200) closes
 *       (queries of keys 1 to 4)
 * </pre>
 * Closed windows under 20 ms: [0,100) of keys 1 (max 107), 2 (106), 3 (109), 4 (160); [100,200) of keys 1, 3, 4
 * (max 100, 104, 103); rule {@code hot} (window max &gt; 105) fires for the four [0,100) windows. Windows
 * [200,300) stay open: the daemon never closed them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WhatIfReplaySystemTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;
    private static final int BATCH = 4;
    private static final long[] KEYS = { 1, 2, 3, 4 };
    /** The shard of each key under hash seed 1: both of 2 processors and all of 4 hold keys. */
    private static final int[] SHARDS_OF_TWO = { 1, 1, 0, 0 };
    private static final int[] SHARDS_OF_FOUR = { 3, 2, 0, 1 };
    private static final long[][] SCRIPT = {
        { 1, 10 }, { 2, 15 }, { 3, 20 }, { 1, 30 }, { 4, 40 }, { 4, 50 }, { 2, 90 }, { 1, 110 },
        { 3, 130 }, { 2, 95 }, { 4, 140 }, { 1, 99 }, { 2, 210 }, { 3, 230 }, { 1, 185 }, { 4, 250 } };
    private static final double[] VALUES = {
        100, 106, 109, 107, Double.NaN, 160, 101, 100, 104, 102, 103, 99, 105, 108, 100, 110 };
    private static final int MID_QUERIES_AFTER = 8;
    private static final String HEADER = "kind,key,window_start,window_end,count,sum,min,max,first,last," +
        "rule,field,op,observed,threshold,client_id,correlation_id,timestamp,reason,batch_index,found";

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-whatif-" + System.nanoTime())
        .toAbsolutePath();
    private final Path journalDir = dir.resolve("journal");
    /** What the daemon published, but for the answers to the client's connection probes. */
    private final List<Message> live = new ArrayList<>();
    private final long[] correlationIds = new long[SCRIPT.length];
    /** The script's queries: key, correlation id. */
    private final List<long[]> queries = new ArrayList<>();
    private long probesAnswered;
    private long clientId;
    private long hashSeed;
    private String driverDir;

    /**
     * One egress message: its bytes (SBE header and body) and the fields that place it.
     */
    private record Message(int templateId, long key, long clientId, long correlationId, String hex)
    {
        static Message of(final DirectBuffer buffer, final int offset, final int length)
        {
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            final int block = header.blockLength();
            final int version = header.version();
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            final String hex = HexFormat.of().formatHex(bytes);
            switch (header.templateId())
            {
                case EventResultDecoder.TEMPLATE_ID:
                {
                    final EventResultDecoder d = new EventResultDecoder().wrap(buffer, body, block, version);
                    return new Message(header.templateId(), d.key(), d.clientId(), d.correlationId(), hex);
                }
                case EventResultBatchDecoder.TEMPLATE_ID:
                    return new Message(header.templateId(), 0, 0, 0, hex);
                case RejectedDecoder.TEMPLATE_ID:
                {
                    final RejectedDecoder d = new RejectedDecoder().wrap(buffer, body, block, version);
                    return new Message(header.templateId(), d.key(), d.clientId(), d.correlationId(), hex);
                }
                case QueryResultDecoder.TEMPLATE_ID:
                {
                    final QueryResultDecoder d = new QueryResultDecoder().wrap(buffer, body, block, version);
                    return new Message(header.templateId(), d.key(), d.clientId(), d.correlationId(), hex);
                }
                case WindowResultDecoder.TEMPLATE_ID:
                {
                    final WindowResultDecoder d = new WindowResultDecoder().wrap(buffer, body, block, version);
                    return new Message(header.templateId(), d.key(), 0, 0, hex);
                }
                case AlertDecoder.TEMPLATE_ID:
                {
                    final AlertDecoder d = new AlertDecoder().wrap(buffer, body, block, version);
                    return new Message(header.templateId(), d.key(), 0, 0, hex);
                }
                default:
                    throw new IllegalStateException("unexpected egress message " + header.templateId() + ": " + hex);
            }
        }
    }

    /**
     * A daemon's egress recorded whole, as bytes, by a subscription of its own that joins before the client does (so
     * it also sees the answers to the client's connection probes), and a client that sends in batches of
     * {@value #BATCH} with a result per event (or the results another mode gives).
     */
    private static final class LiveRun implements AutoCloseable
    {
        final List<Message> messages = new ArrayList<>();
        final SluiceClient client;
        private final Aeron aeron;
        private final Subscription egress;
        private final FragmentAssembler assembler;
        private final RecordingHandler handler = new RecordingHandler();

        LiveRun(final TestDaemon daemon)
        {
            this(daemon, ResultMode.PER_EVENT);
        }

        LiveRun(final TestDaemon daemon, final ResultMode resultMode)
        {
            final SluiceConfig config = daemon.config();
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(daemon.driverDir));
            egress = aeron.addSubscription(SluiceMain.clientContextFor(config).egressChannel(), config.egressStreamId());
            assembler = new FragmentAssembler((buffer, offset, length, header) ->
                messages.add(Message.of(buffer, offset, length)));
            final long deadline = System.nanoTime() + TIMEOUT_NS;
            while (egress.imageCount() < config.processorCount() && System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            assertEquals(config.processorCount(), egress.imageCount(), "the raw subscription sees every processor");
            client = SluiceClient.connect(SluiceMain.clientContextFor(config)
                .aeronDirectoryName(daemon.driverDir)
                .resultMode(resultMode)
                .maxBatchEvents(BATCH));
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
        }

        long offerEvent(final long key, final long timestamp, final double value)
        {
            long correlationId;
            while ((correlationId = client.offerEvent(key, timestamp, value)) < 0)
            {
                poll();
            }
            return correlationId;
        }

        long offerQuery(final long key)
        {
            long correlationId;
            while ((correlationId = client.offerQuery(key)) < 0)
            {
                poll();
            }
            return correlationId;
        }

        void pollUntil(final Predicate<List<Message>> done)
        {
            final long deadline = System.nanoTime() + TIMEOUT_NS;
            while (!done.test(messages) && System.nanoTime() < deadline)
            {
                if (0 == poll())
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            assertTrue(done.test(messages), "live egress: " + messages.size() + " messages");
        }

        private int poll()
        {
            return client.poll(handler, 16) + egress.poll(assembler, 16);
        }

        public void close()
        {
            CloseHelper.closeAll(client, egress, aeron);
        }
    }

    @BeforeAll
    void recordTheScriptedRun()
    {
        try (TestDaemon daemon = journaled(new TestDaemon(), journalDir, Map.of()).start())
        {
            driverDir = daemon.driverDir;
            try (LiveRun run = new LiveRun(daemon))
            {
                clientId = run.client.clientId();
                for (int i = 0; i < SCRIPT.length; i++)
                {
                    if (MID_QUERIES_AFTER == i)
                    {
                        queries.add(new long[] { 1, run.offerQuery(1) });
                        queries.add(new long[] { 2, run.offerQuery(2) });
                    }
                    correlationIds[i] = run.offerEvent(SCRIPT[i][0], T0 + SCRIPT[i][1] * MS, VALUES[i]);
                }
                for (final long key : KEYS)
                {
                    queries.add(new long[] { key, run.offerQuery(key) });
                }
                // every answer to this client: 16 events (results or rejects) and 6 queries; the last queries reach
                // every processor, so each processor's earlier output has arrived before their answers
                run.pollUntil((messages) -> answersTo(messages, clientId) == SCRIPT.length + 2 + KEYS.length);
                probesAnswered = run.messages.stream().filter(WhatIfReplaySystemTest::isProbeAnswer).count();
                live.addAll(withoutProbeAnswers(run.messages));
            }
            hashSeed = JournalInput.open(journalDir, driverDir).hashSeed();
        }
        assertEquals(1, hashSeed);
        final ShardRouter router = shards(config(Map.of())).router();
        for (int i = 0; i < KEYS.length; i++)
        {
            assertEquals(SHARDS_OF_TWO[i], router.shard(KEYS[i], 2), "key " + KEYS[i] + " of 2 shards");
            assertEquals(SHARDS_OF_FOUR[i], router.shard(KEYS[i], 4), "key " + KEYS[i] + " of 4 shards");
        }
    }

    @AfterAll
    void deleteDir()
    {
        IoUtil.delete(dir.toFile(), true);
    }

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

    @Test
    @Timeout(60)
    void shouldReportExactlyTheAlertsAThresholdChangeMakes() throws IOException
    {
        final Path out = dir.resolve("threshold.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final WhatIfReplay.Result result = WhatIfReplay.run(new WhatIfReplay.Request(
            config(Map.of("sluice.alert.hot.threshold", "108")), config(Map.of()), journalDir, driverDir, null, null,
            null, out, ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        assertEquals(SCRIPT.length - 1, result.events(), "every journaled event (the NaN one is a reject entry)");
        assertEquals(List.of(
            "windows: 7 equal, 0 differ, 0 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 2, baseline 4; 0 only in what-if, 2 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 0"), summary(log));
        assertEquals(List.of(
            "only,baseline,alert,1," + T0 + ",,1,,,,,,hot,,,,,,,,,,",
            "only,baseline,alert,2," + T0 + ",,1,,,,,,hot,,,,,,,,,,"), rows(out));
    }

    @Test
    @Timeout(60)
    void shouldReportExactlyTheWindowsAndRejectsALatenessChangeMakes() throws IOException
    {
        final Path out = dir.resolve("lateness.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(
            config(Map.of(SluiceConfig.WINDOW_ALLOWED_LATENESS, "40ms")), config(Map.of()), journalDir, driverDir,
            null, null, null, out, ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        assertEquals(List.of(
            "windows: 5 equal, 2 differ, 0 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 4, baseline 4; 0 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 2"), summary(log));
        final long w0 = T0;
        final long w1 = T0 + 100 * MS;
        final long w2 = T0 + 200 * MS;
        final String none = ",,,,,,,,,,,";
        assertEquals(sortedList(List.of(
            "differs,baseline,window,1," + w1 + "," + w2 + ",1,100.0,100.0,100.0,100.0,100.0" + none,
            "differs,baseline,window,2," + w0 + "," + w1 + ",2,207.0,101.0,106.0,106.0,101.0" + none,
            "differs,what-if,window,1," + w1 + "," + w2 + ",2,200.0,100.0,100.0,100.0,100.0" + none,
            "differs,what-if,window,2," + w0 + "," + w1 + ",3,309.0,101.0,106.0,106.0,102.0" + none,
            "only,baseline,reject,1,,,,,,,,,,,,,," + clientId + "," + correlationIds[14] + ",,LATE,2,",
            "only,baseline,reject,2,,,,,,,,,,,,,," + clientId + "," + correlationIds[9] + ",,LATE,1,")), rows(out));
    }

    /**
     * A run without windows produces none: every window the other run closes is "only in" that run as soon as it
     * closes, and nothing is left "not compared" at the end, whichever side has the windows.
     */
    @Test
    @Timeout(60)
    void shouldReportEveryWindowOfTheWindowedRunAsOnlyInItAgainstARunWithoutWindows() throws IOException
    {
        final Path out = dir.resolve("windowed-vs-none.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(config(Map.of()), windowless(journalDir), journalDir, driverDir,
            null, null, null, out, ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        assertEquals(List.of(
            "windows: 0 equal, 0 differ, 7 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 4, baseline 0; 4 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3"), summary(log));
        assertEquals(sortedList(onlyRows("what-if", closedWindows(), clientId, correlationIds)), rows(out));

        final Path reverse = dir.resolve("none-vs-windowed.csv");
        final ByteArrayOutputStream reverseLog = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(windowless(journalDir), config(Map.of()), journalDir, driverDir,
            null, null, null, reverse, ReplayOutput.Format.CSV, false, true, -1, -1),
            new PrintStream(reverseLog, true));
        assertEquals(List.of(
            "windows: 0 equal, 0 differ, 0 only in what-if, 10 only in baseline",
            "alerts of rule hot: what-if 0, baseline 6; 0 only in what-if, 6 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3"), summary(reverseLog));
        assertEquals(sortedList(onlyRows("baseline", allWindows(), clientId, correlationIds)), rows(reverse));
    }

    /**
     * The case as a user meets it: a daemon without windows wrote the journal (so it holds no ticks), and the
     * what-if run adds windows and a window alert. Both directions, with {@code --close-open-windows}.
     */
    @Test
    @Timeout(60)
    void shouldReportEveryWindowAsOnlyInTheWindowedRunOverAJournalWrittenWithoutWindows() throws IOException
    {
        final Path windowlessJournal = dir.resolve("windowless-journal");
        final long[] ids = new long[SCRIPT.length];
        final long client;
        try (TestDaemon daemon = journaled(new TestDaemon(), windowlessProperties(windowlessJournal))
            .start();
            LiveRun run = new LiveRun(daemon))
        {
            client = run.client.clientId();
            for (int i = 0; i < SCRIPT.length; i++)
            {
                ids[i] = run.offerEvent(SCRIPT[i][0], T0 + SCRIPT[i][1] * MS, VALUES[i]);
            }
            run.pollUntil((messages) -> answersTo(messages, client) == SCRIPT.length);
            assertEquals(0, run.messages.stream().filter((m) -> WindowResultDecoder.TEMPLATE_ID == m.templateId())
                .count(), "no windows live");
        }
        final SluiceConfig none = windowless(windowlessJournal);
        final SluiceConfig windowed = SluiceConfig.of(properties(windowlessJournal, Map.of()));

        final Path out = dir.resolve("windowless-journal-windowed.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(windowed, none, windowlessJournal, driverDir, null, null, null, out,
            ReplayOutput.Format.CSV, false, true, -1, -1), new PrintStream(log, true));
        assertEquals(List.of(
            "windows: 0 equal, 0 differ, 10 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 6, baseline 0; 6 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3"), summary(log));
        assertEquals(sortedList(onlyRows("what-if", allWindows(), client, ids)), rows(out));

        final Path reverse = dir.resolve("windowless-journal-none.csv");
        final ByteArrayOutputStream reverseLog = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(none, windowed, windowlessJournal, driverDir, null, null, null,
            reverse, ReplayOutput.Format.CSV, false, true, -1, -1), new PrintStream(reverseLog, true));
        assertEquals(List.of(
            "windows: 0 equal, 0 differ, 0 only in what-if, 10 only in baseline",
            "alerts of rule hot: what-if 0, baseline 6; 0 only in what-if, 6 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3"), summary(reverseLog));
        assertEquals(sortedList(onlyRows("baseline", allWindows(), client, ids)), rows(reverse));
    }

    /**
     * With {@code --close-open-windows} every window of both runs is closed at the end, so every one is compared,
     * even when the runs' windows end at different times (200 ms windows against 100 ms: the 200 ms run's last
     * windows end after the 100 ms run's last watermark), and nothing is reported "not compared".
     */
    @Test
    @Timeout(60)
    void shouldCompareEveryWindowOfRunsWithOtherWindowSizesWhenClosingOpenWindows() throws IOException
    {
        final Path out = dir.resolve("sizes.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(config(Map.of(SluiceConfig.WINDOW_SIZE, "200ms")),
            config(Map.of()), journalDir, driverDir, null, null, null, out, ReplayOutput.Format.CSV, false, true, -1,
            -1), new PrintStream(log, true));
        assertEquals(List.of(
            "windows: 0 equal, 0 differ, 7 only in what-if, 10 only in baseline",
            "alerts of rule hot: what-if 6, baseline 6; 0 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 2"), summary(log));
        final List<String> expected = new ArrayList<>();
        for (final String window : allWindows())
        {
            expected.add("only,baseline," + window);
        }
        for (final String window : List.of(
            "1,0,200,4,406.0,99.0,107.0,100.0,100.0",
            "2,0,200,3,309.0,101.0,106.0,106.0,102.0",
            "3,0,200,2,213.0,104.0,109.0,109.0,104.0",
            "4,0,200,2,263.0,103.0,160.0,160.0,103.0",
            "2,200,400,1,105.0,105.0,105.0,105.0,105.0",
            "3,200,400,1,108.0,108.0,108.0,108.0,108.0",
            "4,200,400,1,110.0,110.0,110.0,110.0,110.0"))
        {
            expected.add("only,what-if," + windowRow(window));
        }
        expected.add("only,baseline,reject,2,,,,,,,,,,,,,," + clientId + "," + correlationIds[9] + ",,LATE,1,");
        expected.add("only,baseline,reject,1,,,,,,,,,,,,,," + clientId + "," + correlationIds[11] + ",,LATE,3,");
        assertEquals(sortedList(expected), rows(out));
    }

    /**
     * Without {@code --close-open-windows}, a window one run closed while the other's watermark had not reached its
     * end is counted as not compared, and the hint names the option; with it, every window is compared. No lateness
     * against 60 ms: the first run's watermark ends at 250 ms (it closed [100,200) of keys 1, 3 and 4), the second's
     * at 190 ms; the second takes events 10, 12 and 15, which the first finds LATE.
     */
    @Test
    @Timeout(60)
    void shouldCountWindowsTheOtherRunHadNotReachedAsNotComparedUnlessClosingOpenWindows() throws IOException
    {
        final SluiceConfig early = config(Map.of(SluiceConfig.WINDOW_ALLOWED_LATENESS, "0ms"));
        final SluiceConfig late = config(Map.of(SluiceConfig.WINDOW_ALLOWED_LATENESS, "60ms"));
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(early, late, journalDir, driverDir, null, null, null,
            dir.resolve("open.csv"), ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        assertEquals(List.of(
            "windows: 2 equal, 2 differ, 0 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 4, baseline 4; 0 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3",
            "not compared, the other run's watermark had not reached their end: 3 windows closed only in what-if, " +
                "0 only in baseline, 0 alerts of such windows (--close-open-windows closes every window at the end " +
                "and compares them all)"), summary(log));

        final Path out = dir.resolve("all-closed.csv");
        final ByteArrayOutputStream closedLog = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(early, late, journalDir, driverDir, null, null, null, out,
            ReplayOutput.Format.CSV, false, true, -1, -1), new PrintStream(closedLog, true));
        assertEquals(List.of(
            "windows: 7 equal, 3 differ, 0 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 6, baseline 6; 0 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3"), summary(closedLog));
        assertEquals(sortedList(List.of(
            "differs,what-if," + windowRow("1,0,100,2,207.0,100.0,107.0,100.0,107.0"),
            "differs,baseline," + windowRow("1,0,100,3,306.0,99.0,107.0,100.0,99.0"),
            "differs,what-if," + windowRow("2,0,100,2,207.0,101.0,106.0,106.0,101.0"),
            "differs,baseline," + windowRow("2,0,100,3,309.0,101.0,106.0,106.0,102.0"),
            "differs,what-if," + windowRow("1,100,200,1,100.0,100.0,100.0,100.0,100.0"),
            "differs,baseline," + windowRow("1,100,200,2,200.0,100.0,100.0,100.0,100.0"),
            "only,what-if,reject,2,,,,,,,,,,,,,," + clientId + "," + correlationIds[9] + ",,LATE,1,",
            "only,what-if,reject,1,,,,,,,,,,,,,," + clientId + "," + correlationIds[11] + ",,LATE,3,",
            "only,what-if,reject,1,,,,,,,,,,,,,," + clientId + "," + correlationIds[14] + ",,LATE,2,")), rows(out));
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
     * A run without windows has no window to leave open: its summary does not send the user to
     * {@code --close-open-windows}.
     */
    @Test
    @Timeout(60)
    void shouldNotSpeakOfOpenWindowsAfterARunWithoutWindows()
    {
        final Path out = dir.resolve("windowless.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(windowless(journalDir), null, journalDir, driverDir, null, null,
            null, out, ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        final String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("sluice replay: wrote 0 window results, 1 alerts, "), text);
        assertTrue(text.contains(", rejects: INVALID_VALUE 1 to " + out + " (csv)\n"), text);
        assertTrue(!text.contains("--close-open-windows"), text);
    }

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

    /**
     * @return the windows closed while the script ran (100 ms windows, 20 ms allowed lateness), as CSV columns from
     * key to last (times as ms after {@code T0}).
     */
    private static List<String> closedWindows()
    {
        return List.of(
            windowRow("1,0,100,2,207.0,100.0,107.0,100.0,107.0"),
            windowRow("1,100,200,1,100.0,100.0,100.0,100.0,100.0"),
            windowRow("2,0,100,2,207.0,101.0,106.0,106.0,101.0"),
            windowRow("3,0,100,1,109.0,109.0,109.0,109.0,109.0"),
            windowRow("3,100,200,1,104.0,104.0,104.0,104.0,104.0"),
            windowRow("4,0,100,1,160.0,160.0,160.0,160.0,160.0"),
            windowRow("4,100,200,1,103.0,103.0,103.0,103.0,103.0"));
    }

    /**
     * @return the closed windows and those {@code --close-open-windows} closes at the end.
     */
    private static List<String> allWindows()
    {
        final List<String> windows = new ArrayList<>(closedWindows());
        windows.add(windowRow("2,200,300,1,105.0,105.0,105.0,105.0,105.0"));
        windows.add(windowRow("3,200,300,1,108.0,108.0,108.0,108.0,108.0"));
        windows.add(windowRow("4,200,300,1,110.0,110.0,110.0,110.0,110.0"));
        return windows;
    }

    /**
     * @param window key, start and end in ms after {@code T0}, count, sum, min, max, first, last.
     * @return the window's CSV row.
     */
    private static String windowRow(final String window)
    {
        final String[] columns = window.split(",");
        return "window," + columns[0] + "," + (T0 + Long.parseLong(columns[1]) * MS) + "," +
            (T0 + Long.parseLong(columns[2]) * MS) + "," + String.join(",", List.of(columns).subList(3, 9)) +
            ",,,,,,,,,,,";
    }

    /**
     * @return the diff rows of a comparison of the script's 100 ms windows (these windows, and their {@code hot}
     * alerts) against a run without windows (no LATE rejects): every one only on the windowed side.
     */
    private static List<String> onlyRows(
        final String side, final List<String> windows, final long client, final long[] ids)
    {
        final List<String> rows = new ArrayList<>();
        for (final String window : windows)
        {
            rows.add("only," + side + "," + window);
            final String[] columns = window.split(",");
            if (Double.parseDouble(columns[7]) > 105)
            {
                rows.add("only," + side + ",alert," + columns[1] + "," + columns[2] + ",,1,,,,,,hot,,,,,,,,,,");
            }
        }
        rows.add("only," + side + ",reject,2,,,,,,,,,,,,,," + client + "," + ids[9] + ",,LATE,1,");
        rows.add("only," + side + ",reject,1,,,,,,,,,,,,,," + client + "," + ids[11] + ",,LATE,3,");
        rows.add("only," + side + ",reject,1,,,,,,,,,,,,,," + client + "," + ids[14] + ",,LATE,2,");
        return rows;
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

    private List<Message> replaySbe(final SluiceConfig config, final String file) throws IOException
    {
        return replaySbe(config, journalDir, file, SCRIPT.length - 1, -1);
    }

    private List<Message> replaySbe(
        final SluiceConfig config, final Path journal, final String file, final long events) throws IOException
    {
        return replaySbe(config, journal, file, events, -1);
    }

    private List<Message> replaySbe(
        final SluiceConfig config, final Path journal, final String file, final long events, final int threads)
        throws IOException
    {
        final Path out = dir.resolve(file);
        final WhatIfReplay.Result result = WhatIfReplay.run(new WhatIfReplay.Request(config, null, journal,
            config.driverDir(), null, null, null, out, ReplayOutput.Format.SBE, true, false, -1, threads),
            new PrintStream(new ByteArrayOutputStream(), true));
        assertEquals(events, result.events());
        assertEquals(-1 == threads ? Math.min(config.processorCount(), Runtime.getRuntime().availableProcessors()) :
            threads, result.threads(), "threads sharing the shards");
        return messagesOf(out);
    }

    /**
     * @return the messages of a replay's SBE file, in file order.
     */
    private static List<Message> messagesOf(final Path out) throws IOException
    {
        final List<Message> messages = new ArrayList<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(Files.readAllBytes(out));
        for (int offset = 0; offset < buffer.capacity(); )
        {
            final int length = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
            messages.add(Message.of(buffer, offset + Integer.BYTES, length));
            offset += Integer.BYTES + length;
        }
        return messages;
    }

    private static List<String> sorted(final List<Message> messages)
    {
        return sortedList(messages.stream().map(Message::hex).toList());
    }

    private static List<String> sortedList(final List<String> list)
    {
        final List<String> sorted = new ArrayList<>(list);
        sorted.sort(null);
        return sorted;
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

    private static boolean isProbeAnswer(final Message message)
    {
        return QueryResultDecoder.TEMPLATE_ID == message.templateId() && message.correlationId() < 0;
    }

    private static List<Message> withoutProbeAnswers(final List<Message> messages)
    {
        return messages.stream().filter((m) -> !isProbeAnswer(m)).toList();
    }

    private static long answersTo(final List<Message> messages, final long clientId)
    {
        return messages.stream().filter((m) -> m.clientId() == clientId && m.correlationId() > 0).count();
    }

    private ShardContext shards(final SluiceConfig config)
    {
        return ShardContext.from(config).hashSeed(hashSeed).conclude();
    }

    private static List<String> summary(final ByteArrayOutputStream log)
    {
        final List<String> lines = new ArrayList<>();
        for (final String line : log.toString(StandardCharsets.UTF_8).split("\n"))
        {
            if (line.startsWith("sluice replay: windows: ") || line.startsWith("sluice replay: alerts") ||
                line.startsWith("sluice replay: events rejected") || line.startsWith("sluice replay: not compared"))
            {
                lines.add(line.substring("sluice replay: ".length()));
            }
        }
        return lines;
    }

    private static List<String> rows(final Path csv) throws IOException
    {
        final List<String> lines = Files.readAllLines(csv);
        assertEquals("change,side," + HEADER, lines.get(0));
        return sortedList(lines.subList(1, lines.size()));
    }

    private Properties properties(final Map<String, String> overrides)
    {
        return properties(journalDir, overrides);
    }

    private Properties properties(final Path journal, final Map<String, String> overrides)
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.DRIVER_DIR, null == driverDir ? dir.resolve("driver").toString() : driverDir);
        properties.setProperty(SluiceConfig.JOURNAL_MODE, "async");
        properties.setProperty(SluiceConfig.JOURNAL_DIR, journal.toString());
        properties.setProperty(SluiceConfig.PROCESSOR_COUNT, "2");
        properties.setProperty(SluiceConfig.HASH_SEED, "1");
        properties.setProperty(SluiceConfig.WINDOW_TYPE, "tumbling");
        properties.setProperty(SluiceConfig.WINDOW_SIZE, "100ms");
        properties.setProperty(SluiceConfig.WINDOW_ALLOWED_LATENESS, "20ms");
        properties.setProperty("sluice.alert.hot.on", "window");
        properties.setProperty("sluice.alert.hot.field", "max");
        properties.setProperty("sluice.alert.hot.op", ">");
        properties.setProperty("sluice.alert.hot.threshold", "105");
        properties.setProperty("sluice.alert.spike.on", "event");
        properties.setProperty("sluice.alert.spike.field", "value");
        properties.setProperty("sluice.alert.spike.op", ">=");
        properties.setProperty("sluice.alert.spike.threshold", "150");
        properties.putAll(overrides);
        return properties;
    }

    private SluiceConfig config(final Map<String, String> overrides)
    {
        return SluiceConfig.of(properties(overrides));
    }

    /**
     * @return the script's configuration without windows (as {@code config/durable.properties}): no window
     * settings and no window alert rule.
     */
    private SluiceConfig windowless(final Path journal)
    {
        return SluiceConfig.of(windowlessProperties(journal));
    }

    private Properties windowlessProperties(final Path journal)
    {
        final Properties properties = properties(journal, Map.of());
        properties.setProperty(SluiceConfig.WINDOW_TYPE, "none");
        properties.remove(SluiceConfig.WINDOW_SIZE);
        properties.remove(SluiceConfig.WINDOW_ALLOWED_LATENESS);
        properties.stringPropertyNames().stream().filter((key) -> key.startsWith("sluice.alert.hot."))
            .forEach(properties::remove);
        return properties;
    }

    private TestDaemon journaled(final TestDaemon daemon, final Path journal, final Map<String, String> overrides)
    {
        return journaled(daemon, properties(journal, overrides));
    }

    private static TestDaemon journaled(final TestDaemon daemon, final Properties properties)
    {
        for (final Map.Entry<Object, Object> setting : properties.entrySet())
        {
            if (!SluiceConfig.DRIVER_DIR.equals(setting.getKey()))
            {
                daemon.set((String)setting.getKey(), (String)setting.getValue());
            }
        }
        return daemon;
    }
}
