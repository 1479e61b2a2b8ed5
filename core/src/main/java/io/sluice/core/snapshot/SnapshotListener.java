package io.sluice.core.snapshot;

/**
 * Takes the parts of a snapshot from the processors: at a snapshot marker each processor asks for the part to copy
 * its state into, copies (its whole pause) and reports the part copied. Called on each processor's thread; an
 * implementation hands the parts to a writer thread.
 */
public interface SnapshotListener
{
    /**
     * @param shard      the processor's shard.
     * @param snapshotId the marker's snapshot id.
     * @return the part to copy into, or null to skip this marker (a snapshot nobody is collecting).
     */
    ShardSnapshot partFor(int shard, long snapshotId);

    /**
     * The part returned by {@link #partFor} holds the shard's state as of the marker; the processor no longer touches
     * it.
     *
     * @param shard      the shard.
     * @param snapshotId the snapshot.
     * @param pauseNs    how long the copy held the processor, ns.
     */
    void onPartCopied(int shard, long snapshotId, long pauseNs);
}
