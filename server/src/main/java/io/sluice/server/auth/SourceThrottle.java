package io.sluice.server.auth;

import io.aeron.Image;

import java.util.HashMap;
import java.util.Map;

/**
 * Slows down a source host that failed handshakes repeatedly: after {@value #FAILURES_BEFORE_DELAY} failures its
 * handshakes are refused unchecked for the failure delay, doubling with each further failure up to
 * {@value #MAX_DELAY_FACTOR} times; a success forgets the host. At most {@value #MAX_HOSTS} hosts are remembered
 * (hosts no longer slowed down are forgotten first). Ingress thread only.
 */
final class SourceThrottle
{
    /** Failed handshakes from one host before it is slowed down. */
    static final int FAILURES_BEFORE_DELAY = 3;
    /** Longest slow-down, in multiples of the failure delay. */
    static final int MAX_DELAY_FACTOR = 64;
    private static final int MAX_HOSTS = 4096;

    /** Failures of one source host. */
    private static final class Host
    {
        int failures;
        long refusedUntilNs;
    }

    private final Map<String, Host> hosts = new HashMap<>();
    private final long failureDelayNs;

    SourceThrottle(final long failureDelayNs)
    {
        this.failureDelayNs = failureDelayNs;
    }

    /**
     * @param image an Aeron image (or anything else: no host).
     * @return its source identity without the port ({@code 127.0.0.1}, {@code [::1]}), or null.
     */
    static String hostOf(final Object image)
    {
        if (!(image instanceof Image))
        {
            return null;
        }
        final String identity = ((Image)image).sourceIdentity();
        if (null == identity)
        {
            return null;
        }
        final int colon = identity.lastIndexOf(':');
        return colon > 0 ? identity.substring(0, colon) : identity;
    }

    boolean isSlowedDown(final String host, final long nowNs)
    {
        final Host failures = null == host ? null : hosts.get(host);
        return null != failures && nowNs - failures.refusedUntilNs < 0;
    }

    void onSuccess(final String host)
    {
        if (null != host)
        {
            hosts.remove(host);
        }
    }

    void onFailure(final String host, final long nowNs)
    {
        if (null == host)
        {
            return;
        }
        Host failures = hosts.get(host);
        if (null == failures)
        {
            if (hosts.size() >= MAX_HOSTS)
            {
                hosts.values().removeIf((h) -> nowNs - h.refusedUntilNs >= 0);
            }
            failures = new Host();
            hosts.put(host, failures);
        }
        failures.failures++;
        if (failures.failures >= FAILURES_BEFORE_DELAY)
        {
            final int doublings = Math.min(failures.failures - FAILURES_BEFORE_DELAY, 6);
            failures.refusedUntilNs = nowNs + failureDelayNs * Math.min(MAX_DELAY_FACTOR, 1L << doublings);
        }
    }
}
