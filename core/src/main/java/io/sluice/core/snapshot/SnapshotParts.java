package io.sluice.core.snapshot;

import io.sluice.core.ring.GroupOwnership;
import io.sluice.core.ring.ProducerSnapshot;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A snapshot part's bytes: how a shard's part and the producer's part are laid out, written and read back, each
 * ending with a CRC-32C trailer. The same bytes whether a part is a file of {@link SnapshotStore} or a section of a
 * cluster's snapshot recording.
 * <p>
 * Part layout (little-endian), shard part, version 2:
 * <pre>
 *    0  magic "SLUICSNP" (8)     8  version (4)         12  kind (4)          16  shard (4)
 *   20  capacity (4)            24  slot length (4)    28  table length (4)  32  snapshot id (8)
 *   40  free count (4)          44  bucket count (4)   48  watermark (8)     56  closed up to (8)
 *   64  key groups G (4)        68  keys held n (4)
 *   72  key-group index: group starts (G + 1, 4 each: group g's keys are entries [start g, start g+1) of the
 *       slots), slots (n, 4 each, by group)
 *       then table bytes, free slots (4 each), bucket sizes (4 each), bucket entries (8 each), CRC-32C (4)
 * </pre>
 * One group's keys are read without the rest ({@link SnapshotStore#readGroup}): the index is at a fixed place,
 * and a slot's bytes at {@code 72 + 4 (G + 1 + n) + index bytes + slot x slot length}. Version 1 (before key
 * groups) is the same without bytes 64 to 72 and the index; it still reads, its groups computed by walking its
 * table ({@link ShardSnapshot#indexGroups}).
 * Producer part: magic "SLUICPRD", version, windows on (4), snapshot id, newest event time, watermark, last tick
 * watermark (8 each), mark count (4), then (client id, mark) pairs (8 + 8), CRC-32C (4). Version 2 (a producer in
 * a topology) goes on before the CRC with its ownership: key groups (4), epoch (8), owned-group words w (4) and w
 * longs (one bit a group), transitions (4), each: epoch (8), first group (4), last group (4), action (4), marks m
 * (4), then m (client id, mark) pairs. A version 1 part still reads, as a producer without topology.
 * <p>
 * Control path: allocates; no state.
 */
public final class SnapshotParts
{
    private static final long SHARD_MAGIC = 0x504E53434955_4C53L;
    private static final long PRODUCER_MAGIC = 0x445250434955_4C53L;
    private static final int VERSION = 1;
    private static final int SHARD_VERSION = 2;
    private static final int PRODUCER_TOPOLOGY_VERSION = 2;
    private static final int V1_HEADER_LENGTH = 64;
    static final int SHARD_HEADER_LENGTH = 72;

    private SnapshotParts()
    {
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

    static ByteBuffer[] withTrailer(final ByteBuffer[] sections)
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

    static ByteBuffer[] shardSections(final ShardSnapshot part)
    {
        final int[] bucketSizes = part.bucketSizes();
        final int groups = part.keyGroupCount();
        if (0 == groups)
        {
            throw new IllegalStateException("shard " + part.shard() + "'s part has no key-group index");
        }
        final int held = part.indexedKeys();
        final ByteBuffer header = ByteBuffer.allocate(SHARD_HEADER_LENGTH + 4 * (groups + 1 + held))
            .order(ByteOrder.LITTLE_ENDIAN)
            .putLong(SHARD_MAGIC).putInt(SHARD_VERSION).putInt(part.kind()).putInt(part.shard())
            .putInt(part.capacity()).putInt(part.slotLength()).putInt(part.tableLength()).putLong(part.snapshotId())
            .putInt(part.freeCount()).putInt(bucketSizes.length).putLong(part.watermark()).putLong(part.closedUpTo())
            .putInt(groups).putInt(held);
        header.asIntBuffer().put(part.groupStarts(), 0, groups + 1).put(part.groupSlots(), 0, held);
        header.position(header.limit()).flip();
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

    static ByteBuffer[] producerSections(final ProducerSnapshot producer)
    {
        final long[] words = producer.owned().toLongArray();
        int ownershipBytes = 0;
        if (producer.hasOwnership())
        {
            ownershipBytes = 20 + 8 * words.length;
            for (final GroupOwnership.Transition transition : producer.history())
            {
                ownershipBytes += 24 + 16 * transition.clientIds().length;
            }
        }
        final ByteBuffer bytes = ByteBuffer.allocate(56 + 16 * producer.markCount() + ownershipBytes)
            .order(ByteOrder.LITTLE_ENDIAN).putLong(PRODUCER_MAGIC)
            .putInt(producer.hasOwnership() ? PRODUCER_TOPOLOGY_VERSION : VERSION).putInt(producer.hasWatermark() ? 1 : 0)
            .putLong(producer.snapshotId()).putLong(producer.maxTimestamp()).putLong(producer.watermark())
            .putLong(producer.lastTickWatermark()).putInt(producer.markCount()).putInt(0);
        for (int i = 0; i < producer.markCount(); i++)
        {
            bytes.putLong(producer.clientId(i)).putLong(producer.mark(i));
        }
        if (producer.hasOwnership())
        {
            bytes.putInt(producer.keyGroupCount()).putLong(producer.epoch()).putInt(words.length);
            for (final long word : words)
            {
                bytes.putLong(word);
            }
            bytes.putInt(producer.history().size());
            for (final GroupOwnership.Transition transition : producer.history())
            {
                bytes.putLong(transition.epoch()).putInt(transition.firstGroup()).putInt(transition.lastGroup())
                    .putInt(transition.action()).putInt(transition.clientIds().length);
                for (int i = 0; i < transition.clientIds().length; i++)
                {
                    bytes.putLong(transition.clientIds()[i]).putLong(transition.marks()[i]);
                }
            }
        }
        bytes.flip();
        return new ByteBuffer[]{ bytes };
    }

    /**
     * Check a part's CRC-32C trailer (and, when not -1, the checksum its manifest expects); the part's bytes then end
     * before the trailer.
     */
    static ByteBuffer checkTrailer(final ByteBuffer bytes, final String source, final long expectedChecksum)
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

    static void readShard(final String file, final ByteBuffer bytes, final ShardSnapshot part)
    {
        final int version = bytes.remaining() < V1_HEADER_LENGTH ? 0 : bytes.getInt(8);
        if (bytes.remaining() < V1_HEADER_LENGTH || SHARD_MAGIC != bytes.getLong(0) ||
            (VERSION != version && SHARD_VERSION != version) ||
            (SHARD_VERSION == version && bytes.remaining() < SHARD_HEADER_LENGTH))
        {
            throw new SnapshotException(file + " is not a version " + VERSION + " or " + SHARD_VERSION +
                " shard part");
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
        int offset = V1_HEADER_LENGTH;
        if (SHARD_VERSION == version)
        {
            final int groups = bytes.getInt(64);
            final int held = bytes.getInt(68);
            if (groups < 1 || held < 0 || held > capacity ||
                bytes.limit() < SHARD_HEADER_LENGTH + 4L * (groups + 1 + held))
            {
                throw new SnapshotException(file + " has a key-group index of " + groups + " groups and " + held +
                    " keys that does not fit it");
            }
            final int[] starts = new int[groups + 1];
            final int[] slots = new int[held];
            bytes.position(SHARD_HEADER_LENGTH);
            bytes.asIntBuffer().get(starts).get(slots);
            bytes.position(0);
            part.groupIndex(groups, starts, slots);
            offset = SHARD_HEADER_LENGTH + 4 * (groups + 1 + held);
        }
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

    static ByteBuffer readGroup(final java.nio.channels.FileChannel channel, final String file, final int group)
        throws java.io.IOException
    {
        final ByteBuffer header = readAt(channel, file, 0, SHARD_HEADER_LENGTH);
        if (SHARD_MAGIC != header.getLong(0) || SHARD_VERSION != header.getInt(8))
        {
            throw new SnapshotException(file + " is not a version " + SHARD_VERSION + " shard part: it has no " +
                "key-group index");
        }
        final int capacity = header.getInt(20);
        final int slotLength = header.getInt(24);
        final int groups = header.getInt(64);
        final int held = header.getInt(68);
        if (group < 0 || group >= groups)
        {
            throw new SnapshotException(file + " has key groups [0, " + groups + "), not " + group);
        }
        final ByteBuffer range = readAt(channel, file, SHARD_HEADER_LENGTH + 4L * group, 8);
        final int start = range.getInt(0);
        final int count = range.getInt(4) - start;
        if (start < 0 || count < 0 || start + count > held)
        {
            throw new SnapshotException(file + "'s key-group index is damaged at group " + group);
        }
        final ByteBuffer slots = readAt(channel, file, SHARD_HEADER_LENGTH + 4L * (groups + 1 + start), 4 * count);
        final long data = SHARD_HEADER_LENGTH + 4L * (groups + 1 + held) + 2L * capacity * 16;
        final ByteBuffer keys = ByteBuffer.allocate(count * slotLength).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++)
        {
            final int slot = slots.getInt(4 * i);
            if (slot < 0 || slot >= capacity)
            {
                throw new SnapshotException(file + "'s key-group index names slot " + slot + " of " + capacity);
            }
            keys.put(readAt(channel, file, data + (long)slot * slotLength, slotLength));
        }
        return keys.flip();
    }

    private static ByteBuffer readAt(
        final java.nio.channels.FileChannel channel, final String file, final long position, final int length)
        throws java.io.IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (bytes.hasRemaining())
        {
            if (channel.read(bytes, position + bytes.position()) < 0)
            {
                throw new SnapshotException(file + " ended before byte " + (position + length));
            }
        }
        return bytes.flip();
    }

    static void readProducer(final String file, final ByteBuffer bytes, final ProducerSnapshot producer)
    {
        final int version = bytes.remaining() < 56 ? 0 : bytes.getInt(8);
        if (bytes.remaining() < 56 || PRODUCER_MAGIC != bytes.getLong(0) ||
            (VERSION != version && PRODUCER_TOPOLOGY_VERSION != version))
        {
            throw new SnapshotException(file + " is not a version " + VERSION + " or " + PRODUCER_TOPOLOGY_VERSION +
                " producer part");
        }
        producer.set(bytes.getLong(16), 1 == bytes.getInt(12), bytes.getLong(24), bytes.getLong(32), bytes.getLong(40));
        final int count = bytes.getInt(48);
        if (VERSION == version ? bytes.limit() != 56 + 16L * count : bytes.limit() < 56 + 16L * count)
        {
            throw new SnapshotException(file + " holds " + count + " marks but has " + bytes.limit() + " bytes");
        }
        for (int i = 0; i < count; i++)
        {
            producer.addMark(bytes.getLong(56 + 16 * i), bytes.getLong(64 + 16 * i));
        }
        if (PRODUCER_TOPOLOGY_VERSION == version)
        {
            try
            {
                readOwnership(bytes.position(56 + 16 * count), producer);
            }
            catch (final RuntimeException ex)
            {
                throw new SnapshotException(file + "'s ownership section does not read: " + ex, ex);
            }
        }
    }

    private static void readOwnership(final ByteBuffer bytes, final ProducerSnapshot producer)
    {
        final int keyGroupCount = bytes.getInt();
        final long epoch = bytes.getLong();
        final long[] words = new long[bytes.getInt()];
        for (int i = 0; i < words.length; i++)
        {
            words[i] = bytes.getLong();
        }
        final java.util.List<GroupOwnership.Transition> history = new java.util.ArrayList<>();
        final int transitions = bytes.getInt();
        for (int t = 0; t < transitions; t++)
        {
            final long transitionEpoch = bytes.getLong();
            final int first = bytes.getInt();
            final int last = bytes.getInt();
            final int action = bytes.getInt();
            final int marks = bytes.getInt();
            final long[] clientIds = new long[marks];
            final long[] values = new long[marks];
            for (int i = 0; i < marks; i++)
            {
                clientIds[i] = bytes.getLong();
                values[i] = bytes.getLong();
            }
            history.add(new GroupOwnership.Transition(transitionEpoch, first, last, action, clientIds, values));
        }
        if (keyGroupCount < 1 || bytes.hasRemaining())
        {
            throw new IllegalStateException(keyGroupCount + " key groups, " + bytes.remaining() + " bytes left over");
        }
        producer.ownership(keyGroupCount, epoch, java.util.BitSet.valueOf(words), history);
        bytes.position(0);
    }
}
