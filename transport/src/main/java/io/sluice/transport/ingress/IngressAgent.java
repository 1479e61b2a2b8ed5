package io.sluice.transport.ingress;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.config.ConfigurationException;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.core.RejectReason;
import io.sluice.core.ResultMode;
import io.sluice.core.ring.RingProducer;
import io.sluice.transport.codec.EventBatchDecoder;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.QueryDecoder;
import io.sluice.transport.codec.ResumeDecoder;
import io.sluice.transport.counters.SluiceCounters;
import io.sluice.transport.driver.Channels;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.nio.ByteOrder;

/**
 * The ring's feeder. Polls the ingress subscription (through a fragment assembler, so a message larger
 * than one frame is checked whole and answered once), checks every message's SBE header and body,
 * and offers what is valid to the ring's {@link RingProducer} (which routes it to its shard and stamps its receive
 * time). What is not valid goes into the ring as a REJECT entry, which the owning processor answers with
 * {@code Rejected}: one path out for every reply, in order with the client's other results of that shard.
 * An Event whose correlation id is not above its client's mark is written as a REJECT by the producer itself
 * ({@code DUPLICATE}, or {@code CLIENTS_FULL} for one client too many) and counted here like any other rejection.
 * A {@code Resume} goes into the ring as a RESUME entry carrying the client's mark as of that point in the input,
 * which the processor of the client id's shard answers with {@code Resumed}.
 * <p>
 * An {@code EventBatch} goes into the ring whole, with one claim and one publish ({@link RingProducer#offerBatch}):
 * its frame is checked first (a count above the producer's batch capacity, {@code BATCH_TOO_LARGE}, or one that does
 * not match the frame's length, {@code BATCH_MALFORMED}, refuses the whole batch with one REJECT), then each event is
 * checked as a single {@code Event} is, and a bad one becomes a REJECT naming its index while the others go in.
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
    private static final int SESSION_UNKNOWN = 0;
    private static final int SESSION_OK = 1;
    private static final int SESSION_MUST_RESUME = 2;
    private static final int IDS_END = MessageHeaderDecoder.ENCODED_LENGTH + 16;
    private static final int KEY_END = MessageHeaderDecoder.ENCODED_LENGTH + 24;
    private static final int BATCH_CLIENT_ID_END = MessageHeaderDecoder.ENCODED_LENGTH + 8;
    private static final int BATCH_GROUP_HEADER_LENGTH = 4;

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
    private final ResumeDecoder resume = new ResumeDecoder();
    private final EventBatchDecoder batch = new EventBatchDecoder();

    private final Int2IntHashMap sessions = new Int2IntHashMap(SESSION_UNKNOWN);
    private volatile boolean consuming = true;
    private long receiveNanos;
    private long lastRejectLogNs;
    private long rejectsSinceLog;
    private int lastRejectReason;
    private int lastRejectSessionId;

    /**
     * @param ctx          a concluded context: timestamp range, reject log interval, clock and log.
     * @param subscription the ingress subscription ({@link Context#subscribe(Aeron)}).
     * @param producer     the ring's producer, called by this agent alone.
     * @param counters     ingress counters.
     * @throws IllegalStateException when the context was not concluded.
     */
    public IngressAgent(
        final Context ctx, final Subscription subscription, final RingProducer producer, final SluiceCounters counters)
    {
        this(subscription, producer, ctx.checkConcluded().timestampMinNs(), ctx.timestampMaxNs(), counters,
            ctx.nanoClock(), ctx.rejectLogIntervalNs(), ctx.log());
    }

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
    private IngressAgent(
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
        if (length >= MessageHeaderDecoder.ENCODED_LENGTH && EventBatchDecoder.TEMPLATE_ID == header.wrap(buffer, offset)
            .templateId() && MessageHeaderDecoder.SCHEMA_ID == header.schemaId() && header.version() >= 1)
        {
            return onBatch(buffer, offset, length, aeronHeader.sessionId());
        }
        int reason = validate(buffer, offset, length);
        final boolean offered;
        if (0 == reason)
        {
            final int templateId = header.templateId();
            if (EventDecoder.TEMPLATE_ID == templateId && mustResume(aeronHeader.sessionId()))
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
                    sessions.put(aeronHeader.sessionId(), SESSION_OK);
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
            return Action.ABORT;
        }

        counters.received().incrementRelease();
        if (0 == reason)
        {
            counters.accepted().incrementRelease();
        }
        else
        {
            countReject(reason, aeronHeader.sessionId(), 1);
        }
        return Action.CONTINUE;
    }

    /**
     * An EventBatch: checked whole first (block, group header, count against the capacity and the frame's length,
     * result mode), then event by event; into the ring with one claim and one publish, or not at all when the ring
     * lacks room (ABORT: the whole message comes again).
     */
    private Action onBatch(final DirectBuffer buffer, final int offset, final int length, final int sessionId)
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
                return Action.ABORT;
            }
            counters.received().incrementRelease();
            countReject(reason, sessionId, 1);
            return Action.CONTINUE;
        }

        final RingProducer producer = this.producer;
        producer.beginBatch(batch.clientId(), batch.resultModeRaw());
        final boolean mustResume = mustResume(sessionId);
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
            return Action.ABORT;
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
        return Action.CONTINUE;
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

    private void countReject(final int reason, final int sessionId, final int count)
    {
        counters.rejected(reason).getAndAddRelease(count);
        rejectsSinceLog += count;
        lastRejectReason = reason;
        lastRejectSessionId = sessionId;
    }

    /**
     * A stream the subscription picked up mid-way (its image joined after position 0: the publisher was already
     * publishing when this daemon started, so whatever it sent before the join is lost) must resume before its
     * events count: otherwise later events would raise the client's mark over the lost ones and a resume would
     * never resend them. Looked up once per session (the image's join position), then one map lookup.
     */
    private boolean mustResume(final int sessionId)
    {
        int state = sessions.get(sessionId);
        if (SESSION_UNKNOWN == state)
        {
            final Image image = subscription.imageBySessionId(sessionId);
            state = null != image && image.joinPosition() > 0 ? SESSION_MUST_RESUME : SESSION_OK;
            sessions.put(sessionId, state);
        }
        return SESSION_MUST_RESUME == state;
    }

    /**
     * Client id and correlation id are at the same offsets in every ingress message, and the key after them in
     * Event and Query (a Resume has none), so a rejection names what the frame is long enough to hold; 0 otherwise.
     */
    private boolean offerReject(final DirectBuffer buffer, final int offset, final int length, final int reason)
    {
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final boolean idsReadable = length >= IDS_END;
        final boolean keyReadable = length >= KEY_END && ResumeDecoder.TEMPLATE_ID != header.templateId();
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

    /**
     * What the ingress is configured with: its channel and stream, the accepted event-time range, the least time
     * between reject log lines, the clock and the log. Set what differs from the declared defaults ({@link Settings}),
     * or take every value from a configuration with {@link #from(SluiceConfig)}, then {@link #conclude()} once.
     * <p>
     * Start-up only; not thread safe.
     */
    public static final class Context
    {
        private String channel;
        private Integer streamId;
        private Long timestampMinNs;
        private Long timestampMaxNs;
        private Long rejectLogIntervalNs;
        private NanoClock nanoClock;
        private PrintStream log;
        private boolean concluded;

        /**
         * @param config the daemon's configuration, the one place its ingress settings are read.
         * @return a context holding the ingress channel and stream, timestamp range and reject log interval, not
         * yet concluded.
         */
        public static Context from(final SluiceConfig config)
        {
            return new Context()
                .channel(config.ingressChannel())
                .streamId(config.ingressStreamId())
                .timestampMinNs(config.timestampMinNs())
                .timestampMaxNs(config.timestampMaxNs())
                .rejectLogIntervalNs(config.rejectLogIntervalNs());
        }

        /**
         * Fill defaults from the declarations in {@link Settings} (the system nano clock, {@link System#out} for
         * the log), and check every value against its declared range and the timestamp range's order. Runs once.
         *
         * @return this.
         * @throws ConfigurationException naming the key of the first value out of range, e.g.
         *                                {@code sluice.ingress.stream-id=0 must be in [1, 2147483647]}.
         * @throws IllegalStateException  when called a second time.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("IngressAgent.Context is already concluded");
            }
            channel = Settings.INGRESS_CHANNEL.valueOrDefault(channel);
            streamId = Settings.INGRESS_STREAM_ID.valueOrDefault(streamId);
            timestampMinNs = Settings.TIMESTAMP_MIN.valueOrDefault(timestampMinNs);
            timestampMaxNs = Settings.TIMESTAMP_MAX.valueOrDefault(timestampMaxNs);
            rejectLogIntervalNs = Settings.REJECT_LOG_INTERVAL.valueOrDefault(rejectLogIntervalNs);
            if (timestampMinNs >= timestampMaxNs)
            {
                throw new ConfigurationException(SluiceConfig.TIMESTAMP_MIN, Long.toString(timestampMinNs),
                    "must be less than " + SluiceConfig.TIMESTAMP_MAX + "=" + timestampMaxNs);
            }
            nanoClock = null == nanoClock ? new SystemNanoClock() : nanoClock;
            log = null == log ? System.out : log;
            concluded = true;
            return this;
        }

        /**
         * Add the ingress subscription, so a channel the driver refuses fails naming {@code sluice.ingress.channel}.
         *
         * @param aeron the daemon's client.
         * @return the subscription on the concluded channel and stream.
         * @throws ConfigurationException naming the channel key when it cannot be opened.
         * @throws IllegalStateException  when not concluded.
         */
        public Subscription subscribe(final Aeron aeron)
        {
            checkConcluded();
            return Channels.open(SluiceConfig.INGRESS_CHANNEL, channel, () -> aeron.addSubscription(channel, streamId));
        }

        /**
         * @param channel Aeron URI clients publish to ({@value SluiceConfig#INGRESS_CHANNEL}).
         * @return this.
         */
        public Context channel(final String channel)
        {
            this.channel = channel;
            return this;
        }

        /**
         * @return Aeron URI clients publish to; null before conclude when not set.
         */
        public String channel()
        {
            return channel;
        }

        /**
         * @param streamId stream id on the channel ({@value SluiceConfig#INGRESS_STREAM_ID}).
         * @return this.
         */
        public Context streamId(final int streamId)
        {
            this.streamId = streamId;
            return this;
        }

        /**
         * @return stream id on the channel.
         */
        public Integer streamId()
        {
            return streamId;
        }

        /**
         * @param timestampMinNs earliest accepted event time, epoch ns ({@value SluiceConfig#TIMESTAMP_MIN}).
         * @return this.
         */
        public Context timestampMinNs(final long timestampMinNs)
        {
            this.timestampMinNs = timestampMinNs;
            return this;
        }

        /**
         * @return earliest accepted event time, epoch ns.
         */
        public Long timestampMinNs()
        {
            return timestampMinNs;
        }

        /**
         * @param timestampMaxNs latest accepted event time, epoch ns ({@value SluiceConfig#TIMESTAMP_MAX}).
         * @return this.
         */
        public Context timestampMaxNs(final long timestampMaxNs)
        {
            this.timestampMaxNs = timestampMaxNs;
            return this;
        }

        /**
         * @return latest accepted event time, epoch ns.
         */
        public Long timestampMaxNs()
        {
            return timestampMaxNs;
        }

        /**
         * @param rejectLogIntervalNs least time between two reject log lines, ns
         *                            ({@value SluiceConfig#REJECT_LOG_INTERVAL}).
         * @return this.
         */
        public Context rejectLogIntervalNs(final long rejectLogIntervalNs)
        {
            this.rejectLogIntervalNs = rejectLogIntervalNs;
            return this;
        }

        /**
         * @return least time between two reject log lines, ns.
         */
        public Long rejectLogIntervalNs()
        {
            return rejectLogIntervalNs;
        }

        /**
         * @param nanoClock clock for receive stamps, ticks and reject log rate limiting.
         * @return this.
         */
        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        /**
         * @return clock for receive stamps, ticks and reject log rate limiting.
         */
        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        /**
         * @param log where reject lines go.
         * @return this.
         */
        public Context log(final PrintStream log)
        {
            this.log = log;
            return this;
        }

        /**
         * @return where reject lines go.
         */
        public PrintStream log()
        {
            return log;
        }

        /**
         * @return true once {@link #conclude()} succeeded.
         */
        public boolean isConcluded()
        {
            return concluded;
        }

        private Context checkConcluded()
        {
            if (!concluded)
            {
                throw new IllegalStateException("IngressAgent.Context is not concluded");
            }
            return this;
        }
    }
}
