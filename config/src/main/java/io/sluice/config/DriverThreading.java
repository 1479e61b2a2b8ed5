package io.sluice.config;

/**
 * Threading mode of an embedded media driver, as Aeron's {@code ThreadingMode}.
 */
public enum DriverThreading
{
    /** Conductor, sender and receiver on one driver thread. */
    SHARED,
    /** Conductor on one thread, sender and receiver on another. */
    SHARED_NETWORK,
    /** Conductor, sender and receiver each on their own thread. */
    DEDICATED,
    /** No driver thread: the daemon's own agent invokes the driver's duty cycle. */
    INVOKER
}
