package io.sluice.driver;

import io.aeron.CommonContext;
import io.aeron.driver.FlowControl;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.media.UdpChannel;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.aeron.protocol.ErrorFlyweight;
import io.aeron.protocol.SetupFlyweight;
import io.aeron.protocol.StatusMessageFlyweight;
import org.agrona.SystemUtil;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * A flow control that does what the channel's own strategy does (it delegates every decision) and also tracks
 * how far each receiver has <em>consumed</em> the stream, as its status messages report, publishing the least
 * consumed position of the live receivers in an Aeron counter of type
 * {@value #EGRESS_RECEIVER_POSITION_TYPE_ID} keyed by the publication's registration id.
 * <p>
 * Aeron's sender position only says what left this host; a receiver that lost the tail to a full socket buffer
 * still needs retransmits after that. A graceful stop waits on this counter instead: every connected receiver has
 * read everything, so closing the publication loses nothing.
 * <pre>
 *   counter value   least consumed position of the receivers heard from within the receiver timeout,
 *                   or -1 while no receiver is live
 *   counter key     publication registration id (8 bytes), session id (4), stream id (4)
 *   counter label   sluice egress receivers consumed: &lt;registration id&gt; &lt;session id&gt; &lt;stream id&gt; &lt;channel&gt;
 *                   (the order of Aeron's own publication counters, e.g. pub-lmt)
 * </pre>
 * A receiver is live from its first status message until it sends end-of-stream or is silent for the receiver
 * timeout: the channel's {@code fc=...,t:<duration>} when given, else the driver's flow-control receiver timeout.
 * <p>
 * Called on the media driver's threads only (conductor for {@link #initialize}, sender for the rest).
 */
public final class ReceiverTrackingFlowControl implements FlowControl
{
    /**
     * Type id of the counter this flow control keeps, one per egress publication: the least position consumed by
     * its live receivers, -1 while none is live; key: the publication's registration id. One of Sluice's counter
     * types (the server's {@code SluiceCounters} lists it with the others).
     */
    public static final int EGRESS_RECEIVER_POSITION_TYPE_ID = 1019;

    /** Value of the counter while no receiver is live. */
    public static final long NO_RECEIVERS = -1;

    private final FlowControl delegate;
    private long receiverTimeoutNs;
    private AtomicCounter consumed;
    private long[] receiverIds = new long[4];
    private long[] positions = new long[4];
    private long[] lastHeardNs = new long[4];
    private int receiverCount;

    /**
     * @param delegate the strategy that decides sender limits: the channel's own.
     */
    public ReceiverTrackingFlowControl(final FlowControl delegate)
    {
        this.delegate = delegate;
    }

    /**
     * {@inheritDoc}
     */
    public void initialize(
        final MediaDriver.Context context,
        final CountersManager countersManager,
        final UdpChannel udpChannel,
        final int streamId,
        final int sessionId,
        final long registrationId,
        final int initialTermId,
        final int termBufferLength)
    {
        delegate.initialize(
            context, countersManager, udpChannel, streamId, sessionId, registrationId, initialTermId, termBufferLength);
        receiverTimeoutNs = receiverTimeoutNs(udpChannel, context.flowControlReceiverTimeoutNs());
        consumed = countersManager.newCounter(
            "sluice egress receivers consumed: " + registrationId + " " + sessionId + " " + streamId + " " +
            udpChannel.originalUriString(),
            EGRESS_RECEIVER_POSITION_TYPE_ID,
            (key) ->
            {
                key.putLong(0, registrationId);
                key.putInt(8, sessionId);
                key.putInt(12, streamId);
            });
        consumed.setRelease(NO_RECEIVERS);
    }

    /**
     * {@inheritDoc}
     */
    public long onStatusMessage(
        final StatusMessageFlyweight flyweight,
        final InetSocketAddress receiverAddress,
        final long senderLimit,
        final int initialTermId,
        final int positionBitsToShift,
        final long timeNs)
    {
        final long position = LogBufferDescriptor.computePosition(
            flyweight.consumptionTermId(), flyweight.consumptionTermOffset(), positionBitsToShift, initialTermId);
        final boolean endOfStream =
            StatusMessageFlyweight.END_OF_STREAM_FLAG == (flyweight.flags() & StatusMessageFlyweight.END_OF_STREAM_FLAG);
        track(flyweight.receiverId(), position, endOfStream, timeNs);
        return delegate.onStatusMessage(
            flyweight, receiverAddress, senderLimit, initialTermId, positionBitsToShift, timeNs);
    }

    /**
     * {@inheritDoc}
     */
    public long onIdle(final long timeNs, final long senderLimit, final long senderPosition, final boolean isEos)
    {
        expire(timeNs);
        return delegate.onIdle(timeNs, senderLimit, senderPosition, isEos);
    }

    /**
     * {@inheritDoc}
     */
    public void onTriggerSendSetup(
        final StatusMessageFlyweight flyweight, final InetSocketAddress receiverAddress, final long timeNs)
    {
        delegate.onTriggerSendSetup(flyweight, receiverAddress, timeNs);
    }

    /**
     * {@inheritDoc}
     */
    public long onSetup(
        final SetupFlyweight flyweight,
        final long senderLimit,
        final long senderPosition,
        final int positionBitsToShift,
        final long timeNs)
    {
        return delegate.onSetup(flyweight, senderLimit, senderPosition, positionBitsToShift, timeNs);
    }

    /**
     * {@inheritDoc}
     */
    public void onError(final ErrorFlyweight errorFlyweight, final InetSocketAddress receiverAddress, final long timeNs)
    {
        delegate.onError(errorFlyweight, receiverAddress, timeNs);
    }

    /**
     * {@inheritDoc}
     */
    public boolean hasRequiredReceivers()
    {
        return delegate.hasRequiredReceivers();
    }

    /**
     * {@inheritDoc}
     */
    public int maxRetransmissionLength(
        final int termOffset, final int resendLength, final int termBufferLength, final int mtuLength)
    {
        return delegate.maxRetransmissionLength(termOffset, resendLength, termBufferLength, mtuLength);
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        delegate.close();
        if (null != consumed)
        {
            consumed.close();
        }
    }

    private void track(final long receiverId, final long position, final boolean endOfStream, final long timeNs)
    {
        int index = -1;
        for (int i = 0; i < receiverCount; i++)
        {
            if (receiverIds[i] == receiverId)
            {
                index = i;
                break;
            }
        }
        if (endOfStream)
        {
            if (-1 != index)
            {
                removeAt(index);
            }
        }
        else if (-1 == index)
        {
            if (receiverCount == receiverIds.length)
            {
                receiverIds = Arrays.copyOf(receiverIds, receiverCount * 2);
                positions = Arrays.copyOf(positions, receiverCount * 2);
                lastHeardNs = Arrays.copyOf(lastHeardNs, receiverCount * 2);
            }
            receiverIds[receiverCount] = receiverId;
            positions[receiverCount] = position;
            lastHeardNs[receiverCount] = timeNs;
            receiverCount++;
        }
        else
        {
            positions[index] = Math.max(positions[index], position);
            lastHeardNs[index] = timeNs;
        }
        publish();
    }

    private void expire(final long timeNs)
    {
        final int before = receiverCount;
        for (int i = receiverCount - 1; i >= 0; i--)
        {
            if (timeNs - lastHeardNs[i] > receiverTimeoutNs)
            {
                removeAt(i);
            }
        }
        if (before != receiverCount)
        {
            publish();
        }
    }

    private void removeAt(final int index)
    {
        final int last = receiverCount - 1;
        receiverIds[index] = receiverIds[last];
        positions[index] = positions[last];
        lastHeardNs[index] = lastHeardNs[last];
        receiverCount = last;
    }

    private void publish()
    {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < receiverCount; i++)
        {
            least = Math.min(least, positions[i]);
        }
        if (null != consumed)
        {
            consumed.setRelease(0 == receiverCount ? NO_RECEIVERS : least);
        }
    }

    private static long receiverTimeoutNs(final UdpChannel channel, final long defaultNs)
    {
        final String fc = channel.channelUri().get(CommonContext.FLOW_CONTROL_PARAM_NAME);
        if (null != fc)
        {
            for (final String part : fc.split(","))
            {
                if (part.startsWith("t:"))
                {
                    return SystemUtil.parseDuration("fc t", part.substring(2));
                }
            }
        }
        return defaultNs;
    }
}
