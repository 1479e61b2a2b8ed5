package io.sluice.server.journal;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.sluice.config.ConfigurationException;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.JournalMode;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.egress.EgressGroup;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The daemon's journal, when {@code sluice.journal.mode} is {@code async} or {@code sync}: the embedded Archive
 * ({@link JournalArchive}), recovery at start ({@link JournalRecovery}), the journaller on the ring
 * ({@link Journaller}), and snapshots ({@link SnapshotCoordinator}, {@link SnapshotTrigger}).
 * <pre>
 *   &lt;sluice.journal.dir&gt;/journal.properties   the seed and settings it was written under
 *   &lt;sluice.journal.dir&gt;/archive/             the Aeron Archive: catalog, segment files of the one recording
 *   &lt;sluice.journal.dir&gt;/snapshots/&lt;id&gt;/       snapshot sets
 * </pre>
 * Start-up: {@link #open} launches the Archive, restores the newest usable snapshot and replays the journal after
 * it with the egress muted and extends the recording; the trigger's first duty cycle puts a START entry (seed and
 * fingerprint) into the ring.
 * Control thread for open and close; the agents run on the daemon's thread.
 */
public final class Journal implements AutoCloseable
{
    private final JournalMode mode;
    private final JournalArchive archive;
    private final Journaller journaller;
    private final SnapshotCoordinator coordinator;
    private final SnapshotTrigger trigger;
    private final JournalArchive.Recording recording;
    private final JournalRecovery.Result recovery;
    private final Path journalDir;
    private final String windowChange;

    private Journal(
        final JournalMode mode,
        final JournalArchive archive,
        final Journaller journaller,
        final SnapshotCoordinator coordinator,
        final SnapshotTrigger trigger,
        final JournalArchive.Recording recording,
        final JournalRecovery.Result recovery,
        final Path journalDir,
        final String windowChange)
    {
        this.windowChange = windowChange;
        this.mode = mode;
        this.archive = archive;
        this.journaller = journaller;
        this.coordinator = coordinator;
        this.trigger = trigger;
        this.recording = recording;
        this.recovery = recovery;
        this.journalDir = journalDir;
    }

    /**
     * Open the journal and recover from it. On failure what was started is closed again.
     *
     * @param ctx        a concluded journal context with the daemon's client, driver invoker (or null), counters
     *                   (the journal's are added to them) and error handler set; recovery and snapshots are reported
     *                   to its log.
     * @param shards     the concluded shards' context (seed, fingerprint, settings that shape state).
     * @param journaller the journaller, already a consumer of the ring.
     * @param processors the processors, not started.
     * @param producer   the ring producer, not yet producing.
     * @param egress     the egress, muted during the replay.
     * @return the journal, recovered and recording.
     * @throws IllegalStateException when the context was not concluded or lacks a collaborator.
     */
    public static Journal open(
        final Context ctx,
        final ShardContext shards,
        final Journaller journaller,
        final ShardProcessor[] processors,
        final RingProducer producer,
        final EgressGroup egress)
    {
        ctx.checkReady();
        if (null == ctx.counters())
        {
            throw new IllegalStateException("Journal.Context has no counters");
        }
        final Aeron aeron = ctx.aeron();
        final SluiceCounters counters = ctx.counters();
        final ErrorHandler errorHandler = ctx.errorHandler();
        final PrintStream out = ctx.log();
        final Path journalDir = Path.of(ctx.dir()).toAbsolutePath();
        createDirectories(journalDir);
        JournalArchive archive = null;
        SnapshotCoordinator coordinator = null;
        JournalArchive.Recording recording = null;
        try
        {
            archive = JournalArchive.launch(ctx);
            final SnapshotStore store = new SnapshotStore(journalDir.resolve("snapshots"));
            final Counter recorded = counters.newCounter(aeron, SluiceCounters.JOURNAL_RECORDED_POSITION_TYPE_ID,
                "sluice journal recorded position: " + journalDir);
            final Counter unrecorded = counters.newCounter(aeron, SluiceCounters.JOURNAL_UNRECORDED_BYTES_TYPE_ID,
                "sluice journal unrecorded bytes");
            final Counter start = counters.newCounter(aeron, SluiceCounters.JOURNAL_START_POSITION_TYPE_ID,
                "sluice journal start position");
            final Counter request = counters.newCounter(aeron, SluiceCounters.SNAPSHOT_REQUEST_TYPE_ID,
                "sluice snapshot request");
            final Counter lastId = counters.newCounter(aeron, SluiceCounters.SNAPSHOT_LAST_ID_TYPE_ID,
                "sluice snapshot last id: " + store.dir());
            final Counter lastPosition = counters.newCounter(aeron, SluiceCounters.SNAPSHOT_LAST_POSITION_TYPE_ID,
                "sluice snapshot last position");
            final Counter digest = counters.newCounter(aeron, SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID,
                "sluice snapshot state digest");
            final Counter pause = counters.newCounter(aeron, SluiceCounters.SNAPSHOT_MAX_PAUSE_TYPE_ID,
                "sluice snapshot max processor pause ns");

            coordinator = new SnapshotCoordinator(store, processors.length, ctx.snapshotRetain(),
                shards.router(), shards.fingerprint(), lastId, lastPosition, digest, pause, out, errorHandler);
            coordinator.reserve(shards.stateCapacity(), shards.tableBytes());
            final JournalIdentity identity = JournalIdentity.read(journalDir);
            final WindowChange windows = WindowChange.of(identity, shards);
            egress.mute(true);
            final JournalRecovery.Result recovery;
            try
            {
                recovery = null != windows ?
                    windows.recover(archive, store, coordinator, processors, producer, shards, ctx.resetWindows, out) :
                    JournalRecovery.recover(archive, store, coordinator.parts(), processors, producer, shards,
                    identity, out);
            }
            finally
            {
                egress.mute(false);
            }

            recording = archive.startRecording(recovery.journal());

            journaller.attach(recording, aeron.countersReader(), archive, coordinator, recorded, unrecorded, start);
            final List<SnapshotManifest> complete = store.complete();
            coordinator.start(recording.recordingId(), journaller, complete.isEmpty() ? null : complete.get(0));
            for (final ShardProcessor processor : processors)
            {
                processor.snapshots(coordinator);
            }
            archive.closeStartupClient();
            final SnapshotTrigger trigger = new SnapshotTrigger(
                coordinator, producer, request, ctx.snapshotIntervalNs(), new SystemNanoClock(), shards.fingerprint());
            final JournalIdentity now = null == identity ? // new windows, processor count or capacity: recorded
                JournalIdentity.of(shards) : identity.now(shards);
            now.writeIfChanged(identity, journalDir);
            return new Journal(ctx.mode(), archive, journaller, coordinator, trigger, recording,
                recovery, journalDir, null == windows ? null : windows.line());
        }
        catch (final Throwable ex)
        {
            CloseHelper.quietCloseAll(coordinator, null == recording ? null : recording.publication(), archive);
            throw ex;
        }
    }

    private static void createDirectories(final Path journalDir)
    {
        try
        {
            Files.createDirectories(journalDir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + SluiceConfig.JOURNAL_DIR + "=" + journalDir, ex);
        }
    }

    /**
     * @return the journal mode.
     */
    public JournalMode mode()
    {
        return mode;
    }

    /**
     * @return the journaller (a ring consumer, run on the daemon's thread).
     */
    public Journaller journaller()
    {
        return journaller;
    }

    /**
     * @return the snapshot trigger (run on the ring producer's thread).
     */
    public SnapshotTrigger trigger()
    {
        return trigger;
    }

    /**
     * @return the Archive's invoker in INVOKER mode (it also runs the driver and the client), else null.
     */
    public AgentInvoker archiveInvoker()
    {
        return archive.invoker();
    }

    /**
     * @return what recovery did.
     */
    public JournalRecovery.Result recovery()
    {
        return recovery;
    }

    /**
     * @return the start-up summary's line of a window change at this start ({@link WindowChange}), or null.
     */
    public String windowChange()
    {
        return windowChange;
    }

    /**
     * @return the journal directory.
     */
    public Path dir()
    {
        return journalDir;
    }

    /**
     * Take a last snapshot at a graceful stop, so the next start replays nothing: ask for it and wait until it is
     * written. Control thread; the daemon's thread must still run (the ingress stopped consuming).
     *
     * @param deadlineNs give up at this {@code System.nanoTime()}.
     * @param out        where giving up is reported.
     * @return true when the snapshot was written.
     */
    public boolean snapshotOnStop(final long deadlineNs, final PrintStream out)
    {
        coordinator.awaitIdle(deadlineNs);
        trigger.requestFinal();
        while (-1 == trigger.finalSnapshotId() && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        final boolean written = -1 != trigger.finalSnapshotId() && coordinator.awaitIdle(deadlineNs);
        if (!written)
        {
            out.println("sluice: stop gave up waiting for the final snapshot (sluice.shutdown.timeout); the next " +
                "start replays the journal from the previous one");
        }
        return written;
    }

    /**
     * Stop the snapshot writer, close the journal publication and the Archive (which stops the recording cleanly).
     * After the daemon's thread stopped.
     */
    public void close()
    {
        CloseHelper.quietCloseAll(coordinator, recording.publication(), archive);
    }

    /**
     * What the journal is configured with: its mode and directory, the Archive's file sync level, segment length
     * and retention, the snapshot interval and how many sets are kept, the driver directory and idle strategy the
     * Archive uses when the driver runs its own threads, and where recovery and snapshots are reported. Set what
     * differs from the declared defaults ({@link Settings}), or take every value from a configuration with
     * {@link #from(SluiceConfig)}, then {@link #conclude()} once. Before {@link Journal#open} the daemon adds its
     * running collaborators: the Aeron client, the embedded driver's invoker, the counters and the error handler.
     * <p>
     * Start-up only; not thread safe.
     */
    public static final class Context
    {
        private JournalMode mode;
        private String dir;
        private Integer fileSync;
        private Integer segmentLength;
        private Long retentionNs;
        private Long snapshotIntervalNs;
        private Integer snapshotRetain;
        private String driverDir;
        private IdleStrategyType idleStrategy;
        private PrintStream log;
        private Aeron aeron;
        private AgentInvoker driverInvoker;
        private SluiceCounters counters;
        private ErrorHandler errorHandler;
        private boolean resetWindows;
        private boolean concluded;

        /**
         * @param config a configuration, the one place the journal's settings are read.
         * @return a context holding the journal mode, directory, file sync level, segment length, retention, snapshot
         * interval and retain count, driver directory and idle strategy, not yet concluded.
         */
        public static Context from(final SluiceConfig config)
        {
            return new Context()
                .mode(config.journalMode())
                .dir(config.journalDir())
                .fileSync(config.journalFileSync())
                .segmentLength(config.journalSegmentLength())
                .retentionNs(config.journalRetentionNs())
                .snapshotIntervalNs(config.snapshotIntervalNs())
                .snapshotRetain(config.snapshotRetain())
                .driverDir(config.driverDir())
                .idleStrategy(config.driverIdleStrategy());
        }

        /**
         * Fill defaults from the declarations in {@link Settings} (the log {@link System#out}) and check every value
         * against its declared range. The directories have defaults derived at load, so a context used without a
         * configuration must set them. Runs once.
         *
         * @return this.
         * @throws ConfigurationException naming the key of the first value out of range or not set, e.g.
         *                                {@code sluice.journal.segment-length=1000 must be a power of two ...}.
         * @throws IllegalStateException  when called a second time.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("Journal.Context is already concluded");
            }
            mode = Settings.JOURNAL_MODE.valueOrDefault(mode);
            dir = Settings.JOURNAL_DIR.check(dir);
            fileSync = Settings.JOURNAL_FILE_SYNC.valueOrDefault(fileSync);
            segmentLength = Settings.JOURNAL_SEGMENT_LENGTH.valueOrDefault(segmentLength);
            retentionNs = Settings.JOURNAL_RETENTION.valueOrDefault(retentionNs);
            snapshotIntervalNs = Settings.SNAPSHOT_INTERVAL.valueOrDefault(snapshotIntervalNs);
            snapshotRetain = Settings.SNAPSHOT_RETAIN.valueOrDefault(snapshotRetain);
            driverDir = Settings.DRIVER_DIR.check(driverDir);
            idleStrategy = Settings.DRIVER_IDLE_STRATEGY.valueOrDefault(idleStrategy);
            log = null == log ? System.out : log;
            concluded = true;
            return this;
        }

        void checkReady()
        {
            if (!concluded)
            {
                throw new IllegalStateException("Journal.Context is not concluded");
            }
            if (null == aeron || null == errorHandler)
            {
                throw new IllegalStateException("Journal.Context needs the Aeron client and the error handler");
            }
        }

        /**
         * @param mode async or sync ({@link SluiceConfig#JOURNAL_MODE}).
         * @return this.
         */
        public Context mode(final JournalMode mode)
        {
            this.mode = mode;
            return this;
        }

        /**
         * @return the journal mode.
         */
        public JournalMode mode()
        {
            return mode;
        }

        /**
         * @param dir directory of the Archive and the snapshot sets ({@link SluiceConfig#JOURNAL_DIR}).
         * @return this.
         */
        public Context dir(final String dir)
        {
            this.dir = dir;
            return this;
        }

        /**
         * @return directory of the Archive and the snapshot sets.
         */
        public String dir()
        {
            return dir;
        }

        /**
         * @param fileSync the Archive's file sync level ({@link SluiceConfig#JOURNAL_FILE_SYNC}).
         * @return this.
         */
        public Context fileSync(final int fileSync)
        {
            this.fileSync = fileSync;
            return this;
        }

        /**
         * @return the Archive's file sync level.
         */
        public Integer fileSync()
        {
            return fileSync;
        }

        /**
         * @param segmentLength bytes of each journal segment file ({@link SluiceConfig#JOURNAL_SEGMENT_LENGTH}).
         * @return this.
         */
        public Context segmentLength(final int segmentLength)
        {
            this.segmentLength = segmentLength;
            return this;
        }

        /**
         * @return bytes of each journal segment file.
         */
        public Integer segmentLength()
        {
            return segmentLength;
        }

        /**
         * @param retentionNs journal history kept for replay and export, ns ({@link SluiceConfig#JOURNAL_RETENTION}).
         * @return this.
         */
        public Context retentionNs(final long retentionNs)
        {
            this.retentionNs = retentionNs;
            return this;
        }

        /**
         * @return journal history kept for replay and export, ns.
         */
        public Long retentionNs()
        {
            return retentionNs;
        }

        /**
         * @param snapshotIntervalNs time between automatic snapshots, ns; 0 for none
         *                           ({@link SluiceConfig#SNAPSHOT_INTERVAL}).
         * @return this.
         */
        public Context snapshotIntervalNs(final long snapshotIntervalNs)
        {
            this.snapshotIntervalNs = snapshotIntervalNs;
            return this;
        }

        /**
         * @return time between automatic snapshots, ns.
         */
        public Long snapshotIntervalNs()
        {
            return snapshotIntervalNs;
        }

        /**
         * @param snapshotRetain complete snapshot sets kept ({@link SluiceConfig#SNAPSHOT_RETAIN}).
         * @return this.
         */
        public Context snapshotRetain(final int snapshotRetain)
        {
            this.snapshotRetain = snapshotRetain;
            return this;
        }

        /**
         * @return complete snapshot sets kept.
         */
        public Integer snapshotRetain()
        {
            return snapshotRetain;
        }

        /**
         * @param driverDir the media driver the Archive connects to when the driver runs its own threads
         *                  ({@link SluiceConfig#DRIVER_DIR}).
         * @return this.
         */
        public Context driverDir(final String driverDir)
        {
            this.driverDir = driverDir;
            return this;
        }

        /**
         * @return the media driver directory.
         */
        public String driverDir()
        {
            return driverDir;
        }

        /**
         * @param idleStrategy idle strategy of the Archive's thread when the driver runs its own threads
         *                     ({@link SluiceConfig#DRIVER_IDLE_STRATEGY}).
         * @return this.
         */
        public Context idleStrategy(final IdleStrategyType idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * @return idle strategy of the Archive's thread.
         */
        public IdleStrategyType idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * @param log where recovery and snapshots are reported ({@link System#out} when not set).
         * @return this.
         */
        public Context log(final PrintStream log)
        {
            this.log = log;
            return this;
        }

        /**
         * @return where recovery and snapshots are reported.
         */
        public PrintStream log()
        {
            return log;
        }

        /**
         * @param aeron the daemon's client; shared with the Archive when the driver is invoked. Set before
         *              {@link Journal#open}.
         * @return this.
         */
        public Context aeron(final Aeron aeron)
        {
            this.aeron = aeron;
            return this;
        }

        /**
         * @return the daemon's client.
         */
        public Aeron aeron()
        {
            return aeron;
        }

        /**
         * @param driverInvoker the embedded driver's invoker (INVOKER threading), or null when the driver runs its
         *                      own threads.
         * @return this.
         */
        public Context driverInvoker(final AgentInvoker driverInvoker)
        {
            this.driverInvoker = driverInvoker;
            return this;
        }

        /**
         * @return the embedded driver's invoker, or null.
         */
        public AgentInvoker driverInvoker()
        {
            return driverInvoker;
        }

        /**
         * @param counters the daemon's counters; the journal's are added to them. Set before {@link Journal#open}.
         * @return this.
         */
        public Context counters(final SluiceCounters counters)
        {
            this.counters = counters;
            return this;
        }

        /**
         * @return the daemon's counters.
         */
        public SluiceCounters counters()
        {
            return counters;
        }

        /**
         * @param errorHandler the daemon's error handler. Set before {@link Journal#open}.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * @return the daemon's error handler.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * @param resetWindows on a window change whose history the journal no longer holds, start the windows empty
         *                     rather than refuse ({@code sluice daemon --reset-windows}).
         * @return this.
         */
        public Context resetWindows(final boolean resetWindows)
        {
            this.resetWindows = resetWindows;
            return this;
        }

        /**
         * @return true once {@link #conclude()} succeeded.
         */
        public boolean isConcluded()
        {
            return concluded;
        }
    }
}
