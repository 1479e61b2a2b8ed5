package io.sluice.bench.jmh;

import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
 * The daemon's whole per-event path in one thread ({@link IpcDaemon}: Aeron IPC, embedded INVOKER driver):
 * <pre>
 *   Event ─▶ IPC ─▶ IngressAgent (assemble, validate, claim, write, publish)
 *         ─▶ ring ─▶ ShardProcessor ─▶ KeyStateTable ─▶ EgressPublisher (SBE into ExclusivePublication)
 *         ─▶ IPC ─▶ egress subscription (decoded here)
 * </pre>
 * The same classes the daemon wires, with the network swapped for IPC. Run with {@code -prof gc}: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DaemonPathBenchmark
{
    private static final int KEYS = 1024;

    /** Count each result's internal latency into the CnC histogram counters, as with {@code sluice.metrics.endpoint} set. */
    @Param({"false", "true"})
    public boolean latency;

    private IpcDaemon daemon;
    private final BufferClaim claim = new BufferClaim();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final EventEncoder event = new EventEncoder();
    private FragmentHandler egressHandler;
    private long correlationId;

    /**
     * @param blackhole sink for what comes out.
     */
    @Setup(Level.Trial)
    public void setUp(final Blackhole blackhole)
    {
        daemon = new IpcDaemon("aeron:ipc", 1024, 512, latency);
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
     * One event in over IPC and its result out over IPC.
     *
     * @return fragments of results read.
     * @throws Exception from the agents.
     */
    @Benchmark
    public int eventInResultOut() throws Exception
    {
        final IpcDaemon daemon = this.daemon;
        final long id = ++correlationId;
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH;
        while (daemon.ingressPublication.tryClaim(length, claim) < 0)
        {
            daemon.driverInvoker.invoke();
            daemon.egressSubscription.poll(egressHandler, 16);
        }
        event.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .clientId(1)
            .correlationId(id)
            .key((id * 7919) & (KEYS - 1))
            .timestamp(1_700_000_000_000_000_000L)
            .value(1.5);
        claim.commit();
        daemon.ingress.doWork();
        daemon.processors.doWork();
        final int read = daemon.egressSubscription.poll(egressHandler, 16);
        if ((id & 63) == 0)
        {
            daemon.driverInvoker.invoke();
            daemon.clientInvoker.invoke();
        }
        return read;
    }
}
