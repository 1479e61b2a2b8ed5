package io.sluice.transport.daemon;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.DriverTimeoutException;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverMode;
import io.sluice.config.SluiceConfig;
import io.sluice.config.ThreadingMode;
import io.sluice.core.processor.ProcessorGroup;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.route.ShardRouter;
import io.sluice.transport.counters.SluiceCounters;
import io.sluice.transport.driver.AeronProperties;
import io.sluice.transport.driver.Channels;
import io.sluice.transport.driver.EmbeddedDriver;
import io.sluice.transport.egress.EgressGroup;
import io.sluice.transport.ingress.IngressAgent;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * The appliance's lifecycle: starts its components in order and stops them in reverse.
 * <pre>
 *   start: pre-flight check, media driver (embedded or external) and error log, Aeron client, counters,
 *          ingress subscription, ring, egress, shards and their processors, ring producer and ingress agent,
 *          the daemon's thread; then "sluice: ready"
 *   stop:  ingress stops reading, processors drain the ring, egress closes and waits until every live receiver
 *          has everything, thread, counters, client, driver (an embedded driver's directory deleted)
 * </pre>
 * A failed start, an {@link Error} included, closes what was already started before the failure propagates.
 * Control thread only.
 */
public final class SluiceDaemon implements AutoCloseable
{
    /** Version printed in the start-up summary. */
    public static final String VERSION = versionOf();

    private final SluiceConfig config;
    private final PrintStream out;
    private final DaemonErrorHandler errorHandler;
    private MediaDriver driver;
    private ErrorLogFile errorLogFile;
    private Aeron aeron;
    private SluiceCounters counters;
    private EgressGroup egress;
    private ProcessorGroup group;
    private IngressAgent ingress;
    private AgentRunner runner;
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
     * @throws ConfigurationException when a setting does not fit this host, or a channel, port or directory is
     *                                unusable; the message names the key.
     */
    public static SluiceDaemon start(final SluiceConfig config, final PrintStream out)
    {
        final SluiceDaemon daemon = new SluiceDaemon(config, out);
        try
        {
            daemon.startComponents();
            return daemon;
        }
        catch (final Throwable ex)
        {
            daemon.close();
            throw ex;
        }
    }

    private void startComponents()
    {
        Preflight.check(config);
        final AgentInvoker driverInvoker = startDriver();
        aeron = connect(driverInvoker);
        counters = new SluiceCounters(aeron);
        errorHandler.errorCounter(counters.errors());

        final Subscription subscription = Channels.open(SluiceConfig.INGRESS_CHANNEL, config.ingressChannel(),
            () -> aeron.addSubscription(config.ingressChannel(), config.ingressStreamId()));
        final boolean shared = ThreadingMode.SHARED == config.threading();
        final SluiceRing ring = new SluiceRing(config.ringLength(), config.processorWaitStrategy());
        final ShardRouter router = new ShardRouter(config.hashSeed());
        egress = EgressGroup.open(aeron, config, counters, shared ? driverInvoker : null);
        group = Shards.processors(config, ring, router, egress, aeron, counters, errorHandler, out);
        ingress = new IngressAgent(
            subscription, Shards.producer(config, ring, router, counters), config.timestampMinNs(),
            config.timestampMaxNs(), counters, new SystemNanoClock(), config.rejectLogIntervalNs(), out);
        runner = DaemonAgents.runner(config, driverInvoker, aeron, ingress, group, counters, errorHandler, out);

        out.print(StartupSummary.render(config, driver, ring, shared));
        group.start();
        AgentRunner.startOnThread(runner);
        errorHandler.startPrinting();
        ready = true;
        out.println("sluice: ready");
        out.flush();
    }

    private AgentInvoker startDriver()
    {
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
        return EmbeddedDriver.invokerOf(driver);
    }

    private Aeron connect(final AgentInvoker driverInvoker)
    {
        try
        {
            return AeronProperties.applyWhile(config.aeronProperties(), () -> Aeron.connect(new Aeron.Context()
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
        if (null != runner)
        {
            ingress.stopConsuming();
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
            egress.stopRetrying();
        }
        if (null != group)
        {
            group.drainAndStop(0, TimeUnit.SECONDS);
        }
        if (null != egress)
        {
            egress.closeAndAwaitReceived(aeron, deadlineNs, out);
        }
        final long accepted = null == counters ? 0 : counters.accepted().get();
        CloseHelper.quietClose(runner);
        writeLatency();
        CloseHelper.quietCloseAll(counters, aeron, driver, errorLogFile);
        if (ready)
        {
            out.println("sluice: stopped after accepting " + accepted + " input(s)");
            out.flush();
        }
    }

    private void writeLatency()
    {
        if (null != egress)
        {
            try
            {
                egress.writeLatency(config.latencyHistogramFile(), out);
            }
            catch (final IOException ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    /**
     * Refresh the JVM counters (GC count and time). Control thread only; the start-up thread calls it while it waits
     * for a signal.
     */
    public void updateJvmCounters()
    {
        if (null != counters)
        {
            counters.updateJvm();
        }
    }

    private static String versionOf()
    {
        final String version = SluiceDaemon.class.getPackage().getImplementationVersion();
        return null == version ? "dev" : version;
    }
}
