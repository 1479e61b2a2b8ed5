package io.sluice.server.journal;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.SluiceRing;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

/**
 * LMAX's journaller: a ring consumer beside the processors that writes every entry affecting state or output
 * (events, queries, rejects, ticks, snapshot markers, the start of a run) in ring order into the journal
 * publication the embedded Archive records. One message per batch of entries the ring has ready, up to what one
 * frame holds (natural group commit); a batch ends at a snapshot marker, so the marker's journal position is the
 * end of its message and replay after the snapshot starts on a message boundary. NONE entries (a write that
 * failed) and RESUME requests (they change nothing) are not journaled.
 * <p>
 * Two sequences: {@link #journaled()} (entries written to the publication) gates the ring, so the producer never
 * overwrites an entry before it is journaled; {@link #recorded()} (entries whose journal position the Archive's
 * recording position has passed) is what processors gate on in {@code sync} mode: no result leaves before its
 * entry is in the Archive's files. The wait is this sequence, not a sleep.
 * <p>
 * Also does, on its thread, the journal's one control job: purging segments before the oldest kept snapshot
 * when the snapshot writer asks ({@link #requestPurge(long)}).
 * <p>
 * Runs on the daemon's thread (shared layout: after the ingress, before the Archive and the processors). Allocates
 * nothing per entry.
 */
public final class Journaller implements Agent
{
    private static final int PENDING_CAPACITY = 4096;
    private static final int PENDING_MASK = PENDING_CAPACITY - 1;

    private final SluiceRing ring;
    private final RingBuffer<RingEntry> ringBuffer;
    private final Sequence journaled = new Sequence(-1);
    private final Sequence recorded = new Sequence(-1);
    private final BufferClaim claim = new BufferClaim();
    private final long[] pendingPositions = new long[PENDING_CAPACITY];
    private final long[] pendingSequences = new long[PENDING_CAPACITY];
    private long pendingHead;
    private long pendingTail;
    private ExclusivePublication publication;
    private CountersReader countersReader;
    private int recordingCounterId;
    private int maxEntries;
    private JournalArchive archive;
    private SnapshotCoordinator snapshots;
    private AtomicCounter recordedPosition;
    private AtomicCounter unrecordedBytes;
    private AtomicCounter startPosition;
    private long lastRecordedPosition = -1;
    private volatile long purgeRequest = -1;
    private org.agrona.collections.LongLongConsumer rulesJournaled;
    private org.agrona.collections.LongLongConsumer ownershipJournaled;

    /**
     * Join the ring as a consumer: from now on the producer cannot overwrite an entry this journaller has not
     * written. Call before anything is put into the ring.
     *
     * @param ring the ring.
     */
    public Journaller(final SluiceRing ring)
    {
        this.ring = ring;
        this.ringBuffer = ring.ringBuffer();
        ringBuffer.addGatingSequences(journaled);
    }

    /**
     * Write into a recording's publication from now on. Start-up only, before the daemon thread starts.
     *
     * @param recording        the journal recording.
     * @param countersReader   where the recording position counter is read.
     * @param archive          the archive, for purges.
     * @param snapshots        told the journal position of each snapshot marker, or null.
     * @param recordedPosition counts the recorded journal position.
     * @param unrecordedBytes  counts journal bytes published but not yet recorded.
     * @param startPosition    counts the journal's first held position.
     * @return this.
     */
    public Journaller attach(
        final JournalArchive.Recording recording,
        final CountersReader countersReader,
        final JournalArchive archive,
        final SnapshotCoordinator snapshots,
        final AtomicCounter recordedPosition,
        final AtomicCounter unrecordedBytes,
        final AtomicCounter startPosition)
    {
        this.publication = recording.publication();
        this.countersReader = countersReader;
        this.recordingCounterId = recording.counterId();
        this.archive = archive;
        this.snapshots = snapshots;
        this.recordedPosition = recordedPosition;
        this.unrecordedBytes = unrecordedBytes;
        this.startPosition = startPosition;
        this.maxEntries = publication.maxPayloadLength() / RingEntry.LENGTH;
        startPosition.setRelease(archive.startPosition());
        return this;
    }

    /**
     * Be told the journal position of each rule set (a live change of the alert rules, and the set in force that
     * follows a snapshot marker): a batch ends at a set's last RULES entry, as at a snapshot marker, so the position
     * is the end of its message, and every event before it in the journal was judged by the old rules. Called on
     * this journaller's thread. Start-up only.
     *
     * @param rulesJournaled takes the set's configuration version and journal position, or null.
     * @return this.
     */
    public Journaller rulesJournaled(final org.agrona.collections.LongLongConsumer rulesJournaled)
    {
        this.rulesJournaled = rulesJournaled;
        return this;
    }

    /**
     * Be told the journal position of each OWNERSHIP entry (topology mode: a move's release or acquire): a batch
     * ends at one, as at a snapshot marker. Called on this journaller's thread.
     *
     * @param ownershipJournaled takes the entry's move id and journal position, or null.
     * @return this.
     */
    public Journaller ownershipJournaled(final org.agrona.collections.LongLongConsumer ownershipJournaled)
    {
        this.ownershipJournaled = ownershipJournaled;
        return this;
    }

    /**
     * @return entries written to the journal publication; gates the ring.
     */
    public Sequence journaled()
    {
        return journaled;
    }

    /**
     * @return entries the Archive has recorded; processors gate on it in sync mode.
     */
    public Sequence recorded()
    {
        return recorded;
    }

    /**
     * @return the journal publication's position: the end of what has been written.
     */
    public long position()
    {
        return publication.position();
    }

    /**
     * @return the journal position the Archive has recorded.
     */
    public long recordedPosition()
    {
        return countersReader.getCounterValue(recordingCounterId);
    }

    /**
     * @return true while the journal publication holds entries the Archive has not recorded yet (its duty cycle
     * then has work).
     */
    public boolean hasUnrecorded()
    {
        return publication.position() > countersReader.getCounterValue(recordingCounterId);
    }

    /**
     * Ask for the journal segments before a position to be purged, on this journaller's thread. Any thread.
     *
     * @param position the oldest kept snapshot's journal position.
     */
    public void requestPurge(final long position)
    {
        purgeRequest = position;
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        int work = acknowledge();
        work += write();
        final long purge = purgeRequest;
        if (purge >= 0)
        {
            purgeRequest = -1;
            startPosition.setRelease(archive.purgeBefore(purge));
            work++;
        }
        return work;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "sluice-journaller";
    }

    private int write()
    {
        final long next = journaled.get() + 1;
        final long available = ringBuffer.getCursor();
        if (available < next || pendingTail - pendingHead == PENDING_CAPACITY)
        {
            return 0;
        }
        final long end = Math.min(available, next + maxEntries - 1);
        int bytes = 0;
        long last = next - 1;
        long snapshotId = 0;
        long rulesVersion = -1;
        long moveId = 0;
        for (long sequence = next; sequence <= end; sequence++)
        {
            final RingEntry entry = ring.entry(sequence);
            final int type = entry.type();
            last = sequence;
            if (isJournaled(type))
            {
                bytes += RingEntry.LENGTH;
            }
            if (RingEntry.TYPE_SNAPSHOT == type)
            {
                snapshotId = entry.correlationId();
                break;
            }
            if (RingEntry.TYPE_RULES == type && entry.rulesChunk() == entry.rulesChunkCount() - 1)
            {
                rulesVersion = entry.rulesVersion();
                break;
            }
            if (RingEntry.TYPE_OWNERSHIP == type)
            {
                moveId = io.sluice.core.ring.OwnershipEntry.moveId(entry);
                break;
            }
        }
        if (0 == bytes)
        {
            pend(publication.position(), last);
            journaled.set(last);
            return (int)(last - next + 1);
        }
        final long position = publication.tryClaim(bytes, claim);
        if (position < 0)
        {
            if (Publication.CLOSED == position || Publication.MAX_POSITION_EXCEEDED == position)
            {
                throw new IllegalStateException("the journal publication cannot take more: " +
                    Publication.errorString(position));
            }
            return 0;
        }
        int offset = claim.offset();
        for (long sequence = next; sequence <= last; sequence++)
        {
            final RingEntry entry = ring.entry(sequence);
            if (isJournaled(entry.type()))
            {
                claim.buffer().putBytes(offset, entry.buffer(), entry.offset(), RingEntry.LENGTH);
                offset += RingEntry.LENGTH;
            }
        }
        claim.commit();
        pend(position, last);
        journaled.set(last);
        if (0 != snapshotId && null != snapshots)
        {
            snapshots.onMarkerJournaled(snapshotId, position);
        }
        if (rulesVersion >= 0 && null != rulesJournaled)
        {
            rulesJournaled.accept(rulesVersion, position);
        }
        if (0 != moveId && null != ownershipJournaled)
        {
            ownershipJournaled.accept(moveId, position);
        }
        return (int)(last - next + 1);
    }

    private static boolean isJournaled(final int type)
    {
        return RingEntry.TYPE_NONE != type && RingEntry.TYPE_RESUME != type;
    }

    private void pend(final long position, final long sequence)
    {
        final int index = (int)(pendingTail & PENDING_MASK);
        pendingPositions[index] = position;
        pendingSequences[index] = sequence;
        pendingTail++;
    }

    /**
     * Move {@link #recorded()} up to what the Archive has recorded, without writing: run right after the Archive's
     * duty cycle in the shared layout, so a sync-mode result leaves in the same cycle its entry was recorded.
     *
     * @return 1 when entries became recorded, else 0.
     */
    public int acknowledge()
    {
        final long position = countersReader.getCounterValue(recordingCounterId);
        if (position != lastRecordedPosition)
        {
            lastRecordedPosition = position;
            recordedPosition.setRelease(position);
            if (null != snapshots)
            {
                snapshots.onRecorded(position);
            }
        }
        long head = pendingHead;
        long sequence = -1;
        while (head < pendingTail && pendingPositions[(int)(head & PENDING_MASK)] <= position)
        {
            sequence = pendingSequences[(int)(head & PENDING_MASK)];
            head++;
        }
        unrecordedBytes.setRelease(Math.max(0, publication.position() - position));
        if (head != pendingHead)
        {
            pendingHead = head;
            recorded.set(sequence);
            return 1;
        }
        return 0;
    }
}
