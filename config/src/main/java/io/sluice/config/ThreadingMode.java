package io.sluice.config;

/**
 * How Sluice's units of work map onto threads. Single-writer ownership of each shard is the same in both.
 */
public enum ThreadingMode
{
    /**
     * The ingress agent on one thread and each processor a Disruptor {@code BatchEventProcessor} on its own
     * thread, pinned when CPUs are configured: the shape for servers with cores to dedicate.
     */
    DEDICATED,
    /**
     * One thread runs the driver's duty cycle (when the driver is embedded in INVOKER mode), the ingress agent
     * and every processor, each processor draining the ring through its own {@code EventPoller}: the shape for
     * small hosts, where runnable threads beyond the cores decide the tail.
     */
    SHARED
}
