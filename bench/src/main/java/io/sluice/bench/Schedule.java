package io.sluice.bench;

/**
 * When each event of an open-loop run is meant to be sent: bursts of {@code burst} events at a fixed rate,
 * independent of when the previous ones were actually sent or answered. Latency measured from these intended
 * times charges a stall on either side to every event it delayed (no coordinated omission).
 */
public final class Schedule
{
    private final long startNs;
    private final long burstIntervalNs;
    private final int burst;

    /**
     * @param startNs       intended time of the first event, {@code System.nanoTime()} scale.
     * @param ratePerSecond events per second, at least 1.
     * @param burst         events sent back to back at each tick, at least 1.
     */
    public Schedule(final long startNs, final long ratePerSecond, final int burst)
    {
        if (ratePerSecond < 1 || burst < 1)
        {
            throw new IllegalArgumentException("rate and burst must be >= 1: " + ratePerSecond + ", " + burst);
        }
        this.startNs = startNs;
        this.burst = burst;
        this.burstIntervalNs = Math.round(burst * 1e9 / ratePerSecond);
    }

    /**
     * @param index event number from 0.
     * @return its intended send time.
     */
    public long intendedNs(final long index)
    {
        return startNs + (index / burst) * burstIntervalNs;
    }

    /**
     * @param durationNs length of the run.
     * @return events the schedule holds in that time.
     */
    public long eventsIn(final long durationNs)
    {
        return (durationNs / burstIntervalNs) * burst;
    }
}
