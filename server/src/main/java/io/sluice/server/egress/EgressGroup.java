package io.sluice.server.egress;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.sluice.config.AlertRule;
import io.sluice.config.ConfigurationException;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.server.auth.SessionDirectory;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.driver.Channels;
import io.sluice.driver.IdleStrategies;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.AgentInvoker;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's egress: one {@link EgressPublisher} per processor and what the egress does at a stop (stop retrying,
 * close, wait until receivers have everything, report the internal latency). With authentication off each publisher
 * has an {@link ExclusivePublication} of its own on the shared egress channel; with it on there is no shared
 * publication (nobody could subscribe to other clients' results on it) and each publisher routes by the
 * {@link SessionDirectory} to the sessions' publications, which the ingress opens and closes.
 * Built and closed on the control thread; each publisher is then used by its processor's thread only.
 */
public final class EgressGroup
{
    private final EgressPublisher[] publishers;
    private final ShardLatency latency;
    private final SessionDirectory directory;

    private EgressGroup(final EgressPublisher[] publishers, final ShardLatency latency, final SessionDirectory directory)
    {
        this.publishers = publishers;
        this.latency = latency;
        this.directory = directory;
    }

    /**
     * @param aeron         the daemon's client.
     * @param ctx           a concluded context: channel, stream, processor count, retry idle strategy, latency
     *                      recording, alert rule names.
     * @param counters      where each publisher's counters are registered.
     * @param driverInvoker the embedded driver's invoker when the processors' thread also runs the driver, else null.
     * @param directory     the authenticated sessions, each client's results going only to its own session and window
     *                      results and alerts to sessions with {@code subscribe} (the egress channel is not opened);
     *                      null when authentication is off: one shared publication per processor on the egress
     *                      channel.
     * @return the egress, one publisher per processor.
     * @throws io.sluice.config.ConfigurationException naming the egress channel when it cannot be opened.
     * @throws IllegalStateException when the context was not concluded.
     */
    public static EgressGroup open(
        final Aeron aeron,
        final Context ctx,
        final SluiceCounters counters,
        final AgentInvoker driverInvoker,
        final SessionDirectory directory)
    {
        ctx.checkConcluded();
        final String channel = ctx.channel();
        final int streamId = ctx.streamId();
        final EgressPublisher[] publishers = new EgressPublisher[ctx.processorCount()];
        final ShardLatency latency = ctx.latencyHistogramFile().isEmpty() ? null : new ShardLatency(publishers.length);
        for (int i = 0; i < publishers.length; i++)
        {
            final Counter[] egressCounters = counters.egress(aeron, i);
            if (null == directory)
            {
                final ExclusivePublication publication = Channels.open(SluiceConfig.EGRESS_CHANNEL, channel,
                    () -> aeron.addExclusivePublication(channel, streamId));
                publishers[i] = new EgressPublisher(
                    publication, IdleStrategies.create(ctx.retryIdleStrategy()), driverInvoker,
                    egressCounters[0], egressCounters[1], egressCounters[2],
                    null == latency ? null : latency.recorder(i),
                    ctx.latencyCounters() ? counters.latency(aeron, i) : null,
                    ctx.alertRuleNames());
            }
            else
            {
                publishers[i] = new EgressPublisher(
                    directory, IdleStrategies.create(ctx.retryIdleStrategy()), driverInvoker,
                    egressCounters[0], egressCounters[1], egressCounters[2],
                    null == latency ? null : latency.recorder(i),
                    ctx.latencyCounters() ? counters.latency(aeron, i) : null,
                    ctx.alertRuleNames());
            }
        }
        return new EgressGroup(publishers, latency, directory);
    }

    /**
     * @return the processors' internal latency for the latency file, or null when no latency file is configured.
     */
    public ShardLatency latency()
    {
        return latency;
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
     * Mute or unmute every publisher (journal recovery replays with answers muted). Before the processors start.
     *
     * @param muted true to send nothing.
     */
    public void mute(final boolean muted)
    {
        for (final EgressPublisher publisher : publishers)
        {
            publisher.mute(muted);
        }
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
     * Close the publications and wait until every live receiver has everything; see {@link EgressDrain}. With
     * authentication on these are the publications of the sessions live now (after the processors stopped): the
     * stop closes them itself so that every result already written reaches a client still reading; the ingress
     * closing them again is a no-op.
     *
     * @param aeron      the daemon's client.
     * @param deadlineNs {@link System#nanoTime()} by which to give up.
     * @param log        where a give-up is reported.
     * @return true when every receiver confirmed in time.
     */
    public boolean closeAndAwaitReceived(final Aeron aeron, final long deadlineNs, final PrintStream log)
    {
        final Publication[] publications;
        if (null == directory)
        {
            publications = new Publication[publishers.length];
            for (int i = 0; i < publishers.length; i++)
            {
                publications[i] = publishers[i].publication();
            }
        }
        else
        {
            final SessionDirectory.View view = directory.view();
            publications = new Publication[view.size()];
            for (int i = 0; i < publications.length; i++)
            {
                publications[i] = view.session(i);
            }
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
        if (file.isEmpty() || null == latency)
        {
            return;
        }
        final Histogram merged = latency.merged();
        try (PrintStream out = new PrintStream(file, "US-ASCII"))
        {
            merged.outputPercentileDistribution(out, 1000.0);
        }
        log.printf("sluice: internal latency (ingress receive -> egress offer) of %,d events: p50 %.1f us, " +
            "p99 %.1f us, max %.1f us; written to %s%n", merged.getTotalCount(), merged.getValueAtPercentile(50) / 1000.0,
            merged.getValueAtPercentile(99) / 1000.0, merged.getMaxValue() / 1000.0, file);
    }

    /**
     * What the egress is configured with: its channel and stream, one publication per processor, the idle strategy
     * a back-pressured offer retries with, the file the internal latency goes to at a stop (empty: none), whether
     * the internal latency is counted into the CnC file's histogram counters (for the metrics exporter) and the
     * alert rule names
     * alerts carry. Set what differs from the declared defaults ({@link Settings}), or take every
     * value from a configuration with {@link #from(SluiceConfig)}, then {@link #conclude()} once.
     * <p>
     * Start-up only; not thread safe.
     */
    public static final class Context
    {
        private String channel;
        private Integer streamId;
        private Integer processorCount;
        private IdleStrategyType retryIdleStrategy;
        private String latencyHistogramFile;
        private boolean latencyCounters;
        private List<String> alertRuleNames;
        private boolean concluded;

        /**
         * @param config the daemon's configuration, the one place its egress settings are read.
         * @return a context holding the egress channel and stream, processor count, the ingress thread's idle
         * strategy for retries, the latency histogram file and the alert rule names, not yet concluded.
         */
        public static Context from(final SluiceConfig config)
        {
            final List<String> ruleNames = new ArrayList<>();
            for (final AlertRule rule : config.alertRules())
            {
                ruleNames.add(rule.name());
            }
            return new Context()
                .channel(config.egressChannel())
                .streamId(config.egressStreamId())
                .processorCount(config.processorCount())
                .retryIdleStrategy(config.ingressIdleStrategy())
                .latencyHistogramFile(config.latencyHistogramFile())
                .latencyCounters(!config.metricsEndpoint().isEmpty())
                .alertRuleNames(ruleNames);
        }

        /**
         * Fill defaults from the declarations in {@link Settings} and check every value against its declared range.
         * Runs once.
         *
         * @return this.
         * @throws ConfigurationException naming the key of the first value out of range, e.g.
         *                                {@code sluice.processor.count=0 must be in [1, 64]}.
         * @throws IllegalStateException  when called a second time.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("EgressGroup.Context is already concluded");
            }
            channel = Settings.EGRESS_CHANNEL.valueOrDefault(channel);
            streamId = Settings.EGRESS_STREAM_ID.valueOrDefault(streamId);
            processorCount = Settings.PROCESSOR_COUNT.valueOrDefault(processorCount);
            retryIdleStrategy = Settings.INGRESS_IDLE_STRATEGY.valueOrDefault(retryIdleStrategy);
            latencyHistogramFile = Settings.LATENCY_HISTOGRAM_FILE.valueOrDefault(latencyHistogramFile);
            alertRuleNames = null == alertRuleNames ? List.of() : List.copyOf(alertRuleNames);
            concluded = true;
            return this;
        }

        /**
         * @param channel Aeron URI results are published on ({@link SluiceConfig#EGRESS_CHANNEL}).
         * @return this.
         */
        public Context channel(final String channel)
        {
            this.channel = channel;
            return this;
        }

        /**
         * @return Aeron URI results are published on; null before conclude when not set.
         */
        public String channel()
        {
            return channel;
        }

        /**
         * @param streamId stream id on the channel ({@link SluiceConfig#EGRESS_STREAM_ID}).
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
         * @param processorCount publications, one per processor ({@link SluiceConfig#PROCESSOR_COUNT}).
         * @return this.
         */
        public Context processorCount(final int processorCount)
        {
            this.processorCount = processorCount;
            return this;
        }

        /**
         * @return publications, one per processor.
         */
        public Integer processorCount()
        {
            return processorCount;
        }

        /**
         * @param retryIdleStrategy how a back-pressured offer idles between retries; the ingress (or shared)
         *                          thread's ({@link SluiceConfig#INGRESS_IDLE_STRATEGY}).
         * @return this.
         */
        public Context retryIdleStrategy(final IdleStrategyType retryIdleStrategy)
        {
            this.retryIdleStrategy = retryIdleStrategy;
            return this;
        }

        /**
         * @return how a back-pressured offer idles between retries.
         */
        public IdleStrategyType retryIdleStrategy()
        {
            return retryIdleStrategy;
        }

        /**
         * @param latencyHistogramFile where the internal latency goes at a stop, empty for not recorded
         *                             ({@link SluiceConfig#LATENCY_HISTOGRAM_FILE}).
         * @return this.
         */
        public Context latencyHistogramFile(final String latencyHistogramFile)
        {
            this.latencyHistogramFile = latencyHistogramFile;
            return this;
        }

        /**
         * @return where the internal latency goes at a stop, empty for not recorded.
         */
        public String latencyHistogramFile()
        {
            return latencyHistogramFile;
        }

        /**
         * @param latencyCounters true to count each processor's internal latency into histogram counters in the CnC
         *                        file ({@link io.sluice.server.counters.LatencyCounters}), which the metrics
         *                        exporter serves; the daemon sets it when {@link SluiceConfig#METRICS_ENDPOINT}
         *                        is set.
         * @return this.
         */
        public Context latencyCounters(final boolean latencyCounters)
        {
            this.latencyCounters = latencyCounters;
            return this;
        }

        /**
         * @return true when the processors count their internal latency into the CnC file's histogram counters.
         */
        public boolean latencyCounters()
        {
            return latencyCounters;
        }

        /**
         * @param alertRuleNames the alert rules' names by rule index; none when not set.
         * @return this.
         */
        public Context alertRuleNames(final List<String> alertRuleNames)
        {
            this.alertRuleNames = alertRuleNames;
            return this;
        }

        /**
         * @return the alert rules' names by rule index.
         */
        public List<String> alertRuleNames()
        {
            return alertRuleNames;
        }

        /**
         * @return true once {@link #conclude()} succeeded.
         */
        public boolean isConcluded()
        {
            return concluded;
        }

        private void checkConcluded()
        {
            if (!concluded)
            {
                throw new IllegalStateException("EgressGroup.Context is not concluded");
            }
        }
    }
}
