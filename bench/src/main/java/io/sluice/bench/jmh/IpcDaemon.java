package io.sluice.bench.jmh;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.processor.ProcessorGroup;
import io.sluice.core.processor.ShardProcessor;
import io.sluice.core.ring.ClientMarks;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.running.RunningAggregates;
import io.sluice.core.shard.ShardCounters;
import io.sluice.core.state.KeyStateTable;
import io.sluice.transport.counters.SluiceCounters;
import io.sluice.transport.egress.EgressPublisher;
import io.sluice.transport.ingress.IngressAgent;
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
 * {@link ShardProcessor}s ─▶ {@link EgressPublisher}s ─▶ egress subscription. The benchmarks drive it by offering
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
        final ShardProcessor[] shardProcessors = new ShardProcessor[SHARDS];
        for (int i = 0; i < shardProcessors.length; i++)
        {
            final io.aeron.Counter[] egressCounters = counters.egress(aeron, i);
            final EgressPublisher egress = new EgressPublisher(
                aeron.addExclusivePublication("aeron:ipc", 1002), new NoOpIdleStrategy(), driverInvoker,
                egressCounters[0], egressCounters[1], egressCounters[2],
                null, latency ? counters.latency(aeron, i) : null, List.of());
            final KeyStateTable table = new KeyStateTable(4096, 0, ROUTER);
            final ShardCounters shardCounters = counters.processor(aeron, i);
            shardProcessors[i] = new ShardProcessor(
                i, new RunningAggregates(table, egress, shardCounters, AlertRules.NONE), egress, shardCounters, null, null);
        }
        processors = new ProcessorGroup(ring, shardProcessors, io.sluice.config.ThreadingMode.SHARED,
            Throwable::printStackTrace).pollAgent();
        ingress = new IngressAgent(new IngressAgent.Context().conclude(), ingressSubscription,
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
