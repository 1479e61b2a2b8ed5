package io.sluice.core.state;

import io.sluice.core.route.ShardRouter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The table's digest and its copy for snapshots: equal for equal histories, different after one more change, and a
 * table restored from a copy is the original in every observable way.
 */
class KeyStateTableDigestTest
{
    private static final ShardRouter ROUTER = new ShardRouter(42);
    private static final int CAPACITY = 256;
    private static final int KEYS = 600;

    /**
     * Seeded inserts, applies (to the running aggregate or to panes) and removals; a full table refuses new keys.
     */
    private static void operate(final KeyStateTable table, final long seed, final int operations)
    {
        final Random random = new Random(seed);
        for (int i = 0; i < operations; i++)
        {
            final long key = random.nextInt(KEYS) - KEYS / 3;
            if (random.nextInt(10) == 0)
            {
                table.remove(key);
                continue;
            }
            final int slot = table.findOrInsert(key);
            if (-1 == slot)
            {
                continue;
            }
            final double value = (random.nextInt(2048) - 1024) / 16.0;
            final long timestamp = 1_000L * random.nextInt(100_000);
            if (0 == table.paneRing())
            {
                table.apply(slot, value, timestamp);
            }
            else
            {
                table.markSeen(slot, timestamp);
                table.applyPane(slot, timestamp / 10_000, timestamp, value);
                table.wakeUp(slot, timestamp + 50_000);
            }
        }
    }

    @ParameterizedTest(name = "{0} panes per key")
    @ValueSource(ints = {0, 4})
    void shouldGiveEqualDigestsForTheSameOperationsAndADifferentOneAfterOneMoreApply(final int panesPerKey)
    {
        final KeyStateTable one = new KeyStateTable(CAPACITY, panesPerKey, ROUTER);
        final KeyStateTable two = new KeyStateTable(CAPACITY, panesPerKey, ROUTER);
        final long empty = one.digest();
        assertEquals(empty, two.digest());
        operate(one, 7, 5_000);
        operate(two, 7, 5_000);
        assertEquals(one.size(), two.size());
        assertEquals(one.digest(), two.digest());
        assertNotEquals(empty, one.digest());

        final int slot = two.find(two.key(firstHeldSlot(two)));
        if (0 == panesPerKey)
        {
            two.apply(slot, 0.5, 1);
        }
        else
        {
            two.applyPane(slot, two.maxTimestamp(slot) / 10_000, two.maxTimestamp(slot), 0.5);
        }
        assertNotEquals(one.digest(), two.digest(), "one more apply");

        final KeyStateTable three = new KeyStateTable(CAPACITY, panesPerKey, ROUTER);
        operate(three, 7, 5_000);
        three.remove(three.key(firstHeldSlot(three)));
        assertNotEquals(one.digest(), three.digest(), "one more removal");
    }

    @ParameterizedTest(name = "{0} panes per key")
    @ValueSource(ints = {0, 4})
    void shouldRestoreFromACopyToTheSameDigestFindResultsAndFutureSlots(final int panesPerKey)
    {
        final KeyStateTable original = new KeyStateTable(CAPACITY, panesPerKey, ROUTER);
        operate(original, 11, 4_000);
        final UnsafeBuffer copy = new UnsafeBuffer(ByteBuffer.allocateDirect(original.bytes()));
        final int[] free = new int[CAPACITY];
        final int freeCount = original.copyTo(copy, free);
        assertEquals(CAPACITY - original.size(), freeCount);

        final KeyStateTable restored = new KeyStateTable(CAPACITY, panesPerKey, ROUTER);
        operate(restored, 99, 300);
        restored.restoreFrom(copy, free, freeCount);

        assertEquals(original.digest(), restored.digest());
        assertEquals(original.size(), restored.size());
        final Aggregate expected = new Aggregate();
        final Aggregate actual = new Aggregate();
        for (long key = -KEYS; key < KEYS; key++)
        {
            final int slot = original.find(key);
            assertEquals(slot, restored.find(key), "key " + key);
            if (-1 != slot)
            {
                assertEquals(original.read(slot, expected).count(), restored.read(slot, actual).count());
                assertEquals(expected.sum(), actual.sum());
                assertEquals(original.maxTimestamp(slot), restored.maxTimestamp(slot));
                if (panesPerKey > 0)
                {
                    assertEquals(original.wakeUp(slot), restored.wakeUp(slot));
                }
            }
        }

        operate(original, 12, 2_000);
        operate(restored, 12, 2_000);
        assertEquals(original.digest(), restored.digest(), "the same slots are handed out after the restore");
    }

    @Test
    void shouldRefuseACopyWithAFreeCountOutsideTheTable()
    {
        final KeyStateTable table = new KeyStateTable(8, 0, ROUTER);
        final UnsafeBuffer copy = new UnsafeBuffer(ByteBuffer.allocateDirect(table.bytes()));
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> table.restoreFrom(copy, new int[9], 9));
        assertEquals("free slots 9 outside [0, 8]", ex.getMessage());
    }

    private static int firstHeldSlot(final KeyStateTable table)
    {
        for (long key = -KEYS; key < KEYS; key++)
        {
            final int slot = table.find(key);
            if (-1 != slot)
            {
                return slot;
            }
        }
        throw new IllegalStateException("empty table");
    }
}
