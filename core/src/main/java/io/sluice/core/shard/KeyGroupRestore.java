package io.sluice.core.shard;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.snapshot.SnapshotException;

import java.util.Locale;

/**
 * Restores a snapshot into processors of another count, table capacity or key-group placement than the snapshot's
 * (a rescale at restart; a daemon restarted into or out of a topology), or a snapshot written before key groups:
 * each old part is read in turn, walked key group by key group
 * ({@link ShardSnapshot#groupSize}), and every key is inserted with its whole data slot (aggregate, panes, closed
 * window, wake-up and eviction bookkeeping) into the table of the group's owner under the new count
 * ({@link ShardRouter#owner}); each window engine's close schedule is rebuilt from its keys' wake-up times, its
 * watermark and close progress taken from the parts. The state digest does not change
 * ({@link io.sluice.core.state.StateDigest#ofKeys}).
 * <p>
 * A table too small for the keys its shard receives fails the restore naming both numbers, after counting every
 * key; nothing but the processors' (not yet started) tables is touched. Start-up only; allocates.
 */
public final class KeyGroupRestore
{
    /**
     * Where the old parts come from.
     */
    @FunctionalInterface
    public interface PartSource
    {
        /**
         * @param shard an old shard.
         * @param into  filled with its part, checked (checksum, digest).
         * @throws SnapshotException when the part is not usable.
         */
        void load(int shard, ShardSnapshot into);
    }

    /**
     * What the restore did.
     *
     * @param fromShards    the snapshot's shard count.
     * @param toShards      the processors'.
     * @param fromPlacement the snapshot's key-group placement.
     * @param toPlacement   the processors'.
     * @param keys          keys restored: every key of the snapshot, each copied into its new shard's table.
     * @param durationNs    time taken, reading the parts included, ns.
     */
    public record Result(
        int fromShards,
        int toShards,
        ShardRouter.Placement fromPlacement,
        ShardRouter.Placement toPlacement,
        long keys,
        long durationNs)
    {
        /**
         * @param fromCapacity the snapshot's state capacity, 0 when not known.
         * @param toCapacity   the processors'.
         * @return the start-up summary's line: {@code rescaled from 2 to 4 processors: 812,304 keys moved in 310
         * ms} (followed by {@code , key groups interleaved (the snapshot's contiguous)} when the placement changed
         * too); for the same processor count {@code placed key groups interleaved over 2 processors (the
         * snapshot's were contiguous): ...}, {@code resized state from 65536 to 131072 keys per processor: ...}, or
         * {@code regrouped 2 processors by key group: ...} (a snapshot written before key groups).
         */
        public String describe(final int fromCapacity, final int toCapacity)
        {
            final String what;
            if (fromShards != toShards)
            {
                what = "rescaled from " + fromShards + " to " + toShards + " processors" +
                    (fromPlacement == toPlacement ? "" : ", key groups " + toPlacement.text() + " (the snapshot's " +
                    fromPlacement.text() + ")");
            }
            else if (fromPlacement != toPlacement)
            {
                what = "placed key groups " + toPlacement.text() + " over " + toShards + " processors (the " +
                    "snapshot's were " + fromPlacement.text() + ")";
            }
            else if (fromCapacity != toCapacity && fromCapacity > 0)
            {
                what = "resized state from " + fromCapacity + " to " + toCapacity + " keys per processor";
            }
            else
            {
                what = "regrouped " + toShards + " processors by key group";
            }
            return String.format(Locale.ROOT, "%s: %,d keys moved in %d ms", what, keys, durationNs / 1_000_000);
        }
    }

    private KeyGroupRestore()
    {
    }

    /**
     * Restore parts written under the router's placement.
     *
     * @param source     the old parts.
     * @param fromShards how many there are.
     * @param scratch    a part to read each old one into, in turn.
     * @param router     the key hash, key groups (the journal's) and placement of the processors.
     * @param processors the processors to restore, shard i at index i, not started.
     * @param capacity   keys each processor's table holds ({@code sluice.state.capacity}), for the refusal.
     * @return what was done.
     * @throws SnapshotException      when a part is not usable or the parts disagree.
     * @throws ConfigurationException naming {@code sluice.state.capacity} when a shard would hold more keys than
     *                                its table.
     */
    public static Result restore(
        final PartSource source,
        final int fromShards,
        final ShardSnapshot scratch,
        final ShardRouter router,
        final ShardProcessor[] processors,
        final int capacity)
    {
        return restore(source, fromShards, router.placement(), scratch, router, processors, capacity);
    }

    /**
     * Restore. Each key goes to the owner of its group under the router's placement, whatever placement the parts
     * were written under (the parts are read by key group, not by shard).
     *
     * @param source        the old parts.
     * @param fromShards    how many there are.
     * @param fromPlacement the placement they were written under (for {@link Result}).
     * @param scratch       a part to read each old one into, in turn.
     * @param router        the key hash, key groups (the journal's) and placement of the processors.
     * @param processors    the processors to restore, shard i at index i, not started.
     * @param capacity      keys each processor's table holds ({@code sluice.state.capacity}), for the refusal.
     * @return what was done.
     * @throws SnapshotException      when a part is not usable or the parts disagree (the caller may try an older
     *                                snapshot).
     * @throws ConfigurationException naming {@code sluice.state.capacity} when a shard would hold more keys than
     *                                its table: {@code sluice.state.capacity=1024 is too small: after rescaling
     *                                from 2 to 4 processors shard 3 would hold 1,733 keys}.
     */
    public static Result restore(
        final PartSource source,
        final int fromShards,
        final ShardRouter.Placement fromPlacement,
        final ShardSnapshot scratch,
        final ShardRouter router,
        final ShardProcessor[] processors,
        final int capacity)
    {
        final long startNs = System.nanoTime();
        final int toShards = processors.length;
        final long[] wouldHold = new long[toShards];
        long watermark = 0;
        long closedUpTo = 0;
        long keys = 0;
        int kind = 0;
        int slotLength = 0;
        try
        {
            for (int old = 0; old < fromShards; old++)
            {
                source.load(old, scratch);
                if (scratch.keyGroupCount() != router.keyGroupCount())
                {
                    scratch.indexGroups(router);
                }
                if (0 == old)
                {
                    kind = scratch.kind();
                    slotLength = scratch.slotLength();
                    watermark = scratch.watermark();
                    closedUpTo = scratch.closedUpTo();
                    for (final ShardProcessor processor : processors)
                    {
                        try
                        {
                            processor.logic().beginRegroup(scratch);
                        }
                        catch (final IllegalArgumentException ex)
                        {
                            throw new SnapshotException(ex.getMessage(), ex);
                        }
                    }
                }
                else if (scratch.watermark() != watermark || scratch.closedUpTo() != closedUpTo)
                {
                    throw new SnapshotException("shard " + old + "'s part has watermark " + scratch.watermark() +
                        " and windows closed up to " + scratch.closedUpTo() + ", shard 0's " + watermark + " and " +
                        closedUpTo);
                }
                final org.agrona.concurrent.UnsafeBuffer table = scratch.table();
                for (int group = 0; group < router.keyGroupCount(); group++)
                {
                    final int size = scratch.groupSize(group);
                    if (0 == size)
                    {
                        continue;
                    }
                    final int owner = router.owner(group, toShards);
                    final io.sluice.core.logic.ShardLogic logic = processors[owner].logic();
                    for (int i = 0; i < size; i++)
                    {
                        logic.regroupKey(table, scratch.groupSlotOffset(group, i));
                    }
                    wouldHold[owner] += size;
                    keys += size;
                }
            }
        }
        catch (final SnapshotException ex)
        {
            if (0 != kind)
            {
                final ShardSnapshot blank = new ShardSnapshot();
                blank.begin(0, 0, kind, 0, slotLength, 0);
                for (final ShardProcessor processor : processors)
                {
                    processor.logic().beginRegroup(blank);
                }
            }
            throw ex;
        }
        for (int shard = 0; shard < toShards; shard++)
        {
            if (processors[shard].logic().keys() < wouldHold[shard])
            {
                final String change = fromShards != toShards ?
                    "after rescaling from " + fromShards + " to " + toShards + " processors" :
                    "restoring the snapshot into " + toShards + " processors";
                throw new ConfigurationException(SluiceConfig.STATE_CAPACITY, Integer.toString(capacity),
                    String.format(Locale.ROOT, "is too small: %s shard %d would hold %,d keys", change, shard,
                    wouldHold[shard]));
            }
        }
        return new Result(fromShards, toShards, fromPlacement, router.placement(), keys, System.nanoTime() - startNs);
    }
}
