package io.sluice.core.replay;

import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.WatermarkTracker;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.window.WindowSpec;

/**
 * Ticks derived again under a replay's own windows, by the daemon's own rule ({@link WatermarkTracker}): a tick goes
 * before each event that moves the replay's watermark (highest event time less its allowed lateness) into a new
 * pane. The journal's ticks stand for the clock: each moves the replay's watermark to the journaled one shifted by
 * the difference in allowed lateness (so the live run's idle advance carries over), and ticks when that moves it.
 * Under the journal's own windows this gives exactly the journal's ticks; the replay's tick interval and idle
 * advance do not apply (the clock is not replayed, only its ticks). Only events and journaled ticks move time: an
 * OWNERSHIP entry (a key-group move) moves no watermark and derives no tick. One thread.
 */
public final class DerivedTicks
{
    private final WatermarkTracker time;
    private final long windowSizeNs;
    private final long latenessShiftNs;
    private long ticks;

    private DerivedTicks(final WatermarkTracker time, final WindowSpec spec, final long journalLatenessNs)
    {
        this.time = time;
        this.windowSizeNs = spec.sizeNs();
        this.latenessShiftNs = journalLatenessNs - spec.latenessNs();
    }

    /**
     * @param shards            the replay's concluded shard context.
     * @param journalLatenessNs the allowed lateness the journal was written under (0 when it had no windows: it then
     *                          holds no ticks).
     * @return the replay's derived ticks, or null without windows (no ticks at all).
     */
    public static DerivedTicks of(final ShardContext shards, final long journalLatenessNs)
    {
        final WatermarkTracker time = shards.newWatermarkTracker();
        return null == time ? null : new DerivedTicks(time, shards.windowSpec(), journalLatenessNs);
    }

    /**
     * A journaled event's time.
     *
     * @param timestamp the event's time.
     * @return true when a tick goes to the processors before the event ({@link #next(RingEntry)}).
     */
    boolean onEvent(final long timestamp)
    {
        final boolean tickFirst = time.needsTickBefore(timestamp);
        time.onEvent(timestamp, 0);
        return tickFirst;
    }

    /**
     * Start inside a journal, at a point whose time is known (a snapshot's producer part): as if every earlier
     * entry had been seen.
     *
     * @param maxTimestamp the newest event time before that point, {@link Long#MIN_VALUE} for none.
     * @param watermark    this run's watermark there.
     * @return true when a tick goes to the processors ({@link #next(RingEntry)}).
     */
    boolean resume(final long maxTimestamp, final long watermark)
    {
        time.restore(maxTimestamp, watermark, Long.MIN_VALUE, 0);
        return Long.MIN_VALUE != watermark;
    }

    /**
     * @return the newest event time seen, {@link Long#MIN_VALUE} before one.
     */
    long maxTimestamp()
    {
        return time.maxTimestamp();
    }

    /**
     * @return the watermark now, which the next tick carries (the last tick's is {@link #watermark()}).
     */
    long currentWatermark()
    {
        return time.watermark();
    }

    /**
     * A journaled tick: the clock moved.
     *
     * @param watermarkNs the journaled watermark.
     * @return true when a tick goes to the processors ({@link #next(RingEntry)}).
     */
    boolean onJournaledTick(final long watermarkNs)
    {
        time.advanceTo(shift(watermarkNs));
        return time.watermark() > time.lastTickWatermark();
    }

    /**
     * End of the input, as Flink ends a bounded one: move the watermark past every window holding an event.
     *
     * @return true when a tick goes to the processors ({@link #next(RingEntry)}).
     */
    boolean closeOpenWindows()
    {
        if (Long.MIN_VALUE == time.maxTimestamp())
        {
            return false;
        }
        final long maxTimestamp = time.maxTimestamp();
        time.advanceTo(maxTimestamp > Long.MAX_VALUE - windowSizeNs ? Long.MAX_VALUE : maxTimestamp + windowSizeNs);
        return time.watermark() > time.lastTickWatermark();
    }

    /**
     * @param scratch where the tick is written.
     * @return the tick at the current watermark, counted.
     */
    RingEntry next(final RingEntry scratch)
    {
        scratch.clear().tick(time.watermark(), 0);
        time.ticked(0);
        ticks++;
        return scratch;
    }

    /**
     * @return ticks given so far.
     */
    public long ticks()
    {
        return ticks;
    }

    /**
     * @return the watermark of the last tick, {@link Long#MIN_VALUE} before one.
     */
    public long watermark()
    {
        return time.lastTickWatermark();
    }

    private long shift(final long watermarkNs)
    {
        if (Long.MIN_VALUE == watermarkNs)
        {
            return Long.MIN_VALUE;
        }
        if (latenessShiftNs > 0 && watermarkNs > Long.MAX_VALUE - latenessShiftNs)
        {
            return Long.MAX_VALUE;
        }
        if (latenessShiftNs < 0 && watermarkNs < Long.MIN_VALUE + 1 - latenessShiftNs)
        {
            return Long.MIN_VALUE;
        }
        return watermarkNs + latenessShiftNs;
    }
}
