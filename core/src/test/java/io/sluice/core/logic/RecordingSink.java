package io.sluice.core.logic;

import io.sluice.core.state.Aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * Test sink keeping every result it is given, in order.
 */
public final class RecordingSink implements ResultSink
{
    public record Result(
        long clientId, long correlationId, long key, long count, double sum, double min, double max, double first,
        double last, int reason)
    {
    }

    public final List<Result> results = new ArrayList<>();
    private final long poisonedCorrelationId;

    public RecordingSink()
    {
        this(Long.MIN_VALUE);
    }

    /**
     * @param poisonedCorrelationId an event result to throw on instead of recording.
     */
    public RecordingSink(final long poisonedCorrelationId)
    {
        this.poisonedCorrelationId = poisonedCorrelationId;
    }

    public void onEventResult(
        final long clientId, final long correlationId, final long key, final long timestamp, final Aggregate a,
        final long receiveNanos, final int resultMode)
    {
        if (correlationId == poisonedCorrelationId)
        {
            throw new IllegalStateException("poisoned " + correlationId);
        }
        results.add(new Result(clientId, correlationId, key, a.count(), a.sum(), a.min(), a.max(), a.first(), a.last(), 0));
    }

    public void onQueryResult(
        final long clientId, final long correlationId, final long key, final boolean found, final Aggregate open,
        final Aggregate closed)
    {
        results.add(new Result(
            clientId, correlationId, key, found ? open.count() : -1, open.sum(), open.min(), open.max(), open.first(),
            open.last(), 0));
    }

    public void onRejected(
        final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
    {
        results.add(new Result(clientId, correlationId, key, 0, 0, 0, 0, 0, 0, reason));
    }

    public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
    {
        results.add(new Result(clientId, correlationId, lastCorrelationId, 0, 0, 0, 0, 0, 0, -1));
    }

    public void onWindowResult(final long key, final long windowEnd, final Aggregate window)
    {
        throw new IllegalStateException("no windows configured");
    }

    public void onAlert(
        final int ruleIndex, final long key, final long windowStart, final int field, final int op, final double observed,
        final double threshold)
    {
        throw new IllegalStateException("no alerts configured");
    }
}
