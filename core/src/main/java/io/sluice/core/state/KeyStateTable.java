package io.sluice.core.state;

import io.sluice.core.route.ShardRouter;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Per-key running aggregates in one off-heap buffer: an open-addressing hash table with linear probing and
 * backward-shift deletion, so a removed key leaves no tombstone and probe lengths stay short forever.
 * <p>
 * The table holds up to {@link #capacity()} keys in {@code 2 * capacity} slots (load factor at most 0.5). A slot
 * whose count is zero is empty, so every key value, 0 and negatives included, is a valid key.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          Key (64 bits)                        |  0
 *  +---------------------------------------------------------------+
 *  |                 Count (64 bits), 0 = empty slot               |  8
 *  +---------------------------------------------------------------+
 *  |                          Sum (double)                         | 16
 *  +---------------------------------------------------------------+
 *  |                          Min (double)                         | 24
 *  +---------------------------------------------------------------+
 *  |                          Max (double)                         | 32
 *  +---------------------------------------------------------------+
 *  |                  First value by arrival (double)              | 40
 *  +---------------------------------------------------------------+
 *  |                   Last value by arrival (double)              | 48
 *  +---------------------------------------------------------------+
 *  |                Last event timestamp, epoch ns (64 bits)       | 56
 *  +---------------------------------------------------------------+
 * </pre>
 * Single writer: the processor that owns the shard. Not thread safe.
 */
public final class KeyStateTable
{
    /** Bytes per slot, one cache line. */
    public static final int SLOT_LENGTH = 64;

    private static final int KEY_OFFSET = 0;
    private static final int COUNT_OFFSET = 8;
    private static final int SUM_OFFSET = 16;
    private static final int MIN_OFFSET = 24;
    private static final int MAX_OFFSET = 32;
    private static final int FIRST_OFFSET = 40;
    private static final int LAST_OFFSET = 48;
    private static final int LAST_TIMESTAMP_OFFSET = 56;

    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int mask;
    private int size;

    /**
     * @param capacity most keys held at once, a power of two.
     */
    public KeyStateTable(final int capacity)
    {
        if (Integer.bitCount(capacity) != 1 || capacity > (1 << 28))
        {
            throw new IllegalArgumentException("capacity must be a power of two <= 2^28: " + capacity);
        }
        this.capacity = capacity;
        final int slots = capacity * 2;
        this.mask = slots - 1;
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(slots * SLOT_LENGTH, 64));
    }

    /**
     * @return most keys the table holds.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return keys held now.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param key the key.
     * @return the slot holding the key, or -1.
     */
    public int find(final long key)
    {
        int slot = (int)ShardRouter.mix(key) & mask;
        while (true)
        {
            final int offset = slot * SLOT_LENGTH;
            if (0 == buffer.getLong(offset + COUNT_OFFSET))
            {
                return -1;
            }
            if (buffer.getLong(offset + KEY_OFFSET) == key)
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * Find the key's slot, adding the key with an empty aggregate if absent and there is room.
     *
     * @param key the key.
     * @return the slot, or -1 when the key is new and the table holds {@link #capacity()} keys.
     */
    public int findOrInsert(final long key)
    {
        int slot = (int)ShardRouter.mix(key) & mask;
        while (true)
        {
            final int offset = slot * SLOT_LENGTH;
            if (0 == buffer.getLong(offset + COUNT_OFFSET))
            {
                if (size == capacity)
                {
                    return -1;
                }
                size++;
                buffer.putLong(offset + KEY_OFFSET, key);
                buffer.putLong(offset + COUNT_OFFSET, -1);
                return slot;
            }
            if (buffer.getLong(offset + KEY_OFFSET) == key)
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * Apply one value to the aggregate in a slot from {@link #findOrInsert(long)}.
     *
     * @param slot      the key's slot.
     * @param value     a finite value.
     * @param timestamp the event time, epoch ns.
     */
    public void apply(final int slot, final double value, final long timestamp)
    {
        final int offset = slot * SLOT_LENGTH;
        final long count = buffer.getLong(offset + COUNT_OFFSET);
        if (count <= 0)
        {
            buffer.putLong(offset + COUNT_OFFSET, 1);
            buffer.putDouble(offset + SUM_OFFSET, value);
            buffer.putDouble(offset + MIN_OFFSET, value);
            buffer.putDouble(offset + MAX_OFFSET, value);
            buffer.putDouble(offset + FIRST_OFFSET, value);
        }
        else
        {
            buffer.putLong(offset + COUNT_OFFSET, count + 1);
            buffer.putDouble(offset + SUM_OFFSET, buffer.getDouble(offset + SUM_OFFSET) + value);
            if (value < buffer.getDouble(offset + MIN_OFFSET))
            {
                buffer.putDouble(offset + MIN_OFFSET, value);
            }
            if (value > buffer.getDouble(offset + MAX_OFFSET))
            {
                buffer.putDouble(offset + MAX_OFFSET, value);
            }
        }
        buffer.putDouble(offset + LAST_OFFSET, value);
        buffer.putLong(offset + LAST_TIMESTAMP_OFFSET, timestamp);
    }

    /**
     * Remove a key, shifting back the entries of its probe run so no tombstone is left.
     *
     * @param key the key.
     * @return true if the key was held.
     */
    public boolean remove(final long key)
    {
        int hole = find(key);
        if (-1 == hole)
        {
            return false;
        }
        int slot = (hole + 1) & mask;
        while (0 != buffer.getLong(slot * SLOT_LENGTH + COUNT_OFFSET))
        {
            final int home = (int)ShardRouter.mix(buffer.getLong(slot * SLOT_LENGTH + KEY_OFFSET)) & mask;
            // move the entry into the hole unless its home lies cyclically in (hole, slot]
            if (((slot - home) & mask) >= ((slot - hole) & mask))
            {
                buffer.putBytes(hole * SLOT_LENGTH, buffer, slot * SLOT_LENGTH, SLOT_LENGTH);
                hole = slot;
            }
            slot = (slot + 1) & mask;
        }
        buffer.setMemory(hole * SLOT_LENGTH, SLOT_LENGTH, (byte)0);
        size--;
        return true;
    }

    /**
     * Copy a slot's aggregate into a holder.
     *
     * @param slot      a held slot.
     * @param aggregate the holder to fill.
     * @return the holder.
     */
    public Aggregate read(final int slot, final Aggregate aggregate)
    {
        final int offset = slot * SLOT_LENGTH;
        return aggregate.set(
            0,
            Math.max(0, buffer.getLong(offset + COUNT_OFFSET)),
            buffer.getDouble(offset + SUM_OFFSET),
            buffer.getDouble(offset + MIN_OFFSET),
            buffer.getDouble(offset + MAX_OFFSET),
            buffer.getDouble(offset + FIRST_OFFSET),
            buffer.getDouble(offset + LAST_OFFSET));
    }

    /**
     * @param slot a held slot.
     * @return its key.
     */
    public long key(final int slot)
    {
        return buffer.getLong(slot * SLOT_LENGTH + KEY_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return events applied.
     */
    public long count(final int slot)
    {
        return Math.max(0, buffer.getLong(slot * SLOT_LENGTH + COUNT_OFFSET));
    }

    /**
     * @param slot a held slot.
     * @return sum of values.
     */
    public double sum(final int slot)
    {
        return buffer.getDouble(slot * SLOT_LENGTH + SUM_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return smallest value.
     */
    public double min(final int slot)
    {
        return buffer.getDouble(slot * SLOT_LENGTH + MIN_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return largest value.
     */
    public double max(final int slot)
    {
        return buffer.getDouble(slot * SLOT_LENGTH + MAX_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return first value applied.
     */
    public double first(final int slot)
    {
        return buffer.getDouble(slot * SLOT_LENGTH + FIRST_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return last value applied.
     */
    public double last(final int slot)
    {
        return buffer.getDouble(slot * SLOT_LENGTH + LAST_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return timestamp of the last event applied, epoch ns.
     */
    public long lastTimestamp(final int slot)
    {
        return buffer.getLong(slot * SLOT_LENGTH + LAST_TIMESTAMP_OFFSET);
    }
}
