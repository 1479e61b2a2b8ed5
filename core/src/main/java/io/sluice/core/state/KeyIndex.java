package io.sluice.core.state;

import io.sluice.core.route.ShardRouter;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The key index at the start of a {@link KeyStateTable}'s buffer and the stack of free data slots: an
 * open-addressing hash table with linear probing, its home entry from the seeded key hash, and backward-shift
 * deletion, so a removed key leaves no tombstone and probe runs stay short for ever. Entries are laid out as
 * {@link KeyStateTable} draws them. Single writer, the table's; allocates nothing after construction.
 */
final class KeyIndex
{
    /** Set in what {@link #findOrInsert} returns when the key was added: its data slot is to be initialised. */
    static final int INSERTED = 1 << 30;

    private final UnsafeBuffer buffer;
    private final ShardRouter router;
    private final int capacity;
    private final int indexMask;
    private final int[] freeSlots;
    private int freeCount;

    /**
     * @param buffer   the table's buffer; the index takes its first {@code 2 x capacity} entries.
     * @param capacity most keys held at once, a power of two.
     * @param router   the seeded key hash.
     */
    KeyIndex(final UnsafeBuffer buffer, final int capacity, final ShardRouter router)
    {
        this.buffer = buffer;
        this.router = router;
        this.capacity = capacity;
        this.indexMask = 2 * capacity - 1;
        this.freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    /**
     * Hold no key: every index entry empty, every slot free in the order of a new table.
     */
    void clear()
    {
        buffer.setMemory(0, 2 * capacity * KeyStateTable.INDEX_ENTRY_LENGTH, (byte)0);
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    int size()
    {
        return capacity - freeCount;
    }

    int find(final long key)
    {
        final int entry = findEntry(key);
        return -1 == entry ? -1 : buffer.getInt(entry * KeyStateTable.INDEX_ENTRY_LENGTH +
            KeyStateTable.INDEX_SLOT_OFFSET);
    }

    /**
     * @param key the key.
     * @return its data slot; a slot just taken for it with {@link #INSERTED} set; -1 when it is new and no slot is
     * free.
     */
    int findOrInsert(final long key)
    {
        int entry = (int)router.hash(key) & indexMask;
        while (true)
        {
            final int offset = entry * KeyStateTable.INDEX_ENTRY_LENGTH;
            if (0 == buffer.getInt(offset + KeyStateTable.INDEX_OCCUPIED_OFFSET))
            {
                if (0 == freeCount)
                {
                    return -1;
                }
                final int slot = freeSlots[--freeCount];
                buffer.putLong(offset + KeyStateTable.INDEX_KEY_OFFSET, key);
                buffer.putInt(offset + KeyStateTable.INDEX_SLOT_OFFSET, slot);
                buffer.putInt(offset + KeyStateTable.INDEX_OCCUPIED_OFFSET, 1);
                return slot | INSERTED;
            }
            if (buffer.getLong(offset + KeyStateTable.INDEX_KEY_OFFSET) == key)
            {
                return buffer.getInt(offset + KeyStateTable.INDEX_SLOT_OFFSET);
            }
            entry = (entry + 1) & indexMask;
        }
    }

    int probeDistance(final long key)
    {
        final int entry = findEntry(key);
        return -1 == entry ? -1 : (entry - ((int)router.hash(key) & indexMask)) & indexMask;
    }

    boolean remove(final long key)
    {
        final int length = KeyStateTable.INDEX_ENTRY_LENGTH;
        int hole = findEntry(key);
        if (-1 == hole)
        {
            return false;
        }
        freeSlots[freeCount++] = buffer.getInt(hole * length + KeyStateTable.INDEX_SLOT_OFFSET);
        int entry = (hole + 1) & indexMask;
        while (0 != buffer.getInt(entry * length + KeyStateTable.INDEX_OCCUPIED_OFFSET))
        {
            final int home = (int)router.hash(buffer.getLong(entry * length + KeyStateTable.INDEX_KEY_OFFSET)) &
                indexMask;
            // move the entry into the hole unless its home lies cyclically in (hole, entry]
            if (((entry - home) & indexMask) >= ((entry - hole) & indexMask))
            {
                buffer.putBytes(hole * length, buffer, entry * length, length);
                hole = entry;
            }
            entry = (entry + 1) & indexMask;
        }
        buffer.setMemory(hole * length, length, (byte)0);
        return true;
    }

    int copyFreeTo(final int[] freeCopy)
    {
        System.arraycopy(freeSlots, 0, freeCopy, 0, freeCount);
        return freeCount;
    }

    /**
     * @param freeCopy  a free-slot stack from {@link #copyFreeTo}.
     * @param freeCount its free slots, checked by the caller to be in [0, capacity].
     */
    void restoreFree(final int[] freeCopy, final int freeCount)
    {
        System.arraycopy(freeCopy, 0, freeSlots, 0, freeCount);
        this.freeCount = freeCount;
    }

    int[] freeSlots()
    {
        return freeSlots;
    }

    int freeCount()
    {
        return freeCount;
    }

    private int findEntry(final long key)
    {
        int entry = (int)router.hash(key) & indexMask;
        while (true)
        {
            final int offset = entry * KeyStateTable.INDEX_ENTRY_LENGTH;
            if (0 == buffer.getInt(offset + KeyStateTable.INDEX_OCCUPIED_OFFSET))
            {
                return -1;
            }
            if (buffer.getLong(offset + KeyStateTable.INDEX_KEY_OFFSET) == key)
            {
                return entry;
            }
            entry = (entry + 1) & indexMask;
        }
    }
}
