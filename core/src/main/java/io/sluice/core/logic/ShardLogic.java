package io.sluice.core.logic;

import io.sluice.core.ring.RingEntry;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.snapshot.ShardSnapshot;

/**
 * What one shard does with its entries: the state, the aggregates and the results. A {@code ShardProcessor} hands
 * it only the EVENT and QUERY entries of its shard and every TICK; rejections the ingress routed to the shard are
 * answered by the processor itself. Implementations: running aggregates per key
 * ({@code io.sluice.core.running.RunningAggregates}) and event-time windows ({@code io.sluice.core.window.WindowEngine}).
 * <p>
 * Single writer: called on the processor's thread only, one entry at a time, in ring order. Reads no clock: time is
 * what events and ticks say, so the same entries always give the same results. Per-event path: no allocation, no
 * locks, no logging. An exception thrown from a call is reported by the processor group and the entry skipped.
 */
public interface ShardLogic
{
    /**
     * Apply an event of this shard and answer it (a result or a {@code Rejected}).
     *
     * @param entry the EVENT entry, valid only during the call.
     */
    void onEvent(RingEntry entry);

    /**
     * Answer a query of this shard.
     *
     * @param entry the QUERY entry, valid only during the call.
     */
    void onQuery(RingEntry entry);

    /**
     * Time passed: the watermark is now at least this.
     *
     * @param watermarkNs the tick's watermark, epoch ns; may repeat or lag an earlier one, which is then ignored.
     */
    void onTick(long watermarkNs);

    /**
     * Copy the shard's whole state into a snapshot part: the processor's pause at a snapshot marker. Processor
     * thread only, between entries.
     *
     * @param shard      the shard.
     * @param snapshotId the snapshot.
     * @param into       the part to fill.
     */
    void snapshotTo(int shard, long snapshotId, ShardSnapshot into);

    /**
     * Replace the shard's whole state with a snapshot part's (recovery, before the first entry).
     *
     * @param from a part taken from logic of the same kind and table shape.
     * @throws IllegalArgumentException when the part does not fit this logic.
     */
    void restoreFrom(ShardSnapshot from);

    /**
     * Start restoring the shard key by key (a rescale: keys come from parts of other shards): forget every key,
     * and take the windows' progress.
     *
     * @param from a part of the snapshot, for its kind, slot length, watermark and close progress.
     * @throws IllegalArgumentException when the part is of another kind or slot length (other windows).
     */
    void beginRegroup(ShardSnapshot from);

    /**
     * Add one key with its whole data slot (aggregate, panes, closed window, wake-up), scheduling its wake-up.
     *
     * @param slots  holds the key's data slot, as {@link #beginRegroup}'s part laid it out.
     * @param offset where the slot starts.
     * @return false when the table is full: the key was not added.
     */
    boolean regroupKey(org.agrona.DirectBuffer slots, int offset);

    /**
     * @return keys held.
     */
    int keys();

    /**
     * Drop a key whose key group moved to another appliance (an OWNERSHIP release, after its slot was written to
     * the move's slice): it leaves the table; a wake-up it had stays behind in the close schedule as a stale
     * entry, which is skipped. Processor thread only.
     *
     * @param key the key.
     * @return true when it was held.
     * @throws UnsupportedOperationException for logic that holds no keys to move.
     */
    default boolean releaseKey(final long key)
    {
        throw new UnsupportedOperationException(getClass().getName() + " holds no keys to move");
    }

    /**
     * @param kind       a slice's state kind ({@code ShardSnapshot.KIND_}).
     * @param slotLength its bytes per data slot.
     * @return true when this logic takes slots of that kind and length ({@link #regroupKey}, an OWNERSHIP
     * acquire); false for logic that holds no keys to move.
     */
    default boolean takesSlots(final int kind, final int slotLength)
    {
        return false;
    }
}
