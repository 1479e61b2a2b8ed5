package io.sluice.core.shard;

import io.sluice.core.logic.ShardLogic;
import io.sluice.core.ring.OwnershipEntry;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.snapshot.ShardSnapshot;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * One processor's side of a key-group move: carries out OWNERSHIP entries on its shard's logic.
 * <ul>
 *     <li>RELEASE: the keys of the range the shard holds, each with its whole data slot, go to
 *     {@code <slice root>/move-<id>/part-<shard>.slice} ({@link SliceStore#writePart}), then leave the table
 *     ({@link ShardLogic#releaseKey}). The same table gives the same file, so a recovery replaying the release
 *     writes it again unchanged. When the part cannot be written nothing is dropped.</li>
 *     <li>ACQUIRE: every part the move's manifest names is read and checked (CRC, key-group count, hash seed,
 *     state kind and slot length) before anything is inserted; then the keys of the range whose group this shard
 *     owns ({@link ShardRouter#owner}) go into the table with their slots, their wake-ups into the close schedule
 *     ({@link ShardLogic#regroupKey}).</li>
 * </ul>
 * Then the {@link OwnershipListener} is told, with the failure if there was one (without a slice root every entry
 * fails); without a listener a failure is thrown, for the processor group to report. Processor thread only;
 * allocates (a move is the control path): a release copies the table once to find the range's keys.
 */
final class SliceMover
{
    private final int shard;
    private final int shardCount;
    private final ShardRouter router;
    private final Path sliceRoot;
    private final OwnershipListener listener;

    SliceMover(
        final int shard,
        final int shardCount,
        final ShardRouter router,
        final Path sliceRoot,
        final OwnershipListener listener)
    {
        this.shard = shard;
        this.shardCount = shardCount;
        this.router = router;
        this.sliceRoot = sliceRoot;
        this.listener = listener;
    }

    void onOwnership(final ShardLogic logic, final RingEntry entry)
    {
        final long moveId = OwnershipEntry.moveId(entry);
        final boolean release = RingEntry.OWNERSHIP_RELEASE == OwnershipEntry.action(entry);
        long keys = 0;
        long bytes = 0;
        RuntimeException failure = null;
        try
        {
            if (null == sliceRoot)
            {
                throw new IllegalStateException("move " + moveId + ": processor " + shard +
                    " has no slice directory");
            }
            if (release)
            {
                final long[] keysAndBytes = release(logic, entry);
                keys = keysAndBytes[0];
                bytes = keysAndBytes[1];
            }
            else
            {
                keys = acquire(logic, entry);
            }
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
        if (null == listener)
        {
            if (null != failure)
            {
                throw failure;
            }
        }
        else if (release)
        {
            listener.onReleased(shard, moveId, null == failure ? keys : 0, null == failure ? bytes : 0, failure);
        }
        else
        {
            listener.onAcquired(shard, moveId, keys, failure);
        }
    }

    private long[] release(final ShardLogic logic, final RingEntry entry)
    {
        final long moveId = OwnershipEntry.moveId(entry);
        final int first = OwnershipEntry.firstGroup(entry);
        final int last = OwnershipEntry.lastGroup(entry);
        final ShardSnapshot copy = new ShardSnapshot();
        logic.snapshotTo(shard, moveId, copy);
        copy.indexGroups(router);
        final int slotLength = copy.slotLength();
        int count = 0;
        for (int group = first; group <= last; group++)
        {
            count += copy.groupSize(group);
        }
        final UnsafeBuffer slots = new UnsafeBuffer(new byte[count * slotLength]);
        int i = 0;
        for (int group = first; group <= last; group++)
        {
            for (int k = 0; k < copy.groupSize(group); k++)
            {
                slots.putBytes(i++ * slotLength, copy.table(), copy.groupSlotOffset(group, k), slotLength);
            }
        }
        final long bytes = SliceStore.writePart(SliceStore.moveDir(sliceRoot, moveId), new SliceStore.SlicePart(
            moveId, OwnershipEntry.epoch(entry), first, last, router.keyGroupCount(), router.seed(), copy.kind(),
            slotLength, shard, count, slots));
        for (int k = 0; k < count; k++)
        {
            logic.releaseKey(slots.getLong(k * slotLength + 56));
        }
        return new long[]{ count, bytes };
    }

    private long acquire(final ShardLogic logic, final RingEntry entry)
    {
        final long moveId = OwnershipEntry.moveId(entry);
        final int first = OwnershipEntry.firstGroup(entry);
        final int last = OwnershipEntry.lastGroup(entry);
        final Path moveDir = SliceStore.moveDir(sliceRoot, moveId);
        final SliceStore.SliceManifest manifest = SliceStore.readManifest(moveDir);
        if (manifest.moveId() != moveId)
        {
            throw new IllegalStateException(moveDir.resolve(SliceStore.MANIFEST) + " is of move " +
                manifest.moveId() + ", not " + moveId);
        }
        final SliceStore.SlicePart[] parts = new SliceStore.SlicePart[manifest.parts()];
        for (int p = 0; p < parts.length; p++)
        {
            final Path file = SliceStore.partFile(moveDir, p);
            final SliceStore.SlicePart part = SliceStore.readPart(file);
            SliceStore.checkPlacement(part, file, router);
            if (part.moveId() != moveId || !logic.takesSlots(part.kind(), part.slotLength()))
            {
                throw new IllegalStateException(file + " (move " + part.moveId() + ", state kind " + part.kind() +
                    ", slots of " + part.slotLength() + " bytes) does not fit move " + moveId + " into processor " +
                    shard + "'s state");
            }
            parts[p] = part;
        }
        long inserted = 0;
        for (final SliceStore.SlicePart part : parts)
        {
            for (int i = 0; i < part.keys(); i++)
            {
                final int group = router.keyGroup(router.hash(part.key(i)));
                if (group >= first && group <= last && router.owner(group, shardCount) == shard)
                {
                    if (!logic.regroupKey(part.slots(), part.slotOffset(i)))
                    {
                        throw new IllegalStateException("move " + moveId + ": processor " + shard +
                            "'s table is full after " + inserted + " of the slice's keys");
                    }
                    inserted++;
                }
            }
        }
        return inserted;
    }
}
