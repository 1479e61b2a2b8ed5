package io.sluice.core.state;

import io.sluice.core.route.ShardRouter;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Per-key state of one shard in one off-heap buffer: a key index ({@link KeyIndex}: an open-addressing hash table
 * with linear probing and backward-shift deletion, so a removed key leaves no tombstone and probe runs stay short
 * for ever) that maps each key to a fixed data slot, and {@link #capacity()} data slots. Probing walks only the
 * compact index; a key's data slot never moves while the key is held, so callers address state by slot number, in
 * {@code [0, capacity())}. Every key value, 0 and negatives included, is a valid key.
 * <pre>
 *   index:  2 x capacity entries of 16 bytes (load factor at most 0.5), home entry from the seeded key hash
 *   data:   capacity slots of {@link #slotLength()} bytes
 * </pre>
 * Index entry:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          Key (64 bits)                        |  0
 *  +-------------------------------+-------------------------------+
 *  |           Data slot           |   Occupied: 1 held, 0 empty   |  8
 *  +-------------------------------+-------------------------------+
 * </pre>
 * Data slot, starting with the running aggregate (one cache line):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |               Count (64 bits), events applied                 |  0
 *  +---------------------------------------------------------------+
 *  |                          Sum (double)                         |  8
 *  +---------------------------------------------------------------+
 *  |                          Min (double)                         | 16
 *  +---------------------------------------------------------------+
 *  |                          Max (double)                         | 24
 *  +---------------------------------------------------------------+
 *  |                  First value by arrival (double)              | 32
 *  +---------------------------------------------------------------+
 *  |                   Last value by arrival (double)              | 40
 *  +---------------------------------------------------------------+
 *  |                Newest event time, epoch ns (64 bits)          | 48
 *  +---------------------------------------------------------------+
 *  |                          Key (64 bits)                        | 56
 *  +---------------------------------------------------------------+
 * </pre>
 * With windows ({@code panesPerKey > 0}) a slot goes on with the key's last closed window, its next wake-up time,
 * and a ring of panes (one slide of event time each) whose length is {@code panesPerKey} rounded up to a power of
 * two, so a pane's place is its index masked, never divided:
 * <pre>
 *    64  closed window: start, count, sum, min, max, first, last (7 x 8 bytes), then the wake-up time (8)
 *   128  pane ring: pane index, count, sum, min, max, first time, first, last time, last (9 x 8 bytes) each;
 *        pane p lives at 128 + (p &amp; (paneRing - 1)) * 72
 * </pre>
 * <p>
 * Arithmetic, one rule for the running aggregate ({@link #apply}), a pane ({@link #applyPane}) and a window merged
 * from panes ({@link #mergePanes}), so no result depends on which of them computed it:
 * <ul>
 *     <li>count is exact;</li>
 *     <li>min and max are {@link Math#min(double, double)} and {@link Math#max(double, double)}: {@code -0.0} is
 *     below {@code 0.0}, so the min of 0.0 and -0.0 is -0.0 and their max 0.0, in whatever order they came;</li>
 *     <li>sum is the IEEE 754 double sum, in arrival order within the running aggregate and within a pane, then pane
 *     by pane in event-time order for a window. Values are finite, so a sum that exceeds the double range becomes
 *     {@code +Infinity} or {@code -Infinity} and stays there as further finite values are added; a window whose
 *     panes overflowed both ways (one pane sum {@code +Infinity}, another {@code -Infinity}) reports a sum of
 *     {@code NaN}, and so does its mean. Like any floating-point rounding, whether a sum overflows can depend on the
 *     order of the values; a sum whose partial sums stay within the double range never becomes infinite or NaN,
 *     and the same input always gives the same sum.</li>
 * </ul>
 * Single writer: the processor that owns the shard. Not thread safe.
 */
public final class KeyStateTable
{
    /** Bytes of the running aggregate at the start of every data slot, one cache line. */
    public static final int HEADER_LENGTH = 64;
    /** Bytes of one pane. */
    public static final int PANE_LENGTH = 72;
    /** Bytes of one key index entry. */
    public static final int INDEX_ENTRY_LENGTH = 16;
    /** Wake-up time meaning "none scheduled". */
    public static final long NO_WAKE_UP = Long.MAX_VALUE;
    /** Most keys one table holds. */
    public static final int MAX_CAPACITY = 1 << 28;

    static final int INDEX_KEY_OFFSET = 0;
    static final int INDEX_SLOT_OFFSET = 8;
    static final int INDEX_OCCUPIED_OFFSET = 12;
    private static final int COUNT_OFFSET = 0;
    private static final int SUM_OFFSET = 8;
    private static final int MIN_OFFSET = 16;
    private static final int MAX_OFFSET = 24;
    private static final int FIRST_OFFSET = 32;
    private static final int LAST_OFFSET = 40;
    private static final int MAX_TIMESTAMP_OFFSET = 48;
    private static final int KEY_OFFSET = 56;
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
    private final KeyIndex index;
    private final int capacity;
    private final int dataOffset;
    private final int slotLength;
    private final int paneRing;
    private final int paneMask;

    /**
     * @param capacity    most keys held at once, a power of two, at most {@link #MAX_CAPACITY}.
     * @param panesPerKey panes each key keeps for windows, 0 for none (running aggregates only).
     * @param router      the daemon's seeded key hash: a key's home index entry comes from its low bits.
     * @throws IllegalArgumentException when the capacity is not a power of two in range, or the table needs more
     *                                  than {@link Integer#MAX_VALUE} bytes (see {@link #bytesFor(int, int)}).
     */
    public KeyStateTable(final int capacity, final int panesPerKey, final ShardRouter router)
    {
        final long bytes = bytesFor(capacity, panesPerKey);
        if (bytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("a state table of " + capacity + " keys with " + panesPerKey +
                " panes each needs " + bytes + " bytes, more than one buffer holds (" + Integer.MAX_VALUE + ")");
        }
        this.capacity = capacity;
        this.dataOffset = 2 * capacity * INDEX_ENTRY_LENGTH;
        this.paneRing = (int)paneRing(panesPerKey);
        this.paneMask = paneRing - 1;
        this.slotLength = (int)slotLength(panesPerKey);
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int)bytes, 64));
        this.index = new KeyIndex(buffer, capacity, router);
    }

    /**
     * The off-heap bytes a table needs, computed as the constructor allocates, in {@code long} arithmetic so a
     * caller can check sizes before allocating anything.
     *
     * @param capacity    most keys, a power of two, at most {@link #MAX_CAPACITY}.
     * @param panesPerKey panes per key, 0 for none.
     * @return bytes of the index plus the data slots ({@link Long#MAX_VALUE} when that does not fit a long).
     * @throws IllegalArgumentException when the capacity is not a power of two in range or the panes negative.
     */
    public static long bytesFor(final int capacity, final int panesPerKey)
    {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("capacity must be a power of two <= 2^28: " + capacity);
        }
        if (panesPerKey < 0)
        {
            throw new IllegalArgumentException("panesPerKey must be >= 0: " + panesPerKey);
        }
        final long slotLength = slotLength(panesPerKey);
        if (slotLength > Long.MAX_VALUE / capacity - 2L * INDEX_ENTRY_LENGTH)
        {
            return Long.MAX_VALUE;
        }
        return capacity * (2L * INDEX_ENTRY_LENGTH + slotLength);
    }

    private static long paneRing(final int panesPerKey)
    {
        return panesPerKey <= 1 ? panesPerKey : 1L << (64 - Long.numberOfLeadingZeros(panesPerKey - 1L));
    }

    private static long slotLength(final int panesPerKey)
    {
        return 0 == panesPerKey ? HEADER_LENGTH : PANES_OFFSET + paneRing(panesPerKey) * PANE_LENGTH;
    }

    /**
     * @return bytes per data slot.
     */
    public int slotLength()
    {
        return slotLength;
    }

    /**
     * @return panes in each key's pane ring: the panes per key rounded up to a power of two (0 without windows).
     */
    public int paneRing()
    {
        return paneRing;
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
        return index.size();
    }

    /**
     * @param key the key.
     * @return the data slot holding the key, or -1.
     */
    public int find(final long key)
    {
        return index.find(key);
    }

    /**
     * Find the key's slot, adding the key with an empty aggregate (count 0) if absent and there is room.
     *
     * @param key the key.
     * @return the data slot, or -1 when the key is new and the table holds {@link #capacity()} keys.
     */
    public int findOrInsert(final long key)
    {
        final int found = index.findOrInsert(key);
        if (found < 0 || 0 == (found & KeyIndex.INSERTED))
        {
            return found;
        }
        final int slot = found & ~KeyIndex.INSERTED;
        final int data = dataOffset(slot);
        buffer.setMemory(data, slotLength, (byte)0);
        buffer.putLong(data + KEY_OFFSET, key);
        buffer.putLong(data + MAX_TIMESTAMP_OFFSET, Long.MIN_VALUE);
        if (paneRing > 0)
        {
            buffer.putLong(data + WAKE_UP_OFFSET, NO_WAKE_UP);
        }
        return slot;
    }

    /**
     * Apply one value to the running aggregate in a slot from {@link #findOrInsert(long)}.
     *
     * @param slot      the key's slot.
     * @param value     a finite value.
     * @param timestamp the event time, epoch ns.
     */
    public void apply(final int slot, final double value, final long timestamp)
    {
        final int offset = dataOffset(slot);
        final long count = buffer.getLong(offset + COUNT_OFFSET);
        if (0 == count)
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
            buffer.putDouble(offset + MIN_OFFSET, Math.min(buffer.getDouble(offset + MIN_OFFSET), value));
            buffer.putDouble(offset + MAX_OFFSET, Math.max(buffer.getDouble(offset + MAX_OFFSET), value));
        }
        buffer.putDouble(offset + LAST_OFFSET, value);
        if (timestamp > buffer.getLong(offset + MAX_TIMESTAMP_OFFSET))
        {
            buffer.putLong(offset + MAX_TIMESTAMP_OFFSET, timestamp);
        }
    }

    /**
     * Record an event in a windowed table without touching the running aggregate, which windows do not use: only
     * the event count and the newest event time move.
     *
     * @param slot      the key's slot.
     * @param timestamp the event time, epoch ns.
     */
    public void markSeen(final int slot, final long timestamp)
    {
        final int offset = dataOffset(slot);
        buffer.putLong(offset + COUNT_OFFSET, buffer.getLong(offset + COUNT_OFFSET) + 1);
        if (timestamp > buffer.getLong(offset + MAX_TIMESTAMP_OFFSET))
        {
            buffer.putLong(offset + MAX_TIMESTAMP_OFFSET, timestamp);
        }
    }

    /**
     * Set the event count and newest event time of a held slot (running figures carried over a window change).
     *
     * @param slot         a held slot.
     * @param count        events applied.
     * @param maxTimestamp newest event time, epoch ns.
     */
    public void runningFigures(final int slot, final long count, final long maxTimestamp)
    {
        final int offset = dataOffset(slot);
        buffer.putLong(offset + COUNT_OFFSET, count);
        buffer.putLong(offset + MAX_TIMESTAMP_OFFSET, maxTimestamp);
    }

    /**
     * How far a key sits from its home index entry: the probe run a lookup of it walks, less one. For diagnostics
     * and tests; seeded hashing keeps it short for any choice of keys that does not know the seed.
     *
     * @param key the key.
     * @return index entries between the key's home entry and the entry holding it, or -1 when the key is not held.
     */
    public int probeDistance(final long key)
    {
        return index.probeDistance(key);
    }

    /**
     * Remove a key, freeing its data slot and shifting back the index entries of its probe run so no tombstone is
     * left.
     *
     * @param key the key.
     * @return true if the key was held.
     */
    public boolean remove(final long key)
    {
        return index.remove(key);
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
        final int offset = dataOffset(slot);
        return aggregate.set(
            0,
            buffer.getLong(offset + COUNT_OFFSET),
            buffer.getDouble(offset + SUM_OFFSET),
            buffer.getDouble(offset + MIN_OFFSET),
            buffer.getDouble(offset + MAX_OFFSET),
            buffer.getDouble(offset + FIRST_OFFSET),
            buffer.getDouble(offset + LAST_OFFSET));
    }

    /** @return its key, of the held {@code slot}. */
    public long key(final int slot)
    {
        return buffer.getLong(dataOffset(slot) + KEY_OFFSET);
    }

    /** @return events applied, of the held {@code slot}. */
    public long count(final int slot)
    {
        return buffer.getLong(dataOffset(slot) + COUNT_OFFSET);
    }

    /** @return sum of values, of the held {@code slot}. */
    public double sum(final int slot)
    {
        return buffer.getDouble(dataOffset(slot) + SUM_OFFSET);
    }

    /** @return smallest value, of the held {@code slot}. */
    public double min(final int slot)
    {
        return buffer.getDouble(dataOffset(slot) + MIN_OFFSET);
    }

    /** @return largest value, of the held {@code slot}. */
    public double max(final int slot)
    {
        return buffer.getDouble(dataOffset(slot) + MAX_OFFSET);
    }

    /** @return first value applied, of the held {@code slot}. */
    public double first(final int slot)
    {
        return buffer.getDouble(dataOffset(slot) + FIRST_OFFSET);
    }

    /** @return last value applied, of the held {@code slot}. */
    public double last(final int slot)
    {
        return buffer.getDouble(dataOffset(slot) + LAST_OFFSET);
    }

    /** @return newest event time applied, epoch ns, of the held {@code slot}. */
    public long maxTimestamp(final int slot)
    {
        return buffer.getLong(dataOffset(slot) + MAX_TIMESTAMP_OFFSET);
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
        buffer.putDouble(offset + PANE_MIN, Math.min(buffer.getDouble(offset + PANE_MIN), value));
        buffer.putDouble(offset + PANE_MAX, Math.max(buffer.getDouble(offset + PANE_MAX), value));
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
        final int offset = dataOffset(slot) + CLOSED_OFFSET;
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
        final int offset = dataOffset(slot) + CLOSED_OFFSET;
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
        return buffer.getLong(dataOffset(slot) + WAKE_UP_OFFSET);
    }

    /**
     * @param slot a held slot of a windowed table.
     * @param time when the key next needs attention, or {@link #NO_WAKE_UP}.
     */
    public void wakeUp(final int slot, final long time)
    {
        buffer.putLong(dataOffset(slot) + WAKE_UP_OFFSET, time);
    }

    /**
     * @return bytes of the table's buffer: its index and data slots.
     */
    public int bytes()
    {
        return buffer.capacity();
    }

    /**
     * Copy the whole table (index and data slots, one memory copy) and its free-slot stack, for a snapshot.
     *
     * @param tableCopy receives {@link #bytes()} bytes.
     * @param freeCopy  receives the free-slot stack, at least {@link #capacity()} long.
     * @return the number of free slots copied.
     */
    public int copyTo(final UnsafeBuffer tableCopy, final int[] freeCopy)
    {
        tableCopy.putBytes(0, buffer, 0, buffer.capacity());
        return index.copyFreeTo(freeCopy);
    }

    /**
     * Replace the whole table with a copy made by {@link #copyTo} of a table of the same shape.
     *
     * @param tableCopy the table's bytes.
     * @param freeCopy  its free-slot stack.
     * @param freeCount free slots in the stack.
     * @throws IllegalArgumentException when the copy's free count is out of range.
     */
    public void restoreFrom(final org.agrona.DirectBuffer tableCopy, final int[] freeCopy, final int freeCount)
    {
        if (freeCount < 0 || freeCount > capacity)
        {
            throw new IllegalArgumentException("free slots " + freeCount + " outside [0, " + capacity + "]");
        }
        buffer.putBytes(0, tableCopy, 0, buffer.capacity());
        index.restoreFree(freeCopy, freeCount);
    }

    /**
     * Add a key with the whole data slot another table of the same slot length held for it (a rescale moves keys
     * between tables this way); the key is the slot's own.
     *
     * @param from   holds the slot's bytes.
     * @param offset where they start.
     * @return the key's slot here, or -1 when the table is full.
     * @throws IllegalStateException when the key is held already.
     */
    public int insertCopy(final org.agrona.DirectBuffer from, final int offset)
    {
        final long key = from.getLong(offset + KEY_OFFSET);
        final int found = index.findOrInsert(key);
        if (found >= 0 && 0 == (found & KeyIndex.INSERTED))
        {
            throw new IllegalStateException("key " + key + " is held already");
        }
        if (found < 0)
        {
            return -1;
        }
        final int slot = found & ~KeyIndex.INSERTED;
        buffer.putBytes(dataOffset(slot), from, offset, slotLength);
        return slot;
    }

    /**
     * Remove every key: the table is as new.
     */
    public void clear()
    {
        index.clear();
    }

    /**
     * The digest of the keys held ({@link StateDigest#ofKeys}): each key's data slot, combined so that neither
     * the slots' places, the capacity, the order of insertion nor which table holds a key changes it. Control
     * path: walks the whole table.
     *
     * @return the digest.
     */
    public long digest()
    {
        return StateDigest.ofKeys(buffer, capacity, slotLength);
    }

    private int dataOffset(final int slot)
    {
        return dataOffset + slot * slotLength;
    }

    private int paneOffset(final int slot, final long pane)
    {
        return dataOffset + slot * slotLength + PANES_OFFSET + ((int)pane & paneMask) * PANE_LENGTH;
    }
}
