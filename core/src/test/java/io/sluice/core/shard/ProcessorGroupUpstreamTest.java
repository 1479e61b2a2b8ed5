package io.sluice.core.shard;

import com.lmax.disruptor.Sequence;
import io.sluice.config.ThreadingMode;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.logic.RecordingSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.state.KeyStateTable;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Processors gated on an upstream sequence (the journal's, in sync mode) handle no entry beyond it.
 */
class ProcessorGroupUpstreamTest
{
    private static final ShardRouter ROUTER = new ShardRouter(42);

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SHARED", "DEDICATED"})
    @Timeout(30)
    void shouldHandleNoEntryBeyondTheUpstreamSequence(final ThreadingMode mode) throws Exception
    {
        final SluiceRing ring = new SluiceRing(16, WaitStrategyType.SLEEPING);
        final TestCounters counters = new TestCounters();
        final RecordingSink sink = new RecordingSink();
        final ShardCounters shardCounters = counters.processor(0);
        final ShardProcessor processor =
            TestProcessors.running(0, new KeyStateTable(16, 0, ROUTER), sink, shardCounters);
        final Sequence upstream = new Sequence(-1);
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final ProcessorGroup group =
            new ProcessorGroup(ring, new ShardProcessor[]{processor}, mode, errors::add, upstream);
        group.start();
        final Agent agent = group.pollAgent();
        final RingProducer producer = new RingProducer(ring, ROUTER, 1, null, counters.counter("ticks"));
        for (int i = 0; i < 6; i++)
        {
            assertEquals(RingProducer.OFFERED, producer.offerEvent(1, i, 5, 1, 1.0, 0));
        }

        upstream.set(2);
        awaitProcessed(agent, shardCounters, 3);
        if (null != agent)
        {
            assertEquals(0, agent.doWork(), "nothing beyond the upstream sequence");
        }
        assertEquals(3, shardCounters.processed().get());
        assertFalse(group.isDrained());

        upstream.set(5);
        awaitProcessed(agent, shardCounters, 6);
        assertTrue(group.drainAndStop(10, TimeUnit.SECONDS));
        assertEquals(6, sink.results.size());
        assertEquals(6, sink.results.get(5).count());
        assertEquals(List.of(), errors);
    }

    private static void awaitProcessed(final Agent agent, final ShardCounters counters, final long processed)
        throws Exception
    {
        while (counters.processed().get() < processed)
        {
            if (null != agent)
            {
                agent.doWork();
            }
            else
            {
                Thread.yield();
            }
        }
    }
}
