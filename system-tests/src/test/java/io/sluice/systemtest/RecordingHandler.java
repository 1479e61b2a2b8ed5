package io.sluice.systemtest;

import io.sluice.client.SluiceResultHandler;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps copies of what a client received, in order.
 */
final class RecordingHandler implements SluiceResultHandler
{
    record Result(long clientId, long correlationId, long key, long count, double sum, double min, double max,
        double first, double last)
    {
    }

    record Reject(long clientId, long correlationId, long key, int reason)
    {
    }

    record Resumed(long clientId, long correlationId, long lastCorrelationId)
    {
    }

    final List<Result> results = new ArrayList<>();
    final List<Reject> rejects = new ArrayList<>();
    final List<Resumed> resumed = new ArrayList<>();
    final List<Result> queries = new ArrayList<>();
    final List<long[]> queryClosed = new ArrayList<>();
    final List<String> windows = new ArrayList<>();
    final List<String> alerts = new ArrayList<>();

    public void onEventResult(final EventResultDecoder r)
    {
        results.add(new Result(
            r.clientId(), r.correlationId(), r.key(), r.count(), r.sum(), r.min(), r.max(), r.first(), r.last()));
    }

    public void onRejected(final RejectedDecoder r)
    {
        rejects.add(new Reject(r.clientId(), r.correlationId(), r.key(), r.reason().value()));
    }

    public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
    {
        resumed.add(new Resumed(clientId, correlationId, lastCorrelationId));
    }

    public void onQueryResult(final QueryResultDecoder r)
    {
        queryClosed.add(new long[]{r.closedWindowStart(), r.closedCount(), (long)r.closedSum()});
        queries.add(new Result(r.clientId(), r.correlationId(), r.key(),
            r.found() == io.sluice.transport.codec.BooleanType.TRUE ? r.openCount() : -1,
            r.openSum(), r.openMin(), r.openMax(), r.openFirst(), r.openLast()));
    }

    public void onWindowResult(final io.sluice.transport.codec.WindowResultDecoder r)
    {
        windows.add(r.key() + " [" + r.windowStart() + "," + r.windowEnd() + ") n=" + r.count() + " sum=" + r.sum() +
            " min=" + r.min() + " max=" + r.max() + " first=" + r.first() + " last=" + r.last());
    }

    public void onAlert(final io.sluice.transport.codec.AlertDecoder a)
    {
        final String head = a.ruleIndex() + " key=" + a.key() + " window=" + a.windowStart() + " " + a.field() + " " +
            a.op() + " observed=" + a.observed() + " threshold=" + a.threshold();
        alerts.add(a.ruleName() + " " + head);
    }

    int total()
    {
        return results.size() + rejects.size() + queries.size();
    }
}
