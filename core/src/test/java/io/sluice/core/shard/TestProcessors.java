package io.sluice.core.shard;

import io.sluice.core.alert.AlertRules;
import io.sluice.core.running.RunningAggregates;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.state.KeyStateTable;

import java.util.List;

/**
 * Processors as the daemon wires them, for tests.
 */
public final class TestProcessors
{
    private TestProcessors()
    {
    }

    /**
     * @return a processor of running aggregates without alerts, pinning nothing.
     */
    public static ShardProcessor running(
        final int shard, final KeyStateTable table, final ResultSink sink, final ShardCounters counters)
    {
        return new ShardProcessor(shard, new RunningAggregates(table, sink, counters, new AlertRules(List.of())), sink,
            counters, null, null);
    }
}
