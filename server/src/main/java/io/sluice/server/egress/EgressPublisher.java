package io.sluice.server.egress;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.sluice.core.ResultMode;
import io.sluice.server.counters.LatencyCounters;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One processor's egress: encodes its results ({@link EncodingResultSink}) with SBE straight into its own
 * {@link ExclusivePublication} (claim, encode, commit: no copy). Processor thread only.
 * <p>
 * A back-pressured publication is retried with the idle strategy until it takes the result, counting each retry:
 * results are never dropped silently. While waiting it invokes the embedded driver when the same thread owns its
 * duty cycle, so the driver can drain what blocks us. With no subscriber the result has nowhere to go: it is
 * counted as not connected and skipped. A closed publication (shutdown) counts the result as dropped.
 * <p>
 * Results of events whose client asked for {@link ResultMode#BATCHED} are encoded into one {@code EventResultBatch}
 * held here (at most one frame of the publication: its MTU less the frame header) and sent when the processor's
 * batch ends, when the frame is full, or before any other message, so every client still sees its results of a key
 * in order and after nothing that came later. {@link ResultMode#NONE} sends no per-event result.
 */
public final class EgressPublisher extends EncodingResultSink
{
    private final ExclusivePublication publication;
    private final IdleStrategy retryIdle;
    private final AgentInvoker driverInvoker;
    private final AtomicCounter backPressure;
    private final AtomicCounter notConnected;
    private final AtomicCounter dropped;
    private final BufferClaim claim = new BufferClaim();
    private boolean muted;
    private final SingleWriterRecorder latency;
    private final LatencyCounters latencyCounters;
    private volatile boolean running = true;

    /**
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
        super(ruleNames, ResultBatch.capacityFor(publication.maxPayloadLength()), false);
        this.latency = latency;
        this.latencyCounters = latencyCounters;
        this.publication = publication;
        this.retryIdle = retryIdle;
        this.driverInvoker = driverInvoker;
        this.backPressure = backPressure;
        this.notConnected = notConnected;
        this.dropped = dropped;
    }

    /**
     * @return the publication.
     */
    public ExclusivePublication publication()
    {
        return publication;
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
        return claim.buffer();
    }

    protected int claimedOffset()
    {
        return claim.offset();
    }

    protected void commit()
    {
        claim.commit();
    }

    /**
     * Claim the message's bytes in the publication, every client's or not (they all read it).
     */
    protected boolean claim(final boolean everyClient, final long clientId, final int length)
    {
        if (muted)
        {
            return false;
        }
        boolean retrying = false;
        while (true)
        {
            final long result = publication.tryClaim(length, claim);
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
