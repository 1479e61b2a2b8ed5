package io.sluice.core.snapshot;

import io.sluice.core.route.ShardRouter;

import java.util.Arrays;

/**
 * What a complete snapshot set is: its id, the journal position it was taken at (replay starts there), the
 * journal's recording, the hash seed and configuration fingerprint of the daemon that took it, and for each shard
 * the digest of its state and the checksum and size of its part file. Written last, by an atomic rename: a set
 * without a manifest is incomplete and ignored.
 *
 * @param snapshotId      the snapshot's id, increasing over the journal's life.
 * @param recordingId     the journal's Aeron Archive recording.
 * @param journalPosition the journal position right after the snapshot marker: replay resumes here.
 * @param hashSeed        the key hash's seed.
 * @param keyGroupCount   the key groups its parts are indexed by; 0 for a set written before key groups (its
 *                        digests are {@link ShardSnapshot#legacyDigest()}s, its parts version 1).
 * @param capacity        the state capacity of its tables; 0 when not recorded (before key groups).
 * @param placement       how its shards owned the key groups: part i holds the keys of the groups shard i owned
 *                        under it ({@link ShardRouter#owner}); contiguous when not recorded.
 * @param fingerprint     fingerprint of the settings that shape state.
 * @param createdEpochMs  when the set was completed, epoch ms.
 * @param digests         each shard's state digest, shard i at index i.
 * @param checksums       each shard part's CRC-32C, shard i at index i; the producer part's last.
 * @param lengths         each shard part's bytes, shard i at index i; the producer part's last.
 */
public record SnapshotManifest(
    long snapshotId,
    long recordingId,
    long journalPosition,
    long hashSeed,
    int keyGroupCount,
    int capacity,
    ShardRouter.Placement placement,
    long fingerprint,
    long createdEpochMs,
    long[] digests,
    long[] checksums,
    long[] lengths)
{
    /**
     * @return number of shards (processor parts).
     */
    public int shardCount()
    {
        return digests.length;
    }

    /**
     * @return one digest of the whole state: the shards' digests combined ({@link #combined}), the same for any
     * processor count.
     */
    public long digest()
    {
        return combined(digests);
    }

    /**
     * @param shardDigests each shard's digest.
     * @return the digest of the whole state ({@link io.sluice.core.state.StateDigest#combine}): independent of
     * the shards' order and of how keys were split between them.
     */
    public static long combined(final long[] shardDigests)
    {
        return io.sluice.core.state.StateDigest.combine(shardDigests);
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object other)
    {
        return other instanceof SnapshotManifest that && snapshotId == that.snapshotId &&
            recordingId == that.recordingId && journalPosition == that.journalPosition && hashSeed == that.hashSeed &&
            keyGroupCount == that.keyGroupCount && capacity == that.capacity && placement == that.placement &&
            fingerprint == that.fingerprint && createdEpochMs == that.createdEpochMs &&
            Arrays.equals(digests, that.digests) && Arrays.equals(checksums, that.checksums) &&
            Arrays.equals(lengths, that.lengths);
    }

    /**
     * {@inheritDoc}
     */
    public int hashCode()
    {
        return Long.hashCode(snapshotId) * 31 + Long.hashCode(journalPosition);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "snapshot " + snapshotId + " at journal position " + journalPosition + " (recording " + recordingId +
            "), digest " + String.format("%016x", digest());
    }
}
