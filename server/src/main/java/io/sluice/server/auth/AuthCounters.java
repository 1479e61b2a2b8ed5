package io.sluice.server.auth;

import io.aeron.Aeron;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The authentication counters, in the daemon's CnC file beside its others ({@code sluice stat} shows them):
 * handshakes succeeded, failed and throttled (refused unchecked while their host is slowed down), live sessions, the
 * credentials version, and the rejected counters the handshake's refusals also count in.
 */
public final class AuthCounters
{
    private final SluiceCounters counters;
    private final AtomicCounter succeeded;
    private final AtomicCounter failed;
    private final AtomicCounter throttled;
    private final AtomicCounter liveSessions;
    private final AtomicCounter credentialsVersion;

    /**
     * @param aeron    the daemon's client.
     * @param counters the daemon's counters, which close these with the rest.
     */
    public AuthCounters(final Aeron aeron, final SluiceCounters counters)
    {
        this.counters = counters;
        succeeded = counters.newCounter(aeron, SluiceCounters.AUTH_SUCCEEDED_TYPE_ID, "sluice auth handshakes succeeded");
        failed = counters.newCounter(aeron, SluiceCounters.AUTH_FAILED_TYPE_ID, "sluice auth handshakes failed");
        throttled = counters.newCounter(aeron, SluiceCounters.AUTH_THROTTLED_TYPE_ID,
            "sluice auth handshakes throttled");
        liveSessions = counters.newCounter(aeron, SluiceCounters.AUTH_SESSIONS_TYPE_ID, "sluice auth live sessions");
        credentialsVersion = counters.newCounter(aeron, SluiceCounters.AUTH_CREDENTIALS_VERSION_TYPE_ID,
            "sluice auth credentials version");
    }

    /**
     * @return handshakes that ended authenticated.
     */
    public AtomicCounter succeeded()
    {
        return succeeded;
    }

    /**
     * @return handshakes refused or failed: unknown client, wrong or unexpected proof, no room, timed out.
     */
    public AtomicCounter failed()
    {
        return failed;
    }

    /**
     * @return handshakes refused unchecked because their source host was slowed down.
     */
    public AtomicCounter throttled()
    {
        return throttled;
    }

    /**
     * @return authenticated sessions now.
     */
    public AtomicCounter liveSessions()
    {
        return liveSessions;
    }

    /**
     * @return the credentials version: 1 for the file read at start, one more per applied reload.
     */
    public AtomicCounter credentialsVersion()
    {
        return credentialsVersion;
    }

    /**
     * @param reason a reject reason code.
     * @return the daemon's counter of inputs rejected for it.
     */
    public AtomicCounter rejected(final int reason)
    {
        return counters.rejected(reason);
    }
}
