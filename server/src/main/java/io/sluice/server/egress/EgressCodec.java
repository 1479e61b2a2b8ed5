package io.sluice.server.egress;

import io.sluice.core.state.Aggregate;
import io.sluice.transport.codec.AlertEncoder;
import io.sluice.transport.codec.AlertField;
import io.sluice.transport.codec.AlertOp;
import io.sluice.transport.codec.BooleanType;
import io.sluice.transport.codec.EventResultBatchEncoder;
import io.sluice.transport.codec.EventResultEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryResultEncoder;
import io.sluice.transport.codec.RejectReason;
import io.sluice.transport.codec.RejectedEncoder;
import io.sluice.transport.codec.ResumedEncoder;
import io.sluice.transport.codec.WindowResultEncoder;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes the daemon's output messages (header and body) into a buffer: the one place their fields are written, for
 * the live egress ({@link EgressPublisher}, into a claimed frame) and for what-if replay's SBE log (into its own
 * buffer), so both write the same bytes. Each message but {@code Alert} has a fixed length. Allocates nothing; one
 * thread per instance.
 */
public final class EgressCodec
{
    /** Bytes of an {@code EventResult} with its header. */
    public static final int EVENT_RESULT_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + EventResultEncoder.BLOCK_LENGTH;
    /** Bytes of a {@code QueryResult} with its header. */
    public static final int QUERY_RESULT_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + QueryResultEncoder.BLOCK_LENGTH;
    /** Bytes of a {@code Rejected} with its header. */
    public static final int REJECTED_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + RejectedEncoder.BLOCK_LENGTH;
    /** Bytes of a {@code WindowResult} with its header. */
    public static final int WINDOW_RESULT_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + WindowResultEncoder.BLOCK_LENGTH;
    /** Bytes of a {@code Resumed} with its header. */
    public static final int RESUMED_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + ResumedEncoder.BLOCK_LENGTH;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final EventResultEncoder eventResult = new EventResultEncoder();
    private final QueryResultEncoder queryResult = new QueryResultEncoder();
    private final RejectedEncoder rejected = new RejectedEncoder();
    private final WindowResultEncoder windowResult = new WindowResultEncoder();
    private final AlertEncoder alert = new AlertEncoder();
    private final ResumedEncoder resumed = new ResumedEncoder();
    private byte[][] ruleNames;
    private int[] ruleNameLengths;

    /**
     * @param ruleNames alert rule names by rule index, encoded once here (US-ASCII) for the {@code Alert} message.
     */
    public EgressCodec(final List<String> ruleNames)
    {
        this.ruleNames = new byte[ruleNames.size()][];
        this.ruleNameLengths = new int[ruleNames.size()];
        for (int i = 0; i < this.ruleNames.length; i++)
        {
            this.ruleNames[i] = ruleNames.get(i).getBytes(StandardCharsets.US_ASCII);
            this.ruleNameLengths[i] = this.ruleNames[i].length;
        }
    }

    /**
     * Name the rules by index from now on with a processor's arrays (a live change of the alert rules,
     * {@link io.sluice.core.logic.ResultSink#onAlertRules}); the arrays are read, not copied. Allocates nothing.
     *
     * @param names       name bytes by rule index, US-ASCII.
     * @param nameLengths name lengths by rule index.
     */
    public void ruleNames(final byte[][] names, final int[] nameLengths)
    {
        this.ruleNames = names;
        this.ruleNameLengths = nameLengths;
    }

    /**
     * @param ruleIndex an alert rule's index.
     * @return bytes of an {@code Alert} of that rule with its header.
     */
    public int alertLength(final int ruleIndex)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + AlertEncoder.BLOCK_LENGTH + AlertEncoder.ruleNameHeaderLength() +
            ruleNameLengths[ruleIndex];
    }

    /**
     * Encode an {@code EventResult} of {@link #EVENT_RESULT_LENGTH} bytes.
     *
     * @param buffer        where.
     * @param offset        at.
     * @param clientId      the event's client.
     * @param correlationId the event's correlation id.
     * @param key           the event's key.
     * @param timestamp     the event's time.
     * @param aggregate     the key's aggregate after the event.
     */
    public void eventResult(
        final MutableDirectBuffer buffer,
        final int offset,
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final Aggregate aggregate)
    {
        eventResult.wrapAndApplyHeader(buffer, offset, header)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key)
            .timestamp(timestamp)
            .windowStart(aggregate.windowStart())
            .count(aggregate.count())
            .sum(aggregate.sum())
            .min(aggregate.min())
            .max(aggregate.max())
            .first(aggregate.first())
            .last(aggregate.last());
    }

    /**
     * Encode the next result of an {@code EventResultBatch}: the fields of an {@code EventResult}.
     *
     * @param result        the batch's group, moved to the result to write.
     * @param clientId      the event's client.
     * @param correlationId the event's correlation id.
     * @param key           the event's key.
     * @param timestamp     the event's time.
     * @param aggregate     the key's aggregate after the event.
     */
    public static void batchedResult(
        final EventResultBatchEncoder.ResultsEncoder result,
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final Aggregate aggregate)
    {
        result
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key)
            .timestamp(timestamp)
            .windowStart(aggregate.windowStart())
            .eventCount(aggregate.count())
            .sum(aggregate.sum())
            .min(aggregate.min())
            .max(aggregate.max())
            .first(aggregate.first())
            .last(aggregate.last());
    }

    /**
     * Encode a {@code QueryResult} of {@link #QUERY_RESULT_LENGTH} bytes.
     *
     * @param buffer        where.
     * @param offset        at.
     * @param clientId      the query's client.
     * @param correlationId the query's correlation id.
     * @param key           the key asked for.
     * @param found         whether the key has state.
     * @param open          its open window (or running aggregate).
     * @param closed        its last closed window.
     */
    public void queryResult(
        final MutableDirectBuffer buffer,
        final int offset,
        final long clientId,
        final long correlationId,
        final long key,
        final boolean found,
        final Aggregate open,
        final Aggregate closed)
    {
        queryResult.wrapAndApplyHeader(buffer, offset, header)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key)
            .found(found ? BooleanType.TRUE : BooleanType.FALSE)
            .openWindowStart(open.windowStart())
            .openCount(open.count())
            .openSum(open.sum())
            .openMin(open.min())
            .openMax(open.max())
            .openFirst(open.first())
            .openLast(open.last())
            .closedWindowStart(closed.windowStart())
            .closedCount(closed.count())
            .closedSum(closed.sum())
            .closedMin(closed.min())
            .closedMax(closed.max())
            .closedFirst(closed.first())
            .closedLast(closed.last());
    }

    /**
     * Encode a {@code Rejected} of {@link #REJECTED_LENGTH} bytes.
     *
     * @param buffer        where.
     * @param offset        at.
     * @param clientId      the input's client.
     * @param correlationId the input's correlation id.
     * @param key           the input's key.
     * @param reason        the reject reason code.
     * @param batchIndex    the event's index in its batch, -1 for none.
     * @param epoch         the appliance's topology epoch for {@code NOT_OWNER}, else 0.
     */
    public void rejected(
        final MutableDirectBuffer buffer,
        final int offset,
        final long clientId,
        final long correlationId,
        final long key,
        final int reason,
        final int batchIndex,
        final long epoch)
    {
        rejected.wrapAndApplyHeader(buffer, offset, header)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key)
            .reason(RejectReason.get((short)reason))
            .batchIndex(batchIndex)
            .epoch(epoch);
    }

    /**
     * Encode a {@code WindowResult} of {@link #WINDOW_RESULT_LENGTH} bytes.
     *
     * @param buffer    where.
     * @param offset    at.
     * @param key       the window's key.
     * @param windowEnd the window's end.
     * @param window    its aggregate (with its start).
     */
    public void windowResult(
        final MutableDirectBuffer buffer, final int offset, final long key, final long windowEnd, final Aggregate window)
    {
        windowResult.wrapAndApplyHeader(buffer, offset, header)
            .key(key)
            .windowStart(window.windowStart())
            .windowEnd(windowEnd)
            .count(window.count())
            .sum(window.sum())
            .min(window.min())
            .max(window.max())
            .first(window.first())
            .last(window.last());
    }

    /**
     * Encode an {@code Alert} of {@link #alertLength(int)} bytes.
     *
     * @param buffer      where.
     * @param offset      at.
     * @param ruleIndex   the rule's index.
     * @param key         the key it fired for.
     * @param windowStart the window it fired in.
     * @param field       the {@code AlertField} code.
     * @param op          the {@code AlertOp} code.
     * @param observed    the value observed.
     * @param threshold   the rule's threshold.
     */
    public void alert(
        final MutableDirectBuffer buffer,
        final int offset,
        final int ruleIndex,
        final long key,
        final long windowStart,
        final int field,
        final int op,
        final double observed,
        final double threshold)
    {
        final byte[] name = ruleNames[ruleIndex];
        final int nameLength = ruleNameLengths[ruleIndex];
        alert.wrapAndApplyHeader(buffer, offset, header)
            .ruleIndex(ruleIndex)
            .key(key)
            .windowStart(windowStart)
            .field(AlertField.get((short)field))
            .op(AlertOp.get((short)op))
            .observed(observed)
            .threshold(threshold)
            .putRuleName(name, 0, nameLength);
    }

    /**
     * Encode a {@code Resumed} of {@link #RESUMED_LENGTH} bytes.
     *
     * @param buffer            where.
     * @param offset            at.
     * @param clientId          the client.
     * @param correlationId     the request's correlation id.
     * @param lastCorrelationId the client's mark.
     */
    public void resumed(
        final MutableDirectBuffer buffer,
        final int offset,
        final long clientId,
        final long correlationId,
        final long lastCorrelationId)
    {
        resumed.wrapAndApplyHeader(buffer, offset, header)
            .clientId(clientId)
            .correlationId(correlationId)
            .lastCorrelationId(lastCorrelationId);
    }
}
