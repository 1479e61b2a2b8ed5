package io.sluice.server.cluster;

import io.aeron.security.SessionProxy;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.ClusterCredentials;
import io.sluice.protocol.auth.Permission;
import io.sluice.server.auth.Credentials;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster authenticator against a fake session proxy, driven as Aeron's SessionManager drives it: connect request,
 * connected session (challenge), challenge response, challenged session (authenticate or reject).
 */
class ClusterAuthenticatorTest
{
    private static final long SENDER = 42;
    private static final long ADMIN = 7;
    private static final long DELAY_MS = 1_000;
    private static final long APART_MS = 65 * DELAY_MS;

    private final byte[] senderSecret = secret(1);
    private final byte[] adminSecret = secret(2);
    private final Credentials credentials = Credentials.parse("test", SENDER + " " +
        AuthProof.toHex(AuthProof.storedKey(senderSecret)) + " send,query\n" + ADMIN + " " +
        AuthProof.toHex(AuthProof.storedKey(adminSecret)) + " send,subscribe,admin\n");
    private final CountersManager countersManager = new CountersManager(
        new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[8 * 1024]));
    private final AtomicCounter ok = countersManager.newCounter("ok");
    private final AtomicCounter failed = countersManager.newCounter("failed");
    private final AtomicCounter throttled = countersManager.newCounter("throttled");
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final ClusterAuthenticator authenticator = new ClusterAuthenticator(
        credentials, DELAY_MS * 1_000_000, new SecureRandom(), new PrintStream(log, true, StandardCharsets.UTF_8));
    private long nextSessionId = 100;

    ClusterAuthenticatorTest()
    {
        authenticator.counters(ok, failed, throttled);
    }

    @Test
    void shouldAuthenticateTheRightProofWithTheExactPrincipal()
    {
        final FakeSession session = handshake(SENDER, senderSecret, 0, Variant.RIGHT);

        assertEquals(State.AUTHENTICATED, session.state);
        assertArrayEquals(ClusterCredentials.principal(SENDER, Permission.SEND | Permission.QUERY), session.principal);
        assertArrayEquals(new byte[]{42, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0}, session.principal);
        final FakeSession admin = handshake(ADMIN, adminSecret, 0, Variant.RIGHT);
        assertArrayEquals(ClusterCredentials.principal(ADMIN, Permission.SEND | Permission.SUBSCRIBE |
            Permission.ADMIN), admin.principal);
        assertEquals(2, ok.get());
        assertEquals(0, failed.get());
        assertEquals(0, authenticator.pendingCount());
    }

    @Test
    void shouldChallengeWithAFreshNonceAndTheSessionId()
    {
        final FakeSession first = handshake(SENDER, senderSecret, 0, Variant.RIGHT);
        final FakeSession second = handshake(SENDER, senderSecret, 0, Variant.RIGHT);

        assertEquals(ClusterCredentials.CHALLENGE_LENGTH, first.challenge.length);
        assertEquals(first.sessionId, ClusterCredentials.sessionId(first.challenge));
        assertEquals(second.sessionId, ClusterCredentials.sessionId(second.challenge));
        assertFalse(Arrays.equals(ClusterCredentials.serverNonce(first.challenge),
            ClusterCredentials.serverNonce(second.challenge)));
    }

    @Test
    void shouldRejectAWrongProofAnUnknownClientAndBadLengths()
    {
        // a minute and more apart: each is checked, none slowed down by the earlier ones
        assertEquals(State.REJECTED, handshake(SENDER, adminSecret, 1 * APART_MS, Variant.RIGHT).state, "wrong secret");
        assertEquals(State.REJECTED, handshake(99, senderSecret, 2 * APART_MS, Variant.RIGHT).state, "unknown client");
        assertEquals(State.REJECTED, handshake(ADMIN, adminSecret, 3 * APART_MS, Variant.FLIPPED_PROOF).state, "flipped bit");
        assertEquals(State.REJECTED, handshake(ADMIN, adminSecret, 4 * APART_MS, Variant.SHORT_CREDENTIALS).state);
        assertEquals(State.REJECTED, handshake(ADMIN, adminSecret, 5 * APART_MS, Variant.LONG_CREDENTIALS).state);
        assertEquals(State.REJECTED, handshake(ADMIN, adminSecret, 6 * APART_MS, Variant.EMPTY_CREDENTIALS).state);
        assertEquals(State.REJECTED, handshake(ADMIN, adminSecret, 7 * APART_MS, Variant.SHORT_RESPONSE).state);
        assertEquals(State.REJECTED, handshake(ADMIN, adminSecret, 8 * APART_MS, Variant.LONG_RESPONSE).state);
        assertEquals(State.REJECTED, handshake(ADMIN, adminSecret, 9 * APART_MS, Variant.OTHER_CLIENT_IN_RESPONSE).state);
        assertEquals(State.REJECTED, handshake(ADMIN, adminSecret, 10 * APART_MS, Variant.OTHER_SESSION_PROOF).state,
            "a proof for another session (a replayed handshake)");

        assertEquals(0, ok.get());
        assertEquals(10, failed.get());
        assertEquals(0, throttled.get());
        assertEquals(0, authenticator.pendingCount());
        final String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(10, text.lines().count(), "failures a minute apart are each printed: " + text);
        assertTrue(text.contains("(client id 42) failed: wrong proof"), text);
        assertFalse(text.contains(AuthProof.toHex(senderSecret)) || text.contains(AuthProof.toHex(adminSecret)));
    }

    @Test
    void shouldSlowDownAClientIdAfterThreeFailuresDoublingAndResetOnSuccess()
    {
        long nowMs = 10_000;
        for (int i = 0; i < 3; i++)
        {
            assertEquals(State.REJECTED, handshake(SENDER, adminSecret, nowMs, Variant.RIGHT).state);
        }
        assertEquals(3, failed.get());
        FakeSession session = handshake(SENDER, senderSecret, nowMs + DELAY_MS - 1, Variant.RIGHT);
        assertEquals(State.REJECTED, session.state, "the right secret is not even checked while slowed down");
        assertNull(session.challenge, "rejected before a challenge");
        assertEquals(1, throttled.get());
        assertEquals(State.AUTHENTICATED, handshake(ADMIN, adminSecret, nowMs + 1, Variant.RIGHT).state,
            "another client id is not slowed down");

        nowMs += DELAY_MS;
        assertEquals(State.REJECTED, handshake(SENDER, adminSecret, nowMs, Variant.RIGHT).state, "4th failure");
        assertEquals(State.REJECTED, handshake(SENDER, senderSecret, nowMs + 2 * DELAY_MS - 1, Variant.RIGHT).state,
            "doubled");
        assertEquals(2, throttled.get());
        session = handshake(SENDER, senderSecret, nowMs + 2 * DELAY_MS, Variant.RIGHT);
        assertEquals(State.AUTHENTICATED, session.state);

        assertEquals(State.REJECTED, handshake(SENDER, adminSecret, nowMs + 2 * DELAY_MS, Variant.RIGHT).state);
        assertEquals(State.AUTHENTICATED, handshake(SENDER, senderSecret, nowMs + 2 * DELAY_MS, Variant.RIGHT).state,
            "a success reset the count: one failure does not slow down");
        assertEquals(7, failed.get());
        assertEquals(2, throttled.get());
        assertEquals(3, ok.get());
        final java.util.List<String> lines = log.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), "at most one line a second: " + lines);
        assertTrue(lines.get(1).endsWith("failed: wrong proof (3 more failures since the last line)"), lines.get(1));
        assertTrue(lines.get(2).endsWith("failed: slowed down after 4 failures"), lines.get(2));
    }

    @Test
    void shouldCheckNewSessionsAgainstReloadedCredentials()
    {
        final byte[] newSecret = secret(3);
        authenticator.credentials(Credentials.parse("reloaded", SENDER + " " +
            AuthProof.toHex(AuthProof.storedKey(newSecret)) + " send\n"));

        assertEquals(State.REJECTED, handshake(SENDER, senderSecret, 0, Variant.RIGHT).state, "the old secret");
        assertEquals(State.REJECTED, handshake(ADMIN, adminSecret, 0, Variant.RIGHT).state, "removed");
        final FakeSession session = handshake(SENDER, newSecret, 0, Variant.RIGHT);
        assertEquals(State.AUTHENTICATED, session.state);
        assertArrayEquals(ClusterCredentials.principal(SENDER, Permission.SEND), session.principal);
    }

    @Test
    void shouldRejectASessionItHasNoConnectRequestFor()
    {
        final FakeSession session = new FakeSession(555);
        authenticator.onConnectedSession(session, 0);
        assertEquals(State.REJECTED, session.state);
        authenticator.onChallengeResponse(556, ClusterCredentials.response(SENDER, new byte[32]), 0);
        final FakeSession other = new FakeSession(556);
        authenticator.onChallengedSession(other, 0);
        assertEquals(State.REJECTED, other.state);
    }

    private FakeSession handshake(final long clientId, final byte[] secret, final long nowMs, final Variant variant)
    {
        final FakeSession session = new FakeSession(nextSessionId++);
        final byte[] clientNonce = AuthProof.newNonce(new SecureRandom());
        byte[] credentials = ClusterCredentials.credentials(clientId, clientNonce);
        if (Variant.SHORT_CREDENTIALS == variant)
        {
            credentials = Arrays.copyOf(credentials, credentials.length - 1);
        }
        else if (Variant.LONG_CREDENTIALS == variant)
        {
            credentials = Arrays.copyOf(credentials, credentials.length + 1);
        }
        else if (Variant.EMPTY_CREDENTIALS == variant)
        {
            credentials = new byte[0];
        }
        authenticator.onConnectRequest(session.sessionId, credentials, nowMs);
        authenticator.onConnectedSession(session, nowMs);
        if (State.CHALLENGED != session.state)
        {
            return session;
        }
        final byte[] serverNonce = ClusterCredentials.serverNonce(session.challenge);
        final long boundSession = Variant.OTHER_SESSION_PROOF == variant ? session.sessionId + 1 :
            ClusterCredentials.sessionId(session.challenge);
        final byte[] proof = AuthProof.proof(secret, clientId, clientNonce, serverNonce, boundSession);
        if (Variant.FLIPPED_PROOF == variant)
        {
            proof[17] ^= 0x10;
        }
        byte[] response = ClusterCredentials.response(
            Variant.OTHER_CLIENT_IN_RESPONSE == variant ? SENDER : clientId, proof);
        if (Variant.SHORT_RESPONSE == variant)
        {
            response = Arrays.copyOf(response, response.length - 1);
        }
        else if (Variant.LONG_RESPONSE == variant)
        {
            response = Arrays.copyOf(response, response.length + 1);
        }
        authenticator.onChallengedSession(session, nowMs);
        assertEquals(State.CHALLENGED, session.state, "waits for the response");
        authenticator.onChallengeResponse(session.sessionId, response, nowMs);
        authenticator.onChallengedSession(session, nowMs);
        return session;
    }

    private static byte[] secret(final int seed)
    {
        final byte[] secret = new byte[AuthProof.SECRET_LENGTH];
        Arrays.fill(secret, (byte)seed);
        return secret;
    }

    enum Variant
    {
        RIGHT, FLIPPED_PROOF, SHORT_CREDENTIALS, LONG_CREDENTIALS, EMPTY_CREDENTIALS, SHORT_RESPONSE, LONG_RESPONSE,
        OTHER_CLIENT_IN_RESPONSE, OTHER_SESSION_PROOF
    }

    enum State
    {
        CONNECTED, CHALLENGED, AUTHENTICATED, REJECTED
    }

    /**
     * What Aeron's ClusterSessionProxy does to a session's state.
     */
    static final class FakeSession implements SessionProxy
    {
        final long sessionId;
        State state = State.CONNECTED;
        byte[] challenge;
        byte[] principal;

        FakeSession(final long sessionId)
        {
            this.sessionId = sessionId;
        }

        public long sessionId()
        {
            return sessionId;
        }

        public boolean challenge(final byte[] encodedChallenge)
        {
            assertEquals(State.CONNECTED, state);
            challenge = encodedChallenge;
            state = State.CHALLENGED;
            return true;
        }

        public boolean authenticate(final byte[] encodedPrincipal)
        {
            assertEquals(State.CHALLENGED, state);
            principal = encodedPrincipal;
            state = State.AUTHENTICATED;
            return true;
        }

        public void reject()
        {
            state = State.REJECTED;
        }
    }
}
