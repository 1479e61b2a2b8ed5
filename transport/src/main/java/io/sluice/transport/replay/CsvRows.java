package io.sluice.transport.replay;

import io.sluice.core.RejectReason;
import io.sluice.core.state.Aggregate;
import io.sluice.transport.codec.AlertField;
import io.sluice.transport.codec.AlertOp;

/**
 * The CSV form of the daemon's outputs, for what-if replay's files: one header, one row per output, the columns of
 * every kind side by side and empty where a kind has no such field. Times are epoch ns, values as Java prints a
 * double (exact when read back). Kinds: {@code window}, {@code alert}, {@code event} (a per-event result),
 * {@code reject}, {@code query} (the open window a query found) and {@code query-closed} (its last closed one).
 */
final class CsvRows
{
    /** The header row. */
    static final String HEADER = "kind,key,window_start,window_end,count,sum,min,max,first,last," +
        "rule,field,op,observed,threshold,client_id,correlation_id,timestamp,reason,batch_index,found";

    private CsvRows()
    {
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
        return row.append("alert,").append(key).append(',').append(windowStart).append(",,,,,,,,")
            .append(rule).append(',').append(AlertField.get((short)field)).append(',').append(AlertOp.get((short)op))
            .append(',').append(observed).append(',').append(threshold).append(",,,,,,");
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
        return row.append(',').append(count).append(',').append(sum).append(',').append(min).append(',').append(max)
            .append(',').append(first).append(',').append(last);
    }
}
