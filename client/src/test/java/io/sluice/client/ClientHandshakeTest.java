package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.Permission;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.AdminResponseDecoder;
import io.sluice.transport.codec.AdminStatus;
import io.sluice.transport.codec.AuthenticateDecoder;
import io.sluice.transport.codec.ConnectDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResumeDecoder;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's side of the standalone handshake against {@link FakeAuthDaemon}, a scripted daemon of plain Aeron
 * publications and subscriptions on an embedded media driver of the test's own (temp directory, sleeping idle,
 * IPC ingress, response channel on a loopback port the client's driver picks).
 */
@Timeout(60)
class ClientHandshakeTest
{
    private static final long CLIENT_ID = 42;
    private static final String INGRESS = "aeron:ipc?term-length=64k";
    private static final int INGRESS_STREAM_ID = 1001;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final byte[] secret = AuthProof.newSecret(new SecureRandom());
    private final String secretHex = AuthProof.toHex(secret);
    private final List<Long> results = new ArrayList<>();
    private final List<String> adminResponses = new ArrayList<>();
    private final List<String> authenticatedEvents = new ArrayList<>();
    private final SluiceResultHandler handler = new SluiceResultHandler()
    {
        public void onEventResult(final EventResultDecoder result)
        {
            results.add(result.correlationId());
        }

        public void onRejected(final RejectedDecoder rejected)
        {
        }

        public void onAdminResponse(final AdminResponseDecoder response)
        {
            adminResponses.add(response.correlationId() + " " + response.action() + " " + response.status() + " " +
                response.message());
        }

        public void onAuthenticated(final long clientId, final long sessionId, final int permissions)
        {
            authenticatedEvents.add(clientId + " " + Permission.format(permissions));
        }
    };
    private File dir;
    private MediaDriver driver;
    private Aeron daemonAeron;
    private FakeAuthDaemon daemon;
    private SluiceClient client;

    @BeforeEach
    void launchDriver() throws Exception
    {
        dir = Files.createTempDirectory("sluice-handshake-").toFile();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        daemonAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
    }

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(client, daemon, daemonAeron, driver);
        IoUtil.delete(dir, true);
    }

    private SluiceClient.Context context()
    {
        return new SluiceClient.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .ingress(INGRESS, INGRESS_STREAM_ID)
            .clientId(CLIENT_ID)
            .maxBatchEvents(1)
            .secret(secretHex);
    }

    private FakeAuthDaemon startDaemon(final byte[] storedKey, final int permissions, final long mark)
    {
        return new FakeAuthDaemon(daemonAeron, INGRESS, INGRESS_STREAM_ID, storedKey, permissions, mark);
    }

    @Test
    void shouldConnectWithItsResolvedResponseChannelAndAProofTheStoredKeyVerifies()
    {
        daemon = startDaemon(AuthProof.storedKey(secret), Permission.SEND | Permission.QUERY | Permission.ADMIN,
            Long.MIN_VALUE);
        client = SluiceClient.connect(context());

        assertTrue(client.awaitConnected(TIMEOUT_NS));

        final String resolved = client.subscription().tryResolveChannelEndpointPort();
        assertEquals(List.of(resolved), daemon.responseChannels);
        assertTrue(resolved.startsWith("aeron:udp?endpoint=localhost:"), resolved);
        assertFalse(resolved.endsWith(":0"), resolved);
        assertEquals(List.of(1002), daemon.responseStreamIds);
        assertEquals(List.of(true), daemon.proofsVerified);
        assertEquals(List.of(ConnectDecoder.TEMPLATE_ID, AuthenticateDecoder.TEMPLATE_ID),
            daemon.templates().subList(0, 2));
        assertEquals(Permission.SEND | Permission.QUERY | Permission.ADMIN, client.permissions());
        assertEquals(1, client.authentications());

        assertEquals(1, client.offerEvent(7, 1_000, 2.5));
        final long adminId = client.offerAdminRequest(AdminAction.APPLY_RULES, "alert.a=key:7 value > 1");
        assertEquals(2, adminId);
        pollUntil(() -> results.size() == 1 && adminResponses.size() == 1);
        assertEquals(List.of(1L), results);
        assertEquals(List.of("2 APPLY_RULES OK done APPLY_RULES alert.a=key:7 value > 1"), adminResponses);

        assertEquals("admin payload of 1 characters must be US-ASCII of at most 16384 characters",
            assertThrows(IllegalArgumentException.class,
                () -> client.offerAdminRequest(AdminAction.APPLY_RULES, "\u00e9")).getMessage());
        assertEquals("action must be SNAPSHOT, APPLY_RULES, RELOAD_CREDENTIALS or SHUTDOWN: null",
            assertThrows(IllegalArgumentException.class, () -> client.offerAdminRequest(null, "")).getMessage());
        assertEquals(3, client.offerAdminRequest(AdminAction.SNAPSHOT, null));
        pollUntil(() -> adminResponses.size() == 2);
        assertEquals("3 SNAPSHOT OK done SNAPSHOT ", adminResponses.get(1));
    }

    @Test
    void shouldThrowNamingTheClientAndReasonButNeverTheSecretWhenTheDaemonRefusesTheProof()
    {
        final byte[] otherSecret = AuthProof.newSecret(new SecureRandom());
        daemon = startDaemon(AuthProof.storedKey(otherSecret), Permission.SEND, Long.MIN_VALUE);
        client = SluiceClient.connect(context());

        final SluiceAuthenticationException ex =
            assertThrows(SluiceAuthenticationException.class, () -> client.awaitConnected(TIMEOUT_NS));

        assertEquals(CLIENT_ID, ex.clientId());
        assertTrue(ex.getMessage().startsWith("client 42 was refused authentication: AUTHENTICATION_FAILED"),
            ex.getMessage());
        assertNoSecretIn(ex.getMessage());
        assertEquals(List.of(false), daemon.proofsVerified);
        assertEquals(Publication.NOT_CONNECTED, client.offerEvent(1, 1, 1.0));
        assertEquals(SluiceClient.PERMISSIONS_UNKNOWN, client.permissions());
        assertEquals(0, client.authentications());
    }

    @Test
    void shouldNeverProveForAChallengeThatNamesAnotherSession()
    {
        daemon = startDaemon(AuthProof.storedKey(secret), Permission.SEND, Long.MIN_VALUE);
        daemon.challengeSessionDelta = 1;
        client = SluiceClient.connect(context());

        assertFalse(client.awaitConnected(TimeUnit.MILLISECONDS.toNanos(2500)));

        final List<Integer> templates = daemon.templates();
        assertFalse(templates.isEmpty());
        assertTrue(templates.stream().allMatch(t -> t == ConnectDecoder.TEMPLATE_ID), templates.toString());
        assertEquals(List.of(), daemon.proofsVerified);
        assertEquals(0, client.authentications());
    }

    @Test
    void shouldAuthenticateAgainAfterADaemonRestartBeforeItsResume()
    {
        daemon = startDaemon(AuthProof.storedKey(secret), Permission.SEND, Long.MIN_VALUE);
        client = SluiceClient.connect(context());
        client.poll(handler, 1);
        assertTrue(client.awaitConnected(TIMEOUT_NS));
        for (int i = 0; i < 3; i++)
        {
            assertTrue(client.offerEvent(i, 1_000 + i, i) > 0);
        }
        pollUntil(() -> results.size() == 3);

        daemon.close();
        daemon = startDaemon(AuthProof.storedKey(secret), Permission.SEND, 1);
        assertEquals(2, client.resume(handler, TIMEOUT_NS));
        pollUntil(() -> results.size() == 5);

        final List<Integer> templates = daemon.templates();
        final int connect = templates.indexOf(ConnectDecoder.TEMPLATE_ID);
        final int authenticate = templates.indexOf(AuthenticateDecoder.TEMPLATE_ID);
        final int resume = templates.indexOf(ResumeDecoder.TEMPLATE_ID);
        assertTrue(connect >= 0 && connect < authenticate && authenticate < resume, templates.toString());
        assertEquals(1, templates.stream().filter(t -> t == ConnectDecoder.TEMPLATE_ID).count(), templates.toString());
        assertEquals(List.of(true), daemon.proofsVerified);
        assertTrue(daemon.received.stream().filter(r -> r.templateId() == ResumeDecoder.TEMPLATE_ID)
            .allMatch(FakeAuthDaemon.Received::authenticated));
        assertEquals(List.of(2L, 3L), daemon.eventIds);
        assertEquals(List.of(1L, 2L, 3L, 2L, 3L), results);
        assertEquals(2, client.authentications());
        assertEquals(List.of("42 send", "42 send"), authenticatedEvents);
        assertEquals(Permission.SEND, client.permissions());
    }

    @Test
    void shouldNeverShowTheSecretInAContextError() throws Exception
    {
        final String shortSecret = secretHex.substring(1);
        final IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
            () -> new SluiceClient.Context().clientId(1).secret(shortSecret).conclude());
        assertEquals("secret: the secret must be 64 hex digits, not 63 characters, as sluice auth add-client " +
            "printed it", tooShort.getMessage());

        final String notHex = "z" + secretHex.substring(1);
        final IllegalArgumentException badDigit = assertThrows(IllegalArgumentException.class,
            () -> new SluiceClient.Context().clientId(1).secret(notHex).conclude());
        assertEquals("secret: the secret must be 64 hex digits (0-9, a-f), as sluice auth add-client printed it",
            badDigit.getMessage());

        final IllegalArgumentException noId = assertThrows(IllegalArgumentException.class,
            () -> new SluiceClient.Context().secret(secretHex).conclude());
        assertEquals("clientId=0 with a secret: set the non-zero client id the credentials file holds the secret " +
            "for", noId.getMessage());

        final File file = new File(dir, "client.secret");
        Files.writeString(file.toPath(), "  " + secretHex + "\n");
        final IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
            () -> new SluiceClient.Context().clientId(1).secret(secretHex).secretFile(file.toPath()).conclude());
        assertEquals("secret and secretFile=" + file + " are both set: set one", both.getMessage());

        final SluiceClient.Context fromFile = new SluiceClient.Context().clientId(1).secretFile(file.toPath());
        fromFile.conclude();
        assertTrue(fromFile.hasSecret());
        assertEquals(secretHex, AuthProof.toHex(fromFile.secretBytes()));
        assertEquals(1002, fromFile.responseStreamId());

        final File missing = new File(dir, "missing.secret");
        final IllegalArgumentException unreadable = assertThrows(IllegalArgumentException.class,
            () -> new SluiceClient.Context().clientId(1).secretFile(missing.toPath()).conclude());
        assertEquals("secretFile=" + missing + " cannot be read (NoSuchFileException): it must be a readable file " +
            "holding the 64 hex digits", unreadable.getMessage());

        final IllegalArgumentException channel = assertThrows(IllegalArgumentException.class,
            () -> new SluiceClient.Context().clientId(1).secret(secretHex).responseChannel("udp://x").conclude());
        assertEquals("responseChannel=udp://x must be an aeron:udp or aeron:ipc channel of at most 512 characters",
            channel.getMessage());

        for (final Exception ex : List.of(tooShort, badDigit, noId, both, unreadable, channel))
        {
            assertNoSecretIn(ex.getMessage());
        }
    }

    private void assertNoSecretIn(final String message)
    {
        assertFalse(message.toLowerCase().contains(secretHex.substring(0, 16)), message);
        assertFalse(message.toLowerCase().contains(secretHex.substring(48)), message);
        assertNotEquals(-1, message.indexOf(' '));
    }

    private void pollUntil(final java.util.function.BooleanSupplier done)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!done.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out");
            if (0 == client.poll(handler, 10))
            {
                Thread.yield();
            }
        }
    }
}
