package io.sluice.server.auth;

import io.aeron.Publication;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.AdminRequestDecoder;
import io.sluice.transport.codec.AdminStatus;
import io.sluice.transport.codec.MessageHeaderDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code AdminRequest}s of authenticated sessions with {@code admin}: each carried out through
 * {@link AdminActions} and answered with an {@code AdminResponse} on the session's publication, at once (SNAPSHOT,
 * SHUTDOWN, a bad request) or when the hand-over reports its outcome (APPLY_RULES, RELOAD_CREDENTIALS). Ingress thread
 * only; control path (a request allocates).
 */
final class AdminRequests
{
    /** Longest payload, bytes (the schema's 16 KiB). */
    static final int MAX_PAYLOAD_LENGTH = 16 * 1024;
    private static final int BODY = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int MAX_PENDING = 16;

    private record Pending(
        Publication publication, long clientId, long correlationId, AdminAction action, long requestId)
    {
    }

    private final AdminActions actions;
    private final AuthAnswers answers;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AdminRequestDecoder request = new AdminRequestDecoder();
    private final List<Pending> pending = new ArrayList<>();

    AdminRequests(final AdminActions actions, final AuthAnswers answers)
    {
        this.actions = actions;
        this.answers = answers;
    }

    /**
     * @param publication the session's response publication.
     * @param clientId    the session's client.
     * @param permitted   whether the session holds {@code admin}.
     */
    void onRequest(
        final Publication publication, final long clientId, final boolean permitted, final DirectBuffer buffer,
        final int offset, final int length)
    {
        header.wrap(buffer, offset);
        final int blockLength = header.blockLength();
        final int varOffset = offset + BODY + blockLength;
        if (header.version() < 1 || blockLength < AdminRequestDecoder.BLOCK_LENGTH ||
            varOffset + AdminRequestDecoder.payloadHeaderLength() > offset + length)
        {
            answers.adminResponse(publication, clientId, 0, AdminAction.NULL_VAL, AdminStatus.FAILED,
                "malformed AdminRequest");
            return;
        }
        request.wrap(buffer, offset + BODY, blockLength, header.version());
        final long correlationId = request.correlationId();
        final AdminAction action = request.action();
        final int payloadLength = buffer.getInt(varOffset, ByteOrder.LITTLE_ENDIAN);
        final int payloadOffset = varOffset + AdminRequestDecoder.payloadHeaderLength();
        if (!permitted)
        {
            answers.adminResponse(publication, clientId, correlationId, action, AdminStatus.NOT_PERMITTED,
                "client " + clientId + " lacks the admin permission");
            return;
        }
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH || payloadOffset + payloadLength > offset + length)
        {
            answers.adminResponse(publication, clientId, correlationId, action, AdminStatus.FAILED,
                "payload of a bad length (at most " + MAX_PAYLOAD_LENGTH + " bytes)");
            return;
        }
        switch (action)
        {
            case SNAPSHOT ->
            {
                final String refusal = actions.snapshot();
                answers.adminResponse(publication, clientId, correlationId, action,
                    null == refusal ? AdminStatus.OK : AdminStatus.FAILED, null == refusal ? "snapshot requested" : refusal);
            }
            case SHUTDOWN ->
            {
                answers.adminResponse(publication, clientId, correlationId, action, AdminStatus.OK,
                    "stopping gracefully");
                actions.shutdown();
            }
            case APPLY_RULES, RELOAD_CREDENTIALS -> handOver(publication, clientId, correlationId, action,
                buffer.getStringWithoutLengthAscii(payloadOffset, payloadLength));
            default -> answers.adminResponse(publication, clientId, correlationId, action, AdminStatus.FAILED,
                "unknown action " + request.actionRaw());
        }
    }

    private void handOver(
        final Publication publication, final long clientId, final long correlationId, final AdminAction action,
        final String payload)
    {
        if (pending.size() >= MAX_PENDING)
        {
            answers.adminResponse(publication, clientId, correlationId, action, AdminStatus.FAILED,
                MAX_PENDING + " admin requests are already in progress");
            return;
        }
        try
        {
            final long id = AdminAction.APPLY_RULES == action ? actions.applyRules(payload) : actions.reloadCredentials();
            pending.add(new Pending(publication, clientId, correlationId, action, id));
        }
        catch (final RuntimeException ex)
        {
            answers.adminResponse(publication, clientId, correlationId, action, AdminStatus.FAILED,
                String.valueOf(ex.getMessage()));
        }
    }

    /**
     * Answer the hand-overs whose outcome is known.
     *
     * @return work done.
     */
    int doWork()
    {
        int work = 0;
        for (int i = pending.size() - 1; i >= 0; i--)
        {
            final Pending request = pending.get(i);
            final String outcome = actions.outcome(request.requestId());
            if (null != outcome)
            {
                final boolean ok = outcome.startsWith("OK");
                answers.adminResponse(request.publication(), request.clientId(), request.correlationId(),
                    request.action(), ok ? AdminStatus.OK : AdminStatus.FAILED, ok ? outcome.substring(2).strip() :
                    outcome);
                pending.remove(i);
                work++;
            }
        }
        return work;
    }

    boolean hasPending()
    {
        return !pending.isEmpty();
    }
}
