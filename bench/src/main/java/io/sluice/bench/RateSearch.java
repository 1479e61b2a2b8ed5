package io.sluice.bench;

/**
 * Finds the highest rate that passes: steps up by a growth factor from a start rate until a rate fails, then
 * bisects (geometric mean) between the last pass and the first fail until they are within the precision. A rate
 * that fails is tried once more before it counts as failed (one retry absorbs a single scheduling spike of the
 * host). When the start rate fails it steps down by the same factor until one passes or the floor is reached.
 * Every rate tried is rounded to three significant digits.
 * <pre>
 *   start ──x growth──▶ ... pass ──x growth──▶ fail ─(retry)─▶ fail
 *                           lo ◀──── sqrt(lo*hi) ────▶ hi    until hi &lt;= lo * (1 + precision)
 * </pre>
 * Pure logic, one thread.
 */
final class RateSearch
{
    private final double growth;
    private final double precision;
    private final long floor;
    private final long ceiling;
    private long rate;
    private long lastPass;
    private long firstFail;
    private boolean retrying;

    /**
     * @param startRate first rate to try, events per second, at least 1.
     * @param growth    factor between rates before the first fail, greater than 1.
     * @param precision stop when the first fail is within this fraction above the last pass, greater than 0.
     * @param floor     lowest rate to try when stepping down, at least 1.
     * @param ceiling   highest rate to try when stepping up.
     */
    RateSearch(final long startRate, final double growth, final double precision, final long floor, final long ceiling)
    {
        if (startRate < 1 || growth <= 1 || precision <= 0 || floor < 1 || ceiling < floor)
        {
            throw new IllegalArgumentException(
                "need startRate >= 1, growth > 1, precision > 0, 1 <= floor <= ceiling: " +
                startRate + ", " + growth + ", " + precision + ", " + floor + ", " + ceiling);
        }
        this.growth = growth;
        this.precision = precision;
        this.floor = floor;
        this.ceiling = ceiling;
        this.rate = Math.min(ceiling, Math.max(floor, round(startRate)));
    }

    /**
     * @return the rate to try next, events per second; 0 when the search is over.
     */
    long rate()
    {
        return rate;
    }

    /**
     * @return true when {@link #rate()} is the second try of a rate that failed once.
     */
    boolean retrying()
    {
        return retrying;
    }

    /**
     * @return the highest rate that passed, 0 when none did.
     */
    long lastPass()
    {
        return lastPass;
    }

    /**
     * @return the lowest rate that failed (twice), 0 when none did.
     */
    long firstFail()
    {
        return firstFail;
    }

    /**
     * Record the outcome of trying {@link #rate()} and move to the next rate.
     *
     * @param passed whether the rate passed.
     */
    void record(final boolean passed)
    {
        if (0 == rate)
        {
            throw new IllegalStateException("the search is over");
        }
        if (passed)
        {
            retrying = false;
            lastPass = rate;
            if (0 == firstFail)
            {
                final long next = Math.max(rate + 1, round(rate * growth));
                rate = next > ceiling ? (rate < ceiling ? ceiling : 0) : next;
            }
            else
            {
                rate = between(lastPass, firstFail);
            }
        }
        else if (!retrying)
        {
            retrying = true;
        }
        else
        {
            retrying = false;
            firstFail = rate;
            if (0 == lastPass)
            {
                final long next = Math.min(rate - 1, round(rate / growth));
                rate = next < floor ? (rate > floor ? floor : 0) : next;
            }
            else
            {
                rate = between(lastPass, firstFail);
            }
        }
    }

    private long between(final long lo, final long hi)
    {
        if (hi <= lo * (1 + precision))
        {
            return 0;
        }
        final long mid = round(Math.sqrt((double)lo * hi));
        return mid <= lo || mid >= hi ? 0 : mid;
    }

    /**
     * @param rate events per second.
     * @return the rate rounded to three significant digits, at least 1.
     */
    static long round(final double rate)
    {
        if (rate < 1)
        {
            return 1;
        }
        final int digits = (int)Math.floor(Math.log10(rate)) + 1;
        if (digits <= 3)
        {
            return Math.round(rate);
        }
        final long unit = (long)Math.pow(10, digits - 3);
        return Math.round(rate / unit) * unit;
    }
}
