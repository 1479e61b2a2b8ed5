package io.sluice.tools.replay;

import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.ArchiveTool;
import io.aeron.archive.codecs.mark.MarkFileHeaderDecoder;
import io.aeron.archive.codecs.mark.MessageHeaderDecoder;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ring.RingEntry;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.journal.JournalArchive;
import io.sluice.server.journal.JournalFiles;
import io.sluice.server.journal.JournalIdentity;
import io.sluice.tools.stat.SluiceStat;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A journal opened for reading by the journal tools ({@code sluice replay}, {@code sluice journal export}), from its
 * files alone: the identity it was written under ({@code journal.properties}), its recording in the Archive's catalog
 * and its segment files, mapped read-only ({@link JournalFiles}). Works on a stopped daemon's journal, on a crashed
 * one's (read up to the last whole message) and on a running daemon's: then up to the position its Archive had
 * recorded when the journal was opened (the daemon's {@code sluice journal recorded position} counter), never asking
 * the daemon or its Archive for anything, so the daemon's threads do no work for the reader. The read can be bounded
 * in bytes a second, so a replay beside a live daemon takes a bounded share of the disk and of the page cache.
 */
public final class JournalInput
{
    /** Default bound on reads beside a live daemon, MiB/s: a million entries a second. */
    public static final long LIVE_DEFAULT_MIB_PER_SECOND = 64;

    private static final long CLOSED_ACTIVITY_TIMESTAMP = -1;
    /** The daemon's counter of its journal's recorded position is labelled so, then its journal directory. */
    private static final String RECORDED_POSITION_LABEL = "sluice journal recorded position: ";

    private final Path journalDir;
    private final Path archiveDir;
    private final JournalIdentity identity;
    private final JournalArchive.RecordingDescriptor recording;
    private final long livePid;
    private final long end;

    private JournalInput(
        final Path journalDir,
        final JournalIdentity identity,
        final JournalArchive.RecordingDescriptor recording,
        final long livePid,
        final long end)
    {
        this.journalDir = journalDir;
        this.archiveDir = journalDir.resolve("archive");
        this.identity = identity;
        this.recording = recording;
        this.livePid = livePid;
        this.end = end;
    }

    /**
     * Open a journal.
     *
     * @param journalDir the journal directory ({@code sluice.journal.dir}).
     * @param driverDir  the media driver directory of the daemon that may be recording it, where its recorded
     *                   position is read.
     * @return the journal.
     * @throws ConfigurationException naming {@code sluice.journal.dir} when it holds no journal, or naming
     *                                {@code sluice.driver.dir} when a live daemon records it and its counters are
     *                                not there.
     */
    public static JournalInput open(final Path journalDir, final String driverDir)
    {
        final Path dir = journalDir.toAbsolutePath();
        final JournalIdentity identity = JournalIdentity.read(dir);
        final Path archiveDir = dir.resolve("archive");
        if (null == identity || !Files.isDirectory(archiveDir))
        {
            throw new ConfigurationException(SluiceConfig.JOURNAL_DIR, dir.toString(),
                "holds no journal (no " + JournalIdentity.FILE + " and archive/ there)");
        }
        final JournalArchive.RecordingDescriptor recording = JournalFiles.find(archiveDir);
        if (null == recording)
        {
            throw new ConfigurationException(SluiceConfig.JOURNAL_DIR, dir.toString(),
                "holds an archive without a journal recording");
        }
        final long livePid = livePid(archiveDir);
        final long end;
        if (livePid > 0)
        {
            end = recordedPosition(dir, driverDir, livePid);
        }
        else if (recording.stopPosition() >= 0)
        {
            end = recording.stopPosition();
        }
        else
        {
            end = Long.MAX_VALUE;
        }
        return new JournalInput(dir, identity, recording, livePid, end);
    }

    private static long livePid(final Path archiveDir)
    {
        final File markFile = archiveDir.resolve(ArchiveMarkFile.FILENAME).toFile();
        if (!markFile.exists())
        {
            return 0;
        }
        try
        {
            if (closedArchive(markFile))
            {
                return 0;
            }
            final long pid = ArchiveTool.pid(archiveDir.toFile());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : 0;
        }
        catch (final RuntimeException ex)
        {
            return 0;
        }
    }

    /**
     * An Archive that closes marks its mark file's activity timestamp -1 ({@code ArchiveMarkFile.signalTerminated}):
     * then its daemon has stopped, whichever process now has the pid the file names (the reader itself when the
     * daemon ran in its JVM, or another process that was given the pid again).
     *
     * @param markFile the Archive's mark file.
     * @return true when the mark file says its Archive has closed.
     */
    private static boolean closedArchive(final File markFile)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(markFile, ArchiveMarkFile.FILENAME);
        try
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
            final int offset = MarkFileHeaderDecoder.TEMPLATE_ID == header.templateId() &&
                MarkFileHeaderDecoder.SCHEMA_ID == header.schemaId() ? MessageHeaderDecoder.ENCODED_LENGTH : 0;
            return CLOSED_ACTIVITY_TIMESTAMP ==
                buffer.getLongVolatile(offset + MarkFileHeaderDecoder.activityTimestampEncodingOffset());
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private static long recordedPosition(final Path journalDir, final String driverDir, final long pid)
    {
        final long[] position = { -1 };
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true)
        {
            SluiceStat.read(driverDir, (reader) -> reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (SluiceCounters.JOURNAL_RECORDED_POSITION_TYPE_ID == typeId &&
                    label.startsWith(RECORDED_POSITION_LABEL) &&
                    sameDirectory(journalDir, label.substring(RECORDED_POSITION_LABEL.length())))
                {
                    position[0] = reader.getCounterValue(counterId);
                }
            }));
            if (position[0] > 0 || System.nanoTime() - deadlineNs > 0)
            {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        if (position[0] < 0)
        {
            throw new ConfigurationException(SluiceConfig.DRIVER_DIR, driverDir, "has no counters of the daemon " +
                "(pid " + pid + ") that is recording the journal in " + journalDir + ": give the configuration that " +
                "daemon runs with, so its recorded position can be read");
        }
        return position[0];
    }

    /**
     * @return true when the counter's directory is the journal's, however either path is written.
     */
    private static boolean sameDirectory(final Path journalDir, final String counterDir)
    {
        try
        {
            return Files.isSameFile(journalDir, Path.of(counterDir));
        }
        catch (final IOException | InvalidPathException ex)
        {
            return false;
        }
    }

    /**
     * @return the journal directory.
     */
    public Path dir()
    {
        return journalDir;
    }

    /**
     * @return the hash seed the journal was written under.
     */
    public long hashSeed()
    {
        return identity.hashSeed();
    }

    /**
     * @return the settings that shape state the journal was written under, as {@code journal.properties} holds them
     * (durations in ns, {@code none} without windows).
     */
    public Map<String, String> settings()
    {
        return identity.stateSettings();
    }

    /**
     * @return the allowed lateness the journal was written under, ns; 0 when it had no windows.
     */
    public long latenessNs()
    {
        final String lateness = identity.stateSettings().get(SluiceConfig.WINDOW_ALLOWED_LATENESS);
        return null == lateness || "none".equals(lateness) ? 0 : Long.parseLong(lateness);
    }

    /**
     * @return the pid of the live daemon recording the journal, 0 when none is.
     */
    public long livePid()
    {
        return livePid;
    }

    /**
     * The read bound to use: the one asked for, or by default none for a stopped journal and
     * {@value #LIVE_DEFAULT_MIB_PER_SECOND} MiB/s beside a live daemon.
     *
     * @param mibPerSecond the bound asked for in MiB/s ({@code --max-read-mb}), 0 for none, -1 for the default.
     * @return the bound in bytes a second, 0 for none.
     */
    public long readBound(final long mibPerSecond)
    {
        final long mib = mibPerSecond >= 0 ? mibPerSecond : livePid > 0 ? LIVE_DEFAULT_MIB_PER_SECOND : 0;
        return mib * 1024 * 1024;
    }

    /**
     * @return the first position the journal holds (older segments may have been purged).
     */
    public long startPosition()
    {
        return recording.startPosition();
    }

    /**
     * @return where reading ends: the stop position of a stopped journal, the recorded position of a live one when
     * it was opened, {@link Long#MAX_VALUE} for a crashed one (read to the last whole message).
     */
    public long endPosition()
    {
        return end;
    }

    /**
     * Resolve the range given on the command line ({@code --from}, {@code --to}): each a journal position (a plain
     * number) or an event time (ISO-8601, e.g. {@code 2026-11-24T09:00:00Z}). A time is the position of the first
     * message holding an event at or after it, found by reading from the journal's start (within the read bound);
     * the end of the journal when there is none. A start below the journal's first position (purged) starts there.
     *
     * @param fromOption        the start option's name, for messages.
     * @param from              its value, or null for the journal's start.
     * @param toOption          the end option's name.
     * @param to                its value, or null for the journal's end.
     * @param maxBytesPerSecond bound on the reads that find a time, 0 for none.
     * @return the start and end positions.
     * @throws ConfigurationException naming the option when a value is neither a position nor a time, when the
     *                                start is at or past the journal's end, or the end not after the start.
     */
    public long[] range(
        final String fromOption,
        final String from,
        final String toOption,
        final String to,
        final long maxBytesPerSecond)
    {
        final long start = Math.max(recording.startPosition(),
            resolve(fromOption, from, recording.startPosition(), maxBytesPerSecond));
        final long stop = resolve(toOption, to, Long.MAX_VALUE, maxBytesPerSecond);
        if (Long.MAX_VALUE != end && start >= end)
        {
            throw new ConfigurationException(fromOption, from, "is at or past the journal's end, position " + end);
        }
        if (stop <= start)
        {
            throw new ConfigurationException(toOption, to, "must be after " + fromOption + " (position " + start + ")");
        }
        return new long[] { start, stop };
    }

    private long resolve(final String option, final String bound, final long dflt, final long maxBytesPerSecond)
    {
        if (null == bound)
        {
            return dflt;
        }
        if (!bound.isEmpty() && bound.chars().allMatch(Character::isDigit))
        {
            try
            {
                return Long.parseLong(bound);
            }
            catch (final NumberFormatException ex)
            {
                throw new ConfigurationException(option, bound, "is not a journal position (a 64-bit number)");
            }
        }
        final Instant time;
        try
        {
            time = Instant.parse(bound);
        }
        catch (final DateTimeParseException ex)
        {
            throw new ConfigurationException(option, bound,
                "must be a journal position (a number) or an event time in ISO-8601 (e.g. 2026-11-24T09:00:00Z)");
        }
        final long timeNs = TimeUnit.SECONDS.toNanos(time.getEpochSecond()) + time.getNano();
        final long[] found = { -1 };
        final long from = recording.startPosition();
        final long startNs = System.nanoTime();
        final long stop = JournalFiles.read(archiveDir, recording, from, end,
            (buffer, offset, length, frameStart, endPosition) ->
            {
                if (!isWhole(buffer, offset, length))
                {
                    return false;
                }
                pace(startNs, endPosition - from, maxBytesPerSecond);
                for (int i = offset; i < offset + length; i += RingEntry.LENGTH)
                {
                    if (RingEntry.TYPE_EVENT == buffer.getInt(i + RingEntry.TYPE_OFFSET) &&
                        buffer.getLong(i + RingEntry.TIMESTAMP_OFFSET) >= timeNs)
                    {
                        found[0] = frameStart;
                        return false;
                    }
                }
                return true;
            });
        return found[0] >= 0 ? found[0] : stop;
    }

    /**
     * Read the entries of the messages that start in {@code [from, to)}, in journal order. Any thread; several
     * threads may read one journal at once (each call maps the segment files for itself).
     *
     * @param from              first position; a message starting at or after it is the first read.
     * @param to                end position (exclusive: a message starting here is not read).
     * @param maxBytesPerSecond at most this many journal bytes a second, 0 for no bound.
     * @param handler           receives each entry.
     * @return the position read up to.
     */
    public long read(final long from, final long to, final long maxBytesPerSecond, final EntryHandler handler)
    {
        final long termLength = recording.termBufferLength();
        final long first = Math.max(recording.startPosition(), from - (from % termLength));
        final long limit = Math.min(end, to);
        final long startNs = System.nanoTime();
        return JournalFiles.read(archiveDir, recording, first, end, (buffer, offset, length, frameStart, endPosition) ->
        {
            if (frameStart >= limit)
            {
                return false;
            }
            if (frameStart < from)
            {
                return true;
            }
            if (!isWhole(buffer, offset, length))
            {
                return false;
            }
            pace(startNs, endPosition - from, maxBytesPerSecond);
            for (int i = offset; i < offset + length; i += RingEntry.LENGTH)
            {
                handler.onEntry(buffer, i, frameStart);
            }
            return true;
        });
    }

    /**
     * Wait while a read is ahead of its bound.
     */
    private static void pace(final long startNs, final long bytesRead, final long maxBytesPerSecond)
    {
        if (maxBytesPerSecond > 0)
        {
            final long aheadNs = startNs + (long)(bytesRead * (1e9 / maxBytesPerSecond)) - System.nanoTime();
            if (aheadNs > TimeUnit.MILLISECONDS.toNanos(1))
            {
                LockSupport.parkNanos(aheadNs);
            }
        }
    }

    /**
     * @return true when a message is whole entries of journaled types (anything else is a torn tail).
     */
    private static boolean isWhole(final DirectBuffer buffer, final int offset, final int length)
    {
        if (0 == length || 0 != length % RingEntry.LENGTH)
        {
            return false;
        }
        for (int i = offset; i < offset + length; i += RingEntry.LENGTH)
        {
            final int type = buffer.getInt(i + RingEntry.TYPE_OFFSET);
            if (type <= RingEntry.TYPE_NONE || type >= RingEntry.TYPE_LIMIT)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Receives journaled entries in journal order.
     */
    @FunctionalInterface
    public interface EntryHandler
    {
        /**
         * @param buffer   holds the entry in {@link RingEntry}'s layout.
         * @param offset   where it starts.
         * @param position journal position of the message that holds it.
         */
        void onEntry(DirectBuffer buffer, int offset, long position);
    }
}
