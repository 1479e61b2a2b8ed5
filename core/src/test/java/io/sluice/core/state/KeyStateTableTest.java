package io.sluice.core.state;

import io.sluice.core.route.ShardRouter;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
            assertEquals((home + i) & mask, slot);
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
