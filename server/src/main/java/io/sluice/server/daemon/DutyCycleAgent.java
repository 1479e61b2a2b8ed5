package io.sluice.server.daemon;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Wraps a thread's agent and measures its duty cycle: the time from one {@code doWork} to the next, which is the
 * work of a cycle plus the idling after it. The longest cycle so far and the number of cycles longer than the
 * stall threshold go to two counters, so a thread that stalls (descheduled by the OS, a GC pause, a slow
 * receiver, a long batch) shows in {@code ./sluice stat}. One clock read per cycle; no allocation.
 * <p>
 * Agent thread only; the counters are read from anywhere.
 */
public final class DutyCycleAgent implements Agent
{
    private final Agent delegate;
    private final NanoClock clock;
    private final long stallThresholdNs;
    private final AtomicCounter maxCycleNs;
    private final AtomicCounter stalls;
    private long lastCycleNs;
    private long longestNs;

    /**
     * @param delegate         the thread's work.
     * @param clock            the clock cycles are timed with.
     * @param stallThresholdNs a cycle longer than this is a stall.
     * @param maxCycleNs       set to the longest cycle so far, ns.
     * @param stalls           counts cycles longer than the threshold.
     */
    public DutyCycleAgent(
        final Agent delegate,
        final NanoClock clock,
        final long stallThresholdNs,
        final AtomicCounter maxCycleNs,
        final AtomicCounter stalls)
    {
        this.delegate = delegate;
        this.clock = clock;
        this.stallThresholdNs = stallThresholdNs;
        this.maxCycleNs = maxCycleNs;
        this.stalls = stalls;
    }

    /**
     * {@inheritDoc}
     */
    public void onStart()
    {
        delegate.onStart();
        lastCycleNs = clock.nanoTime();
    }

    /**
     * {@inheritDoc}
     */
    public int doWork() throws Exception
    {
        final long nowNs = clock.nanoTime();
        final long cycleNs = nowNs - lastCycleNs;
        lastCycleNs = nowNs;
        if (cycleNs > longestNs)
        {
            longestNs = cycleNs;
            maxCycleNs.setRelease(cycleNs);
        }
        if (cycleNs > stallThresholdNs)
        {
            stalls.incrementRelease();
        }
        return delegate.doWork();
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        delegate.onClose();
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return delegate.roleName();
    }
}
