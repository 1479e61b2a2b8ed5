package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.logbuffer.BufferClaim;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.AdminRequestEncoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryEncoder;
import io.sluice.transport.codec.ResumeEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes one client's single messages ({@code Event}, {@code Query}, the connection probe's {@code Query},
 * {@code Resume}) straight into a claim on the link, offers encoded batches, and numbers what it sends: events,
 * queries and resumes take correlation ids from one counter, 1 up; probes take negative ones ({@code -1 - key}).
 * After each send it runs an embedded driver that works on the client's thread (INVOKER threading), so the message
 * leaves without another thread.
 * <p>
 * The client's offering thread only; nothing allocated.
 */
final class MessageSender
{
    private final ClientLink link;
    private final int claimHeaderLength;
    private final long clientId;
    private final Aeron aeron;
    private final AgentInvoker driverInvoker;
    private final BufferClaim claim = new BufferClaim();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EventEncoder eventEncoder = new EventEncoder();
    private final QueryEncoder queryEncoder = new QueryEncoder();
    private final ResumeEncoder resumeEncoder = new ResumeEncoder();
    private final AdminRequestEncoder adminEncoder = new AdminRequestEncoder();
    private UnsafeBuffer adminBuffer;
    private long nextCorrelationId = 1;
    private long probesSent;

    /**
     * @param link          where messages go.
     * @param clientId      carried in every message.
     * @param aeron         the client's Aeron client (its conductor runs with the driver invoker).
     * @param driverInvoker an embedded driver's invoker when it runs on the client's thread, else null.
     */
    MessageSender(final ClientLink link, final long clientId, final Aeron aeron, final AgentInvoker driverInvoker)
    {
        this.link = link;
        this.claimHeaderLength = link.claimHeaderLength();
        this.clientId = clientId;
        this.aeron = aeron;
        this.driverInvoker = driverInvoker;
    }

    /**
     * @return the correlation id the next event, query or resume takes.
     */
    long nextCorrelationId()
    {
        return nextCorrelationId;
    }

    /**
     * Take the next correlation id: the event offered with {@link #nextCorrelationId()} was taken.
     *
     * @return the id taken.
     */
    long takeCorrelationId()
    {
        return nextCorrelationId++;
    }

    /**
     * Move the correlation ids above a daemon's mark (they never go down).
     *
     * @param mark the highest event correlation id the daemon accepted from this client.
     */
    void moveAbove(final long mark)
    {
        if (mark >= nextCorrelationId)
        {
            nextCorrelationId = mark + 1;
        }
    }

    /**
     * @return probe queries sent.
     */
    long probesSent()
    {
        return probesSent;
    }

    /**
     * Send one event as an {@code Event}.
     *
     * @param correlationId its correlation id.
     * @param key           the key.
     * @param timestamp     event time, epoch ns.
     * @param value         the value.
     * @return the new position, or a negative {@code Publication} code.
     */
    long offerEvent(final long correlationId, final long key, final long timestamp, final double value)
    {
        final long result = link.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH, claim);
        if (result < 0)
        {
            invokeDriver();
            return result;
        }
        eventEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset() + claimHeaderLength, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key)
            .timestamp(timestamp)
            .value(value);
        claim.commit();
        invokeDriver();
        return result;
    }

    /**
     * Send an encoded message (a batch) as it is.
     *
     * @param buffer holding it.
     * @param offset where it starts.
     * @param length its length.
     * @return the new position, or a negative {@code Publication} code.
     */
    long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        final long result = link.offer(buffer, offset, length);
        invokeDriver();
        return result;
    }

    /**
     * Ask for a key's aggregates, taking the next correlation id when the query was sent.
     *
     * @param key the key.
     * @return the query's correlation id, or a negative {@code Publication} code.
     */
    long offerQuery(final long key)
    {
        final long result = link.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + QueryEncoder.BLOCK_LENGTH, claim);
        if (result < 0)
        {
            invokeDriver();
            return result;
        }
        final long correlationId = nextCorrelationId++;
        queryEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset() + claimHeaderLength, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key);
        claim.commit();
        invokeDriver();
        return correlationId;
    }

    /**
     * Send a connection probe: a {@code Query} for the key with correlation id {@code -1 - key}, if the link takes it.
     *
     * @param key the probe's key.
     */
    void offerProbe(final long key)
    {
        if (link.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + QueryEncoder.BLOCK_LENGTH, claim) > 0)
        {
            probesSent++;
            queryEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset() + claimHeaderLength, headerEncoder)
                .clientId(clientId)
                .correlationId(-1 - key)
                .key(key);
            claim.commit();
        }
    }

    /**
     * @param correlationId the {@code Resume}'s correlation id.
     * @return true when it was sent.
     */
    boolean offerResume(final long correlationId)
    {
        if (link.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + ResumeEncoder.BLOCK_LENGTH, claim) > 0)
        {
            resumeEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset() + claimHeaderLength, headerEncoder)
                .clientId(clientId)
                .correlationId(correlationId);
            claim.commit();
            invokeDriver();
            return true;
        }
        invokeDriver();
        return false;
    }

    /**
     * Send an {@code AdminRequest} (fragmented when longer than a frame), taking the next correlation id when sent.
     * The control path: allocates its buffer at the first call.
     *
     * @param action  what to ask for.
     * @param payload its text, already checked to be ASCII of at most {@link SluiceClient#MAX_ADMIN_PAYLOAD_LENGTH}.
     * @return the request's correlation id, or a negative {@code Publication} code.
     */
    long offerAdminRequest(final AdminAction action, final String payload)
    {
        if (null == adminBuffer)
        {
            adminBuffer = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH +
                AdminRequestEncoder.BLOCK_LENGTH + AdminRequestEncoder.payloadHeaderLength() +
                SluiceClient.MAX_ADMIN_PAYLOAD_LENGTH]);
        }
        final long correlationId = nextCorrelationId;
        adminEncoder.wrapAndApplyHeader(adminBuffer, 0, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .action(action)
            .payload(payload);
        final long result = offer(adminBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + adminEncoder.encodedLength());
        if (result < 0)
        {
            return result;
        }
        nextCorrelationId++;
        return correlationId;
    }

    /**
     * Run an embedded driver in INVOKER threading, and the client conductor with it, once; nothing otherwise.
     */
    void invokeDriver()
    {
        if (null != driverInvoker)
        {
            driverInvoker.invoke();
            aeron.conductorAgentInvoker().invoke();
        }
    }
}
