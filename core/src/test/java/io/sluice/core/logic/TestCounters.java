package io.sluice.core.logic;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * Counters over on-heap buffers, as Aeron's would be over the CnC file.
 */
public final class TestCounters
{
    private final CountersManager manager =
        new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(256 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)));

    private final AtomicCounter rejectedStateFull = manager.newCounter("rejected STATE_FULL");
    private final AtomicCounter rejectedLate = manager.newCounter("rejected LATE");

    public AtomicCounter rejectedStateFull()
    {
        return rejectedStateFull;
    }

    public AtomicCounter rejectedLate()
    {
        return rejectedLate;
    }

    public AtomicCounter counter(final String label)
    {
        return manager.newCounter(label);
    }

    public ShardCounters processor(final int shard)
    {
        return new ShardCounters(
            manager.newCounter("processed " + shard),
            manager.newCounter("state-full " + shard),
            manager.newCounter("live-keys " + shard),
            manager.newCounter("late " + shard),
            manager.newCounter("windows-closed " + shard),
            manager.newCounter("evictions " + shard),
            manager.newCounter("alerts " + shard),
            rejectedStateFull,
            rejectedLate,
            manager.newCounter("max-cycle-ns " + shard),
            manager.newCounter("stalls " + shard));
    }
}
