package io.sluice.server.daemon;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.DriverTimeoutException;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverMode;
import io.sluice.config.JournalMode;
import io.sluice.config.SluiceConfig;
import io.sluice.config.ThreadingMode;
import io.sluice.core.shard.ProcessorGroup;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.server.auth.Authentication;
import io.sluice.server.auth.Credentials;
import io.sluice.server.auth.CredentialsException;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.driver.AeronProperties;
import io.sluice.driver.EmbeddedDriver;
import io.sluice.server.egress.EgressGroup;
import io.sluice.server.errors.ErrorLogFile;
import io.sluice.server.ingress.IngressAgent;
import io.sluice.server.journal.Journal;
import io.sluice.server.metrics.ExporterProcess;
import io.sluice.server.journal.Journaller;
import io.sluice.server.rules.RuleRequests;
import io.sluice.server.rules.RuleSwapAgent;
import io.sluice.server.signal.ReloadSignal;
import io.sluice.server.topology.ApplianceTopology;
import io.sluice.server.topology.MoveAnswers;
import io.sluice.server.topology.SliceFiles;
import io.sluice.server.topology.TopologyAgent;
import io.sluice.server.topology.TopologyCounters;
import io.aeron.RethrowingErrorHandler;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * The appliance's lifecycle: starts its components in order and stops them in reverse.
 * <pre>
 *   start: conclude the context (every component's settings checked, sizes computed once), pre-flight check, media driver (embedded or external) and error log, Aeron client, counters,
 *          ingress subscription, ring (and its journaller), egress, shards and their processors, ring producer,
 *          journal (archive, recovery from snapshot and journal with the egress muted, recording extended),
 *          ingress agent, the daemon's thread; then "sluice: ready"
 *   stop:  ingress stops reading, a last snapshot (journal on), processors drain the ring, egress closes and
 *          waits until every live receiver has everything, thread, journal, counters, client, driver (an embedded
 *          driver's directory deleted)
 * </pre>
 * A failed start, an {@link Error} included, closes what was already started before the failure propagates.
 * Control thread only.
 */
public final class SluiceDaemon implements AutoCloseable
{
    /** Version printed in the start-up summary. */
    public static final String VERSION = versionOf();

    private final DaemonContext ctx;
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
    private Journal journal;
    private AgentRunner runner;
    private ExporterProcess metrics;
    private Authentication auth;
    private boolean ready;
    private boolean closed;
    private volatile boolean stopRequested;

    private SluiceDaemon(final DaemonContext ctx)
    {
        this.ctx = ctx;
        this.config = ctx.config();
        this.out = ctx.out();
        this.errorHandler = new DaemonErrorHandler(out);
    }

    /**
     * Start a daemon from a configuration: {@link #start(DaemonContext)} of {@code DaemonContext.from(config).out(out)}.
     *
     * @param config validated configuration.
     * @param out    where the summary and log lines go.
     * @return the running daemon.
     * @throws ConfigurationException when a setting does not fit this host, or a channel, port or directory is
     *                                unusable; the message names the key.
     */
    public static SluiceDaemon start(final SluiceConfig config, final PrintStream out)
    {
        return start(DaemonContext.from(config).out(out));
    }

    /**
     * Start a daemon: conclude the context when it is not yet concluded, check it against this host, then start
     * the components in order. On any failure, an {@link Error} such as running out of direct memory included, what
     * was started is closed again (an embedded driver's directory deleted) before the failure propagates.
     *
     * @param ctx the daemon's configuration and component contexts.
     * @return the running daemon.
     * @throws ConfigurationException when a setting is out of range or does not fit this host, or a channel, port or
     *                                directory is unusable; the message names the key.
     */
    public static SluiceDaemon start(final DaemonContext ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        final SluiceDaemon daemon = new SluiceDaemon(ctx);
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
        Preflight.check(ctx);
        final Credentials credentials = Authentication.readAtStart(config);
        final AgentInvoker driverInvoker = startDriver();
        aeron = connect(driverInvoker);
        counters = new SluiceCounters(aeron);
        errorHandler.errorCounter(counters.errors());
        auth = null == credentials ? null : Authentication.start(config, credentials, aeron, counters, out, errorHandler);

        final ShardContext shards = ctx.shards();
        final IngressAgent.Context ingressContext = ctx.ingress();
        final Subscription subscription = null == auth ? ingressContext.subscribe(aeron) :
            ingressContext.subscribe(aeron, auth.gate()::onUnavailableImage);
        final boolean shared = ThreadingMode.SHARED == config.threading();
        final SluiceRing ring = new SluiceRing(ctx.ring());
        final Journal.Context journalContext = ctx.journal();
        final boolean journalOn = JournalMode.OFF != journalContext.mode();
        final Journaller journaller = journalOn ? new Journaller(ring) : null;
        final ApplianceTopology topology = ctx.topology();
        final java.nio.file.Path journalDir = java.nio.file.Path.of(journalContext.dir()).toAbsolutePath();
        final MoveAnswers moveAnswers = new MoveAnswers(errorHandler);
        if (null != topology)
        {
            shards.sliceRoot(ApplianceTopology.sliceRoot(journalDir)).ownershipListener(moveAnswers);
        }
        egress = EgressGroup.open(aeron, ctx.egress(), counters, shared ? driverInvoker : null,
            null == auth ? null : auth.directory());
        group = Shards.processors(config, shards, ring, egress, aeron, counters, errorHandler, out,
            JournalMode.SYNC == journalContext.mode() ? journaller.recorded() : null);
        final RingProducer producer = shards.newProducer(ring, counters.ticks());
        if (null != topology)
        {
            producer.ownership(topology.ownershipBeforeRecovery(journalDir));
        }
        if (journalOn)
        {
            journalContext.aeron(aeron).driverInvoker(driverInvoker).counters(counters).errorHandler(errorHandler);
            journal = Journal.open(journalContext, shards, journaller, group.processors(), producer, egress);
        }
        final boolean ownershipFromFile = null != topology &&
            topology.ownershipAfterRecovery(producer.ownership(), journalDir);
        final TopologyCounters topologyCounters = new TopologyCounters(counters, aeron, null != topology);
        topologyCounters.ownership(producer.ownership());
        final RuleSwapAgent rules = rules(producer, journalOn ? journaller : null);
        final TopologyAgent topologyAgent = new TopologyAgent(producer, group.processors(),
            java.nio.file.Path.of(config.driverDir()).toAbsolutePath(), ApplianceTopology.sliceRoot(journalDir),
            null == topology ? "" : topology.appliance(), shards.stateCapacity(), topologyCounters, moveAnswers,
            new SliceFiles(shards.router()), new org.agrona.concurrent.SystemNanoClock(), errorHandler);
        if (journalOn)
        {
            journaller.ownershipJournaled(topologyAgent::onOwnershipJournaled);
        }
        if (null != auth)
        {
            auth.gate().journalTo(producer);
            auth.gate().admin(new DaemonAdmin(config, aeron, () -> stopRequested = true, errorHandler));
        }
        ingress = new IngressAgent(ingressContext, subscription, producer, counters, null == auth ? null : auth.gate());
        runner = DaemonAgents.runner(
            config, driverInvoker, aeron, ingress, group, journal, rules, topologyAgent, counters, errorHandler, out);

        out.print(StartupSummary.render(config, driver, ring, shared, shards.hashSeed(), journal));
        final long version = rules.configVersion();
        out.println("  rules     configuration version " + version + (0 == version ? " (the configuration file's)" :
            " (a live change the journal holds; the file's sluice.alert.* rules are not in force)") + ": " +
            RuleRequests.describe(group.processors()[0].alerts().rules()) + "; change with: sluice rules apply");
        out.println("  auth      " + (null == auth ? Authentication.describeOff() : auth.describe()));
        if (null != topology)
        {
            out.println("  topology: " + topology.describe(producer.ownership(), ownershipFromFile));
        }
        ReloadSignal.install(this::reloadCredentials);
        if (ctx.metrics().isEnabled())
        {
            metrics = ExporterProcess.start(ctx.metrics());
            out.println("  metrics   " + metrics.url() + " (Prometheus, exporter process " + metrics.pid() + ")");
        }
        group.start();
        AgentRunner.startOnThread(runner);
        errorHandler.startPrinting();
        ready = true;
        out.println("sluice: ready");
        out.flush();
    }

    private RuleSwapAgent rules(final RingProducer producer, final Journaller journaller)
    {
        io.sluice.core.alert.AlertRules.warmUp(20_000);
        RuleSwapAgent.recovered(group.processors(), producer);
        final org.agrona.concurrent.status.AtomicCounter[] maxSwitch =
            new org.agrona.concurrent.status.AtomicCounter[group.processors().length];
        for (int shard = 0; shard < maxSwitch.length; shard++)
        {
            maxSwitch[shard] = counters.newCounter(aeron, SluiceCounters.RULES_MAX_SWITCH_TYPE_ID, shard,
                "sluice processor " + shard + " rules max switch ns");
        }
        final RuleSwapAgent rules = new RuleSwapAgent(producer, group.processors(),
            java.nio.file.Path.of(config.driverDir()).toAbsolutePath(), null != journaller,
            io.sluice.config.WindowType.NONE != config.windowType(),
            counters.newCounter(aeron, SluiceCounters.RULES_REQUEST_TYPE_ID, "sluice rules request"),
            counters.newCounter(aeron, SluiceCounters.RULES_RESULT_TYPE_ID, "sluice rules result"),
            counters.newCounter(aeron, SluiceCounters.CONFIG_VERSION_TYPE_ID, "sluice config version"),
            counters.newCounter(aeron, SluiceCounters.RULES_POSITION_TYPE_ID, "sluice rules position"),
            maxSwitch, new org.agrona.concurrent.SystemNanoClock(), errorHandler);
        if (null != journaller)
        {
            journaller.rulesJournaled(rules::onRulesJournaled);
        }
        return rules;
    }

    private AgentInvoker startDriver()
    {
        if (DriverMode.EMBEDDED == config.driverMode())
        {
            driver = EmbeddedDriver.launch(ctx.driver().errorHandler(errorHandler.driverErrors()));
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
            final Aeron.Context aeronContext = new Aeron.Context()
                .aeronDirectoryName(config.driverDir())
                .errorHandler(errorHandler)
                .useConductorAgentInvoker(null != driverInvoker)
                .driverAgentInvoker(driverInvoker);
            if (null != driverInvoker && JournalMode.OFF != config.journalMode())
            {
                // the embedded Archive shares this client (INVOKER mode) and requires its subscribers to rethrow
                aeronContext.subscriberErrorHandler(RethrowingErrorHandler.INSTANCE);
            }
            return AeronProperties.applyWhile(config.aeronProperties(), () -> Aeron.connect(aeronContext));
        }
        catch (final DriverTimeoutException ex)
        {
            throw new ConfigurationException(
                SluiceConfig.DRIVER_DIR, config.driverDir(), "has no running media driver to connect to: " + ex.getMessage());
        }
    }

    /**
     * @return the daemon's Aeron client, for reading counters ({@code countersReader()}). With an embedded driver in
     * invoker mode its conductor and the driver run on the daemon's thread: adding publications or subscriptions
     * through it from another thread would run their duty cycles on two threads at once; connect a client of your
     * own to {@code sluice.driver.dir} instead.
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
     * @return the concluded context the daemon started from.
     */
    public DaemonContext context()
    {
        return ctx;
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
        CloseHelper.quietClose(metrics);
        final long deadlineNs = System.nanoTime() + config.shutdownTimeoutNs();
        if (null != runner)
        {
            ingress.stopConsuming();
            if (null != journal)
            {
                journal.snapshotOnStop(deadlineNs, out);
            }
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
        if (null != auth)
        {
            auth.close();
        }
        writeLatency();
        CloseHelper.quietCloseAll(journal, counters, aeron, driver, errorLogFile);
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
                egress.writeLatency(ctx.egress().latencyHistogramFile(), out);
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
        if (null != auth && ready && !closed)
        {
            auth.poll();
        }
    }

    /**
     * Read the credentials file again ({@code sluice.auth.file}) and hand it to the ingress, which applies it
     * between two messages; a bad file keeps the credentials in force and is reported. SIGHUP's handler calls it;
     * any thread but the ingress's.
     *
     * @return true when the file was read and handed over; false with authentication off or a bad file.
     */
    public boolean reloadCredentials()
    {
        if (null == auth)
        {
            out.println("sluice: nothing to reload: authentication is off (" + SluiceConfig.AUTH_FILE + " is empty)");
            return false;
        }
        try
        {
            final Credentials credentials = auth.reload();
            out.println("sluice: credentials reloaded: " + credentials.size() + " clients, fingerprint " +
                String.format("%016x", credentials.fingerprint()));
            return true;
        }
        catch (final CredentialsException ex)
        {
            out.println("sluice: credentials not reloaded, the ones in force stay: " + ex.getMessage());
            errorHandler.onError(ex);
            return false;
        }
    }

    /**
     * @return true once an admin client asked the daemon to stop (AdminRequest SHUTDOWN); the thread that waits for
     * SIGTERM then closes it as it would on the signal. Any thread.
     */
    public boolean stopRequested()
    {
        return stopRequested;
    }

    /**
     * @return authentication ({@code sluice.auth.file} set), or null when it is off.
     */
    public Authentication authentication()
    {
        return auth;
    }

    private static String versionOf()
    {
        final String version = SluiceDaemon.class.getPackage().getImplementationVersion();
        return null == version ? "dev" : version;
    }
}
