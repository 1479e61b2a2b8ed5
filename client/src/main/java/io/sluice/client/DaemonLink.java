package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * A standalone daemon's ingress publication and egress subscription. The client's thread only (with no pending
 * batch, one thread may offer while another polls, as {@link SluiceClient} documents).
 */
final class DaemonLink implements ClientLink
{
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final FragmentHandler fragmentHandler;

    /**
     * @param aeron           the client's Aeron client.
     * @param ctx             the concluded client context (daemon channels and stream ids).
     * @param fragmentHandler receives every egress message.
     */
    DaemonLink(final Aeron aeron, final SluiceClient.Context ctx, final FragmentHandler fragmentHandler)
    {
        this.fragmentHandler = fragmentHandler;
        this.publication = aeron.addExclusivePublication(ctx.ingressChannel(), ctx.ingressStreamId());
        this.subscription = aeron.addSubscription(ctx.egressChannel(), ctx.egressStreamId());
    }

    ExclusivePublication publication()
    {
        return publication;
    }

    Subscription subscription()
    {
        return subscription;
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
        return publication.tryClaim(messageLength, claim);
    }

    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        return publication.offer(buffer, offset, length);
    }

    public boolean isConnected(final int images)
    {
        return publication.isConnected() && subscription.imageCount() >= images;
    }

    public int connect(final int fragmentLimit)
    {
        return 0;
    }

    public int poll(final int fragmentLimit)
    {
        return subscription.poll(fragmentHandler, fragmentLimit);
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
