package io.sluice.transport.egress;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.sluice.config.AlertRule;
import io.sluice.config.SluiceConfig;
import io.sluice.transport.counters.SluiceCounters;
import io.sluice.transport.driver.Channels;
import io.sluice.transport.driver.IdleStrategies;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.AgentInvoker;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's egress: one {@link ExclusivePublication} and {@link EgressPublisher} per processor, and what the
 * egress does at a stop (stop retrying, close, wait until receivers have everything, report the internal latency).
 * Built and closed on the control thread; each publisher is then used by its processor's thread only.
 */
public final class EgressGroup
{
    private static final long HIGHEST_LATENCY_NS = 10_000_000_000L;

    private final EgressPublisher[] publishers;

    private EgressGroup(final EgressPublisher[] publishers)
    {
        this.publishers = publishers;
    }

    /**
     * @param aeron         the daemon's client.
     * @param config        channel, stream, processor count, retry idle strategy, latency recording, alert rules.
     * @param counters      where each publisher's counters are registered.
     * @param driverInvoker the embedded driver's invoker when the processors' thread also runs the driver, else null.
     * @return the egress, one publisher per processor.
     * @throws io.sluice.config.ConfigurationException naming the egress channel when it cannot be opened.
     */
    public static EgressGroup open(
        final Aeron aeron, final SluiceConfig config, final SluiceCounters counters, final AgentInvoker driverInvoker)
    {
        final List<String> ruleNames = new ArrayList<>();
        for (final AlertRule rule : config.alertRules())
        {
            ruleNames.add(rule.name());
        }
        final EgressPublisher[] publishers = new EgressPublisher[config.processorCount()];
        for (int i = 0; i < publishers.length; i++)
        {
            final ExclusivePublication publication = Channels.open(SluiceConfig.EGRESS_CHANNEL, config.egressChannel(),
                () -> aeron.addExclusivePublication(config.egressChannel(), config.egressStreamId()));
            final Counter[] egressCounters = counters.egress(aeron, i);
            publishers[i] = new EgressPublisher(
                publication, IdleStrategies.create(config.ingressIdleStrategy()), driverInvoker,
                egressCounters[0], egressCounters[1], egressCounters[2],
                config.latencyHistogramFile().isEmpty() ? null : new Histogram(HIGHEST_LATENCY_NS, 3), ruleNames);
        }
        return new EgressGroup(publishers);
    }

    /**
     * @param shard a processor's shard.
     * @return its publisher.
     */
    public EgressPublisher publisher(final int shard)
    {
        return publishers[shard];
    }

    /**
     * Stop retrying back-pressured offers: a stop must not wait for a subscriber that never reads. Any thread.
     */
    public void stopRetrying()
    {
        for (final EgressPublisher publisher : publishers)
        {
            publisher.stopRetrying();
        }
    }

    /**
     * Close the publications and wait until every live receiver has everything; see {@link EgressDrain}.
     *
     * @param aeron      the daemon's client.
     * @param deadlineNs {@link System#nanoTime()} by which to give up.
     * @param log        where a give-up is reported.
     * @return true when every receiver confirmed in time.
     */
    public boolean closeAndAwaitReceived(final Aeron aeron, final long deadlineNs, final PrintStream log)
    {
        final ExclusivePublication[] publications = new ExclusivePublication[publishers.length];
        for (int i = 0; i < publishers.length; i++)
        {
            publications[i] = publishers[i].publication();
        }
        return EgressDrain.closeAndAwaitReceived(aeron.countersReader(), publications, deadlineNs, log);
    }

    /**
     * Write the processors' merged internal latency (ingress receive to egress offer) to a file and say so. Only
     * after the processors stopped; does nothing when latency was not recorded.
     *
     * @param file where the percentile distribution goes.
     * @param log  where the one-line summary goes.
     * @throws IOException when the file cannot be written.
     */
    public void writeLatency(final String file, final PrintStream log) throws IOException
    {
        if (file.isEmpty())
        {
            return;
        }
        final Histogram merged = new Histogram(HIGHEST_LATENCY_NS, 3);
        for (final EgressPublisher publisher : publishers)
        {
            merged.add(publisher.latency());
        }
        try (PrintStream out = new PrintStream(file, "US-ASCII"))
        {
            merged.outputPercentileDistribution(out, 1000.0);
        }
        log.printf("sluice: internal latency (ingress receive -> egress offer) of %,d events: p50 %.1f us, " +
            "p99 %.1f us, max %.1f us; written to %s%n", merged.getTotalCount(), merged.getValueAtPercentile(50) / 1000.0,
            merged.getValueAtPercentile(99) / 1000.0, merged.getMaxValue() / 1000.0, file);
    }
}
