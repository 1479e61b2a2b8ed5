package io.sluice.server.counters;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One processor's internal latency (ingress receive to egress offer of each event result) as a histogram of Aeron
 * counters in the CnC file, so the metrics exporter serves it from outside the daemon's JVM: one counter per bucket
 * of {@link #BOUNDS_NS} and one for {@code +Inf} (type {@value SluiceCounters#LATENCY_BUCKET_TYPE_ID}, not
 * cumulative: each latency counts in the first bucket whose bound it does not exceed), and the sum of every latency
 * in ns (type {@value SluiceCounters#LATENCY_SUM_TYPE_ID}). Each bucket counter's key carries the shard and the
 * bucket's upper bound, so a reader needs no table of its own:
 * <pre>
 *   0                   4                                      12
 *   +-------------------+---------------------------------------+
 *   | shard (int, LE)   | upper bound, ns (long, LE; Long.MAX_VALUE for +Inf) |
 *   +-------------------+---------------------------------------+
 * </pre>
 * Written by the processor's thread alone (plain increments published with release semantics: no lock, no
 * allocation, no CAS); read by anyone through the CnC file.
 */
public final class LatencyCounters
{
    /** Upper bounds of the buckets, ns: 1 µs to 10 s; {@code +Inf} follows. */
    private static final long[] BOUNDS_NS = {
        1_000L, 2_000L, 5_000L, 10_000L, 20_000L, 50_000L, 100_000L, 200_000L, 500_000L,
        1_000_000L, 2_000_000L, 5_000_000L, 10_000_000L, 20_000_000L, 50_000_000L, 100_000_000L, 200_000_000L,
        500_000_000L, 1_000_000_000L, 10_000_000_000L};
    /** The bound of the last bucket's key. */
    public static final long INFINITY_BOUND = Long.MAX_VALUE;
    /** Bytes of a bucket counter's key. */
    public static final int BUCKET_KEY_LENGTH = 12;
    /** Offset of the shard in a bucket counter's key. */
    public static final int SHARD_OFFSET = 0;
    /** Offset of the upper bound in a bucket counter's key. */
    public static final int BOUND_OFFSET = 4;

    /**
     * Allocates one counter with a key.
     */
    @FunctionalInterface
    public interface Factory
    {
        /**
         * @param typeId    the counter's type id.
         * @param key       its key, from offset 0.
         * @param keyLength bytes of the key.
         * @param label     its label.
         * @return the counter.
         */
        AtomicCounter newCounter(int typeId, DirectBuffer key, int keyLength, String label);
    }

    private final AtomicCounter[] buckets;
    private final AtomicCounter sumNs;

    /**
     * Allocate one processor's bucket counters and its sum counter, labelled e.g.
     * {@code sluice processor 0 latency le 5000 ns} and {@code sluice processor 0 latency sum ns}. Control thread.
     *
     * @param factory allocates each counter.
     * @param shard   the processor's shard.
     * @return the processor's latency counters.
     */
    public static LatencyCounters allocate(final Factory factory, final int shard)
    {
        final AtomicCounter[] buckets = new AtomicCounter[BOUNDS_NS.length + 1];
        final UnsafeBuffer key = new UnsafeBuffer(new byte[BUCKET_KEY_LENGTH]);
        for (int i = 0; i < buckets.length; i++)
        {
            final long bound = i < BOUNDS_NS.length ? BOUNDS_NS[i] : INFINITY_BOUND;
            key.putInt(SHARD_OFFSET, shard);
            key.putLong(BOUND_OFFSET, bound);
            buckets[i] = factory.newCounter(SluiceCounters.LATENCY_BUCKET_TYPE_ID, key, BUCKET_KEY_LENGTH,
                "sluice processor " + shard + " latency le " + (i < BOUNDS_NS.length ? bound + " ns" : "+Inf"));
        }
        key.putInt(SHARD_OFFSET, shard);
        return new LatencyCounters(buckets, factory.newCounter(SluiceCounters.LATENCY_SUM_TYPE_ID, key,
            SluiceCounters.KEY_LENGTH, "sluice processor " + shard + " latency sum ns"));
    }

    private LatencyCounters(final AtomicCounter[] buckets, final AtomicCounter sumNs)
    {
        this.buckets = buckets;
        this.sumNs = sumNs;
    }

    /**
     * @return the buckets' upper bounds in ns, {@code +Inf} not included; a copy.
     */
    public static long[] boundsNs()
    {
        return BOUNDS_NS.clone();
    }

    /**
     * Count one latency. The processor's thread only; allocates nothing.
     *
     * @param latencyNs the latency, ns; a negative one (clocks of two cores) counts as 0.
     */
    public void record(final long latencyNs)
    {
        final long ns = Math.max(0, latencyNs);
        final long[] bounds = BOUNDS_NS;
        int bucket = 0;
        while (bucket < bounds.length && ns > bounds[bucket])
        {
            bucket++;
        }
        buckets[bucket].incrementRelease();
        sumNs.getAndAddRelease(ns);
    }
}
