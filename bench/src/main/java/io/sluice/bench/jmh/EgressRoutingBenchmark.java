package io.sluice.bench.jmh;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ResultMode;
import io.sluice.core.state.Aggregate;
import io.sluice.protocol.auth.Permission;
import io.sluice.server.auth.SessionDirectory;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.egress.EgressPublisher;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.NoOpIdleStrategy;
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

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The egress with authentication on, one processor's {@link EgressPublisher} routing by a {@link SessionDirectory}
 * of 1, 8 or 64 sessions, each with its own IPC publication (an embedded INVOKER driver, one thread):
 * <pre>
 *   eventResult:          result of client i ─▶ directory view ─▶ client i's publication ─▶ its subscription
 *   windowResultFanOut:   WindowResult, encoded once ─▶ copied to every subscribe session ─▶ every subscription
 *   sharedEgressEventResult (baseline, authentication off):
 *                         result of client i ─▶ the processor's ExclusivePublication ─▶ one subscription
 * </pre>
 * Every operation also reads what it sent, so the cost of the subscriptions is in the figure. Run with
 * {@code -prof gc}: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EgressRoutingBenchmark
{
    private static final int FIRST_STREAM_ID = 5001;
    private static final int SHARED_STREAM_ID = 5000;
    private static final int DUTY_CYCLE_EVERY = 64;

    /** Authenticated sessions in the directory, every one with {@code subscribe}; a power of two. */
    @Param({"1", "8", "64"})
    public int sessions;

    private String dir;
    private MediaDriver driver;
    private Aeron aeron;
    private SluiceCounters counters;
    private AgentInvoker driverInvoker;
    private AgentInvoker clientInvoker;
    private EgressPublisher routed;
    private EgressPublisher shared;
    private Subscription[] subscriptions;
    private Subscription sharedSubscription;
    private FragmentHandler handler;
    private final Aggregate aggregate = new Aggregate().set(0, 1, 2.5, 2.5, 2.5, 2.5, 2.5);
    private long correlationId;
    private int mask;

    /**
     * @param blackhole sink for what comes out.
     */
    @Setup(Level.Trial)
    public void setUp(final Blackhole blackhole)
    {
        dir = SluiceConfig.sharedMemoryDir() + "/sluice-jmh-egress-" + ProcessHandle.current().pid();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.INVOKER)
            .ipcTermBufferLength(256 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        driverInvoker = driver.sharedAgentInvoker();
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(dir)
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(driverInvoker));
        clientInvoker = aeron.conductorAgentInvoker();
        counters = new SluiceCounters(aeron);
        handler = (buffer, offset, length, h) -> blackhole.consume(buffer.getLong(offset + 16));
        mask = sessions - 1;

        final SessionDirectory directory = new SessionDirectory(sessions);
        subscriptions = new Subscription[sessions];
        final Publication[] publications = new Publication[sessions];
        for (int i = 0; i < sessions; i++)
        {
            subscriptions[i] = aeron.addSubscription("aeron:ipc", FIRST_STREAM_ID + i);
            publications[i] = aeron.addPublication("aeron:ipc", FIRST_STREAM_ID + i);
            directory.open(i + 1, publications[i], Permission.SEND | Permission.SUBSCRIBE);
        }
        sharedSubscription = aeron.addSubscription("aeron:ipc", SHARED_STREAM_ID);
        final ExclusivePublication sharedPublication = aeron.addExclusivePublication("aeron:ipc", SHARED_STREAM_ID);
        final Counter[] routedCounters = counters.egress(aeron, 0);
        routed = new EgressPublisher(directory, new NoOpIdleStrategy(), driverInvoker,
            routedCounters[0], routedCounters[1], routedCounters[2], null, null, List.of());
        final Counter[] sharedCounters = counters.egress(aeron, 1);
        shared = new EgressPublisher(sharedPublication, new NoOpIdleStrategy(), driverInvoker,
            sharedCounters[0], sharedCounters[1], sharedCounters[2], null, null, List.of());
        boolean connected = false;
        while (!connected)
        {
            driverInvoker.invoke();
            clientInvoker.invoke();
            connected = sharedPublication.isConnected();
            for (final Publication publication : publications)
            {
                connected &= publication.isConnected();
            }
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

    private void dutyCycle(final long operation)
    {
        if (0 == (operation & (DUTY_CYCLE_EVERY - 1)))
        {
            driverInvoker.invoke();
            clientInvoker.invoke();
        }
    }

    /**
     * One event's result to its client's session, clients in turn, and read there.
     *
     * @return fragments read.
     */
    @Benchmark
    public int eventResult()
    {
        final long operation = ++correlationId;
        final int session = (int)(operation & mask);
        routed.onEventResult(session + 1, operation, 7, operation, aggregate, 0, ResultMode.PER_EVENT);
        dutyCycle(operation);
        return subscriptions[session].poll(handler, 1);
    }

    /**
     * One window result to every session, and read on each.
     *
     * @return fragments read.
     */
    @Benchmark
    public int windowResultFanOut()
    {
        final long operation = ++correlationId;
        routed.onWindowResult(operation, operation, aggregate);
        dutyCycle(operation);
        int fragments = 0;
        for (final Subscription subscription : subscriptions)
        {
            fragments += subscription.poll(handler, 1);
        }
        return fragments;
    }

    /**
     * Baseline, authentication off: the same results, clients in turn, on the processor's shared publication.
     *
     * @return fragments read.
     */
    @Benchmark
    public int sharedEgressEventResult()
    {
        final long operation = ++correlationId;
        shared.onEventResult((operation & mask) + 1, operation, 7, operation, aggregate, 0, ResultMode.PER_EVENT);
        dutyCycle(operation);
        return sharedSubscription.poll(handler, 1);
    }
}
