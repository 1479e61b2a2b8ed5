package io.sluice.client;

import io.aeron.logbuffer.BufferClaim;
import org.agrona.DirectBuffer;

/**
 * How a {@link SluiceClient} reaches what processes its messages: a standalone daemon ({@link DaemonLink}) or an
 * Aeron Cluster running Sluice's clustered service ({@link ClusterLink}). Both carry the same SBE messages each way;
 * a link adds what its transport needs (a cluster session header) and hands every received Sluice message, and only
 * those, to the client's fragment handler. The client's thread only; no method allocates in steady state.
 */
interface ClientLink extends AutoCloseable
{
    /**
     * @return bytes a claim holds before the message: the message starts at {@code claim.offset()} plus this.
     */
    int claimHeaderLength();

    /**
     * @return longest message that still travels in one frame.
     */
    int maxFrameMessageLength();

    /**
     * @param messageLength bytes of the message, without {@link #claimHeaderLength()}.
     * @param claim         set over the claimed range when the result is positive.
     * @return the new position, or a negative {@code Publication} code.
     */
    long tryClaim(int messageLength, BufferClaim claim);

    /**
     * @param buffer holding the message.
     * @param offset where it starts.
     * @param length its length.
     * @return the new position, or a negative {@code Publication} code.
     */
    long offer(DirectBuffer buffer, int offset, int length);

    /**
     * @param images egress images required (a daemon's processor count; a cluster has one).
     * @return true when messages can go both ways.
     */
    boolean isConnected(int images);

    /**
     * @return handshakes this link completed ({@code Authenticated} received), 0 without authentication. A handshake
     * completed while a caller waits proves the round trip on the path results take (that answer came on the
     * session's one response publication, the one every processor writes to), so no probe is needed then.
     */
    default long authentications()
    {
        return 0;
    }

    /**
     * Work towards a connection while {@link #isConnected(int)} is false: a cluster link takes the session's connect
     * steps or polls for a new leader; a daemon link has nothing to do (Aeron connects by itself).
     *
     * @param fragmentLimit most messages to read meanwhile.
     * @return work done, 0 when none.
     */
    int connect(int fragmentLimit);

    /**
     * Read received messages into the client's fragment handler.
     *
     * @param fragmentLimit most messages to read (a cluster link reads in steps of up to 10 and may exceed it by 9).
     * @return work done: messages read, plus connection changes.
     */
    int poll(int fragmentLimit);

    /**
     * @return a count that changes whenever messages sent before may not have arrived and later ones go elsewhere:
     * a new cluster leader or a new cluster session; always 0 for a daemon link.
     */
    long epoch();

    /**
     * Release the link's publications and subscriptions (a cluster link closes its session first).
     */
    void close();
}
