package io.sluice.systemtest;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.sluice.config.SluiceConfig;
import io.sluice.transport.codec.BooleanType;
import io.sluice.transport.codec.EventBatchDecoder;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.EventResultEncoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.QueryResultEncoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResumeDecoder;
import io.sluice.transport.codec.ResumedEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SluiceClient} against a one-node Aeron Cluster on loopback running a stub of Sluice's clustered service:
 * it answers each new event with an EventResult (count 1, sum the value), keeps each client's mark (highest event
 * correlation id applied), answers Query and Resume, and can be told to drop events (as a leader that never got them
 * into the log would). A one-node cluster cannot elect another leader: restarted, it closes the old sessions, and the
 * client opens a new one and resumes through the same path a leader change takes (the three-node tests of the
 * clustered service cover a leader change itself).
 * <pre>
 *   SluiceClient (embedded driver) --ingress 21120--> consensus module --log--> StubService
 *                <------------------------- session egress ---------------------'
 * </pre>
 */
class ClusterClientSystemTest
{
    private static final String MEMBERS =
        "0,localhost:21120,localhost:21121,localhost:21122,localhost:21123,localhost:21124";
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path dir;

    private final StubService service = new StubService();
    private final List<Long> results = new ArrayList<>();
    private final MutableLong lastMark = new MutableLong(0);
    private final SluiceResultHandler handler = new SluiceResultHandler()
    {
        public void onEventResult(final EventResultDecoder result)
        {
            results.add(result.correlationId());
        }

        public void onBatchedEventResult(final EventResultBatchDecoder.ResultsDecoder result)
        {
            results.add(result.correlationId());
        }

        public void onRejected(final RejectedDecoder rejected)
        {
            results.add(-rejected.correlationId());
        }

        public void onQueryResult(final QueryResultDecoder result)
        {
            results.add(1_000_000 + result.correlationId());
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
            lastMark.set(lastCorrelationId);
        }
    };
    private String driverDir;
    private ClusteredMediaDriver node;
    private ClusteredServiceContainer container;

    @AfterEach
    void tearDown()
    {
        stopNode();
    }

    @Test
    @Timeout(60)
    void shouldRoundTripEventsAndQueriesAndResendEventsTheClusterDroppedOnResume()
    {
        startNode(true);
        try (SluiceClient client = SluiceClient.connect(new SluiceClient.Context()
            .embeddedDriver(true)
            .clusterIngressEndpoints(SluiceClient.Context.ingressEndpointsOf(MEMBERS))))
        {
            assertTrue(client.isClusterClient());
            assertTrue(client.awaitConnected(TIMEOUT_NS), () -> "not connected: " + client.lastClusterConnectFailure());
            assertEquals(0, client.leaderMemberId());
            assertEquals(1, client.clusterSessionsOpened());

            for (int i = 1; i <= 5; i++)
            {
                assertEquals(i, client.offerEvent(7, 1_000L * i, i));
            }
            assertEquals(6, client.offerQuery(7));
            pollUntil(client, () -> results.size() == 6);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 1_000_006L), results);

            results.clear();
            service.dropEvents.set(true);
            assertEquals(7, client.offerEvent(7, 7_000, 7));
            assertEquals(8, client.offerEvent(7, 8_000, 8));
            assertEquals(9, client.offerEvent(7, 9_000, 9));
            pollUntil(client, () -> service.dropped.get() == 3);
            service.dropEvents.set(false);

            assertEquals(3, client.resume(handler, TIMEOUT_NS));
            assertEquals(5, lastMark.get());
            pollUntil(client, () -> results.size() == 3);
            assertEquals(List.of(7L, 8L, 9L), results);
            assertEquals(0, client.leaderChanges());
            assertEquals(0, client.autoResumes());
        }
    }

    @Test
    @Timeout(60)
    void shouldResumeByItselfInANewSessionAfterTheClusterRestartedAndDeliverEventsOfferedMeanwhileOnce()
    {
        startNode(true);
        try (SluiceClient client = SluiceClient.connect(new SluiceClient.Context()
            .embeddedDriver(true)
            .clusterIngressEndpoints("0=localhost:21120")))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), () -> "not connected: " + client.lastClusterConnectFailure());
            assertEquals(1, client.offerEvent(3, 1_000, 1));
            assertEquals(2, client.offerEvent(3, 2_000, 2));
            pollUntil(client, () -> results.size() == 2);

            stopNode();
            assertEquals(3, client.offerEvent(3, 3_000, 3));
            assertEquals(4, client.offerEvent(3, 4_000, 4));
            client.poll(handler, 16);
            startNode(false);

            pollUntil(client, () -> 1 == client.autoResumes() && results.size() == 4);
            assertEquals(List.of(1L, 2L, 3L, 4L), results);
            assertEquals(0, client.leaderChanges());
            assertEquals(2, client.clusterSessionsOpened());
            assertEquals(2, lastMark.get());
            assertEquals(6, client.offerEvent(3, 5_000, 5), "the automatic Resume request took id 5");
            pollUntil(client, () -> results.size() == 5);
            assertEquals(6L, results.get(4));
            assertEquals(0, client.leaderMemberId());
        }
    }

    private void pollUntil(final SluiceClient client, final BooleanSupplier done)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!done.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out; results " + results);
            if (0 == client.poll(handler, 16))
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
    }

    private void startNode(final boolean fresh)
    {
        if (fresh)
        {
            driverDir = SluiceConfig.sharedMemoryDir() + "/sluice-cluster-client-test-" + System.nanoTime();
        }
        final File base = dir.toFile();
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(driverDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(driverDir)
            .archiveDir(new File(base, "archive"))
            .controlChannel("aeron:udp?endpoint=localhost:21124")
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .archiveClientContext(new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint=localhost:0"))
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(ClusterClientSystemTest::idle)
            .deleteArchiveOnStart(fresh);
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel("aeron:ipc?term-length=64k")
            .controlResponseChannel("aeron:ipc?term-length=64k")
            .aeronDirectoryName(driverDir);
        final ConsensusModule.Context consensusCtx = new ConsensusModule.Context()
            .clusterMemberId(0)
            .clusterMembers(MEMBERS)
            .clusterDir(new File(base, "cluster"))
            .archiveContext(archiveClient.clone())
            .ingressChannel("aeron:udp")
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .idleStrategySupplier(ClusterClientSystemTest::idle)
            .leaderHeartbeatTimeoutNs(TimeUnit.SECONDS.toNanos(1))
            .deleteDirOnStart(fresh);
        node = ClusteredMediaDriver.launch(driverCtx, archiveCtx, consensusCtx);
        container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
            .aeronDirectoryName(driverDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(new File(base, "cluster"))
            .clusteredService(service)
            .idleStrategySupplier(ClusterClientSystemTest::idle));
    }

    private void stopNode()
    {
        CloseHelper.closeAll(container, node);
        container = null;
        node = null;
    }

    private static IdleStrategy idle()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * Stands in for Sluice's clustered service: the same messages, trivial processing, a mark per client.
     */
    static final class StubService implements ClusteredService
    {
        final AtomicBoolean dropEvents = new AtomicBoolean();
        final AtomicLong dropped = new AtomicLong();
        private final Long2LongHashMap marks = new Long2LongHashMap(Long.MIN_VALUE);
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final EventDecoder event = new EventDecoder();
        private final EventBatchDecoder batch = new EventBatchDecoder();
        private final QueryDecoder query = new QueryDecoder();
        private final ResumeDecoder resume = new ResumeDecoder();
        private final EventResultEncoder eventResult = new EventResultEncoder();
        private final QueryResultEncoder queryResult = new QueryResultEncoder();
        private final ResumedEncoder resumed = new ResumedEncoder();
        private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);

        public void onStart(final Cluster cluster, final Image snapshotImage)
        {
        }

        public void onSessionOpen(final ClientSession session, final long timestamp)
        {
        }

        public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
        {
        }

        public void onSessionMessage(
            final ClientSession session,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header fragmentHeader)
        {
            header.wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            switch (header.templateId())
            {
                case EventDecoder.TEMPLATE_ID:
                    event.wrap(buffer, body, header.blockLength(), header.version());
                    onEvent(session, event.clientId(), event.correlationId(), event.key(), event.timestamp(),
                        event.value());
                    break;

                case EventBatchDecoder.TEMPLATE_ID:
                    batch.wrap(buffer, body, header.blockLength(), header.version());
                    final long clientId = batch.clientId();
                    for (final EventBatchDecoder.EventsDecoder e : batch.events())
                    {
                        onEvent(session, clientId, e.correlationId(), e.key(), e.timestamp(), e.value());
                    }
                    break;

                case QueryDecoder.TEMPLATE_ID:
                    query.wrap(buffer, body, header.blockLength(), header.version());
                    queryResult.wrapAndApplyHeader(out, 0, headerEncoder)
                        .clientId(query.clientId())
                        .correlationId(query.correlationId())
                        .key(query.key())
                        .found(BooleanType.FALSE);
                    send(session, MessageHeaderEncoder.ENCODED_LENGTH + QueryResultEncoder.BLOCK_LENGTH);
                    break;

                case ResumeDecoder.TEMPLATE_ID:
                    resume.wrap(buffer, body, header.blockLength(), header.version());
                    resumed.wrapAndApplyHeader(out, 0, headerEncoder)
                        .clientId(resume.clientId())
                        .correlationId(resume.correlationId())
                        .lastCorrelationId(marks.get(resume.clientId()));
                    send(session, MessageHeaderEncoder.ENCODED_LENGTH + ResumedEncoder.BLOCK_LENGTH);
                    break;

                default:
                    break;
            }
        }

        private void onEvent(
            final ClientSession session,
            final long clientId,
            final long correlationId,
            final long key,
            final long timestamp,
            final double value)
        {
            if (dropEvents.get())
            {
                dropped.incrementAndGet();
                return;
            }
            if (correlationId <= marks.get(clientId))
            {
                return;
            }
            marks.put(clientId, correlationId);
            eventResult.wrapAndApplyHeader(out, 0, headerEncoder)
                .clientId(clientId)
                .correlationId(correlationId)
                .key(key)
                .timestamp(timestamp)
                .count(1)
                .sum(value);
            send(session, MessageHeaderEncoder.ENCODED_LENGTH + EventResultEncoder.BLOCK_LENGTH);
        }

        private void send(final ClientSession session, final int length)
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (session.offer(out, 0, length) < 0 && System.nanoTime() - deadline < 0)
            {
                Thread.yield();
            }
        }

        public void onTimerEvent(final long correlationId, final long timestamp)
        {
        }

        public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
        {
        }

        public void onRoleChange(final Cluster.Role newRole)
        {
        }

        public void onTerminate(final Cluster cluster)
        {
        }
    }
}
