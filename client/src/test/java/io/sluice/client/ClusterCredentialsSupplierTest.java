package io.sluice.client;

import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.ClusterCredentials;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterCredentialsSupplierTest
{
    private final SecureRandom random = new SecureRandom();
    private final byte[] secret = AuthProof.newSecret(random);
    private final byte[] storedKey = AuthProof.storedKey(secret);

    @Test
    void shouldAnswerTheChallengeWithAProofTheStoredKeyVerifiesForThatSession()
    {
        final ClusterCredentialsSupplier supplier = new ClusterCredentialsSupplier(42, secret);
        final byte[] credentials = supplier.encodedCredentials();
        final byte[] serverNonce = AuthProof.newNonce(random);
        final long sessionId = 7_000_000_001L;

        final byte[] response = supplier.onChallenge(ClusterCredentials.challenge(serverNonce, sessionId));

        assertEquals(ClusterCredentials.CREDENTIALS_LENGTH, credentials.length);
        assertEquals(42, ClusterCredentials.clientId(credentials));
        assertEquals(ClusterCredentials.RESPONSE_LENGTH, response.length);
        assertEquals(42, ClusterCredentials.clientId(response));
        final byte[] clientNonce = ClusterCredentials.clientNonce(credentials);
        final byte[] proof = ClusterCredentials.proof(response);
        assertArrayEquals(AuthProof.proof(secret, 42, clientNonce, serverNonce, sessionId), proof);
        assertTrue(AuthProof.verify(storedKey, 42, clientNonce, serverNonce, sessionId, proof));
        assertFalse(AuthProof.verify(storedKey, 42, clientNonce, serverNonce, sessionId + 1, proof));
        assertFalse(AuthProof.verify(storedKey, 43, clientNonce, serverNonce, sessionId, proof));
    }

    @Test
    void shouldTakeAFreshNonceForEachConnectAndProveWithTheLatest()
    {
        final ClusterCredentialsSupplier supplier = new ClusterCredentialsSupplier(42, secret);
        final byte[] first = ClusterCredentials.clientNonce(supplier.encodedCredentials());
        final byte[] second = ClusterCredentials.clientNonce(supplier.encodedCredentials());
        final byte[] serverNonce = AuthProof.newNonce(random);

        final byte[] proof = ClusterCredentials.proof(supplier.onChallenge(ClusterCredentials.challenge(serverNonce, 5)));

        assertFalse(java.util.Arrays.equals(first, second));
        assertTrue(AuthProof.verify(storedKey, 42, second, serverNonce, 5, proof));
        assertFalse(AuthProof.verify(storedKey, 42, first, serverNonce, 5, proof));
    }

    @Test
    void shouldAnswerAChallengeOfAnotherLengthOrBeforeAnyConnectWithNothing()
    {
        final ClusterCredentialsSupplier supplier = new ClusterCredentialsSupplier(42, secret);
        final byte[] challenge = ClusterCredentials.challenge(AuthProof.newNonce(random), 5);

        assertEquals(0, supplier.onChallenge(challenge).length);
        supplier.encodedCredentials();
        assertEquals(0, supplier.onChallenge(new byte[ClusterCredentials.CHALLENGE_LENGTH - 1]).length);
        assertEquals(0, supplier.onChallenge(null).length);
        assertEquals(ClusterCredentials.RESPONSE_LENGTH, supplier.onChallenge(challenge).length);
        assertFalse(supplier.toString().contains(AuthProof.toHex(secret).substring(0, 8)));
    }
}
