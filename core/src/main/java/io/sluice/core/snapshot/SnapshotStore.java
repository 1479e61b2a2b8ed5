package io.sluice.core.snapshot;

import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.snapshot.ShardSnapshot;
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
 * Part layout (little-endian), shard part:
 * <pre>
 *    0  magic "SLUICSNP" (8)     8  version (4)         12  kind (4)          16  shard (4)
 *   20  capacity (4)            24  slot length (4)    28  table length (4)  32  snapshot id (8)
 *   40  free count (4)          44  bucket count (4)   48  watermark (8)     56  closed up to (8)
 *   64  table bytes, free slots (4 each), bucket sizes (4 each), bucket entries (8 each), CRC-32C (4)
 * </pre>
 * Producer part: magic "SLUICPRD", version, windows on (4), snapshot id, newest event time, watermark, last tick
 * watermark (8 each), mark count (4), then (client id, mark) pairs (8 + 8), CRC-32C (4).
 * <p>
 * Writer thread and start-up only; not thread safe.
 */
public final class SnapshotStore
{
    /** File name of a set's manifest. */
    public static final String MANIFEST = "manifest.properties";
    /** File name of the producer's part. */
    public static final String PRODUCER_PART = "producer.part";

    private static final long SHARD_MAGIC = 0x504E53434955_4C53L;
    private static final long PRODUCER_MAGIC = 0x445250434955_4C53L;
    private static final int VERSION = 1;
    private static final int SHARD_HEADER_LENGTH = 64;

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
     * @param hashSeed        the key hash's seed.
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
        final long hashSeed,
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
                final Written written = writeAtomically(setDir.resolve(partName(i)), shardSections(part));
                checksums[i] = written.checksum;
                lengths[i] = written.length;
            }
            final Written written = writeAtomically(setDir.resolve(PRODUCER_PART), producerSections(producer));
            checksums[parts.length] = written.checksum;
            lengths[parts.length] = written.length;

            final SnapshotManifest manifest = new SnapshotManifest(snapshotId, recordingId, journalPosition, hashSeed,
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
        final Path setDir = setDir(manifest.snapshotId());
        for (int i = 0; i < parts.length; i++)
        {
            final Path file = setDir.resolve(partName(i));
            final ByteBuffer bytes = readChecked(file, manifest.checksums()[i], manifest.lengths()[i]);
            readShard(file.toString(), bytes, parts[i]);
            if (parts[i].shard() != i || parts[i].snapshotId() != manifest.snapshotId())
            {
                throw new SnapshotException(file + " holds shard " + parts[i].shard() + " of snapshot " +
                    parts[i].snapshotId() + ", not shard " + i + " of snapshot " + manifest.snapshotId());
            }
        }
        final Path file = setDir.resolve(PRODUCER_PART);
        readProducer(file.toString(), readChecked(file, manifest.checksums()[parts.length], manifest.lengths()[parts.length]),
            producer);
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

    /**
     * A shard part exactly as its file holds it, for a snapshot kept elsewhere (a cluster's snapshot recording):
     * the sections in order, the last one the CRC-32C trailer. The table section is a view of the part's own buffer.
     * Control path: allocates.
     *
     * @param part a shard's part, filled by its processor.
     * @return the sections; their bytes concatenated are the part.
     */
    public static ByteBuffer[] shardPart(final ShardSnapshot part)
    {
        return withTrailer(shardSections(part));
    }

    /**
     * The producer's part exactly as its file holds it, trailer included ({@link #shardPart}).
     *
     * @param producer the producer's part.
     * @return the sections; their bytes concatenated are the part.
     */
    public static ByteBuffer[] producerPart(final ProducerSnapshot producer)
    {
        return withTrailer(producerSections(producer));
    }

    /**
     * Read a shard part from its bytes ({@link #shardPart} concatenated), checking its CRC-32C trailer.
     *
     * @param bytes  the part, trailer included, little-endian, from position 0 to its limit.
     * @param part   filled with the shard's state.
     * @param source names the bytes in a failure.
     * @throws SnapshotException when the trailer does not match or the part does not read.
     */
    public static void readShardPart(final ByteBuffer bytes, final ShardSnapshot part, final String source)
    {
        readShard(source, checkTrailer(bytes, source, -1), part);
    }

    /**
     * Read the producer's part from its bytes ({@link #producerPart} concatenated), checking its trailer.
     *
     * @param bytes    the part, trailer included, little-endian, from position 0 to its limit.
     * @param producer filled with the producer's state.
     * @param source   names the bytes in a failure.
     * @throws SnapshotException when the trailer does not match or the part does not read.
     */
    public static void readProducerPart(final ByteBuffer bytes, final ProducerSnapshot producer, final String source)
    {
        readProducer(source, checkTrailer(bytes, source, -1), producer);
    }

    private static ByteBuffer[] withTrailer(final ByteBuffer[] sections)
    {
        final CRC32C crc = new CRC32C();
        for (final ByteBuffer section : sections)
        {
            crc.update(section.duplicate());
        }
        final ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int)crc.getValue()).flip();
        final ByteBuffer[] all = java.util.Arrays.copyOf(sections, sections.length + 1);
        all[sections.length] = trailer;
        return all;
    }

    private static ByteBuffer[] shardSections(final ShardSnapshot part)
    {
        final int[] bucketSizes = part.bucketSizes();
        final ByteBuffer header = ByteBuffer.allocate(SHARD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(SHARD_MAGIC).putInt(VERSION).putInt(part.kind()).putInt(part.shard()).putInt(part.capacity())
            .putInt(part.slotLength()).putInt(part.tableLength()).putLong(part.snapshotId()).putInt(part.freeCount())
            .putInt(bucketSizes.length).putLong(part.watermark()).putLong(part.closedUpTo());
        header.flip();
        final ByteBuffer table = part.table().byteBuffer().duplicate();
        table.clear().limit(part.tableLength());

        long entries = 0;
        for (final int size : bucketSizes)
        {
            entries += size;
        }
        final ByteBuffer tail = ByteBuffer.allocate(Math.toIntExact(
            4L * part.freeCount() + 4L * bucketSizes.length + 8L * entries)).order(ByteOrder.LITTLE_ENDIAN);
        final int[] free = part.freeSlots();
        for (int i = 0; i < part.freeCount(); i++)
        {
            tail.putInt(free[i]);
        }
        for (final int size : bucketSizes)
        {
            tail.putInt(size);
        }
        final long[][] buckets = part.buckets();
        for (int b = 0; b < bucketSizes.length; b++)
        {
            for (int i = 0; i < bucketSizes[b]; i++)
            {
                tail.putLong(buckets[b][i]);
            }
        }
        tail.flip();
        return new ByteBuffer[]{ header, table, tail };
    }

    private static ByteBuffer[] producerSections(final ProducerSnapshot producer)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(56 + 16 * producer.markCount()).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(PRODUCER_MAGIC).putInt(VERSION).putInt(producer.hasWatermark() ? 1 : 0)
            .putLong(producer.snapshotId()).putLong(producer.maxTimestamp()).putLong(producer.watermark())
            .putLong(producer.lastTickWatermark()).putInt(producer.markCount()).putInt(0);
        for (int i = 0; i < producer.markCount(); i++)
        {
            bytes.putLong(producer.clientId(i)).putLong(producer.mark(i));
        }
        bytes.flip();
        return new ByteBuffer[]{ bytes };
    }

    private record Written(long checksum, long length)
    {
    }

    private static Written writeAtomically(final Path file, final ByteBuffer[] sections) throws IOException
    {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        final ByteBuffer[] all = withTrailer(sections);
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
                Long.parseLong(required(properties, "fingerprint", manifest)),
                Long.parseLong(required(properties, "created.epoch-ms", manifest)),
                digests, checksums, lengths);
        }
        catch (final IOException | NumberFormatException ex)
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
        return checkTrailer(bytes, file.toString(), expectedChecksum);
    }

    /**
     * Check a part's CRC-32C trailer (and, when not -1, the checksum its manifest expects); the part's bytes then end
     * before the trailer.
     */
    private static ByteBuffer checkTrailer(final ByteBuffer bytes, final String source, final long expectedChecksum)
    {
        final int size = bytes.limit();
        if (size < 4)
        {
            throw new SnapshotException("snapshot part " + source + " has " + size + " bytes, too few for its trailer");
        }
        bytes.order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        final ByteBuffer body = bytes.duplicate();
        body.position(0).limit(size - 4);
        crc.update(body);
        final long trailer = Integer.toUnsignedLong(bytes.getInt(size - 4));
        if (crc.getValue() != trailer || (-1 != expectedChecksum && trailer != expectedChecksum))
        {
            throw new SnapshotException(String.format(
                "snapshot part %s fails its checksum: CRC-32C of its bytes is %08x, its trailer says %08x, " +
                "the manifest %08x", source, crc.getValue(), trailer, expectedChecksum));
        }
        bytes.limit(size - 4);
        return bytes;
    }

    private static void readShard(final String file, final ByteBuffer bytes, final ShardSnapshot part)
    {
        if (bytes.remaining() < SHARD_HEADER_LENGTH || SHARD_MAGIC != bytes.getLong(0) || VERSION != bytes.getInt(8))
        {
            throw new SnapshotException(file + " is not a version " + VERSION + " shard part");
        }
        final int kind = bytes.getInt(12);
        final int shard = bytes.getInt(16);
        final int capacity = bytes.getInt(20);
        final int slotLength = bytes.getInt(24);
        final int tableLength = bytes.getInt(28);
        final long snapshotId = bytes.getLong(32);
        final int freeCount = bytes.getInt(40);
        final int bucketCount = bytes.getInt(44);
        final UnsafeBuffer table = part.begin(shard, snapshotId, kind, capacity, slotLength, tableLength);
        int offset = SHARD_HEADER_LENGTH;
        table.putBytes(0, bytes, offset, tableLength);
        offset += tableLength;
        final int[] free = part.freeSlots();
        for (int i = 0; i < freeCount; i++, offset += 4)
        {
            free[i] = bytes.getInt(offset);
        }
        part.freeCount(freeCount);
        final int[] sizes = new int[bucketCount];
        for (int i = 0; i < bucketCount; i++, offset += 4)
        {
            sizes[i] = bytes.getInt(offset);
        }
        final long[][] buckets = new long[bucketCount][];
        for (int b = 0; b < bucketCount; b++)
        {
            buckets[b] = new long[sizes[b]];
            for (int i = 0; i < sizes[b]; i++, offset += 8)
            {
                buckets[b][i] = bytes.getLong(offset);
            }
        }
        part.windows(bytes.getLong(48), bytes.getLong(56));
        part.schedule(sizes, buckets);
        if (offset != bytes.limit())
        {
            throw new SnapshotException(file + " has " + (bytes.limit() - offset) + " bytes after its last section");
        }
    }

    private static void readProducer(final String file, final ByteBuffer bytes, final ProducerSnapshot producer)
    {
        if (bytes.remaining() < 56 || PRODUCER_MAGIC != bytes.getLong(0) || VERSION != bytes.getInt(8))
        {
            throw new SnapshotException(file + " is not a version " + VERSION + " producer part");
        }
        producer.set(bytes.getLong(16), 1 == bytes.getInt(12), bytes.getLong(24), bytes.getLong(32), bytes.getLong(40));
        final int count = bytes.getInt(48);
        if (bytes.limit() != 56 + 16L * count)
        {
            throw new SnapshotException(file + " holds " + count + " marks but has " + bytes.limit() + " bytes");
        }
        for (int i = 0; i < count; i++)
        {
            producer.addMark(bytes.getLong(56 + 16 * i), bytes.getLong(64 + 16 * i));
        }
    }
}
