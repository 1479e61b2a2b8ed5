package io.sluice.core.window;

import io.sluice.config.AlertRule;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.replay.JournalFeed;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.replay.WhatIfRun;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.logic.TestCounters;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What-if replay's core: a journal written under one window configuration (through the daemon's own
 * {@link RingProducer}, with clock-driven ticks and idle advance) run by {@link WhatIfRun} under another gives,
 * key by key, exactly what the simple reference ({@link ReferenceWindows}) computes for that other configuration
 * from the journal's events and clock; under the journal's own configuration it gives exactly what replaying the
 * journal's own ticks gives.
 */
class WhatIfRunTest
{
    private static final long MS = 1_000_000L;
    private static final long SEED = 42;
    private static final WindowSpec LIVE = WindowSpec.of(100 * MS, 100 * MS, 30 * MS);
    private static final List<AlertRule> LIVE_RULES = List.of(
        new AlertRule("big", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.GT, 149.0),
        new AlertRule("busy", 1, AlertRule.On.WINDOW, AlertRule.Field.COUNT, AlertRule.Op.GE, 6));

    /**
     * A journal: the entries the daemon's producer put into the ring, in order, 64 bytes each.
     */
    private record Journal(ExpandableArrayBuffer entries, int count, int ticks)
    {
    }

    /**
     * Write a journal as the live daemon would: the producer under the live windows, a clock that advances a
     * microsecond an event and now and then stays quiet for 300 ms (idle advance after 50 ms moves the watermark,
     * clock ticks every 2 ms carry it), a clock tick check before every event.
     */
    private static Journal journal(final List<WindowEngineTest.Input> inputs)
    {
        final SluiceRing ring = new SluiceRing(256, WaitStrategyType.SLEEPING);
        final TestCounters counters = new TestCounters();
        final ShardContext live = new ShardContext()
            .processorCount(2)
            .stateCapacity(1024)
            .hashSeed(SEED)
            .windowSpec(LIVE)
            .tickIntervalNs(2 * MS)
            .idleAdvanceNs(50 * MS)
            .alertRules(LIVE_RULES)
            .conclude();
        final RingProducer producer = live.newProducer(ring, counters.counter("ticks"));
        final ExpandableArrayBuffer journal = new ExpandableArrayBuffer(1 << 20);
        final int[] counts = new int[2];
        long now = 0;
        int i = 0;
        for (final WindowEngineTest.Input input : inputs)
        {
            now += 1_000;
            if (++i % 2_000 == 0)
            {
                final long quietEnd = now + 300 * MS;
                while (now < quietEnd)
                {
                    now += MS;
                    append(ring, producer.doTick(now), journal, counts);
                }
            }
            final long cursor = ring.ringBuffer().getCursor();
            producer.doTick(now);
            assertEquals(RingProducer.OFFERED,
                producer.offerEvent(9, input.correlationId(), input.key(), input.ts(), input.value(), now));
            for (long sequence = cursor + 1; sequence <= ring.ringBuffer().getCursor(); sequence++)
            {
                copy(ring.entry(sequence), journal, counts);
            }
        }
        return new Journal(journal, counts[0], counts[1]);
    }

    private static void append(
        final SluiceRing ring, final int ticked, final ExpandableArrayBuffer journal, final int[] counts)
    {
        if (1 == ticked)
        {
            copy(ring.entry(ring.ringBuffer().getCursor()), journal, counts);
        }
    }

    private static void copy(final RingEntry entry, final ExpandableArrayBuffer journal, final int[] counts)
    {
        journal.putBytes(counts[0]++ * RingEntry.LENGTH, entry.buffer(), entry.offset(), RingEntry.LENGTH);
        if (RingEntry.TYPE_TICK == entry.type())
        {
            counts[1]++;
        }
    }

    private static ShardContext whatIf(
        final WindowSpec spec, final int processors, final List<AlertRule> rules)
    {
        return new ShardContext()
            .processorCount(processors)
            .stateCapacity(1024)
            .hashSeed(SEED)
            .windowSpec(spec)
            .alertRules(rules)
            .conclude();
    }

    private static Map<Long, List<Output>> perKey(final CapturingSink sink)
    {
        final Map<Long, List<Output>> perKey = new TreeMap<>();
        for (final Output output : sink.outputs)
        {
            perKey.computeIfAbsent(output.key(), (k) -> new ArrayList<>()).add(output);
        }
        return perKey;
    }

    private static Map<Long, List<Output>> replay(
        final Journal journal, final ShardContext shards, final long[] keys, final boolean close)
    {
        final CapturingSink sink = new CapturingSink();
        final WhatIfRun run = new WhatIfRun(shards, sink, LIVE.latenessNs(), true, keys);
        for (int i = 0; i < journal.count(); i++)
        {
            run.apply(journal.entries(), i * RingEntry.LENGTH);
        }
        if (close)
        {
            run.closeOpenWindows();
        }
        assertEquals(journal.count(), run.entries());
        return perKey(sink);
    }

    /**
     * The reference for a what-if configuration: the journal's events in order, each after a tick to the highest
     * event time so far less the what-if lateness; each journaled tick's watermark shifted by the difference in
     * lateness.
     */
    private static Map<Long, List<Output>> reference(
        final Journal journal, final WindowSpec spec, final List<AlertRule> rules, final boolean close)
    {
        final ReferenceWindows reference = new ReferenceWindows(spec.sizeNs(), spec.slideNs(), rules);
        long maxTs = Long.MIN_VALUE;
        for (int i = 0; i < journal.count(); i++)
        {
            final RingEntry entry = new RingEntry(
                new org.agrona.concurrent.UnsafeBuffer(journal.entries().byteArray()), i * RingEntry.LENGTH);
            if (RingEntry.TYPE_TICK == entry.type())
            {
                reference.tick(entry.timestamp() + LIVE.latenessNs() - spec.latenessNs());
            }
            else if (RingEntry.TYPE_EVENT == entry.type())
            {
                maxTs = Math.max(maxTs, entry.timestamp());
                reference.tick(maxTs - spec.latenessNs());
                reference.event(entry.key(), entry.correlationId(), entry.timestamp(), entry.value());
            }
        }
        if (close)
        {
            reference.tick(maxTs + spec.sizeNs());
        }
        return new TreeMap<>(reference.outputs());
    }

    @ParameterizedTest(name = "what-if size {0} ms, slide {1} ms, lateness {2} ms, {3} processors, close {4}")
    @CsvSource({
        "50,50,10,1,false", "50,50,10,3,true",
        "100,25,60,2,false", "200,50,0,4,true",
        "100,100,30,1,true"})
    void shouldEqualTheReferenceOfTheWhatIfConfigurationPerKey(
        final long sizeMs, final long slideMs, final long latenessMs, final int processors, final boolean close)
    {
        final WindowSpec spec = WindowSpec.of(sizeMs * MS, slideMs * MS, latenessMs * MS);
        final List<AlertRule> rules = List.of(
            new AlertRule("busy", 0, AlertRule.On.WINDOW, AlertRule.Field.COUNT, AlertRule.Op.GE, 4),
            new AlertRule("hot", 1, AlertRule.On.WINDOW, AlertRule.Field.MAX, AlertRule.Op.GT, 140.0),
            new AlertRule("low", 2, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.LT, -49.0));
        final Journal journal = journal(WindowEngineTest.randomStream(LIVE, 7, 20_000, 300, 30 * MS));
        assertTrue(journal.ticks() > 1_000, "the journal holds clock and event ticks: " + journal.ticks());

        final Map<Long, List<Output>> expected = reference(journal, spec, rules, close);
        final Map<Long, List<Output>> actual = replay(journal, whatIf(spec, processors, rules), null, close);

        assertEquals(expected.keySet(), actual.keySet());
        for (final Map.Entry<Long, List<Output>> key : expected.entrySet())
        {
            assertEquals(key.getValue(), actual.get(key.getKey()), "key " + key.getKey());
        }
        final long late = count(expected, 'R');
        final long windows = count(expected, 'W');
        final long alerts = count(expected, 'A');
        assertTrue(late > 100 && windows > 1_000 && alerts > 100,
            "the history exercises late events, windows and alerts: " + late + ", " + windows + ", " + alerts);
    }

    @Test
    void shouldGiveTheJournalsOwnTicksAndOutputUnderItsOwnConfiguration()
    {
        final Journal journal = journal(WindowEngineTest.randomStream(LIVE, 11, 20_000, 300, 30 * MS));

        final CapturingSink sink = new CapturingSink();
        final WhatIfRun run = new WhatIfRun(whatIf(LIVE, 2, LIVE_RULES), sink, LIVE.latenessNs(), true, null);
        for (int i = 0; i < journal.count(); i++)
        {
            run.apply(journal.entries(), i * RingEntry.LENGTH);
        }

        final CapturingSink verbatimSink = new CapturingSink();
        final ShardContext shards = whatIf(LIVE, 2, LIVE_RULES);
        final TestCounters counters = new TestCounters();
        final ShardProcessor[] processors = shards.newProcessors((shard) -> verbatimSink, counters::processor, null);
        final JournalFeed verbatim = new JournalFeed(processors, JournalFeed.JOURNALED_SHARD);
        for (int i = 0; i < journal.count(); i++)
        {
            verbatim.apply(journal.entries(), i * RingEntry.LENGTH, 0);
        }

        assertEquals(journal.ticks(), run.ticks(), "the same ticks as the journal holds");
        assertEquals(verbatimSink.outputs, sink.outputs, "the same output, in the same order");
        assertTrue(count(perKey(sink), 'W') > 1_000);
    }

    @Test
    void shouldGiveTheSelectedKeysTheOutputOfTheWholeRun()
    {
        final Journal journal = journal(WindowEngineTest.randomStream(LIVE, 13, 20_000, 300, 30 * MS));
        final WindowSpec spec = WindowSpec.of(50 * MS, 50 * MS, 10 * MS);
        final Map<Long, List<Output>> all = replay(journal, whatIf(spec, 2, LIVE_RULES), null, true);
        final long[] keys = all.keySet().stream().limit(3).mapToLong(Long::longValue).toArray();

        final Map<Long, List<Output>> selected = replay(journal, whatIf(spec, 2, LIVE_RULES), keys, true);

        assertEquals(Set.of(keys[0], keys[1], keys[2]), selected.keySet());
        for (final long key : keys)
        {
            assertEquals(all.get(key), selected.get(key), "key " + key);
            assertTrue(all.get(key).size() > 10);
        }
    }

    private static long count(final Map<Long, List<Output>> perKey, final char kind)
    {
        return perKey.values().stream().flatMap(List::stream).filter((o) -> o.kind() == kind).count();
    }
}
