package io.sluice.client;

import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultBatchEncoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Hands a {@link TopologyClient}'s application the answers it receives with the APPLICATION correlation id instead
 * of the wire one: a fixed-length message ({@code EventResult}, {@code QueryResult}, {@code Rejected}) is copied
 * into a buffer of the client's own (never written in the receive buffer, which other subscribers share) and its
 * correlation id overwritten there; one result of an {@code EventResultBatch} is encoded again as a batch of one.
 * The returned decoder is valid until the next call.
 * <p>
 * The client's polling thread only; buffers and flyweights allocated once, nothing per message.
 */
final class ResultRelay
{
    private static final int BUFFER_LENGTH = 1024;

    private final UnsafeBuffer copy = new UnsafeBuffer(new byte[BUFFER_LENGTH]);
    private final EventResultDecoder eventResult = new EventResultDecoder();
    private final QueryResultDecoder queryResult = new QueryResultDecoder();
    private final RejectedDecoder rejected = new RejectedDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final EventResultBatchEncoder batchEncoder = new EventResultBatchEncoder();
    private final EventResultBatchDecoder batchDecoder = new EventResultBatchDecoder();

    /**
     * @param result a received {@code EventResult}, just wrapped.
     * @param appId  the application correlation id.
     * @return the same result under the application id.
     */
    EventResultDecoder eventResult(final EventResultDecoder result, final long appId)
    {
        final int length = copy(result.buffer(), result.offset(), result.encodedLength());
        copy.putLong(EventResultDecoder.correlationIdEncodingOffset(), appId, ByteOrder.LITTLE_ENDIAN);
        return eventResult.wrap(copy, 0, length, result.actingVersion());
    }

    /**
     * @param result a received {@code QueryResult}, just wrapped.
     * @param appId  the application correlation id.
     * @return the same result under the application id.
     */
    QueryResultDecoder queryResult(final QueryResultDecoder result, final long appId)
    {
        final int length = copy(result.buffer(), result.offset(), result.encodedLength());
        copy.putLong(QueryResultDecoder.correlationIdEncodingOffset(), appId, ByteOrder.LITTLE_ENDIAN);
        return queryResult.wrap(copy, 0, length, result.actingVersion());
    }

    /**
     * @param refusal a received {@code Rejected}, just wrapped.
     * @param appId   the application correlation id.
     * @return the same refusal under the application id.
     */
    RejectedDecoder rejected(final RejectedDecoder refusal, final long appId)
    {
        final int length = copy(refusal.buffer(), refusal.offset(), refusal.encodedLength());
        copy.putLong(RejectedDecoder.correlationIdEncodingOffset(), appId, ByteOrder.LITTLE_ENDIAN);
        return rejected.wrap(copy, 0, length, refusal.actingVersion());
    }

    /**
     * @param result one result of a received {@code EventResultBatch}.
     * @param appId  the application correlation id.
     * @return the same result under the application id, the one result of a batch of one.
     */
    EventResultBatchDecoder.ResultsDecoder batchedResult(
        final EventResultBatchDecoder.ResultsDecoder result, final long appId)
    {
        batchEncoder.wrapAndApplyHeader(copy, 0, headerEncoder).resultsCount(1).next()
            .clientId(result.clientId())
            .correlationId(appId)
            .key(result.key())
            .timestamp(result.timestamp())
            .windowStart(result.windowStart())
            .eventCount(result.eventCount())
            .sum(result.sum())
            .min(result.min())
            .max(result.max())
            .first(result.first())
            .last(result.last());
        headerDecoder.wrap(copy, 0);
        final EventResultBatchDecoder.ResultsDecoder results = batchDecoder.wrap(copy,
            MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(), headerDecoder.version()).results();
        return results.next();
    }

    private int copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final int copied = Math.min(length, BUFFER_LENGTH);
        copy.putBytes(0, buffer, offset, copied);
        return copied;
    }
}
