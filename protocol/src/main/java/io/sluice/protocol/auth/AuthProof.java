package io.sluice.protocol.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The handshake's proof, in the shape of SCRAM-SHA-256 (RFC 5802/7677) without the password salting, because a
 * Sluice secret is already 32 random bytes, not a password:
 * <pre>
 *   ClientKey       = HMAC-SHA256(secret, "Sluice Client Key")
 *   StoredKey       = SHA-256(ClientKey)                        what the credentials file holds
 *   AuthMessage     = "sluice-auth-v1" | clientId | clientNonce | serverNonce | sessionId   (ids little-endian int64)
 *   ClientSignature = HMAC-SHA256(StoredKey, AuthMessage)
 *   Proof           = ClientKey XOR ClientSignature             what the client sends
 * </pre>
 * The verifier recomputes ClientSignature from the StoredKey, recovers ClientKey = Proof XOR ClientSignature and
 * accepts when SHA-256 of it equals the StoredKey (compared in constant time). So no secret crosses the wire, the
 * credentials file alone does not let anyone authenticate, and a proof is good for one server nonce and one session
 * only: a captured handshake cannot be replayed.
 * <p>
 * Handshakes only, never the per-event path; every method allocates. Thread safe.
 */
public final class AuthProof
{
    /** Bytes of a client's secret. */
    public static final int SECRET_LENGTH = 32;
    /** Bytes of a stored key. */
    public static final int STORED_KEY_LENGTH = 32;
    /** Bytes of a nonce, either side's. */
    public static final int NONCE_LENGTH = 16;
    /** Bytes of a proof. */
    public static final int PROOF_LENGTH = 32;

    private static final byte[] CLIENT_KEY_LABEL = "Sluice Client Key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AUTH_MESSAGE_LABEL = "sluice-auth-v1".getBytes(StandardCharsets.US_ASCII);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private AuthProof()
    {
    }

    /**
     * @param random where the bytes come from.
     * @return a new secret of {@link #SECRET_LENGTH} random bytes.
     */
    public static byte[] newSecret(final SecureRandom random)
    {
        final byte[] secret = new byte[SECRET_LENGTH];
        random.nextBytes(secret);
        return secret;
    }

    /**
     * @param random where the bytes come from.
     * @return a new nonce of {@link #NONCE_LENGTH} random bytes.
     */
    public static byte[] newNonce(final SecureRandom random)
    {
        final byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        return nonce;
    }

    /**
     * @param secret the client's secret.
     * @return its ClientKey.
     */
    public static byte[] clientKey(final byte[] secret)
    {
        checkLength("secret", secret, SECRET_LENGTH);
        return hmac(secret, CLIENT_KEY_LABEL);
    }

    /**
     * @param secret the client's secret.
     * @return what the credentials file stores for it: SHA-256 of its ClientKey.
     */
    public static byte[] storedKey(final byte[] secret)
    {
        return sha256(clientKey(secret));
    }

    /**
     * @param clientId    the client's id.
     * @param clientNonce the client's nonce (its Connect).
     * @param serverNonce the server's nonce (the Challenge).
     * @param sessionId   the session the proof binds (the Challenge's).
     * @return the bytes both sides sign.
     */
    public static byte[] authMessage(
        final long clientId, final byte[] clientNonce, final byte[] serverNonce, final long sessionId)
    {
        checkLength("client nonce", clientNonce, NONCE_LENGTH);
        checkLength("server nonce", serverNonce, NONCE_LENGTH);
        return ByteBuffer.allocate(AUTH_MESSAGE_LABEL.length + 8 + NONCE_LENGTH + NONCE_LENGTH + 8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(AUTH_MESSAGE_LABEL).putLong(clientId).put(clientNonce).put(serverNonce).putLong(sessionId)
            .array();
    }

    /**
     * The client's side.
     *
     * @param secret      the client's secret.
     * @param clientId    the client's id.
     * @param clientNonce the client's nonce.
     * @param serverNonce the server's nonce.
     * @param sessionId   the session the proof binds.
     * @return the proof to send in Authenticate.
     */
    public static byte[] proof(
        final byte[] secret, final long clientId, final byte[] clientNonce, final byte[] serverNonce,
        final long sessionId)
    {
        final byte[] clientKey = clientKey(secret);
        final byte[] signature = hmac(sha256(clientKey), authMessage(clientId, clientNonce, serverNonce, sessionId));
        return xor(clientKey, signature);
    }

    /**
     * The verifier's side.
     *
     * @param storedKey   the client's stored key, from the credentials file.
     * @param clientId    the client's id.
     * @param clientNonce the client's nonce.
     * @param serverNonce the nonce this verifier sent.
     * @param sessionId   the session the proof must bind.
     * @param proof       what the client sent; any length (a wrong length is a wrong proof).
     * @return true when the proof is right.
     */
    public static boolean verify(
        final byte[] storedKey, final long clientId, final byte[] clientNonce, final byte[] serverNonce,
        final long sessionId, final byte[] proof)
    {
        checkLength("stored key", storedKey, STORED_KEY_LENGTH);
        if (null == proof || PROOF_LENGTH != proof.length)
        {
            return false;
        }
        final byte[] signature = hmac(storedKey, authMessage(clientId, clientNonce, serverNonce, sessionId));
        return MessageDigest.isEqual(storedKey, sha256(xor(proof, signature)));
    }

    /**
     * @param bytes any bytes.
     * @return them as lower-case hex.
     */
    public static String toHex(final byte[] bytes)
    {
        final char[] text = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++)
        {
            text[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            text[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(text);
    }

    /**
     * @param text   ASCII hex digits, either case (not the other digits Character.digit takes, e.g. fullwidth).
     * @param length the number of bytes expected.
     * @return the bytes.
     * @throws IllegalArgumentException when the text is not {@code 2 * length} hex digits, saying so (never echoing
     *                                  the text, which may be a secret).
     */
    public static byte[] fromHex(final String text, final int length)
    {
        if (null == text || text.length() != 2 * length)
        {
            throw new IllegalArgumentException("must be " + 2 * length + " hex digits, not " +
                (null == text ? 0 : text.length()) + " characters");
        }
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            final int high = hexDigit(text.charAt(2 * i));
            final int low = hexDigit(text.charAt(2 * i + 1));
            if (high < 0 || low < 0)
            {
                throw new IllegalArgumentException("must be " + 2 * length + " hex digits (0-9, a-f)");
            }
            bytes[i] = (byte)((high << 4) | low);
        }
        return bytes;
    }

    private static int hexDigit(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private static byte[] xor(final byte[] a, final byte[] b)
    {
        final byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++)
        {
            out[i] = (byte)(a[i] ^ b[i]);
        }
        return out;
    }

    private static byte[] hmac(final byte[] key, final byte[] message)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", ex);
        }
    }

    private static byte[] sha256(final byte[] bytes)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
        }
    }

    private static void checkLength(final String what, final byte[] bytes, final int length)
    {
        if (null == bytes || bytes.length != length)
        {
            throw new IllegalArgumentException(what + " must be " + length + " bytes, not " +
                (null == bytes ? "null" : bytes.length));
        }
    }
}
