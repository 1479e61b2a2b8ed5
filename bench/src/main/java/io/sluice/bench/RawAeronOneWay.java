package io.sluice.bench;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.config.SluiceConfig;
import io.sluice.server.signal.TerminationSignal;
import io.sluice.driver.AeronProperties;
import io.sluice.driver.EmbeddedDriver;
import io.sluice.driver.IdleStrategies;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * The throughput baseline: raw Aeron one way, one publisher thread offering {@value #MESSAGE_LENGTH}-byte messages
 * flat out to one subscriber, each in its own process with its own embedded media driver, over UDP loopback. Both
 * drivers take the daemon's configuration (driver threading, driver idle strategy, {@code aeron.*} properties such
 * as the term length) and the channel is the daemon's ingress channel on another port, so what differs from
 * Sluice's ingress is only Sluice.
 * <pre>
 *   [publisher process]                               [subscriber process]
 *   thread: tryClaim 32 B x burst ─ driver ──UDP──▶ driver ─ poll ─ count ─▶ counter in its CnC file
 * </pre>
 * Aeron is reliable and flow controlled, so the flat-out rate is also the highest rate at which every message
 * arrives; the subscriber checks that the sequence numbers arrive in order without a gap.
 * <ul>
 *     <li>{@code RawAeronOneWay subscriber --config FILE --channel URI --dir DIR}: prints
 *     {@code raw-subscriber: ready}, keeps the messages received in a counter of type {@value #RECEIVED_TYPE_ID} of
 *     its driver (read it with {@code SluiceStat.sum}), stops on SIGTERM printing what it received.</li>
 *     <li>{@code RawAeronOneWay publisher --config FILE --channel URI --dir DIR --seconds S --burst B}: prints
 *     {@code raw-publisher: connected}, offers for S seconds, invoking its driver after every B messages and
 *     whenever back-pressured, then lets the driver send the rest for a second and prints
 *     {@code raw-publisher: sent N, back-pressured M}.</li>
 * </ul>
 * A process's main thread does the work (the subscriber's in an {@link AgentRunner} with the daemon's ingress idle
 * strategy).
 */
public final class RawAeronOneWay
{
    /** Bytes of each message: the size of one event in an {@code EventBatch}. */
    public static final int MESSAGE_LENGTH = 32;
    /** Counter type id of the subscriber's received messages. */
    public static final int RECEIVED_TYPE_ID = 1901;
    /** Counter type id of the subscriber's messages out of sequence. */
    public static final int OUT_OF_SEQUENCE_TYPE_ID = 1902;

    private static final int FRAGMENT_LIMIT = 1024;

    private RawAeronOneWay()
    {
    }

    /**
     * @param args the role and its options, see the class comment.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final String role = args.length > 0 ? args[0] : "";
        final SluiceConfig config =
            SluiceConfig.load(Paths.get(option(args, "--config", null)), System.getProperties());
        final String channel = option(args, "--channel", null);
        final String dir = option(args, "--dir", null);
        final MediaDriver driver = EmbeddedDriver.launch(EmbeddedDriver.Context.from(config)
            .dirKey("--dir").dir(dir).errorHandler(Throwable::printStackTrace)
            .livenessTimeoutNs(TimeUnit.SECONDS.toNanos(10)));
        final AgentInvoker driverInvoker = EmbeddedDriver.invokerOf(driver);
        final Aeron aeron = AeronProperties.applyWhile(config.aeronProperties(), () -> Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(dir)
            .useConductorAgentInvoker(null != driverInvoker)
            .driverAgentInvoker(driverInvoker)));
        try
        {
            switch (role)
            {
                case "subscriber" -> subscribe(config, channel, aeron, driverInvoker);
                case "publisher" -> publish(config, channel, aeron, driverInvoker,
                    Long.parseLong(option(args, "--seconds", "10")), Integer.parseInt(option(args, "--burst", "64")));
                default -> throw new IllegalArgumentException("role must be subscriber or publisher: " + role);
            }
        }
        finally
        {
            CloseHelper.closeAll(aeron, driver);
        }
    }

    /**
     * @param config the daemon's configuration.
     * @param port   a free UDP port.
     * @return the daemon's ingress channel with its endpoint moved to localhost:port, or a plain UDP channel when
     * the ingress is not UDP.
     */
    static String channel(final SluiceConfig config, final int port)
    {
        final ChannelUri uri = ChannelUri.parse(config.ingressChannel());
        return CommonContext.UDP_MEDIA.equals(uri.media()) ?
            ThroughputBench.onPort(config.ingressChannel(), CommonContext.ENDPOINT_PARAM_NAME, port) :
            "aeron:udp?endpoint=localhost:" + port;
    }

    private static void subscribe(
        final SluiceConfig config, final String channel, final Aeron aeron, final AgentInvoker driverInvoker)
        throws InterruptedException
    {
        final TerminationSignal signal = new TerminationSignal();
        final SubscriberAgent agent = new SubscriberAgent(
            aeron.addSubscription(channel, config.ingressStreamId()),
            aeron.addCounter(RECEIVED_TYPE_ID, "raw one-way messages received"),
            aeron.addCounter(OUT_OF_SEQUENCE_TYPE_ID, "raw one-way messages out of sequence"),
            driverInvoker,
            null != driverInvoker ? aeron.conductorAgentInvoker() : null);
        final AgentRunner runner = new AgentRunner(
            IdleStrategies.create(config.ingressIdleStrategy()), Throwable::printStackTrace, null, agent);
        AgentRunner.startOnThread(runner);
        System.out.println("raw-subscriber: ready (" + config.driverThreading() + " driver, idle " +
            config.ingressIdleStrategy() + ", " + channel + ")");
        signal.await();
        CloseHelper.close(runner);
        System.out.println("raw-subscriber: received " + agent.received + ", out of sequence " + agent.outOfSequence);
    }

    private static void publish(
        final SluiceConfig config,
        final String channel,
        final Aeron aeron,
        final AgentInvoker driverInvoker,
        final long seconds,
        final int burst)
    {
        final AgentInvoker conductorInvoker = null != driverInvoker ? aeron.conductorAgentInvoker() : null;
        final ExclusivePublication publication = aeron.addExclusivePublication(channel, config.ingressStreamId());
        final long connectDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!publication.isConnected())
        {
            if (System.nanoTime() - connectDeadline > 0)
            {
                throw new IllegalStateException("no subscriber connected within 30 s on " + channel);
            }
            invoke(driverInvoker, conductorInvoker);
            LatencyBench.sleep(1);
        }
        System.out.println("raw-publisher: connected (burst " + burst + ", " + publication.termBufferLength() +
            " B terms, " + publication.maxPayloadLength() + " B max payload per frame)");
        final BufferClaim claim = new BufferClaim();
        final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long sent = 0;
        long backPressured = 0;
        while (System.nanoTime() - endNs < 0)
        {
            for (int i = 0; i < burst; i++)
            {
                if (publication.tryClaim(MESSAGE_LENGTH, claim) > 0)
                {
                    final int offset = claim.offset();
                    claim.buffer().putLong(offset, sent);
                    claim.buffer().putLong(offset + 8, sent);
                    claim.buffer().putLong(offset + 16, sent);
                    claim.buffer().putLong(offset + 24, sent);
                    claim.commit();
                    sent++;
                }
                else
                {
                    backPressured++;
                    break;
                }
            }
            invoke(driverInvoker, conductorInvoker);
        }
        final long lingerEndNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() - lingerEndNs < 0)
        {
            if (0 == invoke(driverInvoker, conductorInvoker))
            {
                LatencyBench.sleep(1);
            }
        }
        System.out.println("raw-publisher: sent " + sent + ", back-pressured " + backPressured);
    }

    private static int invoke(final AgentInvoker driverInvoker, final AgentInvoker conductorInvoker)
    {
        return null == driverInvoker ? 0 : driverInvoker.invoke() + conductorInvoker.invoke();
    }

    private static String option(final String[] args, final String name, final String defaultValue)
    {
        for (int i = 1; i < args.length - 1; i++)
        {
            if (name.equals(args[i]))
            {
                return args[i + 1];
            }
        }
        if (null == defaultValue)
        {
            throw new IllegalArgumentException("missing option " + name);
        }
        return defaultValue;
    }

    /**
     * The subscriber's duty cycle: the embedded driver (when invoked), the client conductor, then one poll.
     */
    static final class SubscriberAgent implements Agent, FragmentHandler
    {
        private final Subscription subscription;
        private final Counter receivedCounter;
        private final Counter outOfSequenceCounter;
        private final AgentInvoker driverInvoker;
        private final AgentInvoker conductorInvoker;
        private long received;
        private long outOfSequence;

        SubscriberAgent(
            final Subscription subscription,
            final Counter receivedCounter,
            final Counter outOfSequenceCounter,
            final AgentInvoker driverInvoker,
            final AgentInvoker conductorInvoker)
        {
            this.subscription = subscription;
            this.receivedCounter = receivedCounter;
            this.outOfSequenceCounter = outOfSequenceCounter;
            this.driverInvoker = driverInvoker;
            this.conductorInvoker = conductorInvoker;
        }

        /**
         * {@inheritDoc}
         */
        public int doWork()
        {
            final int work = invoke(driverInvoker, conductorInvoker);
            final int fragments = subscription.poll(this, FRAGMENT_LIMIT);
            if (fragments > 0)
            {
                receivedCounter.setRelease(received);
                outOfSequenceCounter.setRelease(outOfSequence);
            }
            return work + fragments;
        }

        /**
         * {@inheritDoc}
         */
        public String roleName()
        {
            return "raw-subscriber";
        }

        /**
         * {@inheritDoc}
         */
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (buffer.getLong(offset) != received)
            {
                outOfSequence++;
            }
            received++;
        }
    }
}
