package io.sluice.transport.daemon;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
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
import io.sluice.transport.egress.EgressDrain;
import io.sluice.transport.egress.EgressPublisher;
import io.sluice.transport.ingress.IngressAgent;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
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
    private ErrorLogFile errorLogFile;
    private boolean ready;
    private boolean closed;

    private SluiceDaemon(final SluiceConfig config, final PrintStream out)
    {
        this.config = config;
        this.out = out;
        this.errorHandler = new DaemonErrorHandler(out);
    }

    /**
     * Start a daemon. On any failure, an {@link Error} such as running out of direct memory included, what was
     * started is closed again (an embedded driver's directory deleted) before the failure propagates.
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
        catch (final Throwable ex)
        {
            daemon.close();
            throw ex;
        }
    }

    private void wire()
    {
        Preflight.check(config);
        if (DriverMode.EMBEDDED == config.driverMode())
        {
            driver = EmbeddedDriver.launch(
                SluiceConfig.DRIVER_DIR, config.driverDir(), config.driverThreading(), config.driverIdleStrategy(),
                errorHandler.driverErrors(), config.driverLivenessTimeoutNs(), config.aeronProperties(),
                EmbeddedDriver::trackReceivers, out);
            errorHandler.errorLog(driver.context().errorLog());
        }
        else
        {
            errorLogFile = ErrorLogFile.create(config.driverDir());
            errorHandler.errorLog(errorLogFile.log());
        }
        final AgentInvoker driverInvoker = EmbeddedDriver.invokerOf(driver);

        try
        {
            aeron = AeronProperties.applyWhile(config.aeronProperties(), () -> Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(config.driverDir())
                .errorHandler(errorHandler)
                .useConductorAgentInvoker(null != driverInvoker)
                .driverAgentInvoker(driverInvoker)));
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
        final ShardRouter router = new ShardRouter(config.hashSeed());
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
        final String roleName = shared ? "sluice-shared" : "sluice-ingress";
        final Counter[] dutyCycle = counters.agent(aeron, roleName);
        final Agent agent = new DutyCycleAgent(new NamedAgent(roleName, new CompositeAgent(agents)),
            new SystemNanoClock(), config.agentStallThresholdNs(), dutyCycle[0], dutyCycle[1]);
        runner = new AgentRunner(IdleStrategies.create(config.ingressIdleStrategy()), errorHandler, null, agent);

        out.print(StartupSummary.render(config, driver, ring, shared));
        group.start();
        AgentRunner.startOnThread(runner);
        errorHandler.startPrinting();
        ready = true;
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
     * Stop gracefully: stop taking input, let the processors drain the ring, close the egress publications and wait
     * until every live receiver has received everything up to their end (all within {@code sluice.shutdown.timeout},
     * saying so when it gives up), then close client and driver. Safe on a partly started daemon and idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final long deadlineNs = System.nanoTime() + config.shutdownTimeoutNs();
        if (null != ingress)
        {
            ingress.stopConsuming();
        }
        if (null != group && null != runner)
        {
            while (!group.isDrained() && System.nanoTime() - deadlineNs < 0)
            {
                Thread.yield();
            }
            if (!group.isDrained())
            {
                out.println("sluice: stop gave up waiting for the processors to drain the ring (sluice.shutdown.timeout)");
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
            group.drainAndStop(0, TimeUnit.SECONDS);
        }
        if (null != egress && null != aeron && !aeron.isClosed())
        {
            final ExclusivePublication[] publications = new ExclusivePublication[egress.length];
            for (int i = 0; i < egress.length; i++)
            {
                publications[i] = null == egress[i] ? null : egress[i].publication();
            }
            EgressDrain.closeAndAwaitReceived(aeron.countersReader(), publications, deadlineNs, out);
        }
        final long accepted = null == counters ? 0 : counters.accepted().get();
        CloseHelper.quietClose(runner);
        writeLatencyHistogram();
        CloseHelper.quietClose(counters);
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
        CloseHelper.quietClose(errorLogFile);
        if (ready)
        {
            out.println("sluice: stopped after accepting " + accepted + " input(s)");
            out.flush();
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
}
