package io.sluice.config;

/**
 * How a dedicated processor thread waits for the next ring entry (a Disruptor {@code WaitStrategy}). None of
 * them takes a lock when the ingress publishes, which is why the Disruptor's blocking strategies are not offered.
 */
public enum WaitStrategyType
{
    /** Spin: lowest latency, owns a core. */
    BUSY_SPIN,
    /** Spin then yield. */
    YIELDING,
    /** Spin, yield, then park briefly. */
    SLEEPING
}
