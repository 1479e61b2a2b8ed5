package io.sluice.server.journal;

import io.sluice.core.ring.RingProducer;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.snapshot.SnapshotListener;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes snapshots: the ring producer puts a marker into the ring ({@link #tryBegin}, ingress thread, which also
 * copies the producer's marks and watermark), each processor copies its state on reaching the marker (its whole
 * pause), the journaller reports the marker's journal position, and once every part is copied and the Archive has
 * recorded the journal up to the marker, the writer agent ({@link #writerAgent()}, role {@value #WRITER_ROLE_NAME},
 * run on a thread of its own that sleeps a millisecond when idle) writes the set with checksums and its manifest last
 * ({@link SnapshotStore}). Then it keeps the newest
 * {@code sluice.snapshot.retain} complete sets, deletes the rest, and asks the journaller to purge the journal
 * segments before the oldest kept one. One snapshot at a time: a request while one is in progress waits for it.
 * <p>
 * Published: counters of the newest snapshot's id, journal position and state digest, and the longest processor
 * pause; a log line per snapshot.
 */
public final class SnapshotCoordinator implements SnapshotListener, AutoCloseable
{
    /** The writer agent's role name, the name of the thread it runs on. */
    public static final String WRITER_ROLE_NAME = "sluice-snapshot-writer";
    /** How long the writer's thread sleeps when there is nothing to write, ms. */
    static final long WRITER_IDLE_MS = 1;

    private final SnapshotStore store;
    private final ShardSnapshot[] parts;
    private final ProducerSnapshot producerPart = new ProducerSnapshot();
    private final int retain;
    private final io.sluice.core.route.ShardRouter router;
    private final long fingerprint;
    private final PrintStream out;
    private final ErrorHandler errorHandler;
    private final AtomicCounter lastId;
    private final AtomicCounter lastPosition;
    private final AtomicCounter digest;
    private final AtomicCounter maxPauseNs;
    private final AtomicInteger copied = new AtomicInteger();
    private final Writer writer = new Writer();
    private AgentRunner writerRunner;
    private volatile long inProgress;
    private volatile long markerPosition = -1;
    private volatile long recordedPosition = -1;
    private long nextId;
    private long recordingId;
    private Journaller journaller;

    /**
     * @param store        where sets are written.
     * @param shardCount   processors: one part each.
     * @param retain       complete sets kept.
     * @param router       the key hash and key groups: its seed is recorded in each manifest, and each part is
     *                     indexed by its key groups.
     * @param fingerprint  the configuration fingerprint, recorded in each manifest.
     * @param lastId       counts the newest complete snapshot's id.
     * @param lastPosition counts its journal position.
     * @param digest       counts its state digest.
     * @param maxPauseNs   counts the longest processor pause.
     * @param out          where a line per snapshot goes.
     * @param errorHandler receives a failed write.
     */
    public SnapshotCoordinator(
        final SnapshotStore store,
        final int shardCount,
        final int retain,
        final io.sluice.core.route.ShardRouter router,
        final long fingerprint,
        final AtomicCounter lastId,
        final AtomicCounter lastPosition,
        final AtomicCounter digest,
        final AtomicCounter maxPauseNs,
        final PrintStream out,
        final ErrorHandler errorHandler)
    {
        this.store = store;
        this.parts = new ShardSnapshot[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            parts[i] = new ShardSnapshot();
        }
        this.retain = retain;
        this.router = router;
        this.fingerprint = fingerprint;
        this.lastId = lastId;
        this.lastPosition = lastPosition;
        this.digest = digest;
        this.maxPauseNs = maxPauseNs;
        this.out = out;
        this.errorHandler = errorHandler;
        final List<Long> ids = store.allIds();
        this.nextId = ids.isEmpty() ? 1 : ids.get(ids.size() - 1) + 1;
    }

    /**
     * Allocate every part's table copy now, at start-up, so a snapshot's pause is the copy alone (and recovery
     * loads snapshots into the same buffers). Start-up only.
     *
     * @param capacity   keys per table.
     * @param tableBytes bytes per table.
     */
    public void reserve(final int capacity, final long tableBytes)
    {
        for (final ShardSnapshot part : parts)
        {
            part.reserve(capacity, Math.toIntExact(tableBytes));
        }
    }

    /**
     * @return the parts, shard i at index i: recovery loads into them before the processors start.
     */
    public ShardSnapshot[] parts()
    {
        return parts;
    }

    /**
     * Start writing snapshots into a recording's journal: the writer agent starts on a daemon thread of its own,
     * {@value #WRITER_ROLE_NAME}, sleeping a millisecond when idle; a failed write goes to the error handler.
     * Start-up only.
     *
     * @param recordingId the journal's recording.
     * @param journaller  the journaller that purges.
     * @param newest      the newest complete set at start, or null: its counters are published.
     */
    public void start(final long recordingId, final Journaller journaller, final SnapshotManifest newest)
    {
        attach(recordingId, journaller, newest);
        writerRunner = new AgentRunner(
            new SleepingMillisIdleStrategy(WRITER_IDLE_MS), errorHandler, null, writer);
        AgentRunner.startOnThread(writerRunner, (runnable) ->
        {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Attach to a recording's journal without starting a thread: the caller runs {@link #writerAgent()}. Start-up
     * only.
     *
     * @param recordingId the journal's recording.
     * @param journaller  the journaller that purges.
     * @param newest      the newest complete set at start, or null: its counters are published.
     */
    void attach(final long recordingId, final Journaller journaller, final SnapshotManifest newest)
    {
        this.recordingId = recordingId;
        this.journaller = journaller;
        if (null != newest)
        {
            publish(newest);
        }
    }

    /**
     * @return the agent that writes a snapshot once every part is copied and its marker recorded; its thread only.
     */
    public Agent writerAgent()
    {
        return writer;
    }

    /**
     * Put a snapshot marker into the ring when no snapshot is in progress. Ingress thread only (the producer's).
     *
     * @param producer the ring producer.
     * @param nowNs    the producer's clock.
     * @return true when a snapshot began.
     */
    public boolean tryBegin(final RingProducer producer, final long nowNs)
    {
        if (0 != inProgress)
        {
            return false;
        }
        final long id = nextId;
        copied.set(0);
        markerPosition = -1;
        inProgress = id;
        if (!producer.offerSnapshot(id, nowNs, producerPart))
        {
            inProgress = 0;
            return false;
        }
        nextId = id + 1;
        return true;
    }

    /**
     * @return true while a snapshot is being taken or written.
     */
    public boolean inProgress()
    {
        return 0 != inProgress;
    }

    /**
     * {@inheritDoc}
     */
    public ShardSnapshot partFor(final int shard, final long snapshotId)
    {
        return snapshotId == inProgress ? parts[shard] : null;
    }

    /**
     * {@inheritDoc}
     */
    public void onPartCopied(final int shard, final long snapshotId, final long pauseNs)
    {
        maxPauseNs.proposeMaxRelease(pauseNs);
        copied.incrementAndGet();
    }

    /**
     * The journaller wrote a snapshot marker. Journaller thread.
     *
     * @param snapshotId the snapshot.
     * @param position   the journal position right after the marker.
     */
    public void onMarkerJournaled(final long snapshotId, final long position)
    {
        if (snapshotId == inProgress)
        {
            markerPosition = position;
        }
    }

    /**
     * The Archive recorded the journal up to a position. Journaller thread.
     *
     * @param position the recorded position.
     */
    public void onRecorded(final long position)
    {
        recordedPosition = position;
    }

    private void write(final long id, final long marker)
    {
        final long startNs = System.nanoTime();
        try
        {
            final SnapshotManifest manifest = store.write(
                parts, producerPart, recordingId, marker, router, fingerprint, System.currentTimeMillis());
            publish(manifest);
            out.println("sluice: snapshot " + id + " at journal position " + marker + ", digest " +
                String.format("%016x", manifest.digest()) + ", written in " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms to " + store.setDir(id));
            out.flush();
            retire();
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            try
            {
                store.delete(id);
            }
            catch (final RuntimeException deleteFailure)
            {
                errorHandler.onError(deleteFailure);
            }
        }
        finally
        {
            inProgress = 0;
        }
    }

    private void publish(final SnapshotManifest manifest)
    {
        lastPosition.setRelease(manifest.journalPosition());
        digest.setRelease(manifest.digest());
        lastId.setRelease(manifest.snapshotId());
    }

    private void retire()
    {
        final List<SnapshotManifest> complete = store.complete();
        if (complete.isEmpty())
        {
            return;
        }
        final long newestId = complete.get(0).snapshotId();
        for (final long id : store.allIds())
        {
            final boolean kept = complete.stream().limit(retain).anyMatch((manifest) -> manifest.snapshotId() == id);
            if (!kept && id < newestId)
            {
                store.delete(id);
            }
        }
        journaller.requestPurge(complete.get(Math.min(retain, complete.size()) - 1).journalPosition());
    }

    /**
     * Wait until no snapshot is in progress. Control thread.
     *
     * @param deadlineNs give up at this {@code System.nanoTime()}.
     * @return true when none is in progress.
     */
    public boolean awaitIdle(final long deadlineNs)
    {
        while (0 != inProgress && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return 0 == inProgress;
    }

    /**
     * Take the next id for a snapshot written at start-up, outside the ring (a window change's). Start-up only.
     *
     * @return the id.
     */
    long claimId()
    {
        return nextId++;
    }

    /**
     * @return the id the next snapshot gets.
     */
    public long nextId()
    {
        return nextId;
    }

    /**
     * Stop the writer's thread (after any snapshot in progress was awaited); a write under way finishes first.
     */
    public void close()
    {
        CloseHelper.close(writerRunner);
    }

    /**
     * Writes the snapshot in progress once every processor copied its part and the Archive recorded the journal up
     * to its marker; nothing to do otherwise.
     */
    final class Writer implements Agent
    {
        /**
         * {@inheritDoc}
         */
        public int doWork()
        {
            final long id = inProgress;
            final long marker = markerPosition;
            if (0 != id && copied.get() == parts.length && marker >= 0 && recordedPosition >= marker)
            {
                write(id, marker);
                return 1;
            }
            return 0;
        }

        /**
         * {@inheritDoc}
         */
        public String roleName()
        {
            return WRITER_ROLE_NAME;
        }
    }
}
