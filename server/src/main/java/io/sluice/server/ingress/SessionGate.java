package io.sluice.server.ingress;

import io.aeron.Image;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

/**
 * Who may send: with authentication on, the {@link IngressAgent} hands every whole message to its gate before its
 * {@link IngressHandler}. The gate takes the handshake messages itself, and lets a message through only when the
 * Aeron image it came on belongs to an authenticated session of the message's client id with the permission the
 * message needs; anything else it answers itself, outside the ring. With authentication off the agent has no gate
 * and its per-message path is unchanged.
 * <p>
 * Ingress thread only, except {@link #onUnavailableImage}.
 */
public interface SessionGate
{
    /** {@link #onMessage}: the message goes on to the handler. */
    int PASS = 0;
    /** {@link #onMessage}: the gate took the message (a handshake or admin message); nothing else to do. */
    int TAKEN = -1;

    /**
     * @param buffer holds the whole message.
     * @param offset where it starts.
     * @param length its length.
     * @param header the Aeron header of its (last) fragment: session id and image.
     * @param nowNs  the ingress clock.
     * @return {@link #PASS}, {@link #TAKEN}, or a reject reason code (above 0): the gate refused the message and
     * answered it where it could; the caller counts it as rejected.
     */
    int onMessage(DirectBuffer buffer, int offset, int length, Header header, long nowNs);

    /**
     * Handshakes in progress, sessions whose image went, credentials reloaded: one bounded step.
     *
     * @param nowNs the ingress clock.
     * @return work done.
     */
    int doWork(long nowNs);

    /**
     * The ingress subscription lost an image: its session ends. Any thread (the Aeron client's conductor).
     *
     * @param image the image.
     */
    void onUnavailableImage(Image image);
}
