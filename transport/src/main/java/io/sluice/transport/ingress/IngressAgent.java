package io.sluice.transport.ingress;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.core.RejectReason;
import io.sluice.core.ring.RingProducer;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.QueryDecoder;
import io.sluice.transport.counters.SluiceCounters;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.io.PrintStream;

/**
 * The ring's feeder. Polls the ingress subscription (through a fragment assembler, so a message larger
 * than one frame is checked whole and answered once), checks every message's SBE header and body,
 * and offers what is valid to the ring's {@link RingProducer} (which routes it to its shard and stamps its receive
 * time). What is not valid goes into the ring as a REJECT entry, which the owning processor answers with
 * {@code Rejected}: one path out for every reply, in order with the client's other results of that shard.
 * <p>
 * When the ring is full (the producer refuses the offer) the handler answers
 * {@link ControlledFragmentHandler.Action#ABORT}: the fragment stays in the log buffer, the subscription stops
 * advancing, and Aeron's flow control pushes back on the publishers.
 * Nothing is dropped and nothing is buffered here.
 * <p>
 * With windows on, the agent is also where time enters: each duty cycle lets the producer put in the TICK entries
 * its clock rule asks for ({@link RingProducer#doTick(long)}); ticks before events are the producer's own business.
 * Processors read no clock, so the same input gives the same output.
 * <p>
 * Rejections are logged at most once per configured interval, with the count since the last line.
 * Ingress thread only.
 */
public final class IngressAgent implements Agent, ControlledFragmentHandler
{
    private static final int FRAGMENT_LIMIT = 64;
    private static final int ID_FIELDS_END = MessageHeaderDecoder.ENCODED_LENGTH + 24;

    private final Subscription subscription;
    private final RingProducer producer;
    private final long timestampMinNs;
    private final long timestampMaxNs;
    private final SluiceCounters counters;
    private final NanoClock nanoClock;
    private final long rejectLogIntervalNs;
    private final PrintStream log;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final EventDecoder event = new EventDecoder();
    private final QueryDecoder query = new QueryDecoder();

    private volatile boolean consuming = true;
    private long receiveNanos;
    private long lastRejectLogNs;
    private long rejectsSinceLog;
    private int lastRejectReason;
    private int lastRejectSessionId;

    /**
     * @param subscription        the ingress subscription.
     * @param producer            the ring's producer, called by this agent alone.
     * @param timestampMinNs      earliest accepted event time.
     * @param timestampMaxNs      latest accepted event time.
     * @param counters            ingress counters.
     * @param nanoClock           clock for receive stamps and log rate limiting.
     * @param rejectLogIntervalNs least time between reject log lines.
     * @param log                 where reject lines go.
     */
    public IngressAgent(
        final Subscription subscription,
        final RingProducer producer,
        final long timestampMinNs,
        final long timestampMaxNs,
        final SluiceCounters counters,
        final NanoClock nanoClock,
        final long rejectLogIntervalNs,
        final PrintStream log)
    {
        this.subscription = subscription;
        this.producer = producer;
        this.timestampMinNs = timestampMinNs;
        this.timestampMaxNs = timestampMaxNs;
        this.counters = counters;
        this.nanoClock = nanoClock;
        this.rejectLogIntervalNs = rejectLogIntervalNs;
        this.log = log;
        this.lastRejectLogNs = nanoClock.nanoTime() - rejectLogIntervalNs;
    }

    /**
     * Stop taking new messages (the first step of a graceful shutdown); what is in the ring still gets processed.
     * Any thread.
     */
    public void stopConsuming()
    {
        consuming = false;
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        if (!consuming)
        {
            return 0;
        }
        receiveNanos = nanoClock.nanoTime();
        int work = subscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        work += producer.doTick(receiveNanos);
        if (rejectsSinceLog > 0)
        {
            work += logRejects(receiveNanos);
        }
        return work;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "sluice-ingress";
    }

    /**
     * {@inheritDoc}
     */
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header aeronHeader)
    {
        final int reason = validate(buffer, offset, length);
        final boolean offered;
        if (0 == reason)
        {
            if (EventDecoder.TEMPLATE_ID == header.templateId())
            {
                offered = producer.offerEvent(
                    event.clientId(), event.correlationId(), event.key(), event.timestamp(), event.value(), receiveNanos);
            }
            else
            {
                offered = producer.offerQuery(query.clientId(), query.correlationId(), query.key(), receiveNanos);
            }
        }
        else
        {
            final boolean idsReadable = length >= ID_FIELDS_END;
            final long clientId = idsReadable ? buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH) : 0;
            final long correlationId = idsReadable ? buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH + 8) : 0;
            final long key = idsReadable ? buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH + 16) : 0;
            offered = producer.offerReject(clientId, correlationId, key, reason, receiveNanos);
        }
        if (!offered)
        {
            counters.ringFull().incrementRelease();
            return Action.ABORT;
        }

        counters.received().incrementRelease();
        if (0 == reason)
        {
            counters.accepted().incrementRelease();
        }
        else
        {
            counters.rejected(reason).incrementRelease();
            rejectsSinceLog++;
            lastRejectReason = reason;
            lastRejectSessionId = aeronHeader.sessionId();
        }
        return Action.CONTINUE;
    }

    /**
     * Check one message. Client id, correlation id and key are at the same offsets in every ingress message, so a
     * rejection can still name them when the frame is long enough to hold them.
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
        else
        {
            query.wrap(buffer, bodyOffset, blockLength, header.version());
        }
        return 0;
    }

    private int logRejects(final long nowNs)
    {
        if (nowNs - lastRejectLogNs < rejectLogIntervalNs)
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
