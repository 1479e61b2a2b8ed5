package io.sluice.server.daemon;

import io.sluice.config.ConfigurationException;
import io.sluice.config.JournalMode;
import io.sluice.config.SluiceConfig;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.ring.SluiceRing;
import io.sluice.driver.EmbeddedDriver;
import io.sluice.server.egress.EgressGroup;
import io.sluice.server.ingress.IngressAgent;
import io.sluice.server.journal.Journal;
import io.sluice.server.journal.JournalIdentity;
import io.sluice.server.journal.WindowChange;
import io.sluice.server.metrics.ExporterProcess;
import io.sluice.server.topology.ApplianceTopology;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What a daemon is made of: its configuration, the concluded contexts of its components (ring, shards, ingress,
 * egress, embedded driver, journal, metrics exporter), each taken from the configuration, the one place a setting is read, and where its summary and log
 * lines go. {@link #conclude()} concludes each component once, checks the rules between them and computes the
 * direct memory the daemon needs, before anything is allocated.
 * <p>
 * Start-up only; not thread safe.
 */
public final class DaemonContext
{
    private SluiceConfig config;
    private PrintStream out;
    private SluiceRing.Context ring;
    private ShardContext shards;
    private IngressAgent.Context ingress;
    private EgressGroup.Context egress;
    private EmbeddedDriver.Context driver;
    private Journal.Context journal;
    private ExporterProcess.Context metrics;
    private ApplianceTopology topology;
    private long directMemoryBytes;
    private boolean concluded;

    /**
     * @param config the validated configuration.
     * @return a context whose component contexts come from the configuration, printing to {@link System#out},
     * not yet concluded.
     */
    public static DaemonContext from(final SluiceConfig config)
    {
        return new DaemonContext()
            .config(config)
            .ring(SluiceRing.Context.from(config))
            .shards(ShardContext.from(config))
            .ingress(IngressAgent.Context.from(config))
            .egress(EgressGroup.Context.from(config))
            .driver(EmbeddedDriver.Context.from(config).customise(EmbeddedDriver::trackReceivers))
            .journal(Journal.Context.from(config))
            .metrics(ExporterProcess.Context.from(config));
    }

    /**
     * Conclude every component context (a component not set comes from the configuration, the configuration
     * from the declared defaults when not set; the ingress, driver, journal and exporter log to {@link #out()} unless
     * told otherwise), check
     * that the shards and the egress agree on the processor count, and compute the direct memory needed: ring,
     * every processor's state table and {@link Preflight#RESERVE_BYTES}. Runs once.
     *
     * @return this.
     * @throws ConfigurationException naming the key of the first value out of range.
     * @throws IllegalStateException  when called a second time.
     */
    public DaemonContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("DaemonContext is already concluded");
        }
        config = null == config ? SluiceConfig.of(new Properties()) : config;
        out = null == out ? System.out : out;
        ring = concluded(null == ring ? SluiceRing.Context.from(config) : ring);
        shards = null == shards ? ShardContext.from(config) : shards;
        journal = null == journal ? Journal.Context.from(config) : journal;
        if (!journal.isConcluded())
        {
            journal.log(null == journal.log() ? out : journal.log()).conclude();
        }
        final boolean journalOn = JournalMode.OFF != journal.mode();
        if (config.isClustered() && !config.value(io.sluice.config.Settings.TOPOLOGY_FILE).trim().isEmpty())
        {
            throw new ConfigurationException(SluiceConfig.TOPOLOGY_FILE,
                config.value(io.sluice.config.Settings.TOPOLOGY_FILE).trim(), ApplianceTopology.NOT_ON_CLUSTER);
        }
        topology = ApplianceTopology.of(config);
        final JournalIdentity identity = journalOn && !shards.isConcluded() ?
            JournalIdentity.adoptSeed(config, shards) : null;
        if (null != topology)
        {
            topology.checkJournal(JournalIdentity.read(Path.of(journal.dir()).toAbsolutePath()),
                Path.of(journal.dir()).toAbsolutePath());
            if (!shards.isConcluded())
            {
                // an appliance owns some ranges of the key groups: interleaving spreads each over every processor
                shards.hashSeed(topology.topology().hashSeed()).keyGroupCount(topology.topology().keyGroupCount())
                    .placement(io.sluice.core.route.ShardRouter.Placement.INTERLEAVED);
            }
        }
        shards = concluded(shards);
        long windowChangeBytes = 0;
        if (null != identity)
        {
            identity.check(Path.of(journal.dir()).toAbsolutePath(), shards);
            final WindowChange change = WindowChange.of(identity, shards);
            // a window change recovers under the journal's windows first: their tables, and parts of their size
            windowChangeBytes = null == change ? 0 : saturatedProduct(2L * shards.processorCount(),
                change.previous().tableBytes());
        }
        ingress = null == ingress ? IngressAgent.Context.from(config) : ingress;
        if (!ingress.isConcluded())
        {
            ingress.log(null == ingress.log() ? out : ingress.log()).conclude();
        }
        egress = null == egress ? EgressGroup.Context.from(config) : egress;
        if (!egress.isConcluded())
        {
            egress.conclude();
        }
        driver = null == driver ? EmbeddedDriver.Context.from(config).customise(EmbeddedDriver::trackReceivers) : driver;
        if (!driver.isConcluded())
        {
            driver.log(null == driver.log() ? out : driver.log()).conclude();
        }
        metrics = null == metrics ? ExporterProcess.Context.from(config) : metrics;
        if (!metrics.isConcluded())
        {
            metrics.log(null == metrics.log() ? out : metrics.log()).conclude();
        }
        if (!egress.processorCount().equals(shards.processorCount()))
        {
            throw new ConfigurationException(SluiceConfig.PROCESSOR_COUNT, Integer.toString(shards.processorCount()),
                "must be the same for the shards and the egress, which has " + egress.processorCount());
        }
        // with a journal, each processor's snapshot part holds a copy of its table; on a cluster node a restore also
        // reads the parts into one buffer, and the node's archive and consensus module have buffers of their own
        final long tableCopies = config.isClustered() ? 3L : journalOn ? 2L : 1L;
        directMemoryBytes = saturatedSum(saturatedSum(ring.bytes(), windowChangeBytes, 0), saturatedProduct(
            tableCopies * shards.processorCount(), shards.tableBytes()), Preflight.RESERVE_BYTES +
            (config.isClustered() ? Preflight.RESERVE_BYTES : 0));
        concluded = true;
        return this;
    }

    private static SluiceRing.Context concluded(final SluiceRing.Context ctx)
    {
        return ctx.isConcluded() ? ctx : ctx.conclude();
    }

    private static ShardContext concluded(final ShardContext ctx)
    {
        return ctx.isConcluded() ? ctx : ctx.conclude();
    }

    private static long saturatedProduct(final long a, final long b)
    {
        final long high = Math.multiplyHigh(a, b);
        final long low = a * b;
        return 0 == high && low >= 0 ? low : Long.MAX_VALUE;
    }

    private static long saturatedSum(final long a, final long b, final long c)
    {
        final long ab = a + b;
        final long abc = ab + c;
        return ab < 0 || abc < 0 ? Long.MAX_VALUE : abc;
    }

    /**
     * @return direct memory the daemon needs, bytes: ring, every processor's state table and the reserve for
     * Aeron's and Agrona's own buffers ({@link Long#MAX_VALUE} when that does not fit a long). The launcher
     * sizes {@code -XX:MaxDirectMemorySize} from it.
     * @throws IllegalStateException when not concluded.
     */
    public long directMemoryBytes()
    {
        if (!concluded)
        {
            throw new IllegalStateException("DaemonContext is not concluded");
        }
        return directMemoryBytes;
    }

    /**
     * @param config the validated configuration.
     * @return this.
     */
    public DaemonContext config(final SluiceConfig config)
    {
        this.config = config;
        return this;
    }

    /**
     * @return the configuration.
     */
    public SluiceConfig config()
    {
        return config;
    }

    /**
     * @param out where the summary and log lines go.
     * @return this.
     */
    public DaemonContext out(final PrintStream out)
    {
        this.out = out;
        return this;
    }

    /**
     * @return where the summary and log lines go.
     */
    public PrintStream out()
    {
        return out;
    }

    /**
     * @param ring the ring's context.
     * @return this.
     */
    public DaemonContext ring(final SluiceRing.Context ring)
    {
        this.ring = ring;
        return this;
    }

    /**
     * @return the ring's context.
     */
    public SluiceRing.Context ring()
    {
        return ring;
    }

    /**
     * @param shards the shards' context: state, windows, alerts, hash seed, processor count.
     * @return this.
     */
    public DaemonContext shards(final ShardContext shards)
    {
        this.shards = shards;
        return this;
    }

    /**
     * @return the shards' context.
     */
    public ShardContext shards()
    {
        return shards;
    }

    /**
     * @param ingress the ingress context.
     * @return this.
     */
    public DaemonContext ingress(final IngressAgent.Context ingress)
    {
        this.ingress = ingress;
        return this;
    }

    /**
     * @return the ingress context.
     */
    public IngressAgent.Context ingress()
    {
        return ingress;
    }

    /**
     * @param egress the egress context.
     * @return this.
     */
    public DaemonContext egress(final EgressGroup.Context egress)
    {
        this.egress = egress;
        return this;
    }

    /**
     * @return the egress context.
     */
    public EgressGroup.Context egress()
    {
        return egress;
    }

    /**
     * @param driver the embedded media driver's context (used when {@link SluiceConfig#DRIVER_MODE} is embedded).
     * @return this.
     */
    public DaemonContext driver(final EmbeddedDriver.Context driver)
    {
        this.driver = driver;
        return this;
    }

    /**
     * @return the embedded media driver's context.
     */
    public EmbeddedDriver.Context driver()
    {
        return driver;
    }

    /**
     * @param journal the journal's context (used when {@link SluiceConfig#JOURNAL_MODE} is not off).
     * @return this.
     */
    public DaemonContext journal(final Journal.Context journal)
    {
        this.journal = journal;
        return this;
    }

    /**
     * @return the journal's context.
     */
    public Journal.Context journal()
    {
        return journal;
    }

    /**
     * @param metrics the metrics exporter's context (an exporter runs when its endpoint is set).
     * @return this.
     */
    public DaemonContext metrics(final ExporterProcess.Context metrics)
    {
        this.metrics = metrics;
        return this;
    }

    /**
     * @return the metrics exporter's context.
     */
    public ExporterProcess.Context metrics()
    {
        return metrics;
    }

    /**
     * @return this daemon's place in a topology ({@code sluice.topology.file}), or null when not in topology mode;
     * set by {@link #conclude()}.
     */
    public ApplianceTopology topology()
    {
        return topology;
    }

    /**
     * @return true once {@link #conclude()} succeeded.
     */
    public boolean isConcluded()
    {
        return concluded;
    }
}
