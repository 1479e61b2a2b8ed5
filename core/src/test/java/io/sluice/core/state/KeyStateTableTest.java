package io.sluice.core.state;

import io.sluice.core.route.ShardRouter;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyStateTableTest
{
    private static final ShardRouter ROUTER = new ShardRouter(42);

    @Test
    void shouldAggregateCountSumMinMaxFirstLast()
    {
        final KeyStateTable table = new KeyStateTable(16, 0, ROUTER);
        final int slot = table.findOrInsert(42);
        table.apply(slot, 5.0, 100);
        table.apply(table.findOrInsert(42), -2.5, 101);
        table.apply(table.findOrInsert(42), 7.25, 102);

        assertEquals(slot, table.find(42));
        assertEquals(3, table.count(slot));
        assertEquals(9.75, table.sum(slot));
        assertEquals(-2.5, table.min(slot));
        assertEquals(7.25, table.max(slot));
        assertEquals(5.0, table.first(slot));
        assertEquals(7.25, table.last(slot));
        assertEquals(102, table.maxTimestamp(slot));
        assertEquals(1, table.size());
    }

    @Test
    void shouldHoldKeyZeroNegativeAndExtremeKeys()
    {
        final KeyStateTable table = new KeyStateTable(8, 0, ROUTER);
        final long[] keys = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, -42};
        for (int i = 0; i < keys.length; i++)
        {
            table.apply(table.findOrInsert(keys[i]), i + 1, i);
        }
        for (int i = 0; i < keys.length; i++)
        {
            final int slot = table.find(keys[i]);
            assertNotEquals(-1, slot, "key " + keys[i]);
            assertEquals(keys[i], table.key(slot));
            assertEquals(1, table.count(slot));
            assertEquals(i + 1, table.sum(slot));
        }
        assertEquals(-1, table.find(7));
        assertEquals(keys.length, table.size());
    }

    @Test
    void shouldKeepExtremeValues()
    {
        final KeyStateTable table = new KeyStateTable(4, 0, ROUTER);
        final int slot = table.findOrInsert(1);
        table.apply(slot, Double.MAX_VALUE, 1);
        table.apply(slot, -Double.MAX_VALUE, 2);
        table.apply(slot, Double.MIN_VALUE, 3);
        assertEquals(-Double.MAX_VALUE, table.min(slot));
        assertEquals(Double.MAX_VALUE, table.max(slot));
        assertEquals(Double.MIN_VALUE, table.sum(slot));
        assertEquals(Double.MAX_VALUE, table.first(slot));
        assertEquals(Double.MIN_VALUE, table.last(slot));
    }

    @Test
    void shouldOrderSignedZerosAsMathMinAndMaxDoInEveryAggregate()
    {
        final KeyStateTable table = new KeyStateTable(4, 2, ROUTER);
        final Aggregate window = new Aggregate();
        final int a = table.findOrInsert(1);
        table.apply(a, 0.0, 1);
        table.apply(a, -0.0, 2);
        assertEquals(-0.0, table.min(a), "-0.0 is below 0.0");
        assertEquals(0.0, table.max(a));
        table.applyPane(a, 0, 1, 0.0);
        table.applyPane(a, 0, 2, -0.0);
        table.mergePanes(a, 0, 1, 0, window);
        assertEquals(-0.0, window.min());
        assertEquals(0.0, window.max());

        final int b = table.findOrInsert(2);
        table.apply(b, -0.0, 1);
        table.apply(b, 0.0, 2);
        assertEquals(-0.0, table.min(b));
        assertEquals(0.0, table.max(b), "0.0 is above -0.0");
        table.applyPane(b, 0, 1, -0.0);
        table.applyPane(b, 0, 2, 0.0);
        table.mergePanes(b, 0, 1, 0, window);
        assertEquals(-0.0, window.min());
        assertEquals(0.0, window.max());

        table.applyPane(b, 1, 3, -0.0);
        table.mergePanes(b, 0, 2, 0, window);
        assertEquals(-0.0, window.min(), "merging panes follows the same rule");
        assertEquals(0.0, window.max());
        assertEquals(0.0, window.sum(), "0.0 + -0.0 + -0.0 is 0.0");
    }

    @Test
    void shouldSumInIeeeDoublesSoAnOverflowStaysInfiniteAndOppositeOverflowsMergeToNaN()
    {
        final KeyStateTable table = new KeyStateTable(4, 2, ROUTER);
        final Aggregate window = new Aggregate();
        final int slot = table.findOrInsert(1);
        table.apply(slot, Double.MAX_VALUE, 1);
        table.apply(slot, Double.MAX_VALUE, 2);
        assertEquals(Double.POSITIVE_INFINITY, table.sum(slot));
        table.apply(slot, -Double.MAX_VALUE, 3);
        table.apply(slot, -Double.MAX_VALUE, 4);
        assertEquals(Double.POSITIVE_INFINITY, table.sum(slot), "a running sum that overflowed stays infinite");
        assertEquals(4, table.count(slot));

        table.applyPane(slot, 0, 1, Double.MAX_VALUE);
        table.applyPane(slot, 0, 2, Double.MAX_VALUE);
        table.applyPane(slot, 1, 3, -Double.MAX_VALUE);
        table.applyPane(slot, 1, 4, -Double.MAX_VALUE);
        assertEquals(Double.POSITIVE_INFINITY, table.mergePanes(slot, 0, 1, 0, window).sum());
        assertEquals(Double.NEGATIVE_INFINITY, table.mergePanes(slot, 1, 2, 0, window).sum());
        table.mergePanes(slot, 0, 2, 0, window);
        assertEquals(Double.NaN, window.sum(), "+Infinity and -Infinity pane sums merge to NaN");
        assertEquals(4, window.count());
        assertEquals(-Double.MAX_VALUE, window.min());
        assertEquals(Double.MAX_VALUE, window.max());
    }

    @Test
    void shouldRefuseNewKeyWhenFullAndKeepServingKnownKeys()
    {
        final KeyStateTable table = new KeyStateTable(4, 0, ROUTER);
        for (long key = 0; key < 4; key++)
        {
            table.apply(table.findOrInsert(key), key, key);
        }
        assertEquals(-1, table.findOrInsert(99));
        assertEquals(4, table.size());
        final int slot = table.findOrInsert(2);
        assertNotEquals(-1, slot);
        table.apply(slot, 10, 5);
        assertEquals(2, table.count(slot));
        assertEquals(12.0, table.sum(slot));
    }

    @Test
    void shouldResolveCollidingKeysByProbing()
    {
        final KeyStateTable table = new KeyStateTable(64, 0, ROUTER);
        final int mask = 127;
        final int home = (int)ROUTER.hash(1) & mask;
        final long[] colliding = new long[6];
        int found = 0;
        for (long key = 1; found < colliding.length; key++)
        {
            if (((int)ROUTER.hash(key) & mask) == home)
            {
                colliding[found++] = key;
            }
        }
        for (int i = 0; i < colliding.length; i++)
        {
            table.apply(table.findOrInsert(colliding[i]), i, i);
        }
        for (int i = 0; i < colliding.length; i++)
        {
            final int slot = table.find(colliding[i]);
            assertEquals(i, table.probeDistance(colliding[i]));
            assertEquals(i, table.sum(slot));
        }

        assertTrue(table.remove(colliding[1]));
        assertFalse(table.remove(colliding[1]));
        assertEquals(-1, table.find(colliding[1]));
        for (int i = 0; i < colliding.length; i++)
        {
            if (i != 1)
            {
                final int slot = table.find(colliding[i]);
                assertNotEquals(-1, slot, "key lost after backward shift: " + colliding[i]);
                assertEquals(i, table.sum(slot));
            }
        }
        assertEquals(colliding.length - 1, table.size());
        assertEquals(1, table.probeDistance(colliding[2]), "shifted back one place into the hole");
        assertEquals(-1, table.probeDistance(colliding[1]));
    }

    @Test
    void shouldSizeTheTableAsBytesForSaysAndRefuseMoreThanOneBufferHolds()
    {
        assertEquals(16 * (2 * 16 + 64), KeyStateTable.bytesFor(16, 0));
        assertEquals(16 * (2 * 16 + 128 + 16 * 72), KeyStateTable.bytesFor(16, 10), "10 panes round up to 16");
        assertEquals(16 * (2 * 16 + 128 + 8 * 72), KeyStateTable.bytesFor(16, 8));
        assertEquals((1L << 28) * (2 * 16 + 64), KeyStateTable.bytesFor(1 << 28, 0));
        assertEquals(Long.MAX_VALUE, KeyStateTable.bytesFor(1 << 28, Integer.MAX_VALUE));

        final KeyStateTable table = new KeyStateTable(16, 10, ROUTER);
        assertEquals(16, table.paneRing());
        assertEquals(128 + 16 * 72, table.slotLength());
        assertEquals(0, new KeyStateTable(16, 0, ROUTER).paneRing());

        final IllegalArgumentException tooBig =
            assertThrows(IllegalArgumentException.class, () -> new KeyStateTable(1 << 24, 100, ROUTER));
        assertEquals("a state table of 16777216 keys with 100 panes each needs " +
            KeyStateTable.bytesFor(1 << 24, 100) + " bytes, more than one buffer holds (2147483647)", tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeyStateTable.bytesFor(3, 0));
        assertThrows(IllegalArgumentException.class, () -> KeyStateTable.bytesFor(1 << 29, 0));
        assertThrows(IllegalArgumentException.class, () -> KeyStateTable.bytesFor(16, -1));
    }

    @Test
    void shouldHoldAnInsertedKeyWithCountZeroUntilItsFirstEvent()
    {
        final KeyStateTable table = new KeyStateTable(4, 0, ROUTER);
        final int slot = table.findOrInsert(-9);
        assertEquals(slot, table.find(-9));
        assertEquals(1, table.size());
        assertEquals(0, table.count(slot));
        assertEquals(0, table.read(slot, new Aggregate()).count());
        assertEquals(-9, table.key(slot));
        table.apply(slot, 2.5, 10);
        assertEquals(1, table.count(slot));
        assertEquals(2.5, table.first(slot));
    }

    @Test
    void shouldGiveAFreedSlotToTheNextNewKeyWithItsPanesEmpty()
    {
        final KeyStateTable table = new KeyStateTable(2, 3, ROUTER);
        final int a = table.findOrInsert(1);
        table.markSeen(a, 700);
        table.applyPane(a, 7, 700, 5.0);
        final int b = table.findOrInsert(2);
        assertEquals(-1, table.findOrInsert(3), "full");
        assertTrue(table.remove(1));
        final int c = table.findOrInsert(3);
        assertEquals(a, c, "the freed slot is reused");
        assertEquals(0, table.count(c));
        assertEquals(Long.MIN_VALUE, table.maxTimestamp(c));
        assertEquals(KeyStateTable.NO_WAKE_UP, table.wakeUp(c));
        assertEquals(0, table.mergePanes(c, 7, 8, 0, new Aggregate()).count());
        assertEquals(b, table.find(2));
        assertEquals(2, table.size());
    }

    @Test
    void shouldPlacePanesInAPowerOfTwoRingNegativeIndicesIncluded()
    {
        final KeyStateTable table = new KeyStateTable(2, 3, ROUTER);
        final int slot = table.findOrInsert(1);
        final Aggregate window = new Aggregate();
        table.applyPane(slot, -1, -10, 1.0);
        table.applyPane(slot, 0, 0, 2.0);
        table.applyPane(slot, 2, 20, 4.0);
        assertEquals(3, table.mergePanes(slot, -1, 3, -10, window).count());
        assertEquals(7.0, window.sum());
        table.applyPane(slot, 3, 30, 8.0);
        assertEquals(0, table.mergePanes(slot, -1, 0, -10, window).count(), "pane 3 took pane -1's place (ring of 4)");
        assertEquals(3, table.mergePanes(slot, 0, 4, 0, window).count());
        assertEquals(14.0, window.sum());
        assertEquals(2.0, window.first());
        assertEquals(8.0, window.last());
    }

    @Test
    void shouldMatchReferenceUnderRandomInsertsAndRemoves()
    {
        final KeyStateTable table = new KeyStateTable(256, 0, ROUTER);
        final Map<Long, double[]> reference = new HashMap<>();
        final Random random = new Random(7);
        for (int i = 0; i < 200_000; i++)
        {
            final long key = random.nextInt(400) - 200;
            if (random.nextInt(4) == 0)
            {
                assertEquals(null != reference.remove(key), table.remove(key));
                continue;
            }
            final int slot = table.findOrInsert(key);
            if (-1 == slot)
            {
                assertEquals(256, reference.size());
                assertFalse(reference.containsKey(key));
                continue;
            }
            final double value = random.nextInt(1000);
            table.apply(slot, value, i);
            reference.computeIfAbsent(key, (k) -> new double[2]);
            reference.get(key)[0]++;
            reference.get(key)[1] += value;
        }
        assertEquals(reference.size(), table.size());
        reference.forEach((key, agg) ->
        {
            final int slot = table.find(key);
            assertEquals((long)agg[0], table.count(slot));
            assertEquals(agg[1], table.sum(slot));
        });
    }
}
