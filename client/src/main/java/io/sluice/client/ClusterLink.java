package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.ClusterException;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.EventCode;
import io.aeron.exceptions.TimeoutException;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.aeron.security.AuthenticationException;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * A session with an Aeron Cluster running Sluice's clustered service: Sluice messages go in as session messages
 * through {@link AeronCluster}, and the service's egress comes back through {@link AeronCluster#pollEgress()}.
 * <p>
 * The session is opened asynchronously: the first connect starts at construction and advances in
 * {@link #connect(int)} and {@link #poll(int)}; an attempt that times out or is refused (no leader yet) starts over.
 * When the cluster elects a new leader, AeronCluster re-points the ingress to it and reports it here: the
 * {@link #epoch()} moves on, so the client resumes before it sends anything else. When the session ends (the
 * cluster closed it, or no new leader came in time) a new session is opened, which also moves the epoch on.
 * While connected it sends a keep-alive when nothing else went to the cluster for {@value #KEEP_ALIVE_INTERVAL_MS}
 * ms, so a client that polls but does not offer keeps its session.
 * <p>
 * With a secret, every session connect runs Sluice's handshake in Aeron's challenge flow
 * ({@link ClusterCredentialsSupplier}); a new leader keeps the session (AeronCluster only re-points the ingress; the
 * session stays authenticated in the cluster's log), and a session opened anew authenticates anew. A refusal
 * ({@code AUTHENTICATION_REJECTED}) is not retried: the next {@link #connect(int)} throws it as a
 * {@link SluiceAuthenticationException} and the call after that starts over.
 * <p>
 * The client's thread only: AeronCluster is not thread safe, so in cluster mode one thread offers and polls.
 */
final class ClusterLink implements ClientLink, EgressListener
{
    /** How long a session connect or a new leader's ingress may take before AeronCluster gives up on it. */
    static final long MESSAGE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    static final long KEEP_ALIVE_INTERVAL_MS = 1000;
    private static final long KEEP_ALIVE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(KEEP_ALIVE_INTERVAL_MS);
    private static final int DEFAULT_MTU_LENGTH = 1408;

    private final AeronCluster.Context template;
    private final long clientId;
    private SluiceAuthenticationException refusal;
    private final FragmentHandler fragmentHandler;
    private final int maxFrameMessageLength;
    private AeronCluster.AsyncConnect connecting;
    private AeronCluster cluster;
    private long epoch;
    private long leaderChanges;
    private long sessionsOpened;
    private long connectFailures;
    private Exception lastConnectFailure;
    private String lastSessionEvent;
    private boolean sentSinceKeepAlive;
    private long nextKeepAliveNs;

    /**
     * Start connecting.
     *
     * @param aeron           the client's Aeron client (kept open when the session closes).
     * @param driverInvoker   an embedded driver's invoker when it runs on the client's thread, else null: AeronCluster
     *                        runs it while it waits (for a new leader's ingress publication, say).
     * @param ctx             the concluded client context ({@code cluster*} settings, secret).
     * @param clientId        this client's id.
     * @param fragmentHandler receives every Sluice message of the service's egress to this session.
     */
    ClusterLink(
        final Aeron aeron,
        final AgentInvoker driverInvoker,
        final SluiceClientContext ctx,
        final long clientId,
        final FragmentHandler fragmentHandler)
    {
        this.fragmentHandler = fragmentHandler;
        this.clientId = clientId;
        this.template = new AeronCluster.Context()
            .aeron(aeron)
            .ownsAeronClient(false)
            .aeronDirectoryName(aeron.context().aeronDirectoryName())
            .ingressChannel(ctx.clusterIngressChannel())
            .ingressEndpoints(ctx.clusterIngressEndpoints())
            .egressChannel(ctx.clusterEgressChannel())
            .messageTimeoutNs(MESSAGE_TIMEOUT_NS)
            .idleStrategy(new BackoffIdleStrategy(
                10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1)))
            .agentInvoker(driverInvoker)
            .egressListener(this);
        if (ctx.hasSecret())
        {
            template.credentialsSupplier(new ClusterCredentialsSupplier(clientId, ctx.secretBytes()));
        }
        final String mtu = ChannelUri.parse(ctx.clusterIngressChannel()).get("mtu");
        final int mtuLength = null != mtu ? Integer.parseInt(mtu) : DEFAULT_MTU_LENGTH;
        this.maxFrameMessageLength = mtuLength - DataHeaderFlyweight.HEADER_LENGTH - AeronCluster.SESSION_HEADER_LENGTH;
        this.connecting = AeronCluster.asyncConnect(template.clone());
    }

    public int claimHeaderLength()
    {
        return AeronCluster.SESSION_HEADER_LENGTH;
    }

    public int maxFrameMessageLength()
    {
        return maxFrameMessageLength;
    }

    public long tryClaim(final int messageLength, final BufferClaim claim)
    {
        final AeronCluster cluster = this.cluster;
        if (null == cluster || cluster.isClosed())
        {
            return Publication.NOT_CONNECTED;
        }
        final long result = cluster.tryClaim(messageLength, claim);
        if (result > 0)
        {
            sentSinceKeepAlive = true;
        }
        return result;
    }

    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        final AeronCluster cluster = this.cluster;
        if (null == cluster || cluster.isClosed())
        {
            return Publication.NOT_CONNECTED;
        }
        final long result = cluster.offer(buffer, offset, length);
        if (result > 0)
        {
            sentSinceKeepAlive = true;
        }
        return result;
    }

    public boolean isConnected(final int images)
    {
        final AeronCluster cluster = this.cluster;
        return null != cluster && !cluster.isClosed() && cluster.ingressPublication().isConnected();
    }

    /**
     * @throws SluiceAuthenticationException when the cluster refused the last connect's handshake (then the next call
     *                                       starts over).
     */
    public int connect(final int fragmentLimit)
    {
        final SluiceAuthenticationException refused = refusal;
        if (null != refused)
        {
            refusal = null;
            throw refused;
        }
        return poll(fragmentLimit);
    }

    /**
     * @return the refusal of the last connect's handshake when no new connect started since, else null.
     */
    SluiceAuthenticationException refusal()
    {
        return refusal;
    }

    public int poll(final int fragmentLimit)
    {
        final AeronCluster cluster = this.cluster;
        if (null == cluster)
        {
            return null != refusal ? 0 : connectStep();
        }
        int work = 0;
        int polled;
        do
        {
            polled = cluster.pollEgress();
            work += polled;
        }
        while (polled > 0 && work < fragmentLimit && !cluster.isClosed());

        if (cluster.isClosed())
        {
            this.cluster = null;
            connecting = AeronCluster.asyncConnect(template.clone());
            return work + 1;
        }
        return work + keepAlive();
    }

    public long epoch()
    {
        return epoch;
    }

    /**
     * @return new leaders the cluster reported to this client's sessions.
     */
    long leaderChanges()
    {
        return leaderChanges;
    }

    /**
     * @return sessions opened: 1 after the first connect, more when the cluster closed one and another was opened.
     */
    long sessionsOpened()
    {
        return sessionsOpened;
    }

    /**
     * @return connect attempts that timed out or were refused and were started over.
     */
    long connectFailures()
    {
        return connectFailures;
    }

    /**
     * @return why the last failed connect attempt failed, null when none failed.
     */
    Exception lastConnectFailure()
    {
        return lastConnectFailure;
    }

    /**
     * @return the last session event the cluster sent (an error or a close, with its detail), null when none.
     */
    String lastSessionEvent()
    {
        return lastSessionEvent;
    }

    /**
     * @return the leader's member id, -1 while no session is open.
     */
    int leaderMemberId()
    {
        final AeronCluster cluster = this.cluster;
        return null != cluster && !cluster.isClosed() ? cluster.leaderMemberId() : -1;
    }

    /**
     * @return the open session's id, -1 while none is open.
     */
    long clusterSessionId()
    {
        final AeronCluster cluster = this.cluster;
        return null != cluster && !cluster.isClosed() ? cluster.clusterSessionId() : -1;
    }

    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        fragmentHandler.onFragment(buffer, offset, length, header);
    }

    public void onSessionEvent(
        final long correlationId,
        final long clusterSessionId,
        final long leadershipTermId,
        final int leaderMemberId,
        final EventCode code,
        final String detail)
    {
        lastSessionEvent = code + ": " + detail;
    }

    public void onNewLeader(
        final long clusterSessionId,
        final long leadershipTermId,
        final int leaderMemberId,
        final String ingressEndpoints)
    {
        leaderChanges++;
        epoch++;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(connecting, cluster);
        connecting = null;
        cluster = null;
    }

    private int connectStep()
    {
        if (null == connecting)
        {
            connecting = AeronCluster.asyncConnect(template.clone());
        }
        final int stepBefore = connecting.step();
        try
        {
            final AeronCluster connected = connecting.poll();
            if (null == connected)
            {
                return connecting.step() != stepBefore ? 1 : 0;
            }
            connecting = null;
            cluster = connected;
            if (sessionsOpened++ > 0)
            {
                epoch++;
            }
            sentSinceKeepAlive = false;
            nextKeepAliveNs = System.nanoTime() + KEEP_ALIVE_INTERVAL_NS;
            return 1;
        }
        catch (final AuthenticationException ex)
        {
            connectFailures++;
            lastConnectFailure = ex;
            CloseHelper.quietClose(connecting);
            connecting = null;
            refusal = new SluiceAuthenticationException(clientId, "AUTHENTICATION_REJECTED by the cluster: " +
                ex.getMessage());
            return 1;
        }
        catch (final TimeoutException | ClusterException ex)
        {
            connectFailures++;
            lastConnectFailure = ex;
            CloseHelper.quietClose(connecting);
            connecting = null;
            return 1;
        }
    }

    private int keepAlive()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - nextKeepAliveNs < 0)
        {
            return 0;
        }
        nextKeepAliveNs = nowNs + KEEP_ALIVE_INTERVAL_NS;
        if (sentSinceKeepAlive)
        {
            sentSinceKeepAlive = false;
            return 0;
        }
        return cluster.sendKeepAlive() ? 1 : 0;
    }
}
