package io.sluice.core.snapshot;

import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.route.ShardRouter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.zip.CRC32C;

/**
 * Snapshot sets as files, one directory per set:
 * <pre>
 *   &lt;dir&gt;/&lt;snapshot id, 20 digits&gt;/shard-&lt;i&gt;.part   one per processor: its table bytes, free slots, windows
 *   &lt;dir&gt;/&lt;snapshot id, 20 digits&gt;/producer.part   clients' marks and the watermark
 *   &lt;dir&gt;/&lt;snapshot id, 20 digits&gt;/manifest.properties   written last: the set is complete
 * </pre>
 * Why files and not an Archive recording: a part is written once and read once, whole; files renamed atomically
 * into place give completeness for free (a set without its manifest is ignored), can be checked and copied with
 * ordinary tools, and deleting an old set frees its space at once. Each file is written to a temporary name,
 * forced to disk, then renamed; each ends with a CRC-32C of everything before it.
 * <p>
 * The parts' layout: {@link SnapshotParts}.
 * <p>
 * Writer thread and start-up only; not thread safe.
 */
public final class SnapshotStore
{
    /** File name of a set's manifest. */
    public static final String MANIFEST = "manifest.properties";
    /** File name of the producer's part. */
    public static final String PRODUCER_PART = "producer.part";


    private final Path dir;

    /**
     * @param dir the directory holding the sets, created when missing.
     */
    public SnapshotStore(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * @return the directory holding the sets.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * @param snapshotId a snapshot.
     * @return the directory of its set.
     */
    public Path setDir(final long snapshotId)
    {
        return dir.resolve(String.format("%020d", snapshotId));
    }

    /**
     * @param shard a shard.
     * @return the file name of its part.
     */
    public static String partName(final int shard)
    {
        return "shard-" + shard + ".part";
    }

    /**
     * Write a complete set: every shard's part and the producer's, then the manifest.
     *
     * @param parts           each shard's part, shard i at index i, filled by the processors.
     * @param producer        the producer's part.
     * @param recordingId     the journal's recording.
     * @param journalPosition the journal position right after the marker.
     * @param router          the key hash (its seed), key groups and placement the parts were taken under: each
     *                        part is indexed by key group here, the manifest records all three.
     * @param fingerprint     the configuration fingerprint.
     * @param createdEpochMs  now, epoch ms.
     * @return the manifest written.
     * @throws UncheckedIOException when a file cannot be written; the set then has no manifest.
     */
    public SnapshotManifest write(
        final ShardSnapshot[] parts,
        final ProducerSnapshot producer,
        final long recordingId,
        final long journalPosition,
        final ShardRouter router,
        final long fingerprint,
        final long createdEpochMs)
    {
        final long snapshotId = producer.snapshotId();
        final Path setDir = setDir(snapshotId);
        try
        {
            Files.createDirectories(setDir);
            final long[] digests = new long[parts.length];
            final long[] checksums = new long[parts.length + 1];
            final long[] lengths = new long[parts.length + 1];
            for (int i = 0; i < parts.length; i++)
            {
                final ShardSnapshot part = parts[i];
                if (part.shard() != i || part.snapshotId() != snapshotId)
                {
                    throw new IllegalArgumentException("part " + i + " is shard " + part.shard() + " of snapshot " +
                        part.snapshotId() + ", expected snapshot " + snapshotId);
                }
                digests[i] = part.digest();
                part.indexGroups(router);
                final Written written = writeAtomically(setDir.resolve(partName(i)), SnapshotParts.shardSections(part));
                checksums[i] = written.checksum;
                lengths[i] = written.length;
            }
            final Written written = writeAtomically(setDir.resolve(PRODUCER_PART), SnapshotParts.producerSections(producer));
            checksums[parts.length] = written.checksum;
            lengths[parts.length] = written.length;

            final SnapshotManifest manifest = new SnapshotManifest(snapshotId, recordingId, journalPosition,
                router.seed(), router.keyGroupCount(), 0 == parts.length ? 0 : parts[0].capacity(), router.placement(),
                fingerprint, createdEpochMs, digests, checksums, lengths);
            writeManifest(setDir, manifest);
            return manifest;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write snapshot " + snapshotId + " to " + setDir, ex);
        }
    }

    /**
     * @return the manifests of every complete set, newest (highest id) first; sets without a manifest, or with one
     * that cannot be read, are left out (recovery then falls back to an older set, {@code sluice journal} lists them
     * as incomplete).
     * @throws UncheckedIOException when the directory cannot be listed.
     */
    public List<SnapshotManifest> complete()
    {
        final List<SnapshotManifest> manifests = new ArrayList<>();
        if (!Files.isDirectory(dir))
        {
            return manifests;
        }
        try (DirectoryStream<Path> sets = Files.newDirectoryStream(dir))
        {
            for (final Path set : sets)
            {
                final Path manifest = set.resolve(MANIFEST);
                if (Files.isRegularFile(manifest))
                {
                    try
                    {
                        manifests.add(readManifest(manifest));
                    }
                    catch (final SnapshotException ex)
                    {
                        // an unreadable manifest makes its set unusable, not the store
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list snapshots in " + dir, ex);
        }
        manifests.sort(Comparator.comparingLong(SnapshotManifest::snapshotId).reversed());
        return manifests;
    }

    /**
     * @return ids of every set directory, complete or not, lowest first.
     */
    public List<Long> allIds()
    {
        final List<Long> ids = new ArrayList<>();
        if (!Files.isDirectory(dir))
        {
            return ids;
        }
        try (DirectoryStream<Path> sets = Files.newDirectoryStream(dir))
        {
            for (final Path set : sets)
            {
                final String name = set.getFileName().toString();
                if (name.length() == 20 && name.chars().allMatch(Character::isDigit))
                {
                    ids.add(Long.parseLong(name));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list snapshots in " + dir, ex);
        }
        ids.sort(null);
        return ids;
    }

    /**
     * Read a complete set back, checking every part's checksum and size against the file's own trailer and the
     * manifest.
     *
     * @param manifest the set's manifest.
     * @param parts    filled with each shard's part, shard i at index i; as many as the manifest has shards.
     * @param producer filled with the producer's part.
     * @throws SnapshotException when a part is missing, cut short, or its checksum does not match.
     */
    public void load(final SnapshotManifest manifest, final ShardSnapshot[] parts, final ProducerSnapshot producer)
    {
        if (parts.length != manifest.shardCount())
        {
            throw new SnapshotException("snapshot " + manifest.snapshotId() + " has " + manifest.shardCount() +
                " shard parts, this daemon has " + parts.length + " processors");
        }
        for (int i = 0; i < parts.length; i++)
        {
            loadShard(manifest, i, parts[i]);
        }
        loadProducer(manifest, producer);
    }

    /**
     * Read one shard's part of a complete set (any shard count: a rescale reads the old parts one by one),
     * checking its checksum and size against its trailer and the manifest.
     *
     * @param manifest the set's manifest.
     * @param shard    the shard, below {@link SnapshotManifest#shardCount()}.
     * @param part     filled with the shard's part.
     * @throws SnapshotException when the part is missing, cut short, or its checksum does not match.
     */
    public void loadShard(final SnapshotManifest manifest, final int shard, final ShardSnapshot part)
    {
        final Path file = setDir(manifest.snapshotId()).resolve(partName(shard));
        SnapshotParts.readShard(file.toString(), readChecked(file, manifest.checksums()[shard],
            manifest.lengths()[shard]), part);
        if (part.shard() != shard || part.snapshotId() != manifest.snapshotId())
        {
            throw new SnapshotException(file + " holds shard " + part.shard() + " of snapshot " + part.snapshotId() +
                ", not shard " + shard + " of snapshot " + manifest.snapshotId());
        }
    }

    /**
     * Read one key group's keys from a shard's part without reading the rest: the part's header, the group's
     * entries of its key-group index, then each of those keys' data slots, by positional reads. The part's
     * CRC-32C covers the whole part and is not checked here (a restore reads whole parts); for moving or
     * inspecting one group.
     *
     * @param manifest the set's manifest, of a set written with key groups.
     * @param shard    the shard, below {@link SnapshotManifest#shardCount()}.
     * @param group    the key group, below {@link SnapshotManifest#keyGroupCount()}.
     * @return the group's data slots one after another, little-endian, each of the part's slot length with its key
     * at byte 56; empty when the part holds no key of the group.
     * @throws SnapshotException when the part is missing, has no key-group index, or does not read.
     */
    public ByteBuffer readGroup(final SnapshotManifest manifest, final int shard, final int group)
    {
        final Path file = setDir(manifest.snapshotId()).resolve(partName(shard));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return SnapshotParts.readGroup(channel, file.toString(), group);
        }
        catch (final IOException ex)
        {
            throw new SnapshotException("cannot read snapshot part " + file + ": " + ex, ex);
        }
    }

    /**
     * Read the producer's part of a complete set, checking it as {@link #loadShard} does.
     *
     * @param manifest the set's manifest.
     * @param producer filled with the producer's part.
     * @throws SnapshotException when the part is missing, cut short, or its checksum does not match.
     */
    public void loadProducer(final SnapshotManifest manifest, final ProducerSnapshot producer)
    {
        final int last = manifest.shardCount();
        final Path file = setDir(manifest.snapshotId()).resolve(PRODUCER_PART);
        SnapshotParts.readProducer(file.toString(), readChecked(file, manifest.checksums()[last],
            manifest.lengths()[last]), producer);
    }

    /**
     * Delete a set, complete or not.
     *
     * @param snapshotId the set.
     * @throws UncheckedIOException when a file cannot be deleted.
     */
    public void delete(final long snapshotId)
    {
        final Path setDir = setDir(snapshotId);
        if (!Files.exists(setDir))
        {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(setDir))
        {
            // the manifest first, so a half-deleted set is an incomplete one
            Files.deleteIfExists(setDir.resolve(MANIFEST));
            for (final Path file : files)
            {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(setDir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete snapshot " + setDir, ex);
        }
    }

    private record Written(long checksum, long length)
    {
    }

    private static Written writeAtomically(final Path file, final ByteBuffer[] sections) throws IOException
    {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        final ByteBuffer[] all = SnapshotParts.withTrailer(sections);
        final long checksum = Integer.toUnsignedLong(all[all.length - 1].getInt(0));
        long length = 0;
        try (FileChannel channel = FileChannel.open(
            tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            for (final ByteBuffer section : all)
            {
                length += section.remaining();
                while (section.hasRemaining())
                {
                    channel.write(section);
                }
            }
            channel.force(true);
        }
        moveAtomically(tmp, file);
        return new Written(checksum, length);
    }

    private static void moveAtomically(final Path from, final Path to) throws IOException
    {
        try
        {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dirChannel = FileChannel.open(to.getParent(), StandardOpenOption.READ))
        {
            dirChannel.force(true);
        }
        catch (final IOException ignore)
        {
            // some file systems cannot open a directory for sync; the rename itself is still atomic
        }
    }

    private static void writeManifest(final Path setDir, final SnapshotManifest manifest) throws IOException
    {
        final Properties properties = new Properties();
        properties.setProperty("snapshot.id", Long.toString(manifest.snapshotId()));
        properties.setProperty("journal.recording-id", Long.toString(manifest.recordingId()));
        properties.setProperty("journal.position", Long.toString(manifest.journalPosition()));
        properties.setProperty("hash.seed", Long.toString(manifest.hashSeed()));
        properties.setProperty("key.groups", Integer.toString(manifest.keyGroupCount()));
        properties.setProperty("state.capacity", Integer.toString(manifest.capacity()));
        if (ShardRouter.Placement.CONTIGUOUS != manifest.placement())
        {
            properties.setProperty("key.groups.placement", manifest.placement().text());
        }
        properties.setProperty("fingerprint", Long.toString(manifest.fingerprint()));
        properties.setProperty("created.epoch-ms", Long.toString(manifest.createdEpochMs()));
        properties.setProperty("shards", Integer.toString(manifest.shardCount()));
        properties.setProperty("digest", String.format("%016x", manifest.digest()));
        for (int i = 0; i < manifest.shardCount(); i++)
        {
            properties.setProperty("shard." + i + ".digest", String.format("%016x", manifest.digests()[i]));
            properties.setProperty("shard." + i + ".crc32c", Long.toString(manifest.checksums()[i]));
            properties.setProperty("shard." + i + ".bytes", Long.toString(manifest.lengths()[i]));
        }
        properties.setProperty("producer.crc32c", Long.toString(manifest.checksums()[manifest.shardCount()]));
        properties.setProperty("producer.bytes", Long.toString(manifest.lengths()[manifest.shardCount()]));
        final Path file = setDir.resolve(MANIFEST);
        final Path tmp = setDir.resolve(MANIFEST + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp))
        {
            properties.store(out, "Sluice snapshot set: complete when this file exists");
        }
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        moveAtomically(tmp, file);
    }

    /**
     * @param manifest a set's {@value #MANIFEST}.
     * @return what it says.
     * @throws SnapshotException when it cannot be read or lacks a field.
     */
    public static SnapshotManifest readManifest(final Path manifest)
    {
        final Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(manifest))
        {
            properties.load(in);
            final int shards = Integer.parseInt(required(properties, "shards", manifest));
            final long[] digests = new long[shards];
            final long[] checksums = new long[shards + 1];
            final long[] lengths = new long[shards + 1];
            for (int i = 0; i < shards; i++)
            {
                digests[i] = Long.parseUnsignedLong(required(properties, "shard." + i + ".digest", manifest), 16);
                checksums[i] = Long.parseLong(required(properties, "shard." + i + ".crc32c", manifest));
                lengths[i] = Long.parseLong(required(properties, "shard." + i + ".bytes", manifest));
            }
            checksums[shards] = Long.parseLong(required(properties, "producer.crc32c", manifest));
            lengths[shards] = Long.parseLong(required(properties, "producer.bytes", manifest));
            return new SnapshotManifest(
                Long.parseLong(required(properties, "snapshot.id", manifest)),
                Long.parseLong(required(properties, "journal.recording-id", manifest)),
                Long.parseLong(required(properties, "journal.position", manifest)),
                Long.parseLong(required(properties, "hash.seed", manifest)),
                Integer.parseInt(properties.getProperty("key.groups", "0")),
                Integer.parseInt(properties.getProperty("state.capacity", "0")),
                ShardRouter.Placement.of(properties.getProperty("key.groups.placement")),
                Long.parseLong(required(properties, "fingerprint", manifest)),
                Long.parseLong(required(properties, "created.epoch-ms", manifest)),
                digests, checksums, lengths);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new SnapshotException("cannot read snapshot manifest " + manifest + ": " + ex, ex);
        }
    }

    private static String required(final Properties properties, final String key, final Path file)
    {
        final String value = properties.getProperty(key);
        if (null == value)
        {
            throw new SnapshotException(file + " has no " + key);
        }
        return value;
    }

    private static ByteBuffer readChecked(final Path file, final long expectedChecksum, final long expectedLength)
    {
        final long size;
        try
        {
            size = Files.size(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new SnapshotException("snapshot part " + file + " is missing");
        }
        catch (final IOException ex)
        {
            throw new SnapshotException("cannot read snapshot part " + file + ": " + ex, ex);
        }
        if (size != expectedLength || size < 4 || size > Integer.MAX_VALUE)
        {
            throw new SnapshotException("snapshot part " + file + " has " + size + " bytes, the manifest says " +
                expectedLength);
        }
        final ByteBuffer bytes = ByteBuffer.allocateDirect((int)size).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            while (bytes.hasRemaining())
            {
                if (channel.read(bytes) < 0)
                {
                    throw new SnapshotException("snapshot part " + file + " ended early");
                }
            }
        }
        catch (final IOException ex)
        {
            throw new SnapshotException("cannot read snapshot part " + file + ": " + ex, ex);
        }
        bytes.flip();
        return SnapshotParts.checkTrailer(bytes, file.toString(), expectedChecksum);
    }

}
