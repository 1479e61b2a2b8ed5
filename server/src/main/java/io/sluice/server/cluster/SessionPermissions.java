package io.sluice.server.cluster;

import io.aeron.cluster.service.ClientSession;
import io.sluice.core.RejectReason;
import io.sluice.protocol.auth.ClusterCredentials;
import io.sluice.protocol.auth.Permission;
import io.sluice.transport.codec.AdminRequestDecoder;
import io.sluice.transport.codec.EventBatchDecoder;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.QueryDecoder;
import io.sluice.transport.codec.ResumeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.nio.ByteOrder;

/**
 * What each open cluster session may do, decided by the principal its session open event carries in the log (the
 * consensus module's {@link ClusterAuthenticator} gave it: {@link ClusterCredentials}, client id and permissions).
 * That principal is in the log and in the service's snapshot of its sessions, and nothing else is consulted (not this
 * member's {@code sluice.auth.file}), so every member, every replay and every restore decide the same for every
 * message; a refusal changes no state (the message is answered {@code Rejected} and not applied).
 * <ul>
 *     <li>A session with a principal (authentication was on at the leader when it connected): a Sluice message must
 *     carry the session's client id, else {@code Rejected(UNAUTHENTICATED)}; Event, EventBatch and Resume need
 *     {@link Permission#SEND}, Query {@link Permission#QUERY}, AdminRequest {@link Permission#ADMIN}, else
 *     {@code Rejected(NOT_PERMITTED)}; window results and alerts go to it only with {@link Permission#SUBSCRIBE}. A
 *     principal of another length than Sluice's may do nothing.</li>
 *     <li>A session with an empty principal (it connected while the leader ran without authentication; a leader with
 *     authentication lets no session open without one) may do what every client could before: everything but
 *     AdminRequest. A session keeps what it opened with until it closes, also across a change of the setting.</li>
 * </ul>
 * Service thread only; allocates at session open, never per message.
 */
final class SessionPermissions
{
    /** A session's client id and permissions; {@code authenticated} false for a session without a principal. */
    record Principal(long clientId, int permissions, boolean authenticated)
    {
        boolean may(final int permission)
        {
            return 0 != (permissions & permission);
        }
    }

    private static final Principal ANYONE = new Principal(0, Permission.ALL & ~Permission.ADMIN, false);
    private static final Principal NOBODY = new Principal(0, 0, true);

    private final Long2ObjectHashMap<Principal> bySession = new Long2ObjectHashMap<>();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private long rejectCorrelationId;
    private long rejectKey;

    /**
     * A session opened, or was restored from a snapshot: decode its principal once.
     *
     * @param session the session.
     * @return its principal.
     */
    Principal onOpen(final ClientSession session)
    {
        final Principal principal = decode(session.encodedPrincipal());
        bySession.put(session.id(), principal);
        return principal;
    }

    /**
     * @param session a session that closed.
     */
    void onClose(final ClientSession session)
    {
        bySession.remove(session.id());
    }

    /**
     * @param sessionId an open session's id.
     * @return its principal (one with no permission when it is not known).
     */
    Principal principal(final long sessionId)
    {
        final Principal principal = bySession.get(sessionId);
        return null == principal ? NOBODY : principal;
    }

    /**
     * Whether the session's principal may send this message. After a refusal {@link #rejectCorrelationId()} and
     * {@link #rejectKey()} name what the message is long enough to hold (0 otherwise).
     *
     * @return 0 when it may (or the session has no principal, or the message is not Sluice's: the ingress checks
     * answer that), else {@link RejectReason#UNAUTHENTICATED} or {@link RejectReason#NOT_PERMITTED}.
     */
    int check(final long sessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        final Principal principal = principal(sessionId);
        if (!principal.authenticated() || length < MessageHeaderDecoder.ENCODED_LENGTH ||
            MessageHeaderDecoder.SCHEMA_ID != header.wrap(buffer, offset).schemaId())
        {
            return 0;
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int templateId = header.templateId();
        rejectCorrelationId = 0;
        rejectKey = 0;
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + 8 ||
            buffer.getLong(body, ByteOrder.LITTLE_ENDIAN) != principal.clientId() || 0 == principal.clientId())
        {
            readIds(buffer, offset, length, templateId);
            return RejectReason.UNAUTHENTICATED;
        }
        final int needs = needs(templateId);
        if (0 != needs && !principal.may(needs))
        {
            readIds(buffer, offset, length, templateId);
            return RejectReason.NOT_PERMITTED;
        }
        return 0;
    }

    /**
     * @return the correlation id of the last refused message (an EventBatch's first event's), or 0.
     */
    long rejectCorrelationId()
    {
        return rejectCorrelationId;
    }

    /**
     * @return the key of the last refused Event or Query, or 0.
     */
    long rejectKey()
    {
        return rejectKey;
    }

    private static int needs(final int templateId)
    {
        if (EventDecoder.TEMPLATE_ID == templateId || EventBatchDecoder.TEMPLATE_ID == templateId ||
            ResumeDecoder.TEMPLATE_ID == templateId)
        {
            return Permission.SEND;
        }
        if (QueryDecoder.TEMPLATE_ID == templateId)
        {
            return Permission.QUERY;
        }
        if (AdminRequestDecoder.TEMPLATE_ID == templateId)
        {
            return Permission.ADMIN;
        }
        return 0;
    }

    private void readIds(final DirectBuffer buffer, final int offset, final int length, final int templateId)
    {
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        if (EventBatchDecoder.TEMPLATE_ID == templateId)
        {
            final int first = body + header.blockLength() + EventBatchDecoder.EventsDecoder.sbeHeaderSize();
            if (header.blockLength() >= 8 && offset + length >= first + 8)
            {
                rejectCorrelationId = buffer.getLong(first, ByteOrder.LITTLE_ENDIAN);
            }
            return;
        }
        if (length >= MessageHeaderDecoder.ENCODED_LENGTH + 16)
        {
            rejectCorrelationId = buffer.getLong(body + 8, ByteOrder.LITTLE_ENDIAN);
        }
        if ((EventDecoder.TEMPLATE_ID == templateId || QueryDecoder.TEMPLATE_ID == templateId) &&
            length >= MessageHeaderDecoder.ENCODED_LENGTH + 24)
        {
            rejectKey = buffer.getLong(body + 16, ByteOrder.LITTLE_ENDIAN);
        }
    }

    private static Principal decode(final byte[] encoded)
    {
        if (null == encoded || 0 == encoded.length)
        {
            return ANYONE;
        }
        if (ClusterCredentials.PRINCIPAL_LENGTH != encoded.length)
        {
            return NOBODY;
        }
        return new Principal(ClusterCredentials.clientId(encoded), ClusterCredentials.permissions(encoded), true);
    }
}
