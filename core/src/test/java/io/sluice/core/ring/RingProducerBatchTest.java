package io.sluice.core.ring;

import com.lmax.disruptor.Sequence;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.RejectReason;
import io.sluice.core.ResultMode;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.logic.TestCounters;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The producer's batch path ({@link RingProducer#beginBatch}, {@link RingProducer#addToBatch},
 * {@link RingProducer#offerBatch}): one claim and one publish of consecutive slots, the result mode and batch index
 * on every entry, per-event screening (caller's reasons, DUPLICATE, CLIENTS_FULL), the tick rule applied exactly as
 * {@link RingProducer#offerEvent} applies it, and all or nothing when the ring lacks room for twice the batch.
 */
class RingProducerBatchTest
{
    private static final ShardRouter ROUTER = new ShardRouter(42);
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;

    private final TestCounters counters = new TestCounters();
    private final AtomicCounter ticks = counters.counter("ticks");

    /**
     * Everything an entry says, batch fields included.
     */
    private static String describe(final RingEntry entry)
    {
        return describeIgnoringBatch(entry) + ":m" + entry.resultMode() + ":i" + entry.batchIndex();
    }

    /**
     * What an entry says that a single {@link RingProducer#offerEvent} would also write: no result mode, no index.
     */
    private static String describeIgnoringBatch(final RingEntry entry)
    {
        return entry.type() + ":" + entry.shard() + ":" + entry.clientId() + ":" + entry.correlationId() + ":" +
            entry.key() + ":" + entry.timestamp() + ":" + entry.value() + ":" + entry.reason() + ":" +
            entry.receiveNanos();
    }

    private static List<String> entries(final SluiceRing ring, final long from, final boolean withBatchFields)
    {
        final List<String> entries = new ArrayList<>();
        for (long sequence = from; sequence <= ring.ringBuffer().getCursor(); sequence++)
        {
            final RingEntry entry = ring.entry(sequence);
            entries.add(withBatchFields ? describe(entry) : describeIgnoringBatch(entry));
        }
        return entries;
    }

    private static String event(
        final RingProducer producer, final long clientId, final long correlationId, final long key,
        final long timestamp, final double value, final long receiveNanos, final int mode, final int index)
    {
        return RingEntry.TYPE_EVENT + ":" + producer.shardOf(key) + ":" + clientId + ":" + correlationId + ":" + key +
            ":" + timestamp + ":" + value + ":0:" + receiveNanos + ":m" + mode + ":i" + index;
    }

    private static String reject(
        final RingProducer producer, final long clientId, final long correlationId, final long key, final int reason,
        final long receiveNanos, final int index)
    {
        return RingEntry.TYPE_REJECT + ":" + producer.shardOf(key) + ":" + clientId + ":" + correlationId + ":" + key +
            ":0:0.0:" + reason + ":" + receiveNanos + ":m0:i" + index;
    }

    private static String tick(final long watermark, final long receiveNanos)
    {
        return RingEntry.TYPE_TICK + ":-1:0:0:0:" + watermark + ":0.0:0:" + receiveNanos + ":m0:i-1";
    }

    private static Map<Long, Long> marks(final ClientMarks marks)
    {
        final Map<Long, Long> map = new TreeMap<>();
        marks.forEach(map::put);
        return map;
    }

    private static SluiceRing pinnedRing(final int length)
    {
        final SluiceRing ring = new SluiceRing(length, WaitStrategyType.SLEEPING);
        ring.ringBuffer().addGatingSequences(new Sequence(-1));
        return ring;
    }

    private RingProducer windowedProducer(final SluiceRing ring, final int clientCapacity, final int batchMaxEvents)
    {
        return new RingProducer(ring, ROUTER, 2, new WatermarkTracker(100 * MS, 30 * MS, 10 * MS, 0), ticks,
            new ClientMarks(clientCapacity), batchMaxEvents);
    }

    @Test
    void shouldWriteABatchIntoConsecutiveSlotsWithResultModeAndIndexAndMoveTheCursorOnceFromBeforeToAfter()
    {
        final SluiceRing ring = pinnedRing(64);
        final RingProducer producer = new RingProducer(ring, ROUTER, 2, null, ticks, new ClientMarks(8), 8);
        assertEquals(8, producer.batchCapacity());
        assertEquals(RingProducer.OFFERED, producer.offerEvent(3, 1, 100, T0, 0.5, 7));
        assertEquals(0, ring.ringBuffer().getCursor());

        producer.beginBatch(5, ResultMode.BATCHED);
        producer.addToBatch(11, 200, T0 + 1, 1.25, 0);
        producer.addToBatch(12, 201, T0 + 2, Double.NaN, RejectReason.INVALID_VALUE);
        producer.addToBatch(13, 202, T0 + 3, -2.5, 0);
        producer.addToBatch(14, 203, 5, 4.0, RejectReason.TIMESTAMP_OUT_OF_RANGE);
        producer.addToBatch(15, 200, T0 + 5, 8.0, 0);
        assertEquals(5, producer.batchSize());
        assertEquals(0, ring.ringBuffer().getCursor(), "staging writes nothing");

        assertEquals(RingProducer.OFFERED, producer.offerBatch(99));

        assertEquals(5, ring.ringBuffer().getCursor(), "one slot per event or reject, no windows so no ticks");
        assertEquals(List.of(
            event(producer, 5, 11, 200, T0 + 1, 1.25, 99, ResultMode.BATCHED, 0),
            reject(producer, 5, 12, 201, RejectReason.INVALID_VALUE, 99, 1),
            event(producer, 5, 13, 202, T0 + 3, -2.5, 99, ResultMode.BATCHED, 2),
            reject(producer, 5, 14, 203, RejectReason.TIMESTAMP_OUT_OF_RANGE, 99, 3),
            event(producer, 5, 15, 200, T0 + 5, 8.0, 99, ResultMode.BATCHED, 4)),
            entries(ring, 1, true));
        assertEquals(0, producer.batchReason(0));
        assertEquals(RejectReason.INVALID_VALUE, producer.batchReason(1));
        assertEquals(0, producer.batchReason(2));
        assertEquals(RejectReason.TIMESTAMP_OUT_OF_RANGE, producer.batchReason(3));
        assertEquals(0, producer.batchReason(4));
        assertEquals(Map.of(3L, 1L, 5L, 15L), marks(producer.marks()), "the mark is the batch's last accepted id");

        producer.beginBatch(5, ResultMode.NONE);
        producer.addToBatch(16, 204, T0, 1.0, 0);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(100));
        assertEquals(RingProducer.OFFERED, producer.offerEvent(5, 17, 204, T0, 2.0, 101));
        assertTrue(producer.offerReject(5, 18, 204, RejectReason.TRUNCATED, 102));
        assertEquals(List.of(
            event(producer, 5, 16, 204, T0, 1.0, 100, ResultMode.NONE, 0),
            event(producer, 5, 17, 204, T0, 2.0, 101, ResultMode.PER_EVENT, -1),
            reject(producer, 5, 18, 204, RejectReason.TRUNCATED, 102, -1)),
            entries(ring, 6, true), "a single event is PER_EVENT and not from a batch");

        producer.beginBatch(5, ResultMode.BATCHED);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(103), "an empty batch");
        assertEquals(8, ring.ringBuffer().getCursor(), "writes nothing");
        for (int i = 0; i < 8; i++)
        {
            producer.addToBatch(20 + i, 1, T0, 1.0, 0);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> producer.addToBatch(28, 1, T0, 1.0, 0));
    }

    @Test
    void shouldNeverLeaveEntriesOfALapBeforeOrTheFieldsOfAnEarlierBatchVisibleInTheSlotsItReuses()
    {
        final SluiceRing ring = new SluiceRing(8, WaitStrategyType.SLEEPING);
        final Sequence consumed = new Sequence(-1);
        ring.ringBuffer().addGatingSequences(consumed);
        final RingProducer producer = new RingProducer(ring, ROUTER, 1, null, ticks, new ClientMarks(8), 4);

        producer.beginBatch(1, ResultMode.NONE);
        for (int i = 0; i < 4; i++)
        {
            producer.addToBatch(1 + i, 9, T0, 1.0, 1 == i ? RejectReason.INVALID_VALUE : 0);
        }
        assertEquals(RingProducer.OFFERED, producer.offerBatch(0));
        producer.beginBatch(1, ResultMode.BATCHED);
        for (int i = 0; i < 4; i++)
        {
            producer.addToBatch(5 + i, 9, T0, 1.0, 0);
        }
        assertEquals(RingProducer.RING_FULL, producer.offerBatch(0), "4 of 8 slots free, the batch needs 8");
        consumed.set(3);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(0), "the same staged batch, offered again");
        assertEquals(7, ring.ringBuffer().getCursor());
        consumed.set(7);

        // the next lap: the slots of sequences 8..11 held the first batch (mode NONE, indices 0..3)
        assertEquals(ResultMode.NONE, ring.entry(0).resultMode());
        assertEquals(3, ring.entry(3).batchIndex());
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 9, 9, T0, 1.0, 1));
        assertTrue(producer.offerReject(1, 10, 9, RejectReason.TRUNCATED, 1));
        assertTrue(producer.offerQuery(1, 11, 9, 1));
        assertTrue(producer.offerResume(1, 12, 1));
        assertEquals(11, ring.ringBuffer().getCursor());
        for (long sequence = 8; sequence < 12; sequence++)
        {
            final RingEntry entry = ring.entry(sequence);
            assertEquals(ResultMode.PER_EVENT, entry.resultMode(), "slot " + sequence);
            assertEquals(-1, entry.batchIndex(), "slot " + sequence);
        }
        assertEquals(List.of(RingEntry.TYPE_EVENT, RingEntry.TYPE_REJECT, RingEntry.TYPE_QUERY, RingEntry.TYPE_RESUME),
            List.of(ring.entry(8).type(), ring.entry(9).type(), ring.entry(10).type(), ring.entry(11).type()));
    }

    @Test
    void shouldRejectNonIncreasingIdsInsideABatchAndIdsAtOrBelowTheClientsMarkAsDuplicate()
    {
        final SluiceRing ring = pinnedRing(64);
        final RingProducer producer = new RingProducer(ring, ROUTER, 2, null, ticks, new ClientMarks(8), 16);
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 10, 7, T0, 1.0, 0));

        producer.beginBatch(1, ResultMode.PER_EVENT);
        producer.addToBatch(9, 70, T0, 1.0, 0);
        producer.addToBatch(10, 71, T0, 1.0, 0);
        producer.addToBatch(12, 72, T0, 1.0, 0);
        producer.addToBatch(12, 73, T0, 1.0, 0);
        producer.addToBatch(11, 74, T0, 1.0, 0);
        producer.addToBatch(20, 75, T0, Double.NaN, RejectReason.INVALID_VALUE);
        producer.addToBatch(13, 76, T0, 1.0, 0);
        producer.addToBatch(13, 77, T0, Double.NaN, RejectReason.INVALID_VALUE);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(5));

        assertEquals(List.of(
            reject(producer, 1, 9, 70, RejectReason.DUPLICATE, 5, 0),
            reject(producer, 1, 10, 71, RejectReason.DUPLICATE, 5, 1),
            event(producer, 1, 12, 72, T0, 1.0, 5, ResultMode.PER_EVENT, 2),
            reject(producer, 1, 12, 73, RejectReason.DUPLICATE, 5, 3),
            reject(producer, 1, 11, 74, RejectReason.DUPLICATE, 5, 4),
            reject(producer, 1, 20, 75, RejectReason.INVALID_VALUE, 5, 5),
            event(producer, 1, 13, 76, T0, 1.0, 5, ResultMode.PER_EVENT, 6),
            reject(producer, 1, 13, 77, RejectReason.INVALID_VALUE, 5, 7)),
            entries(ring, 1, true), "a refused event never raises the mark; the caller's reason wins over DUPLICATE");
        assertEquals(13, producer.marks().mark(1));

        producer.beginBatch(1, ResultMode.PER_EVENT);
        producer.addToBatch(13, 70, T0, 1.0, 0);
        producer.addToBatch(2, 70, T0, 1.0, 0);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(6));
        assertEquals(RejectReason.DUPLICATE, producer.batchReason(0));
        assertEquals(RejectReason.DUPLICATE, producer.batchReason(1));
        assertEquals(13, producer.marks().mark(1), "a batch of duplicates leaves the mark");
        assertEquals(RejectReason.DUPLICATE, producer.offerEvent(1, 13, 7, T0, 1.0, 7), "single events see the mark");
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 14, 7, T0, 1.0, 7));
    }

    @Test
    void shouldRejectTheBatchOfAClientBeyondTheCapacityAsClientsFullKeepingTheCallersReasons()
    {
        final SluiceRing ring = pinnedRing(32);
        final RingProducer producer = new RingProducer(ring, ROUTER, 2, null, ticks, new ClientMarks(2), 8);
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 1, 7, T0, 1.0, 0));

        producer.beginBatch(2, ResultMode.BATCHED);
        producer.addToBatch(1, 7, T0, 1.0, 0);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(0), "the second client fits");

        producer.beginBatch(3, ResultMode.BATCHED);
        producer.addToBatch(1, 30, T0, 1.0, 0);
        producer.addToBatch(2, 31, T0, Double.POSITIVE_INFINITY, RejectReason.INVALID_VALUE);
        producer.addToBatch(1, 32, T0, 1.0, 0);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(4));
        assertEquals(List.of(
            reject(producer, 3, 1, 30, RejectReason.CLIENTS_FULL, 4, 0),
            reject(producer, 3, 2, 31, RejectReason.INVALID_VALUE, 4, 1),
            reject(producer, 3, 1, 32, RejectReason.CLIENTS_FULL, 4, 2)),
            entries(ring, 2, true), "no mark for the third client, so nothing is a duplicate");
        assertEquals(Map.of(1L, 1L, 2L, 1L), marks(producer.marks()));

        producer.beginBatch(2, ResultMode.BATCHED);
        producer.addToBatch(2, 7, T0, 1.0, 0);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(5));
        assertEquals(0, producer.batchReason(0), "tracked clients go on");
        assertEquals(Map.of(1L, 1L, 2L, 2L), marks(producer.marks()));
    }

    @Test
    void shouldPutTheSameTicksEventsAndRejectsAsOfferingTheEventsOneByOne()
    {
        final int batchMax = 64;
        final SluiceRing batchRing = pinnedRing(8192);
        final SluiceRing singleRing = pinnedRing(8192);
        final TestCounters singleCounters = new TestCounters();
        final AtomicCounter singleTicks = singleCounters.counter("ticks");
        final RingProducer batched = windowedProducer(batchRing, 2, batchMax);
        final RingProducer single = new RingProducer(singleRing, ROUTER, 2,
            new WatermarkTracker(100 * MS, 30 * MS, 10 * MS, 0), singleTicks, new ClientMarks(2), batchMax);

        final Random random = new Random(7);
        final long[] nextId = {0, 1, 1, 1};
        long time = T0;
        long now = 0;
        int events = 0;
        int batches = 0;
        while (events < 3_000)
        {
            final long clientId = 1 + random.nextInt(3);
            final int size = 1 + random.nextInt(batchMax);
            now += MS;
            batched.beginBatch(clientId, ResultMode.PER_EVENT);
            final long[][] staged = new long[size][];
            final double[] values = new double[size];
            for (int i = 0; i < size; i++)
            {
                // mostly forward in event time, sometimes back (within and beyond lateness), jumps over panes
                final int step = random.nextInt(100);
                time += step < 80 ? random.nextInt(3 * (int)MS) : step < 90 ? -random.nextInt(60 * (int)MS) :
                    random.nextInt(250 * (int)MS);
                final int idStep = random.nextInt(20);
                final long correlationId = idStep < 17 ? nextId[(int)clientId]++ :
                    idStep < 19 ? nextId[(int)clientId] - 1 - random.nextInt(3) : nextId[(int)clientId] + 5;
                if (idStep == 19)
                {
                    nextId[(int)clientId] += 6;
                }
                final int reason = random.nextInt(25) == 0 ? RejectReason.INVALID_VALUE : 0;
                values[i] = random.nextInt(1024) / 1024.0;
                staged[i] = new long[]{correlationId, random.nextInt(40), time, reason};
                batched.addToBatch(correlationId, staged[i][1], time, values[i], reason);
            }
            assertEquals(RingProducer.OFFERED, batched.offerBatch(now));
            for (int i = 0; i < size; i++)
            {
                final long[] e = staged[i];
                final int expected = batched.batchReason(i);
                if (0 != e[3])
                {
                    assertTrue(single.offerReject(clientId, e[0], e[1], (int)e[3], now));
                }
                else
                {
                    final int result = single.offerEvent(clientId, e[0], e[1], e[2], values[i], now);
                    assertEquals(expected, RingProducer.OFFERED == result ? 0 : result, "event " + (events + i));
                }
            }
            events += size;
            batches++;
            assertEquals(batchRing.ringBuffer().getCursor(), singleRing.ringBuffer().getCursor(), "batch " + batches);
        }

        final List<String> fromBatches = entries(batchRing, 0, false);
        assertEquals(entries(singleRing, 0, false), fromBatches);
        final long tickCount = fromBatches.stream().filter((e) -> e.startsWith(RingEntry.TYPE_TICK + ":")).count();
        assertTrue(tickCount > 50, "pane changes exercised: " + tickCount);
        assertTrue(fromBatches.stream().filter((e) -> e.startsWith(RingEntry.TYPE_REJECT + ":") &&
            e.split(":")[7].equals(Integer.toString(RejectReason.DUPLICATE))).count() > 50, "duplicates exercised");
        assertTrue(fromBatches.stream().filter((e) -> e.startsWith(RingEntry.TYPE_REJECT + ":") &&
            e.split(":")[7].equals(Integer.toString(RejectReason.CLIENTS_FULL))).count() > 50, "clients full exercised");
        assertEquals(singleTicks.get(), ticks.get());
        assertEquals(tickCount, ticks.get());
        assertEquals(single.watermark(), batched.watermark());
        assertEquals(marks(single.marks()), marks(batched.marks()));
        assertEquals(2, batched.marks().size(), "the third client found no room");
    }

    @Test
    void shouldPutTheTickBeforeTheEventThatMovesTheWatermarkIntoANewPaneInsideTheBatch()
    {
        final SluiceRing ring = pinnedRing(64);
        final RingProducer producer = windowedProducer(ring, 4, 8);

        producer.beginBatch(1, ResultMode.NONE);
        producer.addToBatch(1, 5, T0 + 1_000 * MS, 1.0, 0);
        producer.addToBatch(2, 5, T0 + 1_020 * MS, 2.0, 0);
        producer.addToBatch(3, 5, T0 + 1_150 * MS, 3.0, RejectReason.INVALID_VALUE);
        producer.addToBatch(4, 5, T0 + 1_140 * MS, 4.0, 0);
        producer.addToBatch(5, 5, T0 + 990 * MS, 5.0, 0);
        producer.addToBatch(6, 5, T0 + 1_250 * MS, 6.0, 0);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(3));

        assertEquals(List.of(
            tick(T0 + 970 * MS, 3),
            event(producer, 1, 1, 5, T0 + 1_000 * MS, 1.0, 3, ResultMode.NONE, 0),
            event(producer, 1, 2, 5, T0 + 1_020 * MS, 2.0, 3, ResultMode.NONE, 1),
            reject(producer, 1, 3, 5, RejectReason.INVALID_VALUE, 3, 2),
            tick(T0 + 1_110 * MS, 3),
            event(producer, 1, 4, 5, T0 + 1_140 * MS, 4.0, 3, ResultMode.NONE, 3),
            event(producer, 1, 5, 5, T0 + 990 * MS, 5.0, 3, ResultMode.NONE, 4),
            tick(T0 + 1_220 * MS, 3),
            event(producer, 1, 6, 5, T0 + 1_250 * MS, 6.0, 3, ResultMode.NONE, 5)),
            entries(ring, 0, true), "a refused event moves no watermark; an older one needs no tick");
        assertEquals(3, ticks.get());
        assertEquals(T0 + 1_220 * MS, producer.watermark());
    }

    @Test
    void shouldRefuseABatchWithoutSideEffectsWhenTheRingLacksRoomForTwiceIt()
    {
        final SluiceRing ring = new SluiceRing(16, WaitStrategyType.SLEEPING);
        final Sequence consumed = new Sequence(-1);
        ring.ringBuffer().addGatingSequences(consumed);
        final RingProducer producer = windowedProducer(ring, 4, 8);
        for (int i = 1; i <= 8; i++)
        {
            assertEquals(RingProducer.OFFERED, producer.offerEvent(1, i, 5, T0 + 1_000 * MS, i, 0));
        }
        assertEquals(8, ring.ringBuffer().getCursor(), "a tick and 8 events: 7 slots free");
        final long ticksBefore = ticks.get();
        final long watermarkBefore = producer.watermark();

        producer.beginBatch(2, ResultMode.BATCHED);
        producer.addToBatch(1, 6, T0 + 1_001 * MS, 1.0, 0);
        producer.addToBatch(2, 6, T0 + 1_200 * MS, 2.0, 0);
        producer.addToBatch(3, 6, T0 + 1_300 * MS, 3.0, RejectReason.INVALID_VALUE);
        producer.addToBatch(4, 6, T0 + 1_400 * MS, 4.0, 0);
        assertEquals(RingProducer.RING_FULL, producer.offerBatch(5), "4 events need 8 slots at worst, 7 free");

        assertEquals(8, ring.ringBuffer().getCursor(), "nothing claimed or published");
        assertEquals(Map.of(1L, 8L), marks(producer.marks()), "no mark for the refused client");
        assertEquals(watermarkBefore, producer.watermark(), "the watermark did not move");
        assertEquals(ticksBefore, ticks.get(), "no tick counted");
        assertEquals(0, producer.batchReason(0), "reasons not yet decided");
        assertEquals(RejectReason.INVALID_VALUE, producer.batchReason(2));
        assertEquals(4, producer.batchSize(), "still staged");

        consumed.set(0);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(6), "8 free now: the same batch goes in");
        assertEquals(List.of(
            event(producer, 2, 1, 6, T0 + 1_001 * MS, 1.0, 6, ResultMode.BATCHED, 0),
            tick(T0 + 1_170 * MS, 6),
            event(producer, 2, 2, 6, T0 + 1_200 * MS, 2.0, 6, ResultMode.BATCHED, 1),
            reject(producer, 2, 3, 6, RejectReason.INVALID_VALUE, 6, 2),
            tick(T0 + 1_370 * MS, 6),
            event(producer, 2, 4, 6, T0 + 1_400 * MS, 4.0, 6, ResultMode.BATCHED, 3)),
            entries(ring, 9, true), "exactly what the first offer would have written");
        assertEquals(Map.of(1L, 8L, 2L, 4L), marks(producer.marks()));
        assertEquals(ticksBefore + 2, ticks.get());
    }

    @Test
    @Timeout(30)
    void shouldNeverShowAConsumerPartOfABatch() throws Exception
    {
        final SluiceRing ring = new SluiceRing(1024, WaitStrategyType.SLEEPING);
        final Sequence consumed = new Sequence(-1);
        ring.ringBuffer().addGatingSequences(consumed);
        final RingProducer producer = windowedProducer(ring, 4, 256);
        final AtomicBoolean done = new AtomicBoolean();
        final CountDownLatch observing = new CountDownLatch(1);
        final TreeSet<Long> seen = new TreeSet<>();
        final Thread observer = new Thread(() ->
        {
            long last = -1;
            observing.countDown();
            while (true)
            {
                final boolean finished = done.get();
                final long cursor = ring.ringBuffer().getCursor();
                if (cursor != last)
                {
                    seen.add(cursor);
                    last = cursor;
                    consumed.set(cursor);
                }
                if (finished)
                {
                    return;
                }
                Thread.onSpinWait();
            }
        }, "cursor-observer");
        observer.start();
        observing.await();

        final TreeSet<Long> batchEnds = new TreeSet<>();
        final Random random = new Random(3);
        long correlationId = 0;
        long time = T0;
        for (int b = 0; b < 5_000; b++)
        {
            final int size = 1 + random.nextInt(256);
            producer.beginBatch(1, ResultMode.NONE);
            for (int i = 0; i < size; i++)
            {
                time += random.nextInt(40) * MS;
                producer.addToBatch(++correlationId, i, time, 1.0, 0);
            }
            while (RingProducer.RING_FULL == producer.offerBatch(b))
            {
                Thread.yield();
            }
            batchEnds.add(ring.ringBuffer().getCursor());
        }
        done.set(true);
        observer.join();

        assertTrue(ticks.get() > 5_000, "ticks inside batches: " + ticks.get());
        assertEquals(batchEnds.last(), seen.last());
        final TreeSet<Long> partial = new TreeSet<>(seen);
        partial.removeAll(batchEnds);
        assertEquals(0, partial.size(), "cursor values inside a batch, of " + seen.size() + " seen, from " +
            (partial.isEmpty() ? "" : partial.first()));
    }
}
