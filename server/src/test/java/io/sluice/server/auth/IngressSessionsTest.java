package io.sluice.server.auth;

import com.lmax.disruptor.Sequence;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.RejectReason;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.route.ShardRouter;
import io.sluice.driver.EmbeddedDriver;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.Permission;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.ingress.IngressAgent;
import io.sluice.server.ingress.SessionGate;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.AdminRequestEncoder;
import io.sluice.transport.codec.AdminResponseDecoder;
import io.sluice.transport.codec.AuthenticateEncoder;
import io.sluice.transport.codec.AuthenticatedDecoder;
import io.sluice.transport.codec.ChallengeDecoder;
import io.sluice.transport.codec.ConnectEncoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryEncoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's side of the handshake and the per-message gate, through a real (invoker-mode) media driver: each
 * client is an exclusive IPC publication to the ingress stream (its own Aeron session) and an IPC subscription for
 * its response channel; the test thread runs the driver, the client conductor and the ingress agent.
 */
class IngressSessionsTest
{
    private static final int INGRESS_STREAM = 1;
    private static final long SENDER = 42;
    private static final long READER = 43;
    private static final long ADMIN = 44;
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final byte[] SENDER_SECRET = secret(1);
    private static final byte[] READER_SECRET = secret(2);
    private static final byte[] ADMIN_SECRET = secret(3);

    private static final String START_CREDENTIALS = SENDER + " " + hex(SENDER_SECRET) + " send\n" +
        READER + " " + hex(READER_SECRET) + " query,subscribe\n" + ADMIN + " " + hex(ADMIN_SECRET) + " admin\n";

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SecureRandom random = new SecureRandom();
    private String driverDir;
    private MediaDriver driver;
    private Aeron aeron;
    private SluiceCounters counters;
    private SluiceRing ring;
    private SessionDirectory directory;
    private IngressSessions sessions;
    private AuthCounters authCounters;
    private IngressAgent agent;
    private RingProducer producer;
    private Subscription ingress;
    private int nextResponseStream = 100;

    /** One client: its ingress publication and its response subscription, and what came back on it. */
    private final class Client
    {
        final long clientId;
        final ExclusivePublication publication;
        final Subscription responses;
        final int responseStream;
        final List<byte[]> received = new ArrayList<>();
        final byte[] clientNonce = AuthProof.newNonce(random);

        Client(final long clientId)
        {
            this.clientId = clientId;
            this.responseStream = nextResponseStream++;
            this.publication = aeron.addExclusivePublication("aeron:ipc", INGRESS_STREAM);
            this.responses = aeron.addSubscription("aeron:ipc", responseStream);
        }

        void send(final UnsafeBuffer message, final int length)
        {
            await(() -> publication.offer(message, 0, length) > 0);
        }

        void connect()
        {
            final ConnectEncoder connect = new ConnectEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId).putClientNonce(clientNonce, 0, AuthProof.NONCE_LENGTH).responseStreamId(responseStream)
                .responseChannel("aeron:ipc");
            send(buffer, MessageHeaderEncoder.ENCODED_LENGTH + connect.encodedLength());
        }

        /** @return the Challenge's server nonce, once it came. */
        byte[] challenge()
        {
            await(() -> any(ChallengeDecoder.TEMPLATE_ID));
            final UnsafeBuffer message = new UnsafeBuffer(take(ChallengeDecoder.TEMPLATE_ID));
            final ChallengeDecoder challenge = new ChallengeDecoder().wrap(message, MessageHeaderDecoder.ENCODED_LENGTH,
                ChallengeDecoder.BLOCK_LENGTH, ChallengeDecoder.SCHEMA_VERSION);
            assertEquals(clientId, challenge.clientId());
            assertEquals(publication.sessionId(), challenge.sessionId(), "the challenge names the image's session");
            final byte[] nonce = new byte[AuthProof.NONCE_LENGTH];
            challenge.getServerNonce(nonce, 0, nonce.length);
            return nonce;
        }

        void authenticate(final byte[] proof)
        {
            final AuthenticateEncoder authenticate = new AuthenticateEncoder()
                .wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(clientId).putProof(proof, 0, proof.length);
            send(buffer, MessageHeaderEncoder.ENCODED_LENGTH + authenticate.encodedLength());
        }

        byte[] proof(final byte[] secret, final byte[] serverNonce)
        {
            return AuthProof.proof(secret, clientId, clientNonce, serverNonce, publication.sessionId());
        }

        /** The whole handshake; @return the Authenticated's permission bits. */
        int handshake(final byte[] secret)
        {
            connect();
            authenticate(proof(secret, challenge()));
            await(() -> any(AuthenticatedDecoder.TEMPLATE_ID));
            final AuthenticatedDecoder answer = new AuthenticatedDecoder().wrap(
                new UnsafeBuffer(take(AuthenticatedDecoder.TEMPLATE_ID)), MessageHeaderDecoder.ENCODED_LENGTH,
                AuthenticatedDecoder.BLOCK_LENGTH, AuthenticatedDecoder.SCHEMA_VERSION);
            assertEquals(clientId, answer.clientId());
            assertEquals(publication.sessionId(), answer.sessionId());
            return (answer.permissions().sEND() ? Permission.SEND : 0) |
                (answer.permissions().qUERY() ? Permission.QUERY : 0) |
                (answer.permissions().sUBSCRIBE() ? Permission.SUBSCRIBE : 0) |
                (answer.permissions().aDMIN() ? Permission.ADMIN : 0);
        }

        void sendEvent(final long asClient, final long correlationId)
        {
            final EventEncoder event = new EventEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(asClient).correlationId(correlationId).key(7).timestamp(T0).value(1.5);
            send(buffer, MessageHeaderEncoder.ENCODED_LENGTH + event.encodedLength());
        }

        void sendQuery(final long correlationId)
        {
            final QueryEncoder query = new QueryEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId).correlationId(correlationId).key(7);
            send(buffer, MessageHeaderEncoder.ENCODED_LENGTH + query.encodedLength());
        }

        void sendAdmin(final AdminAction action, final String payload)
        {
            final AdminRequestEncoder request = new AdminRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId).correlationId(99).action(action).payload(payload);
            send(buffer, MessageHeaderEncoder.ENCODED_LENGTH + request.encodedLength());
        }

        String admin(final AdminAction action, final String payload)
        {
            sendAdmin(action, payload);
            return adminResponse();
        }

        /** @return the next AdminResponse as "STATUS message", once it came, after checking its ids. */
        String adminResponse()
        {
            await(() -> any(AdminResponseDecoder.TEMPLATE_ID));
            final AdminResponseDecoder response = new AdminResponseDecoder().wrap(new UnsafeBuffer(take(
                AdminResponseDecoder.TEMPLATE_ID)), MessageHeaderDecoder.ENCODED_LENGTH,
                AdminResponseDecoder.BLOCK_LENGTH, AdminResponseDecoder.SCHEMA_VERSION);
            assertEquals(clientId, response.clientId());
            assertEquals(99, response.correlationId());
            return response.status() + " " + response.message();
        }

        /** @return the reason of the next Rejected, once it came, after checking its ids. */
        int rejected(final long expectedClientId, final long expectedCorrelationId)
        {
            await(() -> any(RejectedDecoder.TEMPLATE_ID));
            final RejectedDecoder rejected = new RejectedDecoder().wrap(new UnsafeBuffer(take(RejectedDecoder.TEMPLATE_ID)),
                MessageHeaderDecoder.ENCODED_LENGTH, RejectedDecoder.BLOCK_LENGTH, RejectedDecoder.SCHEMA_VERSION);
            assertEquals(expectedClientId, rejected.clientId());
            assertEquals(expectedCorrelationId, rejected.correlationId());
            assertEquals(-1, rejected.batchIndex());
            return rejected.reasonRaw();
        }

        boolean any(final int templateId)
        {
            responses.poll((b, o, l, h) ->
            {
                final byte[] copy = new byte[l];
                b.getBytes(o, copy);
                received.add(copy);
            }, 10);
            for (final byte[] message : received)
            {
                if ((new UnsafeBuffer(message).getShort(2) & 0xFFFF) == templateId)
                {
                    return true;
                }
            }
            return false;
        }

        byte[] take(final int templateId)
        {
            for (int i = 0; i < received.size(); i++)
            {
                if ((new UnsafeBuffer(received.get(i)).getShort(2) & 0xFFFF) == templateId)
                {
                    return received.remove(i);
                }
            }
            throw new AssertionError("no message of template " + templateId);
        }
    }

    @BeforeEach
    void before()
    {
        start(TimeUnit.SECONDS.toNanos(60));
    }

    private void start(final long failureDelayNs)
    {
        driverDir = new File(System.getProperty("java.io.tmpdir"), "sluice-auth-test-" + System.nanoTime())
            .getAbsolutePath();
        driver = EmbeddedDriver.launch(new EmbeddedDriver.Context().dirKey("aeron.dir").dir(driverDir)
            .threading(DriverThreading.INVOKER).idleStrategy(IdleStrategyType.SLEEPING)
            .errorHandler(Throwable::printStackTrace).livenessTimeoutNs(TimeUnit.SECONDS.toNanos(10)).log(System.err));
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(driverDir)
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(EmbeddedDriver.invokerOf(driver)));
        counters = new SluiceCounters(aeron);
        ring = new SluiceRing(16, WaitStrategyType.SLEEPING);
        ring.ringBuffer().addGatingSequences(new Sequence());
        producer = new RingProducer(ring, new ShardRouter(1), 1, null, counters.ticks());
        directory = new SessionDirectory(4);
        authCounters = new AuthCounters(aeron, counters);
        sessions = new IngressSessions(aeron, credentials(START_CREDENTIALS),
            directory, new IngressSessions.Settings(TimeUnit.SECONDS.toNanos(30), failureDelayNs, 64 * 1024,
            TimeUnit.SECONDS.toNanos(1)), authCounters, new PrintStream(log, true));
        final IngressAgent.Context ctx = new IngressAgent.Context().channel("aeron:ipc").streamId(INGRESS_STREAM)
            .log(new PrintStream(log, true)).conclude();
        ingress = ctx.subscribe(aeron, sessions::onUnavailableImage);
        agent = new IngressAgent(ctx, ingress, producer, counters, sessions);
    }

    @AfterEach
    void after()
    {
        sessions.close();
        CloseHelper.closeAll(counters, aeron, driver);
        IoUtil.delete(new File(driverDir), true);
    }

    @Test
    void shouldAuthenticateAClientThatProvesItsSecretAndThenLetItsEventsIntoTheRing()
    {
        final Client client = new Client(SENDER);

        assertEquals(Permission.SEND, client.handshake(SENDER_SECRET));

        assertEquals(1, authCounters.succeeded().get());
        assertEquals(0, authCounters.failed().get());
        assertEquals(1, authCounters.liveSessions().get());
        assertEquals(1, directory.view().size());
        assertEquals(Permission.SEND, directory.view().permissionsOf(SENDER));
        client.sendEvent(SENDER, 1);
        await(() -> ring.ringBuffer().getCursor() == 0);
        assertEquals(RingEntry.TYPE_EVENT, ring.entry(0).type());
        assertEquals(SENDER, ring.entry(0).clientId());
        assertEquals(1, counters.accepted().get());
    }

    @Test
    void shouldRefuseAWrongProofAndDropTheHandshakeSoTheRightProofNoLongerCounts()
    {
        final Client client = new Client(SENDER);
        client.connect();
        final byte[] serverNonce = client.challenge();

        client.authenticate(client.proof(READER_SECRET, serverNonce));
        assertEquals(RejectReason.AUTHENTICATION_FAILED, client.rejected(SENDER, 0));
        client.authenticate(client.proof(SENDER_SECRET, serverNonce));
        await(() -> 2 == authCounters.failed().get());

        assertEquals(0, authCounters.succeeded().get());
        assertEquals(0, directory.view().size());
        assertEquals(2, counters.rejected(RejectReason.AUTHENTICATION_FAILED).get());
        client.sendEvent(SENDER, 1);
        await(() -> 1 == counters.rejected(RejectReason.UNAUTHENTICATED).get());
        assertEquals(-1, ring.ringBuffer().getCursor(), "nothing entered the ring");
        pump(200);
        assertTrue(log.toString().contains("sluice: auth: 1 failed handshake(s) in the last "), log.toString());
        assertTrue(log.toString().contains("; last: wrong proof (client 42 from "), log.toString());
        assertTrue(log.toString().contains("; last: Authenticate without its challenge (client 42 from "),
            log.toString());
        assertFalse(log.toString().contains(AuthProof.toHex(serverNonce)), "no nonce is logged");
    }

    @Test
    void shouldRefuseAReplayedAuthenticateAndAReplayedHandshakeOnANewConnect()
    {
        final Client client = new Client(SENDER);
        client.connect();
        final byte[] firstNonce = client.challenge();
        final byte[] proof = client.proof(SENDER_SECRET, firstNonce);
        client.authenticate(proof);
        await(() -> 1 == authCounters.succeeded().get());

        client.authenticate(proof);
        await(() -> 1 == authCounters.failed().get());
        assertEquals(1, directory.view().size(), "the live session stays");

        final Client replayer = new Client(SENDER);
        System.arraycopy(client.clientNonce, 0, replayer.clientNonce, 0, AuthProof.NONCE_LENGTH);
        replayer.connect();
        final byte[] secondNonce = replayer.challenge();
        assertFalse(java.util.Arrays.equals(firstNonce, secondNonce), "a fresh server nonce");
        replayer.authenticate(proof);
        assertEquals(RejectReason.AUTHENTICATION_FAILED, replayer.rejected(SENDER, 0));
        assertEquals(2, authCounters.failed().get());
        assertEquals(1, authCounters.succeeded().get());
        assertEquals(1, directory.view().size());
    }

    @Test
    void shouldRefuseAnUnknownClientWithoutAddingAPublication()
    {
        final Client stranger = new Client(999);
        stranger.connect();
        await(() -> 1 == authCounters.failed().get());
        pump(100);

        assertFalse(stranger.responses.isConnected(), "no publication on its response channel");
        assertEquals(0, sessions.handshakesInProgress());
        assertEquals(1, counters.rejected(RejectReason.AUTHENTICATION_FAILED).get());
    }

    @Test
    void shouldSlowDownAHostAfterThreeFailuresAndRefuseItsNextHandshakeUnchecked()
    {
        for (int i = 0; i < 3; i++)
        {
            final Client intruder = new Client(SENDER);
            intruder.connect();
            final byte[] nonce = intruder.challenge();
            intruder.authenticate(new byte[AuthProof.PROOF_LENGTH]);
            assertEquals(RejectReason.AUTHENTICATION_FAILED, intruder.rejected(SENDER, 0));
        }
        assertEquals(3, authCounters.failed().get());

        final Client legitimate = new Client(SENDER);
        legitimate.connect();
        await(() -> 1 == authCounters.throttled().get());
        pump(100);

        assertEquals(3, authCounters.failed().get());
        assertEquals(0, authCounters.succeeded().get());
        assertEquals(4, counters.rejected(RejectReason.AUTHENTICATION_FAILED).get());
        assertEquals(0, sessions.handshakesInProgress());
        assertFalse(legitimate.responses.isConnected(), "refused unchecked: no publication added");
    }

    @Test
    void shouldAnswerUnauthenticatedAndNotPermittedOutsideTheRing()
    {
        final Client reader = new Client(READER);
        reader.sendEvent(READER, 1);
        await(() -> 1 == counters.rejected(RejectReason.UNAUTHENTICATED).get());

        assertEquals(Permission.QUERY | Permission.SUBSCRIBE, reader.handshake(READER_SECRET));
        reader.sendEvent(READER, 2);
        assertEquals(RejectReason.NOT_PERMITTED, reader.rejected(READER, 2));
        reader.sendEvent(SENDER, 3);
        assertEquals(RejectReason.UNAUTHENTICATED, reader.rejected(SENDER, 3), "another client id is refused");
        reader.sendQuery(4);
        await(() -> ring.ringBuffer().getCursor() == 0);

        assertEquals(RingEntry.TYPE_QUERY, ring.entry(0).type(), "only the query entered the ring");
        assertEquals(1, counters.rejected(RejectReason.NOT_PERMITTED).get());
        assertEquals(2, counters.rejected(RejectReason.UNAUTHENTICATED).get());
        assertEquals(4, counters.received().get());
        assertEquals(1, counters.accepted().get());
    }

    @Test
    void shouldEndTheSessionWhenItsImageGoes()
    {
        final Client client = new Client(SENDER);
        client.handshake(SENDER_SECRET);
        assertEquals(1, directory.view().size());

        client.publication.close();
        await(() -> 0 == directory.view().size());

        assertEquals(0, authCounters.liveSessions().get());
        assertEquals(0, sessions.handshakesInProgress());
    }

    @Test
    void shouldApplyReloadedCredentialsBetweenMessagesAndJournalEachVersion()
    {
        sessions.journalTo(producer);
        final Client sender = new Client(SENDER);
        final Client reader = new Client(READER);
        sender.handshake(SENDER_SECRET);
        reader.handshake(READER_SECRET);
        assertEquals(2, directory.view().size());

        final Credentials reloaded = credentials(READER + " " + hex(READER_SECRET) + " send,query\n");
        sessions.credentials(reloaded);
        await(() -> 2 == authCounters.credentialsVersion().get() && ring.ringBuffer().getCursor() == 1);
        assertAuthEntry(ring.entry(0), 1, credentials(START_CREDENTIALS).fingerprint(), 3);
        assertAuthEntry(ring.entry(1), 2, reloaded.fingerprint(), 1);

        assertNull(directory.view().publicationFor(SENDER), "a removed client's session ends");
        assertEquals(Permission.SEND | Permission.QUERY, directory.view().permissionsOf(READER));
        assertEquals(1, authCounters.liveSessions().get());
        reader.sendEvent(READER, 1);
        await(() -> ring.ringBuffer().getCursor() == 2);
        assertEquals(RingEntry.TYPE_EVENT, ring.entry(2).type(), "the new permission holds");
        sender.sendEvent(SENDER, 1);
        await(() -> 1 == counters.rejected(RejectReason.UNAUTHENTICATED).get());
        final Client again = new Client(SENDER);
        again.connect();
        await(() -> 1 == authCounters.failed().get());
        assertEquals(2, ring.ringBuffer().getCursor());
    }

    private static void assertAuthEntry(
        final RingEntry entry, final long version, final long fingerprint, final long clientCount)
    {
        assertEquals(RingEntry.TYPE_AUTH, entry.type());
        assertEquals(-1, entry.shard(), "no processor's");
        assertEquals(version, entry.clientId());
        assertEquals(fingerprint, entry.key());
        assertEquals(clientCount, entry.correlationId());
    }

    @Test
    void shouldCarryOutAdminRequestsOfAdminsOnlyAndAnswerEach()
    {
        final String[] outcome = { null };
        final List<String> done = new ArrayList<>();
        sessions.admin(new AdminActions()
        {
            public String snapshot()
            {
                done.add("snapshot");
                return null;
            }

            public long applyRules(final String properties)
            {
                done.add("rules " + properties);
                return 7;
            }

            public long reloadCredentials()
            {
                throw new IllegalStateException("another credentials reload is in progress");
            }

            public String outcome(final long requestId)
            {
                return 7 == requestId ? outcome[0] : null;
            }

            public void shutdown()
            {
                done.add("shutdown");
            }
        });
        final Client admin = new Client(ADMIN);
        final Client sender = new Client(SENDER);
        admin.handshake(ADMIN_SECRET);
        sender.handshake(SENDER_SECRET);

        assertEquals("NOT_PERMITTED client 42 lacks the admin permission", sender.admin(AdminAction.SHUTDOWN, ""));
        assertEquals(1, counters.rejected(RejectReason.NOT_PERMITTED).get(), "counted as every refusal is");
        assertEquals("OK snapshot requested", admin.admin(AdminAction.SNAPSHOT, ""));
        assertEquals("FAILED another credentials reload is in progress",
            admin.admin(AdminAction.RELOAD_CREDENTIALS, ""));
        admin.sendAdmin(AdminAction.APPLY_RULES, "sluice.alert.hot.threshold=5");
        await(() -> 2 == done.size());
        outcome[0] = "OK rules version 1 in force";
        assertEquals("OK rules version 1 in force", admin.adminResponse());
        assertEquals(List.of("snapshot", "rules sluice.alert.hot.threshold=5"), done);
        assertEquals(-1, ring.ringBuffer().getCursor());
    }

    @Test
    void shouldNeverThrowNorAuthenticateNorFillTheRingWhenFuzzed()
    {
        final Header header = new Header(0, 16);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
        frame.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, 777);
        header.buffer(frame);
        header.offset(0);
        final List<byte[]> messages = HandshakeFuzz.messages(SENDER);

        long answered = 0;
        long started = 0;
        for (final byte[] message : messages)
        {
            final long before = authCounters.failed().get() + authCounters.throttled().get();
            final int pendingBefore = sessions.handshakesInProgress();
            final int verdict = sessions.onMessage(new UnsafeBuffer(message), 0, message.length, header, 1);
            final long after = authCounters.failed().get() + authCounters.throttled().get();
            if (verdict > 0)
            {
                answered++;
            }
            else if (after > before)
            {
                answered++;
            }
            else
            {
                assertEquals(SessionGate.TAKEN, verdict);
                assertEquals(1, sessions.handshakesInProgress(), "a Connect still valid starts a handshake");
                started++;
                assertTrue(pendingBefore <= 1);
            }
            sessions.doWork(2);
        }

        assertEquals(messages.size(), answered + started);
        assertEquals(0, authCounters.succeeded().get());
        assertEquals(0, directory.view().size());
        assertEquals(-1, ring.ringBuffer().getCursor());
    }

    private void await(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out; log: " + log);
            }
            agent.doWork();
            EmbeddedDriver.invokerOf(driver).invoke();
            aeron.conductorAgentInvoker().invoke();
            Thread.yield();
        }
    }

    private void pump(final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            agent.doWork();
            EmbeddedDriver.invokerOf(driver).invoke();
            aeron.conductorAgentInvoker().invoke();
        }
        try
        {
            Thread.sleep(1100);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        agent.doWork();
    }

    private static Credentials credentials(final String text)
    {
        return Credentials.parse("test-credentials", text);
    }

    private static byte[] secret(final int seed)
    {
        final byte[] secret = new byte[AuthProof.SECRET_LENGTH];
        new Random(seed).nextBytes(secret);
        return secret;
    }

    private static String hex(final byte[] secret)
    {
        return AuthProof.toHex(AuthProof.storedKey(secret));
    }
}
