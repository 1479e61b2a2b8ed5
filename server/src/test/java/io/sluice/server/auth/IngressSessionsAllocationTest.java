package io.sluice.server.auth;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.core.RejectReason;
import io.sluice.driver.EmbeddedDriver;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.ingress.SessionGate;
import io.sluice.transport.codec.AuthenticateEncoder;
import io.sluice.transport.codec.ChallengeDecoder;
import io.sluice.transport.codec.ConnectEncoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryEncoder;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-message cost of authentication: once a session is authenticated, letting its events through and answering
 * a message it lacks the permission for allocate nothing (the gate is called directly, as the ingress agent calls
 * it; the thread's allocated bytes are read around a million calls).
 */
class IngressSessionsAllocationTest
{
    private static final long CLIENT = 42;
    private static final int SESSION = 5;
    private static final int RESPONSE_STREAM = 9;
    private static final int CALLS = 1_000_000;

    private final byte[] secret = new byte[AuthProof.SECRET_LENGTH];
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final Header header = new Header(0, 16);
    private String driverDir;
    private MediaDriver driver;
    private Aeron aeron;
    private SluiceCounters counters;
    private IngressSessions sessions;
    private final SessionDirectory directory = new SessionDirectory(4);

    @AfterEach
    void after()
    {
        if (null != sessions)
        {
            sessions.close();
        }
        CloseHelper.closeAll(counters, aeron, driver);
        IoUtil.delete(new File(driverDir), true);
    }

    @Test
    void shouldAllocateNothingPerMessageOnceAuthenticated()
    {
        authenticate();
        final int eventLength = MessageHeaderEncoder.ENCODED_LENGTH + new EventEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(CLIENT).correlationId(1).key(7)
            .timestamp(1_700_000_000_000_000_000L).value(1.5).encodedLength();
        final UnsafeBuffer query = new UnsafeBuffer(new byte[64]);
        final int queryLength = MessageHeaderEncoder.ENCODED_LENGTH + new QueryEncoder()
            .wrapAndApplyHeader(query, 0, headerEncoder).clientId(CLIENT).correlationId(2).key(7).encodedLength();
        for (int i = 0; i < CALLS; i++)
        {
            sessions.onMessage(buffer, 0, eventLength, header, i);
            sessions.onMessage(query, 0, queryLength, header, i);
        }

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        int passed = 0;
        int refused = 0;
        for (int i = 0; i < CALLS; i++)
        {
            passed += SessionGate.PASS == sessions.onMessage(buffer, 0, eventLength, header, i) ? 1 : 0;
            refused += RejectReason.NOT_PERMITTED == sessions.onMessage(query, 0, queryLength, header, i) ? 1 : 0;
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(CALLS, passed);
        assertEquals(CALLS, refused);
        assertEquals(0, allocated, "bytes allocated by " + 2 * CALLS + " messages");
    }

    private void authenticate()
    {
        driverDir = new File(System.getProperty("java.io.tmpdir"), "sluice-auth-alloc-" + System.nanoTime())
            .getAbsolutePath();
        driver = EmbeddedDriver.launch(new EmbeddedDriver.Context().dirKey("aeron.dir").dir(driverDir)
            .threading(DriverThreading.INVOKER).idleStrategy(IdleStrategyType.SLEEPING)
            .errorHandler(Throwable::printStackTrace).livenessTimeoutNs(TimeUnit.SECONDS.toNanos(10)).log(System.err));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driverDir).useConductorAgentInvoker(true)
            .driverAgentInvoker(EmbeddedDriver.invokerOf(driver)));
        counters = new SluiceCounters(aeron);
        sessions = new IngressSessions(aeron, Credentials.parse("test", CLIENT + " " +
            AuthProof.toHex(AuthProof.storedKey(secret)) + " send\n"), directory,
            new IngressSessions.Settings(TimeUnit.SECONDS.toNanos(30), 0, 64 * 1024, TimeUnit.SECONDS.toNanos(1)),
            new AuthCounters(aeron, counters), new PrintStream(OutputStream.nullOutputStream()));
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
        frame.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, SESSION);
        header.buffer(frame);
        header.offset(0);
        final Subscription responses = aeron.addSubscription("aeron:ipc", RESPONSE_STREAM);
        final byte[] clientNonce = new byte[AuthProof.NONCE_LENGTH];
        final int connectLength = MessageHeaderEncoder.ENCODED_LENGTH + new ConnectEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(CLIENT)
            .putClientNonce(clientNonce, 0, clientNonce.length).responseStreamId(RESPONSE_STREAM)
            .responseChannel("aeron:ipc").encodedLength();
        assertEquals(SessionGate.TAKEN, sessions.onMessage(buffer, 0, connectLength, header, 0));
        final byte[] serverNonce = new byte[AuthProof.NONCE_LENGTH];
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        final boolean[] challenged = { false };
        while (!challenged[0] && System.nanoTime() - deadline < 0)
        {
            sessions.doWork(1);
            EmbeddedDriver.invokerOf(driver).invoke();
            aeron.conductorAgentInvoker().invoke();
            responses.poll((b, o, l, h) ->
            {
                new ChallengeDecoder().wrap(b, o + MessageHeaderDecoder.ENCODED_LENGTH, ChallengeDecoder.BLOCK_LENGTH,
                    ChallengeDecoder.SCHEMA_VERSION).getServerNonce(serverNonce, 0, serverNonce.length);
                challenged[0] = true;
            }, 1);
        }
        final byte[] proof = AuthProof.proof(secret, CLIENT, clientNonce, serverNonce, SESSION);
        final int authenticateLength = MessageHeaderEncoder.ENCODED_LENGTH + new AuthenticateEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(CLIENT).putProof(proof, 0, proof.length)
            .encodedLength();
        assertEquals(SessionGate.TAKEN, sessions.onMessage(buffer, 0, authenticateLength, header, 2));
        assertEquals(0, counters.rejected(RejectReason.AUTHENTICATION_FAILED).get());
        assertEquals(1, directory.view().size(), "authenticated");
    }
}
