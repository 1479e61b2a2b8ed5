package io.sluice.server.journal;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.sluice.config.JournalMode;
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

    private Journal(
        final JournalMode mode,
        final JournalArchive archive,
        final Journaller journaller,
        final SnapshotCoordinator coordinator,
        final SnapshotTrigger trigger,
        final JournalArchive.Recording recording,
        final JournalRecovery.Result recovery,
        final Path journalDir)
    {
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
     * @param config        the daemon's configuration.
     * @param shards        the concluded shards' context (seed, fingerprint, settings that shape state).
     * @param aeron         the daemon's client.
     * @param driverInvoker the embedded driver's invoker, or null.
     * @param counters      the daemon's counters; the journal's are added to them.
     * @param journaller    the journaller, already a consumer of the ring.
     * @param processors    the processors, not started.
     * @param producer      the ring producer, not yet producing.
     * @param egress        the egress, muted during the replay.
     * @param errorHandler  the daemon's error handler.
     * @param out           where recovery and snapshots are reported.
     * @return the journal, recovered and recording.
     */
    public static Journal open(
        final SluiceConfig config,
        final ShardContext shards,
        final Aeron aeron,
        final AgentInvoker driverInvoker,
        final SluiceCounters counters,
        final Journaller journaller,
        final ShardProcessor[] processors,
        final RingProducer producer,
        final EgressGroup egress,
        final ErrorHandler errorHandler,
        final PrintStream out)
    {
        final Path journalDir = Path.of(config.journalDir()).toAbsolutePath();
        createDirectories(journalDir);
        JournalArchive archive = null;
        SnapshotCoordinator coordinator = null;
        JournalArchive.Recording recording = null;
        try
        {
            archive = JournalArchive.launch(config, aeron, driverInvoker, errorHandler, config.journalSegmentLength());
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

            coordinator = new SnapshotCoordinator(store, processors.length, config.snapshotRetain(),
                shards.hashSeed(), shards.fingerprint(), lastId, lastPosition, digest, pause, out, errorHandler);
            coordinator.reserve(shards.stateCapacity(), shards.tableBytes());
            egress.mute(true);
            final JournalRecovery.Result recovery;
            try
            {
                recovery = JournalRecovery.recover(archive, store, coordinator.parts(), processors, producer,
                    shards.hashSeed(), shards.fingerprint(), out);
            }
            finally
            {
                egress.mute(false);
            }
            if (null == JournalIdentity.read(journalDir))
            {
                new JournalIdentity(shards.hashSeed(), shards.stateSettings()).write(journalDir);
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
                coordinator, producer, request, config.snapshotIntervalNs(), new SystemNanoClock(), shards.fingerprint());
            return new Journal(config.journalMode(), archive, journaller, coordinator, trigger, recording,
                recovery, journalDir);
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
}
