package io.sluice.core.snapshot;

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
     * @return one digest of the whole state: the shards' digests combined in shard order.
     */
    public long digest()
    {
        return combined(digests);
    }

    /**
     * @param shardDigests each shard's digest, in shard order.
     * @return their combination, as {@link #digest()} computes it.
     */
    public static long combined(final long[] shardDigests)
    {
        final io.sluice.core.state.StateDigest digest = new io.sluice.core.state.StateDigest();
        for (final long shardDigest : shardDigests)
        {
            digest.add(shardDigest);
        }
        return digest.value();
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object other)
    {
        return other instanceof SnapshotManifest that && snapshotId == that.snapshotId &&
            recordingId == that.recordingId && journalPosition == that.journalPosition && hashSeed == that.hashSeed &&
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
