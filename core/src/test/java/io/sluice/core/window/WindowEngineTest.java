package io.sluice.core.window;

import io.sluice.config.AlertRule;
import io.sluice.config.ThreadingMode;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.RejectReason;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.shard.ProcessorGroup;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.ring.WatermarkTracker;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.state.KeyStateTable;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowEngineTest
{
    private static final ShardRouter ROUTER = new ShardRouter(42);
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;

    /**
     * One input event, in arrival order.
     */
    record Input(long key, long correlationId, long ts, double value)
    {
    }

    /**
     * What went into the ring, read back from it: an event or a tick (its watermark in {@code ts}).
     */
    record Op(boolean tick, long key, long correlationId, long ts, double value)
    {
    }

    static List<Input> inputs(final long[] keys, final long[] ts, final double[] values)
    {
        final List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < keys.length; i++)
        {
            inputs.add(new Input(keys[i], i + 1, ts[i], values[i]));
        }
        return inputs;
    }

    static final class Run
    {
        final Map<Long, List<Output>> perKey = new TreeMap<>();
        final List<Op> ring = new ArrayList<>();
        final List<ShardCounters> counters = new ArrayList<>();
        final List<WindowEngine> engines = new ArrayList<>();
        final List<KeyStateTable> tables = new ArrayList<>();
        TestCounters sharedCounters;
    }

    /**
     * Feed the inputs through the daemon's {@link RingProducer} (one microsecond of a hand-advanced clock per event,
     * a clock-driven tick check before each, and a final watermark far ahead that closes every window) into
     * processors on one shared poller; record every entry the producer put into the ring for the reference.
     */
    static Run run(
        final WindowSpec spec, final long tickIntervalNs, final List<Input> inputs, final int processors,
        final int capacity, final List<AlertRule> rules, final int evictAfterWindows) throws Exception
    {
        final SluiceRing ring = new SluiceRing(256, WaitStrategyType.SLEEPING);
        final TestCounters counterFactory = new TestCounters();
        final CapturingSink[] sinks = new CapturingSink[processors];
        final ShardProcessor[] shardProcessors = new ShardProcessor[processors];
        final Run run = new Run();
        run.sharedCounters = counterFactory;
        for (int i = 0; i < processors; i++)
        {
            sinks[i] = new CapturingSink();
            final ShardCounters counters = counterFactory.processor(i);
            final KeyStateTable table = new KeyStateTable(capacity, spec.panesPerKey(), ROUTER);
            final WindowEngine engine = new WindowEngine(
                spec, table, sinks[i], counters, new AlertRules(rules), evictAfterWindows);
            shardProcessors[i] = new ShardProcessor(i, engine, sinks[i], counters, null, null);
            run.counters.add(counters);
            run.engines.add(engine);
            run.tables.add(table);
        }
        final List<Throwable> errors = new ArrayList<>();
        final Agent agent = new ProcessorGroup(ring, shardProcessors, ThreadingMode.SHARED, errors::add).pollAgent();
        final RingProducer producer = new RingProducer(
            ring, ROUTER, processors, new WatermarkTracker(spec.slideNs(), spec.latenessNs(), tickIntervalNs, 0),
            counterFactory.counter("ticks"));
        long now = 0;
        for (final Input input : inputs)
        {
            now += 1_000;
            while (!ring.hasCapacity(1))
            {
                agent.doWork();
            }
            final long cursor = ring.ringBuffer().getCursor();
            producer.doTick(now);
            while (RingProducer.RING_FULL == producer.offerEvent(9, input.correlationId(), input.key(), input.ts(), input.value(), now))
            {
                agent.doWork();
            }
            record(ring, cursor, run.ring);
        }
        final long end = ring.ringBuffer().getCursor();
        while (!producer.offerWatermark(Long.MAX_VALUE / 2, now))
        {
            agent.doWork();
        }
        record(ring, end, run.ring);
        while (agent.doWork() > 0)
        {
            Thread.onSpinWait();
        }
        assertEquals(List.of(), errors);
        for (final CapturingSink sink : sinks)
        {
            for (final Output output : sink.outputs)
            {
                run.perKey.computeIfAbsent(output.key(), (k) -> new ArrayList<>()).add(output);
            }
        }
        return run;
    }

    private static void record(final SluiceRing ring, final long from, final List<Op> log)
    {
        for (long sequence = from + 1; sequence <= ring.ringBuffer().getCursor(); sequence++)
        {
            final RingEntry entry = ring.entry(sequence);
            log.add(RingEntry.TYPE_TICK == entry.type() ?
                new Op(true, 0, 0, entry.timestamp(), 0) :
                new Op(false, entry.key(), entry.correlationId(), entry.timestamp(), entry.value()));
        }
    }

    static Map<Long, List<Output>> reference(final WindowSpec spec, final List<Op> ops, final List<AlertRule> rules)
    {
        final ReferenceWindows reference = new ReferenceWindows(spec.sizeNs(), spec.slideNs(), rules);
        for (final Op op : ops)
        {
            if (op.tick())
            {
                reference.tick(op.ts());
            }
            else
            {
                reference.event(op.key(), op.correlationId(), op.ts(), op.value());
            }
        }
        return new TreeMap<>(reference.outputs());
    }

    /**
     * A stream over many keys drifting forward in time, out of order by up to {@code jitter}, with a share of events
     * far behind (late). Values are multiples of 1/1024 in [-50, 150), so every sum of them is exact whatever the
     * order of addition.
     */
    static List<Input> randomStream(final WindowSpec spec, final long seed, final int events, final int keyCount,
        final long jitterNs)
    {
        return randomStream(spec, seed, events, keyCount, jitterNs, T0);
    }

    /**
     * As {@link #randomStream(WindowSpec, long, int, int, long)}, the clock starting at {@code startNs}.
     */
    static List<Input> randomStream(final WindowSpec spec, final long seed, final int events, final int keyCount,
        final long jitterNs, final long startNs)
    {
        final Random random = new Random(seed);
        final long[] keys = new long[events];
        final long[] ts = new long[events];
        final double[] values = new double[events];
        long clock = startNs;
        for (int i = 0; i < events; i++)
        {
            clock += random.nextInt(200) * 10_000L;
            keys[i] = random.nextInt(keyCount) - keyCount / 3;
            final long behind = random.nextInt(20) == 0 ? spec.sizeNs() * 3 + random.nextInt(1000) * MS :
                (long)(random.nextDouble() * jitterNs);
            ts[i] = clock - behind;
            values[i] = (random.nextInt(200 * 1024) - 50 * 1024) / 1024.0;
        }
        return inputs(keys, ts, values);
    }

    @ParameterizedTest(name = "size {0} ms, slide {1} ms, lateness {2} ms, {3} processors")
    @CsvSource({
        "100,100,0,1", "100,100,0,2", "100,100,0,4",
        "100,100,50,1", "100,100,50,4",
        "100,25,0,1", "100,25,0,2", "100,25,0,4",
        "100,25,60,2", "300,100,120,4"})
    void shouldEqualTheReferencePerKeyInOrder(
        final long sizeMs, final long slideMs, final long latenessMs, final int processors) throws Exception
    {
        assertEqualsReference(sizeMs, slideMs, latenessMs, processors, T0);
    }

    /**
     * Event times from -10 s to about +20 s: panes and windows before, across and after 0, where a pane is a floor
     * division (towards negative infinity), with slides that do and do not divide a second.
     */
    @ParameterizedTest(name = "size {0} ms, slide {1} ms, lateness {2} ms, {3} processors, from -10 s")
    @CsvSource({"100,100,0,2", "100,25,60,2", "300,100,120,4", "99,33,10,2", "7,7,0,1"})
    void shouldEqualTheReferenceForNegativeEventTimesAndAcrossZero(
        final long sizeMs, final long slideMs, final long latenessMs, final int processors) throws Exception
    {
        assertEqualsReference(sizeMs, slideMs, latenessMs, processors, -10_000 * MS);
    }

    private static void assertEqualsReference(
        final long sizeMs, final long slideMs, final long latenessMs, final int processors, final long startNs)
        throws Exception
    {
        final WindowSpec spec = WindowSpec.of(sizeMs * MS, slideMs * MS, latenessMs * MS);
        final List<AlertRule> rules = List.of(
            new AlertRule("big", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.GT, 149.0),
            new AlertRule("busy", 1, AlertRule.On.WINDOW, AlertRule.Field.COUNT, AlertRule.Op.GE, 6),
            new AlertRule("cold", 2, AlertRule.On.WINDOW, AlertRule.Field.MEAN, AlertRule.Op.LT, -45));
        final List<Input> inputs =
            randomStream(spec, sizeMs * 31 + slideMs + latenessMs, 30_000, 300, latenessMs * MS, startNs);

        final Run run = run(spec, 2 * MS, inputs, processors, 1024, rules, 0);
        final Map<Long, List<Output>> expected = reference(spec, run.ring, rules);

        assertEquals(expected.keySet(), run.perKey.keySet());
        for (final Map.Entry<Long, List<Output>> e : expected.entrySet())
        {
            assertEquals(e.getValue(), run.perKey.get(e.getKey()), "key " + e.getKey());
        }
        long late = 0;
        long windows = 0;
        for (final List<Output> outputs : expected.values())
        {
            late += outputs.stream().filter((o) -> o.kind() == 'R').count();
            windows += outputs.stream().filter((o) -> o.kind() == 'W').count();
        }
        assertTrue(late > 100, "stream exercises late events: " + late);
        assertTrue(windows > 1000, "stream closes windows: " + windows);
        assertEquals(late, run.counters.stream().mapToLong((c) -> c.late().get()).sum());
        assertEquals(late, run.sharedCounters.rejectedLate().get(), "the daemon's rejected LATE counter");
        assertEquals(0, run.sharedCounters.rejectedStateFull().get());
        assertEquals(windows, run.counters.stream().mapToLong((c) -> c.windowsClosed().get()).sum());
    }

    @Test
    void shouldGiveByteIdenticalOutputForTheSameInputTwiceAndForAnyProcessorCount() throws Exception
    {
        final WindowSpec spec = WindowSpec.of(50 * MS, 10 * MS, 20 * MS);
        final List<Input> inputs = randomStream(spec, 5, 20_000, 500, 20 * MS);
        final Map<Long, List<Output>> first = run(spec, MS, inputs, 2, 1024, List.of(), 0).perKey;
        assertEquals(first, run(spec, MS, inputs, 2, 1024, List.of(), 0).perKey);
        assertEquals(first, run(spec, MS, inputs, 1, 1024, List.of(), 0).perKey);
        assertEquals(first, run(spec, MS, inputs, 4, 1024, List.of(), 0).perKey);
    }

    @Test
    void shouldCloseTumblingWindowsOnceWithFirstAndLastByEventTime() throws Exception
    {
        final WindowSpec spec = WindowSpec.of(100 * MS, 100 * MS, 50 * MS);
        final long[] keys = {7, 7, 7, 7, 7};
        final long[] ts = {T0 + 10 * MS, T0 + 60 * MS, T0 + 5 * MS, T0 + 60 * MS, T0 + 130 * MS};
        final double[] values = {1, 2, 3, 4, 5};
        final List<Output> out =
            run(spec, 1_000_000_000L, inputs(keys, ts, values), 1, 16, List.of(), 0).perKey.get(7L);

        final long w0 = T0 - Math.floorMod(T0, 100 * MS);
        assertEquals(new Output('E', 7, 3, w0, 3, 6, 1, 3, 3, 2), out.get(2));
        assertEquals(new Output('E', 7, 4, w0, 4, 10, 1, 4, 3, 4), out.get(3));
        final List<Output> windows = out.stream().filter((o) -> o.kind() == 'W').toList();
        assertEquals(List.of(
            new Output('W', 7, w0, w0 + 100 * MS, 4, 10, 1, 4, 3, 4),
            new Output('W', 7, w0 + 100 * MS, w0 + 200 * MS, 1, 5, 5, 5, 5, 5)), windows);
    }

    @Test
    void shouldRejectAnEventWhoseWindowsAllClosedAndNeverChangeAClosedWindow() throws Exception
    {
        final WindowSpec spec = WindowSpec.of(100 * MS, 100 * MS, 0);
        final long w0 = T0 - Math.floorMod(T0, 100 * MS);
        final long[] keys = {1, 1, 1, 1};
        final long[] ts = {w0 + 10 * MS, w0 + 150 * MS, w0 + 20 * MS, w0 + 160 * MS};
        final double[] values = {1, 2, 3, 4};
        final Run run = run(spec, 1_000_000_000L, inputs(keys, ts, values), 1, 16, List.of(), 0);
        final List<Output> out = run.perKey.get(1L);
        assertEquals(new Output('R', 1, 3, RejectReason.LATE, 0, 0, 0, 0, 0, 0), out.get(3));
        assertEquals(new Output('W', 1, w0, w0 + 100 * MS, 1, 1, 1, 1, 1, 1), out.get(1));
        assertEquals(1, run.counters.get(0).late().get());
        assertEquals(1, run.sharedCounters.rejectedLate().get());
    }

    @Test
    void shouldCountWindowedStateFullAndLateRejectsInTheProcessorsAndTheSharedReasonCounters() throws Exception
    {
        final WindowSpec spec = WindowSpec.of(100 * MS, 100 * MS, 0);
        final long w0 = T0 - Math.floorMod(T0, 100 * MS);
        final long[] keys = {1, 2, 3, 1, 4};
        final long[] ts = {w0 + 10 * MS, w0 + 20 * MS, w0 + 30 * MS, w0 + 150 * MS, w0 + 40 * MS};
        final double[] values = {1, 2, 3, 4, 5};
        final Run run = run(spec, 1_000_000_000L, inputs(keys, ts, values), 1, 2, List.of(), 0);
        assertEquals(new Output('R', 3, 3, RejectReason.STATE_FULL, 0, 0, 0, 0, 0, 0), run.perKey.get(3L).get(0));
        assertEquals(new Output('R', 4, 5, RejectReason.LATE, 0, 0, 0, 0, 0, 0), run.perKey.get(4L).get(0));
        assertEquals(1, run.counters.get(0).stateFull().get());
        assertEquals(1, run.counters.get(0).late().get());
        assertEquals(1, run.sharedCounters.rejectedStateFull().get());
        assertEquals(1, run.sharedCounters.rejectedLate().get());
        assertEquals(5, run.counters.get(0).processed().get());
    }

    @Test
    void shouldNeverEvictWhenTheEvictionDelayExceedsTheTimeRangeInsteadOfOverflowing() throws Exception
    {
        final WindowSpec spec = WindowSpec.of(5_000 * MS, 5_000 * MS, 0);
        final long[] keys = {5, 5};
        final long[] ts = {T0, T0 + MS};
        final double[] values = {1, 2};
        final Run run = run(spec, MS, inputs(keys, ts, values), 1, 16, List.of(), Integer.MAX_VALUE);
        assertEquals(1, run.perKey.get(5L).stream().filter((o) -> o.kind() == 'W').count());
        assertEquals(0, run.counters.get(0).evictions().get());
        assertEquals(1, run.tables.get(0).size());
    }

    @Test
    void shouldEvictIdleKeysSoTenTimesTheCapacityOfKeysNeverFillsTheTable() throws Exception
    {
        final WindowSpec spec = WindowSpec.of(10 * MS, 10 * MS, 0);
        final int capacity = 64;
        final int keyCount = capacity * 10;
        final int perKey = 5;
        final long[] keys = new long[keyCount * perKey];
        final long[] ts = new long[keys.length];
        final double[] values = new double[keys.length];
        int i = 0;
        for (int k = 0; k < keyCount; k++)
        {
            for (int e = 0; e < perKey; e++)
            {
                keys[i] = 1_000 + k;
                ts[i] = T0 + (k / 16) * 10 * MS + e * MS;
                values[i] = e;
                i++;
            }
        }
        final Run run = run(spec, MS, inputs(keys, ts, values), 1, capacity, List.of(), 2);
        long stateFull = 0;
        long windows = 0;
        for (final List<Output> outputs : run.perKey.values())
        {
            stateFull += outputs.stream().filter((o) -> o.kind() == 'R').count();
            windows += outputs.stream().filter((o) -> o.kind() == 'W').count();
        }
        assertEquals(0, stateFull);
        assertEquals(keyCount, windows);
        assertEquals(keyCount, run.counters.get(0).evictions().get());
        assertEquals(0, run.tables.get(0).size());
        assertTrue(run.engines.get(0).scheduledEntries() <= 2 * capacity, "schedule bounded");
    }
}
