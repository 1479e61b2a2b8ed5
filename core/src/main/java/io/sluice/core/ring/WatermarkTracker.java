package io.sluice.core.ring;

/**
 * The ingress side of time: tracks the newest accepted event time, derives the watermark (newest minus allowed
 * lateness, never going back) and decides when a tick goes into the ring. Owned by the {@link RingProducer} that
 * applies the rule; producer thread only. All times in ns: event times and watermarks are epoch ns (event time),
 * {@code nowNs} is the producer's monotonic clock ({@code System.nanoTime()} in the daemon, a hand-advanced clock in
 * tests).
 * <p>
 * A tick is due
 * <ul>
 *     <li>before an event that moves the watermark into a new pane: processors then never see an event more than
 *     lateness + one slide ahead of their watermark, which bounds the panes a key needs;</li>
 *     <li>otherwise at most once per tick interval, and only when the watermark changed since the last tick.</li>
 * </ul>
 * With idle advance set, once no event has arrived for that long the watermark moves on with the clock, so the
 * windows of a quiet stream still close.
 */
public final class WatermarkTracker
{
    private final long slideNs;
    private final long latenessNs;
    private final long tickIntervalNs;
    private final long idleAdvanceNs;
    private long maxTimestamp = Long.MIN_VALUE;
    private long watermark = Long.MIN_VALUE;
    private long lastTickWatermark = Long.MIN_VALUE;
    private long lastTickNs;
    private long lastEventNs;

    /**
     * @param slideNs        the windows' slide: one pane of event time, greater than 0.
     * @param latenessNs     allowed lateness: the watermark trails the newest event time by this much, at least 0.
     * @param tickIntervalNs least time between clock-driven ticks.
     * @param idleAdvanceNs  quiet time after which the watermark follows the clock; 0 never.
     */
    public WatermarkTracker(
        final long slideNs, final long latenessNs, final long tickIntervalNs, final long idleAdvanceNs)
    {
        if (slideNs <= 0 || latenessNs < 0)
        {
            throw new IllegalArgumentException("slideNs must be > 0 and latenessNs >= 0: " + slideNs + ", " + latenessNs);
        }
        this.slideNs = slideNs;
        this.latenessNs = latenessNs;
        this.tickIntervalNs = tickIntervalNs;
        this.idleAdvanceNs = idleAdvanceNs;
    }

    /**
     * @param timestamp an event's time, before it is accepted.
     * @return true if accepting it moves the watermark into a new pane, so a tick must go into the ring first.
     */
    public boolean needsTickBefore(final long timestamp)
    {
        if (timestamp <= maxTimestamp)
        {
            return false;
        }
        final long candidate = Math.max(watermark, timestamp - latenessNs);
        return Long.MIN_VALUE == lastTickWatermark ||
            Math.floorDiv(candidate, slideNs) > Math.floorDiv(lastTickWatermark, slideNs);
    }

    /**
     * Account for an accepted event.
     *
     * @param timestamp its time.
     * @param nowNs     clock time.
     */
    public void onEvent(final long timestamp, final long nowNs)
    {
        lastEventNs = nowNs;
        if (timestamp > maxTimestamp)
        {
            maxTimestamp = timestamp;
            watermark = Math.max(watermark, timestamp - latenessNs);
        }
    }

    /**
     * @param nowNs clock time.
     * @return true when a clock-driven tick is due.
     */
    public boolean tickDue(final long nowNs)
    {
        if (idleAdvanceNs > 0 && Long.MIN_VALUE != maxTimestamp)
        {
            final long quietNs = nowNs - lastEventNs;
            if (quietNs >= idleAdvanceNs)
            {
                watermark = Math.max(watermark, maxTimestamp - latenessNs + (quietNs - idleAdvanceNs));
            }
        }
        return watermark > lastTickWatermark && nowNs - lastTickNs >= tickIntervalNs;
    }

    /**
     * Move the watermark to at least the given time (never back), for a source that knows event time has passed
     * it: the end of an input, a replay, a cluster's clock.
     *
     * @param watermarkNs the earliest watermark wanted, epoch ns.
     */
    public void advanceTo(final long watermarkNs)
    {
        watermark = Math.max(watermark, watermarkNs);
    }

    /**
     * @return the watermark to publish (after {@link #onEvent} or {@link #tickDue}).
     */
    public long watermark()
    {
        return watermark;
    }

    /**
     * Record that a tick carrying {@link #watermark()} went into the ring.
     *
     * @param nowNs clock time.
     */
    public void ticked(final long nowNs)
    {
        lastTickWatermark = watermark;
        lastTickNs = nowNs;
    }

    /**
     * @return the newest accepted event time, {@link Long#MIN_VALUE} before the first.
     */
    public long maxTimestamp()
    {
        return maxTimestamp;
    }

    /**
     * @return the watermark the last tick carried, {@link Long#MIN_VALUE} before the first.
     */
    public long lastTickWatermark()
    {
        return lastTickWatermark;
    }

    /**
     * Put back the event-time state of a snapshot; the clock-driven state starts again from now (the quiet time of
     * idle advance and the tick interval count from the restore).
     *
     * @param maxTimestamp      newest accepted event time.
     * @param watermark         the watermark.
     * @param lastTickWatermark the watermark of the last tick.
     * @param nowNs             clock time.
     */
    public void restore(final long maxTimestamp, final long watermark, final long lastTickWatermark, final long nowNs)
    {
        this.maxTimestamp = maxTimestamp;
        this.watermark = watermark;
        this.lastTickWatermark = lastTickWatermark;
        this.lastTickNs = nowNs;
        this.lastEventNs = nowNs;
    }

    /**
     * @return the clock reading of the last tick (the tick interval counts from it).
     */
    public long lastTickNs()
    {
        return lastTickNs;
    }

    /**
     * @return the clock reading of the last accepted event (idle advance counts the quiet time from it).
     */
    public long lastEventNs()
    {
        return lastEventNs;
    }

    /**
     * Put back the clock-driven state too, after {@link #restore}: for a source whose clock is part of its input (a
     * cluster's time), so that a restored producer ticks and advances at the same points of the input as one that
     * never stopped.
     *
     * @param lastTickNs  the clock reading of the last tick.
     * @param lastEventNs the clock reading of the last accepted event.
     */
    public void restoreClock(final long lastTickNs, final long lastEventNs)
    {
        this.lastTickNs = lastTickNs;
        this.lastEventNs = lastEventNs;
    }

    /**
     * @return true when a clock-driven tick can still become due without another event: the watermark moved past the
     * last tick's, or idle advance will move it once events were seen. A source that ticks by timer can stop the
     * timer while this is false and start it again with the next event.
     */
    public boolean mayTick()
    {
        return watermark > lastTickWatermark || (idleAdvanceNs > 0 && Long.MIN_VALUE != maxTimestamp);
    }
}
