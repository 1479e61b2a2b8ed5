package io.sluice.systemtest;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.transport.codec.AuthenticateEncoder;
import io.sluice.transport.codec.ChallengeDecoder;
import io.sluice.transport.codec.ConnectEncoder;
import io.sluice.transport.codec.EventBatchEncoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryEncoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResultMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An intruder made of raw Aeron publications and subscriptions on a media driver of its own, speaking the SBE
 * protocol by hand: it sends under another client's id without a handshake, answers challenges with wrong or
 * replayed proofs, and listens on the shared egress channel. Everything its listening subscriptions receive is
 * counted; its own response channel gets only the answers to its own handshakes.
 */
final class AuthIntruder implements AutoCloseable
{
    static final int RESPONSE_STREAM = 77;

    final String responseChannel = "aeron:udp?endpoint=localhost:" + TestDaemon.freeUdpPort();
    final List<String> listened = new ArrayList<>();
    private final MediaDriver driver;
    private final Aeron aeron;
    private final ExclusivePublication ingress;
    private final Subscription responses;
    private final List<Subscription> listening = new ArrayList<>();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final SecureRandom random = new SecureRandom();
    private final byte[] received = new byte[1024];
    private int receivedTemplate;
    private long listenedFragments;

    AuthIntruder(final String dir, final String ingressChannel, final int ingressStreamId)
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        ingress = aeron.addExclusivePublication(ingressChannel, ingressStreamId);
        responses = aeron.addSubscription(responseChannel, RESPONSE_STREAM);
        await(ingress::isConnected, "the intruder's ingress publication connects");
    }

    /**
     * Listen on a channel for the whole run: whatever arrives there is counted by {@link #listenedFragments()}.
     *
     * @return null when subscribed, else why the driver refused the channel.
     */
    String listen(final String channel, final int streamId)
    {
        try
        {
            listening.add(aeron.addSubscription(channel, streamId));
            listened.add(channel);
            return null;
        }
        catch (final RuntimeException ex)
        {
            return ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
    }

    /**
     * Poll every listening subscription once.
     */
    void pollListening()
    {
        for (final Subscription subscription : listening)
        {
            listenedFragments += subscription.poll((b, o, l, h) -> {}, 100);
        }
    }

    long listenedFragments()
    {
        pollListening();
        return listenedFragments;
    }

    int listeningImages()
    {
        int images = 0;
        for (final Subscription subscription : listening)
        {
            images += subscription.imageCount();
        }
        return images;
    }

    int sessionId()
    {
        return ingress.sessionId();
    }

    void sendEvent(final long clientId, final long correlationId, final long key, final long timestamp, final double value)
    {
        send(MessageHeaderEncoder.ENCODED_LENGTH + new EventEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).correlationId(correlationId).key(key).timestamp(timestamp).value(value).encodedLength());
    }

    void sendBatch(final long clientId, final long firstCorrelationId, final long[] keys, final long timestamp)
    {
        final EventBatchEncoder batch = new EventBatchEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).resultMode(ResultMode.PER_EVENT);
        final EventBatchEncoder.EventsEncoder events = batch.eventsCount(keys.length);
        for (int i = 0; i < keys.length; i++)
        {
            events.next().correlationId(firstCorrelationId + i).key(keys[i]).timestamp(timestamp).value(1.0);
        }
        send(MessageHeaderEncoder.ENCODED_LENGTH + batch.encodedLength());
    }

    void sendQuery(final long clientId, final long correlationId, final long key)
    {
        send(MessageHeaderEncoder.ENCODED_LENGTH + new QueryEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).correlationId(correlationId).key(key).encodedLength());
    }

    /**
     * @return a fresh client nonce.
     */
    byte[] nonce()
    {
        final byte[] nonce = new byte[AuthProof.NONCE_LENGTH];
        random.nextBytes(nonce);
        return nonce;
    }

    /**
     * @return a random proof.
     */
    byte[] randomProof()
    {
        final byte[] proof = new byte[AuthProof.PROOF_LENGTH];
        random.nextBytes(proof);
        return proof;
    }

    void connect(final long clientId, final byte[] clientNonce)
    {
        send(MessageHeaderEncoder.ENCODED_LENGTH + new ConnectEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).putClientNonce(clientNonce, 0, clientNonce.length)
            .responseStreamId(RESPONSE_STREAM).responseChannel(responseChannel).encodedLength());
    }

    /**
     * @param timeoutMs longest wait.
     * @return the server nonce of the Challenge that arrived on the intruder's response channel (checked to bind
     * its own ingress session), or null when none came in time.
     */
    byte[] challenge(final long clientId, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!poll(ChallengeDecoder.TEMPLATE_ID))
        {
            if (System.nanoTime() - deadline > 0)
            {
                return null;
            }
            Thread.yield();
        }
        final ChallengeDecoder challenge = new ChallengeDecoder().wrap(new UnsafeBuffer(received),
            MessageHeaderDecoder.ENCODED_LENGTH, ChallengeDecoder.BLOCK_LENGTH, ChallengeDecoder.SCHEMA_VERSION);
        if (challenge.clientId() != clientId || challenge.sessionId() != ingress.sessionId())
        {
            throw new AssertionError("challenge for client " + challenge.clientId() + " session " +
                challenge.sessionId() + ", expected " + clientId + " session " + ingress.sessionId());
        }
        final byte[] serverNonce = new byte[AuthProof.NONCE_LENGTH];
        challenge.getServerNonce(serverNonce, 0, serverNonce.length);
        return serverNonce;
    }

    void authenticate(final long clientId, final byte[] proof)
    {
        send(MessageHeaderEncoder.ENCODED_LENGTH + new AuthenticateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).putProof(proof, 0, proof.length).encodedLength());
    }

    /**
     * @return "clientId reason" of the next Rejected on the intruder's response channel.
     */
    String rejected()
    {
        await(() -> poll(RejectedDecoder.TEMPLATE_ID), "a Rejected on the intruder's response channel");
        final RejectedDecoder rejected = new RejectedDecoder().wrap(new UnsafeBuffer(received),
            MessageHeaderDecoder.ENCODED_LENGTH, RejectedDecoder.BLOCK_LENGTH, RejectedDecoder.SCHEMA_VERSION);
        return rejected.clientId() + " " + rejected.reason();
    }

    private boolean poll(final int templateId)
    {
        receivedTemplate = -1;
        responses.poll((b, o, l, h) ->
        {
            final int template = b.getShort(o + 2) & 0xFFFF;
            if (-1 == receivedTemplate && template == templateId)
            {
                b.getBytes(o, received, 0, Math.min(l, received.length));
                receivedTemplate = templateId;
            }
            else if (-1 == receivedTemplate)
            {
                throw new AssertionError("unexpected template " + template + " on the intruder's response channel");
            }
        }, 1);
        return templateId == receivedTemplate;
    }

    private void send(final int length)
    {
        await(() -> ingress.offer(buffer, 0, length) > 0, "the intruder's offer");
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out: " + what);
            }
            Thread.yield();
        }
    }

    public void close()
    {
        CloseHelper.quietCloseAll(listening);
        CloseHelper.quietCloseAll(ingress, responses, aeron, driver);
    }
}
