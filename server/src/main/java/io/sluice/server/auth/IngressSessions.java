package io.sluice.server.auth;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.logbuffer.Header;
import io.sluice.core.RejectReason;
import io.sluice.core.ring.RingProducer;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.Permission;
import io.sluice.server.ingress.SessionGate;
import io.sluice.transport.codec.AdminRequestDecoder;
import io.sluice.transport.codec.AuthenticateDecoder;
import io.sluice.transport.codec.ConnectDecoder;
import io.sluice.transport.codec.EventBatchDecoder;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.QueryDecoder;
import io.sluice.transport.codec.ResumeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.PrintStream;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The standalone daemon's side of authentication: the ingress agent's {@link SessionGate}. Per Aeron image session
 * id it keeps a handshake in progress or an authenticated session:
 * <pre>
 *   client                                   daemon (ingress thread)
 *   Connect{id, clientNonce, channel, stream} -&gt; id listed? host not slowed down? room? add a publication on the
 *                                              client's response channel (asynchronously)
 *                                           &lt;- Challenge{id, serverNonce (fresh), sessionId = the image's} on it
 *   Authenticate{id, proof}                  -&gt; AuthProof.verify: SessionDirectory.open, Authenticated{id,
 *                                              sessionId, permissions}; else Rejected(AUTHENTICATION_FAILED) and
 *                                              the handshake dropped (a proof answers one challenge only)
 * </pre>
 * Afterwards each message costs one map lookup: its image must be the session's image, its client id the
 * session's, and the session must hold the permission the message needs ({@code send} for Event, EventBatch and
 * Resume, {@code query} for Query); otherwise it is answered {@code UNAUTHENTICATED} or {@code NOT_PERMITTED} on the
 * session's publication, outside the ring (it changes nothing). Three failed handshakes from one source host slow it
 * down: its handshakes are refused unchecked for {@code sluice.auth.failure-delay}, doubling with each further failure
 * up to 64 times; a success resets it. Credentials handed over by {@link #credentials(Credentials)} (any thread)
 * are applied between two messages: sessions of removed clients end, permissions change in place.
 * <p>
 * Ingress thread only, except {@link #onUnavailableImage} and {@link #credentials(Credentials)}. No secret, nonce or
 * proof is ever logged.
 */
public final class IngressSessions implements SessionGate
{
    /** Longest response channel a Connect may name, characters. */
    public static final int MAX_CHANNEL_LENGTH = 512;

    private static final int BODY = MessageHeaderDecoder.ENCODED_LENGTH;

    /** One image session: a handshake in progress, or authenticated. */
    private static final class Session
    {
        final int sessionId;
        final Object image;
        final String host;
        final long clientId;
        final byte[] clientNonce;
        final byte[] serverNonce = new byte[AuthProof.NONCE_LENGTH];
        final long registrationId;
        final long deadlineNs;
        Publication publication;
        boolean challengeSent;
        boolean authenticated;
        boolean answerPending;
        int permissions;

        Session(
            final int sessionId, final Object image, final String host, final long clientId, final byte[] clientNonce,
            final long registrationId, final long deadlineNs)
        {
            this.sessionId = sessionId;
            this.image = image;
            this.host = host;
            this.clientId = clientId;
            this.clientNonce = clientNonce;
            this.registrationId = registrationId;
            this.deadlineNs = deadlineNs;
        }
    }

    private final Aeron aeron;
    private final SessionDirectory directory;
    private final AuthCounters counters;
    private final int maxSessions;
    private final long handshakeTimeoutNs;
    private final int responseTermLength;
    private final long logIntervalNs;
    private final PrintStream log;
    private final SecureRandom random = new SecureRandom();
    private final Int2ObjectHashMap<Session> sessions = new Int2ObjectHashMap<>();
    private final SourceThrottle throttle;
    private final ManyToOneConcurrentLinkedQueue<Integer> lostImages = new ManyToOneConcurrentLinkedQueue<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ConnectDecoder connect = new ConnectDecoder();
    private final AuthenticateDecoder authenticate = new AuthenticateDecoder();
    private final AuthAnswers answers = new AuthAnswers();
    private final List<Session> scratch = new ArrayList<>();
    private RingProducer producer;
    private AdminRequests admin;
    private boolean journalPending;
    private volatile Credentials offered;
    private Credentials credentials;
    private long version;
    private int pending;
    private long lastLogNs = Long.MIN_VALUE;
    private long failuresSinceLog;
    private String lastFailure;

    /**
     * @param aeron        the daemon's client: adds each session's response publication.
     * @param credentials  the credentials read at start.
     * @param directory    where authenticated sessions go (capacity {@code sluice.auth.max-sessions}).
     * @param settings     handshake timeout, failure delay, response term length and the log interval.
     * @param counters     the authentication counters.
     * @param log          where the bounded failure lines go.
     */
    public IngressSessions(
        final Aeron aeron,
        final Credentials credentials,
        final SessionDirectory directory,
        final Settings settings,
        final AuthCounters counters,
        final PrintStream log)
    {
        this.aeron = aeron;
        this.credentials = credentials;
        this.offered = credentials;
        this.directory = directory;
        this.counters = counters;
        this.maxSessions = directory.capacity();
        this.handshakeTimeoutNs = settings.handshakeTimeoutNs();
        this.throttle = new SourceThrottle(settings.failureDelayNs());
        this.responseTermLength = settings.responseTermLength();
        this.logIntervalNs = settings.logIntervalNs();
        this.log = log;
        this.version = 1;
        counters.credentialsVersion().setRelease(version);
        counters.liveSessions().setRelease(0);
    }

    /**
     * The handshake's timing and the response publications' term length.
     *
     * @param handshakeTimeoutNs {@code sluice.auth.handshake-timeout}.
     * @param failureDelayNs     {@code sluice.auth.failure-delay}.
     * @param responseTermLength {@code sluice.auth.response-term-length}.
     * @param logIntervalNs      least time between two failure log lines ({@code sluice.reject.log-interval}).
     */
    public record Settings(long handshakeTimeoutNs, long failureDelayNs, int responseTermLength, long logIntervalNs)
    {
    }

    /**
     * Hand over newly read credentials; the ingress applies them between two messages. Any thread.
     *
     * @param credentials the file as read again.
     */
    public void credentials(final Credentials credentials)
    {
        offered = credentials;
    }

    /**
     * @return the credentials in force (ingress thread), or those last handed over (any thread, approximately).
     */
    public Credentials credentials()
    {
        return offered;
    }

    /**
     * Journal the credentials in force: an AUTH entry ({@link RingProducer#offerAuth}) for those read at start, at
     * the first duty cycle, and for each applied reload. Without a producer nothing is journaled. Start-up only.
     *
     * @param producer the ring's producer (the ingress thread's).
     */
    public void journalTo(final RingProducer producer)
    {
        this.producer = producer;
        this.journalPending = true;
    }

    /**
     * Take AdminRequests of sessions with {@code admin}; without, an AdminRequest goes on like any unknown message.
     * Start-up only.
     *
     * @param actions what the daemon does for them.
     */
    public void admin(final AdminActions actions)
    {
        this.admin = new AdminRequests(actions, answers);
    }

    /**
     * @return handshakes started and not yet ended (ingress thread).
     */
    public int handshakesInProgress()
    {
        return pending;
    }

    /**
     * {@inheritDoc}
     */
    public void onUnavailableImage(final Image image)
    {
        lostImages.offer(image.sessionId());
    }

    /**
     * {@inheritDoc}
     */
    public int onMessage(
        final DirectBuffer buffer, final int offset, final int length, final Header header, final long nowNs)
    {
        final int sessionId = header.sessionId();
        final int templateId = length >= BODY && MessageHeaderDecoder.SCHEMA_ID == buffer.getShort(
            offset + 4, ByteOrder.LITTLE_ENDIAN) ? buffer.getShort(offset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF : -1;
        if (ConnectDecoder.TEMPLATE_ID == templateId)
        {
            onConnect(buffer, offset, length, sessionId, header.context(), nowNs);
            return TAKEN;
        }
        if (AuthenticateDecoder.TEMPLATE_ID == templateId)
        {
            onAuthenticate(buffer, offset, length, sessionId, header.context(), nowNs);
            return TAKEN;
        }

        final Session session = sessions.get(sessionId);
        final long clientId = length >= BODY + 8 ? buffer.getLong(offset + BODY, ByteOrder.LITTLE_ENDIAN) : 0;
        final int reason;
        if (null == session || !session.authenticated || session.image != header.context() ||
            (length >= BODY + 8 && clientId != session.clientId))
        {
            reason = RejectReason.UNAUTHENTICATED;
        }
        else if (AdminRequestDecoder.TEMPLATE_ID == templateId && null != admin)
        {
            final boolean permitted = 0 != (session.permissions & Permission.ADMIN);
            admin.onRequest(session.publication, clientId, permitted, buffer, offset, length);
            return permitted ? TAKEN : RejectReason.NOT_PERMITTED;
        }
        else
        {
            final int needed = EventDecoder.TEMPLATE_ID == templateId || EventBatchDecoder.TEMPLATE_ID == templateId ||
                ResumeDecoder.TEMPLATE_ID == templateId ? Permission.SEND :
                QueryDecoder.TEMPLATE_ID == templateId ? Permission.QUERY : 0;
            if (0 == (session.permissions & needed) && 0 != needed)
            {
                reason = RejectReason.NOT_PERMITTED;
            }
            else
            {
                return PASS;
            }
        }
        if (null != session && null != session.publication)
        {
            answers.rejectedFor(session.publication, buffer, offset, length, templateId, clientId, reason);
        }
        return reason;
    }

    private void onConnect(
        final DirectBuffer buffer, final int offset, final int length, final int sessionId, final Object image,
        final long nowNs)
    {
        final String host = SourceThrottle.hostOf(image);
        headerDecoder.wrap(buffer, offset);
        final int blockLength = headerDecoder.blockLength();
        final int varOffset = offset + BODY + blockLength;
        if (headerDecoder.version() < 1 || blockLength < ConnectDecoder.BLOCK_LENGTH ||
            varOffset + ConnectDecoder.responseChannelHeaderLength() > offset + length)
        {
            failed(null, host, 0, "malformed Connect", nowNs);
            return;
        }
        connect.wrap(buffer, offset + BODY, blockLength, headerDecoder.version());
        final long clientId = connect.clientId();
        final int channelLength = buffer.getInt(varOffset, ByteOrder.LITTLE_ENDIAN);
        final int channelOffset = varOffset + ConnectDecoder.responseChannelHeaderLength();
        if (channelLength <= 0 || channelLength > MAX_CHANNEL_LENGTH || channelOffset + channelLength > offset + length)
        {
            failed(null, host, clientId, "Connect with a response channel of a bad length", nowNs);
            return;
        }
        drop(sessions.get(sessionId));
        if (throttle.isSlowedDown(host, nowNs))
        {
            counters.throttled().incrementRelease();
            counters.rejected(RejectReason.AUTHENTICATION_FAILED).incrementRelease();
            return;
        }
        if (null == credentials.client(clientId))
        {
            failed(null, host, clientId, "unknown client id", nowNs);
            return;
        }
        if (sessions.size() >= maxSessions)
        {
            failed(null, host, clientId, "sluice.auth.max-sessions=" + maxSessions + " sessions reached", nowNs);
            return;
        }
        final String channel;
        try
        {
            channel = responseChannel(buffer.getStringWithoutLengthAscii(channelOffset, channelLength));
        }
        catch (final RuntimeException ex)
        {
            failed(null, host, clientId, "Connect with an unusable response channel", nowNs);
            return;
        }
        final byte[] clientNonce = new byte[AuthProof.NONCE_LENGTH];
        connect.getClientNonce(clientNonce, 0, AuthProof.NONCE_LENGTH);
        final long registrationId;
        try
        {
            registrationId = aeron.asyncAddPublication(channel, connect.responseStreamId());
        }
        catch (final RuntimeException ex)
        {
            failed(null, host, clientId, "the driver refused the response channel", nowNs);
            return;
        }
        final Session session = new Session(sessionId, image, host, clientId, clientNonce, registrationId,
            nowNs + handshakeTimeoutNs);
        random.nextBytes(session.serverNonce);
        sessions.put(sessionId, session);
        pending++;
    }

    private String responseChannel(final String channel)
    {
        for (int i = 0; i < channel.length(); i++)
        {
            final char c = channel.charAt(i);
            if (c < 0x20 || c > 0x7E)
            {
                throw new IllegalArgumentException("not printable ASCII");
            }
        }
        final ChannelUri uri = ChannelUri.parse(channel);
        if (!uri.containsKey("term-length"))
        {
            uri.put("term-length", Integer.toString(responseTermLength));
        }
        return uri.toString();
    }

    private void onAuthenticate(
        final DirectBuffer buffer, final int offset, final int length, final int sessionId, final Object image,
        final long nowNs)
    {
        final Session session = sessions.get(sessionId);
        final String host = SourceThrottle.hostOf(image);
        headerDecoder.wrap(buffer, offset);
        final int blockLength = headerDecoder.blockLength();
        if (headerDecoder.version() < 1 || blockLength < AuthenticateDecoder.BLOCK_LENGTH ||
            length < BODY + blockLength)
        {
            failed(pendingOf(session, image), host, 0, "malformed Authenticate", nowNs);
            return;
        }
        authenticate.wrap(buffer, offset + BODY, blockLength, headerDecoder.version());
        final long clientId = authenticate.clientId();
        final Session handshake = pendingOf(session, image);
        if (null == handshake || !handshake.challengeSent || clientId != handshake.clientId)
        {
            failed(null == session ? null : session, host, clientId, "Authenticate without its challenge", nowNs);
            return;
        }
        final Credentials.Client client = credentials.client(clientId);
        final byte[] proof = new byte[AuthProof.PROOF_LENGTH];
        authenticate.getProof(proof, 0, AuthProof.PROOF_LENGTH);
        if (null == client || !AuthProof.verify(client.storedKey(), clientId, handshake.clientNonce,
            handshake.serverNonce, sessionId, proof))
        {
            failed(handshake, host, clientId, "wrong proof", nowNs);
            return;
        }
        pending--;
        for (final Session other : sessions.values())
        {
            if (other != handshake && other.authenticated && other.clientId == clientId)
            {
                scratch.add(other);
            }
        }
        for (int i = 0; i < scratch.size(); i++)
        {
            sessions.remove(scratch.get(i).sessionId);
        }
        scratch.clear();
        final Publication replaced = directory.open(clientId, handshake.publication, client.permissions());
        if (null != replaced && replaced != handshake.publication)
        {
            replaced.close();
        }
        handshake.authenticated = true;
        handshake.permissions = client.permissions();
        handshake.answerPending = true;
        throttle.onSuccess(host);
        counters.succeeded().incrementRelease();
        counters.liveSessions().setRelease(directory.view().size());
        sendAuthenticated(handshake);
    }

    /**
     * @return the image session's handshake in progress when it came on the same image, else null.
     */
    private static Session pendingOf(final Session session, final Object image)
    {
        return null != session && !session.authenticated && session.image == image ? session : null;
    }

    private void sendAuthenticated(final Session session)
    {
        if (answers.authenticated(session.publication, session.clientId, session.sessionId, session.permissions))
        {
            session.answerPending = false;
        }
    }

    /**
     * A handshake failed: answered on its publication when it has one, dropped when it was in progress, counted
     * against its host, logged at a bounded rate.
     */
    private void failed(
        final Session session, final String host, final long clientId, final String why, final long nowNs)
    {
        counters.failed().incrementRelease();
        counters.rejected(RejectReason.AUTHENTICATION_FAILED).incrementRelease();
        if (null != session && null != session.publication)
        {
            answers.rejected(session.publication, clientId, 0, 0, RejectReason.AUTHENTICATION_FAILED);
        }
        if (null != session && !session.authenticated)
        {
            drop(session);
        }
        throttle.onFailure(host, nowNs);
        failuresSinceLog++;
        lastFailure = why + " (client " + clientId + (null == host ? "" : " from " + host) + ")";
    }

    /**
     * End an image session: its handshake or its authenticated session, its publication closed.
     */
    private void drop(final Session session)
    {
        if (null == session)
        {
            return;
        }
        sessions.remove(session.sessionId);
        if (session.authenticated)
        {
            final Publication publication = directory.view().publicationFor(session.clientId) == session.publication ?
                directory.close(session.clientId) : null;
            if (null != publication)
            {
                publication.close();
            }
            counters.liveSessions().setRelease(directory.view().size());
        }
        else
        {
            pending--;
            if (null != session.publication)
            {
                session.publication.close();
            }
            else
            {
                closeWhenAdded(session.registrationId);
            }
        }
    }

    private void closeWhenAdded(final long registrationId)
    {
        aeron.asyncRemovePublication(registrationId);
    }

    /**
     * {@inheritDoc}
     */
    public int doWork(final long nowNs)
    {
        if (Long.MIN_VALUE == lastLogNs)
        {
            lastLogNs = nowNs - logIntervalNs;
        }
        int work = 0;
        Integer lost;
        while (null != (lost = lostImages.poll()))
        {
            drop(sessions.get(lost));
            work++;
        }
        final Credentials latest = offered;
        if (latest != credentials)
        {
            apply(latest);
            work++;
        }
        if (journalPending && producer.offerAuth(version, credentials.fingerprint(), credentials.size(), nowNs))
        {
            journalPending = false;
            work++;
        }
        if (null != admin && admin.hasPending())
        {
            work += admin.doWork();
        }
        if (pending > 0 || answersPending())
        {
            work += progress(nowNs);
        }
        if (0 != failuresSinceLog && nowNs - lastLogNs >= logIntervalNs)
        {
            log.println("sluice: auth: " + failuresSinceLog + " failed handshake(s) in the last " +
                (nowNs - lastLogNs) / 1_000_000 + " ms; last: " + lastFailure);
            lastLogNs = nowNs;
            failuresSinceLog = 0;
            work++;
        }
        return work;
    }

    private boolean answersPending()
    {
        for (final Session session : sessions.values())
        {
            if (session.answerPending)
            {
                return true;
            }
        }
        return false;
    }

    private int progress(final long nowNs)
    {
        int work = 0;
        scratch.addAll(sessions.values());
        for (int i = 0; i < scratch.size(); i++)
        {
            final Session session = scratch.get(i);
            if (session.authenticated)
            {
                if (session.answerPending)
                {
                    sendAuthenticated(session);
                }
                continue;
            }
            if (nowNs - session.deadlineNs >= 0)
            {
                failed(session, session.host, session.clientId, "no Authenticate within " +
                    "sluice.auth.handshake-timeout", nowNs);
                work++;
                continue;
            }
            if (null == session.publication)
            {
                try
                {
                    session.publication = aeron.getPublication(session.registrationId);
                }
                catch (final RuntimeException ex)
                {
                    sessions.remove(session.sessionId);
                    pending--;
                    failed(null, session.host, session.clientId, "the driver refused the response channel", nowNs);
                    work++;
                    continue;
                }
            }
            if (null != session.publication && !session.challengeSent)
            {
                if (answers.challenge(session.publication, session.clientId, session.serverNonce, session.sessionId))
                {
                    session.challengeSent = true;
                    work++;
                }
            }
        }
        scratch.clear();
        return work;
    }

    /**
     * Credentials reloaded: sessions and handshakes of clients no longer listed end; live sessions take their new
     * permissions.
     */
    private void apply(final Credentials latest)
    {
        credentials = latest;
        scratch.addAll(sessions.values());
        for (int i = 0; i < scratch.size(); i++)
        {
            final Session session = scratch.get(i);
            final Credentials.Client client = latest.client(session.clientId);
            if (null == client)
            {
                drop(session);
            }
            else if (session.authenticated && client.permissions() != session.permissions)
            {
                session.permissions = client.permissions();
                directory.permissions(session.clientId, client.permissions());
            }
        }
        scratch.clear();
        version++;
        journalPending = null != producer;
        counters.credentialsVersion().setRelease(version);
        counters.liveSessions().setRelease(directory.view().size());
    }

    /**
     * Close every session's publication (the daemon stops).
     */
    public void close()
    {
        scratch.addAll(sessions.values());
        for (int i = 0; i < scratch.size(); i++)
        {
            drop(scratch.get(i));
        }
        scratch.clear();
    }
}
