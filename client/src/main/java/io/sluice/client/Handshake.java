package io.sluice.client;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.transport.codec.AuthenticateEncoder;
import io.sluice.transport.codec.AuthenticatedDecoder;
import io.sluice.transport.codec.ChallengeDecoder;
import io.sluice.transport.codec.ConnectEncoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.RejectReason;
import io.sluice.transport.codec.RejectedDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The client's side of a standalone daemon's handshake, on the link's ingress publication and response subscription:
 * <pre>
 *   client                                          daemon
 *   Connect{clientId, clientNonce, responseStreamId, responseChannel}  ──▶  adds a publication on responseChannel
 *                    ◀──  Challenge{clientId, serverNonce, sessionId}      (on the response channel)
 *   Authenticate{clientId, AuthProof.proof(secret, clientId, clientNonce, serverNonce, sessionId)}  ──▶
 *                    ◀──  Authenticated{clientId, sessionId, permissions} | Rejected(AUTHENTICATION_FAILED)
 * </pre>
 * The response channel sent is the subscription's with its port 0 resolved to the bound port. A Challenge is answered
 * only when it binds this client's own ingress session (the Aeron session id of its publication), so a proof is never
 * made for another session. An unanswered step starts over with a fresh nonce after {@value #RETRY_MS} ms. Once
 * authenticated, the session counts as lost (and the handshake starts over by itself) when the publication is no
 * longer connected, the response image it was authenticated on goes away (a daemon restart), or the daemon answers
 * {@code Rejected(UNAUTHENTICATED)}.
 * <p>
 * The client's polling thread only. Allocates per handshake (nonce, proof), never while authenticated.
 */
final class Handshake
{
    static final long RETRY_MS = 2000;
    private static final long RETRY_NS = TimeUnit.MILLISECONDS.toNanos(RETRY_MS);
    private static final int MAX_RESPONSE_CHANNEL_LENGTH = 512;

    private static final int IDLE = 0;
    private static final int AWAIT_CHALLENGE = 1;
    private static final int AWAIT_AUTHENTICATED = 2;
    private static final int AUTHENTICATED = 3;
    private static final int REFUSED = 4;

    private final long clientId;
    private final byte[] secret;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final int responseStreamId;
    private final SecureRandom random = new SecureRandom();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectEncoder connectEncoder = new ConnectEncoder();
    private final AuthenticateEncoder authenticateEncoder = new AuthenticateEncoder();
    private final ChallengeDecoder challengeDecoder = new ChallengeDecoder();
    private final AuthenticatedDecoder authenticatedDecoder = new AuthenticatedDecoder();
    private final RejectedDecoder rejectedDecoder = new RejectedDecoder();
    private final byte[] serverNonce = new byte[AuthProof.NONCE_LENGTH];
    private byte[] clientNonce;
    private int state = IDLE;
    private long deadlineNs;
    private int authenticateLength;
    private int responseSessionId;
    private long authentications;
    private long sessionsLost;
    private SluiceAuthenticationException refusal;

    /**
     * @param clientId         this client's id (the credentials file's).
     * @param secret           its secret, {@link AuthProof#SECRET_LENGTH} bytes; kept, never shown.
     * @param publication      the ingress publication Connect and Authenticate go on.
     * @param subscription     the response channel's subscription.
     * @param responseStreamId its stream id.
     */
    Handshake(
        final long clientId,
        final byte[] secret,
        final ExclusivePublication publication,
        final Subscription subscription,
        final int responseStreamId)
    {
        this.clientId = clientId;
        this.secret = secret;
        this.publication = publication;
        this.subscription = subscription;
        this.responseStreamId = responseStreamId;
    }

    /**
     * @return true while the session is authenticated.
     */
    boolean isAuthenticated()
    {
        return AUTHENTICATED == state;
    }

    /**
     * @return the session id of the response image the session was authenticated on.
     */
    int responseSessionId()
    {
        return responseSessionId;
    }

    /**
     * @return handshakes completed: 1 after the first, one more after each re-authentication.
     */
    long authentications()
    {
        return authentications;
    }

    /**
     * @return authenticated sessions found lost (daemon restart, lost connection, {@code UNAUTHENTICATED}).
     */
    long sessionsLost()
    {
        return sessionsLost;
    }

    /**
     * @return the refusal when the daemon refused the last handshake and no new one started, else null.
     */
    SluiceAuthenticationException refusal()
    {
        return refusal;
    }

    /**
     * Forget a refusal, so the next {@link #doWork(long)} starts a new handshake.
     *
     * @return the refusal forgotten, null when there was none.
     */
    SluiceAuthenticationException takeRefusal()
    {
        final SluiceAuthenticationException refused = refusal;
        if (REFUSED == state)
        {
            refusal = null;
            state = IDLE;
        }
        return refused;
    }

    /**
     * Notice a lost session, send Connect when due, resend Authenticate when it was back-pressured, start over when
     * a step is unanswered for {@value #RETRY_MS} ms.
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return work done.
     */
    int doWork(final long nowNs)
    {
        switch (state)
        {
            case AUTHENTICATED:
                if (!publication.isConnected() || null == subscription.imageBySessionId(responseSessionId))
                {
                    sessionLost();
                    return 1;
                }
                return 0;

            case IDLE:
                return sendConnect(nowNs);

            case AWAIT_CHALLENGE:
            case AWAIT_AUTHENTICATED:
                if (nowNs - deadlineNs >= 0)
                {
                    state = IDLE;
                    return 1;
                }
                if (authenticateLength > 0 && publication.offer(buffer, 0, authenticateLength) > 0)
                {
                    authenticateLength = 0;
                    return 1;
                }
                return 0;

            default:
                return 0;
        }
    }

    /**
     * Take the handshake's messages out of what the response channel delivers.
     *
     * @return true when the message was the handshake's alone (a Challenge); false when it is also for the result
     * decoder (Authenticated, Rejected, and everything else).
     */
    boolean onFragment(final DirectBuffer buffer, final int offset, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return false;
        }
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case ChallengeDecoder.TEMPLATE_ID:
                challengeDecoder.wrap(buffer, bodyOffset, blockLength, version);
                onChallenge(header.sessionId());
                return true;

            case AuthenticatedDecoder.TEMPLATE_ID:
                authenticatedDecoder.wrap(buffer, bodyOffset, blockLength, version);
                if (AWAIT_AUTHENTICATED == state && authenticatedDecoder.clientId() == clientId &&
                    isOwnSession(authenticatedDecoder.sessionId()))
                {
                    state = AUTHENTICATED;
                    responseSessionId = header.sessionId();
                    authentications++;
                    return false;
                }
                return true;

            case RejectedDecoder.TEMPLATE_ID:
                rejectedDecoder.wrap(buffer, bodyOffset, blockLength, version);
                if (rejectedDecoder.clientId() == clientId)
                {
                    onRejected(rejectedDecoder.reason());
                }
                return false;

            default:
                return false;
        }
    }

    private void onChallenge(final int imageSessionId)
    {
        if (AWAIT_CHALLENGE != state || challengeDecoder.clientId() != clientId ||
            !isOwnSession(challengeDecoder.sessionId()))
        {
            return;
        }
        challengeDecoder.getServerNonce(serverNonce, 0, serverNonce.length);
        final byte[] proof = AuthProof.proof(secret, clientId, clientNonce, serverNonce, challengeDecoder.sessionId());
        authenticateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(clientId)
            .putProof(proof, 0, proof.length);
        authenticateLength = MessageHeaderEncoder.ENCODED_LENGTH + authenticateEncoder.encodedLength();
        responseSessionId = imageSessionId;
        state = AWAIT_AUTHENTICATED;
        deadlineNs = System.nanoTime() + RETRY_NS;
        if (publication.offer(buffer, 0, authenticateLength) > 0)
        {
            authenticateLength = 0;
        }
    }

    private void onRejected(final RejectReason reason)
    {
        if (RejectReason.AUTHENTICATION_FAILED == reason && (AWAIT_CHALLENGE == state || AWAIT_AUTHENTICATED == state))
        {
            state = REFUSED;
            authenticateLength = 0;
            refusal = new SluiceAuthenticationException(clientId, "AUTHENTICATION_FAILED from the daemon (the " +
                "client id is not in its credentials file, the secret is not the one stored for it, or this host " +
                "is slowed down after repeated failures)");
        }
        else if (RejectReason.UNAUTHENTICATED == reason && AUTHENTICATED == state)
        {
            sessionLost();
        }
    }

    private boolean isOwnSession(final long sessionId)
    {
        final int own = publication.sessionId();
        return sessionId == own || sessionId == (own & 0xFFFF_FFFFL);
    }

    private void sessionLost()
    {
        sessionsLost++;
        state = IDLE;
    }

    private int sendConnect(final long nowNs)
    {
        if (!publication.isConnected())
        {
            return 0;
        }
        final String responseChannel = subscription.tryResolveChannelEndpointPort();
        if (null == responseChannel)
        {
            return 0;
        }
        if (responseChannel.length() > MAX_RESPONSE_CHANNEL_LENGTH)
        {
            throw new IllegalStateException("responseChannel=" + responseChannel + " must be at most " +
                MAX_RESPONSE_CHANNEL_LENGTH + " characters once resolved");
        }
        clientNonce = AuthProof.newNonce(random);
        connectEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(clientId)
            .putClientNonce(clientNonce, 0, clientNonce.length)
            .responseStreamId(responseStreamId)
            .responseChannel(responseChannel);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + connectEncoder.encodedLength();
        if (publication.offer(buffer, 0, length) > 0)
        {
            authenticateLength = 0;
            state = AWAIT_CHALLENGE;
            deadlineNs = nowNs + RETRY_NS;
            return 1;
        }
        return 0;
    }
}
