package io.sluice.server.journal;

import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.ArchiveTool;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.archive.status.RecordingPos;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.driver.IdleStrategies;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The journal's store: an Aeron Archive embedded in the daemon, recording one IPC {@link ExclusivePublication}
 * (stream {@value #STREAM_ID}) in {@code <sluice.journal.dir>/archive}. One recording holds the journal's whole
 * life: a restart extends it from where it stopped, so positions are continuous across restarts.
 * <p>
 * Threading: with the embedded driver in INVOKER mode (the shared layout) the Archive runs INVOKER too, sharing the
 * daemon's Aeron client, and the daemon's thread runs its invoker ({@link #invoker()}, which also runs the client
 * conductor) beside the driver's: the Archive's own duty cycle would run the driver three times a cycle. Otherwise the Archive runs SHARED on its own thread ({@code sluice} adds no
 * thread in the shared layout), with its own client on the driver, idling as the driver does.
 * <p>
 * After {@code kill -9} the Archive's mark file looks alive for 10 s; a mark file whose owner process is dead is
 * taken over at once, so a restart never waits for that timeout. The Archive itself recovers the stop position of a
 * recording that was active at the crash from its segment files when it starts.
 * <p>
 * Control thread only (start-up, shutdown), and the daemon thread for {@link #purgeBefore(long)}.
 */
public final class JournalArchive implements AutoCloseable
{
    /** Stream id of the journal publication (IPC). */
    public static final int STREAM_ID = 1100;
    /** MTU of the journal publication: one batch of entries per frame, up to this less the header. */
    public static final int MTU = 8192;
    /** The archive's id, fixed: the recording position counters are found by it. */
    public static final long ARCHIVE_ID = 0x5_1CE_0001L;

    private static final String CHANNEL = "aeron:ipc";

    private final Path archiveDir;
    private final Aeron aeron;
    private final Counter errorCounter;
    private final Archive archive;
    private final AeronArchive client;
    private final AeronArchive.Context clientContext;
    private final AgentInvoker invoker;
    private final AgentInvoker waitInvoker;
    private AeronArchive purgeClient;
    private long knownStartPosition;
    private int recordingTermLength;
    private final int segmentLength;
    private final long retentionNs;
    private final int termLength;
    private long recordingId = Aeron.NULL_VALUE;

    private JournalArchive(
        final Path archiveDir,
        final Aeron aeron,
        final Counter errorCounter,
        final Archive archive,
        final AeronArchive client,
        final AeronArchive.Context clientContext,
        final AgentInvoker waitInvoker,
        final int segmentLength,
        final int termLength,
        final long retentionNs)
    {
        this.retentionNs = retentionNs;
        this.clientContext = clientContext;
        this.waitInvoker = waitInvoker;
        this.archiveDir = archiveDir;
        this.aeron = aeron;
        this.errorCounter = errorCounter;
        this.archive = archive;
        this.client = client;
        this.invoker = archive.invoker();
        this.segmentLength = segmentLength;
        this.termLength = termLength;
    }

    /**
     * Launch the Archive with a configuration's journal settings: {@link #launch(Journal.Context)} of
     * {@code Journal.Context.from(config)} with these collaborators and segment length.
     *
     * @param config        a configuration: journal directory, file sync level, retention, driver directory and idle
     *                      strategy.
     * @param aeron         a client; shared with the Archive when the driver is invoked.
     * @param driverInvoker the embedded driver's invoker, or null when the driver runs its own threads.
     * @param errorHandler  where the Archive's errors go.
     * @param segmentLength bytes of each journal segment file.
     * @return the running archive.
     * @throws ConfigurationException naming {@code sluice.journal.dir} when another live process owns the archive.
     */
    public static JournalArchive launch(
        final SluiceConfig config,
        final Aeron aeron,
        final AgentInvoker driverInvoker,
        final ErrorHandler errorHandler,
        final int segmentLength)
    {
        return launch(Journal.Context.from(config).segmentLength(segmentLength).conclude()
            .aeron(aeron).driverInvoker(driverInvoker).errorHandler(errorHandler));
    }

    /**
     * Launch the Archive and connect its client. On failure, what was started is closed again.
     *
     * @param journal a concluded journal context: directory, file sync level, segment length, retention, driver
     *                directory and idle strategy, and the client (shared with the Archive when the driver is
     *                invoked), the driver's invoker (null when the driver runs its own threads) and error handler.
     * @return the running archive.
     * @throws ConfigurationException naming {@code sluice.journal.dir} when another live process owns the archive.
     * @throws IllegalStateException  when the context was not concluded or has no client.
     */
    public static JournalArchive launch(final Journal.Context journal)
    {
        journal.checkReady();
        final Aeron aeron = journal.aeron();
        final AgentInvoker driverInvoker = journal.driverInvoker();
        final ErrorHandler errorHandler = journal.errorHandler();
        final int segmentLength = journal.segmentLength();
        final Path archiveDir = Path.of(journal.dir()).toAbsolutePath().resolve("archive");
        takeOverMarkFile(archiveDir.toFile());
        final int termLength = Math.min(segmentLength, 4 * 1024 * 1024);
        final Archive.Context ctx = new Archive.Context()
            .archiveDir(archiveDir.toFile())
            .archiveId(ARCHIVE_ID)
            .controlChannelEnabled(false)
            .archiveClientContext(new AeronArchive.Context().controlResponseChannel(CHANNEL))
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .recordingEventsEnabled(false)
            .segmentFileLength(segmentLength)
            .fileSyncLevel(journal.fileSync())
            .catalogFileSyncLevel(journal.fileSync())
            .errorHandler(errorHandler)
            .deleteArchiveOnStart(false);
        Counter errorCounter = null;
        Archive archive = null;
        AeronArchive client = null;
        try
        {
            if (null != driverInvoker)
            {
                errorCounter = addErrorCounter(aeron);
                ctx.threadingMode(ArchiveThreadingMode.INVOKER)
                    .aeron(aeron)
                    .errorCounter(errorCounter);
            }
            else
            {
                ctx.threadingMode(ArchiveThreadingMode.SHARED)
                    .aeronDirectoryName(journal.driverDir())
                    .idleStrategySupplier(() -> IdleStrategies.create(journal.idleStrategy()));
            }
            archive = Archive.launch(ctx);
            final AgentInvoker waitInvoker = null == driverInvoker ? null : waitInvoker(driverInvoker, archive.invoker(), errorHandler);
            final AeronArchive.Context clientCtx = new AeronArchive.Context()
                .aeron(aeron)
                .ownsAeronClient(false)
                .controlRequestChannel(archive.context().localControlChannel())
                .controlRequestStreamId(archive.context().localControlStreamId())
                .controlResponseChannel(CHANNEL);
            if (null != waitInvoker)
            {
                clientCtx.agentInvoker(waitInvoker);
            }
            client = AeronArchive.connect(clientCtx.clone());
            return new JournalArchive(
                archiveDir, aeron, errorCounter, archive, client, clientCtx, waitInvoker, segmentLength, termLength,
                journal.retentionNs());
        }
        catch (final Throwable ex)
        {
            CloseHelper.quietCloseAll(client, archive, errorCounter);
            throw ex;
        }
    }

    /**
     * What a blocking wait on the Archive must run in INVOKER mode: the driver's duty cycle and the Archive's (which
     * runs the client conductor). The daemon's composite runs them separately, in its own order.
     */
    private static AgentInvoker waitInvoker(
        final AgentInvoker driverInvoker, final AgentInvoker archiveInvoker, final ErrorHandler errorHandler)
    {
        final AgentInvoker invoker = new AgentInvoker(errorHandler, null, new Agent()
        {
            public int doWork()
            {
                return driverInvoker.invoke() + archiveInvoker.invoke();
            }

            public String roleName()
            {
                return "sluice-journal-wait";
            }
        });
        invoker.start();
        return invoker;
    }

    private static Counter addErrorCounter(final Aeron aeron)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        buffer.putLong(0, ARCHIVE_ID);
        final int labelLength = buffer.putStringWithoutLengthAscii(8, "sluice journal archive errors");
        return aeron.addCounter(AeronCounters.ARCHIVE_ERROR_COUNT_TYPE_ID, buffer, 0, 8, buffer, 8, labelLength);
    }

    private static void takeOverMarkFile(final File archiveDir)
    {
        final File markFile = new File(archiveDir, ArchiveMarkFile.FILENAME);
        if (!markFile.exists())
        {
            return;
        }
        final long pid;
        try
        {
            pid = ArchiveTool.pid(archiveDir);
        }
        catch (final RuntimeException ex)
        {
            // an unreadable mark file is a torn one from a crash during the archive's own start: nobody owns it
            deleteMarkFile(markFile);
            return;
        }
        final boolean alive = pid != ProcessHandle.current().pid() &&
            ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        if (alive)
        {
            throw new ConfigurationException(SluiceConfig.JOURNAL_DIR, archiveDir.getParent().toString(),
                "is in use: its archive belongs to the running process " + pid);
        }
        deleteMarkFile(markFile);
    }

    private static void deleteMarkFile(final File markFile)
    {
        if (!markFile.delete() && markFile.exists())
        {
            throw new ConfigurationException(SluiceConfig.JOURNAL_DIR, markFile.getParentFile().getParent(),
                "holds an archive mark file of a dead process that cannot be deleted: " + markFile);
        }
    }

    /**
     * @return the invoker that runs the Archive (and the client conductor) in INVOKER mode, null when the Archive
     * has its own thread.
     */
    public AgentInvoker invoker()
    {
        return invoker;
    }

    /**
     * @return the archive directory.
     */
    public Path archiveDir()
    {
        return archiveDir;
    }

    /**
     * @return bytes of a journal segment file.
     */
    public int segmentLength()
    {
        return segmentLength;
    }

    /**
     * Find the journal's recording (the newest recording of the journal stream).
     *
     * @return the recording's description, or null when the archive holds no journal yet.
     */
    public RecordingDescriptor findJournal()
    {
        final RecordingDescriptor[] found = new RecordingDescriptor[1];
        client.listRecordingsForUri(0, Integer.MAX_VALUE, CHANNEL, STREAM_ID,
            (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition,
                stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId,
                strippedChannel, originalChannel, sourceIdentity) ->
            {
                if (null == found[0] || recordingId > found[0].recordingId())
                {
                    found[0] = new RecordingDescriptor(recordingId, startPosition, stopPosition, initialTermId,
                        segmentFileLength, termBufferLength, mtuLength);
                }
            });
        if (null != found[0])
        {
            recordingId = found[0].recordingId();
        }
        return found[0];
    }

    /**
     * Read the journal from a position to its end, one message (a batch of entries) at a time, straight from the
     * recording's segment files, mapped read-only: recovery runs before anything else, so it reads the files rather
     * than having the Archive replay them through a publication (a copy and a hop per message). Padding frames are
     * passed over; the first frame that is not whole (length 0 where the recording was cut by a crash, or a
     * fragment of a message, which the journal never writes) ends the read.
     *
     * @param journal  the journal's recording, stopped (the Archive recovers its stop position at launch).
     * @param from     the position to start at, a message boundary.
     * @param handler  receives each message.
     * @return the position read up to: the recording's stop position, or the start of the first frame that was
     * not whole or that the handler refused.
     */
    public long read(final RecordingDescriptor journal, final long from, final MessageHandler handler)
    {
        return JournalFiles.read(archiveDir, journal, from, journal.stopPosition(), handler);
    }

    private void idle(final IdleStrategy idle)
    {
        if (null != waitInvoker)
        {
            waitInvoker.invoke();
        }
        else
        {
            idle.idle();
        }
    }

    /**
     * Cut the journal back to a message boundary (a torn tail after a crash). The recording must be stopped.
     *
     * @param journal  the journal's recording.
     * @param position the new stop position, the start of a frame.
     * @return the journal's description after the cut.
     */
    public RecordingDescriptor truncate(final RecordingDescriptor journal, final long position)
    {
        client.truncateRecording(journal.recordingId(), position);
        return findJournal();
    }

    /**
     * Start recording the journal publication: a new recording, or the existing one extended from its stop position
     * with the same term length, initial term id and MTU. Waits until the Archive records it.
     *
     * @param journal the existing recording, or null for a new journal.
     * @return the journal publication and its recording position counter.
     */
    public Recording startRecording(final RecordingDescriptor journal)
    {
        final ExclusivePublication publication;
        if (null == journal)
        {
            client.startRecording(CHANNEL, STREAM_ID, SourceLocation.LOCAL);
            publication = aeron.addExclusivePublication(new ChannelUriStringBuilder().media("ipc")
                .termLength(termLength).mtu(MTU).build(), STREAM_ID);
        }
        else
        {
            client.extendRecording(journal.recordingId(), CHANNEL, STREAM_ID, SourceLocation.LOCAL);
            publication = aeron.addExclusivePublication(new ChannelUriStringBuilder().media("ipc")
                .initialPosition(journal.stopPosition(), journal.initialTermId(), journal.termBufferLength())
                .mtu(journal.mtuLength()).build(), STREAM_ID);
        }
        final CountersReader counters = aeron.countersReader();
        final IdleStrategy idle = IdleStrategies.create(io.sluice.config.IdleStrategyType.YIELDING);
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        int counterId;
        while (CountersReader.NULL_COUNTER_ID ==
            (counterId = RecordingPos.findCounterIdBySession(counters, publication.sessionId(), ARCHIVE_ID)))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                publication.close();
                throw new IllegalStateException("the journal archive did not start recording stream " + STREAM_ID +
                    " within 10 s (see the archive errors in sluice errors)");
            }
            idle(idle);
        }
        recordingId = RecordingPos.getRecordingId(counters, counterId);
        knownStartPosition = client.getStartPosition(recordingId);
        recordingTermLength = publication.termBufferLength();
        return new Recording(recordingId, publication, counterId);
    }

    /**
     * Purge whole journal segments before a position (the oldest kept snapshot's): the journal's start moves to the
     * segment boundary at or below it, or to the first segment last written within {@code sluice.journal.retention}
     * when that is lower (the history kept for what-if replay). The journal's start is always a segment boundary:
     * 0, or where a purge left it. Daemon thread in INVOKER mode (the call runs the Archive's duty cycle while
     * it waits).
     *
     * @param position keep everything from here on.
     * @return the journal's start position after the purge.
     */
    public long purgeBefore(final long position)
    {
        if (Aeron.NULL_VALUE == recordingId)
        {
            return 0;
        }
        final long start = knownStartPosition;
        final long base = retained(start,
            AeronArchive.segmentFileBasePosition(start, position, recordingTermLength, segmentLength));
        if (base >= start + segmentLength)
        {
            if (null == purgeClient)
            {
                // the Archive binds a control session to the thread that runs its conductor when the session
                // opens: the start-up client belongs to the control thread, this one to the daemon's thread
                purgeClient = AeronArchive.connect(clientContext.clone());
            }
            purgeClient.purgeSegments(recordingId, base);
            knownStartPosition = base;
        }
        return knownStartPosition;
    }

    /**
     * With {@code sluice.journal.retention} set, keep every segment last written within it: lower the purge's
     * segment boundary to the first segment whose file is that recent.
     */
    private long retained(final long start, final long base)
    {
        if (0 == retentionNs)
        {
            return base;
        }
        final long horizonMs = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(retentionNs);
        long kept = start;
        while (kept < base)
        {
            final File segment = JournalFiles.segmentFile(archiveDir, recordingId, kept);
            if (!segment.exists() || segment.lastModified() >= horizonMs)
            {
                break;
            }
            kept += segmentLength;
        }
        return kept;
    }

    /**
     * @return the journal recording's start position (after purges), or 0 without a journal.
     */
    public long startPosition()
    {
        return knownStartPosition;
    }

    /**
     * Close the start-up client once the journal is recording: from then on only the daemon's thread talks to the
     * Archive. Control thread.
     */
    public void closeStartupClient()
    {
        CloseHelper.quietClose(client);
    }

    /**
     * Close the clients, then the Archive (which stops the recording cleanly and marks its mark file terminated).
     */
    public void close()
    {
        CloseHelper.quietCloseAll(client, purgeClient, archive, errorCounter);
    }

    /**
     * Receives the journal's messages in order.
     */
    @FunctionalInterface
    public interface MessageHandler
    {
        /**
         * @param buffer        holds the message.
         * @param offset        where its payload starts.
         * @param length        payload bytes.
         * @param frameStart    journal position of the message's frame.
         * @param endPosition   journal position after the message.
         * @return true to go on, false to stop before this message (it is then not counted as read).
         */
        boolean onMessage(org.agrona.DirectBuffer buffer, int offset, int length, long frameStart, long endPosition);
    }

    /**
     * The journal's recording as the catalog describes it.
     *
     * @param recordingId      the recording.
     * @param startPosition    first position still held (after purges).
     * @param stopPosition     end of what is recorded (recovered from the segment files after a crash).
     * @param initialTermId    the publication's initial term id.
     * @param segmentFileLength bytes of a segment file.
     * @param termBufferLength the publication's term length.
     * @param mtuLength        the publication's MTU.
     */
    public record RecordingDescriptor(
        long recordingId,
        long startPosition,
        long stopPosition,
        int initialTermId,
        int segmentFileLength,
        int termBufferLength,
        int mtuLength)
    {
    }

    /**
     * A live journal recording.
     *
     * @param recordingId the recording.
     * @param publication the journal publication the Archive records.
     * @param counterId   the recording position counter's id.
     */
    public record Recording(long recordingId, ExclusivePublication publication, int counterId)
    {
    }
}
