package io.sluice.core.shard;

import io.sluice.config.AlertRule;
import io.sluice.config.ThreadingMode;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.RejectReason;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.snapshot.SnapshotListener;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.replay.JournalFeed;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import io.sluice.core.state.Aggregate;
import io.sluice.core.window.WindowSpec;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot, restore and replay against an uninterrupted run: the same seeded input (events on many keys, resent
 * events, queries, resume requests, late events, evictions with windows, ticks by the producer's own rule) goes
 * through run A without a break, and through run B that takes a snapshot at a marker, writes and reads it back with
 * {@link SnapshotStore}, and goes on in fresh processors and a fresh producer restored from it. Digests, the ring
 * entries written after the snapshot and every output after it must be identical; a journal replay of run A's
 * entries, whole or after the snapshot, must give run A's digests.
 */
class SnapshotRestoreTest
{
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;
    private static final long STEP_NS = 1_000;
    private static final int INPUTS = 20_000;
    private static final int SNAPSHOT_AT = 11_113;
    private static final long SNAPSHOT_ID = 7;
    private static final int CLIENTS = 5;
    private static final long UNKNOWN_CLIENT = 99;
    private static final int EVENT = 0;
    private static final int QUERY = 1;
    private static final int RESUME = 2;

    /**
     * One input in arrival order.
     */
    record Input(int kind, long clientId, long correlationId, long key, long ts, double value)
    {
    }

    /**
     * One thing a processor said. E: a = event time, b = window start; Q/C: a = found, b = window start (open and
     * closed aggregate of a query); R: a = reason; M: a = last correlation id; W: a = window end, b = window start;
     * A: a = window start, b = rule, field and op, sum = observed, min = threshold.
     */
    record Out(char kind, long clientId, long correlationId, long key, long a, long b, long count, double sum,
        double min, double max, double first, double last)
    {
    }

    /**
     * Records everything, in order; one per processor, written by its thread only.
     */
    static final class TapeSink implements ResultSink
    {
        final List<Out> outputs = new ArrayList<>();

        public void onEventResult(
            final long clientId, final long correlationId, final long key, final long timestamp, final Aggregate a,
            final long receiveNanos, final int resultMode)
        {
            outputs.add(new Out('E', clientId, correlationId, key, timestamp, a.windowStart(), a.count(), a.sum(),
                a.min(), a.max(), a.first(), a.last()));
        }

        public void onQueryResult(
            final long clientId, final long correlationId, final long key, final boolean found, final Aggregate open,
            final Aggregate closed)
        {
            outputs.add(new Out('Q', clientId, correlationId, key, found ? 1 : 0, open.windowStart(), open.count(),
                open.sum(), open.min(), open.max(), open.first(), open.last()));
            outputs.add(new Out('C', clientId, correlationId, key, found ? 1 : 0, closed.windowStart(), closed.count(),
                closed.sum(), closed.min(), closed.max(), closed.first(), closed.last()));
        }

        public void onRejected(
        final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
            outputs.add(new Out('R', clientId, correlationId, key, reason, 0, 0, 0, 0, 0, 0, 0));
        }

        public void onWindowResult(final long key, final long windowEnd, final Aggregate w)
        {
            outputs.add(new Out('W', 0, 0, key, windowEnd, w.windowStart(), w.count(), w.sum(), w.min(), w.max(),
                w.first(), w.last()));
        }

        public void onAlert(
            final int ruleIndex, final long key, final long windowStart, final int field, final int op,
            final double observed, final double threshold)
        {
            outputs.add(new Out('A', 0, 0, key, windowStart, ruleIndex * 100L + field * 10L + op, 0, observed,
                threshold, 0, 0, 0));
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
            outputs.add(new Out('M', clientId, correlationId, 0, lastCorrelationId, 0, 0, 0, 0, 0, 0, 0));
        }
    }

    /**
     * Collects the parts of one snapshot in memory, and how many outputs each shard had given when it copied.
     */
    static final class Parts implements SnapshotListener
    {
        final ShardSnapshot[] parts;
        final int[] outputsAtCopy;
        final TapeSink[] sinks;
        final long[] copied;

        Parts(final TapeSink[] sinks)
        {
            this.sinks = sinks;
            parts = new ShardSnapshot[sinks.length];
            outputsAtCopy = new int[sinks.length];
            copied = new long[sinks.length];
            for (int i = 0; i < sinks.length; i++)
            {
                parts[i] = new ShardSnapshot();
                outputsAtCopy[i] = -1;
                copied[i] = -1;
            }
        }

        public ShardSnapshot partFor(final int shard, final long snapshotId)
        {
            return parts[shard];
        }

        public void onPartCopied(final int shard, final long snapshotId, final long pauseNs)
        {
            outputsAtCopy[shard] = sinks[shard].outputs.size();
            copied[shard] = snapshotId;
        }

        long[] digests()
        {
            final long[] digests = new long[parts.length];
            for (int i = 0; i < parts.length; i++)
            {
                digests[i] = parts[i].digest();
            }
            return digests;
        }
    }

    /**
     * A producer, a ring and processors built from one context, in either layout; the test thread is the producer
     * and, in the shared layout, the poller. Every entry written is also kept as a 64-byte copy, like a journal.
     */
    static final class Harness
    {
        final ShardContext ctx;
        final SluiceRing ring = new SluiceRing(256, WaitStrategyType.SLEEPING);
        final TestCounters counters = new TestCounters();
        final TapeSink[] sinks;
        final ShardCounters[] shardCounters;
        final ShardProcessor[] processors;
        final ProcessorGroup group;
        final Agent agent;
        final RingProducer producer;
        final Parts parts;
        final List<byte[]> journal = new ArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        long now;

        Harness(final ShardContext ctx, final ThreadingMode mode)
        {
            this.ctx = ctx;
            final int count = ctx.processorCount();
            sinks = new TapeSink[count];
            shardCounters = new ShardCounters[count];
            for (int i = 0; i < count; i++)
            {
                sinks[i] = new TapeSink();
                shardCounters[i] = counters.processor(i);
            }
            processors = ctx.newProcessors((shard) -> sinks[shard], (shard) -> shardCounters[shard], null);
            parts = new Parts(sinks);
            for (final ShardProcessor processor : processors)
            {
                processor.snapshots(parts);
            }
            group = new ProcessorGroup(ring, processors, mode, errors::add);
            agent = group.pollAgent();
            producer = ctx.newProducer(ring, counters.counter("ticks"));
        }

        void start()
        {
            group.start();
        }

        void awaitCapacity(final int entries) throws Exception
        {
            while (!ring.hasCapacity(entries))
            {
                if (null != agent)
                {
                    agent.doWork();
                }
                else
                {
                    Thread.yield();
                }
            }
        }

        /**
         * Offer one input as the ingress would: the clock moves one step, the clock-driven tick rule runs, then the
         * input goes in. Room for everything is made first, so what goes into the ring never depends on how fast
         * the processors are.
         */
        void offer(final Input input) throws Exception
        {
            now += STEP_NS;
            awaitCapacity(3);
            final long before = ring.ringBuffer().getCursor();
            producer.doTick(now);
            switch (input.kind())
            {
                case EVENT:
                    final int result = producer.offerEvent(
                        input.clientId(), input.correlationId(), input.key(), input.ts(), input.value(), now);
                    assertNotEquals(RingProducer.RING_FULL, result);
                    break;

                case QUERY:
                    assertTrue(producer.offerQuery(input.clientId(), input.correlationId(), input.key(), now));
                    break;

                default:
                    assertTrue(producer.offerResume(input.clientId(), input.correlationId(), now));
                    break;
            }
            record(before);
        }

        void snapshot(final ProducerSnapshot into) throws Exception
        {
            awaitCapacity(1);
            final long before = ring.ringBuffer().getCursor();
            assertTrue(producer.offerSnapshot(SNAPSHOT_ID, now, into));
            record(before);
        }

        void end() throws Exception
        {
            now += STEP_NS;
            awaitCapacity(1);
            final long before = ring.ringBuffer().getCursor();
            assertTrue(producer.offerWatermark(T0 + 3_600_000 * MS, now));
            record(before);
        }

        void drainAndStop() throws Exception
        {
            if (null != agent)
            {
                while (!group.isDrained())
                {
                    agent.doWork();
                }
            }
            assertTrue(group.drainAndStop(30, TimeUnit.SECONDS), "drained");
            assertEquals(List.of(), errors);
        }

        long[] digests()
        {
            final long[] digests = new long[processors.length];
            for (int i = 0; i < processors.length; i++)
            {
                digests[i] = processors[i].digest();
            }
            return digests;
        }

        private void record(final long before)
        {
            final long cursor = ring.ringBuffer().getCursor();
            for (long sequence = before + 1; sequence <= cursor; sequence++)
            {
                final RingEntry entry = ring.entry(sequence);
                final byte[] copy = new byte[RingEntry.LENGTH];
                entry.buffer().getBytes(entry.offset(), copy);
                journal.add(copy);
            }
        }
    }

    static List<Input> inputs(final long seed, final long lateNs, final long jitterNs)
    {
        final Random random = new Random(seed);
        final List<Input> inputs = new ArrayList<>();
        final long[] next = new long[CLIENTS + 1];
        final long[] lastEvent = new long[CLIENTS + 1];
        long clock = T0;
        for (int i = 0; i < INPUTS; i++)
        {
            final int p = random.nextInt(100);
            final int client = 1 + random.nextInt(CLIENTS);
            final long key = i / 10 + random.nextInt(100) - 50;
            clock += random.nextInt(200) * 10_000L;
            if (p < 5)
            {
                inputs.add(new Input(QUERY, client, ++next[client], key, 0, 0));
            }
            else if (p == 5)
            {
                final long resumer = random.nextBoolean() ? client : UNKNOWN_CLIENT;
                inputs.add(new Input(RESUME, resumer, 1_000_000 + i, 0, 0, 0));
            }
            else
            {
                final long behind = random.nextInt(20) == 0 ? lateNs + random.nextInt(100) * MS :
                    (long)(random.nextDouble() * jitterNs);
                final double value = (random.nextInt(200 * 1024) - 50 * 1024) / 1024.0;
                final boolean resend = p < 8 && lastEvent[client] > 0;
                final long correlationId = resend ? lastEvent[client] - random.nextInt(2) : ++next[client];
                if (!resend)
                {
                    lastEvent[client] = correlationId;
                }
                inputs.add(new Input(EVENT, client, correlationId, key, clock - behind, value));
            }
        }
        return inputs;
    }

    static ShardContext context(final int processorCount, final String windows)
    {
        final ShardContext ctx = new ShardContext()
            .processorCount(processorCount)
            .stateCapacity(1024)
            .hashSeed(0x5EED_1234_ABCDL)
            .tickIntervalNs(STEP_NS)
            .idleAdvanceNs(0)
            .clientCapacity(16);
        final List<AlertRule> rules = new ArrayList<>();
        rules.add(new AlertRule("big", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.GT, 149.0));
        switch (windows)
        {
            case "TUMBLING":
                ctx.windowSpec(WindowSpec.of(100 * MS, 100 * MS, 40 * MS)).evictAfterWindows(2);
                rules.add(new AlertRule("busy", 1, AlertRule.On.WINDOW, AlertRule.Field.COUNT, AlertRule.Op.GE, 8));
                break;

            case "SLIDING":
                ctx.windowSpec(WindowSpec.of(100 * MS, 25 * MS, 30 * MS)).evictAfterWindows(1);
                rules.add(new AlertRule("busy", 1, AlertRule.On.WINDOW, AlertRule.Field.COUNT, AlertRule.Op.GE, 8));
                break;

            default:
                break;
        }
        return ctx.alertRules(rules).conclude();
    }

    private static Map<Long, Long> marks(final RingProducer producer)
    {
        final Map<Long, Long> marks = new TreeMap<>();
        producer.marks().forEach(marks::put);
        return marks;
    }

    private static List<Out> withoutResumes(final List<Out> outputs)
    {
        return outputs.stream().filter((o) -> o.kind() != 'M').toList();
    }

    @ParameterizedTest(name = "{0} processors, {1}, windows {2}")
    @CsvSource({
        "1,SHARED,OFF", "2,SHARED,OFF", "4,SHARED,OFF",
        "1,DEDICATED,OFF", "2,DEDICATED,OFF", "4,DEDICATED,OFF",
        "1,SHARED,TUMBLING", "2,SHARED,TUMBLING", "4,SHARED,TUMBLING",
        "1,DEDICATED,TUMBLING", "2,DEDICATED,TUMBLING", "4,DEDICATED,TUMBLING",
        "1,SHARED,SLIDING", "2,SHARED,SLIDING", "4,SHARED,SLIDING",
        "1,DEDICATED,SLIDING", "2,DEDICATED,SLIDING", "4,DEDICATED,SLIDING"})
    @Timeout(120)
    void shouldRestoreASnapshotToTheDigestsAndOutputsOfAnUninterruptedRun(
        final int processorCount, final ThreadingMode mode, final String windows, @TempDir final Path dir)
        throws Exception
    {
        final ShardContext ctx = context(processorCount, windows);
        final List<Input> inputs = inputs(processorCount * 1_000L + windows.length(), 400 * MS, 30 * MS);

        // run A: uninterrupted, with the snapshot marker passing through it
        final Harness a = new Harness(ctx, mode);
        final ProducerSnapshot producerA = new ProducerSnapshot();
        a.start();
        for (int i = 0; i < INPUTS; i++)
        {
            if (SNAPSHOT_AT == i)
            {
                a.snapshot(producerA);
            }
            a.offer(inputs.get(i));
        }
        a.end();
        a.drainAndStop();
        final long[] digestsAtSnapshot = a.parts.digests();
        final long[] digestsAtEnd = a.digests();

        // run B, first half, up to and including the marker
        final Harness b1 = new Harness(ctx, mode);
        final ProducerSnapshot producerB = new ProducerSnapshot();
        b1.start();
        for (int i = 0; i < SNAPSHOT_AT; i++)
        {
            b1.offer(inputs.get(i));
        }
        b1.snapshot(producerB);
        b1.drainAndStop();
        for (int i = 0; i < processorCount; i++)
        {
            assertEquals(SNAPSHOT_ID, b1.parts.copied[i], "shard " + i + " copied its part");
            assertEquals(a.parts.outputsAtCopy[i], b1.sinks[i].outputs.size(), "shard " + i + " outputs before");
            assertEquals(a.sinks[i].outputs.subList(0, a.parts.outputsAtCopy[i]), b1.sinks[i].outputs);
        }
        assertArrayEquals(digestsAtSnapshot, b1.parts.digests());
        assertArrayEquals(digestsAtSnapshot, b1.digests(), "the marker changed nothing");

        final SnapshotStore store = new SnapshotStore(dir);
        final SnapshotManifest written = store.write(
            b1.parts.parts, producerB, 3, 4096, ctx.router(), ctx.fingerprint(), 1_234);
        final List<SnapshotManifest> complete = store.complete();
        assertEquals(List.of(written), complete);
        final SnapshotManifest manifest = complete.get(0);
        assertArrayEquals(digestsAtSnapshot, manifest.digests());
        final ShardSnapshot[] loaded = new ShardSnapshot[processorCount];
        for (int i = 0; i < processorCount; i++)
        {
            loaded[i] = new ShardSnapshot();
        }
        final ProducerSnapshot loadedProducer = new ProducerSnapshot();
        store.load(manifest, loaded, loadedProducer);

        // run B, second half: fresh processors and producer, restored, then the rest of the input
        final Harness b2 = new Harness(ctx, mode);
        b2.now = b1.now;
        for (int i = 0; i < processorCount; i++)
        {
            assertEquals(digestsAtSnapshot[i], loaded[i].digest(), "shard " + i + " part read back");
            b2.processors[i].logic().restoreFrom(loaded[i]);
        }
        b2.producer.restore(loadedProducer, b2.now);
        assertArrayEquals(digestsAtSnapshot, b2.digests(), "restored");
        assertEquals(marks(b1.producer), marks(b2.producer));
        assertEquals(b1.producer.watermark(), b2.producer.watermark());
        b2.start();
        for (int i = SNAPSHOT_AT; i < INPUTS; i++)
        {
            b2.offer(inputs.get(i));
        }
        b2.end();
        b2.drainAndStop();

        assertArrayEquals(digestsAtEnd, b2.digests());
        assertEquals(marks(a.producer), marks(b2.producer));
        final int marker = a.journal.size() - b2.journal.size() - 1;
        assertEquals(RingEntry.TYPE_SNAPSHOT, new RingEntry(new UnsafeBuffer(a.journal.get(marker)), 0).type());
        for (int i = 0; i < b2.journal.size(); i++)
        {
            assertArrayEquals(a.journal.get(marker + 1 + i), b2.journal.get(i), "ring entry " + i + " after the marker");
        }
        long answers = 0;
        for (int i = 0; i < processorCount; i++)
        {
            final List<Out> expected = a.sinks[i].outputs;
            assertEquals(expected.subList(a.parts.outputsAtCopy[i], expected.size()), b2.sinks[i].outputs,
                "shard " + i + " outputs after the snapshot");
            answers += expected.size();
        }
        assertTrue(answers > INPUTS, "answers " + answers);
        assertKindsExercised(a, windows);

        // journal replay of run A's whole entry sequence into fresh processors
        final Harness replayed = new Harness(ctx, mode);
        final JournalFeed replay = new JournalFeed(replayed.processors, JournalFeed.JOURNALED_SHARD)
            .producer(replayed.producer);
        for (final byte[] entry : a.journal)
        {
            replay.apply(new UnsafeBuffer(entry), 0, 0);
        }
        assertEquals(a.journal.size(), replay.entries());
        assertArrayEquals(digestsAtEnd, replayed.digests());
        assertEquals(marks(a.producer), marks(replayed.producer));
        assertEquals(a.producer.watermark(), replayed.producer.watermark());
        for (int i = 0; i < processorCount; i++)
        {
            assertEquals(withoutResumes(a.sinks[i].outputs), replayed.sinks[i].outputs, "shard " + i + " replayed");
        }

        // recovery: the snapshot read back, then the journal after its marker
        final Harness recovered = new Harness(ctx, mode);
        for (int i = 0; i < processorCount; i++)
        {
            recovered.processors[i].logic().restoreFrom(loaded[i]);
        }
        recovered.producer.restore(loadedProducer, 0);
        final JournalFeed tail = new JournalFeed(recovered.processors, JournalFeed.JOURNALED_SHARD)
            .producer(recovered.producer);
        for (int i = marker + 1; i < a.journal.size(); i++)
        {
            tail.apply(new UnsafeBuffer(a.journal.get(i)), 0, 0);
        }
        assertArrayEquals(digestsAtEnd, recovered.digests());
        assertEquals(marks(a.producer), marks(recovered.producer));
        assertEquals(a.producer.watermark(), recovered.producer.watermark());
    }

    private static void assertKindsExercised(final Harness run, final String windows)
    {
        final Map<String, Long> kinds = new TreeMap<>();
        for (final TapeSink sink : run.sinks)
        {
            for (final Out out : sink.outputs)
            {
                kinds.merge(out.kind() == 'R' ? "R" + out.a() : Character.toString(out.kind()), 1L, Long::sum);
            }
        }
        final String seen = kinds.toString();
        assertTrue(kinds.getOrDefault("R" + RejectReason.DUPLICATE, 0L) > 100, seen);
        assertTrue(kinds.getOrDefault("M", 0L) > 100, seen);
        assertTrue(kinds.getOrDefault("Q", 0L) > 500, seen);
        assertTrue(kinds.getOrDefault("A", 0L) > 10, seen);
        if ("OFF".equals(windows))
        {
            return;
        }
        assertTrue(kinds.getOrDefault("R" + RejectReason.LATE, 0L) > 100, seen);
        assertTrue(kinds.getOrDefault("W", 0L) > 1_000, seen);
        long evictions = 0;
        for (final ShardCounters counters : run.shardCounters)
        {
            evictions += counters.evictions().get();
        }
        assertTrue(evictions > 1_000, "evictions " + evictions);
    }
}
