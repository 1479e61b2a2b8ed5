package io.sluice.server.daemon;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import net.openhft.affinity.AffinityLock;

import java.lang.management.ManagementFactory;

/**
 * Checks what a configuration needs from this host before anything is started or allocated, so a setting too
 * large for it fails in one line naming the key, the value, what it needs and the limit, instead of an
 * {@link OutOfMemoryError} halfway through the start:
 * <ul>
 *     <li>off-heap memory: the ring, every processor's state table (each one buffer, at most 2 GiB) and a
 *     reserve for Aeron's and Agrona's own direct buffers, against the JVM's direct memory limit
 *     ({@code -XX:MaxDirectMemorySize}, which {@code ./sluice} sizes from the configuration);</li>
 *     <li>CPU numbers to pin to exist on this host.</li>
 * </ul>
 * The sizes are the ones the daemon's concluded component contexts computed once ({@link
 * DaemonContext#directMemoryBytes()}); all in {@code long} arithmetic.
 */
public final class Preflight
{
    /** Direct memory kept free for Aeron's and Agrona's own buffers, bytes. */
    public static final long RESERVE_BYTES = 32L * 1024 * 1024;

    private Preflight()
    {
    }

    /**
     * @param ctx the concluded daemon context to start: its configuration and the sizes its ring and shard
     *            contexts computed.
     * @throws ConfigurationException naming the key of the first setting this host cannot serve.
     */
    public static void check(final DaemonContext ctx)
    {
        checkCpus(ctx.config(), AffinityLock.cpuLayout().cpus());
        checkMemory(ctx, maxDirectMemoryBytes());
    }

    static void checkMemory(final DaemonContext ctx, final long limitBytes)
    {
        final long ringBytes = ctx.ring().bytes();
        final long tableBytes = ctx.shards().tableBytes();
        final int capacity = ctx.shards().stateCapacity();
        final int processorCount = ctx.shards().processorCount();
        final int panesPerKey = ctx.shards().panesPerKey();
        if (tableBytes > Integer.MAX_VALUE)
        {
            throw new ConfigurationException(SluiceConfig.STATE_CAPACITY, Integer.toString(capacity),
                "needs " + mib(tableBytes) + " per processor" + (0 == panesPerKey ? "" :
                " with " + panesPerKey + " window panes per key") + ", more than one off-heap buffer holds " +
                "(2 GiB): lower it, or use more processors (" + SluiceConfig.PROCESSOR_COUNT + ")");
        }
        final long tablesBytes = processorCount * tableBytes;
        final long needed = ctx.directMemoryBytes();
        if (needed > limitBytes)
        {
            final boolean tablesDominate = tablesBytes >= ringBytes;
            final String key = tablesDominate ? SluiceConfig.STATE_CAPACITY : SluiceConfig.RING_LENGTH;
            final String value = tablesDominate ? Integer.toString(capacity) : Integer.toString(ctx.ring().length());
            throw new ConfigurationException(key, value, "needs " + mib(needed) + " of direct memory (" +
                processorCount + " state table(s) of " + mib(tableBytes) + ", ring " + mib(ringBytes) +
                ", reserve " + mib(RESERVE_BYTES) + "), more than this JVM's limit of " + mib(limitBytes) +
                ": lower it, or raise -XX:MaxDirectMemorySize (./sluice sizes it from the configuration)");
        }
    }

    static void checkCpus(final SluiceConfig config, final int hostCpus)
    {
        for (final int cpu : config.processorCpus())
        {
            if (cpu >= hostCpus)
            {
                throw new ConfigurationException(SluiceConfig.PROCESSOR_CPUS, joined(config.processorCpus()),
                    "names CPU " + cpu + ", but this host has CPUs 0-" + (hostCpus - 1));
            }
        }
        if (config.ingressCpu() >= hostCpus)
        {
            throw new ConfigurationException(SluiceConfig.INGRESS_CPU, Integer.toString(config.ingressCpu()),
                "names a CPU this host does not have: it has CPUs 0-" + (hostCpus - 1));
        }
    }

    /**
     * @return this JVM's direct memory limit, bytes: {@code -XX:MaxDirectMemorySize}, or the heap limit when unset.
     */
    public static long maxDirectMemoryBytes()
    {
        final HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        final long configured = null == hotSpot ? 0 : Long.parseLong(hotSpot.getVMOption("MaxDirectMemorySize").getValue());
        return 0 == configured ? Runtime.getRuntime().maxMemory() : configured;
    }

    private static String mib(final long bytes)
    {
        return String.format(java.util.Locale.ROOT, "%,d bytes (%,.1f MiB)", bytes, bytes / (1024.0 * 1024.0));
    }

    private static String joined(final int[] values)
    {
        final StringBuilder b = new StringBuilder();
        for (final int value : values)
        {
            b.append(b.length() == 0 ? "" : ",").append(value);
        }
        return b.toString();
    }
}
