package io.sluice.config;

/**
 * How an agent thread waits when it found no work. Mapped to Agrona idle strategies by the module that runs the
 * thread.
 */
public enum IdleStrategyType
{
    /** Spin on the CPU: lowest latency, owns a core. Never more of these than cores. */
    BUSY_SPIN,
    /** Spin, then {@code Thread.yield()}: gives the core up to other runnable threads. */
    YIELDING,
    /** Spin, yield, then park with exponential back-off up to 1 ms: cheap when idle, slow to wake. */
    BACKOFF,
    /** Park for a fixed short time on every idle cycle. */
    SLEEPING,
    /** Return at once; for agents invoked by another agent's duty cycle. */
    NOOP
}
