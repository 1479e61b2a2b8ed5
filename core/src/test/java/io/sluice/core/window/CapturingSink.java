package io.sluice.core.window;

import io.sluice.core.logic.ResultSink;
import io.sluice.core.state.Aggregate;

import java.util.ArrayList;
import java.util.List;

final class CapturingSink implements ResultSink
{
    final List<Output> outputs = new ArrayList<>();
    final List<long[]> queries = new ArrayList<>();

    public void onEventResult(
        final long clientId, final long correlationId, final long key, final long timestamp, final Aggregate a,
        final long receiveNanos, final int resultMode)
    {
        outputs.add(new Output('E', key, correlationId, a.windowStart(), a.count(), a.sum(), a.min(), a.max(),
            a.first(), a.last()));
    }

    public void onQueryResult(
        final long clientId, final long correlationId, final long key, final boolean found, final Aggregate open,
        final Aggregate closed)
    {
        queries.add(new long[]{correlationId, found ? 1 : 0, open.windowStart(), open.count(), (long)open.sum(),
            closed.windowStart(), closed.count(), (long)closed.sum()});
    }

    public void onRejected(
        final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
    {
        outputs.add(new Output('R', key, correlationId, reason, 0, 0, 0, 0, 0, 0));
    }

    public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
    {
        outputs.add(new Output('M', clientId, correlationId, lastCorrelationId, 0, 0, 0, 0, 0, 0));
    }

    public void onWindowResult(final long key, final long windowEnd, final Aggregate w)
    {
        outputs.add(new Output('W', key, w.windowStart(), windowEnd, w.count(), w.sum(), w.min(), w.max(), w.first(),
            w.last()));
    }

    public void onAlert(
        final int ruleIndex, final long key, final long windowStart, final int field, final int op,
        final double observed, final double threshold)
    {
        outputs.add(new Output('A', key, windowStart, ruleIndex, field * 10L + op, observed, threshold, 0, 0, 0));
    }
}
