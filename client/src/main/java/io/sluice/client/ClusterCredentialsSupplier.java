package io.sluice.client;

import io.aeron.security.CredentialsSupplier;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.ClusterCredentials;

import java.security.SecureRandom;

/**
 * Sluice's handshake in Aeron Cluster's own challenge flow ({@link ClusterCredentials} gives the bytes): the session
 * connect request carries {@code clientId | clientNonce}, the consensus module's challenge {@code serverNonce |
 * clusterSessionId}, and the answer {@code clientId | AuthProof.proof(secret, clientId, clientNonce, serverNonce,
 * clusterSessionId)}. Each connect request takes a fresh nonce; the answer uses the nonce of the latest one (AeronCluster
 * connects one attempt at a time, and every new session of a {@link ClusterLink} calls {@link #encodedCredentials()}
 * again, so a re-opened session authenticates afresh).
 * <p>
 * Called on the client's thread by AeronCluster's connect; allocates per handshake.
 */
final class ClusterCredentialsSupplier implements CredentialsSupplier
{
    private static final byte[] NO_RESPONSE = new byte[0];

    private final long clientId;
    private final byte[] secret;
    private final SecureRandom random = new SecureRandom();
    private byte[] clientNonce;

    /**
     * @param clientId this client's id, the credentials file's.
     * @param secret   its secret, {@link AuthProof#SECRET_LENGTH} bytes; kept, never shown.
     */
    ClusterCredentialsSupplier(final long clientId, final byte[] secret)
    {
        this.clientId = clientId;
        this.secret = secret;
    }

    public byte[] encodedCredentials()
    {
        clientNonce = AuthProof.newNonce(random);
        return ClusterCredentials.credentials(clientId, clientNonce);
    }

    /**
     * @param encodedChallenge {@code serverNonce | clusterSessionId}.
     * @return {@code clientId | proof}; empty (which the cluster refuses) for a challenge of another length or one
     * that comes before any connect request.
     */
    public byte[] onChallenge(final byte[] encodedChallenge)
    {
        if (null == clientNonce || null == encodedChallenge ||
            ClusterCredentials.CHALLENGE_LENGTH != encodedChallenge.length)
        {
            return NO_RESPONSE;
        }
        final byte[] proof = AuthProof.proof(secret, clientId, clientNonce,
            ClusterCredentials.serverNonce(encodedChallenge), ClusterCredentials.sessionId(encodedChallenge));
        return ClusterCredentials.response(clientId, proof);
    }

    public String toString()
    {
        return "ClusterCredentialsSupplier{clientId=" + clientId + "}";
    }
}
