package io.sluice.core.shard;

import net.openhft.affinity.AffinityLock;

/**
 * Pins the calling thread to one CPU with OpenHFT Java-Thread-Affinity, and releases it. Used from a thread's
 * own start and shutdown hooks (a processor's {@code onStart}/{@code onShutdown}, an agent's
 * {@code onStart}/{@code onClose}).
 */
public final class CpuPin
{
    private final int cpu;
    private final java.io.PrintStream log;
    private AffinityLock lock;

    /**
     * @param cpu the CPU to pin to, or -1 for no pinning.
     */
    public CpuPin(final int cpu)
    {
        this(cpu, null);
    }

    /**
     * @param cpu the CPU to pin to, or -1 for no pinning.
     * @param log where to say whether pinning took, or null.
     */
    public CpuPin(final int cpu, final java.io.PrintStream log)
    {
        this.cpu = cpu;
        this.log = log;
    }

    /**
     * Pin the calling thread; does nothing when no CPU is configured.
     */
    public void pin()
    {
        if (cpu >= 0)
        {
            lock = AffinityLock.acquireLock(cpu);
            final int pinnedCpu = lock.isAllocated() ? lock.cpuId() : -1;
            if (null != log)
            {
                final String thread = Thread.currentThread().getName();
                if (pinnedCpu == cpu)
                {
                    log.println("sluice: thread " + thread + " pinned to CPU " + cpu);
                }
                else if (pinnedCpu >= 0)
                {
                    log.println("sluice: thread " + thread + " pinned to CPU " + pinnedCpu + ", NOT the configured CPU " +
                        cpu + " (reserved or taken: see OpenHFT affinity's reserved CPUs)");
                }
                else
                {
                    log.println("sluice: thread " + thread + " NOT pinned: CPU " + cpu + " is not available");
                }
            }
        }
    }

    /**
     * Release the pinning taken by {@link #pin()} on the same thread.
     */
    public void release()
    {
        if (null != lock)
        {
            lock.release();
            lock = null;
        }
    }
}
