package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventBatchEncoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryEncoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResumeEncoder;
import io.sluice.transport.codec.ResultMode;
import io.sluice.transport.codec.ResumedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;
import io.sluice.driver.EmbeddedDriver;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * A Java application's connection to a Sluice daemon (or to a Sluice cluster, see below): offers Events and Queries on the ingress channel and polls
 * the results addressed to it (plus the window results and alerts every client gets) from the egress channel.
 * <p>
 * Connects through a running media driver's directory, or launches its own embedded driver and talks to the
 * daemon over UDP. Neither {@link #offerEvent} nor {@link #poll} allocates.
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
 */
public final class SluiceClient implements AutoCloseable
{
    private static final long EMBEDDED_LIVENESS_TIMEOUT_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    /** Message header, block and the events group's header of an EventBatch. */
    private static final int BATCH_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + EventBatchEncoder.BLOCK_LENGTH +
        EventBatchEncoder.EventsEncoder.sbeHeaderSize();
    /** Offset of the events group's numInGroup, patched when the batch is sent. */
    private static final int BATCH_COUNT_OFFSET = MessageHeaderEncoder.ENCODED_LENGTH + EventBatchEncoder.BLOCK_LENGTH + 2;
    private static final long RESUME_RETRY_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);
    private static final SluiceResultHandler DISCARD = new SluiceResultHandler()
    {
        public void onEventResult(final EventResultDecoder result)
        {
        }

        public void onRejected(final RejectedDecoder rejected)
        {
        }
    };

    private final Context ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final ClientLink link;
    private final DaemonLink daemonLink;
    private final ClusterLink clusterLink;
    private final int claimHeaderLength;
    private final long clientId;
    private final BufferClaim claim = new BufferClaim();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EventEncoder eventEncoder = new EventEncoder();
    private final EventBatchEncoder batchEncoder = new EventBatchEncoder();
    private final EventResultBatchDecoder resultBatch = new EventResultBatchDecoder();
    private final UnsafeBuffer batchBuffer;
    private final int batchLimit;
    private final ResultMode resultMode;
    private EventBatchEncoder.EventsEncoder batchEvents;
    private int pendingEvents;
    private long lastFlushResult;
    private final QueryEncoder queryEncoder = new QueryEncoder();
    private final ResumeEncoder resumeEncoder = new ResumeEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final EventResultDecoder eventResult = new EventResultDecoder();
    private final RejectedDecoder rejected = new RejectedDecoder();
    private final QueryResultDecoder queryResult = new QueryResultDecoder();
    private final WindowResultDecoder windowResult = new WindowResultDecoder();
    private final AlertDecoder alert = new AlertDecoder();
    private final ResumedDecoder resumed = new ResumedDecoder();
    private final FragmentHandler fragmentHandler = this::onFragment;
    private final ResendBuffer resendBuffer;
    private final IntHashSet probeAnswers = new IntHashSet();
    private boolean probing;
    private SluiceResultHandler handler;
    private long nextCorrelationId = 1;
    private long awaitedResumeId;
    private boolean resumeAnswered;
    private long resumedMark;
    private long probesSent;
    private boolean resuming;
    private long resumedEpoch;
    private long autoResumes;

    private SluiceClient(final Context ctx)
    {
        this.ctx = ctx;
        this.clientId = 0 != ctx.clientId ? ctx.clientId : randomClientId();
        this.resendBuffer = new ResendBuffer(ctx.resendBufferLength);
        MediaDriver launched = null;
        Aeron connected = null;
        try
        {
            String dir = ctx.aeronDirectoryName;
            if (ctx.embeddedDriver)
            {
                dir = SluiceConfig.sharedMemoryDir() + "/sluice-client-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
                launched = EmbeddedDriver.launch(new EmbeddedDriver.Context()
                    .dirKey("aeron.dir").dir(dir).threading(ctx.driverThreading).idleStrategy(ctx.driverIdleStrategy)
                    .errorHandler(Throwable::printStackTrace).livenessTimeoutNs(EMBEDDED_LIVENESS_TIMEOUT_NS)
                    .log(System.err));
            }
            final AgentInvoker driverInvoker = EmbeddedDriver.invokerOf(launched);
            connected = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(dir)
                .useConductorAgentInvoker(null != driverInvoker)
                .driverAgentInvoker(driverInvoker));
            this.driver = launched;
            this.aeron = connected;
            if (ctx.isClusterClient())
            {
                this.daemonLink = null;
                this.clusterLink = new ClusterLink(aeron, driverInvoker, ctx, fragmentHandler);
                this.link = clusterLink;
            }
            else
            {
                this.clusterLink = null;
                this.daemonLink = new DaemonLink(aeron, ctx, fragmentHandler);
                this.link = daemonLink;
            }
            this.claimHeaderLength = link.claimHeaderLength();
            this.resultMode = ctx.resultMode;
            this.batchLimit = Math.max(1, Math.min(ctx.maxBatchEvents,
                (link.maxFrameMessageLength() - BATCH_HEADER_LENGTH) / EventBatchEncoder.EventsEncoder.sbeBlockLength()));
            this.batchBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                BATCH_HEADER_LENGTH + batchLimit * EventBatchEncoder.EventsEncoder.sbeBlockLength(), 64));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(connected);
            CloseHelper.quietClose(launched);
            throw ex;
        }
    }

    /**
     * @param ctx how to reach the daemon; concluded here when it is not yet.
     * @return a client; call {@link #awaitConnected(long)} before offering.
     * @throws ConfigurationException naming the {@code sluice.*} key of a channel or stream id that is not valid.
     * @throws IllegalArgumentException when another setting of the context is not valid.
     */
    public static SluiceClient connect(final Context ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        return new SluiceClient(ctx);
    }

    private static long randomClientId()
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
     * @param timeoutNs longest wait.
     * @return true when connected in time.
     */
    public boolean awaitConnected(final long timeoutNs)
    {
        return awaitConnected(null != handler ? handler : DISCARD, System.nanoTime() + timeoutNs);
    }

    private boolean awaitConnected(final SluiceResultHandler handler, final long deadline)
    {
        final int images = null != clusterLink ? 1 : Math.max(1, ctx.egressImages);
        final boolean wasProbing = probing;
        this.handler = handler;
        probeAnswers.clear();
        probing = true;
        try
        {
            long probeKey = 0;
            while (System.nanoTime() - deadline < 0)
            {
                if (link.isConnected(images))
                {
                    if (probeAnswers.size() >= images)
                    {
                        return true;
                    }
                    offerProbe(probeKey++);
                    pollWithin(handler, 16);
                }
                else
                {
                    link.connect(16);
                }
                invokeDriver();
                sleepBriefly();
            }
            return false;
        }
        finally
        {
            probing = wasProbing;
        }
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
     * @return probe queries {@link #awaitConnected(long)} sent; the daemon counts them as accepted input.
     */
    public long probesSent()
    {
        return probesSent;
    }

    private void offerProbe(final long key)
    {
        if (link.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + QueryEncoder.BLOCK_LENGTH, claim) > 0)
        {
            probesSent++;
            queryEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset() + claimHeaderLength, headerEncoder)
                .clientId(clientId)
                .correlationId(-1 - key)
                .key(key);
            claim.commit();
        }
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
        if (resumedEpoch != link.epoch() && !resumeAfterLeaderChange())
        {
            return Publication.NOT_CONNECTED;
        }
        final long correlationId = nextCorrelationId;
        if (1 == batchLimit)
        {
            final long result = offerEvent(correlationId, key, timestamp, value);
            if (result < 0)
            {
                return result;
            }
        }
        else
        {
            if (pendingEvents == batchLimit && !flush())
            {
                return lastFlushResult;
            }
            if (0 == pendingEvents)
            {
                batchEvents = batchEncoder.wrapAndApplyHeader(batchBuffer, 0, headerEncoder)
                    .clientId(clientId)
                    .resultMode(resultMode)
                    .eventsCount(batchLimit);
            }
            batchEvents.next()
                .correlationId(correlationId)
                .key(key)
                .timestamp(timestamp)
                .value(value);
            pendingEvents++;
        }
        nextCorrelationId++;
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
        if (resumedEpoch != link.epoch() && !resumeAfterLeaderChange())
        {
            lastFlushResult = Publication.NOT_CONNECTED;
            return false;
        }
        return sendPending();
    }

    private boolean sendPending()
    {
        final int count = pendingEvents;
        if (0 == count)
        {
            return true;
        }
        final long result;
        if (1 == count && ResultMode.PER_EVENT == resultMode)
        {
            final int entry = BATCH_HEADER_LENGTH;
            result = offerEvent(batchBuffer.getLong(entry), batchBuffer.getLong(entry + 8),
                batchBuffer.getLong(entry + 16), batchBuffer.getDouble(entry + 24));
        }
        else
        {
            batchBuffer.putShort(BATCH_COUNT_OFFSET, (short)count, ByteOrder.LITTLE_ENDIAN);
            result = link.offer(
                batchBuffer, 0, BATCH_HEADER_LENGTH + count * EventBatchEncoder.EventsEncoder.sbeBlockLength());
            invokeDriver();
        }
        lastFlushResult = result;
        if (result < 0)
        {
            return false;
        }
        pendingEvents = 0;
        return true;
    }

    /**
     * @return events offered but not yet sent.
     */
    public int pendingEvents()
    {
        return pendingEvents;
    }

    /**
     * @return what the last {@link #flush()} got from the publication: its new position, or a negative
     * {@link Publication} code.
     */
    public long lastFlushResult()
    {
        return lastFlushResult;
    }

    /**
     * @return most events one batch holds: {@link Context#maxBatchEvents(int)}, or what fits one frame when less.
     */
    public int batchLimit()
    {
        return batchLimit;
    }

    private long offerEvent(final long correlationId, final long key, final long timestamp, final double value)
    {
        final long result = link.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH, claim);
        if (result < 0)
        {
            invokeDriver();
            return result;
        }
        eventEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset() + claimHeaderLength, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key)
            .timestamp(timestamp)
            .value(value);
        claim.commit();
        invokeDriver();
        return result;
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
     */
    public long resume(final SluiceResultHandler handler, final long timeoutNs)
    {
        if (resuming)
        {
            throw new IllegalStateException("a resume is already running on this client (called from its handler?)");
        }
        resuming = true;
        try
        {
            return runResume(handler, System.nanoTime() + timeoutNs);
        }
        finally
        {
            resuming = false;
        }
    }

    private long runResume(final SluiceResultHandler handler, final long deadline)
    {
        this.handler = handler;
        pendingEvents = 0;
        while (true)
        {
            final long epoch = link.epoch();
            if (!awaitConnected(handler, deadline))
            {
                return -1;
            }
            if (epoch != link.epoch())
            {
                continue;
            }
            final long requestId = nextCorrelationId++;
            awaitedResumeId = requestId;
            resumeAnswered = false;
            long nextRequestNs = System.nanoTime();
            while (!resumeAnswered && epoch == link.epoch())
            {
                final long nowNs = System.nanoTime();
                if (nowNs - deadline >= 0)
                {
                    return -1;
                }
                if (nowNs - nextRequestNs >= 0 && link.isConnected(1) && offerResume(requestId))
                {
                    nextRequestNs = nowNs + RESUME_RETRY_NS;
                }
                if (0 == pollWithin(handler, 16))
                {
                    sleepBriefly();
                }
            }
            if (epoch != link.epoch())
            {
                continue;
            }

            final long mark = resumedMark;
            if (mark >= nextCorrelationId)
            {
                nextCorrelationId = mark + 1;
            }
            if (!resendBuffer.holdsAllAbove(mark))
            {
                resumedEpoch = epoch;
                throw new IllegalStateException("resend buffer lost correlation ids " +
                    resendBuffer.firstLostAbove(mark) + ".." + resendBuffer.evictedUpTo() +
                    " (sluice.client resendBufferLength=" + resendBuffer.capacity() + ")");
            }
            final int first = resendBuffer.firstAbove(mark);
            final int size = resendBuffer.size();
            for (int i = first; i < size && epoch == link.epoch(); i++)
            {
                while (offerEvent(
                    resendBuffer.correlationId(i), resendBuffer.key(i), resendBuffer.timestamp(i), resendBuffer.value(i)) < 0)
                {
                    if (System.nanoTime() - deadline >= 0)
                    {
                        return -1;
                    }
                    if (0 == pollWithin(handler, 16))
                    {
                        sleepBriefly();
                    }
                    if (epoch != link.epoch())
                    {
                        break;
                    }
                }
            }
            if (epoch != link.epoch())
            {
                continue;
            }
            resumedEpoch = epoch;
            return size - first;
        }
    }

    /**
     * Run the resume owed since a new cluster leader (or a new cluster session) was reported, unless one is running.
     *
     * @return true when the resume is done and nothing newer is owed, so sending may go on.
     */
    private boolean resumeAfterLeaderChange()
    {
        if (resuming)
        {
            return false;
        }
        if (resume(null != handler ? handler : DISCARD, ctx.resumeTimeoutNs) >= 0)
        {
            autoResumes++;
        }
        return resumedEpoch == link.epoch();
    }

    /**
     * Poll from inside {@link #awaitConnected} and {@link #resume}: sends the pending batch only when no resume is
     * owed (it would overtake the resends) and never starts a resume.
     */
    private int pollWithin(final SluiceResultHandler handler, final int fragmentLimit)
    {
        this.handler = handler;
        if (!resuming && resumedEpoch == link.epoch())
        {
            sendPending();
        }
        final int fragments = link.poll(fragmentLimit);
        invokeDriver();
        return fragments;
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
        return resume(null != handler ? handler : DISCARD, timeoutNs);
    }

    /**
     * @return events held for {@link #resume}: the last ones offered, at most {@link Context#resendBufferLength(int)}
     * (a resume resends only those above the daemon's mark, and keeps them all).
     */
    public int resendBufferSize()
    {
        return resendBuffer.size();
    }

    private boolean offerResume(final long correlationId)
    {
        if (link.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + ResumeEncoder.BLOCK_LENGTH, claim) > 0)
        {
            resumeEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset() + claimHeaderLength, headerEncoder)
                .clientId(clientId)
                .correlationId(correlationId);
            claim.commit();
            invokeDriver();
            return true;
        }
        invokeDriver();
        return false;
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
            return lastFlushResult;
        }
        final long result = link.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + QueryEncoder.BLOCK_LENGTH, claim);
        if (result < 0)
        {
            invokeDriver();
            return result;
        }
        final long correlationId = nextCorrelationId++;
        queryEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset() + claimHeaderLength, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key);
        claim.commit();
        invokeDriver();
        return correlationId;
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
        this.handler = handler;
        flush();
        final int fragments = link.poll(fragmentLimit);
        invokeDriver();
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
     * @return the subscription to the daemon's egress; null for a cluster client.
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
        return autoResumes;
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

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return;
        }
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case EventResultDecoder.TEMPLATE_ID:
                eventResult.wrap(buffer, bodyOffset, blockLength, version);
                if (eventResult.clientId() == clientId)
                {
                    handler.onEventResult(eventResult);
                }
                break;

            case EventResultBatchDecoder.TEMPLATE_ID:
                resultBatch.wrap(buffer, bodyOffset, blockLength, version);
                for (final EventResultBatchDecoder.ResultsDecoder result : resultBatch.results())
                {
                    if (result.clientId() == clientId)
                    {
                        handler.onBatchedEventResult(result);
                    }
                }
                break;

            case RejectedDecoder.TEMPLATE_ID:
                rejected.wrap(buffer, bodyOffset, blockLength, version);
                if (rejected.clientId() == clientId)
                {
                    handler.onRejected(rejected);
                }
                break;

            case QueryResultDecoder.TEMPLATE_ID:
                queryResult.wrap(buffer, bodyOffset, blockLength, version);
                if (queryResult.clientId() == clientId)
                {
                    if (!isProbe(queryResult.correlationId()))
                    {
                        handler.onQueryResult(queryResult);
                    }
                    else if (probing)
                    {
                        probeAnswers.add(header.sessionId());
                    }
                }
                break;

            case WindowResultDecoder.TEMPLATE_ID:
                windowResult.wrap(buffer, bodyOffset, blockLength, version);
                handler.onWindowResult(windowResult);
                break;

            case AlertDecoder.TEMPLATE_ID:
                alert.wrap(buffer, bodyOffset, blockLength, version);
                handler.onAlert(alert);
                break;

            case ResumedDecoder.TEMPLATE_ID:
                resumed.wrap(buffer, bodyOffset, blockLength, version);
                if (resumed.clientId() == clientId)
                {
                    final long lastCorrelationId = resumed.lastCorrelationId();
                    if (!resumeAnswered && resumed.correlationId() == awaitedResumeId)
                    {
                        resumedMark = lastCorrelationId;
                        resumeAnswered = true;
                    }
                    handler.onResumed(clientId, resumed.correlationId(), lastCorrelationId);
                }
                break;

            default:
                break;
        }
    }

    private void invokeDriver()
    {
        if (null != driver && null != driver.sharedAgentInvoker())
        {
            driver.sharedAgentInvoker().invoke();
            aeron.conductorAgentInvoker().invoke();
        }
    }

    private void sleepBriefly()
    {
        try
        {
            Thread.sleep(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Send the pending batch if the publication takes it at once (a batch it refuses is lost: {@link #flush()} before
     * closing to be sure), then close the publication, subscription, client and any embedded driver (deleting its
     * directory).
     */
    public void close()
    {
        if (pendingEvents > 0 && resumedEpoch == link.epoch())
        {
            sendPending();
        }
        CloseHelper.quietClose(link);
        CloseHelper.quietClose(aeron);
        if (null != driver)
        {
            final String dir = driver.aeronDirectoryName();
            CloseHelper.quietClose(driver);
            IoUtil.delete(new File(dir), true);
        }
    }

    /**
     * How a client reaches the daemon. Defaults match the daemon's shipped configuration.
     */
    public static final class Context
    {
        private String aeronDirectoryName = io.aeron.CommonContext.getAeronDirectoryName();
        private boolean embeddedDriver;
        private DriverThreading driverThreading = DriverThreading.SHARED;
        private IdleStrategyType driverIdleStrategy = IdleStrategyType.BACKOFF;
        private String ingressChannel = Settings.INGRESS_CHANNEL.defaultValue();
        private int ingressStreamId = Settings.INGRESS_STREAM_ID.defaultValue();
        private String egressChannel = "aeron:udp?endpoint=localhost:0|control=localhost:20121|control-mode=dynamic";
        private int egressStreamId = Settings.EGRESS_STREAM_ID.defaultValue();
        private long clientId;
        private int egressImages;
        private int resendBufferLength = DEFAULT_RESEND_BUFFER_LENGTH;
        private ResultMode resultMode = ResultMode.PER_EVENT;
        private int maxBatchEvents = Settings.BATCH_MAX_EVENTS.defaultValue();
        private String clusterIngressEndpoints;
        private String clusterIngressChannel = DEFAULT_CLUSTER_INGRESS_CHANNEL;
        private String clusterEgressChannel = DEFAULT_CLUSTER_EGRESS_CHANNEL;
        private long resumeTimeoutNs = DEFAULT_RESUME_TIMEOUT_NS;
        private boolean concluded;

        /** Events a client keeps for {@link SluiceClient#resume} unless told otherwise. */
        public static final int DEFAULT_RESEND_BUFFER_LENGTH = 65536;

        /** Channel of the cluster ingress unless told otherwise; each member's endpoint is added to it. */
        public static final String DEFAULT_CLUSTER_INGRESS_CHANNEL = "aeron:udp";

        /** Channel on which a cluster client receives the cluster's egress unless told otherwise. */
        public static final String DEFAULT_CLUSTER_EGRESS_CHANNEL = "aeron:udp?endpoint=localhost:0";

        /** Longest automatic resume after a cluster leader change unless told otherwise: 10 s. */
        public static final long DEFAULT_RESUME_TIMEOUT_NS = 10_000_000_000L;

        /**
         * Turn an Aeron Cluster members string, {@code id,ingress,consensus,log,catchup,archive|...} (as the cluster
         * nodes are configured with; 6 to 8 endpoints a member), into the ingress endpoints a client connects to,
         * {@code id=ingress,...}, in the same order.
         *
         * @param clusterMembers the members string.
         * @return the ingress endpoints, for {@link #clusterIngressEndpoints(String)}.
         * @throws IllegalArgumentException naming the member that is not {@code id,ingress,consensus,log,catchup,
         *                                  archive} with an integer id and a non-empty ingress endpoint.
         */
        public static String ingressEndpointsOf(final String clusterMembers)
        {
            if (null == clusterMembers || clusterMembers.isBlank())
            {
                throw new IllegalArgumentException("cluster members must be set: " + clusterMembers);
            }
            final StringBuilder endpoints = new StringBuilder();
            for (final String member : clusterMembers.split("\\|", -1))
            {
                final String[] fields = member.split(",", -1);
                if (fields.length < 6 || fields.length > 8 || !isMemberId(fields[0].trim()) || fields[1].isBlank())
                {
                    throw new IllegalArgumentException("cluster member '" + member + "' must be " +
                        "id,ingress,consensus,log,catchup,archive (in " + clusterMembers + ")");
                }
                if (endpoints.length() > 0)
                {
                    endpoints.append(',');
                }
                endpoints.append(fields[0].trim()).append('=').append(fields[1].trim());
            }
            return endpoints.toString();
        }

        private static boolean isMemberId(final String id)
        {
            if (id.isEmpty() || id.length() > 9)
            {
                return false;
            }
            for (int i = 0; i < id.length(); i++)
            {
                if (!Character.isDigit(id.charAt(i)))
                {
                    return false;
                }
            }
            return true;
        }

        private static void checkIngressEndpoints(final String endpoints)
        {
            for (final String endpoint : endpoints.split(",", -1))
            {
                final int equals = endpoint.indexOf('=');
                if (equals < 0 || !isMemberId(endpoint.substring(0, equals)) || equals == endpoint.length() - 1)
                {
                    throw new IllegalArgumentException("clusterIngressEndpoints=" + endpoints +
                        " must be id=host:port,... (e.g. 0=localhost:9002,1=localhost:9102), not '" + endpoint + "'");
                }
            }
        }

        /**
         * Check every setting, naming the daemon's {@code sluice.*} key where one exists: channels are Aeron URIs
         * ({@code aeron:udp} or {@code aeron:ipc}), stream ids in the declared range ({@code > 0}), at least 0
         * egress images, a driver directory unless the driver is embedded, a driver threading and idle strategy.
         * {@link SluiceClient#connect(Context)} calls it when the caller has not. Runs once.
         *
         * @return this.
         * @throws ConfigurationException   naming the key of a channel or stream id that is not valid, e.g.
         *                                  {@code sluice.ingress.stream-id=0 must be in [1, 2147483647]}.
         * @throws IllegalArgumentException when another setting is not valid.
         * @throws IllegalStateException    when called a second time.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("SluiceClient.Context is already concluded");
            }
            Settings.INGRESS_CHANNEL.check(ingressChannel);
            Settings.INGRESS_STREAM_ID.check(ingressStreamId);
            Settings.EGRESS_CHANNEL.check(egressChannel);
            Settings.EGRESS_STREAM_ID.check(egressStreamId);
            if (egressImages < 0)
            {
                throw new IllegalArgumentException("egressImages must be >= 0: " + egressImages);
            }
            Settings.BATCH_MAX_EVENTS.check(maxBatchEvents);
            if (null == resultMode || ResultMode.NULL_VAL == resultMode)
            {
                throw new IllegalArgumentException("resultMode must be PER_EVENT, BATCHED or NONE: " + resultMode);
            }
            if (resendBufferLength < 0)
            {
                throw new IllegalArgumentException("resendBufferLength must be >= 0: " + resendBufferLength);
            }
            if (!embeddedDriver && null == aeronDirectoryName)
            {
                throw new IllegalArgumentException("aeronDirectoryName must be set when the driver is not embedded");
            }
            if (null == driverThreading || null == driverIdleStrategy)
            {
                throw new IllegalArgumentException("driverThreading and driverIdleStrategy must be set");
            }
            if (null != clusterIngressEndpoints)
            {
                checkIngressEndpoints(clusterIngressEndpoints);
                if (null == clusterIngressChannel || !clusterIngressChannel.startsWith("aeron:udp"))
                {
                    throw new IllegalArgumentException(
                        "clusterIngressChannel=" + clusterIngressChannel + " must be an aeron:udp channel");
                }
                if (null == clusterEgressChannel ||
                    !(clusterEgressChannel.startsWith("aeron:udp") || clusterEgressChannel.startsWith("aeron:ipc")))
                {
                    throw new IllegalArgumentException(
                        "clusterEgressChannel=" + clusterEgressChannel + " must be an aeron:udp or aeron:ipc channel");
                }
            }
            if (resumeTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("resumeTimeoutNs=" + resumeTimeoutNs + " must be > 0");
            }
            concluded = true;
            return this;
        }

        /**
         * @return true once {@link #conclude()} succeeded.
         */
        public boolean isConcluded()
        {
            return concluded;
        }

        /**
         * @return true when {@link #clusterIngressEndpoints(String)} is set: the client connects to a cluster.
         */
        public boolean isClusterClient()
        {
            return null != clusterIngressEndpoints;
        }

        /**
         * @return the cluster members' ingress endpoints, {@code id=host:port,...}; null for a daemon client.
         */
        public String clusterIngressEndpoints()
        {
            return clusterIngressEndpoints;
        }

        /**
         * @param endpoints the cluster members' ingress endpoints in Aeron's form {@code 0=host:port,1=host:port,
         *                  2=host:port} ({@link #ingressEndpointsOf(String)} makes it from the members string). When
         *                  set, the client opens a session with an Aeron Cluster running Sluice's clustered service
         *                  instead of using the daemon's ingress and egress channels; null (default) for a daemon.
         * @return this.
         */
        public Context clusterIngressEndpoints(final String endpoints)
        {
            this.clusterIngressEndpoints = endpoints;
            return this;
        }

        /**
         * @return the channel of the cluster ingress.
         */
        public String clusterIngressChannel()
        {
            return clusterIngressChannel;
        }

        /**
         * @param channel the channel of the cluster ingress, an {@code aeron:udp} channel to which each member's
         *                endpoint is added (e.g. {@code aeron:udp?term-length=1m|mtu=8k}); default
         *                {@value #DEFAULT_CLUSTER_INGRESS_CHANNEL}. Its {@code mtu} bounds a batch's events as for a
         *                daemon.
         * @return this.
         */
        public Context clusterIngressChannel(final String channel)
        {
            this.clusterIngressChannel = channel;
            return this;
        }

        /**
         * @return the channel on which the cluster's egress reaches this client.
         */
        public String clusterEgressChannel()
        {
            return clusterEgressChannel;
        }

        /**
         * @param channel the channel on which the cluster's egress reaches this client: {@code aeron:udp?endpoint=
         *                <this host's address the cluster can reach>:0} (port 0: any free port); default
         *                {@value #DEFAULT_CLUSTER_EGRESS_CHANNEL}, which only a cluster on this host reaches.
         * @return this.
         */
        public Context clusterEgressChannel(final String channel)
        {
            this.clusterEgressChannel = channel;
            return this;
        }

        /**
         * @return longest automatic resume after a cluster leader change, ns.
         */
        public long resumeTimeoutNs()
        {
            return resumeTimeoutNs;
        }

        /**
         * @param timeoutNs longest wait, in ns, of the automatic resume that the first {@link SluiceClient#poll},
         *                  {@link SluiceClient#offerEvent}, {@link SluiceClient#flush()} or query after a cluster
         *                  leader change runs (connection, answer and resends together); &gt; 0, default
         *                  {@value #DEFAULT_RESUME_TIMEOUT_NS} (10 s).
         * @return this.
         */
        public Context resumeTimeoutNs(final long timeoutNs)
        {
            this.resumeTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * @return directory of the running media driver to connect through.
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * @return whether the client launches its own media driver.
         */
        public boolean embeddedDriver()
        {
            return embeddedDriver;
        }

        /**
         * @return threading of the embedded driver.
         */
        public DriverThreading driverThreading()
        {
            return driverThreading;
        }

        /**
         * @return idle strategy of the embedded driver's threads.
         */
        public IdleStrategyType driverIdleStrategy()
        {
            return driverIdleStrategy;
        }

        /**
         * @return the daemon's ingress channel.
         */
        public String ingressChannel()
        {
            return ingressChannel;
        }

        /**
         * @return the daemon's ingress stream id.
         */
        public int ingressStreamId()
        {
            return ingressStreamId;
        }

        /**
         * @return the subscription channel for the daemon's egress.
         */
        public String egressChannel()
        {
            return egressChannel;
        }

        /**
         * @return the daemon's egress stream id.
         */
        public int egressStreamId()
        {
            return egressStreamId;
        }

        /**
         * @return this client's id; 0 for a random one drawn at connect.
         */
        public long clientId()
        {
            return clientId;
        }

        /**
         * @return egress images to wait for in {@link SluiceClient#awaitConnected(long)}.
         */
        public int egressImages()
        {
            return egressImages;
        }

        /**
         * @return events kept for {@link SluiceClient#resume}; 0 keeps none.
         */
        public int resendBufferLength()
        {
            return resendBufferLength;
        }

        /**
         * @return the per-event results this client's events get.
         */
        public ResultMode resultMode()
        {
            return resultMode;
        }

        /**
         * @param resultMode the per-event results this client's events get: {@link ResultMode#PER_EVENT} (default, an
         *                   {@code EventResult} each), {@link ResultMode#BATCHED} ({@code EventResultBatch}, to
         *                   {@link SluiceResultHandler#onBatchedEventResult}) or {@link ResultMode#NONE} (only window
         *                   results, alerts, query results and rejections). Sent on every batch.
         * @return this.
         */
        public Context resultMode(final ResultMode resultMode)
        {
            this.resultMode = resultMode;
            return this;
        }

        /**
         * @return most events in one batch.
         */
        public int maxBatchEvents()
        {
            return maxBatchEvents;
        }

        /**
         * @param events most events in one batch ({@code sluice.batch.max-events}: the daemon's, default 1024, or
         *               fewer); a batch also never exceeds one frame of the ingress publication (42 events at the
         *               default MTU of 1408; raise the channel's {@code mtu} for larger batches). 1: no batching, every
         *               event leaves at once as an {@code Event}.
         * @return this.
         */
        public Context maxBatchEvents(final int events)
        {
            this.maxBatchEvents = events;
            return this;
        }

        /**
         * @param events most recently offered events kept for {@link SluiceClient#resume}, at least 0 (0 keeps none:
         *               a resume then fails if the daemon lacks any event offered); default
         *               {@value #DEFAULT_RESEND_BUFFER_LENGTH}. Each costs 32 bytes, allocated at connect. Keep at
         *               least the events that can be in flight plus those a daemon in {@code async} journal mode
         *               may lose at a crash.
         * @return this.
         */
        public Context resendBufferLength(final int events)
        {
            this.resendBufferLength = events;
            return this;
        }

        /**
         * @param dir directory of a running media driver to connect through (ignored with an embedded driver).
         * @return this.
         */
        public Context aeronDirectoryName(final String dir)
        {
            this.aeronDirectoryName = dir;
            return this;
        }

        /**
         * @param embedded launch a media driver inside this client (in a fresh directory, deleted on close).
         * @return this.
         */
        public Context embeddedDriver(final boolean embedded)
        {
            this.embeddedDriver = embedded;
            return this;
        }

        /**
         * @param threading threading of the embedded driver; INVOKER runs it on the offering/polling thread.
         * @return this.
         */
        public Context driverThreading(final DriverThreading threading)
        {
            this.driverThreading = threading;
            return this;
        }

        /**
         * @param idle idle strategy of the embedded driver's threads.
         * @return this.
         */
        public Context driverIdleStrategy(final IdleStrategyType idle)
        {
            this.driverIdleStrategy = idle;
            return this;
        }

        /**
         * @param channel the daemon's ingress channel ({@code sluice.ingress.channel}).
         * @param streamId the daemon's ingress stream id.
         * @return this.
         */
        public Context ingress(final String channel, final int streamId)
        {
            this.ingressChannel = channel;
            this.ingressStreamId = streamId;
            return this;
        }

        /**
         * @param channel subscription channel for the daemon's egress: for the default multi-destination egress
         *                {@code aeron:udp?endpoint=<this host>:0|control=<daemon control address>|control-mode=dynamic},
         *                for IPC the daemon's channel itself.
         * @param streamId the daemon's egress stream id.
         * @return this.
         */
        public Context egress(final String channel, final int streamId)
        {
            this.egressChannel = channel;
            this.egressStreamId = streamId;
            return this;
        }

        /**
         * @param clientId this client's id, non-zero; default a random positive id. Set a fixed id to
         *                 {@link SluiceClient#resume} across restarts of the client process: the daemon keeps each
         *                 client id's highest accepted event correlation id, and a random id starts afresh.
         * @return this.
         */
        public Context clientId(final long clientId)
        {
            this.clientId = clientId;
            return this;
        }

        /**
         * @param images egress images to wait for in {@link #awaitConnected(long)}: the daemon's processor count,
         *               so results from every shard are received from the first event. Default 1.
         * @return this.
         */
        public Context egressImages(final int images)
        {
            this.egressImages = images;
            return this;
        }
    }
}
