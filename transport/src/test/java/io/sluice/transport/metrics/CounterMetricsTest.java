package io.sluice.transport.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.sluice.transport.egress.ShardLatency;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CounterMetricsTest
{
    @Test
    void shouldCountEachLatencyOnceInTheFirstBucketThatHoldsIt()
    {
        final ShardLatency latency = new ShardLatency(2);
        ShardLatency.record(latency.recorder(0), 500);
        ShardLatency.record(latency.recorder(0), 1_000);
        ShardLatency.record(latency.recorder(0), 1_500);
        ShardLatency.record(latency.recorder(0), 3_000_000);
        ShardLatency.record(latency.recorder(0), 20_000_000_000L);
        ShardLatency.record(latency.recorder(0), -5);
        ShardLatency.record(latency.recorder(1), 40_000);

        final Histogram shard0 = latency.cumulative(0);
        assertEquals(6, shard0.getTotalCount());
        final ClassicHistogramBuckets buckets = CounterMetrics.buckets(shard0);
        assertEquals(CounterMetrics.LATENCY_BOUNDS_SECONDS.length + 1, buckets.size());
        assertEquals(1e-6, buckets.getUpperBound(0), 0.0);
        assertEquals(3, buckets.getCount(0), "-5 ns (clamped to 0), 500 ns and 1 us are at most 1 us");
        assertEquals(1, buckets.getCount(1), "1.5 us");
        assertEquals(5e-3, buckets.getUpperBound(11), 0.0);
        assertEquals(1, buckets.getCount(11), "3 ms");
        assertEquals(10.0, buckets.getUpperBound(19), 0.0);
        assertEquals(1, buckets.getCount(19), "20 s is recorded as the largest trackable, 10 s");
        assertEquals(Double.POSITIVE_INFINITY, buckets.getUpperBound(20), 0.0);
        assertEquals(0, buckets.getCount(20));
        long sum = 0;
        for (int i = 0; i < buckets.size(); i++)
        {
            sum += buckets.getCount(i);
        }
        assertEquals(6, sum);

        ShardLatency.record(latency.recorder(0), 700);
        assertEquals(7, latency.cumulative(0).getTotalCount(), "a scrape folds only what is new");
        assertEquals(1, latency.cumulative(1).getTotalCount());
        assertEquals(8, latency.merged().getTotalCount());
        assertEquals(1, CounterMetrics.buckets(latency.cumulative(1)).getCount(5), "40 us is in (20 us, 50 us]");
    }
}
