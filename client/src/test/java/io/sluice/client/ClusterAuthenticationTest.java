package io.sluice.client;

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
import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.ClusterCredentials;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryDecoder;
import io.sluice.transport.codec.QueryResultEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster client's secret through Aeron Cluster's challenge flow, against a one-member Aeron Cluster (its own temp
 * directory, sleeping idle, loopback ports the OS picked) whose {@link Authenticator} checks the proof the way the
 * handshake defines it ({@link ClusterCredentials}, {@link AuthProof#verify}) and whose service answers probes.
 */
@Timeout(90)
class ClusterAuthenticationTest
{
    private static final long CLIENT_ID = 42;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    private final SecureRandom random = new SecureRandom();
    private final byte[] secret = AuthProof.newSecret(random);
    private final List<String> verdicts = new CopyOnWriteArrayList<>();
    private File dir;
    private ClusteredMediaDriver node;
    private ClusteredServiceContainer container;

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(container, node);
        IoUtil.delete(dir, true);
    }

    @Test
    void shouldOpenASessionWhoseProofTheAuthenticatorVerifies() throws Exception
    {
        startNode(AuthProof.storedKey(secret));
        try (SluiceClient client = SluiceClient.connect(context()))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), () -> "not connected: " + client.lastClusterConnectFailure());
            assertEquals(1, client.clusterSessionsOpened());
        }
        assertEquals(List.of("verified"), verdicts);
    }

    @Test
    void shouldThrowNamingTheClientWhenTheClusterRejectsTheProof() throws Exception
    {
        startNode(AuthProof.storedKey(AuthProof.newSecret(random)));
        try (SluiceClient client = SluiceClient.connect(context()))
        {
            final SluiceAuthenticationException ex =
                assertThrows(SluiceAuthenticationException.class, () -> client.awaitConnected(TIMEOUT_NS));

            assertEquals(CLIENT_ID, ex.clientId());
            assertTrue(ex.getMessage().startsWith("client 42 was refused authentication: AUTHENTICATION_REJECTED " +
                "by the cluster"), ex.getMessage());
            assertFalse(ex.getMessage().toLowerCase().contains(AuthProof.toHex(secret).substring(0, 16)));
            assertEquals(0, client.clusterSessionsOpened());
        }
        assertEquals(List.of("rejected"), verdicts);
    }

    private SluiceClient.Context context()
    {
        return new SluiceClient.Context()
            .aeronDirectoryName(node.mediaDriver().aeronDirectoryName())
            .clusterIngressEndpoints("0=localhost:" + ingressPort)
            .clientId(CLIENT_ID)
            .secret(AuthProof.toHex(secret));
    }

    private int ingressPort;

    private void startNode(final byte[] storedKey) throws Exception
    {
        dir = Files.createTempDirectory("sluice-cluster-auth-").toFile();
        final String driverDir = new File(dir, "aeron").getAbsolutePath();
        ingressPort = freePort();
        final String members = "0,localhost:" + ingressPort + ",localhost:" + freePort() + ",localhost:" +
            freePort() + ",localhost:0,localhost:" + freePort();
        final String archiveControl = members.substring(members.lastIndexOf(',') + 1);
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(driverDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(driverDir)
            .archiveDir(new File(dir, "archive"))
            .controlChannel("aeron:udp?endpoint=" + archiveControl)
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(() -> new SleepingMillisIdleStrategy(1))
            .deleteArchiveOnStart(true);
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel("aeron:ipc?term-length=64k")
            .controlResponseChannel("aeron:ipc?term-length=64k")
            .aeronDirectoryName(driverDir);
        final ConsensusModule.Context consensusCtx = new ConsensusModule.Context()
            .clusterMemberId(0)
            .clusterMembers(members)
            .clusterDir(new File(dir, "cluster"))
            .archiveContext(archiveClient.clone())
            .ingressChannel("aeron:udp")
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .idleStrategySupplier(() -> new SleepingMillisIdleStrategy(1))
            .authenticatorSupplier(() -> new ProofAuthenticator(storedKey))
            .deleteDirOnStart(true);
        node = ClusteredMediaDriver.launch(driverCtx, archiveCtx, consensusCtx);
        container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
            .aeronDirectoryName(driverDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(new File(dir, "cluster"))
            .clusteredService(new ProbeService())
            .idleStrategySupplier(() -> new SleepingMillisIdleStrategy(1)));
    }

    private static int freePort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    /** The server's side of the handshake in Aeron's challenge flow, one stored key. */
    private final class ProofAuthenticator implements Authenticator
    {
        private final byte[] storedKey;
        private final Long2ObjectHashMap<byte[]> clientNonces = new Long2ObjectHashMap<>();
        private final Long2ObjectHashMap<byte[]> serverNonces = new Long2ObjectHashMap<>();
        private final Long2ObjectHashMap<Boolean> verified = new Long2ObjectHashMap<>();

        ProofAuthenticator(final byte[] storedKey)
        {
            this.storedKey = storedKey;
        }

        public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
        {
            if (ClusterCredentials.CREDENTIALS_LENGTH == encodedCredentials.length &&
                CLIENT_ID == ClusterCredentials.clientId(encodedCredentials))
            {
                clientNonces.put(sessionId, ClusterCredentials.clientNonce(encodedCredentials));
            }
        }

        public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
        {
            final byte[] clientNonce = clientNonces.get(sessionId);
            final byte[] serverNonce = serverNonces.get(sessionId);
            final boolean ok = null != clientNonce && null != serverNonce &&
                ClusterCredentials.RESPONSE_LENGTH == encodedCredentials.length &&
                CLIENT_ID == ClusterCredentials.clientId(encodedCredentials) &&
                AuthProof.verify(storedKey, CLIENT_ID, clientNonce, serverNonce, sessionId,
                    ClusterCredentials.proof(encodedCredentials));
            verified.put(sessionId, Boolean.valueOf(ok));
            verdicts.add(ok ? "verified" : "rejected");
        }

        public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
        {
            final long sessionId = sessionProxy.sessionId();
            if (null == clientNonces.get(sessionId))
            {
                sessionProxy.reject();
                return;
            }
            final byte[] serverNonce = serverNonces.computeIfAbsent(sessionId, (id) -> AuthProof.newNonce(random));
            sessionProxy.challenge(ClusterCredentials.challenge(serverNonce, sessionId));
        }

        public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
        {
            final Boolean ok = verified.remove(sessionProxy.sessionId());
            if (Boolean.TRUE.equals(ok))
            {
                sessionProxy.authenticate(ClusterCredentials.principal(CLIENT_ID, 1));
            }
            else if (Boolean.FALSE.equals(ok))
            {
                sessionProxy.reject();
            }
        }
    }

    /** Answers every Query with a QueryResult to the session that asked (once: the client probes again). */
    private static final class ProbeService implements ClusteredService
    {
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final QueryDecoder query = new QueryDecoder();
        private final QueryResultEncoder queryResult = new QueryResultEncoder();
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
            final Header frame)
        {
            header.wrap(buffer, offset);
            if (QueryDecoder.TEMPLATE_ID == header.templateId())
            {
                query.wrap(buffer, offset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
                queryResult.wrapAndApplyHeader(out, 0, headerEncoder)
                    .clientId(query.clientId()).correlationId(query.correlationId()).key(query.key());
                final int messageLength = MessageHeaderEncoder.ENCODED_LENGTH + queryResult.encodedLength();
                session.offer(out, 0, messageLength);
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
