package io.sluice.bench;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.config.SluiceConfig;
import io.sluice.transport.codec.BooleanType;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.EventResultEncoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryDecoder;
import io.sluice.transport.codec.QueryResultEncoder;
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
 * The baseline: raw Aeron, no ring, no processing. Same media-driver configuration, channels, thread and idle
 * strategy as the daemon's shared thread; each Event is answered at once with an EventResult of the same size
 * as Sluice's (its fields copied, count 1), so the benchmark measures the transport and scheduling alone.
 * <pre>
 *   generator ──UDP──▶ [driver ─▶ EchoAgent ─▶ ExclusivePublication] ──UDP (MDC)──▶ generator
 * </pre>
 * Run: {@code EchoServer --config FILE}; prints {@code echo: ready}; stops on SIGTERM.
 */
public final class EchoServer implements Agent, FragmentHandler
{
    private final Subscription subscription;
    private final ExclusivePublication publication;
    private final AgentInvoker driverInvoker;
    private final AgentInvoker clientInvoker;
    private final BufferClaim claim = new BufferClaim();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EventDecoder event = new EventDecoder();
    private final QueryDecoder query = new QueryDecoder();
    private final EventResultEncoder result = new EventResultEncoder();
    private final QueryResultEncoder queryResult = new QueryResultEncoder();

    EchoServer(
        final Subscription subscription,
        final ExclusivePublication publication,
        final AgentInvoker driverInvoker,
        final AgentInvoker clientInvoker)
    {
        this.subscription = subscription;
        this.publication = publication;
        this.driverInvoker = driverInvoker;
        this.clientInvoker = clientInvoker;
    }

    /**
     * @param args {@code --config FILE}.
     * @throws Exception on start-up failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final SluiceConfig config = SluiceConfig.load(
            args.length >= 2 && "--config".equals(args[0]) ? Paths.get(args[1]) : null, System.getProperties());
        final TerminationSignal signal = new TerminationSignal();
        final MediaDriver driver = EmbeddedDriver.launch(EmbeddedDriver.Context.from(config)
            .errorHandler(Throwable::printStackTrace).livenessTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .customise(EmbeddedDriver::trackReceivers));
        final AgentInvoker driverInvoker = EmbeddedDriver.invokerOf(driver);
        final Aeron aeron = AeronProperties.applyWhile(config.aeronProperties(), () -> Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(config.driverDir())
            .useConductorAgentInvoker(null != driverInvoker)
            .driverAgentInvoker(driverInvoker)));
        final EchoServer echo = new EchoServer(
            aeron.addSubscription(config.ingressChannel(), config.ingressStreamId()),
            aeron.addExclusivePublication(config.egressChannel(), config.egressStreamId()),
            driverInvoker,
            null != driverInvoker ? aeron.conductorAgentInvoker() : null);
        final AgentRunner runner = new AgentRunner(
            IdleStrategies.create(config.ingressIdleStrategy()), Throwable::printStackTrace, null, echo);
        AgentRunner.startOnThread(runner);
        System.out.println("echo: ready (" + config.driverThreading() + " driver, idle " + config.ingressIdleStrategy() + ")");
        signal.await();
        CloseHelper.closeAll(runner, aeron, driver);
        System.out.println("echo: stopped");
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        int work = 0;
        if (null != driverInvoker)
        {
            work += driverInvoker.invoke();
            work += clientInvoker.invoke();
        }
        return work + subscription.poll(this, 64);
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "echo";
    }

    /**
     * {@inheritDoc}
     */
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header aeronHeader)
    {
        header.wrap(buffer, offset);
        if (EventDecoder.TEMPLATE_ID == header.templateId())
        {
            event.wrapAndApplyHeader(buffer, offset, header);
            if (!claim(MessageHeaderEncoder.ENCODED_LENGTH + EventResultEncoder.BLOCK_LENGTH))
            {
                return;
            }
            result.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
                .clientId(event.clientId())
                .correlationId(event.correlationId())
                .key(event.key())
                .timestamp(event.timestamp())
                .windowStart(0)
                .count(1)
                .sum(event.value())
                .min(event.value())
                .max(event.value())
                .first(event.value())
                .last(event.value());
            claim.commit();
        }
        else if (QueryDecoder.TEMPLATE_ID == header.templateId())
        {
            query.wrapAndApplyHeader(buffer, offset, header);
            if (!claim(MessageHeaderEncoder.ENCODED_LENGTH + QueryResultEncoder.BLOCK_LENGTH))
            {
                return;
            }
            queryResult.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
                .clientId(query.clientId())
                .correlationId(query.correlationId())
                .key(query.key())
                .found(BooleanType.FALSE);
            claim.commit();
        }
    }

    private boolean claim(final int length)
    {
        long result;
        while ((result = publication.tryClaim(length, claim)) <= 0)
        {
            if (Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
                Publication.MAX_POSITION_EXCEEDED == result)
            {
                return false;
            }
            if (null != driverInvoker)
            {
                driverInvoker.invoke();
            }
        }
        return true;
    }
}
