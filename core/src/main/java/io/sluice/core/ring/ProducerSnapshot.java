package io.sluice.core.ring;

import org.agrona.collections.LongArrayList;

import java.util.BitSet;
import java.util.List;

/**
 * The ring producer's part of a snapshot: every client's high-water mark and the watermark's event-time state, as
 * they stood when the producer put the snapshot marker into the ring, and in a topology its key-group ownership
 * ({@link GroupOwnership}: epoch, owned groups, history). Filled on the producer thread
 * ({@code RingProducer.offerSnapshot}), then owned by the snapshot writer until the snapshot is written; reused.
 */
public final class ProducerSnapshot
{
    private final LongArrayList marks = new LongArrayList();
    private long snapshotId;
    private boolean hasWatermark;
    private long maxTimestamp = Long.MIN_VALUE;
    private long watermark = Long.MIN_VALUE;
    private long lastTickWatermark = Long.MIN_VALUE;
    private int keyGroupCount;
    private long epoch;
    private BitSet owned = new BitSet();
    private List<GroupOwnership.Transition> history = List.of();

    /**
     * Copy the producer's state. Producer thread only.
     *
     * @param snapshotId the snapshot.
     * @param tracker    the watermark tracker, null without windows.
     * @param clients    the client marks.
     */
    public void capture(final long snapshotId, final WatermarkTracker tracker, final ClientMarks clients)
    {
        this.snapshotId = snapshotId;
        hasWatermark = null != tracker;
        maxTimestamp = null == tracker ? Long.MIN_VALUE : tracker.maxTimestamp();
        watermark = null == tracker ? Long.MIN_VALUE : tracker.watermark();
        lastTickWatermark = null == tracker ? Long.MIN_VALUE : tracker.lastTickWatermark();
        marks.clear();
        clients.forEach((clientId, mark) ->
        {
            marks.addLong(clientId);
            marks.addLong(mark);
        });
    }

    /**
     * Put this state back into a producer's tracker and marks (recovery).
     *
     * @param tracker the watermark tracker, null without windows.
     * @param clients the client marks, cleared first.
     * @param nowNs   the producer's clock.
     */
    public void restoreInto(final WatermarkTracker tracker, final ClientMarks clients, final long nowNs)
    {
        if (null != tracker)
        {
            tracker.restore(maxTimestamp, watermark, lastTickWatermark, nowNs);
        }
        clients.clear();
        for (int i = 0; i < marks.size(); i += 2)
        {
            clients.accept(marks.getLong(i), marks.getLong(i + 1));
        }
    }

    /**
     * Copy the producer's ownership (producer thread; allocates: snapshots are the control path).
     *
     * @param ownership the producer's ownership, or null when not in a topology (then the part has none).
     */
    public void captureOwnership(final GroupOwnership ownership)
    {
        if (null == ownership)
        {
            ownership(0, 0, new BitSet(), List.of());
        }
        else
        {
            ownership(ownership.keyGroupCount(), ownership.epoch(), ownership.owned(), ownership.history());
        }
    }

    /**
     * Set the ownership (reading a snapshot back).
     *
     * @param keyGroupCount key groups of the topology, 0 for a part without topology.
     * @param epoch         the epoch.
     * @param owned         the owned groups.
     * @param history       the transitions, oldest first.
     * @return this.
     */
    public ProducerSnapshot ownership(
        final int keyGroupCount, final long epoch, final BitSet owned, final List<GroupOwnership.Transition> history)
    {
        this.keyGroupCount = keyGroupCount;
        this.epoch = epoch;
        this.owned = (BitSet)owned.clone();
        this.history = List.copyOf(history);
        return this;
    }

    /**
     * Put the ownership back into a producer's (recovery). A part without topology (older, or taken by a producer
     * not in a topology) leaves it as it is: the topology file's.
     *
     * @param ownership the producer's ownership.
     * @throws IllegalArgumentException when the part's key-group count differs from the ownership's.
     */
    public void restoreOwnership(final GroupOwnership ownership)
    {
        if (!hasOwnership())
        {
            return;
        }
        if (keyGroupCount != ownership.keyGroupCount())
        {
            throw new IllegalArgumentException("the snapshot's ownership is of " + keyGroupCount +
                " key groups, the topology has " + ownership.keyGroupCount());
        }
        ownership.restore(epoch, owned, history);
    }

    /**
     * @return true when the part holds an ownership (taken in a topology).
     */
    public boolean hasOwnership()
    {
        return keyGroupCount > 0;
    }

    /**
     * @return key groups of the ownership, 0 without.
     */
    public int keyGroupCount()
    {
        return keyGroupCount;
    }

    /**
     * @return the topology epoch, 0 without ownership.
     */
    public long epoch()
    {
        return epoch;
    }

    /**
     * @return the owned groups (not copied: read, never change).
     */
    public BitSet owned()
    {
        return owned;
    }

    /**
     * @return the ownership history, oldest first.
     */
    public List<GroupOwnership.Transition> history()
    {
        return history;
    }

    /**
     * Set every field (reading a snapshot back); no ownership until {@link #ownership} sets one.
     *
     * @param snapshotId        the snapshot.
     * @param hasWatermark      whether windows were on.
     * @param maxTimestamp      newest accepted event time.
     * @param watermark         the watermark.
     * @param lastTickWatermark the last tick's watermark.
     * @return this.
     */
    public ProducerSnapshot set(
        final long snapshotId,
        final boolean hasWatermark,
        final long maxTimestamp,
        final long watermark,
        final long lastTickWatermark)
    {
        this.snapshotId = snapshotId;
        this.hasWatermark = hasWatermark;
        this.maxTimestamp = maxTimestamp;
        this.watermark = watermark;
        this.lastTickWatermark = lastTickWatermark;
        marks.clear();
        ownership(0, 0, new BitSet(), List.of());
        return this;
    }

    /**
     * @param clientId a client.
     * @param mark     its mark.
     * @return this.
     */
    public ProducerSnapshot addMark(final long clientId, final long mark)
    {
        marks.addLong(clientId);
        marks.addLong(mark);
        return this;
    }

    /**
     * @return the snapshot's id.
     */
    public long snapshotId()
    {
        return snapshotId;
    }

    /**
     * @return whether windows were on (the watermark fields mean something).
     */
    public boolean hasWatermark()
    {
        return hasWatermark;
    }

    /**
     * @return newest accepted event time.
     */
    public long maxTimestamp()
    {
        return maxTimestamp;
    }

    /**
     * @return the watermark.
     */
    public long watermark()
    {
        return watermark;
    }

    /**
     * @return the last tick's watermark.
     */
    public long lastTickWatermark()
    {
        return lastTickWatermark;
    }

    /**
     * @return clients held.
     */
    public int markCount()
    {
        return marks.size() / 2;
    }

    /**
     * @param i index in {@code [0, markCount())}.
     * @return the i-th client id.
     */
    public long clientId(final int i)
    {
        return marks.getLong(2 * i);
    }

    /**
     * @param i index in {@code [0, markCount())}.
     * @return the i-th client's mark.
     */
    public long mark(final int i)
    {
        return marks.getLong(2 * i + 1);
    }
}
