package io.sluice.core.shard;

/**
 * Told when a processor has carried out an OWNERSHIP entry (a key-group move, {@link SliceStore}): the daemon waits
 * for every processor's answer before it answers the move. Called on the processor thread: must not block.
 */
public interface OwnershipListener
{
    /**
     * A processor wrote its keys of a released range to its slice part and dropped them, or failed to.
     *
     * @param shard   the processor's shard.
     * @param moveId  the move.
     * @param keys    keys written and dropped.
     * @param bytes   bytes of the part file.
     * @param failure why it failed (nothing dropped then), or null.
     */
    void onReleased(int shard, long moveId, long keys, long bytes, Throwable failure);

    /**
     * A processor inserted the keys of an acquired range it owns from the move's slice, or failed to.
     *
     * @param shard   the processor's shard.
     * @param moveId  the move.
     * @param keys    keys inserted.
     * @param failure why it failed, or null.
     */
    void onAcquired(int shard, long moveId, long keys, Throwable failure);
}
