package io.sluice.server.cluster;

import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.ClusterCredentials;
import io.sluice.server.auth.Credentials;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.Iterator;

/**
 * Sluice's credentials in Aeron Cluster's own challenge flow ({@link ClusterCredentials} has the bytes), run by the
 * leader's consensus module for every session that connects:
 * <pre>
 *   AeronCluster.connect ──ConnectRequest(clientId | clientNonce)──▶ onConnectRequest: unknown id, bad length, or
 *                                                                     a slowed-down client id: rejected unchecked
 *                        ◀──Challenge(serverNonce | sessionId)────── onConnectedSession (a fresh SecureRandom nonce)
 *                        ──ChallengeResponse(clientId | proof)─────▶ onChallengeResponse: AuthProof.verify
 *                        ◀──SessionOpen / SessionEvent(REJECTED)──── onChallengedSession: authenticate(principal
 *                                                                     clientId | permissions) or reject
 * </pre>
 * The principal goes into the log with the session's open event, so every member's service (and every replay, and
 * the service's snapshots) sees the permissions the session opened with ({@link SessionPermissions}).
 * <p>
 * <b>Failures</b> are counted ({@code sluice auth cluster handshakes failed}), printed at most once a second (the
 * client id and why; never a key, a nonce or a proof), and slowed down <em>per client id</em>: after 3 failures of one
 * client id in a row its next connects are rejected without a check for {@code sluice.auth.failure-delay}, doubling
 * with each further failure up to 64 times; a success resets it. Aeron gives an authenticator no source address,
 * only the cluster session id, so a client id is what can be slowed down here (a guesser with many ids is not slowed,
 * but each guess then names an id that must also be listed, and needs a proof: 256 bits). Unknown client ids are
 * rejected without a proof check and not remembered. A pending session that never answers is closed by Aeron's own
 * session timeout; its entry here is dropped after {@link #PENDING_EXPIRY_MS}.
 * <p>
 * <b>Reload</b> ({@link #credentials(Credentials)}, on SIGHUP): sessions that connect afterwards are checked against
 * the new file; open sessions keep the principal they opened with (it is in the log, which is what makes every
 * member, and every replay, decide the same for their messages).
 * <p>
 * Consensus module thread, except {@link #credentials(Credentials)} (any thread) and {@link #counters} (once, before
 * the first session). Allocates per handshake, never per message.
 */
public final class ClusterAuthenticator implements Authenticator
{
    /** Failures of one client id in a row before its connects are slowed down. */
    static final int FAILURES_BEFORE_DELAY = 3;
    /** The delay doubles up to this many times the configured one. */
    static final int MAX_DELAY_FACTOR = 64;
    /** A pending handshake's entry is dropped after this long (Aeron's own session timeout closed it long before). */
    static final long PENDING_EXPIRY_MS = 60_000;
    /** Failures are printed at most once in this interval, with a count of those not printed. */
    static final long LOG_INTERVAL_MS = 1_000;

    private final Long2ObjectHashMap<Pending> pending = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Failures> failures = new Long2ObjectHashMap<>();
    private final SecureRandom random;
    private final long failureDelayMs;
    private final PrintStream out;
    private volatile Credentials credentials;
    private volatile AtomicCounter authenticated;
    private volatile AtomicCounter failed;
    private volatile AtomicCounter throttled;
    private long lastLogMs = Long.MIN_VALUE;
    private long unlogged;

    /**
     * @param credentials   the credentials file as read at start.
     * @param failureDelayNs {@code sluice.auth.failure-delay}, ns; 0 never slows down.
     * @param random        source of the server nonces.
     * @param out           where failures are printed (rate-limited).
     */
    public ClusterAuthenticator(
        final Credentials credentials, final long failureDelayNs, final SecureRandom random, final PrintStream out)
    {
        this.credentials = credentials;
        this.failureDelayMs = failureDelayNs / 1_000_000;
        this.random = random;
        this.out = out;
    }

    /**
     * Use these credentials for sessions that connect from now on (a reload); open sessions keep their principal.
     *
     * @param credentials the file, read again.
     */
    public void credentials(final Credentials credentials)
    {
        this.credentials = credentials;
    }

    /**
     * @return the credentials new sessions are checked against.
     */
    public Credentials credentials()
    {
        return credentials;
    }

    /**
     * @param authenticated counts sessions authenticated.
     * @param failed        counts handshakes rejected (each reason, throttled ones included).
     * @param throttled     counts connects rejected unchecked because their client id is slowed down.
     */
    public void counters(final AtomicCounter authenticated, final AtomicCounter failed, final AtomicCounter throttled)
    {
        this.authenticated = authenticated;
        this.failed = failed;
        this.throttled = throttled;
    }

    /**
     * {@inheritDoc}
     */
    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        expire(nowMs);
        final Pending session = new Pending(nowMs);
        pending.put(sessionId, session);
        if (ClusterCredentials.CREDENTIALS_LENGTH != encodedCredentials.length)
        {
            session.refuse("credentials of " + encodedCredentials.length + " bytes, not " +
                ClusterCredentials.CREDENTIALS_LENGTH);
            return;
        }
        session.clientId = ClusterCredentials.clientId(encodedCredentials);
        final Credentials.Client client = credentials.client(session.clientId);
        if (null == client)
        {
            session.refuse("client id not in the credentials file");
            return;
        }
        final Failures record = failures.get(session.clientId);
        if (null != record && nowMs < record.untilMs)
        {
            session.refuse("slowed down after " + record.count + " failures");
            session.throttled = true;
            return;
        }
        session.clientNonce = ClusterCredentials.clientNonce(encodedCredentials);
    }

    /**
     * {@inheritDoc}
     */
    public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        final long sessionId = sessionProxy.sessionId();
        final Pending session = pending.get(sessionId);
        if (null == session)
        {
            sessionProxy.reject();
            return;
        }
        if (null != session.refusal)
        {
            sessionProxy.reject();
            fail(sessionId, session, nowMs);
            return;
        }
        if (null == session.serverNonce)
        {
            session.serverNonce = AuthProof.newNonce(random);
        }
        sessionProxy.challenge(ClusterCredentials.challenge(session.serverNonce, sessionId));
    }

    /**
     * {@inheritDoc}
     */
    public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        final Pending session = pending.get(sessionId);
        if (null == session || null == session.serverNonce || null != session.refusal || null != session.principal)
        {
            return;
        }
        if (ClusterCredentials.RESPONSE_LENGTH != encodedCredentials.length)
        {
            session.refuse("challenge response of " + encodedCredentials.length + " bytes, not " +
                ClusterCredentials.RESPONSE_LENGTH);
            return;
        }
        if (ClusterCredentials.clientId(encodedCredentials) != session.clientId)
        {
            session.refuse("challenge response names another client id");
            return;
        }
        final Credentials.Client client = credentials.client(session.clientId);
        if (null == client)
        {
            session.refuse("client id no longer in the credentials file");
            return;
        }
        if (!AuthProof.verify(client.storedKey(), session.clientId, session.clientNonce, session.serverNonce,
            sessionId, ClusterCredentials.proof(encodedCredentials)))
        {
            session.refuse("wrong proof");
            return;
        }
        session.principal = ClusterCredentials.principal(session.clientId, client.permissions());
    }

    /**
     * {@inheritDoc}
     */
    public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        final long sessionId = sessionProxy.sessionId();
        final Pending session = pending.get(sessionId);
        if (null == session)
        {
            sessionProxy.reject();
        }
        else if (null != session.refusal)
        {
            sessionProxy.reject();
            fail(sessionId, session, nowMs);
        }
        else if (null != session.principal && sessionProxy.authenticate(session.principal))
        {
            pending.remove(sessionId);
            failures.remove(session.clientId);
            increment(authenticated);
        }
    }

    /**
     * @return handshakes in progress (for tests).
     */
    int pendingCount()
    {
        return pending.size();
    }

    private void fail(final long sessionId, final Pending session, final long nowMs)
    {
        pending.remove(sessionId);
        increment(failed);
        if (session.throttled)
        {
            increment(throttled);
        }
        else if (0 != session.clientId && null != credentials.client(session.clientId))
        {
            Failures record = failures.get(session.clientId);
            if (null == record)
            {
                record = new Failures();
                failures.put(session.clientId, record);
            }
            record.count++;
            if (record.count >= FAILURES_BEFORE_DELAY && failureDelayMs > 0)
            {
                final int doublings = Math.min(record.count - FAILURES_BEFORE_DELAY, 6);
                record.untilMs = nowMs + failureDelayMs * Math.min(1L << doublings, MAX_DELAY_FACTOR);
            }
        }
        if (nowMs - lastLogMs >= LOG_INTERVAL_MS || Long.MIN_VALUE == lastLogMs)
        {
            out.println("sluice: cluster authentication of session " + sessionId + " (client id " +
                session.clientId + ") failed: " + session.refusal +
                (unlogged > 0 ? " (" + unlogged + " more failures since the last line)" : ""));
            out.flush();
            lastLogMs = nowMs;
            unlogged = 0;
        }
        else
        {
            unlogged++;
        }
    }

    private void expire(final long nowMs)
    {
        final Iterator<Pending> sessions = pending.values().iterator();
        while (sessions.hasNext())
        {
            if (nowMs - sessions.next().sinceMs > PENDING_EXPIRY_MS)
            {
                sessions.remove();
            }
        }
    }

    private static void increment(final AtomicCounter counter)
    {
        if (null != counter)
        {
            counter.incrementRelease();
        }
    }

    private static final class Pending
    {
        final long sinceMs;
        long clientId;
        byte[] clientNonce;
        byte[] serverNonce;
        byte[] principal;
        String refusal;
        boolean throttled;

        Pending(final long sinceMs)
        {
            this.sinceMs = sinceMs;
        }

        void refuse(final String why)
        {
            refusal = why;
        }
    }

    private static final class Failures
    {
        int count;
        long untilMs;
    }
}
