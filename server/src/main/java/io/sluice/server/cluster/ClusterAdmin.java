package io.sluice.server.cluster;

import io.aeron.cluster.service.ClientSession;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.AdminRequestDecoder;
import io.sluice.transport.codec.AdminResponseEncoder;
import io.sluice.transport.codec.AdminStatus;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.Supplier;

/**
 * Sluice's {@code AdminRequest} sent to a cluster as a session message (the service has checked the session's client
 * id and its {@code admin} permission first, {@link SessionPermissions}). What each action does on a cluster:
 * <ul>
 *     <li>{@code RELOAD_CREDENTIALS}: done through the log: every member, when the log reaches the request, has its
 *     consensus module's {@link ClusterAuthenticator} re-read its own {@code sluice.auth.file} (as SIGHUP does on one
 *     node); answered {@code OK} naming the clients now listed, or {@code FAILED} with the file's error (the member
 *     keeps the credentials it had). Open sessions keep the principal they opened with.</li>
 *     <li>{@code SNAPSHOT}: {@code FAILED}, pointing to Aeron's own admin request
 *     ({@code AeronCluster.sendAdminRequestToTakeASnapshot}, allowed to {@code admin} principals by
 *     {@link ClusterAuthorisation}) or {@code sluice snapshot} on the leader's host: a clustered service cannot ask its
 *     consensus module for a snapshot through the log.</li>
 *     <li>{@code APPLY_RULES}: {@code FAILED}, pointing to {@code sluice rules apply} on the leader's host (the rules
 *     enter the log as the leader's service message, {@link ClusterRuleSwap}).</li>
 *     <li>{@code SHUTDOWN}: {@code FAILED}, pointing to {@code sluice cluster-shutdown} on the leader's host.</li>
 * </ul>
 * A session without a principal (connected while the leader ran without authentication) is answered
 * {@code NOT_PERMITTED}. The answer goes to the requesting
 * session (a follower's offer sends nothing). None of this changes the state. Service thread only.
 */
final class ClusterAdmin
{
    private final AdminRequestDecoder request = new AdminRequestDecoder();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AdminResponseEncoder response = new AdminResponseEncoder();
    private final MessageHeaderEncoder responseHeader = new MessageHeaderEncoder();
    private final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(1024, 64));
    private final Supplier<String> reload;

    /**
     * @param reload  re-reads this member's credentials file into its authenticator and says what it holds now;
     *                throws {@code CredentialsException} naming the line when the file cannot be used.
     */
    ClusterAdmin(final Supplier<String> reload)
    {
        this.reload = reload;
    }

    /**
     * Answer one AdminRequest on the session it came on.
     *
     * @param principal the session's principal ({@link SessionPermissions}).
     * @return true when the message was an AdminRequest (answered here), false when it is not one.
     */
    boolean onMessage(
        final ClientSession session, final SessionPermissions.Principal principal, final DirectBuffer message, final int offset, final int length,
        final ClusterEgress egress)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH ||
            AdminRequestDecoder.TEMPLATE_ID != header.wrap(message, offset).templateId() ||
            AdminRequestDecoder.SCHEMA_ID != header.schemaId())
        {
            return false;
        }
        if (header.blockLength() < AdminRequestDecoder.BLOCK_LENGTH ||
            length < MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength())
        {
            egress.rejectTo(session, 0, 0, 0, io.sluice.core.RejectReason.TRUNCATED);
            return true;
        }
        request.wrapAndApplyHeader(message, offset, header);
        final short raw = request.actionRaw();
        final AdminAction action = raw >= 1 && raw <= 4 ? AdminAction.get(raw) : AdminAction.NULL_VAL;
        final AdminStatus status;
        final String text;
        if (!principal.may(io.sluice.protocol.auth.Permission.ADMIN))
        {
            status = AdminStatus.NOT_PERMITTED;
            text = "this session did not authenticate (the leader ran without sluice.auth.file when it connected): " +
                "only an authenticated client with the admin permission may";
        }
        else if (AdminAction.RELOAD_CREDENTIALS == action)
        {
            String result;
            AdminStatus outcome;
            try
            {
                result = reload.get();
                outcome = AdminStatus.OK;
            }
            catch (final RuntimeException ex)
            {
                result = "the credentials were kept: " + ex.getMessage();
                outcome = AdminStatus.FAILED;
            }
            status = outcome;
            text = result;
        }
        else
        {
            status = AdminStatus.FAILED;
            text = pointer(action);
        }
        response.wrapAndApplyHeader(buffer, 0, responseHeader)
            .clientId(request.clientId())
            .correlationId(request.correlationId())
            .action(action)
            .status(status)
            .message(text.length() > 900 ? text.substring(0, 900) : text);
        egress.sendTo(session, buffer, MessageHeaderEncoder.ENCODED_LENGTH + response.encodedLength());
        return true;
    }

    /**
     * @param action an action the cluster does not take over the wire.
     * @return which tool takes it.
     */
    static String pointer(final AdminAction action)
    {
        return switch (action)
        {
            case SNAPSHOT -> "a cluster snapshot is taken by the consensus module: use Aeron's admin request " +
                "(AeronCluster.sendAdminRequestToTakeASnapshot, allowed to admin clients) or sluice snapshot on the " +
                "leader's host";
            case APPLY_RULES -> "on a cluster use sluice rules apply on the leader's host (the rules enter the log " +
                "as the leader's service message)";
            case SHUTDOWN -> "on a cluster use sluice cluster-shutdown on the leader's host (every member snapshots " +
                "and stops)";
            default -> "unknown admin action";
        };
    }
}
