package io.sluice.bench.jmh;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.RethrowingErrorHandler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.shard.ProcessorGroup;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.route.ShardRouter;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.egress.EgressPublisher;
import io.sluice.server.ingress.IngressAgent;
import io.sluice.server.journal.JournalArchive;
import io.sluice.server.journal.Journaller;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.Agent;
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
import java.nio.file.Files;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's per-event path with the journal on, in one thread, over Aeron IPC with an embedded INVOKER driver
 * and an INVOKER Archive recording the journal into a temporary directory:
 * <pre>
 *   Event ─▶ IPC ─▶ IngressAgent ─▶ ring ─┬─▶ Journaller ─▶ IPC ─▶ Archive (recorder writes the segment file)
 *                                         └─▶ ShardProcessor (sync: once recorded) ─▶ EgressPublisher ─▶ IPC
 * </pre>
 * The duty cycle of the daemon's shared thread: ingress, (async: processors,) journaller, the Archive's invoker
 * (client conductor and archive), the journaller's acknowledgement, (sync: processors); the driver every 64 events
 * as in {@link DaemonPathBenchmark}. Run with {@code -prof gc}: 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JournalPathBenchmark
{
    private static final ShardRouter ROUTER = new ShardRouter(42);
    private static final int KEYS = 1024;

    /** Journal mode: async (processors follow the ring) or sync (processors follow the recorded sequence). */
    @Param({"async", "sync"})
    public String mode;

    private String dir;
    private File journalDir;
    private MediaDriver driver;
    private Aeron aeron;
    private AgentInvoker driverInvoker;
    private JournalArchive archive;
    private Journaller journaller;
    private AgentInvoker archiveInvoker;
    private ExclusivePublication ingressPublication;
    private Subscription egressSubscription;
    private IngressAgent ingress;
    private Agent processors;
    private SluiceCounters counters;
    private final BufferClaim claim = new BufferClaim();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final EventEncoder event = new EventEncoder();
    private FragmentHandler egressHandler;
    private long correlationId;
    private boolean sync;

    /**
     * @param blackhole sink for what comes out.
     * @throws Exception when the journal directory cannot be made.
     */
    @Setup(Level.Trial)
    public void setUp(final Blackhole blackhole) throws Exception
    {
        sync = "sync".equals(mode);
        dir = SluiceConfig.sharedMemoryDir() + "/sluice-jmh-journal-" + ProcessHandle.current().pid();
        journalDir = Files.createTempDirectory("sluice-jmh-journal").toFile();
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
            .driverAgentInvoker(driverInvoker)
            .subscriberErrorHandler(RethrowingErrorHandler.INSTANCE));
        counters = new SluiceCounters(aeron);

        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.JOURNAL_DIR, journalDir.getAbsolutePath());
        properties.setProperty(SluiceConfig.JOURNAL_MODE, mode);
        properties.setProperty(SluiceConfig.DRIVER_DIR, dir);
        final SluiceConfig config = SluiceConfig.of(properties);
        archive = JournalArchive.launch(config, aeron, driverInvoker, Throwable::printStackTrace, 64 * 1024 * 1024);
        archiveInvoker = archive.invoker();

        final Subscription ingressSubscription = aeron.addSubscription("aeron:ipc", 1001);
        ingressPublication = aeron.addExclusivePublication("aeron:ipc", 1001);
        egressSubscription = aeron.addSubscription("aeron:ipc", 1002);
        final SluiceRing ring = new SluiceRing(1024, WaitStrategyType.BUSY_SPIN);
        journaller = new Journaller(ring);
        final ShardContext shards = new ShardContext().processorCount(2).stateCapacity(4096).hashSeed(42).conclude();
        final EgressPublisher[] egress = new EgressPublisher[2];
        for (int i = 0; i < egress.length; i++)
        {
            final Counter[] egressCounters = counters.egress(aeron, i);
            egress[i] = new EgressPublisher(
                aeron.addExclusivePublication("aeron:ipc", 1002), new NoOpIdleStrategy(), driverInvoker,
                egressCounters[0], egressCounters[1], egressCounters[2], null, null, List.of());
        }
        final ShardProcessor[] shardProcessors = shards.newProcessors(
            (shard) -> egress[shard], (shard) -> counters.processor(aeron, shard), null);
        processors = new ProcessorGroup(ring, shardProcessors, io.sluice.config.ThreadingMode.SHARED,
            Throwable::printStackTrace, "sync".equals(mode) ? journaller.recorded() : null).pollAgent();
        journaller.attach(archive.startRecording(null), aeron.countersReader(), archive, null,
            counters.newCounter(aeron, SluiceCounters.JOURNAL_RECORDED_POSITION_TYPE_ID, "recorded"),
            counters.newCounter(aeron, SluiceCounters.JOURNAL_UNRECORDED_BYTES_TYPE_ID, "unrecorded"),
            counters.newCounter(aeron, SluiceCounters.JOURNAL_START_POSITION_TYPE_ID, "start"));
        archive.closeStartupClient();
        ingress = new IngressAgent(new IngressAgent.Context().conclude(), ingressSubscription,
            new RingProducer(ring, ROUTER, 2, null, counters.ticks()), counters);
        egressHandler = (buffer, offset, length, h) -> blackhole.consume(buffer.getLong(offset + 16));
        while (!ingressPublication.isConnected() || egressSubscription.imageCount() < 2)
        {
            driverInvoker.invoke();
            archiveInvoker.invoke();
        }
    }

    /**
     * Close everything and delete the driver and journal directories.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        CloseHelper.closeAll(archive, counters, aeron, driver);
        IoUtil.delete(new File(dir), true);
        IoUtil.delete(journalDir, true);
    }

    /**
     * One event in over IPC, journaled and recorded, and its result out over IPC.
     *
     * @return fragments of results read.
     * @throws Exception from the agents.
     */
    @Benchmark
    public int eventInJournaledResultOut() throws Exception
    {
        final long id = ++correlationId;
        while (ingressPublication.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH, claim) < 0)
        {
            driverInvoker.invoke();
            archiveInvoker.invoke();
            egressSubscription.poll(egressHandler, 16);
        }
        event.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .clientId(1)
            .correlationId(id)
            .key((id * 7919) & (KEYS - 1))
            .timestamp(1_700_000_000_000_000_000L)
            .value(1.5);
        claim.commit();
        ingress.doWork();
        if (!sync)
        {
            processors.doWork();
        }
        journaller.doWork();
        archiveInvoker.invoke();
        journaller.acknowledge();
        if (sync)
        {
            processors.doWork();
        }
        final int read = egressSubscription.poll(egressHandler, 16);
        if ((id & 63) == 0)
        {
            driverInvoker.invoke();
        }
        return read;
    }
}
