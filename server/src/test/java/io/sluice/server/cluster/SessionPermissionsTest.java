package io.sluice.server.cluster;

import io.aeron.DirectBufferVector;
import io.aeron.cluster.service.ClientSession;
import io.aeron.logbuffer.BufferClaim;
import io.sluice.core.RejectReason;
import io.sluice.protocol.auth.ClusterCredentials;
import io.sluice.protocol.auth.Permission;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.AdminRequestEncoder;
import io.sluice.transport.codec.EventBatchEncoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryEncoder;
import io.sluice.transport.codec.ResumeEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-message decisions from the session's principal alone: the client id must be the principal's, each template
 * needs its permission; a session without a principal (opened without authentication) may do what it always could.
 */
class SessionPermissionsTest
{
    private final SessionPermissions permissions = new SessionPermissions();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();

    @Test
    void shouldRefuseAnotherClientsIdAndMissingPermissions()
    {
        final Session sender = open(1, ClusterCredentials.principal(11, Permission.SEND));
        final Session querier = open(2, ClusterCredentials.principal(12, Permission.QUERY | Permission.SUBSCRIBE));

        assertEquals(0, check(sender, event(11, 1, 5)));
        assertEquals(0, check(sender, batch(11, 2)));
        assertEquals(0, check(sender, resume(11, 3)));
        assertEquals(RejectReason.NOT_PERMITTED, check(sender, query(11, 4, 6)));
        assertEquals(4, permissions.rejectCorrelationId());
        assertEquals(6, permissions.rejectKey());
        assertEquals(RejectReason.NOT_PERMITTED, check(sender, admin(11, 5)));
        assertEquals(5, permissions.rejectCorrelationId());
        assertEquals(0, permissions.rejectKey());
        assertEquals(RejectReason.UNAUTHENTICATED, check(sender, event(12, 7, 8)), "another client's id");
        assertEquals(7, permissions.rejectCorrelationId());
        assertEquals(8, permissions.rejectKey());
        assertEquals(RejectReason.UNAUTHENTICATED, check(sender, batch(12, 9)));
        assertEquals(9, permissions.rejectCorrelationId(), "the batch's first event's");
        assertEquals(RejectReason.UNAUTHENTICATED, check(sender, 12), "too short to name a client");

        assertEquals(0, check(querier, query(12, 1, 2)));
        assertEquals(RejectReason.NOT_PERMITTED, check(querier, event(12, 2, 2)));
        assertEquals(RejectReason.NOT_PERMITTED, check(querier, batch(12, 3)));
        assertEquals(RejectReason.NOT_PERMITTED, check(querier, resume(12, 4)));
        assertTrue(permissions.principal(2).may(Permission.SUBSCRIBE));
        assertFalse(permissions.principal(1).may(Permission.SUBSCRIBE));
    }

    @Test
    void shouldLetASessionWithoutAPrincipalDoWhatItAlwaysCouldButAdmin()
    {
        final Session open = open(3, new byte[0]);
        assertEquals(0, check(open, event(99, 1, 1)));
        assertEquals(0, check(open, query(98, 1, 1)));
        assertEquals(0, check(open, admin(97, 1)), "answered NOT_PERMITTED by ClusterAdmin");
        assertFalse(permissions.principal(3).authenticated());
        assertFalse(permissions.principal(3).may(Permission.ADMIN));
        assertTrue(permissions.principal(3).may(Permission.SUBSCRIBE));

        final Session odd = open(4, new byte[13]);
        assertEquals(RejectReason.UNAUTHENTICATED, check(odd, event(0, 1, 1)), "a foreign principal may nothing");
        assertFalse(permissions.principal(4).may(Permission.SUBSCRIBE));

        permissions.onClose(open);
        assertEquals(RejectReason.UNAUTHENTICATED, check(open, event(99, 2, 1)), "a closed session is nobody");
    }

    private Session open(final long id, final byte[] principal)
    {
        final Session session = new Session(id, principal);
        permissions.onOpen(session);
        return session;
    }

    private int check(final Session session, final int length)
    {
        return permissions.check(session.id, buffer, 0, length);
    }

    private int event(final long clientId, final long correlationId, final long key)
    {
        final EventEncoder e = new EventEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).correlationId(correlationId).key(key).timestamp(1).value(1);
        return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
    }

    private int query(final long clientId, final long correlationId, final long key)
    {
        final QueryEncoder e = new QueryEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).correlationId(correlationId).key(key);
        return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
    }

    private int resume(final long clientId, final long correlationId)
    {
        final ResumeEncoder e = new ResumeEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).correlationId(correlationId);
        return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
    }

    private int admin(final long clientId, final long correlationId)
    {
        final AdminRequestEncoder e = new AdminRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).correlationId(correlationId).action(AdminAction.SNAPSHOT).payload("");
        return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
    }

    private int batch(final long clientId, final long firstCorrelationId)
    {
        final EventBatchEncoder e = new EventBatchEncoder().wrapAndApplyHeader(buffer, 0, header).clientId(clientId);
        final EventBatchEncoder.EventsEncoder events = e.eventsCount(2);
        events.next().correlationId(firstCorrelationId).key(1).timestamp(1).value(1);
        events.next().correlationId(firstCorrelationId + 1).key(1).timestamp(1).value(1);
        return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
    }

    private record Session(long id, byte[] encodedPrincipal) implements ClientSession
    {
        public int responseStreamId()
        {
            return 0;
        }

        public String responseChannel()
        {
            return "";
        }

        public void close()
        {
        }

        public boolean isClosing()
        {
            return false;
        }

        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            return 0;
        }

        public long offer(final DirectBufferVector[] vectors)
        {
            return 0;
        }

        public long tryClaim(final int length, final BufferClaim bufferClaim)
        {
            return 0;
        }
    }
}
