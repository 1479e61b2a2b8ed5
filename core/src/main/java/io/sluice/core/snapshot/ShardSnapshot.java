package io.sluice.core.snapshot;

import io.sluice.core.logic.ShardLogic;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.state.KeyStateTable;
import io.sluice.core.state.StateDigest;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * One shard's part of a snapshot: a byte copy of its off-heap state table, the table's free-slot stack, and for
 * windows the watermark, how far windows have closed and the close schedule. The processor fills it at a snapshot
 * marker ({@link ShardLogic#snapshotTo(ShardSnapshot)}: the copy is its whole pause), a background writer then owns
 * it until the part is written; recovery reads a part back into one and restores the logic from it. Reused from
 * snapshot to snapshot: the table copy is allocated once, at the table's size.
 * <p>
 * Key groups: the writer indexes the copy by key group ({@link #indexGroups(ShardRouter)}, off the processor's
 * thread) so that one group's keys are found without walking the table: {@link #groupSize(int)} keys, the i-th
 * one's data slot at {@link #groupSlotOffset(int, int)} of {@link #table()}.
 */
public final class ShardSnapshot
{
    /** The logic kind of running aggregates. */
    public static final int KIND_RUNNING = 1;
    /** The logic kind of event-time windows. */
    public static final int KIND_WINDOWS = 2;

    private static final int[] NO_SIZES = new int[0];
    private static final long[][] NO_BUCKETS = new long[0][];

    private int shard;
    private long snapshotId;
    private int kind;
    private int capacity;
    private int slotLength;
    private UnsafeBuffer table;
    private int tableLength;
    private int[] freeSlots = new int[0];
    private int freeCount;
    private long watermark = Long.MIN_VALUE;
    private long closedUpTo = Long.MIN_VALUE;
    private int[] bucketSizes = NO_SIZES;
    private long[][] buckets = NO_BUCKETS;
    private int keyGroupCount;
    private int[] groupStarts = NO_SIZES;
    private int[] groupSlots = NO_SIZES;

    /**
     * Start filling: which shard and snapshot, and the table's shape.
     *
     * @param shard       the shard.
     * @param snapshotId  the snapshot.
     * @param kind        {@link #KIND_RUNNING} or {@link #KIND_WINDOWS}.
     * @param capacity    the table's capacity.
     * @param slotLength  bytes per data slot.
     * @param tableLength bytes of the table.
     * @return the buffer to copy the table into, at least {@code tableLength} bytes.
     */
    public UnsafeBuffer begin(
        final int shard,
        final long snapshotId,
        final int kind,
        final int capacity,
        final int slotLength,
        final int tableLength)
    {
        this.shard = shard;
        this.snapshotId = snapshotId;
        this.kind = kind;
        this.capacity = capacity;
        this.slotLength = slotLength;
        this.tableLength = tableLength;
        reserve(capacity, tableLength);
        watermark = Long.MIN_VALUE;
        closedUpTo = Long.MIN_VALUE;
        bucketSizes = NO_SIZES;
        buckets = NO_BUCKETS;
        keyGroupCount = 0;
        return table;
    }

    /**
     * Index the table copy by key group: for each group the slots of its keys, in index order. Writer thread or
     * start-up (allocates when the index grows); walks the table's index once.
     *
     * @param router the key hash and key-group count the table's keys are placed by.
     */
    public void indexGroups(final ShardRouter router)
    {
        final int groups = router.keyGroupCount();
        if (groupStarts.length < groups + 1)
        {
            groupStarts = new int[groups + 1];
        }
        java.util.Arrays.fill(groupStarts, 0, groups + 1, 0);
        final int entries = 2 * capacity;
        int held = 0;
        for (int entry = 0; entry < entries; entry++)
        {
            if (isHeld(entry))
            {
                groupStarts[router.keyGroup(router.hash(keyAt(entry))) + 1]++;
                held++;
            }
        }
        for (int g = 0; g < groups; g++)
        {
            groupStarts[g + 1] += groupStarts[g];
        }
        if (groupSlots.length < held)
        {
            groupSlots = new int[held];
        }
        final int[] next = java.util.Arrays.copyOf(groupStarts, groups);
        for (int entry = 0; entry < entries; entry++)
        {
            if (isHeld(entry))
            {
                final int group = router.keyGroup(router.hash(keyAt(entry)));
                groupSlots[next[group]++] = table.getInt(entry * KeyStateTable.INDEX_ENTRY_LENGTH + 8);
            }
        }
        keyGroupCount = groups;
    }

    /**
     * Take a key-group index read back with the part ({@link SnapshotParts}).
     *
     * @param groups the key-group count.
     * @param starts group g's keys are {@code slots[starts[g] .. starts[g + 1])}, {@code groups + 1} long.
     * @param slots  their data slots.
     */
    void groupIndex(final int groups, final int[] starts, final int[] slots)
    {
        keyGroupCount = groups;
        groupStarts = starts;
        groupSlots = slots;
    }

    private boolean isHeld(final int entry)
    {
        return 0 != table.getInt(entry * KeyStateTable.INDEX_ENTRY_LENGTH + 12);
    }

    private long keyAt(final int entry)
    {
        return table.getLong(entry * KeyStateTable.INDEX_ENTRY_LENGTH);
    }

    /**
     * @return the key groups of the index, 0 while the part has none ({@link #indexGroups(ShardRouter)}).
     */
    public int keyGroupCount()
    {
        return keyGroupCount;
    }

    /**
     * @return keys held in the table copy, as the key-group index counts them.
     */
    public int indexedKeys()
    {
        return 0 == keyGroupCount ? 0 : groupStarts[keyGroupCount];
    }

    int[] groupStarts()
    {
        return groupStarts;
    }

    int[] groupSlots()
    {
        return groupSlots;
    }

    /**
     * @param group a key group, below {@link #keyGroupCount()}.
     * @return keys of the group held in this part.
     */
    public int groupSize(final int group)
    {
        return groupStarts[group + 1] - groupStarts[group];
    }

    /**
     * @param group a key group, below {@link #keyGroupCount()}.
     * @param i     which of its keys, below {@link #groupSize(int)}.
     * @return where that key's data slot ({@link #slotLength()} bytes, the key at byte 56) starts in {@link #table()}.
     */
    public int groupSlotOffset(final int group, final int i)
    {
        return 2 * capacity * KeyStateTable.INDEX_ENTRY_LENGTH + groupSlots[groupStarts[group] + i] * slotLength;
    }

    /**
     * Allocate the table copy and the free-slot stack for a table of this shape now (start-up), so that neither a
     * snapshot's copy nor a load allocates.
     *
     * @param capacity    the table's capacity.
     * @param tableLength bytes of the table.
     */
    public void reserve(final int capacity, final int tableLength)
    {
        if (null == table || table.capacity() < tableLength)
        {
            table = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(tableLength, 64), 64));
        }
        if (freeSlots.length < capacity)
        {
            freeSlots = new int[capacity];
        }
    }

    /**
     * @return the free-slot stack to copy into, at least {@link #capacity()} long.
     */
    public int[] freeSlots()
    {
        return freeSlots;
    }

    /**
     * @param freeCount entries of {@link #freeSlots()} in use.
     */
    public void freeCount(final int freeCount)
    {
        this.freeCount = freeCount;
    }

    /**
     * @param watermark  the windows' watermark.
     * @param closedUpTo end of the last window end closed.
     */
    public void windows(final long watermark, final long closedUpTo)
    {
        this.watermark = watermark;
        this.closedUpTo = closedUpTo;
    }

    /**
     * Copy the close schedule's buckets (control path: allocates).
     *
     * @param sizes   longs used in each bucket.
     * @param entries each bucket's (key, time) pairs.
     */
    public void schedule(final int[] sizes, final long[][] entries)
    {
        bucketSizes = sizes.clone();
        buckets = new long[entries.length][];
        for (int i = 0; i < entries.length; i++)
        {
            buckets[i] = Arrays.copyOf(entries[i], Math.max(sizes[i], 0));
        }
    }

    /**
     * @return the shard.
     */
    public int shard()
    {
        return shard;
    }

    /**
     * @return the snapshot's id.
     */
    public long snapshotId()
    {
        return snapshotId;
    }

    /**
     * @return {@link #KIND_RUNNING} or {@link #KIND_WINDOWS}.
     */
    public int kind()
    {
        return kind;
    }

    /**
     * @return the table's capacity in keys.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return bytes per data slot.
     */
    public int slotLength()
    {
        return slotLength;
    }

    /**
     * @return the table copy; {@link #tableLength()} bytes of it are valid.
     */
    public UnsafeBuffer table()
    {
        return table;
    }

    /**
     * @return bytes of the table copy.
     */
    public int tableLength()
    {
        return tableLength;
    }

    /**
     * @return entries of {@link #freeSlots()} in use.
     */
    public int freeCount()
    {
        return freeCount;
    }

    /**
     * @return the windows' watermark ({@link Long#MIN_VALUE} without windows).
     */
    public long watermark()
    {
        return watermark;
    }

    /**
     * @return the last window end closed ({@link Long#MIN_VALUE} without windows).
     */
    public long closedUpTo()
    {
        return closedUpTo;
    }

    /**
     * @return longs used in each close-schedule bucket (empty without windows).
     */
    public int[] bucketSizes()
    {
        return bucketSizes;
    }

    /**
     * @return each close-schedule bucket's (key, time) pairs.
     */
    public long[][] buckets()
    {
        return buckets;
    }

    /**
     * @param expectedKind       the logic kind of the shard to restore key by key.
     * @param expectedSlotLength its table's slot length.
     * @throws IllegalArgumentException when this part was taken from logic of another kind or slot length.
     */
    public void checkKind(final int expectedKind, final int expectedSlotLength)
    {
        if (kind != expectedKind || slotLength != expectedSlotLength)
        {
            throw new IllegalArgumentException("snapshot part of shard " + shard + " is kind " + kind +
                ", slot length " + slotLength + "; this shard is kind " + expectedKind + ", slot length " +
                expectedSlotLength);
        }
    }

    /**
     * @param expectedKind        the logic kind of the shard to restore.
     * @param expectedCapacity    its table's capacity.
     * @param expectedSlotLength  its table's slot length.
     * @param expectedTableLength its table's bytes.
     * @throws IllegalArgumentException when this part was taken from logic of another kind or table shape.
     */
    public void checkFits(
        final int expectedKind, final int expectedCapacity, final int expectedSlotLength, final int expectedTableLength)
    {
        if (kind != expectedKind || capacity != expectedCapacity || slotLength != expectedSlotLength ||
            tableLength != expectedTableLength)
        {
            throw new IllegalArgumentException("snapshot part of shard " + shard + " is kind " + kind + ", capacity " +
                capacity + ", slot length " + slotLength + "; this shard is kind " + expectedKind + ", capacity " +
                expectedCapacity + ", slot length " + expectedSlotLength);
        }
    }

    /**
     * The state digest of this part's keys ({@link StateDigest#ofKeys}): the same for the same keys in whatever
     * shard, table capacity or slot they sit, so a rescaled state has its snapshot's digest. Equal to the digest of
     * the live shard it was copied from ({@code ShardProcessor.digest()}).
     *
     * @return the digest.
     */
    public long digest()
    {
        return StateDigest.ofKeys(table, capacity, slotLength);
    }

    /**
     * The digest of a part as snapshots taken before key groups computed it (their manifests carry it): the
     * table's ({@link StateDigest#ofTable}), then for windows the watermark, the close progress and the close
     * schedule in bucket order.
     *
     * @return the digest.
     */
    public long legacyDigest()
    {
        final StateDigest digest = new StateDigest()
            .add(StateDigest.ofTable(table, capacity, slotLength, freeSlots, freeCount))
            .add(kind)
            .add(watermark)
            .add(closedUpTo);
        for (int bucket = 0; bucket < bucketSizes.length; bucket++)
        {
            digest.add(bucketSizes[bucket]);
            for (int i = 0; i < bucketSizes[bucket]; i++)
            {
                digest.add(buckets[bucket][i]);
            }
        }
        return digest.value();
    }
}
