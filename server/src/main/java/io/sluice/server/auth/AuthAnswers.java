package io.sluice.server.auth;

import io.aeron.Publication;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.Permission;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.AdminResponseEncoder;
import io.sluice.transport.codec.AdminStatus;
import io.sluice.transport.codec.AuthenticatedEncoder;
import io.sluice.transport.codec.ChallengeEncoder;
import io.sluice.transport.codec.EventBatchDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.RejectedEncoder;
import io.sluice.transport.codec.ResumeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * What the daemon's side of authentication sends on a session's response publication: Challenge, Authenticated,
 * Rejected and AdminResponse, each offered once (the caller retries what must arrive). Ingress thread only; allocates
 * nothing.
 */
final class AuthAnswers
{
    private static final int BODY = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int MAX_MESSAGE_LENGTH = 1024;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final ChallengeEncoder challenge = new ChallengeEncoder();
    private final AuthenticatedEncoder authenticated = new AuthenticatedEncoder();
    private final RejectedEncoder rejected = new RejectedEncoder();
    private final AdminResponseEncoder adminResponse = new AdminResponseEncoder();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BODY + AdminResponseEncoder.BLOCK_LENGTH + 4 +
        MAX_MESSAGE_LENGTH]);

    boolean challenge(final Publication publication, final long clientId, final byte[] serverNonce, final int sessionId)
    {
        challenge.wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId)
            .putServerNonce(serverNonce, 0, AuthProof.NONCE_LENGTH)
            .sessionId(sessionId);
        return publication.offer(buffer, 0, BODY + challenge.encodedLength()) > 0;
    }

    boolean authenticated(
        final Publication publication, final long clientId, final int sessionId, final int permissions)
    {
        authenticated.wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId)
            .sessionId(sessionId)
            .permissions().clear()
            .sEND(0 != (permissions & Permission.SEND))
            .qUERY(0 != (permissions & Permission.QUERY))
            .sUBSCRIBE(0 != (permissions & Permission.SUBSCRIBE))
            .aDMIN(0 != (permissions & Permission.ADMIN));
        return publication.offer(buffer, 0, BODY + authenticated.encodedLength()) > 0;
    }

    void rejected(
        final Publication publication, final long clientId, final long correlationId, final long key, final int reason)
    {
        rejected.wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key)
            .reason(io.sluice.transport.codec.RejectReason.get((short)reason))
            .batchIndex(-1)
            .epoch(0);
        publication.offer(buffer, 0, BODY + rejected.encodedLength());
    }

    /**
     * Answer a refused message: its client id, correlation id and key as far as the frame holds them
     * ({@code batchIndex} -1, also for an EventBatch refused whole, named by its first event's correlation id).
     */
    void rejectedFor(
        final Publication publication, final DirectBuffer message, final int offset, final int length,
        final int templateId, final long clientId, final int reason)
    {
        long correlationId = 0;
        long key = 0;
        if (EventBatchDecoder.TEMPLATE_ID == templateId)
        {
            final int groupOffset = offset + BODY + EventBatchDecoder.BLOCK_LENGTH;
            if (groupOffset + 4 + 8 <= offset + length)
            {
                correlationId = message.getLong(groupOffset + 4, ByteOrder.LITTLE_ENDIAN);
            }
        }
        else if (length >= BODY + 16)
        {
            correlationId = message.getLong(offset + BODY + 8, ByteOrder.LITTLE_ENDIAN);
            if (length >= BODY + 24 && ResumeDecoder.TEMPLATE_ID != templateId)
            {
                key = message.getLong(offset + BODY + 16, ByteOrder.LITTLE_ENDIAN);
            }
        }
        rejected(publication, clientId, correlationId, key, reason);
    }

    boolean adminResponse(
        final Publication publication, final long clientId, final long correlationId, final AdminAction action,
        final AdminStatus status, final String text)
    {
        final String shortened = text.length() > MAX_MESSAGE_LENGTH ? text.substring(0, MAX_MESSAGE_LENGTH) : text;
        adminResponse.wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId)
            .correlationId(correlationId)
            .action(action)
            .status(status)
            .message(shortened.replaceAll("[^\\x20-\\x7E]", "?"));
        return publication.offer(buffer, 0, BODY + adminResponse.encodedLength()) > 0;
    }
}
