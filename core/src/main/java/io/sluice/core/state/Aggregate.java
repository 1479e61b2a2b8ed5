package io.sluice.core.state;

/**
 * A reusable holder of one aggregate: what a processor hands its result sink. The processor owns one or two of
 * these and refills them for every result, so handing one over allocates nothing; a sink reads it during the
 * call and must not keep it.
 */
public final class Aggregate
{
    private long windowStart;
    private long count;
    private double sum;
    private double min;
    private double max;
    private double first;
    private double last;

    /**
     * @param windowStart start of the window, epoch ns (0 when not windowed).
     * @param count       events.
     * @param sum         sum of values.
     * @param min         smallest value.
     * @param max         largest value.
     * @param first       first value.
     * @param last        last value.
     * @return this.
     */
    public Aggregate set(
        final long windowStart,
        final long count,
        final double sum,
        final double min,
        final double max,
        final double first,
        final double last)
    {
        this.windowStart = windowStart;
        this.count = count;
        this.sum = sum;
        this.min = min;
        this.max = max;
        this.first = first;
        this.last = last;
        return this;
    }

    /**
     * @return this, emptied: count 0 and every value 0.
     */
    public Aggregate clear()
    {
        return set(0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * @return start of the window, epoch ns (0 when not windowed).
     */
    public long windowStart()
    {
        return windowStart;
    }

    /**
     * @return events aggregated.
     */
    public long count()
    {
        return count;
    }

    /**
     * @return sum of values.
     */
    public double sum()
    {
        return sum;
    }

    /**
     * @return smallest value.
     */
    public double min()
    {
        return min;
    }

    /**
     * @return largest value.
     */
    public double max()
    {
        return max;
    }

    /**
     * @return first value.
     */
    public double first()
    {
        return first;
    }

    /**
     * @return last value.
     */
    public double last()
    {
        return last;
    }

    /**
     * @return sum / count, NaN when empty.
     */
    public double mean()
    {
        return 0 == count ? Double.NaN : sum / count;
    }
}
