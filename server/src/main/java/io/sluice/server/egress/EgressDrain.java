package io.sluice.server.egress;

import io.aeron.Publication;
import io.aeron.driver.status.SenderPos;
import io.aeron.driver.status.StreamCounter;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.driver.ReceiverTrackingFlowControl;
import org.agrona.concurrent.status.CountersReader;

import java.io.PrintStream;

/**
 * The last step of a graceful stop for the egress: close the publications, then wait, bounded, until every live
 * receiver has received everything up to the end of each stream, so nothing published is lost when the media
 * driver goes.
 * <p>
 * Closing a publication makes the driver send what is left, mark the end of the stream in its heartbeats and
 * linger, answering NAKs with retransmits. A receiver that has every frame up to that end answers with an
 * end-of-stream status message, which the {@link ReceiverTrackingFlowControl} counts off; the wait is over when no
 * live receiver is left (a dead one is dropped after the flow control's receiver timeout). A status message's
 * consumed position can lag the subscriber by up to a quarter of its window, so positions alone cannot tell.
 * <p>
 * When the media driver does not run that flow control (an external driver started without it) the wait is for the
 * driver to finish lingering the closed publication: retransmits are served meanwhile, but whether they arrived
 * cannot be known.
 * <p>
 * With authentication on the publications are the sessions' (the ingress opened them and closes them when a session
 * ends): the stop closes those of the sessions live once the processors stopped, after which no result can be
 * written, and waits for each the same way, so every result of a graceful stop is delivered to a client still
 * reading. The ingress closing them again later changes nothing.
 * <p>
 * Control thread only; the media driver must keep running meanwhile (its own threads, or the daemon's agent
 * thread invoking it).
 */
public final class EgressDrain
{
    private EgressDrain()
    {
    }

    /**
     * @param counters     the daemon's view of its media driver's counters.
     * @param publications the egress publications: one per processor, or with authentication on the session
     *                     publications live at the stop; closed here (closing one again is a no-op).
     * @param deadlineNs   {@link System#nanoTime()} by which to give up.
     * @param log          where a give-up is reported, one line per publication.
     * @return true when every publication's live receivers had everything in time.
     */
    public static boolean closeAndAwaitReceived(
        final CountersReader counters, final Publication[] publications, final long deadlineNs, final PrintStream log)
    {
        final int count = publications.length;
        final long[] registrationIds = new long[count];
        final int[] sessionIds = new int[count];
        final long[] positions = new long[count];
        final boolean[] tracked = new boolean[count];
        for (int i = 0; i < count; i++)
        {
            final Publication publication = publications[i];
            if (null != publication && !publication.isClosed())
            {
                registrationIds[i] = publication.registrationId();
                sessionIds[i] = publication.sessionId();
                positions[i] = publication.position();
                tracked[i] = CountersReader.NULL_COUNTER_ID !=
                    find(counters, SluiceCounters.EGRESS_RECEIVER_POSITION_TYPE_ID, registrationIds[i]);
                publication.close();
            }
        }

        boolean allReceived = true;
        for (int i = 0; i < count; i++)
        {
            if (0 == registrationIds[i])
            {
                continue;
            }
            while (!isDone(counters, registrationIds[i], tracked[i]))
            {
                if (System.nanoTime() - deadlineNs >= 0)
                {
                    allReceived = false;
                    log.println("sluice: stop gave up waiting on egress session " + sessionIds[i] + " (" + positions[i] +
                        " bytes published): " + (tracked[i] ? "a live receiver has not confirmed the end of the stream" :
                        "the media driver is still lingering it") + " (sluice.shutdown.timeout)");
                    break;
                }
                Thread.yield();
            }
        }
        return allReceived;
    }

    private static boolean isDone(final CountersReader counters, final long registrationId, final boolean tracked)
    {
        if (tracked)
        {
            final int counterId = find(counters, SluiceCounters.EGRESS_RECEIVER_POSITION_TYPE_ID, registrationId);
            return CountersReader.NULL_COUNTER_ID == counterId ||
                ReceiverTrackingFlowControl.NO_RECEIVERS == counters.getCounterValue(counterId);
        }
        return CountersReader.NULL_COUNTER_ID == find(counters, SenderPos.SENDER_POSITION_TYPE_ID, registrationId);
    }

    private static int find(final CountersReader counters, final int typeId, final long registrationId)
    {
        final int[] found = {CountersReader.NULL_COUNTER_ID};
        counters.forEach((counterId, type, keyBuffer, label) ->
        {
            if (type == typeId && keyBuffer.getLong(StreamCounter.REGISTRATION_ID_OFFSET) == registrationId)
            {
                found[0] = counterId;
            }
        });
        return found[0];
    }
}
