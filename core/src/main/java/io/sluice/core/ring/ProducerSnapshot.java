package io.sluice.core.ring;

import org.agrona.collections.LongArrayList;

/**
 * The ring producer's part of a snapshot: every client's high-water mark and the watermark's event-time state, as
 * they stood when the producer put the snapshot marker into the ring. Filled on the producer thread
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
     * Set every field (reading a snapshot back).
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
