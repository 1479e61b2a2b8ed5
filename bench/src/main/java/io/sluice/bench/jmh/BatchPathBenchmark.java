package io.sluice.bench.jmh;

import io.aeron.logbuffer.FragmentHandler;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.transport.codec.EventBatchEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.ResultMode;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The daemon's batch path in one thread ({@link IpcDaemon}: Aeron IPC, embedded INVOKER driver), per event:
 * <pre>
 *   EventBatch ─▶ IPC ─▶ IngressAgent (validate each event, one claim, write, one publish)
 *              ─▶ ring ─▶ ShardProcessor ─▶ KeyStateTable ─▶ EgressPublisher (per result mode)
 *              ─▶ IPC ─▶ egress subscription (read here)
 * </pre>
 * One batch per invocation, time reported per event ({@link OperationsPerInvocation} = the batch size). Run with
 * {@code -prof gc}: 0 B/op. {@code state=running}: running aggregates, the batch's 256 keys and its one timestamp the
 * same every time. {@code state=windows}: {@code config/demo.properties}' tumbling 1 s windows and two alert rules,
 * as {@code ./sluice bench --throughput} drives them: random keys of 1,000 ({@code windowKeys}), values around 100,
 * each batch's events sharing a timestamp 10 us after the previous batch's (so each key's window closes every 100,000
 * batches, after the tick that goes in before the first event of each new second of event time).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BatchPathBenchmark
{
    private static final int KEYS = 1024;
    private static final int BATCH = 256;
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + EventBatchEncoder.BLOCK_LENGTH +
        EventBatchEncoder.EventsEncoder.sbeHeaderSize();

    /** Which per-event results the batch asks for. */
    @Param({"PER_EVENT", "BATCHED", "NONE"})
    public String resultMode;

    /** What the processors keep: running aggregates, or the demo profile's windows and alert rules. */
    @Param({"running", "windows"})
    public String state;

    /** With {@code state=windows}: how many keys the events go to at random. */
    @Param({"1000"})
    public int windowKeys;

    private IpcDaemon daemon;
    private boolean windows;
    private long timestamp = 1_700_000_000_000_000_000L;
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
        windows = "windows".equals(state);
        daemon = new IpcDaemon("aeron:ipc?mtu=16k", 2 * BATCH, BATCH, false, windows);
        final java.util.Random random = new java.util.Random(7);
        final EventBatchEncoder.EventsEncoder events = new EventBatchEncoder()
            .wrapAndApplyHeader(batchBuffer, 0, new MessageHeaderEncoder())
            .clientId(1)
            .resultMode(ResultMode.valueOf(resultMode))
            .eventsCount(BATCH);
        for (int i = 0; i < BATCH; i++)
        {
            if (windows)
            {
                events.next().correlationId(0).key(random.nextInt(windowKeys)).timestamp(timestamp)
                    .value(95.0 + random.nextInt(1024) / 102.4);
            }
            else
            {
                events.next().correlationId(0).key((i * 7919L) & (KEYS - 1)).timestamp(timestamp).value(1.5);
            }
        }
        egressHandler = (buffer, offset, length, h) -> blackhole.consume(buffer.getLong(offset + 16));
    }

    /**
     * Close everything and delete the driver directory.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        daemon.close();
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
        final IpcDaemon daemon = this.daemon;
        for (int i = 0; i < BATCH; i++)
        {
            batchBuffer.putLong(HEADER_LENGTH + i * 32, ++correlationId);
        }
        if (windows)
        {
            timestamp += 10_000;
            for (int i = 0; i < BATCH; i++)
            {
                batchBuffer.putLong(HEADER_LENGTH + i * 32 + 16, timestamp);
            }
        }
        while (daemon.ingressPublication.offer(batchBuffer, 0, HEADER_LENGTH + BATCH * 32) < 0)
        {
            daemon.driverInvoker.invoke();
            daemon.egressSubscription.poll(egressHandler, 64);
        }
        int read = 0;
        for (int i = 0; i < 4; i++)
        {
            daemon.ingress.doWork();
            daemon.processors.doWork();
            read += daemon.egressSubscription.poll(egressHandler, 512);
        }
        daemon.driverInvoker.invoke();
        daemon.clientInvoker.invoke();
        return read;
    }
}
