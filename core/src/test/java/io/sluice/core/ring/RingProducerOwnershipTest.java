package io.sluice.core.ring;

import io.sluice.config.WaitStrategyType;
import io.sluice.core.RejectReason;
import io.sluice.core.ResultMode;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.snapshot.SnapshotParts;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The producer in a topology: NOT_OWNER and DUPLICATE decisions for events, batches and queries across a move away
 * and back, the refusals of an ownership change, and a journal replay and a snapshot giving the same state.
 */
class RingProducerOwnershipTest
{
    private static final ShardRouter ROUTER = new ShardRouter(42, 16);
    private static final long T0 = 1_700_000_000_000_000_000L;

    private final TestCounters counters = new TestCounters();
    private final AtomicCounter ticks = counters.counter("ticks");

    private static long keyInGroup(final int group)
    {
        for (long key = 0; ; key++)
        {
            if (ROUTER.keyGroup(ROUTER.hash(key)) == group)
            {
                return key;
            }
        }
    }

    private static BitSet range(final int first, final int last)
    {
        final BitSet bits = new BitSet();
        bits.set(first, last + 1);
        return bits;
    }

    private static String describe(final RingEntry entry)
    {
        return entry.type() + ":" + entry.shard() + ":" + entry.clientId() + ":" + entry.correlationId() + ":" +
            entry.key() + ":" + entry.timestamp() + ":" + entry.reason() + ":" + entry.batchIndex();
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

    private RingProducer producer(final SluiceRing ring)
    {
        final GroupOwnership ownership = new GroupOwnership(16);
        ownership.assign(1, range(0, 7));
        return new RingProducer(ring, ROUTER, 2, null, ticks, new ClientMarks(8)).ownership(ownership);
    }

    private static String reject(final long key, final long client, final long id, final long epoch, final int why)
    {
        return RingEntry.TYPE_REJECT + ":" + ROUTER.shard(key, 2) + ":" + client + ":" + id + ":" + key + ":" +
            epoch + ":" + why + ":-1";
    }

    private static String event(final long key, final long client, final long id)
    {
        return RingEntry.TYPE_EVENT + ":" + ROUTER.shard(key, 2) + ":" + client + ":" + id + ":" + key + ":" + T0 +
            ":0:-1";
    }

    @Test
    void shouldAnswerNotOwnerOrDuplicateForEventsAndQueriesAcrossAMoveAwayAndBack()
    {
        final SluiceRing ring = new SluiceRing(64, WaitStrategyType.SLEEPING);
        final RingProducer producer = producer(ring);
        final long owned = keyInGroup(2);
        final long away = keyInGroup(12);

        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 1, owned, T0, 1.0, 0));
        assertEquals(RejectReason.NOT_OWNER, producer.offerEvent(1, 2, away, T0, 1.0, 0));
        assertEquals(2, producer.marks().mark(1), "a NOT_OWNER of a new event is an answer: the mark moves");
        assertEquals(RejectReason.NOT_OWNER, producer.offerEvent(1, 2, away, T0, 1.0, 0), "never applied here");
        assertEquals(RejectReason.DUPLICATE, producer.offerEvent(1, 1, owned, T0, 1.0, 0));

        assertEquals(RingProducer.OFFERED,
            producer.offerOwnership(2, 77, 0, 3, RingEntry.OWNERSHIP_RELEASE, 5));
        assertEquals(2, producer.ownership().epoch());
        assertEquals("4-7", producer.ownership().describeRanges());
        assertEquals(RejectReason.DUPLICATE, producer.offerEvent(1, 1, owned, T0, 1.0, 0), "applied before");
        assertEquals(RejectReason.NOT_OWNER, producer.offerEvent(1, 3, owned, T0, 1.0, 0));
        assertEquals(RejectReason.NOT_OWNER, producer.offerEvent(1, 3, owned, T0, 1.0, 0));
        assertTrue(producer.offerQuery(1, 4, owned, 0));
        assertEquals(3, producer.marks().mark(1), "a query leaves the mark");

        assertEquals(RingProducer.OFFERED,
            producer.offerOwnership(3, 78, 0, 3, RingEntry.OWNERSHIP_ACQUIRE, 6));
        assertEquals(RejectReason.NOT_OWNER, producer.offerEvent(1, 3, owned, T0, 1.0, 0), "sequenced while away");
        assertEquals(RejectReason.DUPLICATE, producer.offerEvent(1, 1, owned, T0, 1.0, 0));
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 5, owned, T0, 1.0, 0));
        assertTrue(producer.offerQuery(1, 6, owned, 0));
        assertTrue(producer.offerQuery(1, 7, away, 0));

        final RingEntry release = ring.entry(4);
        assertEquals(RingEntry.TYPE_OWNERSHIP, release.type());
        assertEquals(-1, release.shard());
        assertEquals(2, OwnershipEntry.epoch(release));
        assertEquals(77, OwnershipEntry.moveId(release));
        assertEquals(0, OwnershipEntry.firstGroup(release));
        assertEquals(3, OwnershipEntry.lastGroup(release));
        assertEquals(RingEntry.OWNERSHIP_RELEASE, OwnershipEntry.action(release));
        assertEquals(List.of(
            event(owned, 1, 1),
            reject(away, 1, 2, 1, RejectReason.NOT_OWNER),
            reject(away, 1, 2, 1, RejectReason.NOT_OWNER),
            reject(owned, 1, 1, 0, RejectReason.DUPLICATE),
            RingEntry.TYPE_OWNERSHIP + ":-1:2:77:3:0:1:-1",
            reject(owned, 1, 1, 0, RejectReason.DUPLICATE),
            reject(owned, 1, 3, 2, RejectReason.NOT_OWNER),
            reject(owned, 1, 3, 2, RejectReason.NOT_OWNER),
            reject(owned, 1, 4, 2, RejectReason.NOT_OWNER),
            RingEntry.TYPE_OWNERSHIP + ":-1:3:78:3:0:2:-1",
            reject(owned, 1, 3, 3, RejectReason.NOT_OWNER),
            reject(owned, 1, 1, 0, RejectReason.DUPLICATE),
            event(owned, 1, 5),
            RingEntry.TYPE_QUERY + ":" + ROUTER.shard(owned, 2) + ":1:6:" + owned + ":0:0:-1",
            reject(away, 1, 7, 3, RejectReason.NOT_OWNER)),
            entries(ring, 0));
    }

    @Test
    void shouldRefuseOwnershipChangesThatDoNotFitAndChangeNothing()
    {
        final SluiceRing ring = new SluiceRing(16, WaitStrategyType.SLEEPING);
        ring.ringBuffer().addGatingSequences(new com.lmax.disruptor.Sequence(-1));
        final RingProducer producer = producer(ring);

        assertEquals(RingProducer.OWNERSHIP_STALE_EPOCH,
            producer.offerOwnership(1, 1, 0, 3, RingEntry.OWNERSHIP_RELEASE, 0));
        assertEquals(RingProducer.OWNERSHIP_NOT_OWNED,
            producer.offerOwnership(2, 1, 4, 9, RingEntry.OWNERSHIP_RELEASE, 0));
        assertEquals(RingProducer.OWNERSHIP_ALREADY_OWNED,
            producer.offerOwnership(2, 1, 7, 9, RingEntry.OWNERSHIP_ACQUIRE, 0));
        assertEquals(RingProducer.OWNERSHIP_BAD_RANGE,
            producer.offerOwnership(2, 1, 8, 16, RingEntry.OWNERSHIP_ACQUIRE, 0));
        assertEquals(RingProducer.OWNERSHIP_NO_TOPOLOGY,
            new RingProducer(ring, ROUTER, 2, null, ticks).offerOwnership(2, 1, 0, 3, RingEntry.OWNERSHIP_RELEASE, 0));
        assertEquals(-1, ring.ringBuffer().getCursor(), "nothing went into the ring");
        assertEquals(1, producer.ownership().epoch());
        assertEquals("0-7", producer.ownership().describeRanges());
        assertEquals(0, producer.ownership().history().size());

        for (int i = 0; i < 16; i++)
        {
            assertTrue(producer.offerQuery(1, i, 1, 0));
        }
        assertEquals(RingProducer.RING_FULL, producer.offerOwnership(2, 1, 0, 3, RingEntry.OWNERSHIP_RELEASE, 0));
        assertEquals(1, producer.ownership().epoch(), "a full ring changes nothing");
        assertEquals("the epoch is not above the appliance's",
            RingProducer.describeOwnershipRefusal(RingProducer.OWNERSHIP_STALE_EPOCH));
        assertEquals("the appliance does not own every key group of the range",
            RingProducer.describeOwnershipRefusal(RingProducer.OWNERSHIP_NOT_OWNED));
        assertEquals("the appliance already owns key groups of the range",
            RingProducer.describeOwnershipRefusal(RingProducer.OWNERSHIP_ALREADY_OWNED));
        assertEquals("the appliance is not in a topology",
            RingProducer.describeOwnershipRefusal(RingProducer.OWNERSHIP_NO_TOPOLOGY));
    }

    @Test
    void shouldDecideEachEventOfABatchAsSingleEventsAre()
    {
        final SluiceRing ring = new SluiceRing(64, WaitStrategyType.SLEEPING);
        final RingProducer producer = producer(ring);
        final long owned = keyInGroup(2);
        final long away = keyInGroup(12);
        assertEquals(RingProducer.OFFERED, producer.offerEvent(1, 1, owned, T0, 1.0, 0));
        assertEquals(RingProducer.OFFERED, producer.offerOwnership(2, 9, 0, 3, RingEntry.OWNERSHIP_RELEASE, 0));

        producer.beginBatch(1, ResultMode.PER_EVENT);
        producer.addToBatch(1, owned, T0, 1.0, 0);
        producer.addToBatch(2, keyInGroup(5), T0, 2.0, 0);
        producer.addToBatch(3, away, T0, 3.0, 0);
        producer.addToBatch(4, owned, T0, 4.0, 0);
        producer.addToBatch(4, owned, T0, 4.0, 0);
        producer.addToBatch(5, keyInGroup(6), T0, 5.0, RejectReason.INVALID_VALUE);
        assertEquals(RingProducer.OFFERED, producer.offerBatch(0));

        assertEquals(RejectReason.DUPLICATE, producer.batchReason(0));
        assertEquals(0, producer.batchReason(1));
        assertEquals(RejectReason.NOT_OWNER, producer.batchReason(2));
        assertEquals(RejectReason.NOT_OWNER, producer.batchReason(3));
        assertEquals(RejectReason.NOT_OWNER, producer.batchReason(4), "a resend within the batch, never applied");
        assertEquals(RejectReason.INVALID_VALUE, producer.batchReason(5));
        assertEquals(4, producer.marks().mark(1));
        final RingEntry notOwner = ring.entry(4);
        assertEquals(RingEntry.TYPE_REJECT, notOwner.type());
        assertEquals(RejectReason.NOT_OWNER, notOwner.reason());
        assertEquals(2, OwnershipEntry.rejectEpoch(notOwner));
        assertEquals(2, notOwner.batchIndex());
        assertEquals(ROUTER.shard(away, 2), notOwner.shard());
        assertEquals(0, OwnershipEntry.rejectEpoch(ring.entry(2)), "a DUPLICATE carries no epoch");
        assertEquals(ROUTER.shard(keyInGroup(5), 2), ring.entry(3).shard());
    }

    @Test
    void shouldRebuildTheSameMarksAndOwnershipFromTheJournalAndFromASnapshot()
    {
        final SluiceRing ring = new SluiceRing(64, WaitStrategyType.SLEEPING);
        final RingProducer live = producer(ring);
        final long owned = keyInGroup(2);
        final long away = keyInGroup(12);
        assertEquals(RingProducer.OFFERED, live.offerEvent(1, 1, owned, T0, 1.0, 0));
        assertEquals(RingProducer.OFFERED, live.offerEvent(2, 1, owned, T0, 1.0, 0));
        assertEquals(RingProducer.OFFERED, live.offerOwnership(2, 9, 0, 3, RingEntry.OWNERSHIP_RELEASE, 0));
        assertEquals(RejectReason.NOT_OWNER, live.offerEvent(1, 2, owned, T0, 1.0, 0));
        assertEquals(RejectReason.NOT_OWNER, live.offerEvent(3, 7, away, T0, 1.0, 0));
        assertTrue(live.offerQuery(2, 50, owned, 0));
        assertEquals(RingProducer.OFFERED, live.offerOwnership(3, 10, 0, 3, RingEntry.OWNERSHIP_ACQUIRE, 0));
        assertEquals(RejectReason.NOT_OWNER, live.offerEvent(1, 2, owned, T0, 1.0, 0));
        assertEquals(RingProducer.OFFERED, live.offerEvent(1, 3, owned, T0, 1.0, 0));
        assertEquals(Map.of(1L, 3L, 2L, 1L, 3L, 7L), RingProducerMarksTest.marks(live.marks()));

        final RingProducer replayed = producer(new SluiceRing(64, WaitStrategyType.SLEEPING));
        for (long sequence = 0; sequence <= ring.ringBuffer().getCursor(); sequence++)
        {
            replayed.applyJournaled(ring.entry(sequence), 0);
        }
        assertEquals(RingProducerMarksTest.marks(live.marks()), RingProducerMarksTest.marks(replayed.marks()),
            "the query's NOT_OWNER raised no mark");
        assertSameOwnership(live, replayed);

        final ProducerSnapshot captured = new ProducerSnapshot();
        assertTrue(live.offerSnapshot(11, 0, captured));
        final ProducerSnapshot read = new ProducerSnapshot();
        SnapshotParts.readProducerPart(concat(SnapshotParts.producerPart(captured)), read, "test");
        assertTrue(read.hasOwnership());
        final RingProducer restored = producer(new SluiceRing(64, WaitStrategyType.SLEEPING));
        restored.restore(read, 0);
        assertEquals(RingProducerMarksTest.marks(live.marks()), RingProducerMarksTest.marks(restored.marks()));
        assertSameOwnership(live, restored);
    }

    @Test
    void shouldReadAPartWithoutTopologyAsNoOwnershipAndKeepTheFilesOwnership()
    {
        final SluiceRing ring = new SluiceRing(16, WaitStrategyType.SLEEPING);
        final RingProducer plain = new RingProducer(ring, ROUTER, 2, null, ticks, new ClientMarks(8));
        assertNull(plain.ownership());
        assertEquals(RingProducer.OFFERED, plain.offerEvent(1, 4, keyInGroup(12), T0, 1.0, 0));
        final ProducerSnapshot captured = new ProducerSnapshot();
        assertTrue(plain.offerSnapshot(1, 0, captured));
        final ByteBuffer bytes = concat(SnapshotParts.producerPart(captured));
        assertEquals(1, bytes.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(8), "written as version 1");
        final ProducerSnapshot read = new ProducerSnapshot();
        SnapshotParts.readProducerPart(bytes, read, "test");
        assertFalse(read.hasOwnership());

        final RingProducer restored = producer(new SluiceRing(16, WaitStrategyType.SLEEPING));
        restored.restore(read, 0);
        assertEquals(4, restored.marks().mark(1));
        assertEquals(1, restored.ownership().epoch());
        assertEquals("0-7", restored.ownership().describeRanges());
    }

    @Test
    void shouldKeepAHigherEpochWhenReplayingOverALaterOwnershipAndRefuseAnotherKeyGroupCount()
    {
        final SluiceRing ring = new SluiceRing(16, WaitStrategyType.SLEEPING);
        final RingProducer live = producer(ring);
        assertEquals(RingProducer.OFFERED, live.offerOwnership(2, 9, 0, 3, RingEntry.OWNERSHIP_RELEASE, 0));
        assertEquals(RingProducer.OFFERED, live.offerOwnership(3, 10, 0, 3, RingEntry.OWNERSHIP_ACQUIRE, 0));

        final GroupOwnership later = new GroupOwnership(16);
        later.assign(5, range(0, 7));
        final RingProducer replayed = new RingProducer(
            new SluiceRing(16, WaitStrategyType.SLEEPING), ROUTER, 2, null, ticks, new ClientMarks(8)).ownership(later);
        replayed.applyJournaled(ring.entry(0), 0);
        replayed.applyJournaled(ring.entry(1), 0);
        assertEquals(5, replayed.ownership().epoch());
        assertEquals("0-7", replayed.ownership().describeRanges());
        assertEquals(2, replayed.ownership().history().size());

        final IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> producer(ring).ownership(new GroupOwnership(8)));
        assertEquals("the ownership is of 8 key groups, the router places by 16", refused.getMessage());
    }

    private static void assertSameOwnership(final RingProducer expected, final RingProducer actual)
    {
        assertEquals(expected.ownership().epoch(), actual.ownership().epoch());
        assertEquals(expected.ownership().describeRanges(), actual.ownership().describeRanges());
        assertEquals(expected.ownership().history().size(), actual.ownership().history().size());
        for (long client = 1; client <= 3; client++)
        {
            for (long id = 1; id <= 8; id++)
            {
                for (int group = 0; group < 16; group++)
                {
                    assertEquals(expected.ownership().ownedWhenSequenced(client, id, group),
                        actual.ownership().ownedWhenSequenced(client, id, group),
                        "client " + client + " id " + id + " group " + group);
                }
            }
        }
    }

    private static ByteBuffer concat(final ByteBuffer[] sections)
    {
        int size = 0;
        for (final ByteBuffer section : sections)
        {
            size += section.remaining();
        }
        final ByteBuffer all = ByteBuffer.allocate(size);
        for (final ByteBuffer section : sections)
        {
            all.put(section.duplicate());
        }
        return all.flip();
    }
}
