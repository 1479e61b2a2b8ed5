package io.sluice.core.ring;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ownership bits, the checks of a transition and the history rule that tells whether a resent event's group was
 * owned when it was sequenced.
 */
class GroupOwnershipTest
{
    private static BitSet range(final int first, final int last)
    {
        final BitSet bits = new BitSet();
        bits.set(first, last + 1);
        return bits;
    }

    @Test
    void shouldDescribeOwnedGroupsAsAscendingRanges()
    {
        final GroupOwnership ownership = new GroupOwnership(4096);
        final BitSet owned = range(0, 2047);
        owned.set(4000);
        owned.set(4094, 4096);
        ownership.assign(3, owned);

        assertEquals("0-2047,4000,4094-4095", ownership.describeRanges());
        assertEquals(2051, ownership.ownedCount());
        assertEquals(3, ownership.epoch());
        assertEquals(4096, ownership.keyGroupCount());
        assertTrue(ownership.owns(2047));
        assertFalse(ownership.owns(2048));
        assertTrue(ownership.owns(4095));

        ownership.assign(4, new BitSet());
        assertEquals("", ownership.describeRanges());
        assertEquals(0, ownership.ownedCount());
    }

    @Test
    void shouldRefuseStaleEpochsRangesNotWhollyOwnedOrUnownedAndBadRanges()
    {
        final GroupOwnership ownership = new GroupOwnership(16);
        ownership.assign(5, range(0, 7));

        assertEquals(RingProducer.OWNERSHIP_STALE_EPOCH, ownership.check(5, 0, 3, RingEntry.OWNERSHIP_RELEASE));
        assertEquals(RingProducer.OWNERSHIP_STALE_EPOCH, ownership.check(4, 8, 9, RingEntry.OWNERSHIP_ACQUIRE));
        assertEquals(RingProducer.OWNERSHIP_NOT_OWNED, ownership.check(6, 6, 8, RingEntry.OWNERSHIP_RELEASE));
        assertEquals(RingProducer.OWNERSHIP_ALREADY_OWNED, ownership.check(6, 7, 9, RingEntry.OWNERSHIP_ACQUIRE));
        assertEquals(RingProducer.OWNERSHIP_BAD_RANGE, ownership.check(6, 8, 16, RingEntry.OWNERSHIP_ACQUIRE));
        assertEquals(RingProducer.OWNERSHIP_BAD_RANGE, ownership.check(6, 3, 2, RingEntry.OWNERSHIP_RELEASE));
        assertEquals(RingProducer.OWNERSHIP_BAD_RANGE, ownership.check(6, 0, 3, 7));
        assertEquals(RingProducer.OFFERED, ownership.check(6, 0, 7, RingEntry.OWNERSHIP_RELEASE));
        assertEquals(RingProducer.OFFERED, ownership.check(6, 8, 15, RingEntry.OWNERSHIP_ACQUIRE));
    }

    @Test
    void shouldTellWhetherAGroupWasOwnedWhenAnEventWasSequencedAcrossAMoveAwayAndBack()
    {
        final GroupOwnership ownership = new GroupOwnership(16);
        final ClientMarks marks = new ClientMarks(8);
        ownership.assign(1, range(0, 7));
        marks.accept(1, 10);
        ownership.apply(2, 0, 3, RingEntry.OWNERSHIP_RELEASE, marks);
        marks.accept(1, 20);
        marks.accept(2, 4);
        ownership.apply(3, 0, 3, RingEntry.OWNERSHIP_ACQUIRE, marks);
        marks.accept(1, 30);

        assertEquals(3, ownership.epoch());
        assertEquals("0-7", ownership.describeRanges());
        assertTrue(ownership.ownedWhenSequenced(1, 5, 2), "before the release: applied here");
        assertTrue(ownership.ownedWhenSequenced(1, 10, 2), "the release's mark itself was sequenced before it");
        assertFalse(ownership.ownedWhenSequenced(1, 11, 2), "between release and acquire: not owned");
        assertFalse(ownership.ownedWhenSequenced(1, 20, 2));
        assertTrue(ownership.ownedWhenSequenced(1, 21, 2), "after the acquire");
        assertTrue(ownership.ownedWhenSequenced(1, 15, 5), "a group no transition covered: owned all along");
        assertFalse(ownership.ownedWhenSequenced(1, 5, 9), "a group never owned");
        assertFalse(ownership.ownedWhenSequenced(2, 3, 2), "client 2's first events came while away");
        assertTrue(ownership.ownedWhenSequenced(2, 5, 2), "client 2 after the acquire");
        assertTrue(ownership.ownedWhenSequenced(3, 1, 2), "a client without marks at any transition: now");
        assertEquals(20, ownership.history().get(1).mark(1));
        assertEquals(ClientMarks.NONE, ownership.history().get(0).mark(2));
    }

    @Test
    void shouldAnswerByTheStateNowForAGroupMovedAwayBeforeTheClientsEvents()
    {
        final GroupOwnership ownership = new GroupOwnership(16);
        final ClientMarks marks = new ClientMarks(8);
        ownership.assign(1, range(0, 15));
        marks.accept(1, 10);
        ownership.apply(2, 8, 15, RingEntry.OWNERSHIP_RELEASE, marks);
        marks.accept(1, 12);

        assertTrue(ownership.ownedWhenSequenced(1, 9, 8));
        assertFalse(ownership.ownedWhenSequenced(1, 11, 8));
        assertTrue(ownership.ownedWhenSequenced(1, 11, 7));
        assertEquals(8, ownership.ownedCount());
    }

    @Test
    void shouldKeepTheLastSixtyFourTransitionsAndRestoreThem()
    {
        final GroupOwnership ownership = new GroupOwnership(8);
        final ClientMarks marks = new ClientMarks(8);
        ownership.assign(1, range(0, 0));
        for (int i = 0; i < 70; i++)
        {
            marks.accept(1, 100 + i);
            ownership.apply(2 + i, 0, 0, 0 == i % 2 ? RingEntry.OWNERSHIP_RELEASE : RingEntry.OWNERSHIP_ACQUIRE,
                marks);
        }

        assertEquals(GroupOwnership.HISTORY, ownership.history().size());
        assertEquals(8, ownership.history().get(0).epoch(), "the oldest kept is the 7th");
        assertEquals(71, ownership.history().get(63).epoch());
        assertEquals(71, ownership.epoch());
        assertTrue(ownership.owns(0));

        final GroupOwnership restored = new GroupOwnership(8);
        restored.restore(ownership.epoch(), ownership.owned(), ownership.history());
        assertEquals(71, restored.epoch());
        assertEquals("0", restored.describeRanges());
        for (long w = 150; w <= 175; w++)
        {
            assertEquals(ownership.ownedWhenSequenced(1, w, 0), restored.ownedWhenSequenced(1, w, 0), "w " + w);
        }
        assertFalse(restored.ownedWhenSequenced(1, 169, 0), "sequenced between the last release and acquire");
        assertTrue(restored.ownedWhenSequenced(1, 168, 0), "sequenced before the last release");
        assertTrue(restored.ownedWhenSequenced(1, 170, 0), "after the last acquire");
    }
}
