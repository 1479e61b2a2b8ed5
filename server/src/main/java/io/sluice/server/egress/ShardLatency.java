package io.sluice.server.egress;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.function.Function;

/**
 * The internal latency of each shard, ingress receive to egress offer of every event result: one HdrHistogram
 * {@link SingleWriterRecorder} per processor, written by that processor's thread alone (wait-free, no lock, no
 * allocation), and one cumulative {@link Histogram} per shard into which readers fold what was recorded since
 * they last looked. Readers are the metrics endpoint's thread at each scrape and the control thread at a stop;
 * they synchronise on this object and never make a writer wait.
 */
public final class ShardLatency
{
    /** Largest latency recorded; a longer one is recorded as this, ns (10 s). */
    public static final long HIGHEST_TRACKABLE_NS = 10_000_000_000L;
    private static final int SIGNIFICANT_DIGITS = 3;

    private final SingleWriterRecorder[] recorders;
    private final Histogram[] cumulative;
    private final Histogram interval = new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);

    /**
     * @param shards processors, one recorder each.
     */
    public ShardLatency(final int shards)
    {
        recorders = new SingleWriterRecorder[shards];
        cumulative = new Histogram[shards];
        for (int i = 0; i < shards; i++)
        {
            recorders[i] = new SingleWriterRecorder(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
            cumulative[i] = new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        }
    }

    /**
     * @return shards.
     */
    public int shards()
    {
        return recorders.length;
    }

    /**
     * @param shard a processor's shard.
     * @return the recorder that processor's thread, and no other, records into.
     */
    public SingleWriterRecorder recorder(final int shard)
    {
        return recorders[shard];
    }

    /**
     * Record one latency into a shard's recorder, clamped to [0, {@link #HIGHEST_TRACKABLE_NS}]. The shard's
     * processor thread only; allocates nothing.
     *
     * @param recorder  the shard's recorder.
     * @param latencyNs the latency, ns.
     */
    public static void record(final SingleWriterRecorder recorder, final long latencyNs)
    {
        recorder.recordValue(Math.max(0, Math.min(HIGHEST_TRACKABLE_NS, latencyNs)));
    }

    /**
     * Read everything one shard recorded since start, without copying it. Any thread but a processor's.
     *
     * @param shard  a processor's shard.
     * @param reader reads the shard's histogram while this object's lock is held; it must not keep it.
     * @param <T>    what the reader makes of it.
     * @return what the reader returned.
     */
    public synchronized <T> T read(final int shard, final Function<Histogram, T> reader)
    {
        fold(shard);
        return reader.apply(cumulative[shard]);
    }

    /**
     * Everything one shard recorded since start. Any thread but a processor's.
     *
     * @param shard a processor's shard.
     * @return a copy the caller owns.
     */
    public Histogram cumulative(final int shard)
    {
        return read(shard, Histogram::copy);
    }

    /**
     * Everything every shard recorded since start. Any thread but a processor's.
     *
     * @return a histogram the caller owns.
     */
    public synchronized Histogram merged()
    {
        final Histogram merged = new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        for (int shard = 0; shard < recorders.length; shard++)
        {
            fold(shard);
            merged.add(cumulative[shard]);
        }
        return merged;
    }

    private void fold(final int shard)
    {
        recorders[shard].getIntervalHistogramInto(interval);
        cumulative[shard].add(interval);
    }
}
