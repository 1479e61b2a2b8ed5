package io.sluice.server.journal;

import io.sluice.core.replay.JournalFeed;
import io.sluice.core.replay.ReplayFanOut;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.snapshot.SnapshotException;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import org.agrona.DirectBuffer;

import java.io.PrintStream;
import java.util.List;

/**
 * Rebuilds the processors' and the producer's state from the journal at start-up, before anything goes live:
 * <ol>
 *     <li>the newest complete snapshot set that reads back whole (every part present, every checksum and digest
 *     right, taken from this journal's recording) is restored; a set that does not is reported and the next older
 *     one tried;</li>
 *     <li>the journal is replayed from that snapshot's position (or from its start without one) to its end, through
 *     the same processors, their answers muted;</li>
 *     <li>a torn tail (a message that is not whole entries of known types, left by a crash mid-write) ends the
 *     replay: the journal is truncated to the last whole message, never a refusal to start.</li>
 * </ol>
 * Without a usable snapshot and with the journal's start purged, recovery is impossible and the start fails,
 * saying so. Control thread only.
 */
public final class JournalRecovery
{
    private JournalRecovery()
    {
    }

    /**
     * What recovery did.
     *
     * @param journal       the journal's recording after recovery (null: a new journal).
     * @param snapshot      the snapshot restored, or null.
     * @param fromPosition  where replay began.
     * @param entries       journal entries replayed.
     * @param tornBytes     bytes cut from a torn tail.
     * @param durationNs    time taken, ns.
     */
    public record Result(
        JournalArchive.RecordingDescriptor journal,
        SnapshotManifest snapshot,
        long fromPosition,
        long entries,
        long tornBytes,
        long durationNs)
    {
        /**
         * @return the start-up summary's line.
         */
        public String describe()
        {
            if (null == journal)
            {
                return "new journal";
            }
            return (null == snapshot ? "no snapshot" : "snapshot " + snapshot.snapshotId() + " at position " +
                snapshot.journalPosition()) + ", replayed " + entries + " entries from position " + fromPosition +
                " in " + (durationNs / 1_000_000) + " ms" + (tornBytes > 0 ? ", cut a torn tail of " + tornBytes +
                " bytes" : "") + ", live at position " + journal.stopPosition();
        }
    }

    /**
     * Recover.
     *
     * @param archive     the journal's archive.
     * @param store       the snapshot sets.
     * @param parts       where snapshot parts are loaded, one per processor (the snapshot writer's, reserved).
     * @param processors  the daemon's processors, shard i at index i, not started, their sinks muted.
     * @param producer    the ring producer, not yet producing.
     * @param hashSeed    the daemon's hash seed: a journal START entry or snapshot with another refuses.
     * @param fingerprint the daemon's configuration fingerprint, likewise.
     * @param out         where unusable snapshots are reported.
     * @return what was done.
     * @throws IllegalStateException when the journal cannot be replayed (purged start without a usable snapshot, or
     *                               written under another seed or configuration).
     */
    public static Result recover(
        final JournalArchive archive,
        final SnapshotStore store,
        final ShardSnapshot[] parts,
        final ShardProcessor[] processors,
        final RingProducer producer,
        final long hashSeed,
        final long fingerprint,
        final PrintStream out)
    {
        final long startNs = System.nanoTime();
        JournalArchive.RecordingDescriptor journal = archive.findJournal();
        if (null == journal)
        {
            return new Result(null, null, 0, 0, 0, System.nanoTime() - startNs);
        }
        final SnapshotManifest snapshot = restoreNewest(journal, store, parts, processors, producer, hashSeed,
            fingerprint, out, startNs);
        final long from = null == snapshot ? journal.startPosition() : snapshot.journalPosition();
        if (null == snapshot && journal.startPosition() > 0)
        {
            throw new IllegalStateException("the journal in " + archive.archiveDir() + " starts at position " +
                journal.startPosition() + " (older segments were purged) and no usable snapshot remains: it cannot " +
                "be replayed; move the journal directory away to start fresh");
        }
        final ReplayFanOut fanOut = new ReplayFanOut(
            Math.min(processors.length, Runtime.getRuntime().availableProcessors()), "sluice-recovery-");
        final JournalFeed[] feeds = new JournalFeed[fanOut.threads()];
        final long[] ends = new long[feeds.length];
        for (int t = 0; t < feeds.length; t++)
        {
            feeds[t] = new JournalFeed(JournalFeed.owned(processors, t, feeds.length), JournalFeed.JOURNALED_SHARD)
                .producer(0 == t ? producer : null);
        }
        final JournalArchive.RecordingDescriptor replayed = journal;
        fanOut.run((t) -> ends[t] = replay(archive, replayed, from, feeds[t], hashSeed, fingerprint, startNs));
        final long end = ends[0];
        long torn = 0;
        if (end < journal.stopPosition())
        {
            torn = journal.stopPosition() - end;
            out.println("sluice: the journal's last " + torn + " bytes after position " + end + " are not whole " +
                "entries (torn by a crash mid-write): cut");
            journal = archive.truncate(journal, end);
        }
        return new Result(journal, snapshot, from, feeds[0].entries(), torn, System.nanoTime() - startNs);
    }

    private static long replay(
        final JournalArchive archive,
        final JournalArchive.RecordingDescriptor journal,
        final long from,
        final JournalFeed replay,
        final long hashSeed,
        final long fingerprint,
        final long nowNs)
    {
        return archive.read(journal, from, (buffer, offset, length, frameStart, endPosition) ->
            isWhole(buffer, offset, length) && apply(replay, buffer, offset, length, hashSeed, fingerprint, nowNs));
    }

    private static SnapshotManifest restoreNewest(
        final JournalArchive.RecordingDescriptor journal,
        final SnapshotStore store,
        final ShardSnapshot[] parts,
        final ShardProcessor[] processors,
        final RingProducer producer,
        final long hashSeed,
        final long fingerprint,
        final PrintStream out,
        final long nowNs)
    {
        final List<SnapshotManifest> manifests = store.complete();
        final ProducerSnapshot producerPart = new ProducerSnapshot();
        for (final SnapshotManifest manifest : manifests)
        {
            try
            {
                check(manifest, journal, hashSeed, fingerprint);
                store.load(manifest, parts, producerPart);
                for (int i = 0; i < parts.length; i++)
                {
                    if (parts[i].digest() != manifest.digests()[i])
                    {
                        throw new SnapshotException("shard " + i + " of snapshot " + manifest.snapshotId() +
                            " reads back with digest " + String.format("%016x", parts[i].digest()) +
                            ", its manifest says " + String.format("%016x", manifest.digests()[i]));
                    }
                }
                for (int i = 0; i < parts.length; i++)
                {
                    processors[i].logic().restoreFrom(parts[i]);
                }
                producer.restore(producerPart, nowNs);
                return manifest;
            }
            catch (final SnapshotException ex)
            {
                out.println("sluice: snapshot " + manifest.snapshotId() + " is not usable (" + ex.getMessage() +
                    "): trying an older one");
            }
        }
        return null;
    }

    private static void check(
        final SnapshotManifest manifest,
        final JournalArchive.RecordingDescriptor journal,
        final long hashSeed,
        final long fingerprint)
    {
        if (manifest.recordingId() != journal.recordingId() || manifest.journalPosition() < journal.startPosition() ||
            manifest.journalPosition() > journal.stopPosition())
        {
            throw new SnapshotException("taken at position " + manifest.journalPosition() + " of recording " +
                manifest.recordingId() + ", the journal is recording " + journal.recordingId() + " from " +
                journal.startPosition() + " to " + journal.stopPosition());
        }
        if (manifest.hashSeed() != hashSeed || manifest.fingerprint() != fingerprint)
        {
            throw new SnapshotException("taken under another hash seed or configuration");
        }
    }

    private static boolean isWhole(final DirectBuffer buffer, final int offset, final int length)
    {
        if (0 == length || 0 != length % RingEntry.LENGTH)
        {
            return false;
        }
        for (int i = offset; i < offset + length; i += RingEntry.LENGTH)
        {
            final int type = buffer.getInt(i + RingEntry.TYPE_OFFSET);
            if (type <= RingEntry.TYPE_NONE || type >= RingEntry.TYPE_LIMIT || RingEntry.TYPE_RESUME == type)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean apply(
        final JournalFeed replay,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long hashSeed,
        final long fingerprint,
        final long nowNs)
    {
        for (int i = offset; i < offset + length; i += RingEntry.LENGTH)
        {
            if (RingEntry.TYPE_START == buffer.getInt(i + RingEntry.TYPE_OFFSET) &&
                (buffer.getLong(i + RingEntry.KEY_OFFSET) != hashSeed ||
                buffer.getLong(i + RingEntry.TIMESTAMP_OFFSET) != fingerprint))
            {
                throw new IllegalStateException("the journal holds a run started with hash seed " +
                    String.format("0x%016x", buffer.getLong(i + RingEntry.KEY_OFFSET)) + " and configuration " +
                    "fingerprint " + String.format("%016x", buffer.getLong(i + RingEntry.TIMESTAMP_OFFSET)) +
                    ", this daemon has " + String.format("0x%016x", hashSeed) + " and " +
                    String.format("%016x", fingerprint) + ": it cannot replay it");
            }
            replay.apply(buffer, i, nowNs);
        }
        return true;
    }
}
