package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * A standalone daemon's ingress publication and egress subscription. The client's thread only (with no pending
 * batch and no secret, one thread may offer while another polls, as {@link SluiceClient} documents).
 * <p>
 * With a secret ({@link SluiceClientContext#secret(String)}) the subscription is this client's own response channel
 * instead of the shared egress, and the link is connected only while its {@link Handshake} has authenticated the
 * session: until then (and while it re-authenticates after a daemon restart, which {@link #poll(int)} does by itself)
 * it takes no message ({@link Publication#NOT_CONNECTED}).
 */
final class DaemonLink implements ClientLink, FragmentHandler
{
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final FragmentHandler fragmentHandler;
    private final Handshake handshake;

    /**
     * @param aeron           the client's Aeron client.
     * @param ctx             the concluded client context (daemon channels and stream ids, secret).
     * @param clientId        this client's id.
     * @param fragmentHandler receives every egress message.
     */
    DaemonLink(
        final Aeron aeron, final SluiceClientContext ctx, final long clientId, final FragmentHandler fragmentHandler)
    {
        this.fragmentHandler = fragmentHandler;
        this.publication = aeron.addExclusivePublication(ctx.ingressChannel(), ctx.ingressStreamId());
        if (ctx.hasSecret())
        {
            this.subscription = aeron.addSubscription(ctx.responseChannel(), ctx.responseStreamId());
            this.handshake = new Handshake(
                clientId, ctx.secretBytes(), publication, subscription, ctx.responseStreamId());
        }
        else
        {
            this.subscription = aeron.addSubscription(ctx.egressChannel(), ctx.egressStreamId());
            this.handshake = null;
        }
    }

    ExclusivePublication publication()
    {
        return publication;
    }

    Subscription subscription()
    {
        return subscription;
    }

    /**
     * @return the handshake, null without a secret.
     */
    Handshake handshake()
    {
        return handshake;
    }

    public int claimHeaderLength()
    {
        return 0;
    }

    public int maxFrameMessageLength()
    {
        return publication.maxPayloadLength();
    }

    public long tryClaim(final int messageLength, final BufferClaim claim)
    {
        if (null != handshake && !handshake.isAuthenticated())
        {
            return Publication.NOT_CONNECTED;
        }
        return publication.tryClaim(messageLength, claim);
    }

    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null != handshake && !handshake.isAuthenticated())
        {
            return Publication.NOT_CONNECTED;
        }
        return publication.offer(buffer, offset, length);
    }

    public long authentications()
    {
        return null != handshake ? handshake.authentications() : 0;
    }

    public boolean isConnected(final int images)
    {
        if (null != handshake)
        {
            return handshake.isAuthenticated() && publication.isConnected() &&
                null != subscription.imageBySessionId(handshake.responseSessionId());
        }
        return publication.isConnected() && subscription.imageCount() >= images;
    }

    /**
     * With a secret: report a refusal of the last handshake (then the next call starts a new one), else work on the
     * handshake and read what arrives; nothing to do without one (Aeron connects by itself).
     *
     * @throws SluiceAuthenticationException when the daemon refused the handshake.
     */
    public int connect(final int fragmentLimit)
    {
        if (null == handshake)
        {
            return 0;
        }
        final SluiceAuthenticationException refusal = handshake.takeRefusal();
        if (null != refusal)
        {
            throw refusal;
        }
        return poll(fragmentLimit);
    }

    public int poll(final int fragmentLimit)
    {
        if (null == handshake)
        {
            return subscription.poll(fragmentHandler, fragmentLimit);
        }
        final int work = handshake.doWork(System.nanoTime());
        return work + subscription.poll(this, fragmentLimit);
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!handshake.onFragment(buffer, offset, header))
        {
            fragmentHandler.onFragment(buffer, offset, length, header);
        }
    }

    public long epoch()
    {
        return 0;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(publication, subscription);
    }
}
