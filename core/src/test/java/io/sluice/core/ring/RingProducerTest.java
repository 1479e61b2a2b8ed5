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
import io.sluice.core.state.KeyStateTable;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingProducerTest
{
    private static final ShardRouter ROUTER = new ShardRouter(42);
    private static final long MS = 1_000_000L;

    private final TestCounters counters = new TestCounters();
    private final AtomicCounter ticks = counters.counter("ticks");

    @Test
    void shouldPublishAClaimedSlotAsNoneWhenItsWriteThrowsSoNoStaleEntryIsExposed() throws Exception
    {
        final SluiceRing ring = new SluiceRing(8, WaitStrategyType.SLEEPING);
        final RecordingSink sink = new RecordingSink();
        final ShardProcessor processor =
            TestProcessors.running(0, new KeyStateTable(16, 0, ROUTER), sink, counters.processor(0));
        final List<Throwable> errors = new ArrayList<>();
        final Agent agent = new ProcessorGroup(
            ring, new ShardProcessor[]{processor}, ThreadingMode.SHARED, errors::add).pollAgent();
        final RingProducer producer = new RingProducer(ring, ROUTER, 1, null, ticks);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(RingProducer.OFFERED, producer.offerEvent(1, i, 5, 1, 1.0, 0));
        }
        assertEquals(8, agent.doWork());

        // slot 0 of the next lap still holds correlation 0's event; the write of the reject throws after the claim
        assertThrows(IllegalArgumentException.class, () -> producer.offerReject(1, 99, 5, 0, 0));

        assertEquals(8, ring.ringBuffer().getCursor(), "the claimed slot was published");
        assertEquals(RingEntry.TYPE_NONE, ring.entry(8).type());
        assertEquals(1, agent.doWork(), "processors passed over the NONE entry");
        assertTrue(ring.isDrained());
        assertEquals(8, sink.results.size(), "nothing answered for the NONE entry, nothing answered twice");

        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 100, 5, 1, 2.0, 0));
        assertEquals(1, agent.doWork());
        assertEquals(9, sink.results.size());
        assertEquals(new RecordingSink.Result(1, 100, 5, 9, 10.0, 1.0, 2.0, 1.0, 2.0, 0), sink.results.get(8));
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldPutATickBeforeAnEventThatMovesTheWatermarkIntoANewPaneAndOnTheIntervalOtherwise()
    {
        final SluiceRing ring = new SluiceRing(64, WaitStrategyType.SLEEPING);
        final RingProducer producer =
            new RingProducer(ring, ROUTER, 2, new WatermarkTracker(100 * MS, 30 * MS, 10 * MS, 0), ticks);
        final List<String> log = new ArrayList<>();

        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 1, 7, 1_000 * MS, 1.0, 0));
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 2, 7, 1_020 * MS, 1.0, MS));
        assertEquals(0, producer.doTick(5 * MS), "interval not elapsed");
        assertEquals(1, producer.doTick(10 * MS), "watermark moved 970 -> 990 ms and the interval passed");
        assertEquals(0, producer.doTick(30 * MS), "watermark unchanged");
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 3, 7, 1_031 * MS, 1.0, 40 * MS));
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 4, 7, 900 * MS, 1.0, 41 * MS));
        assertTrue(producer.offerQuery(1, 5, 7, 42 * MS));
        assertTrue(producer.offerWatermark(2_000 * MS, 43 * MS));

        for (long sequence = 0; sequence <= ring.ringBuffer().getCursor(); sequence++)
        {
            final RingEntry entry = ring.entry(sequence);
            log.add(entry.type() + ":" + entry.correlationId() + ":" + entry.timestamp() / MS);
        }
        assertEquals(List.of(
            "4:0:970", "1:1:1000", "1:2:1020", "4:0:990", "4:0:1001", "1:3:1031", "1:4:900", "2:5:0", "4:0:2000"), log);
        assertEquals(4, ticks.get());
        assertEquals(2_000 * MS, producer.watermark());
    }

    @Test
    void shouldRefuseAnEventWithoutSideEffectsWhenTheRingLacksRoomForItAndItsTick()
    {
        final SluiceRing ring = new SluiceRing(4, WaitStrategyType.SLEEPING);
        ring.ringBuffer().addGatingSequences(new com.lmax.disruptor.Sequence(-1));
        final RingProducer producer =
            new RingProducer(ring, ROUTER, 1, new WatermarkTracker(100 * MS, 0, MS, 0), ticks);
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 1, 7, 1_000 * MS, 1.0, 0));
        assertTrue(producer.offerReject(1, 2, 7, RejectReason.INVALID_VALUE, 0));
        assertEquals(2, ring.ringBuffer().getCursor(), "tick, event, reject");

        assertEquals(RingProducer.RING_FULL, producer.offerEvent(1, 3, 7, 1_100 * MS, 1.0, 0), "needs a tick and the event: 2 slots, 1 free");
        assertEquals(2, ring.ringBuffer().getCursor());
        assertEquals(1_000 * MS, producer.watermark(), "the refused event did not move the watermark");
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 4, 7, 1_050 * MS, 1.0, 0), "no tick needed: fits");
        assertFalse(producer.offerQuery(1, 5, 7, 0));
        assertFalse(producer.offerReject(1, 6, 7, RejectReason.TRUNCATED, 0));
        assertEquals(0, producer.doTick(10 * MS), "tick due but no room");
        assertEquals(1, ticks.get());
    }
}
