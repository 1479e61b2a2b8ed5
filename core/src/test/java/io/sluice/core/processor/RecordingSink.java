package io.sluice.core.processor;

import java.util.ArrayList;
import java.util.List;

/**
 * Test sink keeping every result it is given, in order.
 */
final class RecordingSink implements ResultSink
{
    record Result(
        long clientId, long correlationId, long key, long count, double sum, double min, double max, double first,
        double last, int reason)
    {
    }

    final List<Result> results = new ArrayList<>();

    public void onEventResult(
        final long clientId, final long correlationId, final long key, final long timestamp, final long windowStart,
        final long count, final double sum, final double min, final double max, final double first, final double last,
        final long receiveNanos)
    {
        results.add(new Result(clientId, correlationId, key, count, sum, min, max, first, last, 0));
    }

    public void onRejected(final long clientId, final long correlationId, final long key, final int reason)
    {
        results.add(new Result(clientId, correlationId, key, 0, 0, 0, 0, 0, 0, reason));
    }
}
