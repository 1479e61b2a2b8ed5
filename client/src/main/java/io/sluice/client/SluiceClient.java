package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.AeronVersion;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.sluice.config.ConfigurationException;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.ResultMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * A Java application's connection to a Sluice daemon (or to a Sluice cluster, see below): offers Events and Queries on the ingress channel and polls
 * the results addressed to it (plus the window results and alerts every client gets) from the egress channel.
 * <p>
 * Connects through a running media driver's directory, or launches its own embedded driver and talks to the
 * daemon over UDP. Neither {@link #offerEvent} nor {@link #poll} allocates. The embedded driver needs
 * {@code io.sluice:sluice-driver} and a cluster client {@code io.aeron:aeron-cluster} on the class path, optional
 * dependencies of the client's artifact: without them {@link #connect} fails naming the one to add, and a client that
 * connects through a running driver to a daemon needs neither.
 * <p>
 * <b>Batching.</b> {@link #offerEvent} adds the event to a pending batch; the batch leaves as one
 * {@code EventBatch} message (at most one frame) on {@link #flush()}, at the start of the next {@link #poll} or query, or when it is full
 * and another event is offered, so events offered in one duty cycle travel together and a single event still leaves
 * at once when the application polls (no linger). A batch of one event in {@link ResultMode#PER_EVENT} mode leaves as
 * a plain {@code Event}. The results come as the context's {@link Context#resultMode(ResultMode)} says. Offer and poll
 * on one thread; with {@link Context#maxBatchEvents(int)} 1 nothing is ever pending (each event leaves at once as an
 * {@code Event}) and one thread may offer while another polls.
 * <p>
 * <b>Resuming.</b> Event correlation ids increase per client id (the daemon rejects an event at or below the highest
 * it accepted from the client as {@code DUPLICATE} and never applies it twice). The client keeps its last
 * {@link Context#resendBufferLength(int)} events; after a daemon restart (or whenever it is unsure what arrived),
 * {@link #resume(SluiceResultHandler, long)} asks the daemon for the highest event correlation id it accepted from
 * this client and offers again, with their original ids, the buffered events above it. To resume across a restart
 * of the client process too, give the client a fixed {@link Context#clientId(long)}: the new process's first
 * {@code resume} moves its correlation ids above the daemon's mark, so its events are not taken for duplicates.
 * <pre>{@code
 * try (SluiceClient client = SluiceClient.connect(new SluiceClient.Context().embeddedDriver(true)))
 * {
 *     client.awaitConnected(TimeUnit.SECONDS.toNanos(5));
 *     long id = client.offerEvent(42, System.currentTimeMillis() * 1_000_000, 3.5);  // < 0: see Publication codes
 *     client.poll(handler, 10);
 * }
 * }</pre>
 * <b>Cluster.</b> With {@link Context#clusterIngressEndpoints(String)} set, the client opens a session with an Aeron
 * Cluster running Sluice's clustered service instead: the same messages travel as cluster session messages, the API is
 * the same, and the egress is this session's (its results, and every window result and alert). The session opens in
 * the background as the client polls ({@link #awaitConnected(long)} waits for it and a probe round trip through the
 * log). When the cluster elects a new leader, events offered to the old one may never have reached the committed log,
 * and results of events the old leader committed but did not send are not sent again (as after a daemon crash). So
 * the first {@link #poll}, {@link #offerEvent}, {@link #flush()} or query after a new leader was reported resumes
 * first, exactly as {@link #resume(SluiceResultHandler, long)} does, blocking up to
 * {@link Context#resumeTimeoutNs(long)}: a pending batch is dropped from the batch and resent from the resend buffer
 * with the rest above the mark, in order and with the original ids. Nothing new is sent before that resume is done:
 * {@code offerEvent} does not take an event (it returns {@link Publication#NOT_CONNECTED}) while the resume cannot
 * finish, so no later event raises the mark over a lost one: every event is applied exactly once, and the
 * application sees each result at most once (results the old leader did not send are lost). The same happens when the cluster closes the session (no new leader in time) and the
 * client opens another. Keep a resend buffer that covers the events in flight. {@link #leaderChanges()},
 * {@link #autoResumes()} and {@link #leaderMemberId()} report it. A cluster client offers and polls on one thread
 * (AeronCluster is not thread safe) and must poll at least every second or so: polling keeps the session alive. With
 * an embedded driver in INVOKER threading, AeronCluster's own waits run the driver too.
 * <p>
 * <b>Authentication.</b> With a secret ({@link Context#secret(String)} or {@link Context#secretFile(java.nio.file.Path)},
 * for the fixed {@link Context#clientId(long)} the daemon's credentials file lists), the client proves it holds the
 * secret before it sends anything, and never sends the secret. To a daemon: it subscribes to its own
 * {@link Context#responseChannel(String)} instead of the shared egress, and {@link #awaitConnected(long)} runs the
 * handshake ({@code Connect} naming the response channel with its port resolved, {@code Challenge},
 * {@code Authenticate} with the proof, {@code Authenticated}) within its timeout, then probes as usual. Until
 * authenticated nothing is sent ({@link #offerEvent} returns {@link Publication#NOT_CONNECTED}). When the session is
 * lost (the daemon restarted, the connection or the response image went away, or the daemon answers
 * {@code UNAUTHENTICATED}) {@link #poll} redoes the handshake by itself, and {@link #resume} authenticates before it
 * sends its {@code Resume}; {@link SluiceResultHandler#onAuthenticated} and {@link #authentications()} tell when.
 * To a cluster: the same proof travels in Aeron Cluster's challenge flow at every session connect; a new leader keeps
 * the session (Aeron moves it, authenticated, to the new leader), and a session opened anew authenticates anew. A
 * refused handshake throws {@link SluiceAuthenticationException} (naming the client id and the reason, never the
 * secret) from {@link #awaitConnected(long)} or {@link #resume}; the next such call starts a new handshake.
 * {@link #permissions()} gives what the client may do; {@link #offerAdminRequest} asks for an operator action. With a
 * secret, offer and poll on one thread.
 */
public final class SluiceClient implements AutoCloseable
{
    /** The artifact that holds the embedded driver, an optional dependency of the client. */
    static final String DRIVER_ARTIFACT = "io.sluice:sluice-driver";
    /** The artifact that holds the cluster client, an optional dependency of the client. */
    static final String CLUSTER_ARTIFACT = "io.aeron:aeron-cluster";
    /** {@link #permissions()} when no {@code Authenticated} arrived (no secret, not yet, or a cluster that sent none). */
    public static final int PERMISSIONS_UNKNOWN = -1;
    /** Longest {@link #offerAdminRequest} payload, characters (the schema's limit, 16 KiB). */
    public static final int MAX_ADMIN_PAYLOAD_LENGTH = 16 * 1024;

    private final ClientMedia media;
    private final boolean ownsMedia;
    private final Aeron aeron;
    private final ClientLink link;
    private final DaemonLink daemonLink;
    private final ClusterLink clusterLink;
    private final long clientId;
    private final ResendBuffer resendBuffer;
    private final ResultDecoder decoder;
    private final MessageSender sender;
    private final EventBatch batch;
    private final ResumeProtocol resumeProtocol;

    /**
     * A client over given media: its own ({@link #connect}) or one a {@link TopologyClient} shares among its
     * appliances' clients.
     *
     * @param ctx       the concluded context.
     * @param media     the Aeron client (and embedded driver) to use.
     * @param ownsMedia whether {@link #close()} closes the media too.
     */
    SluiceClient(final Context ctx, final ClientMedia media, final boolean ownsMedia)
    {
        this.clientId = 0 != ctx.clientId() ? ctx.clientId() : randomClientId();
        this.resendBuffer = new ResendBuffer(ctx.resendBufferLength());
        this.decoder = new ResultDecoder(clientId);
        this.media = media;
        this.ownsMedia = ownsMedia;
        this.aeron = media.aeron();
        final AgentInvoker driverInvoker = media.driverInvoker();
        if (ctx.isClusterClient())
        {
            this.daemonLink = null;
            this.clusterLink = new ClusterLink(aeron, driverInvoker, ctx, clientId, decoder);
            this.link = clusterLink;
        }
        else
        {
            this.clusterLink = null;
            this.daemonLink = new DaemonLink(aeron, ctx, clientId, decoder);
            this.link = daemonLink;
        }
        this.sender = new MessageSender(link, clientId, aeron, driverInvoker);
        this.batch = new EventBatch(
            sender, clientId, ctx.resultMode(), ctx.maxBatchEvents(), link.maxFrameMessageLength());
        this.resumeProtocol = new ResumeProtocol(link, sender, batch, decoder, resendBuffer,
            ctx.isClusterClient() || ctx.hasSecret() ? 1 : Math.max(1, ctx.egressImages()),
            ctx.resumeTimeoutNs());
    }

    /**
     * @param ctx how to reach the daemon; concluded here when it is not yet.
     * @return a client; call {@link #awaitConnected(long)} before offering.
     * @throws ConfigurationException naming the {@code sluice.*} key of a channel or stream id that is not valid.
     * @throws IllegalArgumentException when another setting of the context is not valid.
     * @throws IllegalStateException    when the context asks for an embedded driver or a cluster and the optional
     *                                  dependency that holds it ({@value #DRIVER_ARTIFACT} or
     *                                  {@value #CLUSTER_ARTIFACT}) is not on the class path, naming it.
     */
    public static SluiceClient connect(final Context ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        requireClusterClassesIfCluster(ctx);
        final ClientMedia media = ClientMedia.launch(ctx);
        try
        {
            return new SluiceClient(ctx, media, true);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(media);
            throw ex;
        }
    }

    /** Fail naming {@value #CLUSTER_ARTIFACT} when a concluded context names a cluster and it is missing. */
    static void requireClusterClassesIfCluster(final SluiceClientContext ctx)
    {
        if (ctx.isClusterClient())
        {
            ClientMedia.requireOnClassPath(CLUSTER_ARTIFACT, "Context.clusterIngressEndpoints(...)",
                ", version " + AeronVersion.VERSION + " (that of the aeron-client in use)",
                "io.aeron.cluster.client.AeronCluster");
        }
    }

    static long randomClientId()
    {
        long id = 0;
        while (0 == id)
        {
            id = new SecureRandom().nextLong() & Long.MAX_VALUE;
        }
        return id;
    }

    /**
     * @return this client's id, carried in every message it sends and used to pick its results.
     */
    public long clientId()
    {
        return clientId;
    }

    /**
     * Wait until a round trip through every processor works: the daemon receives this client's publication, this
     * client receives the daemon's egress, and each of {@link Context#egressImages(int)} processors (at least one)
     * has answered a probe {@code Query}. Probes use negative correlation ids, so the first event still gets id 1.
     * Results sent before this returns true may have been dropped by the daemon as not connected. What else arrives
     * meanwhile goes to the handler of the latest {@link #poll} call (and is discarded when there was none).
     * A cluster client waits for its cluster session to open (a connect attempt that times out, e.g. while no leader
     * is elected, starts over: {@link #lastClusterConnectFailure()} says why) and for one probe answered through the
     * cluster's log; {@link Context#egressImages(int)} does not apply.
     *
     * With a secret this first runs the handshake (see the class description).
     *
     * @param timeoutNs longest wait.
     * @return true when connected in time.
     * @throws SluiceAuthenticationException when the daemon or the cluster refused this client's handshake.
     */
    public boolean awaitConnected(final long timeoutNs)
    {
        return resumeProtocol.awaitConnected(decoder.handlerOrDiscard(), System.nanoTime() + timeoutNs);
    }

    /**
     * Whether a {@code Query} (or its {@code QueryResult}) is one of the connection probes
     * {@link #awaitConnected(long)} sends: those, and only those, have negative correlation ids ({@code -1 - key});
     * this client's queries, events and resumes take ids from 1 up. The daemon answers and journals a probe like any
     * query; this client never hands its answer to a handler, and {@code sluice replay} leaves it out of its output.
     *
     * @param correlationId a Query's or QueryResult's correlation id.
     * @return true for a probe's.
     */
    public static boolean isProbe(final long correlationId)
    {
        return correlationId < 0;
    }

    /**
     * @return probe queries {@link #awaitConnected(long)} sent; the daemon counts them as accepted input. An
     * authenticating client sends none while a handshake completes within the wait.
     */
    public long probesSent()
    {
        return sender.probesSent();
    }

    /**
     * Offer one event: add it to the pending batch (which leaves on {@link #flush()}, the next {@link #poll} or
     * query, or when full), or with {@link Context#maxBatchEvents(int)} 1 send it at once; and keep it in the resend
     * buffer ({@link Context#resendBufferLength(int)}).
     *
     * @param key       the key.
     * @param timestamp event time, epoch ns.
     * @param value     the value.
     * @return the correlation id (&gt; 0) of the event's result, or a negative {@link Publication} code
     * ({@link Publication#BACK_PRESSURED}, {@link Publication#NOT_CONNECTED}, {@link Publication#ADMIN_ACTION},
     * {@link Publication#CLOSED}, {@link Publication#MAX_POSITION_EXCEEDED}) when the event could not be taken (the
     * pending batch is full and could not be sent, or the single event could not be): then try again. A cluster
     * client returns {@link Publication#NOT_CONNECTED} while no session is open, and when the resume owed after a
     * leader change, which this call runs first, did not finish within {@link Context#resumeTimeoutNs(long)}.
     * @throws IllegalStateException from an automatic resume whose resend buffer lost events.
     */
    public long offerEvent(final long key, final long timestamp, final double value)
    {
        if (resumeProtocol.owed() && !resumeProtocol.resumeAfterLeaderChange())
        {
            return Publication.NOT_CONNECTED;
        }
        final long correlationId = sender.nextCorrelationId();
        if (1 == batch.limit())
        {
            final long result = sender.offerEvent(correlationId, key, timestamp, value);
            if (result < 0)
            {
                return result;
            }
        }
        else
        {
            if (batch.isFull() && !flush())
            {
                return batch.lastSendResult();
            }
            batch.add(correlationId, key, timestamp, value);
        }
        sender.takeCorrelationId();
        resendBuffer.add(correlationId, key, timestamp, value);
        return correlationId;
    }

    /**
     * Send the pending batch, if any, as one message (a single event in {@link ResultMode#PER_EVENT} mode as a plain
     * {@code Event}). {@link #poll} and the queries call it first.
     *
     * @return true when nothing is pending any more; false when the batch could not be sent (back-pressure, not
     * connected: {@link #lastFlushResult()} says which) and is still pending. A cluster client runs first the resume
     * owed after a leader change (which resends the pending batch from the resend buffer); when that does not finish
     * in time the result is false with {@link Publication#NOT_CONNECTED}.
     * @throws IllegalStateException from an automatic resume whose resend buffer lost events.
     */
    public boolean flush()
    {
        if (resumeProtocol.owed() && !resumeProtocol.resumeAfterLeaderChange())
        {
            batch.lastSendResult(Publication.NOT_CONNECTED);
            return false;
        }
        return batch.send();
    }

    /**
     * @return events offered but not yet sent.
     */
    public int pendingEvents()
    {
        return batch.pending();
    }

    /**
     * @return what the last {@link #flush()} got from the publication: its new position, or a negative
     * {@link Publication} code.
     */
    public long lastFlushResult()
    {
        return batch.lastSendResult();
    }

    /**
     * @return most events one batch holds: {@link Context#maxBatchEvents(int)}, or what fits one frame when less.
     */
    public int batchLimit()
    {
        return batch.limit();
    }

    /**
     * Resume after a daemon restart, a lost connection, or a restart of this client with the same fixed
     * {@link Context#clientId(long)}: ask the daemon for the highest Event correlation id it has accepted from
     * this client (its mark), then offer again, in order and with their original correlation ids, every buffered
     * event above the mark. Those events were not applied, so each gets its normal answer: an {@code EventResult}
     * (or a {@code Rejected} the processor decides, e.g. {@code STATE_FULL}); an event the daemon already applied is
     * never resent by this method, and one resent by other means is answered {@code Rejected(DUPLICATE)}. Later
     * events get correlation ids above both this client's last one and the mark.
     * <p>
     * First waits, up to the timeout, as {@link #awaitConnected(long)} does: until this client's publication is
     * connected and each of {@link Context#egressImages(int)} processors has answered a probe. The publication and
     * the egress subscription re-establish by themselves when a daemon comes back on the same channels; the probes
     * make sure the daemon has heard this client's egress subscription, else it would drop the results of the
     * resends as not connected. Then it sends a {@code Resume} every 100 ms until the matching {@code Resumed}
     * arrives (asking again is harmless: a Resume changes nothing). While it waits, and whenever a resend is
     * back-pressured, it polls the egress into the handler: results of earlier and of resent events arrive there as
     * they would through {@link #poll}; the rest arrive through later polls. The awaited {@code Resumed} reaches the
     * handler too ({@link SluiceResultHandler#onResumed}).
     * <p>
     * A cluster client: the {@code Resume} goes through the cluster's log, so the mark is the one as of that point
     * of the log. When the cluster reports another new leader while this runs, it starts over with the new leader
     * (within the same time). A cluster client runs this by itself after each leader change; see the class
     * description.
     * <p>
     * The thread that offers and polls; not concurrently with {@link #offerEvent} or {@link #poll}, and not from the
     * handler while a resume runs. Allocates nothing.
     *
     * @param handler   receives what is polled meanwhile.
     * @param timeoutNs longest wait for the connection, the answer and the resends together.
     * @return events offered again (0 when the daemon has every buffered event); -1 when the time ran out first,
     * after which calling again is safe (the daemon's mark then covers whatever was resent).
     * @throws IllegalStateException when the resend buffer no longer holds every event above the daemon's mark,
     *                               naming the correlation ids it lost, e.g. {@code resend buffer lost correlation
     *                               ids 101..4096 (sluice.client resendBufferLength=4096)}; the correlation ids
     *                               have still moved above the mark; also when a resume is already running (the
     *                               handler called it).
     * @throws SluiceAuthenticationException when the daemon or the cluster refused this client's handshake.
     */
    public long resume(final SluiceResultHandler handler, final long timeoutNs)
    {
        return resumeProtocol.resume(handler, timeoutNs);
    }

    /**
     * {@link #resume(SluiceResultHandler, long)} delivering what it polls to the handler of the latest
     * {@link #poll} call (discarding it when there was none).
     *
     * @param timeoutNs longest wait for the connection, the answer and the resends together.
     * @return events offered again; -1 when the time ran out first.
     * @throws IllegalStateException when the resend buffer no longer holds every event above the daemon's mark.
     */
    public long resume(final long timeoutNs)
    {
        return resumeProtocol.resume(decoder.handlerOrDiscard(), timeoutNs);
    }

    /**
     * @return events held for {@link #resume}: the last ones offered, at most {@link Context#resendBufferLength(int)}
     * (a resume resends only those above the daemon's mark, and keeps them all).
     */
    public int resendBufferSize()
    {
        return resendBuffer.size();
    }

    /**
     * Ask for a key's current aggregates.
     *
     * @param key the key.
     * @return the correlation id (&gt; 0) of the {@code QueryResult}, or a negative {@link Publication} code.
     */
    public long offerQuery(final long key)
    {
        if (!flush())
        {
            return batch.lastSendResult();
        }
        return sender.offerQuery(key);
    }

    /**
     * Ask for an operator action over the wire: the answer, an {@code AdminResponse} with the request's correlation
     * id, its status and a message, comes to {@link SluiceResultHandler#onAdminResponse} through {@link #poll}, as a
     * query's answer does. Only a client authenticated with the {@code admin} permission may (the daemon answers
     * {@code NOT_PERMITTED} otherwise, and when authentication is off). Sends the pending batch first.
     *
     * @param action  {@link AdminAction#SNAPSHOT}, {@link AdminAction#APPLY_RULES} (the rules as properties text, as
     *                {@code sluice rules apply --rules} takes them), {@link AdminAction#RELOAD_CREDENTIALS} or
     *                {@link AdminAction#SHUTDOWN}.
     * @param payload APPLY_RULES: the rules text, US-ASCII, at most {@value #MAX_ADMIN_PAYLOAD_LENGTH} characters;
     *                otherwise empty (null taken as empty).
     * @return the request's correlation id (&gt; 0), or a negative {@link Publication} code.
     * @throws IllegalArgumentException when the action is not one of those, or the payload is too long or not ASCII.
     */
    public long offerAdminRequest(final AdminAction action, final String payload)
    {
        final String text = null != payload ? payload : "";
        if (null == action || AdminAction.NULL_VAL == action)
        {
            throw new IllegalArgumentException("action must be SNAPSHOT, APPLY_RULES, RELOAD_CREDENTIALS or " +
                "SHUTDOWN: " + action);
        }
        if (text.length() > MAX_ADMIN_PAYLOAD_LENGTH || !StandardCharsets.US_ASCII.newEncoder().canEncode(text))
        {
            throw new IllegalArgumentException("admin payload of " + text.length() + " characters must be US-ASCII " +
                "of at most " + MAX_ADMIN_PAYLOAD_LENGTH + " characters");
        }
        if (!flush())
        {
            return batch.lastSendResult();
        }
        return sender.offerAdminRequest(action, text);
    }

    /**
     * @return this client's permissions as the daemon (or the clustered service) last reported them in
     * {@code Authenticated}: bits of {@code io.sluice.protocol.auth.Permission} ({@code SEND}, {@code QUERY},
     * {@code SUBSCRIBE}, {@code ADMIN}); {@link #PERMISSIONS_UNKNOWN} before any arrived, without a secret, and
     * for a cluster whose service sends none.
     */
    public int permissions()
    {
        return decoder.permissions();
    }

    /**
     * @return handshakes completed with a standalone daemon: 1 after {@link #awaitConnected(long)}, one more after each
     * re-authentication the client did by itself (a daemon restart, a lost connection); 0 without a secret. A
     * cluster client authenticates with each session it opens ({@link #clusterSessionsOpened()}).
     */
    public long authentications()
    {
        return null != daemonLink && null != daemonLink.handshake() ? daemonLink.handshake().authentications() : 0;
    }

    /**
     * Deliver received results to the handler: this client's EventResults, QueryResults, Rejected and Resumed, and
     * every WindowResult and Alert. Sends the pending batch first ({@link #flush()}).
     * <p>
     * A cluster client: runs first the resume owed after a leader change (see the class description), and keeps the
     * cluster session alive (connecting, following a new leader, a keep-alive after a second without sending), so
     * call it at least every second or so, and never let more than the cluster's session timeout (Aeron's default
     * 10 s) pass without it.
     *
     * @param handler        receives the results.
     * @param fragmentLimit  most messages to read (a cluster client reads in steps of up to 10, so up to 9 more).
     * @return messages read, including those addressed to other clients (a cluster client counts connection
     * changes too).
     * @throws IllegalStateException from an automatic resume whose resend buffer lost events (see
     *                               {@link #resume(SluiceResultHandler, long)}).
     */
    public int poll(final SluiceResultHandler handler, final int fragmentLimit)
    {
        decoder.handler(handler);
        flush();
        final int fragments = link.poll(fragmentLimit);
        sender.invokeDriver();
        return fragments;
    }

    /**
     * @return the publication to the daemon, for inspection (position, connection); null for a cluster client.
     */
    public ExclusivePublication publication()
    {
        return null != daemonLink ? daemonLink.publication() : null;
    }

    /**
     * @return the subscription to the daemon's egress (with a secret: to this client's own response channel, whose
     * {@code tryResolveChannelEndpointPort()} is what the Connect named); null for a cluster client.
     */
    public Subscription subscription()
    {
        return null != daemonLink ? daemonLink.subscription() : null;
    }

    /**
     * @return true when this client connects to an Aeron Cluster ({@link Context#clusterIngressEndpoints(String)}).
     */
    public boolean isClusterClient()
    {
        return null != clusterLink;
    }

    /**
     * @return new leaders the cluster reported to this client (0 for a daemon client). Each one owes a resume that
     * the next {@link #poll}, {@link #offerEvent}, {@link #flush()} or query runs.
     */
    public long leaderChanges()
    {
        return null != clusterLink ? clusterLink.leaderChanges() : 0;
    }

    /**
     * @return automatic resumes completed after a leader change or a new cluster session (0 for a daemon client).
     */
    public long autoResumes()
    {
        return resumeProtocol.autoResumes();
    }

    /**
     * @return the cluster leader's member id as this client last heard it; -1 for a daemon client and while no
     * cluster session is open.
     */
    public int leaderMemberId()
    {
        return null != clusterLink ? clusterLink.leaderMemberId() : -1;
    }

    /**
     * @return cluster sessions opened: 1 once connected, one more each time the cluster closed the session (it timed
     * out, or no new leader came in time) and the client opened another (then resuming as after a leader change);
     * 0 for a daemon client.
     */
    public long clusterSessionsOpened()
    {
        return null != clusterLink ? clusterLink.sessionsOpened() : 0;
    }

    /**
     * @return why the last attempt to open a cluster session failed (a timeout, no leader yet), null when none did
     * or for a daemon client. Attempts start over by themselves while the client polls.
     */
    public Exception lastClusterConnectFailure()
    {
        return null != clusterLink ? clusterLink.lastConnectFailure() : null;
    }

    /**
     * Make the handler receive what is read from now on, also by {@link #awaitConnected(long)} (a
     * {@link TopologyClient} gives each appliance's client its own).
     */
    void handler(final SluiceResultHandler handler)
    {
        decoder.handler(handler);
    }

    /**
     * @return the correlation id the next event or query offered takes on this link (unless a resume owed after a
     * cluster leader change runs first: {@link #resumeIfOwed()}).
     */
    long nextCorrelationId()
    {
        return sender.nextCorrelationId();
    }

    /** @return true when no resume is owed after a cluster leader change, or the owed one ran now and finished. */
    boolean resumeIfOwed()
    {
        return !resumeProtocol.owed() || resumeProtocol.resumeAfterLeaderChange();
    }

    /**
     * Send the pending batch, then one event again as an {@code Event} with the correlation id it had (a resend at
     * or below the daemon's mark, which the daemon answers {@code DUPLICATE} or {@code NOT_OWNER}); the resend
     * buffer does not take it again.
     *
     * @return the new position, or a negative {@link Publication} code.
     */
    long offerEventWithId(final long correlationId, final long key, final long timestamp, final double value)
    {
        if (!flush())
        {
            return batch.lastSendResult();
        }
        return sender.offerEvent(correlationId, key, timestamp, value);
    }

    /** @return the daemon's mark from the last {@code Resumed} a resume waited for ({@link Long#MIN_VALUE}: none). */
    long lastResumedMark()
    {
        return decoder.resumedMark();
    }

    /**
     * Send the pending batch if the publication takes it at once (a batch it refuses is lost: {@link #flush()} before
     * closing to be sure), then close the publication, subscription, client and any embedded driver (deleting its
     * directory).
     */
    public void close()
    {
        if (batch.pending() > 0 && !resumeProtocol.owed())
        {
            batch.send();
        }
        CloseHelper.quietClose(link);
        if (ownsMedia)
        {
            CloseHelper.quietClose(media);
        }
    }

    /**
     * How a client reaches the daemon (or a cluster). Defaults match the daemon's shipped configuration; every
     * setting, its default and the checks of {@link #conclude()} are declared in {@link SluiceClientContext}.
     */
    public static final class Context extends SluiceClientContext
    {
        /**
         * A context with every setting at its default.
         */
        public Context()
        {
        }
    }
}
