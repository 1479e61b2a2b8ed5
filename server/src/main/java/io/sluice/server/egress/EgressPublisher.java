package io.sluice.server.egress;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.core.ResultMode;
import io.sluice.server.auth.SessionDirectory;
import io.sluice.server.counters.LatencyCounters;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One processor's egress: encodes its results ({@link EncodingResultSink}) with SBE straight into a publication
 * (claim, encode, commit: no copy). Processor thread only.
 * <p>
 * <b>Authentication off</b> (no {@link SessionDirectory}): every message goes to this processor's own
 * {@link ExclusivePublication} on the shared egress channel, which every client may subscribe to.
 * <p>
 * <b>Authentication on</b>: there is no shared publication. A message for one client (an event's result, a query
 * answer, a reject, a resume) goes to the publication of that client's live session, looked up in the directory's
 * current view (taken once per message, no allocation); a client with no live session has nowhere to be answered:
 * the message is counted as not connected and skipped, never waited for. Results of {@link ResultMode#BATCHED}
 * events are batched per client: a batch holds one client's results, is sent before a result of another client is
 * added, and holds at most what one frame of that client's publication takes. A {@code WindowResult} or
 * {@code Alert} is encoded once into a buffer of this publisher's and copied into the publication of every session
 * with {@code subscribe} in the view taken for it, one after the other; with none it is counted as not connected.
 * <p>
 * A back-pressured publication is retried with the idle strategy until it takes the message, counting each retry:
 * results are never dropped silently. While waiting it invokes the embedded driver when the same thread owns its
 * duty cycle, so the driver can drain what blocks us. With no subscriber the message has nowhere to go: it is
 * counted as not connected and skipped. A closed publication (shutdown, or a session the ingress closed after this
 * processor took its view) or one whose frame cannot hold the message counts it as dropped. So a subscriber that
 * stops reading holds up this processor (and the subscribers after it in a fan-out) as a slow client of the shared
 * egress does today, and no longer than until its image is declared gone (Aeron's image liveness timeout: then
 * its publication is not connected) or the ingress closes its session, whichever is first; after
 * {@link #stopRetrying()} nothing waits.
 * <p>
 * Results of events whose client asked for {@link ResultMode#BATCHED} are encoded into one {@code EventResultBatch}
 * held here (at most one frame of the publication: its MTU less the frame header) and sent when the processor's
 * batch ends, when the frame is full, or before any other message, so every client still sees its results of a key
 * in order and after nothing that came later. {@link ResultMode#NONE} sends no per-event result.
 */
public final class EgressPublisher extends EncodingResultSink
{
    /** The largest frame payload a publication can have: Aeron's largest MTU less the data header. */
    private static final int MAX_PAYLOAD_LENGTH =
        io.aeron.driver.Configuration.MAX_UDP_PAYLOAD_LENGTH - DataHeaderFlyweight.HEADER_LENGTH;

    private final ExclusivePublication publication;
    private final SessionDirectory directory;
    private final UnsafeBuffer fanOutBuffer;
    private final IdleStrategy retryIdle;
    private final AgentInvoker driverInvoker;
    private final AtomicCounter backPressure;
    private final AtomicCounter notConnected;
    private final AtomicCounter dropped;
    private final BufferClaim claim = new BufferClaim();
    private boolean muted;
    private SessionDirectory.View fanOutView;
    private int fanOutLength;
    private final SingleWriterRecorder latency;
    private final LatencyCounters latencyCounters;
    private volatile boolean running = true;

    /**
     * Authentication off: every message on this processor's publication of the shared egress.
     *
     * @param publication   this processor's publication.
     * @param retryIdle     how to wait between retries of a back-pressured offer.
     * @param driverInvoker the embedded driver's invoker when this thread runs its duty cycle, else null.
     * @param backPressure  counts retries.
     * @param notConnected  counts results with no subscriber.
     * @param dropped       counts results lost to a closed publication.
     * @param latency       records ingress receive to egress offer of each EventResult for the latency file (this
     *                      processor's thread is its one writer; see {@link ShardLatency}), or null to not record.
     * @param latencyCounters counts the same latency into the CnC file's histogram counters for the metrics
     *                      exporter (this processor's thread is their one writer), or null to not count.
     * @param ruleNames     alert rule names by rule index, US-ASCII, encoded once here for the Alert message.
     */
    public EgressPublisher(
        final ExclusivePublication publication,
        final IdleStrategy retryIdle,
        final AgentInvoker driverInvoker,
        final AtomicCounter backPressure,
        final AtomicCounter notConnected,
        final AtomicCounter dropped,
        final SingleWriterRecorder latency,
        final LatencyCounters latencyCounters,
        final java.util.List<String> ruleNames)
    {
        this(publication, null, ResultBatch.capacityFor(publication.maxPayloadLength()), retryIdle, driverInvoker,
            backPressure, notConnected, dropped, latency, latencyCounters, ruleNames);
    }

    /**
     * Authentication on: each client's messages on its session's publication, window results and alerts to every
     * session with {@code subscribe}.
     *
     * @param directory     the live sessions (written by the ingress).
     * @param retryIdle     how to wait between retries of a back-pressured offer.
     * @param driverInvoker the embedded driver's invoker when this thread runs its duty cycle, else null.
     * @param backPressure  counts retries.
     * @param notConnected  counts messages with no session or subscriber to go to.
     * @param dropped       counts messages lost to a closed publication or one whose frame is too small.
     * @param latency       as with authentication off, or null.
     * @param latencyCounters as with authentication off, or null.
     * @param ruleNames     alert rule names by rule index.
     */
    public EgressPublisher(
        final SessionDirectory directory,
        final IdleStrategy retryIdle,
        final AgentInvoker driverInvoker,
        final AtomicCounter backPressure,
        final AtomicCounter notConnected,
        final AtomicCounter dropped,
        final SingleWriterRecorder latency,
        final LatencyCounters latencyCounters,
        final java.util.List<String> ruleNames)
    {
        this(null, java.util.Objects.requireNonNull(directory, "directory"), ResultBatch.capacityFor(MAX_PAYLOAD_LENGTH),
            retryIdle, driverInvoker, backPressure, notConnected, dropped, latency, latencyCounters, ruleNames);
    }

    private EgressPublisher(
        final ExclusivePublication publication,
        final SessionDirectory directory,
        final int batchCapacity,
        final IdleStrategy retryIdle,
        final AgentInvoker driverInvoker,
        final AtomicCounter backPressure,
        final AtomicCounter notConnected,
        final AtomicCounter dropped,
        final SingleWriterRecorder latency,
        final LatencyCounters latencyCounters,
        final java.util.List<String> ruleNames)
    {
        super(ruleNames, batchCapacity, null != directory);
        this.latency = latency;
        this.latencyCounters = latencyCounters;
        this.publication = publication;
        this.directory = directory;
        this.fanOutBuffer = null == directory ? null :
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(BitUtil.align(MAX_PAYLOAD_LENGTH, 64), 64));
        this.retryIdle = retryIdle;
        this.driverInvoker = driverInvoker;
        this.backPressure = backPressure;
        this.notConnected = notConnected;
        this.dropped = dropped;
    }

    /**
     * @return the shared egress publication, or null with authentication on.
     */
    public ExclusivePublication publication()
    {
        return publication;
    }

    /**
     * @return the live sessions results are routed by, or null with authentication off.
     */
    public SessionDirectory directory()
    {
        return directory;
    }

    /**
     * Stop retrying back-pressured offers: a shutdown must not wait for a subscriber that never reads. Any thread.
     */
    public void stopRetrying()
    {
        running = false;
    }

    /**
     * Mute or unmute: a muted publisher sends nothing (recovery replays the journal through the processors with
     * their answers muted: they were sent, or not, before the crash). Set before the processors start.
     *
     * @param muted true to send nothing.
     */
    public void mute(final boolean muted)
    {
        this.muted = muted;
    }

    protected boolean muted()
    {
        return muted;
    }

    protected void onResultEncoded(final long receiveNanos)
    {
        if (null != latency || null != latencyCounters)
        {
            final long latencyNs = System.nanoTime() - receiveNanos;
            if (null != latency)
            {
                ShardLatency.record(latency, latencyNs);
            }
            if (null != latencyCounters)
            {
                latencyCounters.record(latencyNs);
            }
        }
    }

    protected int batchLimit(final long clientId)
    {
        if (null != directory)
        {
            final Publication session = directory.view().publicationFor(clientId);
            if (null != session)
            {
                return Math.min(batchCapacity(), ResultBatch.capacityFor(session.maxPayloadLength()));
            }
        }
        return batchCapacity();
    }

    protected void sendBatch(final long clientId, final DirectBuffer buffer, final int length)
    {
        if (claim(false, clientId, length))
        {
            claim.buffer().putBytes(claim.offset(), buffer, 0, length);
            claim.commit();
        }
    }

    protected MutableDirectBuffer claimedBuffer()
    {
        return null != fanOutView ? fanOutBuffer : claim.buffer();
    }

    protected int claimedOffset()
    {
        return null != fanOutView ? 0 : claim.offset();
    }

    protected void commit()
    {
        final SessionDirectory.View view = fanOutView;
        if (null == view)
        {
            claim.commit();
            return;
        }
        fanOutView = null;
        final int length = fanOutLength;
        for (int i = 0, count = view.subscriberCount(); i < count; i++)
        {
            if (claimIn(view.subscriber(i), length))
            {
                claim.buffer().putBytes(claim.offset(), fanOutBuffer, 0, length);
                claim.commit();
            }
        }
    }

    /**
     * Claim the message's bytes: with authentication off in the shared publication, every client's or not (they
     * all read it); with it on, in the client's session publication, or, for every client's message, in this
     * publisher's buffer to be copied to each subscriber at {@link #commit()}.
     */
    protected boolean claim(final boolean everyClient, final long clientId, final int length)
    {
        if (muted)
        {
            return false;
        }
        if (null == directory)
        {
            return claimIn(publication, length);
        }
        final SessionDirectory.View view = directory.view();
        if (everyClient)
        {
            if (0 == view.subscriberCount())
            {
                notConnected.incrementRelease();
                return false;
            }
            if (length > MAX_PAYLOAD_LENGTH)
            {
                dropped.incrementRelease();
                return false;
            }
            fanOutView = view;
            fanOutLength = length;
            return true;
        }
        final Publication session = view.publicationFor(clientId);
        if (null == session)
        {
            notConnected.incrementRelease();
            return false;
        }
        return claimIn(session, length);
    }

    private boolean claimIn(final Publication target, final int length)
    {
        if (length > target.maxPayloadLength())
        {
            dropped.incrementRelease();
            return false;
        }
        boolean retrying = false;
        while (true)
        {
            final long result = target.tryClaim(length, claim);
            if (result > 0)
            {
                return true;
            }
            if (Publication.NOT_CONNECTED == result)
            {
                notConnected.incrementRelease();
                return false;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result || !running)
            {
                dropped.incrementRelease();
                return false;
            }
            backPressure.incrementRelease();
            if (!retrying)
            {
                retryIdle.reset();
                retrying = true;
            }
            if (null != driverInvoker)
            {
                driverInvoker.invoke();
            }
            retryIdle.idle();
        }
    }
}
