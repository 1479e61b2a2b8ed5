package io.sluice.protocol.auth;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The same handshake carried by Aeron Cluster's own challenge flow: the bytes of its {@code encodedCredentials},
 * {@code encodedChallenge} and challenge response, and of the principal the authenticator gives a session. All
 * little-endian:
 * <pre>
 *   credentials (connect request)  clientId int64 | clientNonce 16 bytes                       24 bytes
 *   challenge                      serverNonce 16 bytes | cluster session id int64             24 bytes
 *   challenge response             clientId int64 | proof 32 bytes                             40 bytes
 *   principal                      clientId int64 | permissions int32                          12 bytes
 * </pre>
 * The proof binds the cluster session id the challenge carries ({@link AuthProof}). Handshakes only; allocates.
 */
public final class ClusterCredentials
{
    /** Bytes of the connect request's credentials. */
    public static final int CREDENTIALS_LENGTH = 8 + AuthProof.NONCE_LENGTH;
    /** Bytes of a challenge. */
    public static final int CHALLENGE_LENGTH = AuthProof.NONCE_LENGTH + 8;
    /** Bytes of a challenge response. */
    public static final int RESPONSE_LENGTH = 8 + AuthProof.PROOF_LENGTH;
    /** Bytes of a principal. */
    public static final int PRINCIPAL_LENGTH = 12;

    private ClusterCredentials()
    {
    }

    /**
     * @param clientId    the client.
     * @param clientNonce its nonce.
     * @return the connect request's credentials.
     */
    public static byte[] credentials(final long clientId, final byte[] clientNonce)
    {
        return buffer(CREDENTIALS_LENGTH).putLong(clientId).put(clientNonce).array();
    }

    /**
     * @param serverNonce the consensus module's nonce.
     * @param sessionId   the cluster session id.
     * @return the challenge.
     */
    public static byte[] challenge(final byte[] serverNonce, final long sessionId)
    {
        return buffer(CHALLENGE_LENGTH).put(serverNonce).putLong(sessionId).array();
    }

    /**
     * @param clientId the client.
     * @param proof    its proof.
     * @return the challenge response.
     */
    public static byte[] response(final long clientId, final byte[] proof)
    {
        return buffer(RESPONSE_LENGTH).putLong(clientId).put(proof).array();
    }

    /**
     * @param clientId    the client.
     * @param permissions its permissions.
     * @return the principal.
     */
    public static byte[] principal(final long clientId, final int permissions)
    {
        return buffer(PRINCIPAL_LENGTH).putLong(clientId).putInt(permissions).array();
    }

    /**
     * @param bytes encoded credentials, challenge response or principal.
     * @return the client id they start with.
     */
    public static long clientId(final byte[] bytes)
    {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /**
     * @param credentials encoded credentials.
     * @return their client nonce.
     */
    public static byte[] clientNonce(final byte[] credentials)
    {
        return slice(credentials, 8, AuthProof.NONCE_LENGTH);
    }

    /**
     * @param challenge an encoded challenge.
     * @return its server nonce.
     */
    public static byte[] serverNonce(final byte[] challenge)
    {
        return slice(challenge, 0, AuthProof.NONCE_LENGTH);
    }

    /**
     * @param challenge an encoded challenge.
     * @return its cluster session id.
     */
    public static long sessionId(final byte[] challenge)
    {
        return ByteBuffer.wrap(challenge).order(ByteOrder.LITTLE_ENDIAN).getLong(AuthProof.NONCE_LENGTH);
    }

    /**
     * @param response an encoded challenge response.
     * @return its proof.
     */
    public static byte[] proof(final byte[] response)
    {
        return slice(response, 8, AuthProof.PROOF_LENGTH);
    }

    /**
     * @param principal an encoded principal.
     * @return its permissions.
     */
    public static int permissions(final byte[] principal)
    {
        return ByteBuffer.wrap(principal).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
    }

    private static ByteBuffer buffer(final int length)
    {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] slice(final byte[] bytes, final int offset, final int length)
    {
        final byte[] out = new byte[length];
        System.arraycopy(bytes, offset, out, 0, length);
        return out;
    }
}
