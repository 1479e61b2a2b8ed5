package io.sluice.driver;

import io.aeron.driver.DefaultMulticastFlowControlSupplier;
import io.aeron.driver.DefaultUnicastFlowControlSupplier;
import io.aeron.driver.FlowControl;
import io.aeron.driver.FlowControlSupplier;
import io.aeron.driver.media.UdpChannel;

/**
 * Gives every network publication of a media driver its usual flow control (Aeron's defaults, chosen by the
 * channel: {@code fc=min}, {@code fc=max}, unicast...) wrapped in a {@link ReceiverTrackingFlowControl}, so the
 * daemon can tell when its egress receivers have consumed everything.
 * <p>
 * The daemon installs it in its embedded driver as both the unicast and the multicast supplier. An external
 * media driver gets it by running with this jar on its class path and
 * {@code -Daeron.unicast.FlowControl.supplier=io.sluice.driver.ReceiverTrackingFlowControlSupplier}
 * {@code -Daeron.multicast.FlowControl.supplier=io.sluice.driver.ReceiverTrackingFlowControlSupplier};
 * without it a stop can only wait until the driver has sent the results, not until they were received.
 */
public final class ReceiverTrackingFlowControlSupplier implements FlowControlSupplier
{
    private final FlowControlSupplier multicast = new DefaultMulticastFlowControlSupplier();
    private final FlowControlSupplier unicast = new DefaultUnicastFlowControlSupplier();

    /**
     * {@inheritDoc}
     */
    public FlowControl newInstance(final UdpChannel udpChannel, final int streamId, final long registrationId)
    {
        final FlowControlSupplier supplier =
            udpChannel.isMulticast() || udpChannel.isMultiDestination() ? multicast : unicast;
        return new ReceiverTrackingFlowControl(supplier.newInstance(udpChannel, streamId, registrationId));
    }
}
