package io.sluice.server.cluster;

import io.aeron.cluster.AllowBackupAndStandbyAuthorisationService;
import io.aeron.cluster.codecs.AdminRequestDecoder;
import io.aeron.cluster.codecs.MessageHeaderDecoder;
import io.aeron.security.AuthorisationService;
import io.sluice.protocol.auth.ClusterCredentials;
import io.sluice.protocol.auth.Permission;

/**
 * Who may make Aeron Cluster's admin requests (today only {@code AeronCluster.sendAdminRequestToTakeASnapshot})
 * when authentication is on: a session whose principal ({@link ClusterCredentials}) has {@link Permission#ADMIN}.
 * Everything else is Aeron's default ({@link AllowBackupAndStandbyAuthorisationService}: cluster backup, standby and
 * heartbeat requests of authenticated sessions).
 * <p>
 * With authentication off the node keeps Aeron's default, which refuses every admin request
 * ({@code UNAUTHORISED_ACCESS}): a snapshot is then taken with {@code ClusterTool snapshot} on the leader's host.
 * <p>
 * Aeron 1.51 keeps a session's principal only on the consensus module that authenticated it: a session replayed from
 * the log or loaded from the consensus module's snapshot (on a member that became leader, or after a restart) has an
 * empty principal there, so an admin whose session outlived a leader change must reconnect before its admin request
 * is allowed (the clustered service still has the principal: it is in the log's session open event).
 * <p>
 * Stateless; any thread.
 */
public final class ClusterAuthorisation implements AuthorisationService
{
    /** The one instance. */
    public static final ClusterAuthorisation INSTANCE = new ClusterAuthorisation();

    private ClusterAuthorisation()
    {
    }

    /**
     * {@inheritDoc}
     */
    public boolean isAuthorised(
        final int protocolId, final int actionId, final Object type, final byte[] encodedPrincipal)
    {
        if (MessageHeaderDecoder.SCHEMA_ID == protocolId && AdminRequestDecoder.TEMPLATE_ID == actionId)
        {
            return null != encodedPrincipal && ClusterCredentials.PRINCIPAL_LENGTH == encodedPrincipal.length &&
                0 != (ClusterCredentials.permissions(encodedPrincipal) & Permission.ADMIN);
        }
        return AllowBackupAndStandbyAuthorisationService.INSTANCE.isAuthorised(
            protocolId, actionId, type, encodedPrincipal);
    }
}
