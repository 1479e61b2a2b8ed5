package io.sluice.server.daemon;

import com.lmax.disruptor.Sequence;
import io.aeron.Aeron;
import io.sluice.config.SluiceConfig;
import io.sluice.core.shard.CpuPin;
import io.sluice.core.shard.ProcessorGroup;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.SluiceRing;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.egress.EgressGroup;
import org.agrona.ErrorHandler;

import java.io.PrintStream;

/**
 * Runs the daemon's shards: for each, the logic the concluded {@link ShardContext} builds (its state table,
 * running aggregates or windows, the alert rules) and its processor, pinned as configured; then the group that runs
 * them in the configured thread layout, behind the journal's recorded sequence in sync mode. Start-up path only.
 */
final class Shards
{
    private Shards()
    {
    }

    static ProcessorGroup processors(
        final SluiceConfig config,
        final ShardContext shardContext,
        final SluiceRing ring,
        final EgressGroup egress,
        final Aeron aeron,
        final SluiceCounters counters,
        final ErrorHandler errorHandler,
        final PrintStream out,
        final Sequence upstream)
    {
        final int[] cpus = config.processorCpus();
        final ShardProcessor[] processors = shardContext.newProcessors(egress::publisher,
            (shard) -> counters.processor(aeron, shard), (shard) -> new CpuPin(cpus.length == 0 ? -1 : cpus[shard], out));
        return new ProcessorGroup(ring, processors, config.threading(), errorHandler, upstream);
    }
}
