package io.sluice.core.ring;

import io.sluice.config.ThreadingMode;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.RejectReason;
import io.sluice.core.shard.ProcessorGroup;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.shard.TestProcessors;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.logic.RecordingSink;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.state.KeyStateTable;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The producer's own state: the clients' high-water marks (DUPLICATE, CLIENTS_FULL, RESUME) and the watermark, as a
 * snapshot captures and restores them and as a journal replay rebuilds them.
 */
class RingProducerMarksTest
{
    private static final ShardRouter ROUTER = new ShardRouter(42);
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;

    private final TestCounters counters = new TestCounters();
    private final AtomicCounter ticks = counters.counter("ticks");

    private static String describe(final RingEntry entry)
    {
        return entry.type() + ":" + entry.shard() + ":" + entry.clientId() + ":" + entry.correlationId() + ":" +
            entry.key() + ":" + entry.timestamp() + ":" + entry.value() + ":" + entry.reason();
    }

    private static List<String> entries(final SluiceRing ring, final long from)
    {
        final List<String> entries = new ArrayList<>();
        for (long sequence = from; sequence <= ring.ringBuffer().getCursor(); sequence++)
        {
            entries.add(describe(ring.entry(sequence)));
        }
        return entries;
    }

    static Map<Long, Long> marks(final ClientMarks marks)
    {
        final Map<Long, Long> map = new TreeMap<>();
        marks.forEach(map::put);
        return map;
    }

    private RingProducer windowedProducer(final SluiceRing ring, final int clientCapacity)
    {
        return new RingProducer(ring, ROUTER, 2, new WatermarkTracker(100 * MS, 30 * MS, 10 * MS, 0), ticks,
            new ClientMarks(clientCapacity));
    }

    @Test
    void shouldRejectAnEventAtOrBelowItsClientsMarkAsDuplicateAndLeaveTheMarkUnchanged()
    {
        final SluiceRing ring = new SluiceRing(16, WaitStrategyType.SLEEPING);
        final RingProducer producer = new RingProducer(ring, ROUTER, 2, null, ticks, new ClientMarks(4));

        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 5, 70, T0, 1.0, 0));
        assertEquals(5, producer.marks().mark(1));
        assertEquals(RejectReason.DUPLICATE, producer.offerEvent(1, 5, 71, T0, 2.0, 0));
        assertEquals(RejectReason.DUPLICATE, producer.offerEvent(1, 3, 72, T0, 3.0, 0));
        assertEquals(5, producer.marks().mark(1), "a duplicate leaves the mark");
        assertEquals(RingProducer.OFFERED, producer.offerEvent(2, 1, 73, T0, 4.0, 0), "marks are per client");
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 6, 74, T0, 5.0, 0));

        assertEquals(6, producer.marks().mark(1));
        assertEquals(1, producer.marks().mark(2));
        assertEquals(List.of(
            RingEntry.TYPE_EVENT + ":" + producer.shardOf(70) + ":1:5:70:" + T0 + ":1.0:0",
            RingEntry.TYPE_REJECT + ":" + producer.shardOf(71) + ":1:5:71:0:0.0:" + RejectReason.DUPLICATE,
            RingEntry.TYPE_REJECT + ":" + producer.shardOf(72) + ":1:3:72:0:0.0:" + RejectReason.DUPLICATE,
            RingEntry.TYPE_EVENT + ":" + producer.shardOf(73) + ":2:1:73:" + T0 + ":4.0:0",
            RingEntry.TYPE_EVENT + ":" + producer.shardOf(74) + ":1:6:74:" + T0 + ":5.0:0"),
            entries(ring, 0));
    }

    @Test
    void shouldRejectAnEventOfOneClientMoreThanTheCapacityAsClientsFullAndKeepServingTrackedClients()
    {
        final SluiceRing ring = new SluiceRing(16, WaitStrategyType.SLEEPING);
        final RingProducer producer = new RingProducer(ring, ROUTER, 1, null, ticks, new ClientMarks(2));

        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 1, 7, T0, 1.0, 0));
        assertEquals(RingProducer.OFFERED, producer.offerEvent(2, 1, 7, T0, 1.0, 0));
        assertEquals(RejectReason.CLIENTS_FULL, producer.offerEvent(3, 1, 7, T0, 1.0, 0));
        assertEquals(RejectReason.CLIENTS_FULL, producer.offerEvent(3, 2, 7, T0, 1.0, 0));
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 2, 7, T0, 1.0, 0));

        assertEquals(2, producer.marks().size());
        assertEquals(ClientMarks.NONE, producer.marks().mark(3));
        assertEquals(Map.of(1L, 2L, 2L, 1L), marks(producer.marks()));
        final RingEntry reject = ring.entry(2);
        assertEquals(RingEntry.TYPE_REJECT, reject.type());
        assertEquals(RejectReason.CLIENTS_FULL, reject.reason());
        assertEquals(3, reject.clientId());
        assertEquals(1, reject.correlationId());
        assertEquals(RingEntry.TYPE_REJECT, ring.entry(3).type());
        assertEquals(RingEntry.TYPE_EVENT, ring.entry(4).type());
    }

    @Test
    void shouldCarryTheClientsMarkInAResumeEntryToTheProcessorOfTheClientsShard() throws Exception
    {
        final int shards = 4;
        final SluiceRing ring = new SluiceRing(16, WaitStrategyType.SLEEPING);
        final RecordingSink[] sinks = new RecordingSink[shards];
        final ShardProcessor[] processors = new ShardProcessor[shards];
        for (int i = 0; i < shards; i++)
        {
            sinks[i] = new RecordingSink();
            processors[i] = TestProcessors.running(i, new KeyStateTable(16, 0, ROUTER), sinks[i], counters.processor(i));
        }
        final List<Throwable> errors = new ArrayList<>();
        final Agent agent = new ProcessorGroup(ring, processors, ThreadingMode.SHARED, errors::add).pollAgent();
        final RingProducer producer = new RingProducer(ring, ROUTER, shards, null, ticks, new ClientMarks(8));

        assertEquals(RingProducer.OFFERED, producer.offerEvent(11, 41, 5, T0, 1.0, 0));
        assertEquals(RingProducer.OFFERED, producer.offerEvent(11, 42, 6, T0, 1.0, 0));
        assertEquals(RejectReason.DUPLICATE, producer.offerEvent(11, 40, 6, T0, 1.0, 0));
        assertTrue(producer.offerResume(11, 100, 0));
        assertTrue(producer.offerResume(77, 101, 0));

        final RingEntry known = ring.entry(3);
        assertEquals(RingEntry.TYPE_RESUME, known.type());
        assertEquals(producer.shardOf(11), known.shard());
        assertEquals(11, known.clientId());
        assertEquals(100, known.correlationId());
        assertEquals(42, known.timestamp());
        final RingEntry unknown = ring.entry(4);
        assertEquals(RingEntry.TYPE_RESUME, unknown.type());
        assertEquals(producer.shardOf(77), unknown.shard());
        assertEquals(Long.MIN_VALUE, unknown.timestamp());

        assertEquals(5, agent.doWork());
        assertEquals(List.of(), errors);
        final List<RecordingSink.Result> resumed = new ArrayList<>();
        for (int i = 0; i < shards; i++)
        {
            for (final RecordingSink.Result result : sinks[i].results)
            {
                if (-1 == result.reason())
                {
                    assertEquals(producer.shardOf(result.clientId()), i, "answered by the client's shard");
                    resumed.add(result);
                }
            }
        }
        resumed.sort((x, y) -> Long.compare(x.correlationId(), y.correlationId()));
        assertEquals(List.of(
            new RecordingSink.Result(11, 100, 42, 0, 0, 0, 0, 0, 0, -1),
            new RecordingSink.Result(77, 101, Long.MIN_VALUE, 0, 0, 0, 0, 0, 0, -1)), resumed);
    }

    @Test
    void shouldRestoreMarksAndWatermarkFromASnapshotSoTheNextEventIsDecidedAsByTheUninterruptedProducer()
    {
        final SluiceRing ring = new SluiceRing(64, WaitStrategyType.SLEEPING);
        final RingProducer live = windowedProducer(ring, 8);
        assertEquals(RingProducer.OFFERED, live.offerEvent(1, 1, 7, T0 + 1_000 * MS, 1.0, 0));
        assertEquals(RingProducer.OFFERED, live.offerEvent(2, 9, 8, T0 + 1_020 * MS, 1.0, MS));
        assertEquals(1, live.doTick(20 * MS));
        assertEquals(RingProducer.OFFERED, live.offerEvent(1, 2, 7, T0 + 1_025 * MS, 1.0, 30 * MS));
        final ProducerSnapshot snapshot = new ProducerSnapshot();
        assertTrue(live.offerSnapshot(12, 31 * MS, snapshot));

        assertEquals(12, snapshot.snapshotId());
        assertTrue(snapshot.hasWatermark());
        assertEquals(T0 + 1_025 * MS, snapshot.maxTimestamp());
        assertEquals(T0 + 995 * MS, snapshot.watermark());
        assertEquals(T0 + 990 * MS, snapshot.lastTickWatermark());
        assertEquals(2, snapshot.markCount());
        final Map<Long, Long> held = new TreeMap<>();
        for (int i = 0; i < snapshot.markCount(); i++)
        {
            held.put(snapshot.clientId(i), snapshot.mark(i));
        }
        assertEquals(Map.of(1L, 2L, 2L, 9L), held);
        final RingEntry marker = ring.entry(ring.ringBuffer().getCursor());
        assertEquals(RingEntry.TYPE_SNAPSHOT, marker.type());
        assertEquals(12, marker.correlationId());

        final SluiceRing otherRing = new SluiceRing(64, WaitStrategyType.SLEEPING);
        final RingProducer restored = windowedProducer(otherRing, 8);
        restored.restore(snapshot, 5_000 * MS);
        assertEquals(marks(live.marks()), marks(restored.marks()));
        assertEquals(live.watermark(), restored.watermark());

        // the same inputs into both: a duplicate, one inside the pane, one moving the watermark into a new pane
        final long liveFrom = ring.ringBuffer().getCursor() + 1;
        final long restoredFrom = otherRing.ringBuffer().getCursor() + 1;
        for (final RingProducer producer : List.of(live, restored))
        {
            assertEquals(RejectReason.DUPLICATE, producer.offerEvent(2, 9, 8, T0 + 1_026 * MS, 1.0, 40 * MS));
            assertEquals(RingProducer.OFFERED, producer.offerEvent(2, 10, 8, T0 + 1_029 * MS, 1.0, 41 * MS));
            assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 3, 7, T0 + 1_140 * MS, 1.0, 42 * MS));
        }
        final List<String> written = entries(ring, liveFrom);
        assertEquals(List.of(RingEntry.TYPE_REJECT, RingEntry.TYPE_EVENT, RingEntry.TYPE_TICK, RingEntry.TYPE_EVENT),
            written.stream().map((e) -> Integer.parseInt(e.substring(0, e.indexOf(':')))).toList());
        assertEquals(written, entries(otherRing, restoredFrom));
        assertEquals(T0 + 1_110 * MS, restored.watermark());
        assertEquals(marks(live.marks()), marks(restored.marks()));
    }

    @Test
    void shouldRebuildTheLiveProducersMarksAndWatermarkByApplyingItsJournaledEntries()
    {
        final SluiceRing ring = new SluiceRing(64, WaitStrategyType.SLEEPING);
        final RingProducer live = windowedProducer(ring, 2);
        long now = 0;
        final long[][] events = {
            {1, 1, 1_000}, {2, 1, 1_010}, {1, 2, 1_004}, {1, 2, 1_050}, {3, 1, 1_060}, {2, 5, 1_200},
            {2, 4, 1_210}, {1, 3, 1_130}, {2, 6, 1_330}};
        for (final long[] event : events)
        {
            now += MS;
            live.doTick(now);
            assertTrue(RingProducer.RING_FULL != live.offerEvent(event[0], event[1], 7, T0 + event[2] * MS, 1.0, now));
        }
        assertTrue(live.offerQuery(1, 9, 7, now));
        assertTrue(live.offerResume(2, 10, now));
        assertTrue(live.offerSnapshot(3, now, new ProducerSnapshot()));
        assertTrue(live.offerStart(0xF1, now));

        final RingProducer replayed = windowedProducer(new SluiceRing(64, WaitStrategyType.SLEEPING), 2);
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[RingEntry.LENGTH]);
        final RingEntry journaled = new RingEntry(copy, 0);
        int types = 0;
        for (long sequence = 0; sequence <= ring.ringBuffer().getCursor(); sequence++)
        {
            final RingEntry entry = ring.entry(sequence);
            entry.buffer().getBytes(entry.offset(), copy, 0, RingEntry.LENGTH);
            types |= 1 << journaled.type();
            replayed.applyJournaled(journaled, 0);
        }
        assertEquals((1 << RingEntry.TYPE_EVENT) | (1 << RingEntry.TYPE_REJECT) | (1 << RingEntry.TYPE_TICK) |
            (1 << RingEntry.TYPE_QUERY) | (1 << RingEntry.TYPE_RESUME) | (1 << RingEntry.TYPE_SNAPSHOT) |
            (1 << RingEntry.TYPE_START), types, "every entry type journaled");

        assertEquals(Map.of(1L, 3L, 2L, 6L), marks(live.marks()));
        assertEquals(marks(live.marks()), marks(replayed.marks()));
        assertEquals(live.watermark(), replayed.watermark());
        final ProducerSnapshot liveState = new ProducerSnapshot();
        final ProducerSnapshot replayedState = new ProducerSnapshot();
        assertTrue(live.offerSnapshot(4, now, liveState));
        assertTrue(replayed.offerSnapshot(4, now, replayedState));
        assertEquals(liveState.maxTimestamp(), replayedState.maxTimestamp());
        assertEquals(liveState.watermark(), replayedState.watermark());
        assertEquals(liveState.lastTickWatermark(), replayedState.lastTickWatermark());

        assertEquals(RejectReason.CLIENTS_FULL, replayed.offerEvent(3, 2, 7, T0 + 1_400 * MS, 1.0, now));
        assertEquals(RejectReason.DUPLICATE, replayed.offerEvent(2, 6, 7, T0 + 1_400 * MS, 1.0, now));
        assertFalse(replayed.marks().hasRoomFor(3));
    }

    @Test
    void shouldTickAndAdvanceAtTheSameClockReadingsAfterARestoreThatKeepsTheClock()
    {
        final SluiceRing liveRing = new SluiceRing(256, WaitStrategyType.SLEEPING);
        final RingProducer live = new RingProducer(liveRing, ROUTER, 2,
            new WatermarkTracker(100 * MS, 0, 10 * MS, 50 * MS), ticks, new ClientMarks(4));
        final long t = 1_000 * MS;
        live.offerEvent(1, 1, 70, T0, 1.0, t);
        live.doTick(t + 4 * MS);
        live.offerEvent(1, 2, 71, T0 + 30 * MS, 2.0, t + 6 * MS);
        final ProducerSnapshot snapshot = new ProducerSnapshot();
        assertTrue(live.offerSnapshot(9, t + 8 * MS, snapshot));
        final long cursor = liveRing.ringBuffer().getCursor();

        final SluiceRing keptRing = new SluiceRing(256, WaitStrategyType.SLEEPING);
        final RingProducer kept = new RingProducer(keptRing, ROUTER, 2,
            new WatermarkTracker(100 * MS, 0, 10 * MS, 50 * MS), ticks, new ClientMarks(4));
        kept.restore(snapshot, t + 8 * MS);
        kept.restoreClock(live.lastTickNs(), live.lastEventNs());
        final SluiceRing resetRing = new SluiceRing(256, WaitStrategyType.SLEEPING);
        final RingProducer reset = new RingProducer(resetRing, ROUTER, 2,
            new WatermarkTracker(100 * MS, 0, 10 * MS, 50 * MS), ticks, new ClientMarks(4));
        reset.restore(snapshot, t + 8 * MS);

        for (final RingProducer producer : new RingProducer[]{ live, kept, reset })
        {
            for (long now = t + 9 * MS; now <= t + 200 * MS; now += 3 * MS)
            {
                producer.doTick(now);
            }
            producer.offerEvent(1, 3, 72, T0 + 210 * MS, 3.0, t + 201 * MS);
        }
        final List<String> after = entries(liveRing, cursor + 1);
        assertEquals(after, entries(keptRing, 0), "the same ticks and watermarks at the same clock readings");
        assertNotEquals(after, entries(resetRing, 0), "a restore that restarts the clock ticks elsewhere");
        assertEquals(live.watermark(), kept.watermark());
    }
}
