package io.sluice.server.egress;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.sluice.core.ResultMode;
import io.sluice.core.shard.ResultSink;
import io.sluice.core.state.Aggregate;
import io.sluice.transport.codec.EventResultBatchEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.server.counters.LatencyCounters;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;

/**
 * One processor's egress: encodes its results with SBE straight into its own {@link ExclusivePublication}
 * (claim, encode, commit: no copy). Processor thread only.
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
public final class EgressPublisher implements ResultSink
{
    /** Message header, empty block and the results group's header. */
    private static final int BATCH_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH +
        EventResultBatchEncoder.BLOCK_LENGTH + EventResultBatchEncoder.ResultsEncoder.sbeHeaderSize();
    /** Offset of the group's numInGroup, patched when the batch is sent. */
    private static final int BATCH_COUNT_OFFSET = MessageHeaderEncoder.ENCODED_LENGTH +
        EventResultBatchEncoder.BLOCK_LENGTH + 2;

    private final ExclusivePublication publication;
    private final IdleStrategy retryIdle;
    private final AgentInvoker driverInvoker;
    private final AtomicCounter backPressure;
    private final AtomicCounter notConnected;
    private final AtomicCounter dropped;
    private final BufferClaim claim = new BufferClaim();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final EgressCodec codec;
    private final EventResultBatchEncoder resultBatch = new EventResultBatchEncoder();
    private final UnsafeBuffer batchBuffer;
    private final int batchCapacity;
    private EventResultBatchEncoder.ResultsEncoder batchResults;
    private int batchCount;
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
        this.latency = latency;
        this.latencyCounters = latencyCounters;
        this.codec = new EgressCodec(ruleNames);
        this.publication = publication;
        this.retryIdle = retryIdle;
        this.driverInvoker = driverInvoker;
        this.backPressure = backPressure;
        this.notConnected = notConnected;
        this.dropped = dropped;
        final int frameBytes = publication.maxPayloadLength();
        this.batchCapacity = (frameBytes - BATCH_HEADER_LENGTH) / EventResultBatchEncoder.ResultsEncoder.sbeBlockLength();
        this.batchBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BATCH_HEADER_LENGTH + batchCapacity * EventResultBatchEncoder.ResultsEncoder.sbeBlockLength(), 64));
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
     * {@inheritDoc}
     */
    public void onEventResult(
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final Aggregate aggregate,
        final long receiveNanos,
        final int resultMode)
    {
        if (ResultMode.PER_EVENT == resultMode)
        {
            sendEventResult(clientId, correlationId, key, timestamp, aggregate, receiveNanos);
        }
        else if (ResultMode.BATCHED == resultMode)
        {
            addToBatch(clientId, correlationId, key, timestamp, aggregate, receiveNanos);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onBatchEnd()
    {
        if (batchCount > 0)
        {
            sendBatch();
        }
    }

    /**
     * @return results one {@code EventResultBatch} holds: what fits one frame of the publication.
     */
    public int batchCapacity()
    {
        return batchCapacity;
    }

    private void addToBatch(
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final Aggregate aggregate,
        final long receiveNanos)
    {
        if (muted)
        {
            return;
        }
        if (0 == batchCount)
        {
            batchResults = resultBatch.wrapAndApplyHeader(batchBuffer, 0, header).resultsCount(batchCapacity);
        }
        EgressCodec.batchedResult(batchResults.next(), clientId, correlationId, key, timestamp, aggregate);
        recordLatency(receiveNanos);
        if (++batchCount == batchCapacity)
        {
            sendBatch();
        }
    }

    private void recordLatency(final long receiveNanos)
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

    private void sendBatch()
    {
        final int count = batchCount;
        batchCount = 0;
        batchBuffer.putShort(BATCH_COUNT_OFFSET, (short)count, ByteOrder.LITTLE_ENDIAN);
        final int length = BATCH_HEADER_LENGTH + count * EventResultBatchEncoder.ResultsEncoder.sbeBlockLength();
        if (claim(length))
        {
            claim.buffer().putBytes(claim.offset(), batchBuffer, 0, length);
            claim.commit();
        }
    }

    private void sendEventResult(
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final Aggregate aggregate,
        final long receiveNanos)
    {
        if (claim(EgressCodec.EVENT_RESULT_LENGTH))
        {
            codec.eventResult(claim.buffer(), claim.offset(), clientId, correlationId, key, timestamp, aggregate);
            recordLatency(receiveNanos);
            claim.commit();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onQueryResult(
        final long clientId,
        final long correlationId,
        final long key,
        final boolean found,
        final Aggregate open,
        final Aggregate closed)
    {
        if (claim(EgressCodec.QUERY_RESULT_LENGTH))
        {
            codec.queryResult(claim.buffer(), claim.offset(), clientId, correlationId, key, found, open, closed);
            claim.commit();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onRejected(
        final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
    {
        if (claim(EgressCodec.REJECTED_LENGTH))
        {
            codec.rejected(claim.buffer(), claim.offset(), clientId, correlationId, key, reason, batchIndex);
            claim.commit();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onWindowResult(final long key, final long windowEnd, final Aggregate window)
    {
        if (claim(EgressCodec.WINDOW_RESULT_LENGTH))
        {
            codec.windowResult(claim.buffer(), claim.offset(), key, windowEnd, window);
            claim.commit();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onAlert(
        final int ruleIndex,
        final long key,
        final long windowStart,
        final int field,
        final int op,
        final double observed,
        final double threshold)
    {
        if (claim(codec.alertLength(ruleIndex)))
        {
            codec.alert(claim.buffer(), claim.offset(), ruleIndex, key, windowStart, field, op, observed, threshold);
            claim.commit();
        }
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

    /**
     * {@inheritDoc}
     */
    public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
    {
        if (claim(EgressCodec.RESUMED_LENGTH))
        {
            codec.resumed(claim.buffer(), claim.offset(), clientId, correlationId, lastCorrelationId);
            claim.commit();
        }
    }

    private boolean claim(final int length)
    {
        if (muted)
        {
            return false;
        }
        if (batchCount > 0)
        {
            sendBatch();
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
