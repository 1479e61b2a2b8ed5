package io.sluice.core.shard;

import io.sluice.config.ThreadingMode;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.RejectReason;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.ring.WatermarkTracker;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.logic.RecordingSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.logic.ShardLogic;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.state.KeyStateTable;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessorGroupTest
{
    private static final ShardRouter ROUTER = new ShardRouter(42);
    private static final int EVENTS = 100_000;
    private static final int KEYS = 1_000;

    /**
     * The simple on-heap reference: the aggregate of each key after each event.
     */
    private static Map<Long, RecordingSink.Result> reference(final long[] keys, final double[] values)
    {
        final Map<Long, double[]> state = new HashMap<>();
        final Map<Long, RecordingSink.Result> expected = new HashMap<>();
        for (int i = 0; i < keys.length; i++)
        {
            final double v = values[i];
            final double[] s = state.get(keys[i]);
            final double[] next = null == s ?
                new double[]{1, v, v, v, v, v} :
                new double[]{s[0] + 1, s[1] + v, Math.min(s[2], v), Math.max(s[3], v), s[4], v};
            state.put(keys[i], next);
            expected.put((long)i, new RecordingSink.Result(
                7, i, keys[i], (long)next[0], next[1], next[2], next[3], next[4], next[5], 0));
        }
        return expected;
    }

    @ParameterizedTest(name = "{0} processors, {1}")
    @CsvSource({"1,SHARED", "2,SHARED", "4,SHARED", "1,DEDICATED", "2,DEDICATED", "4,DEDICATED"})
    @Timeout(60)
    void shouldGiveExactlyTheReferenceAggregatesWhateverTheProcessorCount(
        final int processorCount, final ThreadingMode mode) throws Exception
    {
        final Random random = new Random(42);
        final long[] keys = new long[EVENTS];
        final double[] values = new double[EVENTS];
        for (int i = 0; i < EVENTS; i++)
        {
            keys[i] = random.nextInt(KEYS) - KEYS / 2;
            values[i] = Math.round(random.nextGaussian() * 10_000) / 100.0;
        }

        final List<RecordingSink.Result> results = run(processorCount, mode, keys, values, 64 * 1024);

        final Map<Long, RecordingSink.Result> expected = reference(keys, values);
        assertEquals(EVENTS, results.size());
        final Map<Long, RecordingSink.Result> byCorrelation = new HashMap<>();
        for (final RecordingSink.Result result : results)
        {
            byCorrelation.put(result.correlationId(), result);
        }
        assertEquals(EVENTS, byCorrelation.size());
        assertEquals(expected, byCorrelation);
    }

    @Test
    @Timeout(30)
    void shouldGiveIdenticalResultsPerKeyForOneTwoAndFourProcessors() throws Exception
    {
        final Random random = new Random(3);
        final long[] keys = new long[20_000];
        final double[] values = new double[keys.length];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = random.nextInt(300);
            values[i] = random.nextDouble() * 100;
        }
        final Map<Long, List<RecordingSink.Result>> one = perKey(run(1, ThreadingMode.SHARED, keys, values, 1024));
        assertEquals(one, perKey(run(2, ThreadingMode.SHARED, keys, values, 1024)));
        assertEquals(one, perKey(run(4, ThreadingMode.DEDICATED, keys, values, 1024)));
    }

    @Test
    @Timeout(30)
    void shouldRejectNewKeysWithStateFullAndKeepServingKnownKeys() throws Exception
    {
        final long[] keys = {1, 2, 3, 4, 5, 1, 6, 2};
        final double[] values = {1, 2, 3, 4, 5, 10, 6, 20};
        final List<RecordingSink.Result> results = runWithCapacity(keys, values, 4);
        final Map<Long, RecordingSink.Result> byCorrelation = new TreeMap<>();
        results.forEach((r) -> byCorrelation.put(r.correlationId(), r));
        assertEquals(RejectReason.STATE_FULL, byCorrelation.get(4L).reason());
        assertEquals(RejectReason.STATE_FULL, byCorrelation.get(6L).reason());
        assertEquals(2, byCorrelation.get(5L).count());
        assertEquals(11.0, byCorrelation.get(5L).sum());
        assertEquals(22.0, byCorrelation.get(7L).sum());
        assertEquals(8, results.size());
    }

    @Test
    void shouldRefuseClaimWhenRingIsFullAndLoseNothing() throws Exception
    {
        final SluiceRing ring = new SluiceRing(8, WaitStrategyType.SLEEPING);
        final RecordingSink sink = new RecordingSink();
        final TestCounters counters = new TestCounters();
        final ShardProcessor processor =
            TestProcessors.running(0, new KeyStateTable(16, 0, ROUTER), sink, counters.processor(0));
        final ProcessorGroup group = new ProcessorGroup(
            ring, new ShardProcessor[]{processor}, ThreadingMode.SHARED, Throwable::printStackTrace);
        final Agent agent = group.pollAgent();

        int published = 0;
        int refused = 0;
        for (int i = 0; i < 8; i++)
        {
            final long sequence = ring.tryClaim();
            assertTrue(sequence >= 0);
            ring.entry(sequence).event(0, 1, published++, 5, 1, 1.0, 0);
            ring.publish(sequence);
        }
        if (-1 == ring.tryClaim())
        {
            refused++;
        }
        assertEquals(8, group.pollAgent().doWork());
        final long sequence = ring.tryClaim();
        assertTrue(sequence >= 0);
        ring.entry(sequence).event(0, 1, published++, 5, 1, 1.0, 0);
        ring.publish(sequence);
        assertEquals(1, agent.doWork());

        assertEquals(1, refused);
        assertEquals(9, sink.results.size());
        assertEquals(9, sink.results.get(8).count());
        assertTrue(ring.isDrained());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SHARED", "DEDICATED"})
    @Timeout(60)
    void shouldReportAThrowingEntryOnceSkipItAndAnswerEveryOtherEntryOnce(final ThreadingMode mode) throws Exception
    {
        final int events = 1_000;
        final long poisoned = 500;
        final int processorCount = 2;
        final SluiceRing ring = new SluiceRing(2048, WaitStrategyType.YIELDING);
        final TestCounters counters = new TestCounters();
        final RecordingSink[] sinks = new RecordingSink[processorCount];
        final ShardProcessor[] processors = new ShardProcessor[processorCount];
        for (int i = 0; i < processorCount; i++)
        {
            sinks[i] = new RecordingSink(poisoned);
            processors[i] =
                TestProcessors.running(i, new KeyStateTable(1024, 0, ROUTER), sinks[i], counters.processor(i));
        }
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final ProcessorGroup group = new ProcessorGroup(ring, processors, mode, errors::add);
        group.start();
        for (int i = 0; i < events; i++)
        {
            final long key = i % 50;
            final long sequence = ring.tryClaim();
            ring.entry(sequence).event(ROUTER.shard(key, processorCount), 7, i, key, 1, i, 0);
            ring.publish(sequence);
        }
        final Agent agent = group.pollAgent();
        if (null != agent)
        {
            for (int i = 0; i < 10_000 && !ring.isDrained(); i++)
            {
                agent.doWork();
            }
        }
        final boolean drained = group.drainAndStop(10, TimeUnit.SECONDS);

        final Map<Long, Integer> answers = new TreeMap<>();
        for (final RecordingSink sink : sinks)
        {
            sink.results.forEach((r) -> answers.merge(r.correlationId(), 1, Integer::sum));
        }
        assertTrue(drained, "ring drained");
        assertEquals(1, errors.size(), "reported once: " + errors.size());
        assertTrue(errors.get(0).getMessage().contains("correlation " + poisoned), errors.get(0).getMessage());
        assertEquals("poisoned " + poisoned, errors.get(0).getCause().getMessage());
        assertEquals(events - 1, answers.size());
        for (long correlationId = 0; correlationId < events; correlationId++)
        {
            assertEquals(
                correlationId == poisoned ? null : 1, answers.get(correlationId), "answers to " + correlationId);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SHARED", "DEDICATED"})
    @Timeout(60)
    void shouldCountEveryStateFullRejectInItsProcessorsCounterAndInTheSharedReasonCounter(final ThreadingMode mode)
        throws Exception
    {
        final int processorCount = 2;
        final int keys = 20_000;
        final SluiceRing ring = new SluiceRing(1024, WaitStrategyType.YIELDING);
        final TestCounters counters = new TestCounters();
        final RecordingSink[] sinks = new RecordingSink[processorCount];
        final ShardCounters[] shardCounters = new ShardCounters[processorCount];
        final ShardProcessor[] processors = new ShardProcessor[processorCount];
        for (int i = 0; i < processorCount; i++)
        {
            sinks[i] = new RecordingSink();
            shardCounters[i] = counters.processor(i);
            processors[i] = TestProcessors.running(i, new KeyStateTable(4, 0, ROUTER), sinks[i], shardCounters[i]);
        }
        final ProcessorGroup group = new ProcessorGroup(ring, processors, mode, Throwable::printStackTrace);
        group.start();
        final Agent agent = group.pollAgent();
        final RingProducer producer = new RingProducer(ring, ROUTER, processorCount, null, counters.counter("ticks"));
        for (long key = 0; key < keys; key++)
        {
            while (RingProducer.RING_FULL == producer.offerEvent(1, key, key, 1, 1.0, 0))
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
        while (null != agent && agent.doWork() > 0)
        {
            Thread.onSpinWait();
        }
        assertTrue(group.drainAndStop(20, TimeUnit.SECONDS));

        long rejected = 0;
        for (int i = 0; i < processorCount; i++)
        {
            final long stateFull = sinks[i].results.stream().filter((r) -> RejectReason.STATE_FULL == r.reason()).count();
            assertEquals(stateFull, shardCounters[i].stateFull().get());
            rejected += stateFull;
        }
        assertEquals(keys - processorCount * 4, rejected);
        assertEquals(rejected, counters.rejectedStateFull().get());
        assertEquals(0, counters.rejectedLate().get());
    }

    @Test
    @Timeout(30)
    void shouldRecordTheLongestBatchAndCountABatchOverTheStallThresholdOfADedicatedProcessor() throws Exception
    {
        final SluiceRing ring = new SluiceRing(64, WaitStrategyType.YIELDING);
        final TestCounters counters = new TestCounters();
        final ShardCounters shardCounters = counters.processor(0);
        final long stallNs = 3 * ShardProcessor.STALL_THRESHOLD_NS;
        final ShardLogic slowOnCorrelationTwo = new ShardLogic()
        {
            public void onEvent(final RingEntry entry)
            {
                if (2 == entry.correlationId())
                {
                    final long until = System.nanoTime() + stallNs;
                    while (System.nanoTime() < until)
                    {
                        Thread.onSpinWait();
                    }
                }
            }

            public void onQuery(final RingEntry entry)
            {
            }

            public void onTick(final long watermarkNs)
            {
            }

            public void snapshotTo(final int shard, final long snapshotId, final ShardSnapshot into)
            {
                throw new UnsupportedOperationException("not snapshotted in this test");
            }

            public void restoreFrom(final ShardSnapshot from)
            {
                throw new UnsupportedOperationException("not snapshotted in this test");
            }

            public void beginRegroup(final ShardSnapshot from)
            {
                throw new UnsupportedOperationException("not restored in this test");
            }

            public boolean regroupKey(final org.agrona.DirectBuffer slots, final int offset)
            {
                throw new UnsupportedOperationException("not restored in this test");
            }

            public int keys()
            {
                return 0;
            }
        };
        final ShardProcessor processor =
            new ShardProcessor(0, slowOnCorrelationTwo, new RecordingSink(), shardCounters, null, null);
        final ProcessorGroup group = new ProcessorGroup(
            ring, new ShardProcessor[]{processor}, ThreadingMode.DEDICATED, Throwable::printStackTrace);
        group.start();
        final RingProducer producer = new RingProducer(ring, ROUTER, 1, null, counters.counter("ticks"));
        for (int i = 0; i < 4; i++)
        {
            assertEquals(RingProducer.OFFERED, producer.offerEvent(1, i, 5, 1, 1.0, 0));
        }
        assertTrue(group.drainAndStop(20, TimeUnit.SECONDS));

        assertTrue(shardCounters.maxCycleNs().get() >= stallNs, "max cycle " + shardCounters.maxCycleNs().get());
        assertTrue(shardCounters.cycleStalls().get() >= 1, "stalls " + shardCounters.cycleStalls().get());
    }

    @Test
    void shouldHandEachEntryToItsShardOnlyAndEveryTickToAllWithOnePollerInTheSharedLayout() throws Exception
    {
        final int processorCount = 4;
        final SluiceRing ring = new SluiceRing(256, WaitStrategyType.SLEEPING);
        final TestCounters counters = new TestCounters();
        final List<String> seen = new ArrayList<>();
        final ShardProcessor[] processors = new ShardProcessor[processorCount];
        for (int i = 0; i < processorCount; i++)
        {
            final int shard = i;
            final ShardLogic logic = new ShardLogic()
            {
                public void onEvent(final RingEntry entry)
                {
                    seen.add(shard + ":E" + entry.correlationId() + "@" + entry.shard());
                }

                public void onQuery(final RingEntry entry)
                {
                    seen.add(shard + ":Q" + entry.correlationId() + "@" + entry.shard());
                }

                public void onTick(final long watermarkNs)
                {
                    seen.add(shard + ":T" + watermarkNs);
                }

                public void snapshotTo(final int shard, final long snapshotId, final ShardSnapshot into)
                {
                    seen.add(shard + ":S" + snapshotId);
                }

                public void restoreFrom(final ShardSnapshot from)
                {
                    throw new UnsupportedOperationException("not restored in this test");
                }

                public void beginRegroup(final ShardSnapshot from)
                {
                    throw new UnsupportedOperationException("not restored in this test");
                }

                public boolean regroupKey(final org.agrona.DirectBuffer slots, final int offset)
                {
                    throw new UnsupportedOperationException("not restored in this test");
                }

                public int keys()
                {
                    return 0;
                }
            };
            processors[i] = new ShardProcessor(i, logic, new RecordingSink(), counters.processor(i), null, null);
        }
        final Agent agent =
            new ProcessorGroup(ring, processors, ThreadingMode.SHARED, (ex) -> seen.add("error")).pollAgent();
        final RingProducer producer = new RingProducer(
            ring, ROUTER, processorCount, new WatermarkTracker(1000, 0, 1, 0), counters.counter("ticks"));

        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 1, 11, 5_000, 1.0, 0));
        assertTrue(producer.offerQuery(1, 2, 12, 0));
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 3, 13, 5_001, 1.0, 0));
        assertEquals(4, agent.doWork(), "one poller: each entry counted once");

        final int s11 = producer.shardOf(11);
        final int s12 = producer.shardOf(12);
        final int s13 = producer.shardOf(13);
        assertEquals(List.of(
            "0:T5000", "1:T5000", "2:T5000", "3:T5000",
            s11 + ":E1@" + s11, s12 + ":Q2@" + s12, s13 + ":E3@" + s13), seen);
    }

    private static Map<Long, List<RecordingSink.Result>> perKey(final List<RecordingSink.Result> results)
    {
        final Map<Long, List<RecordingSink.Result>> map = new TreeMap<>();
        for (final RecordingSink.Result r : results)
        {
            map.computeIfAbsent(r.key(), (k) -> new ArrayList<>()).add(r);
        }
        return map;
    }

    private static List<RecordingSink.Result> runWithCapacity(final long[] keys, final double[] values, final int capacity)
        throws Exception
    {
        final SluiceRing ring = new SluiceRing(16, WaitStrategyType.SLEEPING);
        final RecordingSink sink = new RecordingSink();
        final ShardProcessor processor =
            TestProcessors.running(0, new KeyStateTable(capacity, 0, ROUTER), sink, new TestCounters().processor(0));
        final ProcessorGroup group = new ProcessorGroup(
            ring, new ShardProcessor[]{processor}, ThreadingMode.SHARED, Throwable::printStackTrace);
        for (int i = 0; i < keys.length; i++)
        {
            final long sequence = ring.tryClaim();
            ring.entry(sequence).event(0, 7, i, keys[i], 1, values[i], 0);
            ring.publish(sequence);
            group.pollAgent().doWork();
        }
        return sink.results;
    }

    private static List<RecordingSink.Result> run(
        final int processorCount, final ThreadingMode mode, final long[] keys, final double[] values, final int ringLength)
        throws Exception
    {
        final SluiceRing ring = new SluiceRing(ringLength, WaitStrategyType.YIELDING);
        final TestCounters counters = new TestCounters();
        final RecordingSink[] sinks = new RecordingSink[processorCount];
        final ShardProcessor[] processors = new ShardProcessor[processorCount];
        for (int i = 0; i < processorCount; i++)
        {
            sinks[i] = new RecordingSink();
            processors[i] =
                TestProcessors.running(i, new KeyStateTable(1024, 0, ROUTER), sinks[i], counters.processor(i));
        }
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final ProcessorGroup group = new ProcessorGroup(ring, processors, mode, errors::add);
        group.start();
        final Agent agent = group.pollAgent();
        for (int i = 0; i < keys.length; i++)
        {
            long sequence;
            while (-1 == (sequence = ring.tryClaim()))
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
            ring.entry(sequence).event(ROUTER.shard(keys[i], processorCount), 7, i, keys[i], 1, values[i], 0);
            ring.publish(sequence);
        }
        if (null != agent)
        {
            while (agent.doWork() > 0)
            {
                Thread.onSpinWait();
            }
        }
        assertTrue(group.drainAndStop(20, TimeUnit.SECONDS));
        assertEquals(List.of(), errors);

        final List<RecordingSink.Result> all = new ArrayList<>();
        long processed = 0;
        for (int i = 0; i < processorCount; i++)
        {
            all.addAll(sinks[i].results);
            processed += sinks[i].results.size();
            for (final RecordingSink.Result r : sinks[i].results)
            {
                assertEquals(i, ROUTER.shard(r.key(), processorCount), "key served by the wrong shard");
            }
        }
        assertEquals(keys.length, processed);
        return all;
    }
}
