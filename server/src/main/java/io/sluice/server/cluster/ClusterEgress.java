package io.sluice.server.cluster;

import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.sluice.core.ResultMode;
import io.sluice.server.egress.EncodingResultSink;
import io.sluice.server.egress.EgressCodec;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.ObjectHashSet;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import java.util.ArrayList;
import java.util.List;

/**
 * The clustered service's egress: every processor's results, encoded with the daemon's own {@link EgressCodec}, go
 * back to clients as cluster egress ({@link ClientSession#offer}), from the service thread as Aeron Cluster requires.
 * A result for a client goes to the session that client's messages last came on (learnt from the log, so every node
 * knows it); {@code WindowResult} and {@code Alert} go to every open session that subscribes. On a follower a
 * session's offer is a mock that sends nothing: followers compute everything and send nothing.
 * <p>
 * With authentication on ({@link SessionPermissions}) a session opens routed for its principal's client id, and the
 * service routes a message's client id only after checking that it is the session's own, so no session can capture
 * another client's results; only sessions whose principal has {@code subscribe} get window results and alerts, and a
 * message refused for its session ({@link #rejectTo}) is answered on that session, whatever client id it named.
 * <p>
 * {@link ResultMode#BATCHED} results are gathered into one {@code EventResultBatch} while they are of the same
 * client, and sent when another client's result or any other message comes, when it is full, or when a processor's
 * batch ends, so a client sees its results of a key in order.
 * <p>
 * A back-pressured session is retried with the cluster's idle strategy at most {@link #MAX_RETRIES} times, each failed
 * offer counted; after that the result is dropped and counted, and the session is congested: each later message to
 * it is offered once, and dropped and counted when refused, until an offer succeeds again. So a client that does not
 * read costs the service one failed offer per message, never a wait per message, and the cluster goes on (the log,
 * not the egress, is the truth: a client that lost results resumes or queries). A result for a client with no open
 * session counts as not connected.
 * <p>
 * Service thread only; allocates nothing per result.
 */
final class ClusterEgress extends EncodingResultSink
{
    /** Offers of one message to a back-pressured session before it is dropped. */
    static final int MAX_RETRIES = 100;
    /** Results in one {@code EventResultBatch}: a little over 2 KiB, well inside one session message. */
    static final int BATCH_CAPACITY = 24;

    private final Long2ObjectHashMap<ClientSession> sessionByClient = new Long2ObjectHashMap<>();
    private final List<ClientSession> sessions = new ArrayList<>();
    private final List<ClientSession> subscribers = new ArrayList<>();
    private final ObjectHashSet<ClientSession> congested = new ObjectHashSet<>();
    private final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
    private final int clientCapacity;
    private final AtomicCounter backPressure;
    private final AtomicCounter notConnected;
    private final AtomicCounter dropped;
    private IdleStrategy retryIdle;
    private ClientSession direct;
    private boolean everyClient;
    private long clientId;
    private int length;

    /**
     * @param ruleNames      alert rule names by rule index.
     * @param clientCapacity most clients routed ({@code sluice.client.capacity}, as many as have a mark).
     * @param backPressure   counts failed offers to a back-pressured session.
     * @param notConnected counts results for a client with no open session.
     * @param dropped      counts results given up on (still back-pressured after the retries, or a closed session).
     */
    ClusterEgress(
        final List<String> ruleNames,
        final int clientCapacity,
        final AtomicCounter backPressure,
        final AtomicCounter notConnected,
        final AtomicCounter dropped)
    {
        super(ruleNames, BATCH_CAPACITY, true);
        this.clientCapacity = clientCapacity;
        this.backPressure = backPressure;
        this.notConnected = notConnected;
        this.dropped = dropped;
    }

    /**
     * @param retryIdle the cluster's idle strategy, used between retries.
     */
    void retryIdle(final IdleStrategy retryIdle)
    {
        this.retryIdle = retryIdle;
    }

    /**
     * A session opened (or was restored from a snapshot), receiving window results and alerts.
     *
     * @param session the session.
     */
    void onSessionOpen(final ClientSession session)
    {
        onSessionOpen(session, true);
    }

    /**
     * A session opened (or was restored from a snapshot).
     *
     * @param session   the session.
     * @param subscribe true when it receives window results and alerts.
     */
    void onSessionOpen(final ClientSession session, final boolean subscribe)
    {
        sessions.add(session);
        if (subscribe)
        {
            subscribers.add(session);
        }
    }

    /**
     * Answer a message refused for its session ({@code UNAUTHENTICATED}, {@code NOT_PERMITTED}) on that session.
     *
     * @param session       the session it came on.
     * @param clientId      the client id it named.
     * @param correlationId its correlation id, or 0.
     * @param key           its key, or 0.
     * @param reason        a {@code RejectReason} code.
     */
    void rejectTo(
        final ClientSession session, final long clientId, final long correlationId, final long key, final int reason)
    {
        direct = session;
        try
        {
            onRejected(clientId, correlationId, key, reason, -1);
        }
        finally
        {
            direct = null;
        }
    }

    /**
     * Offer an encoded message to one session (retried as results are).
     *
     * @param session the session.
     * @param message the message, from offset 0.
     * @param length  its bytes.
     */
    void sendTo(final ClientSession session, final DirectBuffer message, final int length)
    {
        sendPending();
        send(session, message, length);
    }

    /**
     * A session closed: results for its clients count as not connected until they send again on another.
     *
     * @param session the session.
     */
    void onSessionClose(final ClientSession session)
    {
        sessions.remove(session);
        subscribers.remove(session);
        congested.remove(session);
        sessionByClient.values().removeIf((s) -> s == session);
    }

    /**
     * The client's messages come on this session: its results go there. One map lookup when nothing changed; at
     * most {@code clientCapacity} clients are routed (a new one beyond is not, and its results count as not
     * connected, as its events are rejected {@code CLIENTS_FULL}).
     *
     * @param clientId the client id a Sluice message carried.
     * @param session  the session it came on.
     */
    void route(final long clientId, final ClientSession session)
    {
        final ClientSession current = sessionByClient.get(clientId);
        if (current != session && (null != current || sessionByClient.size() < clientCapacity))
        {
            sessionByClient.put(clientId, session);
        }
    }

    /**
     * @return open sessions.
     */
    int sessionCount()
    {
        return sessions.size();
    }

    /**
     * @return open sessions that receive window results and alerts.
     */
    int subscriberCount()
    {
        return subscribers.size();
    }

    protected boolean claim(final boolean everyClient, final long clientId, final int length)
    {
        this.everyClient = everyClient;
        this.clientId = clientId;
        this.length = length;
        return true;
    }

    protected MutableDirectBuffer claimedBuffer()
    {
        return buffer;
    }

    protected int claimedOffset()
    {
        return 0;
    }

    /**
     * Offer the encoded message to its client's session, or to every open session.
     */
    protected void commit()
    {
        if (null != direct)
        {
            send(direct, buffer, length);
        }
        else if (everyClient)
        {
            broadcast(length);
        }
        else
        {
            send(sessionByClient.get(clientId), buffer, length);
        }
    }

    protected void sendBatch(final long clientId, final DirectBuffer buffer, final int length)
    {
        send(sessionByClient.get(clientId), buffer, length);
    }

    private void broadcast(final int length)
    {
        final List<ClientSession> sessions = this.subscribers;
        for (int i = 0, size = sessions.size(); i < size; i++)
        {
            send(sessions.get(i), buffer, length);
        }
    }

    private void send(final ClientSession session, final DirectBuffer message, final int length)
    {
        if (null == session || session.isClosing())
        {
            notConnected.incrementRelease();
            return;
        }
        final int retries = congested.contains(session) ? 0 : MAX_RETRIES;
        if (null != retryIdle)
        {
            retryIdle.reset();
        }
        for (int attempt = 0; attempt <= retries; attempt++)
        {
            final long result = session.offer(message, 0, length);
            if (result > 0)
            {
                if (0 == retries)
                {
                    congested.remove(session);
                }
                return;
            }
            if (Publication.NOT_CONNECTED == result)
            {
                notConnected.incrementRelease();
                return;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                break;
            }
            backPressure.incrementRelease();
            if (null != retryIdle && attempt < retries)
            {
                retryIdle.idle();
            }
        }
        congested.add(session);
        dropped.incrementRelease();
    }
}
