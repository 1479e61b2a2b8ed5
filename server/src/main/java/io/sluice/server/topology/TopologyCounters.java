package io.sluice.server.topology;

import io.aeron.Aeron;
import io.sluice.core.ring.GroupOwnership;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The topology counters of a daemon: the request and result counters of {@code sluice topology move}'s steps
 * (every daemon has them, so a step sent to a daemon outside a topology is refused, not left unanswered), and in
 * topology mode the epoch, the owned key groups, moves and keys in and out, and the last step's duration.
 * Written by the topology agent's thread.
 */
public final class TopologyCounters
{
    private final AtomicCounter request;
    private final AtomicCounter result;
    private final AtomicCounter epoch;
    private final AtomicCounter ownedGroups;
    private final AtomicCounter released;
    private final AtomicCounter acquired;
    private final AtomicCounter keysOut;
    private final AtomicCounter keysIn;
    private final AtomicCounter lastMoveNs;

    /**
     * @param counters the daemon's counters.
     * @param aeron    the daemon's client.
     * @param topology whether the daemon is in topology mode (else only the request and result counters).
     */
    public TopologyCounters(final SluiceCounters counters, final Aeron aeron, final boolean topology)
    {
        request = counters.newCounter(aeron, SluiceCounters.TOPOLOGY_REQUEST_TYPE_ID, "sluice topology request");
        result = counters.newCounter(aeron, SluiceCounters.TOPOLOGY_RESULT_TYPE_ID, "sluice topology result");
        epoch = topology ? counters.newCounter(aeron, SluiceCounters.TOPOLOGY_EPOCH_TYPE_ID,
            "sluice topology epoch") : null;
        ownedGroups = topology ? counters.newCounter(aeron, SluiceCounters.TOPOLOGY_OWNED_GROUPS_TYPE_ID,
            "sluice topology owned key groups") : null;
        released = topology ? counters.newCounter(aeron, SluiceCounters.TOPOLOGY_MOVES_RELEASED_TYPE_ID,
            "sluice topology moves released") : null;
        acquired = topology ? counters.newCounter(aeron, SluiceCounters.TOPOLOGY_MOVES_ACQUIRED_TYPE_ID,
            "sluice topology moves acquired") : null;
        keysOut = topology ? counters.newCounter(aeron, SluiceCounters.TOPOLOGY_KEYS_OUT_TYPE_ID,
            "sluice topology keys moved out") : null;
        keysIn = topology ? counters.newCounter(aeron, SluiceCounters.TOPOLOGY_KEYS_IN_TYPE_ID,
            "sluice topology keys moved in") : null;
        lastMoveNs = topology ? counters.newCounter(aeron, SluiceCounters.TOPOLOGY_LAST_MOVE_TYPE_ID,
            "sluice topology last move ns") : null;
    }

    /**
     * @return the request counter: the id of the step asked for, 0 when none is pending.
     */
    public AtomicCounter request()
    {
        return request;
    }

    /**
     * @return the result counter: the id of the last step when done, minus it when refused.
     */
    public AtomicCounter result()
    {
        return result;
    }

    /**
     * @param ownership the producer's ownership now, or null outside a topology.
     */
    public void ownership(final GroupOwnership ownership)
    {
        if (null != ownership && null != epoch)
        {
            epoch.setRelease(ownership.epoch());
            ownedGroups.setRelease(ownership.ownedCount());
        }
    }

    /**
     * @param keys keys written into the released slice.
     */
    public void released(final long keys)
    {
        if (null != released)
        {
            released.incrementRelease();
            keysOut.getAndAddRelease(keys);
        }
    }

    /**
     * @param keys keys taken in from the acquired slice.
     */
    public void acquired(final long keys)
    {
        if (null != acquired)
        {
            acquired.incrementRelease();
            keysIn.getAndAddRelease(keys);
        }
    }

    /**
     * @param durationNs the last step's duration, ns.
     */
    public void lastMoveNs(final long durationNs)
    {
        if (null != lastMoveNs)
        {
            lastMoveNs.setRelease(durationNs);
        }
    }
}
