package io.sluice.server.auth;

import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.Permission;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthProofTest
{
    private static final byte[] SECRET = AuthProof.fromHex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", AuthProof.SECRET_LENGTH);
    private static final byte[] CLIENT_NONCE = AuthProof.fromHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", 16);
    private static final byte[] SERVER_NONCE = AuthProof.fromHex("b0b1b2b3b4b5b6b7b8b9babbbcbdbebf", 16);

    @Test
    void aRightProofVerifiesAndAnyChangeOfItsInputsFails()
    {
        final byte[] storedKey = AuthProof.storedKey(SECRET);
        final byte[] proof = AuthProof.proof(SECRET, 42, CLIENT_NONCE, SERVER_NONCE, 7);
        assertTrue(AuthProof.verify(storedKey, 42, CLIENT_NONCE, SERVER_NONCE, 7, proof));

        assertFalse(AuthProof.verify(storedKey, 43, CLIENT_NONCE, SERVER_NONCE, 7, proof), "other client id");
        assertFalse(AuthProof.verify(storedKey, 42, SERVER_NONCE, SERVER_NONCE, 7, proof), "other client nonce");
        assertFalse(AuthProof.verify(storedKey, 42, CLIENT_NONCE, CLIENT_NONCE, 7, proof), "other server nonce");
        assertFalse(AuthProof.verify(storedKey, 42, CLIENT_NONCE, SERVER_NONCE, 8, proof), "other session");
        for (int bit = 0; bit < AuthProof.PROOF_LENGTH * 8; bit++)
        {
            final byte[] flipped = proof.clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            assertFalse(AuthProof.verify(storedKey, 42, CLIENT_NONCE, SERVER_NONCE, 7, flipped), "bit " + bit);
        }
        assertFalse(AuthProof.verify(storedKey, 42, CLIENT_NONCE, SERVER_NONCE, 7, new byte[31]));
        assertFalse(AuthProof.verify(storedKey, 42, CLIENT_NONCE, SERVER_NONCE, 7, null));
        assertFalse(AuthProof.verify(
            AuthProof.storedKey(AuthProof.newSecret(new SecureRandom())), 42, CLIENT_NONCE, SERVER_NONCE, 7, proof),
            "another client's stored key");
    }

    @Test
    void theStoredKeyIsNotTheSecretAndDoesNotProve()
    {
        final byte[] storedKey = AuthProof.storedKey(SECRET);
        assertEquals(AuthProof.STORED_KEY_LENGTH, storedKey.length);
        assertFalse(AuthProof.toHex(storedKey).equals(AuthProof.toHex(SECRET)));
        // someone holding only the file signs with the stored key as if it were the secret
        final byte[] forged = AuthProof.proof(storedKey, 42, CLIENT_NONCE, SERVER_NONCE, 7);
        assertFalse(AuthProof.verify(storedKey, 42, CLIENT_NONCE, SERVER_NONCE, 7, forged));
    }

    @Test
    void hexRoundTripsAndRefusesWithoutEchoingTheText()
    {
        assertEquals("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", AuthProof.toHex(SECRET));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> AuthProof.fromHex("zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 32));
        assertEquals("must be 64 hex digits (0-9, a-f)", ex.getMessage());
        assertEquals("must be 64 hex digits, not 3 characters",
            assertThrows(IllegalArgumentException.class, () -> AuthProof.fromHex("abc", 32)).getMessage());
    }

    @Test
    void permissionsParseAndFormat()
    {
        assertEquals(Permission.SEND | Permission.SUBSCRIBE, Permission.parse("subscribe, send"));
        assertEquals("send,subscribe", Permission.format(Permission.SEND | Permission.SUBSCRIBE));
        assertEquals("send,query,subscribe,admin", Permission.format(Permission.ALL));
        assertEquals("none", Permission.format(0));
        assertEquals("permission 'write' must be one of: send, query, subscribe, admin",
            assertThrows(IllegalArgumentException.class, () -> Permission.parse("send,write")).getMessage());
        assertEquals("permission 'send' is named twice",
            assertThrows(IllegalArgumentException.class, () -> Permission.parse("send,send")).getMessage());
    }

    @Test
    void credentialsFileLinesAreNamedByNumber()
    {
        final String key = AuthProof.toHex(AuthProof.storedKey(SECRET));
        final Credentials credentials = Credentials.parse("creds", "# clients\n\n42 " + key + " send,query\n" +
            "-7 " + key + " admin\n");
        assertEquals(2, credentials.size());
        assertEquals(Permission.SEND | Permission.QUERY, credentials.client(42).permissions());
        assertEquals(Permission.ADMIN, credentials.client(-7).permissions());
        assertEquals(null, credentials.client(43));

        assertEquals("creds line 3: client id 42 is listed twice", assertThrows(CredentialsException.class,
            () -> Credentials.parse("creds", "42 " + key + " send\n\n42 " + key + " query")).getMessage());
        assertEquals("creds line 2: must be '<client id> <stored key> <permissions>' (3 fields), not 2 fields",
            assertThrows(CredentialsException.class,
            () -> Credentials.parse("creds", "42 " + key + " send\n43 " + key)).getMessage());
        assertEquals("creds line 1: stored key must be 64 hex digits, not 63 characters",
            assertThrows(CredentialsException.class,
            () -> Credentials.parse("creds", "42 " + key.substring(1) + " send")).getMessage());
        assertEquals("creds line 1: client id 0 is not allowed (0 names an unreadable message)",
            assertThrows(CredentialsException.class, () -> Credentials.parse("creds", "0 " + key + " send"))
            .getMessage());
        assertEquals("creds line 1: permission 'root' must be one of: send, query, subscribe, admin",
            assertThrows(CredentialsException.class, () -> Credentials.parse("creds", "5 " + key + " root"))
            .getMessage());
    }
}
