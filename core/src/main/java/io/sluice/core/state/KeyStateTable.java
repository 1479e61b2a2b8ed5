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
 * <p>
 * Every slot starts with the running aggregate below. With windows ({@code panes > 0}) it goes on with the key's
 * last closed window, its next wake-up time, and a ring of panes (one slide of event time each):
 * <pre>
 *    64  closed window: start, count, sum, min, max, first, last (7 x 8 bytes), then the wake-up time (8)
 *   128  pane 0: pane index, count, sum, min, max, first time, first, last time, last (9 x 8 bytes)
 *   200  pane 1 ...                                     pane i lives at 128 + (index mod panes) * 72
 * </pre>
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
 *  |                Newest event time, epoch ns (64 bits)          | 56
 *  +---------------------------------------------------------------+
 * </pre>
 * Single writer: the processor that owns the shard. Not thread safe.
 */
public final class KeyStateTable
{
    /** Bytes of the running aggregate at the start of every slot, one cache line. */
    public static final int HEADER_LENGTH = 64;
    /** Bytes of one pane. */
    public static final int PANE_LENGTH = 72;
    /** Wake-up time meaning "none scheduled". */
    public static final long NO_WAKE_UP = Long.MAX_VALUE;

    private static final int KEY_OFFSET = 0;
    private static final int COUNT_OFFSET = 8;
    private static final int SUM_OFFSET = 16;
    private static final int MIN_OFFSET = 24;
    private static final int MAX_OFFSET = 32;
    private static final int FIRST_OFFSET = 40;
    private static final int LAST_OFFSET = 48;
    private static final int MAX_TIMESTAMP_OFFSET = 56;
    private static final int CLOSED_OFFSET = 64;
    private static final int WAKE_UP_OFFSET = 120;
    private static final int PANES_OFFSET = 128;
    private static final int PANE_INDEX = 0;
    private static final int PANE_COUNT = 8;
    private static final int PANE_SUM = 16;
    private static final int PANE_MIN = 24;
    private static final int PANE_MAX = 32;
    private static final int PANE_FIRST_TIME = 40;
    private static final int PANE_FIRST = 48;
    private static final int PANE_LAST_TIME = 56;
    private static final int PANE_LAST = 64;

    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int mask;
    private final int slotLength;
    private final int panes;
    private final ShardRouter router;
    private int size;

    /**
     * @param capacity most keys held at once, a power of two.
     * @param panes    panes per key for windows, 0 for none.
     * @param router   the daemon's seeded key hash: a key's home slot comes from its low bits.
     */
    public KeyStateTable(final int capacity, final int panes, final ShardRouter router)
    {
        this.router = router;
        if (Integer.bitCount(capacity) != 1 || capacity > (1 << 28))
        {
            throw new IllegalArgumentException("capacity must be a power of two <= 2^28: " + capacity);
        }
        this.capacity = capacity;
        this.panes = panes;
        this.slotLength = panes == 0 ? HEADER_LENGTH : PANES_OFFSET + panes * PANE_LENGTH;
        final int slots = capacity * 2;
        this.mask = slots - 1;
        final long bytes = (long)slots * slotLength;
        if (bytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("table of " + capacity + " keys x " + slotLength + " bytes exceeds 2 GiB");
        }
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int)bytes, 64));
    }

    /**
     * @return bytes per slot.
     */
    public int slotLength()
    {
        return slotLength;
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
        int slot = (int)router.hash(key) & mask;
        while (true)
        {
            final int offset = slot * slotLength;
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
        int slot = (int)router.hash(key) & mask;
        while (true)
        {
            final int offset = slot * slotLength;
            if (0 == buffer.getLong(offset + COUNT_OFFSET))
            {
                if (size == capacity)
                {
                    return -1;
                }
                size++;
                buffer.setMemory(offset, slotLength, (byte)0);
                buffer.putLong(offset + KEY_OFFSET, key);
                buffer.putLong(offset + COUNT_OFFSET, -1);
                buffer.putLong(offset + MAX_TIMESTAMP_OFFSET, Long.MIN_VALUE);
                if (panes > 0)
                {
                    buffer.putLong(offset + WAKE_UP_OFFSET, NO_WAKE_UP);
                }
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
        final int offset = slot * slotLength;
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
        if (timestamp > buffer.getLong(offset + MAX_TIMESTAMP_OFFSET))
        {
            buffer.putLong(offset + MAX_TIMESTAMP_OFFSET, timestamp);
        }
    }

    /**
     * Record an event in a windowed table without touching the running aggregate, which windows do not use: only
     * the event count (the slot stays held) and the newest event time move.
     *
     * @param slot      the key's slot.
     * @param timestamp the event time, epoch ns.
     */
    public void markSeen(final int slot, final long timestamp)
    {
        final int offset = slot * slotLength;
        buffer.putLong(offset + COUNT_OFFSET, Math.max(0, buffer.getLong(offset + COUNT_OFFSET)) + 1);
        if (timestamp > buffer.getLong(offset + MAX_TIMESTAMP_OFFSET))
        {
            buffer.putLong(offset + MAX_TIMESTAMP_OFFSET, timestamp);
        }
    }

    /**
     * How far a key sits from its home slot: the probe run a lookup of it walks, less one. For diagnostics and
     * tests; seeded hashing keeps it short for any choice of keys that does not know the seed.
     *
     * @param key the key.
     * @return slots between the key's home slot and the slot holding it, or -1 when the key is not held.
     */
    public int probeDistance(final long key)
    {
        final int slot = find(key);
        return -1 == slot ? -1 : (slot - ((int)router.hash(key) & mask)) & mask;
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
        while (0 != buffer.getLong(slot * slotLength + COUNT_OFFSET))
        {
            final int home = (int)router.hash(buffer.getLong(slot * slotLength + KEY_OFFSET)) & mask;
            // move the entry into the hole unless its home lies cyclically in (hole, slot]
            if (((slot - home) & mask) >= ((slot - hole) & mask))
            {
                buffer.putBytes(hole * slotLength, buffer, slot * slotLength, slotLength);
                hole = slot;
            }
            slot = (slot + 1) & mask;
        }
        buffer.setMemory(hole * slotLength, slotLength, (byte)0);
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
        final int offset = slot * slotLength;
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
        return buffer.getLong(slot * slotLength + KEY_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return events applied.
     */
    public long count(final int slot)
    {
        return Math.max(0, buffer.getLong(slot * slotLength + COUNT_OFFSET));
    }

    /**
     * @param slot a held slot.
     * @return sum of values.
     */
    public double sum(final int slot)
    {
        return buffer.getDouble(slot * slotLength + SUM_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return smallest value.
     */
    public double min(final int slot)
    {
        return buffer.getDouble(slot * slotLength + MIN_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return largest value.
     */
    public double max(final int slot)
    {
        return buffer.getDouble(slot * slotLength + MAX_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return first value applied.
     */
    public double first(final int slot)
    {
        return buffer.getDouble(slot * slotLength + FIRST_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return last value applied.
     */
    public double last(final int slot)
    {
        return buffer.getDouble(slot * slotLength + LAST_OFFSET);
    }

    /**
     * @param slot a held slot.
     * @return newest event time applied, epoch ns.
     */
    public long maxTimestamp(final int slot)
    {
        return buffer.getLong(slot * slotLength + MAX_TIMESTAMP_OFFSET);
    }

    /**
     * Add an event to its pane, replacing whatever older pane shared the pane's place in the ring. Windowed tables
     * only; the caller guarantees (through ticks) that the replaced pane belongs to no open window.
     *
     * @param slot      a held slot.
     * @param pane      the event's pane index.
     * @param timestamp the event's time.
     * @param value     the event's value.
     */
    public void applyPane(final int slot, final long pane, final long timestamp, final double value)
    {
        final int offset = paneOffset(slot, pane);
        final long count = buffer.getLong(offset + PANE_COUNT);
        if (0 == count || buffer.getLong(offset + PANE_INDEX) != pane)
        {
            buffer.putLong(offset + PANE_INDEX, pane);
            buffer.putLong(offset + PANE_COUNT, 1);
            buffer.putDouble(offset + PANE_SUM, value);
            buffer.putDouble(offset + PANE_MIN, value);
            buffer.putDouble(offset + PANE_MAX, value);
            buffer.putLong(offset + PANE_FIRST_TIME, timestamp);
            buffer.putDouble(offset + PANE_FIRST, value);
            buffer.putLong(offset + PANE_LAST_TIME, timestamp);
            buffer.putDouble(offset + PANE_LAST, value);
            return;
        }
        buffer.putLong(offset + PANE_COUNT, count + 1);
        buffer.putDouble(offset + PANE_SUM, buffer.getDouble(offset + PANE_SUM) + value);
        if (value < buffer.getDouble(offset + PANE_MIN))
        {
            buffer.putDouble(offset + PANE_MIN, value);
        }
        if (value > buffer.getDouble(offset + PANE_MAX))
        {
            buffer.putDouble(offset + PANE_MAX, value);
        }
        if (timestamp < buffer.getLong(offset + PANE_FIRST_TIME))
        {
            buffer.putLong(offset + PANE_FIRST_TIME, timestamp);
            buffer.putDouble(offset + PANE_FIRST, value);
        }
        if (timestamp >= buffer.getLong(offset + PANE_LAST_TIME))
        {
            buffer.putLong(offset + PANE_LAST_TIME, timestamp);
            buffer.putDouble(offset + PANE_LAST, value);
        }
    }

    /**
     * Aggregate the panes {@code [fromPane, toPane)} of a key into a holder: first and last by event time, ties
     * by arrival.
     *
     * @param slot        a held slot.
     * @param fromPane    first pane, inclusive.
     * @param toPane      last pane, exclusive.
     * @param windowStart start time to record in the holder.
     * @param aggregate   the holder to fill; count 0 when the panes hold no event.
     * @return the holder.
     */
    public Aggregate mergePanes(
        final int slot, final long fromPane, final long toPane, final long windowStart, final Aggregate aggregate)
    {
        long count = 0;
        double sum = 0;
        double min = 0;
        double max = 0;
        double first = 0;
        double last = 0;
        long firstTime = Long.MAX_VALUE;
        long lastTime = Long.MIN_VALUE;
        for (long pane = fromPane; pane < toPane; pane++)
        {
            final int offset = paneOffset(slot, pane);
            final long paneCount = buffer.getLong(offset + PANE_COUNT);
            if (0 == paneCount || buffer.getLong(offset + PANE_INDEX) != pane)
            {
                continue;
            }
            final double paneMin = buffer.getDouble(offset + PANE_MIN);
            final double paneMax = buffer.getDouble(offset + PANE_MAX);
            if (0 == count)
            {
                min = paneMin;
                max = paneMax;
            }
            else
            {
                min = Math.min(min, paneMin);
                max = Math.max(max, paneMax);
            }
            count += paneCount;
            sum += buffer.getDouble(offset + PANE_SUM);
            final long paneFirstTime = buffer.getLong(offset + PANE_FIRST_TIME);
            if (paneFirstTime < firstTime)
            {
                firstTime = paneFirstTime;
                first = buffer.getDouble(offset + PANE_FIRST);
            }
            final long paneLastTime = buffer.getLong(offset + PANE_LAST_TIME);
            if (paneLastTime >= lastTime)
            {
                lastTime = paneLastTime;
                last = buffer.getDouble(offset + PANE_LAST);
            }
        }
        return aggregate.set(windowStart, count, sum, min, max, first, last);
    }

    /**
     * @param slot      a held slot of a windowed table.
     * @param aggregate the key's newest closed window.
     */
    public void closed(final int slot, final Aggregate aggregate)
    {
        final int offset = slot * slotLength + CLOSED_OFFSET;
        buffer.putLong(offset, aggregate.windowStart());
        buffer.putLong(offset + 8, aggregate.count());
        buffer.putDouble(offset + 16, aggregate.sum());
        buffer.putDouble(offset + 24, aggregate.min());
        buffer.putDouble(offset + 32, aggregate.max());
        buffer.putDouble(offset + 40, aggregate.first());
        buffer.putDouble(offset + 48, aggregate.last());
    }

    /**
     * @param slot      a held slot of a windowed table.
     * @param aggregate the holder to fill with the key's newest closed window (count 0 when none closed yet).
     * @return the holder.
     */
    public Aggregate readClosed(final int slot, final Aggregate aggregate)
    {
        final int offset = slot * slotLength + CLOSED_OFFSET;
        return aggregate.set(
            buffer.getLong(offset),
            buffer.getLong(offset + 8),
            buffer.getDouble(offset + 16),
            buffer.getDouble(offset + 24),
            buffer.getDouble(offset + 32),
            buffer.getDouble(offset + 40),
            buffer.getDouble(offset + 48));
    }

    /**
     * @param slot a held slot of a windowed table.
     * @return when the key next needs attention (a window end or an eviction check), or {@link #NO_WAKE_UP}.
     */
    public long wakeUp(final int slot)
    {
        return buffer.getLong(slot * slotLength + WAKE_UP_OFFSET);
    }

    /**
     * @param slot a held slot of a windowed table.
     * @param time when the key next needs attention, or {@link #NO_WAKE_UP}.
     */
    public void wakeUp(final int slot, final long time)
    {
        buffer.putLong(slot * slotLength + WAKE_UP_OFFSET, time);
    }

    private int paneOffset(final int slot, final long pane)
    {
        return slot * slotLength + PANES_OFFSET + (int)Math.floorMod(pane, (long)panes) * PANE_LENGTH;
    }
}
