package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.Permission;
import io.sluice.transport.codec.AdminRequestDecoder;
import io.sluice.transport.codec.AdminResponseEncoder;
import io.sluice.transport.codec.AdminStatus;
import io.sluice.transport.codec.AuthenticateDecoder;
import io.sluice.transport.codec.AuthenticatedEncoder;
import io.sluice.transport.codec.ChallengeEncoder;
import io.sluice.transport.codec.ConnectDecoder;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.EventResultEncoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryDecoder;
import io.sluice.transport.codec.QueryResultEncoder;
import io.sluice.transport.codec.RejectReason;
import io.sluice.transport.codec.RejectedEncoder;
import io.sluice.transport.codec.ResumeDecoder;
import io.sluice.transport.codec.ResumedEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted stand-in for a daemon with authentication on, made of plain Aeron: it subscribes to the ingress,
 * answers Connect with a publication on the named response channel and a Challenge, checks Authenticate with
 * {@link AuthProof#verify} against one stored key, and once authenticated answers Query (QueryResult, or
 * Rejected(NOT_PERMITTED) without {@code query}), Resume (with its mark), Event (EventResult, raising the mark) and
 * AdminRequest (AdminResponse OK). Messages of a session that has not authenticated are recorded and dropped, as a
 * daemon drops them. Runs on its own thread; what it saw is read by the test thread.
 */
final class FakeAuthDaemon implements FragmentHandler, AutoCloseable
{
    /** One message the daemon received: its template id and whether its session was authenticated then. */
    record Received(int templateId, boolean authenticated)
    {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    final List<String> responseChannels = new CopyOnWriteArrayList<>();
    final List<Integer> responseStreamIds = new CopyOnWriteArrayList<>();
    final List<Boolean> proofsVerified = new CopyOnWriteArrayList<>();
    final List<Long> eventIds = new CopyOnWriteArrayList<>();

    private final Aeron aeron;
    private final Subscription ingress;
    private final byte[] storedKey;
    private final int permissions;
    private final SecureRandom random = new SecureRandom();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final Thread thread;
    private volatile boolean running = true;
    private ExclusivePublication response;
    private long clientId;
    private byte[] clientNonce;
    private byte[] serverNonce;
    private long boundSession;
    private boolean authenticated;
    private volatile long mark;
    /** Added to the session id a Challenge names: non-zero forges a challenge for another session. */
    volatile long challengeSessionDelta;

    FakeAuthDaemon(
        final Aeron aeron, final String ingressChannel, final int ingressStreamId, final byte[] storedKey,
        final int permissions, final long mark)
    {
        this.aeron = aeron;
        this.storedKey = storedKey;
        this.permissions = permissions;
        this.mark = mark;
        this.ingress = aeron.addSubscription(ingressChannel, ingressStreamId);
        this.thread = new Thread(this::run, "fake-auth-daemon");
        thread.setDaemon(true);
        thread.start();
    }

    long mark()
    {
        return mark;
    }

    List<Integer> templates()
    {
        return received.stream().map(Received::templateId).toList();
    }

    private void run()
    {
        while (running)
        {
            if (0 == ingress.poll(this, 10))
            {
                try
                {
                    Thread.sleep(1);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header frame)
    {
        header.wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int templateId = header.templateId();
        received.add(new Received(templateId, authenticated));
        switch (templateId)
        {
            case ConnectDecoder.TEMPLATE_ID ->
            {
                final ConnectDecoder connect = new ConnectDecoder().wrap(buffer, body, header.blockLength(), header.version());
                clientId = connect.clientId();
                clientNonce = new byte[AuthProof.NONCE_LENGTH];
                connect.getClientNonce(clientNonce, 0, clientNonce.length);
                final int streamId = connect.responseStreamId();
                final String channel = connect.responseChannel();
                responseChannels.add(channel);
                responseStreamIds.add(streamId);
                authenticated = false;
                CloseHelper.quietClose(response);
                response = aeron.addExclusivePublication(channel, streamId);
                awaitConnected(response);
                serverNonce = AuthProof.newNonce(random);
                boundSession = frame.sessionId();
                send(new ChallengeEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
                    .clientId(clientId).putServerNonce(serverNonce, 0, serverNonce.length)
                    .sessionId(boundSession + challengeSessionDelta)
                    .encodedLength());
            }
            case io.sluice.transport.codec.AuthenticateDecoder.TEMPLATE_ID ->
            {
                final AuthenticateDecoder authenticate =
                    new AuthenticateDecoder().wrap(buffer, body, header.blockLength(), header.version());
                final byte[] proof = new byte[AuthProof.PROOF_LENGTH];
                authenticate.getProof(proof, 0, proof.length);
                final boolean verified = authenticate.clientId() == clientId && frame.sessionId() == boundSession &&
                    AuthProof.verify(storedKey, clientId, clientNonce, serverNonce, boundSession, proof);
                proofsVerified.add(verified);
                if (verified)
                {
                    authenticated = true;
                    final AuthenticatedEncoder ok = new AuthenticatedEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
                        .clientId(clientId).sessionId(boundSession);
                    ok.permissions().clear().sEND(0 != (permissions & Permission.SEND))
                        .qUERY(0 != (permissions & Permission.QUERY))
                        .sUBSCRIBE(0 != (permissions & Permission.SUBSCRIBE))
                        .aDMIN(0 != (permissions & Permission.ADMIN));
                    send(ok.encodedLength());
                }
                else
                {
                    reject(0, RejectReason.AUTHENTICATION_FAILED);
                }
            }
            case QueryDecoder.TEMPLATE_ID ->
            {
                final QueryDecoder query = new QueryDecoder().wrap(buffer, body, header.blockLength(), header.version());
                if (authenticated && 0 == (permissions & Permission.QUERY))
                {
                    reject(query.correlationId(), RejectReason.NOT_PERMITTED);
                }
                else if (authenticated)
                {
                    send(new QueryResultEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
                        .clientId(clientId).correlationId(query.correlationId()).key(query.key()).encodedLength());
                }
            }
            case ResumeDecoder.TEMPLATE_ID ->
            {
                final ResumeDecoder resume = new ResumeDecoder().wrap(buffer, body, header.blockLength(), header.version());
                if (authenticated)
                {
                    send(new ResumedEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
                        .clientId(clientId).correlationId(resume.correlationId()).lastCorrelationId(mark)
                        .encodedLength());
                }
            }
            case EventDecoder.TEMPLATE_ID ->
            {
                final EventDecoder event = new EventDecoder().wrap(buffer, body, header.blockLength(), header.version());
                if (authenticated)
                {
                    eventIds.add(event.correlationId());
                    mark = Math.max(mark, event.correlationId());
                    send(new EventResultEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
                        .clientId(clientId).correlationId(event.correlationId()).key(event.key()).count(1)
                        .sum(event.value()).encodedLength());
                }
            }
            case AdminRequestDecoder.TEMPLATE_ID ->
            {
                final AdminRequestDecoder request =
                    new AdminRequestDecoder().wrap(buffer, body, header.blockLength(), header.version());
                if (authenticated)
                {
                    send(new AdminResponseEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
                        .clientId(clientId).correlationId(request.correlationId()).action(request.action())
                        .status(AdminStatus.OK).message("done " + request.action() + " " + request.payload())
                        .encodedLength());
                }
            }
            default ->
            {
            }
        }
    }

    private void reject(final long correlationId, final RejectReason reason)
    {
        send(new RejectedEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
            .clientId(clientId).correlationId(correlationId).key(0).reason(reason).batchIndex(-1).encodedLength());
    }

    private void send(final int bodyLength)
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + bodyLength;
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (response.offer(out, 0, length) < 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("fake daemon could not send to the response channel");
            }
            Thread.onSpinWait();
        }
    }

    private static void awaitConnected(final ExclusivePublication publication)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!publication.isConnected() && System.nanoTime() - deadline < 0)
        {
            Thread.onSpinWait();
        }
    }

    public void close()
    {
        running = false;
        try
        {
            thread.join(5000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        CloseHelper.quietCloseAll(response, ingress);
    }
}
