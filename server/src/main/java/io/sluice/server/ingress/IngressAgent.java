package io.sluice.server.ingress;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.UnavailableImageHandler;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.config.ConfigurationException;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ring.RingProducer;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.driver.Channels;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;

/**
 * The ring's feeder on a standalone daemon. Polls the ingress subscription (through a fragment assembler, so a
 * message larger than one frame is checked whole and answered once) and hands each message to its
 * {@link IngressHandler}, which checks it and offers it, or its rejection, to the ring's {@link RingProducer}.
 * <p>
 * When the ring is full (the producer refuses the offer) the agent answers
 * {@link ControlledFragmentHandler.Action#ABORT}: the fragment stays in the log buffer, the subscription stops
 * advancing, and Aeron's flow control pushes back on the publishers.
 * Nothing is dropped and nothing is buffered here.
 * <p>
 * With windows on, the agent is also where time enters: each duty cycle lets the producer put in the TICK entries
 * its clock rule asks for ({@link RingProducer#doTick(long)}); ticks before events are the producer's own business.
 * Processors read no clock, so the same input gives the same output.
 * <p>
 * It is also the handler's {@link IngressHandler.ResumeGate}: a stream it picked up mid-way must resume first.
 * Ingress thread only.
 */
public final class IngressAgent implements Agent, ControlledFragmentHandler, IngressHandler.ResumeGate
{
    private static final int FRAGMENT_LIMIT = 64;
    private static final int SESSION_UNKNOWN = 0;
    private static final int SESSION_OK = 1;
    private static final int SESSION_MUST_RESUME = 2;

    private final Subscription subscription;
    private final RingProducer producer;
    private final NanoClock nanoClock;
    private final IngressHandler handler;
    private final ControlledFragmentAssembler assembler;
    private final SessionGate gate;
    private final Int2IntHashMap sessions = new Int2IntHashMap(SESSION_UNKNOWN);
    private volatile boolean consuming = true;
    private long receiveNanos;

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
        this(ctx, subscription, producer, counters, null);
    }

    /**
     * @param ctx          a concluded context: timestamp range, reject log interval, clock and log.
     * @param subscription the ingress subscription ({@link Context#subscribe(Aeron, UnavailableImageHandler)} with
     *                     the gate's {@link SessionGate#onUnavailableImage}).
     * @param producer     the ring's producer, called by this agent alone.
     * @param counters     ingress counters.
     * @param gate         who may send (authentication on), or null: every message goes to the handler.
     * @throws IllegalStateException when the context was not concluded.
     */
    public IngressAgent(
        final Context ctx,
        final Subscription subscription,
        final RingProducer producer,
        final SluiceCounters counters,
        final SessionGate gate)
    {
        ctx.checkConcluded();
        this.gate = gate;
        this.assembler = new ControlledFragmentAssembler(null == gate ? this : this::onGatedFragment);
        this.subscription = subscription;
        this.producer = producer;
        this.nanoClock = ctx.nanoClock();
        this.handler = new IngressHandler(producer, ctx.timestampMinNs(), ctx.timestampMaxNs(), counters,
            ctx.rejectLogIntervalNs(), ctx.log(), this);
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
        work += handler.logRejects(receiveNanos);
        if (null != gate)
        {
            work += gate.doWork(receiveNanos);
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
        return handler.onMessage(buffer, offset, length, aeronHeader.sessionId(), receiveNanos) ?
            Action.CONTINUE : Action.ABORT;
    }

    /**
     * With a gate: the message goes to the handler only when the gate lets it through; a refused one is counted as
     * rejected (the gate answered it outside the ring).
     */
    private Action onGatedFragment(
        final DirectBuffer buffer, final int offset, final int length, final Header aeronHeader)
    {
        final int verdict = gate.onMessage(buffer, offset, length, aeronHeader, receiveNanos);
        if (SessionGate.PASS == verdict)
        {
            return onFragment(buffer, offset, length, aeronHeader);
        }
        if (verdict > 0)
        {
            handler.countRefused(verdict, aeronHeader.sessionId(), receiveNanos);
        }
        return Action.CONTINUE;
    }

    /**
     * {@inheritDoc}
     */
    public void onResume(final int sessionId)
    {
        sessions.put(sessionId, SESSION_OK);
    }

    /**
     * A stream the subscription picked up mid-way (its image joined after position 0: the publisher was already
     * publishing when this daemon started, so whatever it sent before the join is lost) must resume before its
     * events count: otherwise later events would raise the client's mark over the lost ones and a resume would
     * never resend them. Looked up once per session (the image's join position), then one map lookup.
     */
    public boolean mustResume(final int sessionId)
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
         * Add the ingress subscription with a handler told of every image that goes (an authenticated session ends
         * with its image).
         *
         * @param aeron              the daemon's client.
         * @param unavailableHandler called, on the Aeron client's conductor thread, for each image that goes.
         * @return the subscription on the concluded channel and stream.
         * @throws ConfigurationException naming the channel key when it cannot be opened.
         * @throws IllegalStateException  when not concluded.
         */
        public Subscription subscribe(final Aeron aeron, final UnavailableImageHandler unavailableHandler)
        {
            checkConcluded();
            return Channels.open(SluiceConfig.INGRESS_CHANNEL, channel,
                () -> aeron.addSubscription(channel, streamId, (image) -> {}, unavailableHandler));
        }

        /**
         * @param channel Aeron URI clients publish to ({@link SluiceConfig#INGRESS_CHANNEL}).
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
         * @param streamId stream id on the channel ({@link SluiceConfig#INGRESS_STREAM_ID}).
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
         * @param timestampMinNs earliest accepted event time, epoch ns ({@link SluiceConfig#TIMESTAMP_MIN}).
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
         * @param timestampMaxNs latest accepted event time, epoch ns ({@link SluiceConfig#TIMESTAMP_MAX}).
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
         *                            ({@link SluiceConfig#REJECT_LOG_INTERVAL}).
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
