package io.sluice.server.auth;

import io.sluice.protocol.auth.AuthProof;
import io.sluice.transport.codec.AuthenticateEncoder;
import io.sluice.transport.codec.ConnectEncoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Handshake messages gone wrong, for fuzzing the daemon's side: a valid Connect and Authenticate truncated at every
 * length and with every bit flipped, a Connect with an oversized response channel and one whose channel length
 * lies, and 2000 random frames (half of them with Sluice's schema id and a handshake template id).
 */
final class HandshakeFuzz
{
    private HandshakeFuzz()
    {
    }

    static List<byte[]> messages(final long clientId)
    {
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final List<byte[]> messages = new ArrayList<>();
        final SecureRandom random = new SecureRandom();
        final byte[] nonce = AuthProof.newNonce(random);
        final UnsafeBuffer connect = new UnsafeBuffer(new byte[1024]);
        final int connectLength = MessageHeaderEncoder.ENCODED_LENGTH + new ConnectEncoder()
            .wrapAndApplyHeader(connect, 0, headerEncoder).clientId(clientId).putClientNonce(nonce, 0, nonce.length)
            .responseStreamId(5).responseChannel("aeron:ipc").encodedLength();
        final UnsafeBuffer authenticate = new UnsafeBuffer(new byte[256]);
        final int authenticateLength = MessageHeaderEncoder.ENCODED_LENGTH + new AuthenticateEncoder()
            .wrapAndApplyHeader(authenticate, 0, headerEncoder).clientId(clientId)
            .putProof(new byte[AuthProof.PROOF_LENGTH], 0, AuthProof.PROOF_LENGTH).encodedLength();
        for (final byte[] valid : List.of(copy(connect, connectLength), copy(authenticate, authenticateLength)))
        {
            for (int length = 0; length < valid.length; length++)
            {
                messages.add(Arrays.copyOf(valid, length));
            }
            for (int bit = 0; bit < valid.length * 8; bit++)
            {
                final byte[] flipped = valid.clone();
                flipped[bit / 8] ^= (byte)(1 << (bit % 8));
                messages.add(flipped);
            }
        }
        final UnsafeBuffer oversized = new UnsafeBuffer(new byte[2048]);
        final int oversizedLength = MessageHeaderEncoder.ENCODED_LENGTH + new ConnectEncoder()
            .wrapAndApplyHeader(oversized, 0, headerEncoder).clientId(clientId).putClientNonce(nonce, 0, nonce.length)
            .responseStreamId(5).responseChannel("aeron:ipc?alias=" + "x".repeat(600)).encodedLength();
        messages.add(copy(oversized, oversizedLength));
        final byte[] lyingLength = copy(connect, connectLength);
        new UnsafeBuffer(lyingLength).putInt(MessageHeaderEncoder.ENCODED_LENGTH + ConnectEncoder.BLOCK_LENGTH,
            Integer.MAX_VALUE);
        messages.add(lyingLength);
        final Random bytes = new Random(23);
        for (int i = 0; i < 2000; i++)
        {
            final byte[] noise = new byte[bytes.nextInt(120)];
            bytes.nextBytes(noise);
            if (noise.length >= 8 && bytes.nextBoolean())
            {
                new UnsafeBuffer(noise).putShort(4, (short)MessageHeaderDecoder.SCHEMA_ID);
                new UnsafeBuffer(noise).putShort(2, (short)(5 + bytes.nextInt(3)));
            }
            messages.add(noise);
        }

        return messages;
    }

    private static byte[] copy(final UnsafeBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }
}
