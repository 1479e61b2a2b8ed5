package io.sluice.core.state;

import org.agrona.DirectBuffer;

/**
 * A 64-bit digest of shard state (exchange-core's state hash idea): tests, snapshot manifests, cluster members and
 * {@code sluice snapshot} compare digests to prove that a recovered or replayed shard holds exactly the state of an
 * uninterrupted run. Not cryptographic; it mixes every 64-bit word in order, so any changed bit or reordering
 * changes it with overwhelming likelihood.
 * <p>
 * The state digest ({@link #ofKeys}) is a sum, modulo 2^64, of one digest per held key: of its whole data slot
 * (which holds the key). A slot's bytes depend only on the key's own events and the ticks every shard sees, so the
 * digest is the same whatever the processor count, the capacity, the slots' places or the order keys came in:
 * shards' digests add up ({@link #combine}) to the digest of the whole state, which a rescale keeps.
 */
public final class StateDigest
{
    private static final long SEED = 0x2545F4914F6CDD1DL;
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;

    private long hash = SEED;

    /**
     * @param value the next word.
     * @return this.
     */
    public StateDigest add(final long value)
    {
        hash = Long.rotateLeft(hash ^ (value * P2), 31) * P1 + 0x165667B19E3779F9L;
        return this;
    }

    /**
     * @return the digest of the words added so far, finalised.
     */
    public long value()
    {
        return finalise(hash);
    }

    /**
     * The state digest of a table's keys (a live table or a snapshot copy): the sum of each held key's slot digest
     * ({@link #ofSlot}), 0 for no key.
     *
     * @param table      the table's bytes (index then data slots, as {@link KeyStateTable} lays them out).
     * @param capacity   the table's capacity.
     * @param slotLength bytes per data slot, a multiple of 8.
     * @return the digest.
     */
    public static long ofKeys(final DirectBuffer table, final int capacity, final int slotLength)
    {
        final int indexEntries = 2 * capacity;
        final int dataOffset = indexEntries * KeyStateTable.INDEX_ENTRY_LENGTH;
        long sum = 0;
        for (int entry = 0; entry < indexEntries; entry++)
        {
            final int offset = entry * KeyStateTable.INDEX_ENTRY_LENGTH;
            if (0 != table.getInt(offset + KeyStateTable.INDEX_OCCUPIED_OFFSET))
            {
                sum += ofSlot(table, dataOffset + table.getInt(offset + KeyStateTable.INDEX_SLOT_OFFSET) * slotLength,
                    slotLength);
            }
        }
        return sum;
    }

    /**
     * @param buffer     holds a data slot.
     * @param offset     where it starts.
     * @param slotLength its bytes, a multiple of 8.
     * @return the digest of one key's slot: every word in order, finalised.
     */
    public static long ofSlot(final DirectBuffer buffer, final int offset, final int slotLength)
    {
        long hash = SEED;
        for (int i = 0; i < slotLength; i += 8)
        {
            hash = Long.rotateLeft(hash ^ (buffer.getLong(offset + i) * P2), 31) * P1 + 0x165667B19E3779F9L;
        }
        return finalise(hash);
    }

    private static long finalise(final long hash)
    {
        long h = hash;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * @param digests state digests of disjoint sets of keys (shards).
     * @return the state digest of their union: their sum, so independent of their order and of how the keys were
     * split.
     */
    public static long combine(final long... digests)
    {
        long sum = 0;
        for (final long digest : digests)
        {
            sum += digest;
        }
        return sum;
    }

    /**
     * The digest snapshots taken before key groups carry in their manifests (kept to check such a snapshot as it
     * reads back): for each index entry in order that is
     * held, its key, its slot and the slot's bytes; then the free-slot stack.
     *
     * @param table      the table's bytes (index then data slots, as {@link KeyStateTable} lays them out).
     * @param capacity   the table's capacity.
     * @param slotLength bytes per data slot, a multiple of 8.
     * @param freeSlots  the free-slot stack.
     * @param freeCount  entries of the stack in use.
     * @return the digest.
     */
    public static long ofTable(
        final DirectBuffer table, final int capacity, final int slotLength, final int[] freeSlots, final int freeCount)
    {
        final StateDigest digest = new StateDigest();
        final int indexEntries = 2 * capacity;
        final int dataOffset = indexEntries * KeyStateTable.INDEX_ENTRY_LENGTH;
        for (int entry = 0; entry < indexEntries; entry++)
        {
            final int offset = entry * KeyStateTable.INDEX_ENTRY_LENGTH;
            if (0 == table.getInt(offset + KeyStateTable.INDEX_OCCUPIED_OFFSET))
            {
                continue;
            }
            final int slot = table.getInt(offset + KeyStateTable.INDEX_SLOT_OFFSET);
            digest.add(entry).add(table.getLong(offset + KeyStateTable.INDEX_KEY_OFFSET)).add(slot);
            final int data = dataOffset + slot * slotLength;
            for (int i = 0; i < slotLength; i += 8)
            {
                digest.add(table.getLong(data + i));
            }
        }
        digest.add(freeCount);
        for (int i = 0; i < freeCount; i++)
        {
            digest.add(freeSlots[i]);
        }
        return digest.value();
    }
}
