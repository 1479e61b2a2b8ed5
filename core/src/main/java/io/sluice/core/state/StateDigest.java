package io.sluice.core.state;

import org.agrona.DirectBuffer;

/**
 * A 64-bit digest of shard state (exchange-core's state hash idea): tests and {@code sluice stat} compare digests
 * to prove that a recovered or replayed shard holds exactly the state of an uninterrupted run. Not cryptographic;
 * it mixes every 64-bit word in order, so any changed bit or reordering changes it with overwhelming likelihood.
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
        long h = hash;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * The digest of a state table's content (a live one or a snapshot copy): for each index entry in order that is
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
