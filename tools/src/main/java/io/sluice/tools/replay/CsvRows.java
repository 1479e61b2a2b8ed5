package io.sluice.tools.replay;

import io.sluice.core.RejectReason;
import io.sluice.core.state.Aggregate;
import io.sluice.transport.codec.AlertField;
import io.sluice.transport.codec.AlertOp;

/**
 * The CSV form of the daemon's outputs, for what-if replay's files: one header, one row per output, the columns of
 * every kind side by side and empty where a kind has no such field. Times are epoch ns; values are decimals that
 * read back as exactly the same double ({@link #appendDouble}). Kinds: {@code window}, {@code alert},
 * {@code event} (a per-event result), {@code reject}, {@code query} (the open window a query found) and
 * {@code query-closed} (its last closed one).
 */
final class CsvRows
{
    /** The header row. */
    static final String HEADER = "kind,key,window_start,window_end,count,sum,min,max,first,last," +
        "rule,field,op,observed,threshold,client_id,correlation_id,timestamp,reason,batch_index,found";

    /** Powers of ten a double holds exactly. */
    private static final double[] POWERS_OF_TEN = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
    /** Below this magnitude the digits are exact in a long and a double. */
    private static final double EXACT_DIGITS = 1e15;

    private CsvRows()
    {
    }

    /**
     * Append a double as a decimal that reads back as exactly the same double. In the range Java writes without an
     * exponent ({@code 1e-3 <= |v| < 1e7}) a value with at most nine fraction digits takes a fast path (Java 17's
     * general one costs a few hundred ns a value): the fewest fraction digits {@code k}, at least one written, and
     * the digits {@code d} such that {@code d / 10^k}, correctly rounded, is the value, which is also what reading
     * the decimal back gives. Anything else as {@link StringBuilder#append(double)} writes it.
     *
     * @param row   where.
     * @param value the value.
     * @return the row.
     */
    static StringBuilder appendDouble(final StringBuilder row, final double value)
    {
        final double magnitude = Math.abs(value);
        if (magnitude >= 1e-3 && magnitude < 1e7)
        {
            for (int k = 0; k < POWERS_OF_TEN.length; k++)
            {
                final double scaled = magnitude * POWERS_OF_TEN[k];
                if (scaled >= EXACT_DIGITS)
                {
                    break;
                }
                final long digits = Math.round(scaled);
                if (digits / POWERS_OF_TEN[k] == magnitude)
                {
                    return appendFixed(value < 0 ? row.append('-') : row, digits, k);
                }
            }
        }
        return row.append(value);
    }

    private static StringBuilder appendFixed(final StringBuilder row, final long digits, final int fractionDigits)
    {
        if (0 == fractionDigits)
        {
            return row.append(digits).append(".0");
        }
        final long unit = (long)POWERS_OF_TEN[fractionDigits];
        row.append(digits / unit).append('.');
        final long fraction = digits % unit;
        for (long pad = unit / 10; pad > fraction && pad > 1; pad /= 10)
        {
            row.append('0');
        }
        return row.append(fraction);
    }

    static StringBuilder window(final StringBuilder row, final long key, final long windowEnd, final Aggregate window)
    {
        row.append("window,").append(key).append(',').append(window.windowStart()).append(',').append(windowEnd);
        return aggregate(row, window).append(",,,,,,,,,,,");
    }

    static StringBuilder window(
        final StringBuilder row,
        final long key,
        final long windowStart,
        final long windowEnd,
        final long count,
        final double sum,
        final double min,
        final double max,
        final double first,
        final double last)
    {
        row.append("window,").append(key).append(',').append(windowStart).append(',').append(windowEnd);
        return aggregate(row, count, sum, min, max, first, last).append(",,,,,,,,,,,");
    }

    static StringBuilder alert(
        final StringBuilder row,
        final String rule,
        final long key,
        final long windowStart,
        final int field,
        final int op,
        final double observed,
        final double threshold)
    {
        row.append("alert,").append(key).append(',').append(windowStart).append(",,,,,,,,")
            .append(rule).append(',').append(AlertField.get((short)field)).append(',').append(AlertOp.get((short)op))
            .append(',');
        appendDouble(row, observed).append(',');
        return appendDouble(row, threshold).append(",,,,,,");
    }

    static StringBuilder alertCount(
        final StringBuilder row, final String rule, final long key, final long windowStart, final long count)
    {
        return row.append("alert,").append(key).append(',').append(windowStart).append(",,").append(count)
            .append(",,,,,,").append(rule).append(",,,,,,,,,,");
    }

    static StringBuilder event(
        final StringBuilder row,
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final Aggregate aggregate)
    {
        row.append("event,").append(key).append(',').append(aggregate.windowStart()).append(',');
        return aggregate(row, aggregate).append(",,,,,,").append(clientId).append(',').append(correlationId)
            .append(',').append(timestamp).append(",,,");
    }

    static StringBuilder reject(
        final StringBuilder row,
        final long clientId,
        final long correlationId,
        final long key,
        final int reason,
        final int batchIndex)
    {
        return row.append("reject,").append(key).append(",,,,,,,,,,,,,,").append(clientId).append(',')
            .append(correlationId).append(",,").append(RejectReason.name(reason)).append(',').append(batchIndex)
            .append(',');
    }

    static StringBuilder query(
        final StringBuilder row,
        final String kind,
        final long clientId,
        final long correlationId,
        final long key,
        final boolean found,
        final Aggregate window)
    {
        row.append(kind).append(',').append(key).append(',').append(window.windowStart()).append(',');
        return aggregate(row, window).append(",,,,,,").append(clientId).append(',').append(correlationId)
            .append(",,,,").append(found);
    }

    private static StringBuilder aggregate(final StringBuilder row, final Aggregate aggregate)
    {
        return aggregate(row, aggregate.count(), aggregate.sum(), aggregate.min(), aggregate.max(), aggregate.first(),
            aggregate.last());
    }

    private static StringBuilder aggregate(
        final StringBuilder row,
        final long count,
        final double sum,
        final double min,
        final double max,
        final double first,
        final double last)
    {
        row.append(',').append(count).append(',');
        appendDouble(row, sum).append(',');
        appendDouble(row, min).append(',');
        appendDouble(row, max).append(',');
        appendDouble(row, first).append(',');
        return appendDouble(row, last);
    }
}
