package io.sluice.server.journal;

import io.sluice.core.ring.RingProducer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Decides when a snapshot begins, on the ring producer's thread (after the ingress in its composite): every
 * {@code sluice.snapshot.interval}, when {@code sluice snapshot} sets the request counter (a control toggle in the
 * driver's CnC file, as Aeron Cluster's tools do), and once at a graceful stop ({@link #requestFinal()}). A
 * request while a snapshot is in progress is taken when that one is done.
 */
public final class SnapshotTrigger implements Agent
{
    private final SnapshotCoordinator coordinator;
    private final RingProducer producer;
    private final AtomicCounter request;
    private final long intervalNs;
    private final NanoClock clock;
    private final long fingerprint;
    private boolean started;
    private long nextDueNs;
    private volatile boolean finalRequested;
    private volatile long finalSnapshotId;

    /**
     * @param coordinator takes the snapshot.
     * @param producer    the ring producer (this agent's thread owns it).
     * @param request     the control toggle: non-zero asks for a snapshot.
     * @param intervalNs  time between automatic snapshots, 0 for none.
     * @param clock       the producer's clock.
     * @param fingerprint the configuration fingerprint the START entry carries.
     */
    public SnapshotTrigger(
        final SnapshotCoordinator coordinator,
        final RingProducer producer,
        final AtomicCounter request,
        final long intervalNs,
        final NanoClock clock,
        final long fingerprint)
    {
        this.fingerprint = fingerprint;
        this.coordinator = coordinator;
        this.producer = producer;
        this.request = request;
        this.intervalNs = intervalNs;
        this.clock = clock;
        this.nextDueNs = clock.nanoTime() + intervalNs;
    }

    /**
     * Ask for one more snapshot (a graceful stop's). Any thread.
     *
     * @return the id it will have.
     */
    public long requestFinal()
    {
        finalSnapshotId = -1;
        finalRequested = true;
        return coordinator.nextId();
    }

    /**
     * @return the id of the snapshot begun for {@link #requestFinal()}, -1 before it began.
     */
    public long finalSnapshotId()
    {
        return finalSnapshotId;
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        if (!started)
        {
            started = producer.offerStart(fingerprint, clock.nanoTime());
            return 1;
        }
        final boolean requested = 0 != request.get();
        final boolean wantsFinal = finalRequested;
        final long nowNs = clock.nanoTime();
        final boolean due = intervalNs > 0 && nowNs - nextDueNs >= 0;
        if (!(requested || wantsFinal || due) || coordinator.inProgress())
        {
            return 0;
        }
        final long id = coordinator.nextId();
        if (!coordinator.tryBegin(producer, nowNs))
        {
            return 0;
        }
        if (requested)
        {
            request.setRelease(0);
        }
        if (wantsFinal)
        {
            finalRequested = false;
            finalSnapshotId = id;
        }
        nextDueNs = nowNs + intervalNs;
        return 1;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "sluice-snapshot-trigger";
    }
}
