package io.sluice.systemtest;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.sluice.config.SluiceConfig;
import io.sluice.core.RejectReason;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.AdminRequestEncoder;
import io.sluice.transport.codec.AdminResponseDecoder;
import io.sluice.transport.codec.AuthenticateEncoder;
import io.sluice.transport.codec.AuthenticatedDecoder;
import io.sluice.transport.codec.ChallengeDecoder;
import io.sluice.transport.codec.ConnectEncoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.tools.auth.AuthReloadTool;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A daemon with {@code sluice.auth.file} over UDP, its ingress and egress wired as the daemon wires them: a raw
 * Aeron client does the handshake and gets its event's result on the response channel it named; a sender that never
 * authenticated changes nothing and is counted; an admin's SNAPSHOT on a daemon without a journal is refused.
 */
class AuthIngressSystemTest
{
    private static final long CLIENT = 42;
    private static final long ADMIN = 44;

    @TempDir
    Path dir;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final byte[] received = new byte[1024];
    private int receivedTemplate;

    @Test
    @Timeout(60)
    void shouldServeAnAuthenticatedClientOnItsOwnChannelAndRefuseTheOthers() throws Exception
    {
        final byte[] secret = new byte[AuthProof.SECRET_LENGTH];
        secret[0] = 7;
        final byte[] adminSecret = new byte[AuthProof.SECRET_LENGTH];
        adminSecret[0] = 9;
        final Path credentials = Files.writeString(dir.resolve("credentials"), CLIENT + " " +
            AuthProof.toHex(AuthProof.storedKey(secret)) + " send,query\n" + ADMIN + " " +
            AuthProof.toHex(AuthProof.storedKey(adminSecret)) + " admin\n");
        try (TestDaemon daemon = new TestDaemon().set(SluiceConfig.AUTH_FILE, credentials.toString())
            .set(SluiceConfig.JOURNAL_MODE, "off").start();
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(daemon.driverDir)))
        {
            assertTrue(daemon.log().contains("  auth      on (2 clients from " + credentials + ", fingerprint "),
                daemon.log());
            final String ingress = daemon.config().ingressChannel();
            final String response = "aeron:udp?endpoint=localhost:" + TestDaemon.freeUdpPort();

            final ExclusivePublication stranger = aeron.addExclusivePublication(ingress, daemon.config().ingressStreamId());
            await(stranger::isConnected);
            send(stranger, MessageHeaderEncoder.ENCODED_LENGTH + new EventEncoder().wrapAndApplyHeader(buffer, 0, header)
                .clientId(CLIENT).correlationId(1).key(3).timestamp(1_700_000_000_000_000_000L).value(2.5)
                .encodedLength());
            await(() -> 1 == daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected UNAUTHENTICATED"));

            final ExclusivePublication publication = aeron.addExclusivePublication(
                ingress, daemon.config().ingressStreamId());
            final Subscription responses = aeron.addSubscription(response, 77);
            handshake(publication, responses, CLIENT, secret, response);
            send(publication, MessageHeaderEncoder.ENCODED_LENGTH + new EventEncoder().wrapAndApplyHeader(buffer, 0,
                header).clientId(CLIENT).correlationId(2).key(3).timestamp(1_700_000_000_000_000_000L).value(2.5)
                .encodedLength());
            await(() -> poll(responses, EventResultDecoder.TEMPLATE_ID));
            final EventResultDecoder result = new EventResultDecoder().wrap(new UnsafeBuffer(received),
                MessageHeaderDecoder.ENCODED_LENGTH, EventResultDecoder.BLOCK_LENGTH, EventResultDecoder.SCHEMA_VERSION);
            assertEquals(CLIENT, result.clientId());
            assertEquals(2, result.correlationId());
            assertEquals(1, result.count(), "the stranger's event changed nothing");

            final ExclusivePublication adminPublication = aeron.addExclusivePublication(
                ingress, daemon.config().ingressStreamId());
            final Subscription adminResponses = aeron.addSubscription(response, 78);
            handshake(adminPublication, adminResponses, ADMIN, adminSecret, response);
            send(adminPublication, MessageHeaderEncoder.ENCODED_LENGTH + new AdminRequestEncoder()
                .wrapAndApplyHeader(buffer, 0, header).clientId(ADMIN).correlationId(5).action(AdminAction.SNAPSHOT)
                .payload("").encodedLength());
            await(() -> poll(adminResponses, AdminResponseDecoder.TEMPLATE_ID));
            final AdminResponseDecoder answer = new AdminResponseDecoder().wrap(new UnsafeBuffer(received),
                MessageHeaderDecoder.ENCODED_LENGTH, AdminResponseDecoder.BLOCK_LENGTH,
                AdminResponseDecoder.SCHEMA_VERSION);
            assertEquals(5, answer.correlationId());
            assertEquals("FAILED no journal (sluice.journal.mode=off): no snapshot to take",
                answer.status() + " " + answer.message());
            assertEquals(2, daemon.counter(SluiceCounters.AUTH_SUCCEEDED_TYPE_ID, "handshakes succeeded"));
            assertEquals(0, daemon.counter(SluiceCounters.AUTH_FAILED_TYPE_ID, "handshakes failed"));
            assertEquals(2, daemon.counter(SluiceCounters.AUTH_SESSIONS_TYPE_ID, "live sessions"));
            assertEquals(1, daemon.counter(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, "ingress accepted"));
            assertEquals(1, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected UNAUTHENTICATED"));
            assertEquals(0, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected " +
                RejectReason.name(RejectReason.NOT_PERMITTED)));

            Files.writeString(credentials, CLIENT + " " + AuthProof.toHex(AuthProof.storedKey(secret)) + " query\n");
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, reload(daemon, out), out.toString());
            assertEquals("sluice auth: credentials version 2 in force\n", out.toString());
            assertEquals(1, daemon.counter(SluiceCounters.AUTH_SESSIONS_TYPE_ID, "live sessions"), "the admin's ended");
            send(publication, MessageHeaderEncoder.ENCODED_LENGTH + new EventEncoder().wrapAndApplyHeader(buffer, 0,
                header).clientId(CLIENT).correlationId(3).key(3).timestamp(1_700_000_000_000_000_000L).value(2.5)
                .encodedLength());
            await(() -> 1 == daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected NOT_PERMITTED"));

            Files.writeString(credentials, CLIENT + " not-a-key query\n");
            out.reset();
            assertEquals(2, reload(daemon, out), out.toString());
            assertTrue(out.toString().startsWith("sluice auth: the daemon kept its credentials: " + credentials +
                " line 1: stored key "), out.toString());
            assertEquals(2, daemon.counter(SluiceCounters.AUTH_CREDENTIALS_VERSION_TYPE_ID, "credentials version"));
        }
    }

    /**
     * sluice auth reload, while this thread runs the daemon's control step as sluice daemon's main thread does.
     */
    private static int reload(final TestDaemon daemon, final ByteArrayOutputStream out) throws Exception
    {
        final int[] exit = { -1 };
        final Thread tool = new Thread(() -> exit[0] = AuthReloadTool.reload(daemon.config(),
            TimeUnit.SECONDS.toNanos(10), new PrintStream(out, true)));
        tool.start();
        while (tool.isAlive())
        {
            daemon.daemon.updateJvmCounters();
            tool.join(20);
        }
        return exit[0];
    }

    private void handshake(
        final ExclusivePublication publication, final Subscription responses, final long clientId,
        final byte[] secret, final String response)
    {
        await(publication::isConnected);
        final byte[] clientNonce = new byte[AuthProof.NONCE_LENGTH];
        clientNonce[1] = (byte)clientId;
        send(publication, MessageHeaderEncoder.ENCODED_LENGTH + new ConnectEncoder().wrapAndApplyHeader(buffer, 0,
            header).clientId(clientId).putClientNonce(clientNonce, 0, clientNonce.length)
            .responseStreamId(responses.streamId()).responseChannel(response).encodedLength());
        await(() -> poll(responses, ChallengeDecoder.TEMPLATE_ID));
        final ChallengeDecoder challenge = new ChallengeDecoder().wrap(new UnsafeBuffer(received),
            MessageHeaderDecoder.ENCODED_LENGTH, ChallengeDecoder.BLOCK_LENGTH, ChallengeDecoder.SCHEMA_VERSION);
        assertEquals(publication.sessionId(), challenge.sessionId());
        final byte[] serverNonce = new byte[AuthProof.NONCE_LENGTH];
        challenge.getServerNonce(serverNonce, 0, serverNonce.length);
        final byte[] proof = AuthProof.proof(secret, clientId, clientNonce, serverNonce, challenge.sessionId());
        send(publication, MessageHeaderEncoder.ENCODED_LENGTH + new AuthenticateEncoder().wrapAndApplyHeader(buffer, 0,
            header).clientId(clientId).putProof(proof, 0, proof.length).encodedLength());
        await(() -> poll(responses, AuthenticatedDecoder.TEMPLATE_ID));
    }

    private boolean poll(final Subscription subscription, final int templateId)
    {
        receivedTemplate = -1;
        subscription.poll((b, o, l, h) ->
        {
            if (-1 == receivedTemplate && (b.getShort(o + 2) & 0xFFFF) == templateId)
            {
                b.getBytes(o, received, 0, Math.min(l, received.length));
                receivedTemplate = templateId;
            }
        }, 10);
        return templateId == receivedTemplate;
    }

    private void send(final ExclusivePublication publication, final int length)
    {
        await(() -> publication.offer(buffer, 0, length) > 0);
    }

    private static void await(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out");
            }
            Thread.yield();
        }
    }
}
