package io.sluice.core.window;

/**
 * Which keys need attention at which window end: a ring of buckets, one per slide, each a growable list of
 * (key, time) pairs. Closing the windows that end by a watermark visits only the buckets of the ends passed and
 * the keys in them, so the cost follows the windows that close, not the keys held.
 * <p>
 * Entries are never removed early: a key rescheduled to an earlier time leaves a stale entry behind, which the
 * owner recognises (its recorded wake-up differs) and skips. Single threaded: the owning processor.
 */
public final class CloseSchedule
{
    private final long slideNs;
    private final long[][] buckets;
    private final int[] sizes;

    /**
     * @param slideNs     distance between window ends.
     * @param bucketCount buckets; must exceed the furthest time ahead of the watermark that is ever scheduled,
     *                    in slides.
     */
    public CloseSchedule(final long slideNs, final int bucketCount)
    {
        this.slideNs = slideNs;
        this.buckets = new long[bucketCount][];
        this.sizes = new int[bucketCount];
        for (int i = 0; i < bucketCount; i++)
        {
            buckets[i] = new long[32];
        }
    }

    /**
     * @return buckets in the ring.
     */
    public int bucketCount()
    {
        return buckets.length;
    }

    /**
     * @param time a window end (a multiple of the slide).
     * @return its bucket.
     */
    public int bucketOf(final long time)
    {
        return (int)Math.floorMod(Math.floorDiv(time, slideNs), (long)buckets.length);
    }

    /**
     * Schedule a key. Allocates only when a bucket outgrows every earlier size.
     *
     * @param time when, a multiple of the slide.
     * @param key  which key.
     */
    public void add(final long time, final long key)
    {
        final int bucket = bucketOf(time);
        long[] entries = buckets[bucket];
        final int size = sizes[bucket];
        if (size + 2 > entries.length)
        {
            entries = java.util.Arrays.copyOf(entries, entries.length * 2);
            buckets[bucket] = entries;
        }
        entries[size] = key;
        entries[size + 1] = time;
        sizes[bucket] = size + 2;
    }

    /**
     * @param bucket a bucket.
     * @return its entries as (key, time) pairs; valid until the next {@link #add} to it.
     */
    public long[] entries(final int bucket)
    {
        return buckets[bucket];
    }

    /**
     * @param bucket a bucket.
     * @return longs used in {@link #entries(int)}: two per entry.
     */
    public int size(final int bucket)
    {
        return sizes[bucket];
    }

    /**
     * Replace the first {@code consumed} longs of a bucket with the {@code kept} longs already compacted to its
     * front, keeping anything added to it since.
     *
     * @param bucket   the bucket.
     * @param consumed longs visited.
     * @param kept     longs kept, compacted to the front.
     */
    public void compact(final int bucket, final int consumed, final int kept)
    {
        final long[] entries = buckets[bucket];
        final int size = sizes[bucket];
        System.arraycopy(entries, consumed, entries, kept, size - consumed);
        sizes[bucket] = kept + size - consumed;
    }

    /**
     * @return entries held in all buckets, stale ones included.
     */
    public int entryCount()
    {
        int total = 0;
        for (final int size : sizes)
        {
            total += size / 2;
        }
        return total;
    }

    /**
     * @return longs used in each bucket (not copied: read, never keep).
     */
    public int[] sizes()
    {
        return sizes;
    }

    /**
     * @return each bucket's entry array (not copied: read, never keep).
     */
    public long[][] buckets()
    {
        return buckets;
    }

    /**
     * Replace every bucket with a snapshot's (recovery).
     *
     * @param sizes   longs used in each bucket.
     * @param entries each bucket's (key, time) pairs.
     * @throws IllegalArgumentException when the bucket count differs.
     */
    public void restore(final int[] sizes, final long[][] entries)
    {
        if (sizes.length != buckets.length || entries.length != buckets.length)
        {
            throw new IllegalArgumentException(
                "close schedule has " + buckets.length + " buckets, the snapshot " + sizes.length);
        }
        for (int i = 0; i < buckets.length; i++)
        {
            final int size = sizes[i];
            buckets[i] = java.util.Arrays.copyOf(entries[i], Math.max(32, Integer.highestOneBit(Math.max(size, 1)) * 2));
            this.sizes[i] = size;
        }
    }

    /**
     * Hold no entry.
     */
    public void clear()
    {
        java.util.Arrays.fill(sizes, 0);
    }
}
