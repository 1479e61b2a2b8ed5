package io.sluice.transport.daemon;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.status.SenderPos;
import io.aeron.driver.status.StreamCounter;
import io.aeron.exceptions.DriverTimeoutException;
import io.aeron.exceptions.RegistrationException;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverMode;
import io.sluice.config.SluiceConfig;
import io.sluice.config.ThreadingMode;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.processor.CpuPin;
import io.sluice.core.processor.ProcessorGroup;
import io.sluice.core.processor.ShardProcessor;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.ring.WatermarkTracker;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.running.RunningAggregates;
import io.sluice.core.shard.ShardCounters;
import io.sluice.core.shard.ShardLogic;
import io.sluice.core.state.KeyStateTable;
import io.sluice.core.window.WindowEngine;
import io.sluice.core.window.WindowSpec;
import io.sluice.transport.egress.EgressPublisher;
import io.sluice.transport.ingress.IngressAgent;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.CountersReader;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The appliance: media driver (embedded or external), ingress agent, ring, processors, egress publications,
 * counters, wired as the configuration says and started by {@link #start(SluiceConfig, PrintStream)}.
 * {@link #close()} shuts down gracefully: stop taking input, drain the ring, wait for the driver to send what the
 * processors published, close publications, client and driver (deleting an embedded driver's directory).
 */
public final class SluiceDaemon implements AutoCloseable
{
    /** Version printed in the start-up summary. */
    public static final String VERSION = versionOf();

    private final SluiceConfig config;
    private final PrintStream out;
    private final DaemonErrorHandler errorHandler;
    private MediaDriver driver;
    private Aeron aeron;
    private SluiceCounters counters;
    private SluiceRing ring;
    private ProcessorGroup group;
    private IngressAgent ingress;
    private AgentRunner runner;
    private EgressPublisher[] egress;
    private boolean closed;

    private SluiceDaemon(final SluiceConfig config, final PrintStream out)
    {
        this.config = config;
        this.out = out;
        this.errorHandler = new DaemonErrorHandler(out);
    }

    /**
     * Start a daemon. On any failure what was started is closed again before the exception propagates.
     *
     * @param config validated configuration.
     * @param out    where the summary and log lines go.
     * @return the running daemon.
     * @throws ConfigurationException when a channel, port or directory is unusable; the message names the key.
     */
    public static SluiceDaemon start(final SluiceConfig config, final PrintStream out)
    {
        final SluiceDaemon daemon = new SluiceDaemon(config, out);
        try
        {
            daemon.wire();
            return daemon;
        }
        catch (final RuntimeException ex)
        {
            daemon.close();
            throw ex;
        }
    }

    private void wire()
    {
        config.aeronProperties().forEach(System::setProperty);

        if (DriverMode.EMBEDDED == config.driverMode())
        {
            driver = EmbeddedDriver.launch(config, errorHandler);
        }
        final AgentInvoker driverInvoker = EmbeddedDriver.invokerOf(driver);

        final Aeron.Context aeronContext = new Aeron.Context()
            .aeronDirectoryName(config.driverDir())
            .errorHandler(errorHandler)
            .useConductorAgentInvoker(null != driverInvoker)
            .driverAgentInvoker(driverInvoker);
        try
        {
            aeron = Aeron.connect(aeronContext);
        }
        catch (final DriverTimeoutException ex)
        {
            throw new ConfigurationException(
                SluiceConfig.DRIVER_DIR, config.driverDir(), "has no running media driver to connect to: " + ex.getMessage());
        }
        counters = new SluiceCounters(aeron);
        errorHandler.errorCounter(counters.errors());

        final Subscription subscription = register(
            SluiceConfig.INGRESS_CHANNEL, config.ingressChannel(),
            () -> aeron.addSubscription(config.ingressChannel(), config.ingressStreamId()));

        final int processorCount = config.processorCount();
        final boolean shared = ThreadingMode.SHARED == config.threading();
        ring = new SluiceRing(config.ringLength(), config.processorWaitStrategy());
        final ShardProcessor[] processors = new ShardProcessor[processorCount];
        egress = new EgressPublisher[processorCount];
        final int[] cpus = config.processorCpus();
        final ShardRouter router = new ShardRouter(0L /* config.hashSeed() */);
        final WindowSpec windowSpec = WindowSpec.of(config);
        final AlertRules alerts = new AlertRules(config.alertRules());
        final List<String> ruleNames = new ArrayList<>();
        config.alertRules().forEach((rule) -> ruleNames.add(rule.name()));
        for (int i = 0; i < processorCount; i++)
        {
            final ExclusivePublication publication = register(
                SluiceConfig.EGRESS_CHANNEL, config.egressChannel(),
                () -> aeron.addExclusivePublication(config.egressChannel(), config.egressStreamId()));
            final Counter[] egressCounters = counters.egress(aeron, i);
            final IdleStrategy retryIdle = IdleStrategies.create(config.ingressIdleStrategy());
            egress[i] = new EgressPublisher(
                publication, retryIdle, shared ? driverInvoker : null, egressCounters[0], egressCounters[1],
                egressCounters[2], config.latencyHistogramFile().isEmpty() ? null : new Histogram(10_000_000_000L, 3),
                ruleNames);
            final CpuPin pin = new CpuPin(cpus.length == 0 ? -1 : cpus[i], out);
            final KeyStateTable table = new KeyStateTable(
                config.stateCapacity(), null == windowSpec ? 0 : windowSpec.panesPerKey(), router);
            final ShardCounters processorCounters = counters.processor(aeron, i);
            final ShardLogic logic = null == windowSpec ?
                new RunningAggregates(table, egress[i], processorCounters, alerts) :
                new WindowEngine(windowSpec, table, egress[i], processorCounters, alerts, config.evictAfterWindows());
            processors[i] = new ShardProcessor(i, logic, egress[i], processorCounters, pin::pin, pin::release);
        }
        group = new ProcessorGroup(ring, processors, config.threading(), errorHandler);

        final RingProducer producer = new RingProducer(ring, router, processorCount, null == windowSpec ? null :
            new WatermarkTracker(
                windowSpec.slideNs(), windowSpec.latenessNs(), config.tickIntervalNs(), config.idleAdvanceNs()),
            counters.ticks());
        ingress = new IngressAgent(
            subscription, producer, config.timestampMinNs(), config.timestampMaxNs(), counters,
            new SystemNanoClock(), config.rejectLogIntervalNs(), out);

        final List<Agent> agents = new ArrayList<>();
        agents.add(new PinAgent(new CpuPin(config.ingressCpu(), out)));
        if (null != driverInvoker)
        {
            agents.add(new InvokerAgent(driverInvoker, "driver"));
            agents.add(new InvokerAgent(aeron.conductorAgentInvoker(), "aeron-client"));
        }
        agents.add(ingress);
        if (shared)
        {
            agents.add(group.pollAgent());
        }
        final Agent agent = new NamedAgent(shared ? "sluice-shared" : "sluice-ingress", new CompositeAgent(agents));
        runner = new AgentRunner(IdleStrategies.create(config.ingressIdleStrategy()), errorHandler, null, agent);

        out.print(StartupSummary.render(config, driver, ring, shared));
        group.start();
        AgentRunner.startOnThread(runner);
        out.println("sluice: ready");
        out.flush();
    }

    private <T> T register(final String key, final String channel, final java.util.function.Supplier<T> action)
    {
        try
        {
            return action.get();
        }
        catch (final RegistrationException ex)
        {
            throw new ConfigurationException(
                key, channel, "cannot be opened (is another daemon using this port?): " + ex.getMessage());
        }
    }

    /**
     * @return the daemon's Aeron client.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @return the daemon's counters.
     */
    public SluiceCounters counters()
    {
        return counters;
    }

    /**
     * @return the configuration.
     */
    public SluiceConfig config()
    {
        return config;
    }

    /**
     * Stop taking input, let the processors drain the ring (up to 10 s), then close everything.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != ingress)
        {
            ingress.stopConsuming();
        }
        if (null != group && null != runner)
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!group.isDrained() && System.nanoTime() < deadline)
            {
                Thread.yield();
            }
        }
        if (null != egress)
        {
            for (final EgressPublisher publisher : egress)
            {
                if (null != publisher)
                {
                    publisher.stopRetrying();
                }
            }
        }
        if (null != group)
        {
            group.drainAndStop(1, TimeUnit.SECONDS);
        }
        awaitEgressSent(TimeUnit.SECONDS.toNanos(2));
        CloseHelper.quietClose(runner);
        writeLatencyHistogram();
        CloseHelper.quietClose(counters);
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
        out.println("sluice: stopped");
        out.flush();
    }

    /**
     * Wait until the media driver has sent everything the processors published (each egress publication's
     * sender position reaches its position), so a graceful stop does not cut off results already produced.
     * The driver keeps running meanwhile: on its own threads, or invoked by the still running agent thread.
     */
    private void awaitEgressSent(final long timeoutNs)
    {
        if (null == egress || null == aeron || aeron.isClosed())
        {
            return;
        }
        final CountersReader counters = aeron.countersReader();
        final long deadline = System.nanoTime() + timeoutNs;
        for (final EgressPublisher publisher : egress)
        {
            if (null == publisher)
            {
                continue;
            }
            final ExclusivePublication publication = publisher.publication();
            final int[] senderPosition = {CountersReader.NULL_COUNTER_ID};
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (SenderPos.SENDER_POSITION_TYPE_ID == typeId &&
                    keyBuffer.getLong(StreamCounter.REGISTRATION_ID_OFFSET) == publication.registrationId())
                {
                    senderPosition[0] = counterId;
                }
            });
            if (CountersReader.NULL_COUNTER_ID == senderPosition[0])
            {
                continue;
            }
            while (counters.getCounterValue(senderPosition[0]) < publication.position() &&
                publication.isConnected() && System.nanoTime() < deadline)
            {
                Thread.yield();
            }
        }
    }

    private void writeLatencyHistogram()
    {
        if (null == egress || config.latencyHistogramFile().isEmpty())
        {
            return;
        }
        final Histogram merged = new Histogram(10_000_000_000L, 3);
        for (final EgressPublisher publisher : egress)
        {
            if (null != publisher && null != publisher.latency())
            {
                merged.add(publisher.latency());
            }
        }
        try (PrintStream file = new PrintStream(config.latencyHistogramFile(), "US-ASCII"))
        {
            merged.outputPercentileDistribution(file, 1000.0);
        }
        catch (final java.io.IOException ex)
        {
            errorHandler.onError(ex);
        }
        out.printf("sluice: internal latency (ingress receive -> egress offer) of %,d events: p50 %.1f us, " +
            "p99 %.1f us, max %.1f us; written to %s%n", merged.getTotalCount(), merged.getValueAtPercentile(50) / 1000.0,
            merged.getValueAtPercentile(99) / 1000.0, merged.getMaxValue() / 1000.0, config.latencyHistogramFile());
    }

    /**
     * Refresh the JVM counters (GC count and time) from the management beans. Control thread only; the start-up
     * thread calls it while it waits for a signal.
     */
    public void updateJvmCounters()
    {
        if (null == counters)
        {
            return;
        }
        long count = 0;
        long timeMs = 0;
        for (final java.lang.management.GarbageCollectorMXBean gc :
            java.lang.management.ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
            timeMs += Math.max(0, gc.getCollectionTime());
        }
        counters.gcCount().setRelease(count);
        counters.gcTimeMs().setRelease(timeMs);
    }

    private static String versionOf()
    {
        final String version = SluiceDaemon.class.getPackage().getImplementationVersion();
        return null == version ? "dev" : version;
    }

    /**
     * Gives a composite the thread name the start-up summary uses.
     */
    static final class NamedAgent implements Agent
    {
        private final String roleName;
        private final Agent delegate;

        NamedAgent(final String roleName, final Agent delegate)
        {
            this.roleName = roleName;
            this.delegate = delegate;
        }

        public void onStart()
        {
            delegate.onStart();
        }

        public int doWork() throws Exception
        {
            return delegate.doWork();
        }

        public void onClose()
        {
            delegate.onClose();
        }

        public String roleName()
        {
            return roleName;
        }
    }

    /**
     * Pins the thread that runs it, first thing in its composite.
     */
    static final class PinAgent implements Agent
    {
        private final CpuPin pin;

        PinAgent(final CpuPin pin)
        {
            this.pin = pin;
        }

        public void onStart()
        {
            pin.pin();
        }

        public void onClose()
        {
            pin.release();
        }

        public int doWork()
        {
            return 0;
        }

        public String roleName()
        {
            return "pin";
        }
    }

    /**
     * Runs an invoker-mode duty cycle (the embedded driver's, the Aeron client conductor's) as part of a composite.
     */
    static final class InvokerAgent implements Agent
    {
        private final AgentInvoker invoker;
        private final String roleName;

        InvokerAgent(final AgentInvoker invoker, final String roleName)
        {
            this.invoker = invoker;
            this.roleName = roleName;
        }

        public int doWork()
        {
            return invoker.invoke();
        }

        public String roleName()
        {
            return roleName;
        }
    }

    /**
     * Counts every error and prints each distinct one once, with its stack trace unless it is one of Aeron's own
     * reports (channel errors and the like, whose message says it all). Never throws.
     */
    static final class DaemonErrorHandler implements ErrorHandler
    {
        private final PrintStream out;
        private final Map<String, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile Counter errors;

        DaemonErrorHandler(final PrintStream out)
        {
            this.out = out;
        }

        void errorCounter(final Counter errors)
        {
            this.errors = errors;
        }

        public void onError(final Throwable throwable)
        {
            final Counter counter = errors;
            if (null != counter && !counter.isClosed())
            {
                counter.incrementRelease();
            }
            final String distinct = throwable.getClass().getName() + ": " + throwable.getMessage();
            if (null == seen.putIfAbsent(distinct, 1L))
            {
                out.println("sluice: error: " + distinct);
                if (!(throwable instanceof io.aeron.exceptions.AeronException))
                {
                    throwable.printStackTrace(out);
                }
            }
        }
    }
}
