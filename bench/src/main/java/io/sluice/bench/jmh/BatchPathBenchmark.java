package io.sluice.bench.jmh;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.processor.ProcessorGroup;
import io.sluice.core.processor.ShardProcessor;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.running.RunningAggregates;
import io.sluice.core.shard.ShardCounters;
import io.sluice.core.state.KeyStateTable;
import io.sluice.transport.codec.EventBatchEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.ResultMode;
import io.sluice.transport.counters.SluiceCounters;
import io.sluice.transport.egress.EgressPublisher;
import io.sluice.transport.ingress.IngressAgent;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's batch path in one thread, over Aeron IPC with an embedded INVOKER driver, per event:
 * <pre>
 *   EventBatch ─▶ IPC ─▶ IngressAgent (validate each event, one claim, write, one publish)
 *              ─▶ ring ─▶ ShardProcessor ─▶ KeyStateTable ─▶ EgressPublisher (per result mode)
 *              ─▶ IPC ─▶ egress subscription (read here)
 * </pre>
 * The same classes the daemon wires, with the network swapped for IPC; one batch per invocation, time reported per
 * event ({@link OperationsPerInvocation} = the batch size). Run with {@code -prof gc}: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BatchPathBenchmark
{
    private static final ShardRouter ROUTER = new ShardRouter(42);
    private static final int KEYS = 1024;
    private static final int BATCH = 256;
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + EventBatchEncoder.BLOCK_LENGTH +
        EventBatchEncoder.EventsEncoder.sbeHeaderSize();

    /** Which per-event results the batch asks for. */
    @Param({"PER_EVENT", "BATCHED", "NONE"})
    public String resultMode;

    private String dir;
    private MediaDriver driver;
    private Aeron aeron;
    private AgentInvoker driverInvoker;
    private AgentInvoker clientInvoker;
    private ExclusivePublication ingressPublication;
    private Subscription egressSubscription;
    private IngressAgent ingress;
    private Agent processors;
    private SluiceCounters counters;
    private final BufferClaim claim = new BufferClaim();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final EventBatchEncoder batch = new EventBatchEncoder();
    private final UnsafeBuffer batchBuffer =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(HEADER_LENGTH + BATCH * 32, 64));
    private FragmentHandler egressHandler;
    private long correlationId;

    /**
     * @param blackhole sink for what comes out.
     */
    @Setup(Level.Trial)
    public void setUp(final Blackhole blackhole)
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
        ingressPublication = aeron.addExclusivePublication("aeron:ipc?mtu=16k", 1001);
        egressSubscription = aeron.addSubscription("aeron:ipc", 1002);
        final SluiceRing ring = new SluiceRing(2048, WaitStrategyType.BUSY_SPIN);
        final ShardProcessor[] shardProcessors = new ShardProcessor[2];
        for (int i = 0; i < shardProcessors.length; i++)
        {
            final io.aeron.Counter[] egressCounters = counters.egress(aeron, i);
            final EgressPublisher egress = new EgressPublisher(
                aeron.addExclusivePublication("aeron:ipc", 1002), new NoOpIdleStrategy(), driverInvoker,
                egressCounters[0], egressCounters[1], egressCounters[2], null, List.of());
            final KeyStateTable table = new KeyStateTable(4096, 0, ROUTER);
            final ShardCounters shardCounters = counters.processor(aeron, i);
            shardProcessors[i] = new ShardProcessor(
                i, new RunningAggregates(table, egress, shardCounters, AlertRules.NONE), egress, shardCounters, null, null);
        }
        processors = new ProcessorGroup(ring, shardProcessors, io.sluice.config.ThreadingMode.SHARED,
            Throwable::printStackTrace).pollAgent();
        ingress = new IngressAgent(new IngressAgent.Context().conclude(), ingressSubscription,
            new RingProducer(ring, ROUTER, 2, null, counters.ticks(), new io.sluice.core.ring.ClientMarks(16), BATCH), counters);
        final EventBatchEncoder.EventsEncoder events = batch.wrapAndApplyHeader(batchBuffer, 0, header)
            .clientId(1)
            .resultMode(ResultMode.valueOf(resultMode))
            .eventsCount(BATCH);
        for (int i = 0; i < BATCH; i++)
        {
            events.next().correlationId(0).key((i * 7919L) & (KEYS - 1)).timestamp(1_700_000_000_000_000_000L).value(1.5);
        }
        egressHandler = (buffer, offset, length, h) -> blackhole.consume(buffer.getLong(offset + 16));
        while (!ingressPublication.isConnected() || egressSubscription.imageCount() < 2)
        {
            driverInvoker.invoke();
            clientInvoker.invoke();
        }
    }

    /**
     * Close everything and delete the driver directory.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        CloseHelper.closeAll(counters, aeron, driver);
        IoUtil.delete(new File(dir), true);
    }

    /**
     * One batch of {@value #BATCH} events in over IPC and its results (per the mode) out over IPC.
     *
     * @return fragments of results read.
     * @throws Exception from the agents.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int batchInResultsOut() throws Exception
    {
        for (int i = 0; i < BATCH; i++)
        {
            batchBuffer.putLong(HEADER_LENGTH + i * 32, ++correlationId);
        }
        while (ingressPublication.offer(batchBuffer, 0, HEADER_LENGTH + BATCH * 32) < 0)
        {
            driverInvoker.invoke();
            egressSubscription.poll(egressHandler, 64);
        }
        int read = 0;
        for (int i = 0; i < 4; i++)
        {
            ingress.doWork();
            processors.doWork();
            read += egressSubscription.poll(egressHandler, 512);
        }
        driverInvoker.invoke();
        clientInvoker.invoke();
        return read;
    }
}
