package io.sluice.server.ingress;

import io.sluice.core.RejectReason;
import io.sluice.core.ResultMode;
import io.sluice.core.ring.RingProducer;
import io.sluice.transport.codec.AdminRequestDecoder;
import io.sluice.transport.codec.EventBatchDecoder;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.QueryDecoder;
import io.sluice.transport.codec.ResumeDecoder;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.DirectBuffer;

import java.io.PrintStream;
import java.nio.ByteOrder;

/**
 * What the ingress does with one whole message, wherever it came from (the daemon's ingress subscription, or a
 * cluster's log in a clustered service): checks its SBE header and body, and offers what is valid to the ring's
 * {@link RingProducer}; what is not valid goes into the ring as a REJECT entry, which the owning processor answers
 * with {@code Rejected}. An Event whose correlation id is not above its client's mark is written as a REJECT by the
 * producer itself ({@code DUPLICATE}, or {@code CLIENTS_FULL}) and counted here like any other rejection. A
 * {@code Resume} goes into the ring as a RESUME entry carrying the client's mark as of that point in the input.
 * <p>
 * An {@code EventBatch} goes into the ring whole, with one claim and one publish ({@link RingProducer#offerBatch}):
 * its frame is checked first (a count above the producer's batch capacity, {@code BATCH_TOO_LARGE}, or one that does
 * not match the frame's length, {@code BATCH_MALFORMED}, refuses the whole batch with one REJECT), then each event is
 * checked as a single {@code Event} is, and a bad one becomes a REJECT naming its index while the others go in.
 * <p>
 * {@link #onMessage} answers false, with nothing changed, when the ring lacks room: the caller offers the same
 * message again later (the daemon's ingress aborts the fragment so Aeron pushes back; a clustered service drains the
 * ring first). Rejections are logged at most once per configured interval by {@link #logRejects(long)}.
 * <p>
 * The ring's producer thread only; allocates nothing.
 */
public final class IngressHandler
{
    /**
     * Whether a stream must resume before its events count (the daemon's ingress picked it up mid-way after a
     * restart); a cluster's sessions never must.
     */
    public interface ResumeGate
    {
        /** A gate for input that is never picked up mid-way. */
        ResumeGate NEVER = new ResumeGate()
        {
            public boolean mustResume(final int sessionId)
            {
                return false;
            }

            public void onResume(final int sessionId)
            {
            }
        };

        /**
         * @param sessionId the stream's session.
         * @return true when the stream's events are to be rejected {@code RESUME_REQUIRED}.
         */
        boolean mustResume(int sessionId);

        /**
         * A Resume from the stream went into the ring: its events count from now on.
         *
         * @param sessionId the stream's session.
         */
        void onResume(int sessionId);
    }

    private static final int IDS_END = MessageHeaderDecoder.ENCODED_LENGTH + 16;
    private static final int KEY_END = MessageHeaderDecoder.ENCODED_LENGTH + 24;
    private static final int BATCH_CLIENT_ID_END = MessageHeaderDecoder.ENCODED_LENGTH + 8;
    private static final int BATCH_GROUP_HEADER_LENGTH = 4;

    private final RingProducer producer;
    private final long timestampMinNs;
    private final long timestampMaxNs;
    private final SluiceCounters counters;
    private final long rejectLogIntervalNs;
    private final PrintStream log;
    private final ResumeGate gate;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final EventDecoder event = new EventDecoder();
    private final QueryDecoder query = new QueryDecoder();
    private final ResumeDecoder resume = new ResumeDecoder();
    private final EventBatchDecoder batch = new EventBatchDecoder();
    private long receiveNanos;
    private long lastRejectLogNs;
    private long rejectsSinceLog;
    private int lastRejectReason;
    private int lastRejectSessionId;

    /**
     * @param producer            the ring's producer, called by this handler's thread alone.
     * @param timestampMinNs      earliest accepted event time.
     * @param timestampMaxNs      latest accepted event time.
     * @param counters            ingress counters.
     * @param rejectLogIntervalNs least time between reject log lines.
     * @param log                 where reject lines go.
     * @param gate                which streams must resume first.
     */
    public IngressHandler(
        final RingProducer producer,
        final long timestampMinNs,
        final long timestampMaxNs,
        final SluiceCounters counters,
        final long rejectLogIntervalNs,
        final PrintStream log,
        final ResumeGate gate)
    {
        this.producer = producer;
        this.timestampMinNs = timestampMinNs;
        this.timestampMaxNs = timestampMaxNs;
        this.counters = counters;
        this.rejectLogIntervalNs = rejectLogIntervalNs;
        this.log = log;
        this.gate = gate;
        this.lastRejectLogNs = Long.MIN_VALUE;
    }

    /**
     * Check one whole message and put it, or its rejection, into the ring.
     *
     * @param buffer       holds the message.
     * @param offset       where it starts.
     * @param length       its length.
     * @param sessionId    the stream it came on (reject log, resume gate).
     * @param receiveNanos when it was received, on the producer's clock (also the tick rule's clock reading).
     * @return true when it went in (or its rejection did); false when the ring lacks room and nothing changed.
     */
    public boolean onMessage(
        final DirectBuffer buffer, final int offset, final int length, final int sessionId, final long receiveNanos)
    {
        this.receiveNanos = receiveNanos;
        if (Long.MIN_VALUE == lastRejectLogNs)
        {
            lastRejectLogNs = receiveNanos - rejectLogIntervalNs;
        }
        if (length >= MessageHeaderDecoder.ENCODED_LENGTH && EventBatchDecoder.TEMPLATE_ID == header.wrap(buffer, offset)
            .templateId() && MessageHeaderDecoder.SCHEMA_ID == header.schemaId() && header.version() >= 1)
        {
            return onBatch(buffer, offset, length, sessionId);
        }
        int reason = validate(buffer, offset, length);
        final boolean offered;
        if (0 == reason)
        {
            final int templateId = header.templateId();
            if (EventDecoder.TEMPLATE_ID == templateId && gate.mustResume(sessionId))
            {
                reason = RejectReason.RESUME_REQUIRED;
                offered = offerReject(buffer, offset, length, reason);
            }
            else if (EventDecoder.TEMPLATE_ID == templateId)
            {
                final int result = producer.offerEvent(
                    event.clientId(), event.correlationId(), event.key(), event.timestamp(), event.value(), receiveNanos);
                offered = RingProducer.RING_FULL != result;
                reason = Math.max(result, 0);
            }
            else if (QueryDecoder.TEMPLATE_ID == templateId)
            {
                offered = producer.offerQuery(query.clientId(), query.correlationId(), query.key(), receiveNanos);
            }
            else
            {
                offered = producer.offerResume(resume.clientId(), resume.correlationId(), receiveNanos);
                if (offered)
                {
                    gate.onResume(sessionId);
                }
            }
        }
        else
        {
            offered = offerReject(buffer, offset, length, reason);
        }
        if (!offered)
        {
            counters.ringFull().incrementRelease();
            return false;
        }

        counters.received().incrementRelease();
        if (0 == reason)
        {
            counters.accepted().incrementRelease();
        }
        else
        {
            countReject(reason, sessionId, 1);
        }
        return true;
    }

    /**
     * An EventBatch: checked whole first (block, group header, count against the capacity and the frame's length,
     * result mode), then event by event; into the ring with one claim and one publish, or not at all when the ring
     * lacks room (false: the whole message comes again).
     */
    private boolean onBatch(final DirectBuffer buffer, final int offset, final int length, final int sessionId)
    {
        final int reason = validateBatch(buffer, offset, length);
        if (0 != reason)
        {
            final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            final long clientId = length >= BATCH_CLIENT_ID_END ? buffer.getLong(bodyOffset) : 0;
            if (!producer.offerReject(
                clientId, firstCorrelationId(buffer, offset, length), 0, reason, receiveNanos))
            {
                counters.ringFull().incrementRelease();
                return false;
            }
            counters.received().incrementRelease();
            countReject(reason, sessionId, 1);
            return true;
        }

        final RingProducer producer = this.producer;
        producer.beginBatch(batch.clientId(), batch.resultModeRaw());
        final boolean mustResume = gate.mustResume(sessionId);
        final EventBatchDecoder.EventsDecoder events = batch.events();
        while (events.hasNext())
        {
            events.next();
            final double value = events.value();
            final long timestamp = events.timestamp();
            final int eventReason = mustResume ? RejectReason.RESUME_REQUIRED :
                !Double.isFinite(value) ? RejectReason.INVALID_VALUE :
                timestamp < timestampMinNs || timestamp > timestampMaxNs ? RejectReason.TIMESTAMP_OUT_OF_RANGE : 0;
            producer.addToBatch(events.correlationId(), events.key(), timestamp, value, eventReason);
        }
        if (RingProducer.RING_FULL == producer.offerBatch(receiveNanos))
        {
            counters.ringFull().incrementRelease();
            return false;
        }

        final int size = producer.batchSize();
        int accepted = 0;
        for (int i = 0; i < size; i++)
        {
            final int eventReason = producer.batchReason(i);
            if (0 == eventReason)
            {
                accepted++;
            }
            else
            {
                countReject(eventReason, sessionId, 1);
            }
        }
        counters.batches().incrementRelease();
        counters.received().getAndAddRelease(size);
        counters.accepted().getAndAddRelease(accepted);
        return true;
    }

    /**
     * A batch refused whole is named by its first event's correlation id, when the frame holds one; else 0.
     */
    private long firstCorrelationId(final DirectBuffer buffer, final int offset, final int length)
    {
        final int blockLength = header.blockLength();
        final int groupOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH + blockLength;
        if (blockLength < EventBatchDecoder.BLOCK_LENGTH || groupOffset + BATCH_GROUP_HEADER_LENGTH + 8 > offset + length)
        {
            return 0;
        }
        final int entryLength = buffer.getShort(groupOffset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int count = buffer.getShort(groupOffset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        return entryLength >= 8 && count > 0 ? buffer.getLong(groupOffset + BATCH_GROUP_HEADER_LENGTH) : 0;
    }

    /**
     * @return 0 when the batch can be read, else the reason to refuse it whole.
     */
    private int validateBatch(final DirectBuffer buffer, final int offset, final int length)
    {
        final int blockLength = header.blockLength();
        if (blockLength < EventBatchDecoder.BLOCK_LENGTH)
        {
            return RejectReason.BAD_BLOCK_LENGTH;
        }
        final int groupOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH + blockLength;
        if (groupOffset + BATCH_GROUP_HEADER_LENGTH > offset + length)
        {
            return RejectReason.TRUNCATED;
        }
        final int entryLength = buffer.getShort(groupOffset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int count = buffer.getShort(groupOffset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (entryLength < EventBatchDecoder.EventsDecoder.sbeBlockLength())
        {
            return RejectReason.BATCH_MALFORMED;
        }
        if (count > producer.batchCapacity())
        {
            return RejectReason.BATCH_TOO_LARGE;
        }
        final long end = groupOffset + BATCH_GROUP_HEADER_LENGTH + (long)count * entryLength;
        if (end > offset + length || (end < offset + length && header.version() <= MessageHeaderDecoder.SCHEMA_VERSION))
        {
            return RejectReason.BATCH_MALFORMED;
        }
        batch.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, blockLength, header.version());
        final short mode = batch.resultModeRaw();
        if (mode < 0 || mode >= ResultMode.LIMIT)
        {
            return RejectReason.BATCH_MALFORMED;
        }
        return 0;
    }

    /**
     * A message refused before the ring (its sender is not authenticated or lacks the permission): counted as
     * received and rejected, and in the reject log, like a rejection that went through the ring.
     *
     * @param reason    the reject reason code.
     * @param sessionId the stream it came on.
     * @param nowNs     the producer's clock.
     */
    public void countRefused(final int reason, final int sessionId, final long nowNs)
    {
        if (Long.MIN_VALUE == lastRejectLogNs)
        {
            lastRejectLogNs = nowNs - rejectLogIntervalNs;
        }
        counters.received().incrementRelease();
        countReject(reason, sessionId, 1);
    }

    private void countReject(final int reason, final int sessionId, final int count)
    {
        counters.rejected(reason).getAndAddRelease(count);
        rejectsSinceLog += count;
        lastRejectReason = reason;
        lastRejectSessionId = sessionId;
    }

    /**
     * Client id and correlation id are at the same offsets in every ingress message, and the key after them in
     * Event and Query (a Resume and an AdminRequest have none), so a rejection names what the frame is long enough to hold; 0 otherwise.
     */
    private boolean offerReject(final DirectBuffer buffer, final int offset, final int length, final int reason)
    {
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final boolean idsReadable = length >= IDS_END;
        final int templateId = header.templateId();
        final boolean keyReadable = length >= KEY_END && ResumeDecoder.TEMPLATE_ID != templateId &&
            AdminRequestDecoder.TEMPLATE_ID != templateId;
        final long clientId = idsReadable ? buffer.getLong(bodyOffset) : 0;
        final long correlationId = idsReadable ? buffer.getLong(bodyOffset + 8) : 0;
        final long key = keyReadable ? buffer.getLong(bodyOffset + 16) : 0;
        return producer.offerReject(clientId, correlationId, key, reason, receiveNanos);
    }

    /**
     * Check one message.
     * <p>
     * Forward compatible as SBE intends: a newer schema version only appends fields, so a message of any version
     * from 1 whose block holds at least the fields this daemon knows is read (the rest of the block is skipped);
     * only a block shorter than the known one ({@code BAD_BLOCK_LENGTH}), a frame shorter than its declared block
     * ({@code TRUNCATED}) or version 0 ({@code UNSUPPORTED_VERSION}) cannot be read.
     *
     * @return 0 when valid, else a {@link RejectReason} code.
     */
    private int validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return RejectReason.TRUNCATED;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return RejectReason.WRONG_SCHEMA;
        }
        if (header.version() < 1)
        {
            return RejectReason.UNSUPPORTED_VERSION;
        }
        final int templateId = header.templateId();
        final int expectedBlockLength;
        if (EventDecoder.TEMPLATE_ID == templateId)
        {
            expectedBlockLength = EventDecoder.BLOCK_LENGTH;
        }
        else if (QueryDecoder.TEMPLATE_ID == templateId)
        {
            expectedBlockLength = QueryDecoder.BLOCK_LENGTH;
        }
        else if (ResumeDecoder.TEMPLATE_ID == templateId)
        {
            expectedBlockLength = ResumeDecoder.BLOCK_LENGTH;
        }
        else if (AdminRequestDecoder.TEMPLATE_ID == templateId)
        {
            // with authentication on the session gate answers it; here nobody is authenticated, so nobody may
            return RejectReason.NOT_PERMITTED;
        }
        else
        {
            return RejectReason.UNKNOWN_TEMPLATE;
        }
        final int blockLength = header.blockLength();
        if (blockLength < expectedBlockLength)
        {
            return RejectReason.BAD_BLOCK_LENGTH;
        }
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + blockLength)
        {
            return RejectReason.TRUNCATED;
        }

        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        if (EventDecoder.TEMPLATE_ID == templateId)
        {
            event.wrap(buffer, bodyOffset, blockLength, header.version());
            if (!Double.isFinite(event.value()))
            {
                return RejectReason.INVALID_VALUE;
            }
            final long timestamp = event.timestamp();
            if (timestamp < timestampMinNs || timestamp > timestampMaxNs)
            {
                return RejectReason.TIMESTAMP_OUT_OF_RANGE;
            }
        }
        else if (QueryDecoder.TEMPLATE_ID == templateId)
        {
            query.wrap(buffer, bodyOffset, blockLength, header.version());
        }
        else
        {
            resume.wrap(buffer, bodyOffset, blockLength, header.version());
        }
        return 0;
    }

    /**
     * Print one line about the rejections since the last line, when there were any and the interval has passed.
     *
     * @param nowNs the caller's clock now.
     * @return 1 when a line was printed, else 0.
     */
    public int logRejects(final long nowNs)
    {
        if (0 == rejectsSinceLog || nowNs - lastRejectLogNs < rejectLogIntervalNs)
        {
            return 0;
        }
        log.println("sluice: rejected " + rejectsSinceLog + " input(s) in the last " +
            (nowNs - lastRejectLogNs) / 1_000_000 + " ms; last: " + RejectReason.name(lastRejectReason) +
            " from session " + lastRejectSessionId);
        lastRejectLogNs = nowNs;
        rejectsSinceLog = 0;
        return 1;
    }
}
