package io.sluice.transport.daemon;

import io.aeron.Aeron;
import io.sluice.config.SluiceConfig;
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
import io.sluice.transport.counters.SluiceCounters;
import io.sluice.transport.egress.EgressGroup;
import org.agrona.ErrorHandler;

import java.io.PrintStream;

/**
 * Builds the core side of the daemon from its configuration: each shard's state table, logic (running aggregates
 * or windows, with the alert rules) and processor, the group that runs them in the configured thread layout, and
 * the ring producer the ingress writes through. Start-up path only.
 */
final class Shards
{
    private Shards()
    {
    }

    static ProcessorGroup processors(
        final SluiceConfig config,
        final SluiceRing ring,
        final ShardRouter router,
        final EgressGroup egress,
        final Aeron aeron,
        final SluiceCounters counters,
        final ErrorHandler errorHandler,
        final PrintStream out)
    {
        final WindowSpec windowSpec = WindowSpec.of(config);
        final AlertRules alerts = new AlertRules(config.alertRules());
        final int[] cpus = config.processorCpus();
        final ShardProcessor[] processors = new ShardProcessor[config.processorCount()];
        for (int shard = 0; shard < processors.length; shard++)
        {
            final KeyStateTable table = new KeyStateTable(
                config.stateCapacity(), null == windowSpec ? 0 : windowSpec.panesPerKey(), router);
            final ShardCounters shardCounters = counters.processor(aeron, shard);
            final ShardLogic logic = null == windowSpec ?
                new RunningAggregates(table, egress.publisher(shard), shardCounters, alerts) :
                new WindowEngine(windowSpec, table, egress.publisher(shard), shardCounters, alerts,
                    config.evictAfterWindows());
            final CpuPin pin = new CpuPin(cpus.length == 0 ? -1 : cpus[shard], out);
            processors[shard] = new ShardProcessor(
                shard, logic, egress.publisher(shard), shardCounters, pin::pin, pin::release);
        }
        return new ProcessorGroup(ring, processors, config.threading(), errorHandler);
    }

    static RingProducer producer(
        final SluiceConfig config, final SluiceRing ring, final ShardRouter router, final SluiceCounters counters)
    {
        final WindowSpec windowSpec = WindowSpec.of(config);
        final WatermarkTracker watermarks = null == windowSpec ? null : new WatermarkTracker(
            windowSpec.slideNs(), windowSpec.latenessNs(), config.tickIntervalNs(), config.idleAdvanceNs());
        return new RingProducer(ring, router, config.processorCount(), watermarks, counters.ticks());
    }
}
