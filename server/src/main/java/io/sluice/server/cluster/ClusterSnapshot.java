package io.sluice.server.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.client.ClusterException;
import io.aeron.logbuffer.FragmentHandler;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.snapshot.SnapshotException;
import io.sluice.core.snapshot.SnapshotParts;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Sluice's part of an Aeron Cluster snapshot: the same shard and producer parts, byte for byte, as a standalone
 * daemon's snapshot files ({@link SnapshotParts#shardPart}, each with its CRC-32C trailer), after a header that says
 * what they belong to. Written to the snapshot publication after the service container's own state; read back from
 * the snapshot image in {@code onStart}.
 * <pre>
 *   header message (little-endian):
 *    0  magic "SLUICCLS" (8)   8  version (4)   12  shard count (4)   16  hash seed (8)   24  fingerprint (8)
 *   32  snapshot id (8)        40  producer's last tick, cluster ns (8)   48  producer's last event, cluster ns (8)
 *   56  part lengths, shard 0..n-1 then the producer (8 each)
 *   then the parts' bytes in that order, in messages of at most {@link #CHUNK_LENGTH} bytes (less when the
 *   publication's largest message is smaller)
 * </pre>
 * Control path (snapshots and start-up): allocates.
 */
final class ClusterSnapshot
{
    static final long MAGIC = 0x534C_4353_4349_554CL;
    static final int VERSION = 2;
    static final int CHUNK_LENGTH = 64 * 1024;
    private static final int HEADER_LENGTH = 56;

    private ClusterSnapshot()
    {
    }

    /**
     * What a snapshot's header says.
     *
     * @param shardCount  shards.
     * @param hashSeed    the key hash's seed.
     * @param fingerprint the fingerprint of the settings that shape state.
     * @param snapshotId  the snapshot's id (the log position it was taken at).
     * @param lastTickNs  the producer's clock reading at its last tick (cluster time, ns).
     * @param lastEventNs the producer's clock reading at its last accepted event (cluster time, ns).
     */
    record Header(int shardCount, long hashSeed, long fingerprint, long snapshotId, long lastTickNs, long lastEventNs)
    {
    }

    /**
     * Write the parts to the snapshot publication, retrying back-pressure with the idle strategy.
     *
     * @param publication the cluster's snapshot publication.
     * @param header      what the parts belong to.
     * @param shards      each shard's part, shard i at index i.
     * @param producer    the producer's part.
     * @param idle        the cluster's idle strategy.
     * @return bytes of Sluice's parts written.
     * @throws ClusterException when the publication is closed.
     */
    static long write(
        final ExclusivePublication publication,
        final Header header,
        final ShardSnapshot[] shards,
        final ProducerSnapshot producer,
        final IdleStrategy idle)
    {
        final ByteBuffer[][] parts = new ByteBuffer[shards.length + 1][];
        for (int i = 0; i < shards.length; i++)
        {
            parts[i] = SnapshotParts.shardPart(shards[i]);
        }
        parts[shards.length] = SnapshotParts.producerPart(producer);

        final int chunkLength = Math.min(CHUNK_LENGTH, publication.maxMessageLength());
        final UnsafeBuffer chunk = new UnsafeBuffer(BufferUtil.allocateDirectAligned(CHUNK_LENGTH, 64));
        chunk.putLong(0, MAGIC, ByteOrder.LITTLE_ENDIAN);
        chunk.putInt(8, VERSION, ByteOrder.LITTLE_ENDIAN);
        chunk.putInt(12, header.shardCount(), ByteOrder.LITTLE_ENDIAN);
        chunk.putLong(16, header.hashSeed(), ByteOrder.LITTLE_ENDIAN);
        chunk.putLong(24, header.fingerprint(), ByteOrder.LITTLE_ENDIAN);
        chunk.putLong(32, header.snapshotId(), ByteOrder.LITTLE_ENDIAN);
        chunk.putLong(40, header.lastTickNs(), ByteOrder.LITTLE_ENDIAN);
        chunk.putLong(48, header.lastEventNs(), ByteOrder.LITTLE_ENDIAN);
        long total = 0;
        for (int i = 0; i < parts.length; i++)
        {
            final long length = lengthOf(parts[i]);
            chunk.putLong(HEADER_LENGTH + 8 * i, length, ByteOrder.LITTLE_ENDIAN);
            total += length;
        }
        offer(publication, chunk, HEADER_LENGTH + 8 * parts.length, idle);

        int filled = 0;
        for (final ByteBuffer[] part : parts)
        {
            for (final ByteBuffer section : part)
            {
                int position = section.position();
                final int limit = section.limit();
                while (position < limit)
                {
                    final int length = Math.min(limit - position, chunkLength - filled);
                    chunk.putBytes(filled, section, position, length);
                    filled += length;
                    position += length;
                    if (chunkLength == filled)
                    {
                        offer(publication, chunk, filled, idle);
                        filled = 0;
                    }
                }
            }
        }
        if (filled > 0)
        {
            offer(publication, chunk, filled, idle);
        }
        return total;
    }

    private static long lengthOf(final ByteBuffer[] sections)
    {
        long length = 0;
        for (final ByteBuffer section : sections)
        {
            length += section.remaining();
        }
        return length;
    }

    private static void offer(
        final ExclusivePublication publication, final DirectBuffer buffer, final int length, final IdleStrategy idle)
    {
        idle.reset();
        while (true)
        {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0)
            {
                return;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                throw new ClusterException("snapshot publication refused Sluice's parts: " + Publication.errorString(result));
            }
            idle.idle();
        }
    }

    /**
     * Sluice's parts as read from a snapshot image, each read into a part on demand (a node of another processor
     * count reads them one by one, {@code KeyGroupRestore}).
     */
    static final class Parts
    {
        private final Header header;
        private final ByteBuffer bytes;
        private final long[] lengths;

        Parts(final Header header, final ByteBuffer bytes, final long[] lengths)
        {
            this.header = header;
            this.bytes = bytes;
            this.lengths = lengths;
        }

        Header header()
        {
            return header;
        }

        /**
         * @param shard a shard of the snapshot, below {@link Header#shardCount()}.
         * @param into  filled with its part, its trailer checked.
         * @throws SnapshotException when the part does not read.
         */
        void loadShard(final int shard, final ShardSnapshot into)
        {
            SnapshotParts.readShardPart(slice(shard), into, "cluster snapshot " + header.snapshotId() + " shard " +
                shard);
        }

        /**
         * @param producer filled with the producer's part, its trailer checked.
         * @throws SnapshotException when the part does not read.
         */
        void loadProducer(final ProducerSnapshot producer)
        {
            SnapshotParts.readProducerPart(slice(header.shardCount()), producer, "cluster snapshot " +
                header.snapshotId() + " producer");
        }

        private ByteBuffer slice(final int part)
        {
            int offset = 0;
            for (int i = 0; i < part; i++)
            {
                offset += (int)lengths[i];
            }
            final ByteBuffer view = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            view.position(offset).limit(offset + (int)lengths[part]);
            return view.slice().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * Read Sluice's parts from a snapshot image, positioned after the container's own state.
     *
     * @param image the snapshot image.
     * @param idle  the cluster's idle strategy, between empty polls.
     * @return the parts, of any shard count.
     * @throws SnapshotException when the header does not read, or the image ends first.
     */
    static Parts read(final Image image, final IdleStrategy idle)
    {
        final Reader reader = new Reader();
        idle.reset();
        while (!reader.isDone())
        {
            final int fragments = image.poll(reader, 16);
            if (0 == fragments)
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    throw new SnapshotException("cluster snapshot ended before Sluice's parts were read: " +
                        reader.received + " of " + reader.total + " bytes");
                }
                idle.idle();
            }
        }
        return new Parts(reader.header, reader.bytes, reader.lengths);
    }

    /**
     * Takes the header message, then every later fragment's bytes in order until the parts are whole.
     */
    private static final class Reader implements FragmentHandler
    {
        private Header header;
        private long[] lengths;
        private ByteBuffer bytes;
        private long total = -1;
        private long received;

        boolean isDone()
        {
            return null != header && received == total;
        }

        public void onFragment(
            final DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header frame)
        {
            if (null == header)
            {
                if (length < HEADER_LENGTH || MAGIC != buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN) ||
                    VERSION != buffer.getInt(offset + 8, ByteOrder.LITTLE_ENDIAN))
                {
                    throw new SnapshotException("cluster snapshot does not hold Sluice version " + VERSION + " parts");
                }
                final int shardCount = buffer.getInt(offset + 12, ByteOrder.LITTLE_ENDIAN);
                lengths = new long[shardCount + 1];
                total = 0;
                for (int i = 0; i < lengths.length; i++)
                {
                    lengths[i] = buffer.getLong(offset + HEADER_LENGTH + 8 * i, ByteOrder.LITTLE_ENDIAN);
                    total += lengths[i];
                }
                if (total > Integer.MAX_VALUE)
                {
                    throw new SnapshotException("cluster snapshot parts of " + total + " bytes exceed 2 GiB");
                }
                bytes = ByteBuffer.allocateDirect((int)total).order(ByteOrder.LITTLE_ENDIAN);
                header = new Header(shardCount, buffer.getLong(offset + 16, ByteOrder.LITTLE_ENDIAN),
                    buffer.getLong(offset + 24, ByteOrder.LITTLE_ENDIAN), buffer.getLong(offset + 32, ByteOrder.LITTLE_ENDIAN),
                    buffer.getLong(offset + 40, ByteOrder.LITTLE_ENDIAN), buffer.getLong(offset + 48, ByteOrder.LITTLE_ENDIAN));
                return;
            }
            if (received + length > total)
            {
                throw new SnapshotException("cluster snapshot holds more than its header's " + total + " bytes");
            }
            buffer.getBytes(offset, bytes, (int)received, length);
            received += length;
        }
    }
}
