package io.sluice.bench.jmh;

import io.sluice.config.AlertRule;
import io.sluice.config.ThreadingMode;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.shard.ProcessorGroup;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.ring.WatermarkTracker;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.state.Aggregate;
import io.sluice.core.state.KeyStateTable;
import io.sluice.core.window.WindowSpec;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The per-event path of core without the network, on one thread:
 * <pre>
 *   RingProducer (route, claim, write, publish) ─▶ EventPoller ─▶ ShardProcessor ─▶ KeyStateTable ─▶ ResultSink
 *                                                                                                   (Blackhole)
 * </pre>
 * and the state-table update alone. Run with {@code -prof gc}: both must show 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CorePathBenchmark
{
    private static final ShardRouter ROUTER = new ShardRouter(42);
    private static final int KEYS = 1024;

    private RingProducer producer;
    private Agent pollAgent;
    private RingProducer windowedProducer;
    private Agent windowedPollAgent;
    private long eventTime = 1_700_000_000_000_000_000L;
    private KeyStateTable table;
    private long[] keys;
    private int next;
    private Blackhole blackhole;

    /**
     * @param blackhole sink for results.
     */
    @Setup(Level.Trial)
    public void setUp(final Blackhole blackhole)
    {
        this.blackhole = blackhole;
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)));
        final ResultSink sink = new BlackholeSink(blackhole);
        final SluiceRing ring = new SluiceRing(1024, WaitStrategyType.BUSY_SPIN);
        producer = new RingProducer(ring, ROUTER, 2, null, counters.newCounter("ticks"));
        final ShardContext running = new ShardContext().processorCount(2).stateCapacity(4096).hashSeed(42).conclude();
        final ShardProcessor[] processors = running.newProcessors((shard) -> sink, (shard) -> counters(counters), null);
        pollAgent = new ProcessorGroup(ring, processors, ThreadingMode.SHARED, Throwable::printStackTrace).pollAgent();
        final WindowSpec spec = WindowSpec.of(1_000_000L, 250_000L, 100_000L);
        final SluiceRing windowedRing = new SluiceRing(1024, WaitStrategyType.BUSY_SPIN);
        windowedProducer = new RingProducer(windowedRing, ROUTER, 2,
            new WatermarkTracker(spec.slideNs(), spec.latenessNs(), 1, 0), counters.newCounter("ticks"));
        final ShardContext windows = new ShardContext()
            .processorCount(2)
            .stateCapacity(4096)
            .hashSeed(42)
            .windowSpec(spec)
            .evictAfterWindows(4)
            .alertRules(java.util.List.of(
                new AlertRule("hot", 0, AlertRule.On.WINDOW, AlertRule.Field.MAX, AlertRule.Op.GT, 1e9)))
            .conclude();
        final ShardProcessor[] windowed = windows.newProcessors((shard) -> sink, (shard) -> counters(counters), null);
        windowedPollAgent = new ProcessorGroup(
            windowedRing, windowed, ThreadingMode.SHARED, Throwable::printStackTrace).pollAgent();
        table = new KeyStateTable(4096, 0, ROUTER);
        keys = new long[KEYS];
        for (int i = 0; i < KEYS; i++)
        {
            keys[i] = i * 7919L;
        }
    }

    /**
     * One event through ring hand-off, processor, state table and result sink.
     *
     * @return work done.
     * @throws Exception from the agent.
     */
    @Benchmark
    public int ringToProcessor() throws Exception
    {
        final long key = keys[next++ & (KEYS - 1)];
        producer.offerEvent(1, next, key, 1_700_000_000_000_000_000L, 1.5, next);
        return pollAgent.doWork();
    }

    /**
     * One event through the windowed path: the producer's watermark and ticks (event time advancing 1 us per event,
     * 1 ms sliding windows of 250 us slides, so windows close and idle keys are evicted all the time), the ring,
     * the window engine and the result sink.
     *
     * @return work done.
     * @throws Exception from the agent.
     */
    @Benchmark
    public int ringToWindowedProcessor() throws Exception
    {
        final long key = keys[next++ & (KEYS - 1)];
        eventTime += 1_000;
        windowedProducer.offerEvent(1, next, key, eventTime, 1.5, next);
        return windowedPollAgent.doWork();
    }

    /**
     * One state-table update: find or insert the key and apply a value.
     *
     * @return the key's count.
     */
    @Benchmark
    public long stateTableUpdate()
    {
        final long key = keys[next++ & (KEYS - 1)];
        final int slot = table.findOrInsert(key);
        table.apply(slot, 2.5, next);
        return table.count(slot);
    }

    private static ShardCounters counters(final CountersManager counters)
    {
        return new ShardCounters(
            counters.newCounter("p"), counters.newCounter("f"), counters.newCounter("k"), counters.newCounter("l"),
            counters.newCounter("w"), counters.newCounter("e"), counters.newCounter("a"), counters.newCounter("rs"),
            counters.newCounter("rl"), counters.newCounter("c"), counters.newCounter("s"));
    }

    static final class BlackholeSink implements ResultSink
    {
        private final Blackhole blackhole;

        BlackholeSink(final Blackhole blackhole)
        {
            this.blackhole = blackhole;
        }

        public void onEventResult(
            final long clientId, final long correlationId, final long key, final long timestamp,
            final Aggregate aggregate, final long receiveNanos, final int resultMode)
        {
            blackhole.consume(aggregate.sum());
            blackhole.consume(correlationId);
        }

        public void onQueryResult(
            final long clientId, final long correlationId, final long key, final boolean found, final Aggregate open,
            final Aggregate closed)
        {
            blackhole.consume(open.count());
        }

        public void onRejected(
        final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
            blackhole.consume(reason);
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
            blackhole.consume(lastCorrelationId);
        }

        public void onWindowResult(final long key, final long windowEnd, final Aggregate window)
        {
            blackhole.consume(window.count());
        }

        public void onAlert(
            final int ruleIndex, final long key, final long windowStart, final int field, final int op,
            final double observed, final double threshold)
        {
            blackhole.consume(observed);
        }
    }
}
