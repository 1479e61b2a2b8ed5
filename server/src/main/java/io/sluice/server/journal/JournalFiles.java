package io.sluice.server.journal;

import io.aeron.archive.CatalogView;
import io.aeron.archive.client.AeronArchive;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The journal's files, read without an Archive: the recording's description from the Archive's catalog and its
 * messages straight from the segment files, mapped read-only. Recovery reads them so (it runs before anything else);
 * the journal tools ({@code sluice replay}, {@code sluice journal export}) too, which is also how they read a live
 * daemon's journal without asking its Archive (and its thread) for anything.
 */
public final class JournalFiles
{
    /** Aeron Archive names a recording's segment files {@code <recording id>-<segment base position>.rec}. */
    private static final String SEGMENT_FILE_SUFFIX = ".rec";

    private JournalFiles()
    {
    }

    /**
     * Find the journal's recording (the newest of the journal stream) in the catalog, read-only: a running Archive
     * may own it. An active recording (or one whose daemon crashed, until the next start recovers it) has a stop
     * position of -1.
     *
     * @param archiveDir the Archive's directory.
     * @return the recording's description, or null when the catalog holds no journal.
     */
    public static JournalArchive.RecordingDescriptor find(final Path archiveDir)
    {
        final JournalArchive.RecordingDescriptor[] found = new JournalArchive.RecordingDescriptor[1];
        CatalogView.listRecordings(archiveDir.toFile(), (controlSessionId, correlationId, recordingId, startTimestamp,
            stopTimestamp, startPosition, stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength,
            sessionId, streamId, strippedChannel, originalChannel, sourceIdentity) ->
            {
                if (JournalArchive.STREAM_ID == streamId &&
                    (null == found[0] || recordingId > found[0].recordingId()))
                {
                    found[0] = new JournalArchive.RecordingDescriptor(recordingId, startPosition, stopPosition,
                        initialTermId, segmentFileLength, termBufferLength, mtuLength);
                }
            });
        return found[0];
    }

    /**
     * @param archiveDir  the Archive's directory.
     * @param recordingId the journal's recording.
     * @param segmentBase the position the segment starts at (a segment boundary).
     * @return the segment's file, as Aeron Archive names it.
     */
    public static File segmentFile(final Path archiveDir, final long recordingId, final long segmentBase)
    {
        return archiveDir.resolve(recordingId + "-" + segmentBase + SEGMENT_FILE_SUFFIX).toFile();
    }

    /**
     * Read the journal from a position up to a limit, one message (a batch of entries) at a time. Padding frames are
     * passed over; the first frame that is not whole (length 0 where the recording ends or was cut by a crash, or a
     * fragment of a message, which the journal never writes) ends the read; so does a segment file that does not
     * exist when reading without a limit.
     *
     * @param archiveDir the Archive's directory.
     * @param journal    the journal's recording.
     * @param from       the position to start at, a message boundary.
     * @param limit      read no frame that ends after this position ({@link Long#MAX_VALUE}: to the first frame
     *                   that is not whole).
     * @param handler    receives each message.
     * @return the position read up to: the limit, or the start of the first frame that was not whole or that the
     * handler refused.
     * @throws IllegalStateException when a segment file below the limit is missing.
     */
    public static long read(
        final Path archiveDir,
        final JournalArchive.RecordingDescriptor journal,
        final long from,
        final long limit,
        final JournalArchive.MessageHandler handler)
    {
        long position = from;
        while (position < limit)
        {
            final long segmentBase = AeronArchive.segmentFileBasePosition(
                journal.startPosition(), position, journal.termBufferLength(), journal.segmentFileLength());
            final File file = segmentFile(archiveDir, journal.recordingId(), segmentBase);
            if (!file.exists())
            {
                if (Long.MAX_VALUE == limit)
                {
                    return position;
                }
                throw new IllegalStateException("the journal's segment file " + file + " is missing: the recording " +
                    "holds positions up to " + limit + " (purged by the daemon's retention while this read ran?)");
            }
            final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, FileChannel.MapMode.READ_ONLY, "journal");
            try
            {
                final UnsafeBuffer segment = new UnsafeBuffer(mapped);
                final int end = (int)Math.min(segment.capacity(), limit - segmentBase);
                int offset = (int)(position - segmentBase);
                while (offset < end)
                {
                    final int frameLength = segment.getIntVolatile(offset);
                    final int aligned = BitUtil.align(Math.max(frameLength, 0), FrameDescriptor.FRAME_ALIGNMENT);
                    if (frameLength < DataHeaderFlyweight.HEADER_LENGTH || offset + aligned > end)
                    {
                        return position;
                    }
                    final int type = segment.getShort(offset + DataHeaderFlyweight.TYPE_FIELD_OFFSET,
                        ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                    if (DataHeaderFlyweight.HDR_TYPE_DATA == type)
                    {
                        final byte flags = segment.getByte(offset + DataHeaderFlyweight.FLAGS_FIELD_OFFSET);
                        if (DataHeaderFlyweight.BEGIN_AND_END_FLAGS !=
                            (flags & DataHeaderFlyweight.BEGIN_AND_END_FLAGS) ||
                            !handler.onMessage(segment, offset + DataHeaderFlyweight.HEADER_LENGTH,
                            frameLength - DataHeaderFlyweight.HEADER_LENGTH, position, position + aligned))
                        {
                            return position;
                        }
                    }
                    offset += aligned;
                    position += aligned;
                }
                if (position < limit && offset >= segment.capacity())
                {
                    continue;
                }
                return position;
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
        return position;
    }
}
