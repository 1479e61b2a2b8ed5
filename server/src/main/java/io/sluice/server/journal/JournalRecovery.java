package io.sluice.server.journal;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.replay.JournalFeed;
import io.sluice.core.replay.ReplayFanOut;
import io.sluice.core.shard.KeyGroupRestore;
import io.sluice.core.shard.ShardContext;
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
import java.util.Locale;

/**
 * Rebuilds the processors' and the producer's state from the journal at start-up, before anything goes live:
 * <ol>
 *     <li>the newest complete snapshot set that reads back whole (every part present, every checksum and digest
 *     right, taken from this journal's recording) is restored; a set that does not is reported and the next older
 *     one tried. A set of the daemon's processor count, capacity, key groups and key-group placement is restored
 *     by copying each part's table whole; any other (a rescale, a set written under another placement, or before
 *     key groups) key by key into the shard that owns each key's group now ({@link KeyGroupRestore});</li>
 *     <li>the journal is replayed from that snapshot's position (or from its start without one) to its end, through
 *     the same processors, their answers muted, each entry routed to the shard that owns its key's group under
 *     the processor count and placement of now (the same shard the live run gave it unless one changed since);</li>
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
     * @param rescale       the key-by-key restore of a snapshot of another shape, or null.
     * @param fromCapacity  the state capacity the snapshot (or the journal) was written under.
     * @param toCapacity    the daemon's state capacity.
     * @param fromShards    the processor count the snapshot (or the journal) was written under.
     * @param toShards      the daemon's processor count.
     */
    public record Result(
        JournalArchive.RecordingDescriptor journal,
        SnapshotManifest snapshot,
        long fromPosition,
        long entries,
        long tornBytes,
        long durationNs,
        KeyGroupRestore.Result rescale,
        int fromCapacity,
        int toCapacity,
        int fromShards,
        int toShards)
    {
        /**
         * @return the start-up summary's rescale line, e.g. {@code rescaled from 2 to 4 processors: 812,304 keys
         * moved in 310 ms}; without a snapshot, the same start naming the replay from the journal's start; null when
         * nothing changed shape.
         */
        public String describeRescale()
        {
            if (null != rescale)
            {
                return rescale.describe(fromCapacity, toCapacity);
            }
            if (null != journal && null == snapshot && (fromShards != toShards || fromCapacity != toCapacity))
            {
                return (fromShards != toShards ? "rescaled from " + fromShards + " to " + toShards + " processors" :
                    "resized state from " + fromCapacity + " to " + toCapacity + " keys per processor") +
                    ": no snapshot, every key placed by the journal's replay from its start under the new count";
            }
            return null;
        }

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
     * @param shards      the concluded context the processors were built from: hash seed and key groups (a
     *                    journal START entry or snapshot with another seed refuses), fingerprint, capacity.
     * @param identity    what the journal records ({@code journal.properties}), or null for a journal without it.
     * @param out         where unusable snapshots are reported.
     * @return what was done.
     * @throws IllegalStateException  when the journal cannot be replayed (purged start without a usable snapshot,
     *                                or written under another seed or configuration).
     * @throws ConfigurationException naming {@code sluice.state.capacity} when a rescale finds a shard's table too
     *                                small for its keys; nothing on disk has changed then.
     */
    public static Result recover(
        final JournalArchive archive,
        final SnapshotStore store,
        final ShardSnapshot[] parts,
        final ShardProcessor[] processors,
        final RingProducer producer,
        final ShardContext shards,
        final JournalIdentity identity,
        final PrintStream out)
    {
        final long startNs = System.nanoTime();
        final int capacity = shards.stateCapacity();
        JournalArchive.RecordingDescriptor journal = archive.findJournal();
        if (null == journal)
        {
            return new Result(null, null, 0, 0, 0, System.nanoTime() - startNs, null, capacity, capacity,
                processors.length, processors.length);
        }
        final long hashSeed = shards.hashSeed();
        final long[] fingerprints = null == identity ? new long[]{ shards.fingerprint() } :
            identity.fingerprints(shards);
        final boolean legacy = null != identity && identity.beforeKeyGroups();
        final KeyGroupRestore.Result[] rescale = new KeyGroupRestore.Result[1];
        final SnapshotManifest snapshot = restoreNewest(journal, store, parts, processors, producer, shards,
            fingerprints, legacy, rescale, out, startNs);
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
        final JournalFeed.Routing routing = JournalFeed.rehash(shards.router());
        for (int t = 0; t < feeds.length; t++)
        {
            feeds[t] = new JournalFeed(JournalFeed.owned(processors, t, feeds.length), routing)
                .producer(0 == t ? producer : null);
        }
        final long stateFullBefore = stateFull(processors);
        final JournalArchive.RecordingDescriptor replayed = journal;
        fanOut.run((t) -> ends[t] = replay(archive, replayed, from, feeds[t], hashSeed, fingerprints, startNs));
        final long end = ends[0];
        final int fromShards = null != snapshot ? snapshot.shardCount() :
            null == identity ? processors.length : identity.recorded(SluiceConfig.PROCESSOR_COUNT, processors.length);
        final int fromCapacity = null != snapshot && snapshot.capacity() > 0 ? snapshot.capacity() :
            null == identity ? capacity : identity.recorded(SluiceConfig.STATE_CAPACITY, capacity);
        final long full = stateFull(processors) - stateFullBefore;
        final io.sluice.core.route.ShardRouter.Placement fromPlacement = null != snapshot ? snapshot.placement() :
            null == identity ? shards.router().placement() : identity.placement();
        if (full > 0 && (null != rescale[0] || fromShards != processors.length || fromCapacity != capacity ||
            fromPlacement != shards.router().placement()))
        {
            throw new ConfigurationException(SluiceConfig.STATE_CAPACITY, Integer.toString(capacity), String.format(
                Locale.ROOT, "is too small: after rescaling from %d to %d processors (capacity %d%s before) %,d " +
                "events of the journal found their shard's table full during recovery; start with the journal's " +
                "settings or a larger capacity", fromShards, processors.length, fromCapacity,
                fromPlacement == shards.router().placement() ? "" : ", key groups " + fromPlacement.text(), full));
        }
        long torn = 0;
        if (end < journal.stopPosition())
        {
            torn = journal.stopPosition() - end;
            out.println("sluice: the journal's last " + torn + " bytes after position " + end + " are not whole " +
                "entries (torn by a crash mid-write): cut");
            journal = archive.truncate(journal, end);
        }
        return new Result(journal, snapshot, from, feeds[0].entries(), torn, System.nanoTime() - startNs,
            rescale[0], fromCapacity, capacity, fromShards, processors.length);
    }

    private static long stateFull(final ShardProcessor[] processors)
    {
        long full = 0;
        for (final ShardProcessor processor : processors)
        {
            full += processor.counters().stateFull().get();
        }
        return full;
    }

    private static long replay(
        final JournalArchive archive,
        final JournalArchive.RecordingDescriptor journal,
        final long from,
        final JournalFeed replay,
        final long hashSeed,
        final long[] fingerprints,
        final long nowNs)
    {
        return archive.read(journal, from, (buffer, offset, length, frameStart, endPosition) ->
            isWhole(buffer, offset, length) && apply(replay, buffer, offset, length, hashSeed, fingerprints, nowNs));
    }

    private static SnapshotManifest restoreNewest(
        final JournalArchive.RecordingDescriptor journal,
        final SnapshotStore store,
        final ShardSnapshot[] parts,
        final ShardProcessor[] processors,
        final RingProducer producer,
        final ShardContext shards,
        final long[] fingerprints,
        final boolean legacy,
        final KeyGroupRestore.Result[] rescale,
        final PrintStream out,
        final long nowNs)
    {
        final List<SnapshotManifest> manifests = store.complete();
        final ProducerSnapshot producerPart = new ProducerSnapshot();
        for (final SnapshotManifest manifest : manifests)
        {
            try
            {
                check(manifest, journal, shards.hashSeed(), fingerprints);
                if (!legacy && manifest.keyGroupCount() == shards.keyGroupCount() &&
                    manifest.shardCount() == processors.length && manifest.capacity() == shards.stateCapacity() &&
                    manifest.placement() == shards.router().placement())
                {
                    store.load(manifest, parts, producerPart);
                    for (int i = 0; i < parts.length; i++)
                    {
                        checkDigest(manifest, i, parts[i]);
                    }
                    for (int i = 0; i < parts.length; i++)
                    {
                        processors[i].logic().restoreFrom(parts[i]);
                    }
                }
                else
                {
                    rescale[0] = KeyGroupRestore.restore((shard, into) ->
                    {
                        store.loadShard(manifest, shard, into);
                        checkDigest(manifest, shard, into);
                    }, manifest.shardCount(), manifest.placement(), parts[0], shards.router(), processors,
                        shards.stateCapacity());
                    store.loadProducer(manifest, producerPart);
                }
                producer.restore(producerPart, nowNs);
                return manifest;
            }
            catch (final SnapshotException ex)
            {
                rescale[0] = null;
                out.println("sluice: snapshot " + manifest.snapshotId() + " is not usable (" + ex.getMessage() +
                    "): trying an older one");
            }
        }
        return null;
    }

    private static void checkDigest(final SnapshotManifest manifest, final int shard, final ShardSnapshot part)
    {
        final long digest = 0 == manifest.keyGroupCount() ? part.legacyDigest() : part.digest();
        if (digest != manifest.digests()[shard])
        {
            throw new SnapshotException("shard " + shard + " of snapshot " + manifest.snapshotId() +
                " reads back with digest " + String.format("%016x", digest) + ", its manifest says " +
                String.format("%016x", manifest.digests()[shard]));
        }
    }

    private static boolean accepted(final long[] fingerprints, final long fingerprint)
    {
        for (final long accepted : fingerprints)
        {
            if (accepted == fingerprint)
            {
                return true;
            }
        }
        return false;
    }

    private static void check(
        final SnapshotManifest manifest,
        final JournalArchive.RecordingDescriptor journal,
        final long hashSeed,
        final long[] fingerprints)
    {
        if (manifest.recordingId() != journal.recordingId() || manifest.journalPosition() < journal.startPosition() ||
            manifest.journalPosition() > journal.stopPosition())
        {
            throw new SnapshotException("taken at position " + manifest.journalPosition() + " of recording " +
                manifest.recordingId() + ", the journal is recording " + journal.recordingId() + " from " +
                journal.startPosition() + " to " + journal.stopPosition());
        }
        if (manifest.hashSeed() != hashSeed || !accepted(fingerprints, manifest.fingerprint()))
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
        final long[] fingerprints,
        final long nowNs)
    {
        for (int i = offset; i < offset + length; i += RingEntry.LENGTH)
        {
            if (RingEntry.TYPE_START == buffer.getInt(i + RingEntry.TYPE_OFFSET) &&
                (buffer.getLong(i + RingEntry.KEY_OFFSET) != hashSeed ||
                !accepted(fingerprints, buffer.getLong(i + RingEntry.TIMESTAMP_OFFSET))))
            {
                throw new IllegalStateException("the journal holds a run started with hash seed " +
                    String.format("0x%016x", buffer.getLong(i + RingEntry.KEY_OFFSET)) + " and configuration " +
                    "fingerprint " + String.format("%016x", buffer.getLong(i + RingEntry.TIMESTAMP_OFFSET)) +
                    ", this daemon has " + String.format("0x%016x", hashSeed) + " and " +
                    String.format("%016x", fingerprints[0]) + ": it cannot replay it");
            }
            replay.apply(buffer, i, nowNs);
        }
        return true;
    }
}
