package io.sluice.server.egress;

import io.sluice.core.RejectReason;
import io.sluice.core.ResultMode;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.state.Aggregate;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.List;

/**
 * The one way a processor's results become egress messages: every message encoded by {@link EgressCodec}, results of
 * {@link ResultMode#PER_EVENT} events one message each, results of {@link ResultMode#BATCHED} events gathered into
 * one {@link ResultBatch} and sent when the processor's batch ends, when it is full, or before any other message (so
 * a client sees its results of a key in order and after nothing that came later), {@link ResultMode#NONE} nothing.
 * Where the bytes go is the subclass's: the standalone egress claims them in its publication
 * ({@link EgressPublisher}), the cluster's offers them to client sessions ({@code ClusterEgress}).
 * <p>
 * Processor thread only; allocates nothing per result.
 */
public abstract class EncodingResultSink implements ResultSink
{
    private final EgressCodec codec;
    private final ResultBatch batch;
    private final boolean batchPerClient;
    private int batchLimit;

    /**
     * @param ruleNames      alert rule names by rule index, encoded once for the {@code Alert} message.
     * @param batchCapacity  most results in one {@code EventResultBatch}.
     * @param batchPerClient true to send a batch before a result of another client is added (each batch goes to
     *                       one client).
     */
    protected EncodingResultSink(final List<String> ruleNames, final int batchCapacity, final boolean batchPerClient)
    {
        this.codec = new EgressCodec(ruleNames);
        this.batch = new ResultBatch(batchCapacity);
        this.batchPerClient = batchPerClient;
    }

    /**
     * Make room for the next message.
     *
     * @param everyClient true for a message every client gets ({@code WindowResult}, {@code Alert}; with
     *                    authentication on, every session with {@code subscribe}).
     * @param clientId    the client it is for, when not every client's.
     * @param length      its bytes.
     * @return true when it is to be encoded into {@link #claimedBuffer()} at {@link #claimedOffset()} and then
     * {@link #commit()}ted; false when it is not sent (counted by the subclass).
     */
    protected abstract boolean claim(boolean everyClient, long clientId, int length);

    /**
     * @return where the claimed message is encoded.
     */
    protected abstract MutableDirectBuffer claimedBuffer();

    /**
     * @return where in {@link #claimedBuffer()} it starts.
     */
    protected abstract int claimedOffset();

    /**
     * Send the claimed message.
     */
    protected abstract void commit();

    /**
     * Send a sealed {@code EventResultBatch}.
     *
     * @param clientId the client of its first result.
     * @param buffer   holds it from offset 0.
     * @param length   its bytes.
     */
    protected abstract void sendBatch(long clientId, DirectBuffer buffer, int length);

    /**
     * An event's result was encoded (before it is sent); records latency where the subclass does.
     *
     * @param receiveNanos when the event was received.
     */
    protected void onResultEncoded(final long receiveNanos)
    {
    }

    /**
     * Most results of a batch that starts with this client's result: where a client's messages go decides how many
     * fit one frame. Called when a batch starts.
     *
     * @param clientId the client of the batch's first result.
     * @return at most {@link #batchCapacity()}; this class's: {@link #batchCapacity()}.
     */
    protected int batchLimit(final long clientId)
    {
        return batch.capacity();
    }

    /**
     * @return true to send nothing at all, batched results included.
     */
    protected boolean muted()
    {
        return false;
    }

    /**
     * @return results one {@code EventResultBatch} holds.
     */
    public int batchCapacity()
    {
        return batch.capacity();
    }

    /**
     * Send the gathered batch, if any.
     */
    protected final void sendPending()
    {
        if (!batch.isEmpty())
        {
            final long clientId = batch.clientId();
            final int length = batch.seal();
            sendBatch(clientId, batch.buffer(), length);
        }
    }

    private boolean claimAfterBatch(final boolean everyClient, final long clientId, final int length)
    {
        sendPending();
        return claim(everyClient, clientId, length);
    }

    /**
     * {@inheritDoc}
     */
    public final void onEventResult(
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
            if (claimAfterBatch(false, clientId, EgressCodec.EVENT_RESULT_LENGTH))
            {
                codec.eventResult(claimedBuffer(), claimedOffset(), clientId, correlationId, key, timestamp, aggregate);
                onResultEncoded(receiveNanos);
                commit();
            }
        }
        else if (ResultMode.BATCHED == resultMode && !muted())
        {
            if (batchPerClient && !batch.isEmpty() && batch.clientId() != clientId)
            {
                sendPending();
            }
            if (batch.isEmpty())
            {
                batchLimit = batchLimit(clientId);
            }
            final boolean full = batch.add(clientId, correlationId, key, timestamp, aggregate) ||
                batch.count() >= batchLimit;
            onResultEncoded(receiveNanos);
            if (full)
            {
                sendPending();
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public final void onBatchEnd()
    {
        sendPending();
    }

    /**
     * {@inheritDoc}
     */
    public final void onQueryResult(
        final long clientId,
        final long correlationId,
        final long key,
        final boolean found,
        final Aggregate open,
        final Aggregate closed)
    {
        if (claimAfterBatch(false, clientId, EgressCodec.QUERY_RESULT_LENGTH))
        {
            codec.queryResult(claimedBuffer(), claimedOffset(), clientId, correlationId, key, found, open, closed);
            commit();
        }
    }

    /**
     * {@inheritDoc}
     */
    public final void onRejected(
        final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
    {
        if (claimAfterBatch(false, clientId, EgressCodec.REJECTED_LENGTH))
        {
            codec.rejected(claimedBuffer(), claimedOffset(), clientId, correlationId, key, reason, batchIndex, 0);
            commit();
        }
    }

    /**
     * {@inheritDoc}
     */
    public final void onNotOwner(
        final long clientId, final long correlationId, final long key, final int batchIndex, final long epoch)
    {
        if (claimAfterBatch(false, clientId, EgressCodec.REJECTED_LENGTH))
        {
            codec.rejected(claimedBuffer(), claimedOffset(), clientId, correlationId, key, RejectReason.NOT_OWNER,
                batchIndex, epoch);
            commit();
        }
    }

    /**
     * {@inheritDoc}
     */
    public final void onWindowResult(final long key, final long windowEnd, final Aggregate window)
    {
        if (claimAfterBatch(true, 0, EgressCodec.WINDOW_RESULT_LENGTH))
        {
            codec.windowResult(claimedBuffer(), claimedOffset(), key, windowEnd, window);
            commit();
        }
    }

    /**
     * {@inheritDoc}
     */
    public final void onAlertRules(final int count, final byte[][] names, final int[] nameLengths)
    {
        codec.ruleNames(names, nameLengths);
    }

    /**
     * {@inheritDoc}
     */
    public final void onAlert(
        final int ruleIndex,
        final long key,
        final long windowStart,
        final int field,
        final int op,
        final double observed,
        final double threshold)
    {
        if (claimAfterBatch(true, 0, codec.alertLength(ruleIndex)))
        {
            codec.alert(claimedBuffer(), claimedOffset(), ruleIndex, key, windowStart, field, op, observed, threshold);
            commit();
        }
    }

    /**
     * {@inheritDoc}
     */
    public final void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
    {
        if (claimAfterBatch(false, clientId, EgressCodec.RESUMED_LENGTH))
        {
            codec.resumed(claimedBuffer(), claimedOffset(), clientId, correlationId, lastCorrelationId);
            commit();
        }
    }
}
