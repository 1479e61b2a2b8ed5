package io.sluice.bench.jmh;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.config.AlertRule;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.shard.ProcessorGroup;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.ClientMarks;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.window.WindowSpec;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.egress.EgressPublisher;
import io.sluice.server.ingress.IngressAgent;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.NoOpIdleStrategy;

import java.io.File;
import java.util.List;

/**
 * The daemon's classes wired as the daemon wires them, in one thread, with the network swapped for Aeron IPC and an
 * embedded INVOKER driver: ingress publication ─▶ {@link IngressAgent} ─▶ ring ─▶ two running-aggregate
 * {@link ShardProcessor}s (or, with windows, two window engines with {@code config/demo.properties}' windows, alert
 * rules and state capacity) ─▶ {@link EgressPublisher}s ─▶ egress subscription. The benchmarks drive it by offering
 * to {@link #ingressPublication}, calling {@link #ingress} and {@link #processors}, and polling
 * {@link #egressSubscription}. Benchmark thread only.
 */
final class IpcDaemon implements AutoCloseable
{
    private static final ShardRouter ROUTER = new ShardRouter(42);
    static final int SHARDS = 2;

    final AgentInvoker driverInvoker;
    final AgentInvoker clientInvoker;
    final ExclusivePublication ingressPublication;
    final Subscription egressSubscription;
    final IngressAgent ingress;
    final Agent processors;

    private final String dir;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final SluiceCounters counters;

    /**
     * Launch and wait until the ingress publication is connected and both egress publications are heard.
     *
     * @param ingressChannel IPC channel the benchmark publishes on (its mtu sets the largest unfragmented message).
     * @param ringLength     entries in the ring.
     * @param batchMaxEvents most events in one EventBatch.
     */
    IpcDaemon(final String ingressChannel, final int ringLength, final int batchMaxEvents)
    {
        this(ingressChannel, ringLength, batchMaxEvents, false);
    }

    /**
     * @param ingressChannel IPC channel the benchmark publishes on (its mtu sets the largest unfragmented message).
     * @param ringLength     entries in the ring.
     * @param batchMaxEvents most events in one EventBatch.
     * @param latency        true to count each processor's internal latency into the CnC file's histogram
     *                       counters, as with the metrics endpoint on.
     */
    IpcDaemon(final String ingressChannel, final int ringLength, final int batchMaxEvents, final boolean latency)
    {
        this(ingressChannel, ringLength, batchMaxEvents, latency, false);
    }

    /**
     * @param ingressChannel the ingress publication's channel.
     * @param ringLength     ring entries.
     * @param batchMaxEvents most events in one batch.
     * @param latency        true to count each processor's internal latency into the CnC file's histogram
     *                       counters, as with the metrics endpoint on.
     * @param windows        true for the demo profile's windows and alerts (tumbling 1 s windows, 50 ms lateness,
     *                       200 ms idle advance, eviction after 5 windows, the rules {@code hot} (window max &gt; 108)
     *                       and {@code dip} (event value &lt; 90), 65,536 keys a shard); false for running aggregates
     *                       without alerts over 4,096 keys a shard.
     */
    IpcDaemon(
        final String ingressChannel,
        final int ringLength,
        final int batchMaxEvents,
        final boolean latency,
        final boolean windows)
    {
        dir = SluiceConfig.sharedMemoryDir() + "/sluice-jmh-" + ProcessHandle.current().pid();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.INVOKER)
            .ipcTermBufferLength(4 * 1024 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        driverInvoker = driver.sharedAgentInvoker();
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(dir)
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(driverInvoker));
        clientInvoker = aeron.conductorAgentInvoker();
        counters = new SluiceCounters(aeron);

        final Subscription ingressSubscription = aeron.addSubscription("aeron:ipc", 1001);
        ingressPublication = aeron.addExclusivePublication(ingressChannel, 1001);
        egressSubscription = aeron.addSubscription("aeron:ipc", 1002);
        final SluiceRing ring = new SluiceRing(ringLength, WaitStrategyType.BUSY_SPIN);
        final List<AlertRule> rules = windows ? List.of(
            new AlertRule("hot", 0, AlertRule.On.WINDOW, AlertRule.Field.MAX, AlertRule.Op.GT, 108),
            new AlertRule("dip", 1, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.LT, 90)) : List.of();
        final ShardContext shards = windows ? new ShardContext()
            .processorCount(SHARDS)
            .stateCapacity(65536)
            .hashSeed(42)
            .windowSpec(WindowSpec.of(1_000_000_000L, 1_000_000_000L, 50_000_000L))
            .tickIntervalNs(1_000_000L)
            .idleAdvanceNs(200_000_000L)
            .evictAfterWindows(5)
            .alertRules(rules)
            .batchMaxEvents(batchMaxEvents)
            .conclude() : new ShardContext()
            .processorCount(SHARDS)
            .stateCapacity(4096)
            .hashSeed(42)
            .batchMaxEvents(batchMaxEvents)
            .conclude();
        final EgressPublisher[] egress = new EgressPublisher[SHARDS];
        for (int i = 0; i < egress.length; i++)
        {
            final io.aeron.Counter[] egressCounters = counters.egress(aeron, i);
            egress[i] = new EgressPublisher(
                aeron.addExclusivePublication("aeron:ipc", 1002), new NoOpIdleStrategy(), driverInvoker,
                egressCounters[0], egressCounters[1], egressCounters[2],
                null, latency ? counters.latency(aeron, i) : null, windows ? List.of("hot", "dip") : List.of());
        }
        final ShardProcessor[] shardProcessors = shards.newProcessors(
            (shard) -> egress[shard], (shard) -> counters.processor(aeron, shard), null);
        processors = new ProcessorGroup(ring, shardProcessors, io.sluice.config.ThreadingMode.SHARED,
            Throwable::printStackTrace).pollAgent();
        ingress = new IngressAgent(new IngressAgent.Context().conclude(), ingressSubscription,
            windows ? shards.newProducer(ring, counters.ticks()) :
            new RingProducer(ring, ROUTER, SHARDS, null, counters.ticks(), new ClientMarks(16), batchMaxEvents), counters);
        while (!ingressPublication.isConnected() || egressSubscription.imageCount() < SHARDS)
        {
            driverInvoker.invoke();
            clientInvoker.invoke();
        }
    }

    /**
     * Close everything and delete the driver directory.
     */
    public void close()
    {
        CloseHelper.closeAll(counters, aeron, driver);
        IoUtil.delete(new File(dir), true);
    }
}
