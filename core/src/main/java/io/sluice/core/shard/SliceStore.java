package io.sluice.core.shard;

import io.sluice.core.route.ShardRouter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The slices of key-group moves (scale-out): where they live, their part files and their manifest.
 * <pre>
 *   &lt;root&gt;/move-&lt;move id&gt;/part-&lt;shard&gt;.slice   one per processor of the releasing appliance
 *   &lt;root&gt;/move-&lt;move id&gt;/slice.properties       the manifest ({@link SliceManifest}), written last
 * </pre>
 * Part layout (little-endian):
 * <pre>
 *    0  magic "SLUICSLC" (8)   8  version (4)          12  state kind (4)      16  move id (8)
 *   24  epoch (8)             32  first group (4)      36  last group (4)      40  key groups (4)
 *   44  slot length (4)       48  hash seed (8)        56  shard (4)           60  keys n (4)
 *   64  n data slots ({@code KeyStateTable}'s layout, the key at byte 56 of each), then CRC-32C (4) of all before
 * </pre>
 * Files are written to a temporary name, forced to disk and moved into place. Control path (and a processor
 * carrying out an OWNERSHIP entry): allocates. Failures are
 * {@link IllegalStateException}s naming the file and what is wrong, or {@link UncheckedIOException}s.
 */
public final class SliceStore
{
    /** The manifest's file name. */
    public static final String MANIFEST = "slice.properties";
    /** Bytes of a part's header. */
    public static final int HEADER_LENGTH = 64;
    private static final long MAGIC = 0x434C534349554C53L;
    private static final int VERSION = 1;

    private SliceStore()
    {
    }

    /**
     * A move's manifest.
     *
     * @param moveId     the move.
     * @param epoch      the epoch of the release.
     * @param firstGroup first key group.
     * @param lastGroup  last key group, inclusive.
     * @param parts      part files, {@code part-0.slice} to {@code part-<parts - 1>.slice}.
     * @param keys       keys in all parts.
     * @param bytes      bytes of all parts.
     * @param source     the releasing appliance's name.
     */
    public record SliceManifest(
        long moveId, long epoch, int firstGroup, int lastGroup, int parts, long keys, long bytes, String source)
    {
    }

    /**
     * One part read back and checked against its CRC.
     *
     * @param moveId        the move.
     * @param epoch         the epoch of the release.
     * @param firstGroup    first key group.
     * @param lastGroup     last key group, inclusive.
     * @param keyGroupCount key groups of the releasing appliance.
     * @param hashSeed      its hash seed.
     * @param kind          its state kind ({@code ShardSnapshot.KIND_}).
     * @param slotLength    bytes per data slot.
     * @param shard         the shard that wrote it.
     * @param keys          keys held.
     * @param slots         the data slots, slot i at {@code i * slotLength}.
     */
    public record SlicePart(
        long moveId, long epoch, int firstGroup, int lastGroup, int keyGroupCount, long hashSeed, int kind,
        int slotLength, int shard, int keys, UnsafeBuffer slots)
    {
        /**
         * @param i a key's index, below {@link #keys()}.
         * @return where its data slot starts in {@link #slots()}.
         */
        public int slotOffset(final int i)
        {
            return i * slotLength;
        }

        /**
         * @param i a key's index, below {@link #keys()}.
         * @return the key.
         */
        public long key(final int i)
        {
            return slots.getLong(i * slotLength + 56);
        }
    }

    /**
     * @param root    the slices' directory.
     * @param moveId  a move.
     * @return its directory, {@code <root>/move-<moveId>}.
     */
    public static Path moveDir(final Path root, final long moveId)
    {
        return root.resolve("move-" + moveId);
    }

    /**
     * @param moveDir a move's directory.
     * @param shard   a shard of the releasing appliance.
     * @return its part file.
     */
    public static Path partFile(final Path moveDir, final int shard)
    {
        return moveDir.resolve("part-" + shard + ".slice");
    }

    /**
     * Write a part atomically (a temporary file moved into place): the same input gives the same bytes, so writing
     * it again (a recovery replaying the release) changes nothing.
     *
     * @param moveDir the move's directory, made when missing.
     * @param header  the part's fields ({@code slots} and {@code keys} give the slots to write).
     * @return bytes written.
     */
    public static long writePart(final Path moveDir, final SlicePart header)
    {
        final int slotBytes = header.keys() * header.slotLength();
        final ByteBuffer bytes = ByteBuffer.allocate(HEADER_LENGTH + slotBytes + 4).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(MAGIC).putInt(VERSION).putInt(header.kind()).putLong(header.moveId()).putLong(header.epoch())
            .putInt(header.firstGroup()).putInt(header.lastGroup()).putInt(header.keyGroupCount())
            .putInt(header.slotLength()).putLong(header.hashSeed()).putInt(header.shard()).putInt(header.keys());
        header.slots().getBytes(0, bytes, HEADER_LENGTH, slotBytes);
        final CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, HEADER_LENGTH + slotBytes);
        bytes.putInt(HEADER_LENGTH + slotBytes, (int)crc.getValue());
        final Path file = partFile(moveDir, header.shard());
        writeAtomically(file, bytes.array());
        return bytes.capacity();
    }

    /**
     * Read a part and check its magic, version, length and CRC.
     *
     * @param file the part file.
     * @return the part.
     * @throws IllegalStateException when it is not a whole, intact part.
     */
    public static SlicePart readPart(final Path file)
    {
        final byte[] raw;
        try
        {
            raw = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read slice part " + file + ": " + ex.getMessage(), ex);
        }
        final ByteBuffer bytes = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        if (raw.length < HEADER_LENGTH + 4 || MAGIC != bytes.getLong(0) || VERSION != bytes.getInt(8))
        {
            throw new IllegalStateException(file + " is not a version " + VERSION + " slice part");
        }
        final CRC32C crc = new CRC32C();
        crc.update(raw, 0, raw.length - 4);
        final long trailer = Integer.toUnsignedLong(bytes.getInt(raw.length - 4));
        if (crc.getValue() != trailer)
        {
            throw new IllegalStateException(String.format(
                "slice part %s fails its checksum: CRC-32C of its bytes is %08x, its trailer says %08x",
                file, crc.getValue(), trailer));
        }
        final int slotLength = bytes.getInt(44);
        final int keys = bytes.getInt(60);
        if (slotLength < 64 || keys < 0 || raw.length != HEADER_LENGTH + (long)keys * slotLength + 4)
        {
            throw new IllegalStateException(file + " holds " + keys + " slots of " + slotLength + " bytes but has " +
                raw.length + " bytes");
        }
        return new SlicePart(bytes.getLong(16), bytes.getLong(24), bytes.getInt(32), bytes.getInt(36),
            bytes.getInt(40), bytes.getLong(48), bytes.getInt(12), slotLength, bytes.getInt(56), keys,
            new UnsafeBuffer(raw, HEADER_LENGTH, keys * slotLength));
    }

    /**
     * Write a move's manifest atomically, after its parts.
     *
     * @param moveDir  the move's directory.
     * @param manifest the manifest.
     */
    public static void writeManifest(final Path moveDir, final SliceManifest manifest)
    {
        final Properties properties = new Properties();
        properties.setProperty("move-id", Long.toString(manifest.moveId()));
        properties.setProperty("epoch", Long.toString(manifest.epoch()));
        properties.setProperty("first-group", Integer.toString(manifest.firstGroup()));
        properties.setProperty("last-group", Integer.toString(manifest.lastGroup()));
        properties.setProperty("parts", Integer.toString(manifest.parts()));
        properties.setProperty("keys", Long.toString(manifest.keys()));
        properties.setProperty("bytes", Long.toString(manifest.bytes()));
        properties.setProperty("source", manifest.source());
        final java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        try
        {
            properties.store(text, "sluice key-group move " + manifest.moveId());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        writeAtomically(moveDir.resolve(MANIFEST), text.toByteArray());
    }

    /**
     * @param moveDir a move's directory.
     * @return its manifest.
     * @throws IllegalStateException naming the file and the key when it is missing, incomplete or not a number.
     */
    public static SliceManifest readManifest(final Path moveDir)
    {
        final Path file = moveDir.resolve(MANIFEST);
        final Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file))
        {
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read slice manifest " + file + ": " + ex.getMessage(), ex);
        }
        final SliceManifest manifest = new SliceManifest(number(properties, file, "move-id"),
            number(properties, file, "epoch"), (int)number(properties, file, "first-group"),
            (int)number(properties, file, "last-group"), (int)number(properties, file, "parts"),
            number(properties, file, "keys"), number(properties, file, "bytes"),
            properties.getProperty("source", ""));
        if (manifest.parts() < 1 || manifest.firstGroup() < 0 || manifest.lastGroup() < manifest.firstGroup())
        {
            throw new IllegalStateException(file + " names " + manifest.parts() + " parts and groups " +
                manifest.firstGroup() + "-" + manifest.lastGroup() + ": not a move");
        }
        return manifest;
    }

    /**
     * Count the keys of a move each shard of an appliance would receive (so the control path refuses an acquire
     * that does not fit before it enters the ring); reads and checks every part.
     *
     * @param moveDir    the move's directory, with its manifest.
     * @param router     the receiving appliance's key hash and key groups.
     * @param shardCount its processors.
     * @return keys per shard, shard i at index i.
     * @throws IllegalStateException when a part is not intact or was written under another key-group count or seed.
     */
    public static long[] keysPerShard(final Path moveDir, final ShardRouter router, final int shardCount)
    {
        final SliceManifest manifest = readManifest(moveDir);
        final long[] keys = new long[shardCount];
        for (int p = 0; p < manifest.parts(); p++)
        {
            final SlicePart part = readPart(partFile(moveDir, p));
            checkPlacement(part, partFile(moveDir, p), router);
            for (int i = 0; i < part.keys(); i++)
            {
                final int group = router.keyGroup(router.hash(part.key(i)));
                if (group >= manifest.firstGroup() && group <= manifest.lastGroup())
                {
                    keys[router.owner(group, shardCount)]++;
                }
            }
        }
        return keys;
    }

    /**
     * @param part   a part read back.
     * @param file   its file, for the message.
     * @param router the reading appliance's key hash.
     * @throws IllegalStateException when the part was placed by another key-group count or hash seed.
     */
    static void checkPlacement(final SlicePart part, final Path file, final ShardRouter router)
    {
        if (part.keyGroupCount() != router.keyGroupCount() || part.hashSeed() != router.seed())
        {
            throw new IllegalStateException(file + " was written with " + part.keyGroupCount() +
                " key groups and hash seed " + part.hashSeed() + ", this appliance has " + router.keyGroupCount() +
                " and " + router.seed());
        }
    }

    /**
     * Copy a move's directory from one slices root to another (the parts, then the manifest), replacing what the
     * target held of it.
     *
     * @param fromRoot the source root.
     * @param toRoot   the target root.
     * @param moveId   the move.
     */
    public static void copyMove(final Path fromRoot, final Path toRoot, final long moveId)
    {
        final Path from = moveDir(fromRoot, moveId);
        final Path to = moveDir(toRoot, moveId);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : files.sorted().toList())
            {
                if (!MANIFEST.equals(file.getFileName().toString()))
                {
                    writeAtomically(to.resolve(file.getFileName().toString()), Files.readAllBytes(file));
                }
            }
            writeAtomically(to.resolve(MANIFEST), Files.readAllBytes(from.resolve(MANIFEST)));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot copy move " + moveId + " from " + from + " to " + to + ": " +
                ex.getMessage(), ex);
        }
    }

    private static long number(final Properties properties, final Path file, final String key)
    {
        final String value = properties.getProperty(key);
        if (null == value)
        {
            throw new IllegalStateException(file + " has no " + key);
        }
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalStateException(file + ": " + key + "=" + value + " is not a number", ex);
        }
    }

    private static void writeAtomically(final Path file, final byte[] bytes)
    {
        try
        {
            Files.createDirectories(file.getParent());
            final Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }
}
