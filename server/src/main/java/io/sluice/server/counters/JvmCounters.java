package io.sluice.server.counters;

import org.agrona.concurrent.status.AtomicCounter;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;

/**
 * The JVM's own health as Aeron counters, so tools outside the process (the metrics exporter, {@code sluice stat},
 * AeronStat) read it from the CnC file and nothing in the JVM has to answer them: garbage collections and their
 * time, heap used, committed and maximum, direct buffer memory, live threads, bytes allocated by every thread since
 * start, and process CPU time. Refreshed by {@link #update()} on a slow duty cycle of the control thread; an update
 * reads the management beans looked up once here and allocates nothing.
 */
public final class JvmCounters
{
    /**
     * Allocates one counter keyed {@link SluiceCounters#NO_KEY}.
     */
    @FunctionalInterface
    public interface Factory
    {
        /**
         * @param typeId the counter's type id.
         * @param label  its label.
         * @return the counter.
         */
        AtomicCounter newCounter(int typeId, String label);
    }

    private final GarbageCollectorMXBean[] collectors =
        ManagementFactory.getGarbageCollectorMXBeans().toArray(new GarbageCollectorMXBean[0]);
    private final BufferPoolMXBean direct = directPool();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.ThreadMXBean allocation = allocationBean(threads);
    private final com.sun.management.OperatingSystemMXBean os = cpuBean(ManagementFactory.getOperatingSystemMXBean());
    private final Runtime runtime = Runtime.getRuntime();
    private final AtomicCounter gcCount;
    private final AtomicCounter gcTimeMs;
    private final AtomicCounter heapUsed;
    private final AtomicCounter heapCommitted;
    private final AtomicCounter heapMax;
    private final AtomicCounter directUsed;
    private final AtomicCounter threadCount;
    private final AtomicCounter allocatedBytes;
    private final AtomicCounter cpuTimeNs;

    /**
     * @param factory allocates each counter (the daemon's Aeron client, or a cluster node's counters manager).
     */
    public JvmCounters(final Factory factory)
    {
        gcCount = factory.newCounter(SluiceCounters.JVM_GC_COUNT_TYPE_ID, "sluice jvm gc count");
        gcTimeMs = factory.newCounter(SluiceCounters.JVM_GC_TIME_TYPE_ID, "sluice jvm gc time ms");
        heapUsed = factory.newCounter(SluiceCounters.JVM_HEAP_USED_TYPE_ID, "sluice jvm heap used bytes");
        heapCommitted = factory.newCounter(SluiceCounters.JVM_HEAP_COMMITTED_TYPE_ID, "sluice jvm heap committed bytes");
        heapMax = factory.newCounter(SluiceCounters.JVM_HEAP_MAX_TYPE_ID, "sluice jvm heap max bytes");
        directUsed = factory.newCounter(SluiceCounters.JVM_DIRECT_USED_TYPE_ID, "sluice jvm direct buffers used bytes");
        threadCount = factory.newCounter(SluiceCounters.JVM_THREADS_TYPE_ID, "sluice jvm threads");
        allocatedBytes = factory.newCounter(SluiceCounters.JVM_ALLOCATED_TYPE_ID, "sluice jvm allocated bytes");
        cpuTimeNs = factory.newCounter(SluiceCounters.JVM_CPU_TIME_TYPE_ID, "sluice jvm process cpu ns");
        update();
    }

    /**
     * Read the JVM's figures into the counters. One thread at a time (the control thread); allocates nothing.
     */
    public void update()
    {
        long count = 0;
        long timeMs = 0;
        for (final GarbageCollectorMXBean collector : collectors)
        {
            count += Math.max(0, collector.getCollectionCount());
            timeMs += Math.max(0, collector.getCollectionTime());
        }
        gcCount.setRelease(count);
        gcTimeMs.setRelease(timeMs);
        final long committed = runtime.totalMemory();
        heapUsed.setRelease(committed - runtime.freeMemory());
        heapCommitted.setRelease(committed);
        heapMax.setRelease(runtime.maxMemory());
        directUsed.setRelease(null == direct ? 0 : Math.max(0, direct.getMemoryUsed()));
        threadCount.setRelease(threads.getThreadCount());
        allocatedBytes.setRelease(null == allocation ? -1 : allocation.getTotalThreadAllocatedBytes());
        cpuTimeNs.setRelease(null == os ? -1 : os.getProcessCpuTime());
    }

    /**
     * @return garbage collections since start, as last updated.
     */
    public AtomicCounter gcCount()
    {
        return gcCount;
    }

    /**
     * @return milliseconds spent in garbage collection since start, as last updated.
     */
    public AtomicCounter gcTimeMs()
    {
        return gcTimeMs;
    }

    /**
     * @return bytes allocated on the heap by every thread of the JVM since start (-1 where the JVM cannot tell), as
     * last updated.
     */
    public AtomicCounter allocatedBytes()
    {
        return allocatedBytes;
    }

    private static BufferPoolMXBean directPool()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                return pool;
            }
        }
        return null;
    }

    private static com.sun.management.ThreadMXBean allocationBean(final ThreadMXBean threads)
    {
        if (threads instanceof com.sun.management.ThreadMXBean)
        {
            final com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean)threads;
            if (bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled())
            {
                return bean;
            }
        }
        return null;
    }

    private static com.sun.management.OperatingSystemMXBean cpuBean(final OperatingSystemMXBean os)
    {
        return os instanceof com.sun.management.OperatingSystemMXBean ? (com.sun.management.OperatingSystemMXBean)os : null;
    }
}
