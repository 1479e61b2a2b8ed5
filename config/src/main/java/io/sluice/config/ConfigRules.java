package io.sluice.config;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.sluice.config.SluiceConfig.CLUSTER_MEMBERS;
import static io.sluice.config.SluiceConfig.DRIVER_MODE;
import static io.sluice.config.SluiceConfig.HASH_SEED;
import static io.sluice.config.SluiceConfig.INGRESS_CPU;
import static io.sluice.config.SluiceConfig.INGRESS_STREAM_ID;
import static io.sluice.config.SluiceConfig.JOURNAL_MODE;
import static io.sluice.config.SluiceConfig.MAX_EVICTION_HORIZON_NS;
import static io.sluice.config.SluiceConfig.MAX_PANES_PER_KEY;
import static io.sluice.config.SluiceConfig.PROCESSOR_COUNT;
import static io.sluice.config.SluiceConfig.THREADING;
import static io.sluice.config.SluiceConfig.WINDOW_SIZE;
import static io.sluice.config.SluiceConfig.WINDOW_TYPE;

/**
 * The rules between settings of one {@link SluiceConfig} that belong to no single component: pinning against
 * threading, the driver's threading against its mode, the tumbling slide, the window arithmetic against the
 * timestamp range, the batch against the ring, snapshots against the journal, what a cluster node needs, and
 * ingress against egress. A rule that one component context owns lives in that context alone (the timestamp
 * range in the ingress's, slide-divides-size and eviction-needs-windows in the shards').
 * <p>
 * Start-up only; not thread safe.
 */
final class ConfigRules
{
    /** Panes a key keeps beyond the slides its window and lateness cover. */
    static final int SPARE_PANES = 3;

    private static final String LARGEST_EPOCH_NS = "the largest epoch-ns time, " +
        Instant.ofEpochSecond(0, Long.MAX_VALUE);

    private final SluiceConfig config;

    /**
     * @param config the configuration to check, its settings each parsed and in range.
     */
    ConfigRules(final SluiceConfig config)
    {
        this.config = config;
    }

    /**
     * Check every rule that spans settings of one configuration and has no component context of its own to live in
     * (the timestamp range is the ingress's, slide and eviction the shards').
     *
     * @throws ConfigurationException naming the key of the first setting that breaks a rule.
     */
    void check()
    {
        final int cpus = config.processorCpus().length;
        if (cpus != 0 && cpus != config.processorCount())
        {
            throw fail(Settings.PROCESSOR_CPUS, "must list exactly " + PROCESSOR_COUNT + "=" + config.processorCount() +
                " CPUs, or be empty for no pinning");
        }
        if (cpus != 0 && config.threading() == ThreadingMode.SHARED)
        {
            throw fail(Settings.PROCESSOR_CPUS,
                "needs " + THREADING + "=dedicated; with shared threading pin the one thread with " + INGRESS_CPU);
        }
        if (config.driverThreading() == DriverThreading.INVOKER && config.driverMode() != DriverMode.EMBEDDED)
        {
            throw fail(Settings.DRIVER_THREADING,
                "needs " + DRIVER_MODE + "=embedded: only an embedded driver can be invoked");
        }
        if (config.windowType() == WindowType.TUMBLING && config.windowSlideNs() != config.windowSizeNs())
        {
            throw fail(Settings.WINDOW_SLIDE, "must equal " + WINDOW_SIZE + " (or be absent) for tumbling windows");
        }
        if (config.windowType() != WindowType.NONE)
        {
            checkWindowArithmetic();
        }
        else
        {
            for (final AlertRule rule : config.alertRules())
            {
                if (rule.on() == AlertRule.On.WINDOW || rule.field() != AlertRule.Field.VALUE)
                {
                    throw new ConfigurationException(AlertRule.PREFIX + rule.name() + ".on",
                        SettingText.formatEnum(rule.on()),
                        "with field " + SettingText.formatEnum(rule.field()) + " needs windows: set " + WINDOW_TYPE);
                }
            }
        }
        if ((long)config.batchMaxEvents() * 2 > config.ringLength())
        {
            throw fail(Settings.BATCH_MAX_EVENTS, "must be at most half of " + show(Settings.RING_LENGTH) +
                ": a batch's events and the ticks between them go into the ring at once");
        }
        if (config.journalMode() == JournalMode.OFF && config.snapshotIntervalNs() > 0)
        {
            throw fail(Settings.SNAPSHOT_INTERVAL, "needs a journal: set " + JOURNAL_MODE + "=async or sync");
        }
        if (config.isClustered())
        {
            checkCluster();
        }
        if (config.ingressChannel().equals(config.egressChannel()) &&
            config.ingressStreamId() == config.egressStreamId())
        {
            throw fail(Settings.EGRESS_STREAM_ID,
                "must differ from " + INGRESS_STREAM_ID + " when ingress and egress share a channel");
        }
    }

    /**
     * A cluster node (or a client of one, which sets no member id): every member parses, this node's id is among
     * them, and what a replicated state machine needs holds (a fixed hash seed, no journal of its own, processors on
     * the service thread, driver threads of its own).
     */
    private void checkCluster()
    {
        final List<Integer> ids = new ArrayList<>();
        for (final String member : config.clusterMembers().split("\\|"))
        {
            if (member.isBlank())
            {
                continue;
            }
            final String[] fields = member.trim().split(",");
            boolean endpoints = 6 == fields.length;
            for (int i = 1; endpoints && i < fields.length; i++)
            {
                final int colon = fields[i].lastIndexOf(':');
                endpoints = colon > 0 && colon < fields[i].length() - 1;
            }
            if (!endpoints)
            {
                throw fail(Settings.CLUSTER_MEMBERS, "must have member '" + member.trim() +
                    "' as id,ingress,consensus,log,catchup,archive with host:port endpoints");
            }
            try
            {
                ids.add(Integer.parseInt(fields[0].trim()));
            }
            catch (final NumberFormatException ex)
            {
                throw fail(Settings.CLUSTER_MEMBERS, "must have member '" + member.trim() + "' start with an integer id");
            }
        }
        if (-1 != config.clusterMemberId() && !ids.contains(config.clusterMemberId()))
        {
            throw fail(Settings.CLUSTER_MEMBER_ID, "must be one of the ids in " + CLUSTER_MEMBERS + ": " + ids);
        }
        if (config.hashSeedDrawn())
        {
            throw new ConfigurationException(HASH_SEED, "random",
                "must be a fixed number in a cluster: every node routes keys with the same seed");
        }
        if (config.journalMode() != JournalMode.OFF)
        {
            throw fail(Settings.JOURNAL_MODE, "must be off in a cluster: the cluster's replicated log is the journal");
        }
        if (config.threading() != ThreadingMode.SHARED)
        {
            throw fail(Settings.THREADING, "must be shared in a cluster: the processors run on the service thread");
        }
        if (config.driverMode() != DriverMode.EMBEDDED)
        {
            throw fail(Settings.DRIVER_MODE, "must be embedded in a cluster: each node runs its own driver beside its " +
                "archive and consensus module");
        }
        if (config.driverThreading() == DriverThreading.INVOKER)
        {
            throw fail(Settings.DRIVER_THREADING, "must be shared, shared-network or dedicated in a cluster: the " +
                "node's driver, archive and consensus module run their own threads");
        }
    }

    /**
     * Window size, lateness and slide are each at most {@link Settings#MAX_WINDOW_NS}, so every sum below fits a
     * {@code long}; products are checked with {@link Math#multiplyExact(long, long)} before any cast.
     */
    private void checkWindowArithmetic()
    {
        final long windowPanes = windowPanes(config);
        if (windowPanes > MAX_PANES_PER_KEY - SPARE_PANES)
        {
            throw fail(Settings.WINDOW_SLIDE, "is too small: (" + show(Settings.WINDOW_SIZE) + " + " +
                show(Settings.WINDOW_ALLOWED_LATENESS) + ") / slide is " + windowPanes + " panes, more than the " +
                (MAX_PANES_PER_KEY - SPARE_PANES) + " a key can keep");
        }
        final long spanNs = config.windowSizeNs() + config.allowedLatenessNs();
        if (config.timestampMaxNs() > Long.MAX_VALUE - spanNs)
        {
            throw fail(Settings.TIMESTAMP_MAX, "leaves no room for a window: + " + show(Settings.WINDOW_SIZE) + " + " +
                show(Settings.WINDOW_ALLOWED_LATENESS) + " passes " + LARGEST_EPOCH_NS);
        }
        final int evictAfterWindows = config.evictAfterWindows();
        if (evictAfterWindows > 0)
        {
            long horizonNs;
            try
            {
                horizonNs = Math.addExact(Math.multiplyExact((long)evictAfterWindows, config.windowSizeNs()), spanNs);
            }
            catch (final ArithmeticException ex)
            {
                horizonNs = Long.MAX_VALUE;
            }
            final String horizon = evictAfterWindows + " x " + show(Settings.WINDOW_SIZE) + " + " + WINDOW_SIZE + " + " +
                show(Settings.WINDOW_ALLOWED_LATENESS);
            if (horizonNs > MAX_EVICTION_HORIZON_NS)
            {
                throw fail(Settings.EVICT_AFTER_WINDOWS, "is too large: " + horizon + " must stay within 100 years (" +
                    SettingText.formatDuration(MAX_EVICTION_HORIZON_NS) + ") of event time");
            }
            if (config.timestampMaxNs() > Long.MAX_VALUE - horizonNs)
            {
                throw fail(Settings.EVICT_AFTER_WINDOWS, "is too large: " + show(Settings.TIMESTAMP_MAX) + " + " + horizon +
                    " passes " + LARGEST_EPOCH_NS);
            }
        }
    }

    /**
     * @param config a configuration, windowed or not.
     * @return {@code ceil((window size + allowed lateness) / slide)}: the slides a key's panes must cover.
     */
    static long windowPanes(final SluiceConfig config)
    {
        return (config.windowSizeNs() + config.allowedLatenessNs() + config.windowSlideNs() - 1) /
            config.windowSlideNs();
    }

    private <T> String show(final Setting<T> setting)
    {
        return setting.key() + "=" + setting.render(config.value(setting));
    }

    private <T> ConfigurationException fail(final Setting<T> setting, final String reason)
    {
        return new ConfigurationException(setting.key(), setting.render(config.value(setting)), reason);
    }
}
