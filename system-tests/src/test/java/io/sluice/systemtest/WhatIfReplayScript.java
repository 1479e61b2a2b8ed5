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
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResultMode;
import io.sluice.transport.codec.WindowResultDecoder;
import io.sluice.tools.replay.JournalInput;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scripted run every what-if replay system test replays, recorded once per test class ({@code @BeforeAll}),
 * and the helpers they share: the tests are {@link WhatIfReplaySystemTest} (replay under the daemon's own and
 * other shard counts, open windows, probes), {@link WhatIfReplayCompareSystemTest} ({@code --compare}) and
 * {@link WhatIfReplayOutputSystemTest} (per-event results, {@code journal export}, bad options, a live journal).
 * <p>
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
abstract class WhatIfReplayScript
{
    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    static final long MS = 1_000_000L;
    static final long T0 = 1_700_000_000_000L * MS;
    static final int BATCH = 4;
    static final long[] KEYS = { 1, 2, 3, 4 };
    /** The shard of each key under hash seed 1: both of 2 processors and all of 4 hold keys. */
    static final int[] SHARDS_OF_TWO = { 1, 1, 0, 0 };
    static final int[] SHARDS_OF_FOUR = { 3, 2, 0, 1 };

    static final long[][] SCRIPT = {
        { 1, 10 }, { 2, 15 }, { 3, 20 }, { 1, 30 }, { 4, 40 }, { 4, 50 }, { 2, 90 }, { 1, 110 },
        { 3, 130 }, { 2, 95 }, { 4, 140 }, { 1, 99 }, { 2, 210 }, { 3, 230 }, { 1, 185 }, { 4, 250 } };

    static final double[] VALUES = {
        100, 106, 109, 107, Double.NaN, 160, 101, 100, 104, 102, 103, 99, 105, 108, 100, 110 };

    static final int MID_QUERIES_AFTER = 8;

    static final String HEADER = "kind,key,window_start,window_end,count,sum,min,max,first,last," +
        "rule,field,op,observed,threshold,client_id,correlation_id,timestamp,reason,batch_index,found";

    final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-whatif-" + System.nanoTime())
        .toAbsolutePath();

    final Path journalDir = dir.resolve("journal");
    /** What the daemon published, but for the answers to the client's connection probes. */
    final List<Message> live = new ArrayList<>();
    final long[] correlationIds = new long[SCRIPT.length];
    /** The script's queries: key, correlation id. */
    final List<long[]> queries = new ArrayList<>();

    long probesAnswered;

    long clientId;

    long hashSeed;

    String driverDir;

    /**
     * One egress message: its bytes (SBE header and body) and the fields that place it.
     */
    record Message(int templateId, long key, long clientId, long correlationId, String hex)
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
    static final class LiveRun implements AutoCloseable
    {
        final List<Message> messages = new ArrayList<>();
        final SluiceClient client;
        final Aeron aeron;
        final Subscription egress;
        final FragmentAssembler assembler;
        final RecordingHandler handler = new RecordingHandler();

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

        int poll()
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
                probesAnswered = run.messages.stream().filter(WhatIfReplayScript::isProbeAnswer).count();
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

    List<Message> replaySbe(final SluiceConfig config, final String file) throws IOException
    {
        return replaySbe(config, journalDir, file, SCRIPT.length - 1, -1);
    }

    List<Message> replaySbe(
        final SluiceConfig config, final Path journal, final String file, final long events) throws IOException
    {
        return replaySbe(config, journal, file, events, -1);
    }

    List<Message> replaySbe(
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
    static List<Message> messagesOf(final Path out) throws IOException
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

    static List<String> sorted(final List<Message> messages)
    {
        return sortedList(messages.stream().map(Message::hex).toList());
    }

    static List<String> sortedList(final List<String> list)
    {
        final List<String> sorted = new ArrayList<>(list);
        sorted.sort(null);
        return sorted;
    }

    static boolean isProbeAnswer(final Message message)
    {
        return QueryResultDecoder.TEMPLATE_ID == message.templateId() && message.correlationId() < 0;
    }

    static List<Message> withoutProbeAnswers(final List<Message> messages)
    {
        return messages.stream().filter((m) -> !isProbeAnswer(m)).toList();
    }

    static long answersTo(final List<Message> messages, final long clientId)
    {
        return messages.stream().filter((m) -> m.clientId() == clientId && m.correlationId() > 0).count();
    }

    ShardContext shards(final SluiceConfig config)
    {
        return ShardContext.from(config).hashSeed(hashSeed).conclude();
    }

    static List<String> summary(final ByteArrayOutputStream log)
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

    static List<String> rows(final Path csv) throws IOException
    {
        final List<String> lines = Files.readAllLines(csv);
        assertEquals("change,side," + HEADER, lines.get(0));
        return sortedList(lines.subList(1, lines.size()));
    }

    Properties properties(final Map<String, String> overrides)
    {
        return properties(journalDir, overrides);
    }

    Properties properties(final Path journal, final Map<String, String> overrides)
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

    SluiceConfig config(final Map<String, String> overrides)
    {
        return SluiceConfig.of(properties(overrides));
    }

    /**
     * @return the script's configuration without windows (as {@code config/durable.properties}): no window
     * settings and no window alert rule.
     */
    SluiceConfig windowless(final Path journal)
    {
        return SluiceConfig.of(windowlessProperties(journal));
    }

    Properties windowlessProperties(final Path journal)
    {
        final Properties properties = properties(journal, Map.of());
        properties.setProperty(SluiceConfig.WINDOW_TYPE, "none");
        properties.remove(SluiceConfig.WINDOW_SIZE);
        properties.remove(SluiceConfig.WINDOW_ALLOWED_LATENESS);
        properties.stringPropertyNames().stream().filter((key) -> key.startsWith("sluice.alert.hot."))
            .forEach(properties::remove);
        return properties;
    }

    TestDaemon journaled(final TestDaemon daemon, final Path journal, final Map<String, String> overrides)
    {
        return journaled(daemon, properties(journal, overrides));
    }

    static TestDaemon journaled(final TestDaemon daemon, final Properties properties)
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
