package io.sluice.core.window;

import io.sluice.config.AlertRule;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.ResultMode;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.replay.JournalFeed;
import io.sluice.core.replay.WhatIfRun;
import io.sluice.core.replay.WindowRebuild;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.state.KeyStateTable;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A window change at restart ({@link WindowRebuild}): a journal written by the daemon's own producer under the old
 * windows, recovered by old-window processors, then new-window processors rebuilt from the journal's history
 * (from its start, or from a snapshot point whose newest event is older than every window open at the restart),
 * the old running figures carried over, the producer restored to the rebuild's time; then more events written by
 * the new producer. Every output of the restarted processors (window results, alerts, rejects) equals, key by key,
 * what a {@link WhatIfRun} of the whole journal under the new windows gives for the same entries, and every window
 * result after the restart starts at or after the rebuild's first open window start.
 */
class WindowRebuildTest
{
    private static final long MS = 1_000_000L;
    private static final long SEED = 42;
    private static final WindowSpec OLD = WindowSpec.of(100 * MS, 100 * MS, 30 * MS);
    private static final List<AlertRule> RULES = List.of(
        new AlertRule("busy", 0, AlertRule.On.WINDOW, AlertRule.Field.COUNT, AlertRule.Op.GE, 5),
        new AlertRule("low", 1, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.LT, -49.0));

    /** The daemon's producer writing a journal, with the facts a snapshot's producer part records at each point. */
    private static final class Writer
    {
        final ExpandableArrayBuffer journal = new ExpandableArrayBuffer(1 << 22);
        final SluiceRing ring = new SluiceRing(256, WaitStrategyType.SLEEPING);
        final RingProducer producer;
        final List<long[]> points = new ArrayList<>();
        int count;
        long maxTs = Long.MIN_VALUE;
        long lastTick = Long.MIN_VALUE;
        long now;

        Writer(final ShardContext shards, final TestCounters counters)
        {
            producer = shards.newProducer(ring, counters.counter("ticks"));
        }

        void write(final List<WindowEngineTest.Input> inputs, final int from, final int to)
        {
            for (int i = from; i < to; i++)
            {
                final WindowEngineTest.Input input = inputs.get(i);
                now += 1_000;
                if (i % 1_500 == 0)
                {
                    points.add(new long[]{count, maxTs, lastTick});
                    final long quietEnd = now + 300 * MS;
                    while (now < quietEnd)
                    {
                        now += MS;
                        if (1 == producer.doTick(now))
                        {
                            copy(ring.entry(ring.ringBuffer().getCursor()));
                        }
                    }
                }
                final long cursor = ring.ringBuffer().getCursor();
                producer.doTick(now);
                assertEquals(RingProducer.OFFERED,
                    producer.offerEvent(9, input.correlationId(), input.key(), input.ts(), input.value(), now));
                for (long sequence = cursor + 1; sequence <= ring.ringBuffer().getCursor(); sequence++)
                {
                    copy(ring.entry(sequence));
                }
            }
        }

        private void copy(final RingEntry entry)
        {
            journal.putBytes(count++ * RingEntry.LENGTH, entry.buffer(), entry.offset(), RingEntry.LENGTH);
            if (RingEntry.TYPE_TICK == entry.type())
            {
                lastTick = entry.timestamp();
            }
            else if (RingEntry.TYPE_EVENT == entry.type())
            {
                maxTs = Math.max(maxTs, entry.timestamp());
            }
        }
    }

    private static ShardContext shards(final WindowSpec spec, final int processors, final int evictAfterWindows)
    {
        return new ShardContext()
            .processorCount(processors)
            .stateCapacity(1024)
            .hashSeed(SEED)
            .windowSpec(spec)
            .tickIntervalNs(2 * MS)
            .idleAdvanceNs(50 * MS)
            .alertRules(RULES)
            .evictAfterWindows(evictAfterWindows)
            .conclude();
    }

    private static ShardProcessor[] processors(final ShardContext shards, final CapturingSink sink)
    {
        final ShardCounters[] counters = ShardCounters.standalone(shards.processorCount());
        return shards.newProcessors((shard) -> sink, (shard) -> counters[shard], null);
    }

    private static Map<Long, List<Output>> perKey(final List<Output> outputs)
    {
        final Map<Long, List<Output>> perKey = new TreeMap<>();
        for (final Output output : outputs)
        {
            perKey.computeIfAbsent(output.key(), (k) -> new ArrayList<>()).add(output);
        }
        return perKey;
    }

    /**
     * @return the outputs of the restarted processors after the restart, and the what-if run's for the same
     * entries, per key; and the first open window start.
     */
    private record Outcome(Map<Long, List<Output>> restarted, Map<Long, List<Output>> whatIf, long firstOpenStart,
        long historyStart, long windowResults, long newestAtRestart)
    {
    }

    private static Outcome restart(
        final WindowSpec spec,
        final int processors,
        final int oldEvict,
        final int newEvict,
        final boolean fromSnapshot,
        final boolean resetWindows)
    {
        final List<WindowEngineTest.Input> inputs = WindowEngineTest.randomStream(OLD, 11, 24_000, 300, 30 * MS);
        final TestCounters counters = new TestCounters();
        final ShardContext oldShards = shards(OLD, 2, oldEvict);
        final Writer writer = new Writer(oldShards, counters);
        writer.write(inputs, 0, 12_000);
        final int recoveryPoint = writer.count;

        final ShardProcessor[] old = processors(oldShards, new CapturingSink());
        final JournalFeed recovery = new JournalFeed(old, JournalFeed.JOURNALED_SHARD);
        for (int i = 0; i < recoveryPoint; i++)
        {
            recovery.apply(writer.journal, i * RingEntry.LENGTH, 0);
        }

        final ShardContext newShards = shards(spec, processors, newEvict);
        final CapturingSink sink = new CapturingSink();
        final ShardProcessor[] restarted = processors(newShards, sink);
        final WindowRebuild rebuild = new WindowRebuild(newShards, restarted);
        final long needed = WindowRebuild.firstOpenStart(spec,
            WindowRebuild.watermark(writer.maxTs, writer.lastTick, spec.latenessNs()));
        int from = 0;
        if (resetWindows)
        {
            from = recoveryPoint;
            rebuild.startAt(writer.maxTs, writer.lastTick);
        }
        else if (fromSnapshot)
        {
            for (final long[] point : writer.points)
            {
                if (point[1] < needed)
                {
                    from = (int)point[0];
                    rebuild.startAt(point[1], point[2]);
                }
            }
            assertTrue(from > 0, "a snapshot point older than every open window");
        }
        for (int i = from; i < recoveryPoint; i++)
        {
            rebuild.apply(writer.journal, i * RingEntry.LENGTH);
        }
        assertEquals(0, rebuild.carry(old));
        assertEquals(resetWindows ? WindowRebuild.firstOpenStart(spec, rebuild.watermark()) : needed,
            rebuild.firstOpenStart());
        sink.outputs.clear();

        final Writer after = new Writer(newShards, counters);
        final ProducerSnapshot state = rebuild.producerState(1, writer.producer.marks());
        after.producer.restore(state, 0);
        after.now = writer.now;
        after.count = writer.count;
        after.journal.putBytes(0, writer.journal, 0, writer.count * RingEntry.LENGTH);
        after.write(inputs, 12_000, inputs.size());
        final JournalFeed live = new JournalFeed(restarted, JournalFeed.JOURNALED_SHARD).resultMode(ResultMode.NONE);
        for (int i = recoveryPoint; i < after.count; i++)
        {
            live.apply(after.journal, i * RingEntry.LENGTH, 0);
        }

        final CapturingSink whatIfSink = new CapturingSink();
        final WhatIfRun whatIf = new WhatIfRun(shards(spec, processors, newEvict), whatIfSink, spec.latenessNs(),
            false, null);
        for (int i = 0; i < after.count; i++)
        {
            if (i == recoveryPoint)
            {
                whatIfSink.outputs.clear();
            }
            whatIf.apply(after.journal, i * RingEntry.LENGTH);
        }
        long windowResults = 0;
        for (final Output output : sink.outputs)
        {
            if ('W' == output.kind())
            {
                windowResults++;
                assertTrue(output.a() >= rebuild.firstOpenStart(), "window " + output + " starts before " +
                    rebuild.firstOpenStart());
            }
        }
        return new Outcome(perKey(sink.outputs), perKey(whatIfSink.outputs), rebuild.firstOpenStart(), from,
            windowResults, writer.maxTs);
    }

    @ParameterizedTest(name = "new size {0} ms, slide {1} ms, lateness {2} ms, {3} processors, evict {4}->{5}, " +
        "from a snapshot {6}")
    @CsvSource({
        "50,50,30,2,0,0,false", "50,50,30,2,0,0,true",
        "200,50,30,3,0,0,true", "300,100,30,1,0,0,false",
        "100,25,10,2,0,0,true", "100,100,80,2,0,0,true",
        "100,100,30,2,2,5,true", "200,100,0,4,3,1,false"})
    void shouldGiveExactlyTheWhatIfRunsOutputAfterTheRestart(
        final long sizeMs, final long slideMs, final long latenessMs, final int processors, final int oldEvict,
        final int newEvict, final boolean fromSnapshot)
    {
        final WindowSpec spec = WindowSpec.of(sizeMs * MS, slideMs * MS, latenessMs * MS);
        final Outcome outcome = restart(spec, processors, oldEvict, newEvict, fromSnapshot, false);

        assertTrue(outcome.windowResults() > 500, "window results after the restart: " + outcome.windowResults());
        assertEquals(fromSnapshot, outcome.historyStart() > 0);
        assertEquals(outcome.whatIf().keySet(), outcome.restarted().keySet());
        for (final Map.Entry<Long, List<Output>> e : outcome.whatIf().entrySet())
        {
            assertEquals(e.getValue(), outcome.restarted().get(e.getKey()), "key " + e.getKey());
        }
    }

    @Test
    void shouldStartWindowsEmptyAtTheRecoveryPointWithResetWindowsAndGiveTheWhatIfResultsOfLaterWindows()
    {
        final WindowSpec spec = WindowSpec.of(50 * MS, 50 * MS, 30 * MS);
        final Outcome outcome = restart(spec, 2, 0, 0, false, true);

        final long complete = spec.nextEndAfter(outcome.newestAtRestart());
        long equal = 0;
        long differ = 0;
        for (final Map.Entry<Long, List<Output>> e : outcome.whatIf().entrySet())
        {
            final List<Output> expected = windowsFrom(e.getValue(), complete);
            final List<Output> actual = windowsFrom(outcome.restarted().get(e.getKey()), complete);
            assertEquals(expected, actual, "key " + e.getKey());
            equal += expected.size();
            differ += windowsFrom(e.getValue(), Long.MIN_VALUE).size() - expected.size();
        }
        assertTrue(equal > 500, "windows equal after the reset: " + equal);
        assertTrue(differ > 0, "the windows open at the reset hold only later events: " + differ);
        assertNotEquals(outcome.whatIf(), outcome.restarted());
    }

    @Test
    void shouldCarryEveryKeysEventCountAndNewestTimeOver()
    {
        final ShardContext oldShards = shards(OLD, 2, 0);
        final ShardProcessor[] old = processors(oldShards, new CapturingSink());
        final Writer writer = new Writer(oldShards, new TestCounters());
        writer.write(WindowEngineTest.randomStream(OLD, 5, 3_000, 50, 30 * MS), 1, 3_000);
        final JournalFeed recovery = new JournalFeed(old, JournalFeed.JOURNALED_SHARD);
        for (int i = 0; i < writer.count; i++)
        {
            recovery.apply(writer.journal, i * RingEntry.LENGTH, 0);
        }
        final ShardContext newShards = shards(WindowSpec.of(40 * MS, 20 * MS, 30 * MS), 3, 0);
        final ShardProcessor[] restarted = processors(newShards, new CapturingSink());
        final WindowRebuild rebuild = new WindowRebuild(newShards, restarted);
        rebuild.startAt(writer.maxTs, writer.lastTick);
        assertEquals(0, rebuild.carry(old));

        long keys = 0;
        for (final ShardProcessor processor : old)
        {
            final KeyStateTable table = ((WindowEngine)processor.logic()).table();
            for (int slot = 0; slot < table.capacity(); slot++)
            {
                final long key = table.key(slot);
                if (table.find(key) != slot)
                {
                    continue;
                }
                keys++;
                final KeyStateTable target =
                    ((WindowEngine)restarted[newShards.router().shard(key, 3)].logic()).table();
                final int newSlot = target.find(key);
                assertEquals(table.count(slot), target.count(newSlot), "key " + key);
                assertEquals(table.maxTimestamp(slot), target.maxTimestamp(newSlot), "key " + key);
            }
        }
        assertEquals(50, keys);
    }

    private static List<Output> windowsFrom(final List<Output> outputs, final long start)
    {
        final List<Output> windows = new ArrayList<>();
        if (null != outputs)
        {
            for (final Output output : outputs)
            {
                if (('W' == output.kind() || 'A' == output.kind() && output.b() == 0) && output.a() >= start)
                {
                    windows.add(output);
                }
            }
        }
        return windows;
    }
}
