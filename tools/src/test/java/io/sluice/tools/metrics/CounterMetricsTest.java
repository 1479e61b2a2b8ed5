package io.sluice.tools.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.sluice.server.counters.LatencyCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CounterMetricsTest
{
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(256 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)));

    private LatencyCounters latency(final int shard)
    {
        return LatencyCounters.allocate((typeId, key, keyLength, label) ->
            counters.newCounter(label, typeId, (buffer) -> buffer.putBytes(0, key, 0, keyLength)), shard);
    }

    @Test
    void shouldServeNoLatencyHistogramWhenNoProcessorCountsLatency()
    {
        assertNull(CounterMetrics.latencySnapshot(counters));
    }

    @Test
    void shouldCountEachLatencyOnceInTheFirstBucketThatHoldsItAndServeItFromTheCounters()
    {
        final LatencyCounters shard0 = latency(0);
        final LatencyCounters shard1 = latency(1);
        shard0.record(500);
        shard0.record(1_000);
        shard0.record(1_500);
        shard0.record(3_000_000);
        shard0.record(10_000_000_000L);
        shard0.record(20_000_000_000L);
        shard0.record(-5);
        shard1.record(40_000);
        shard1.record(50_001);

        final MetricSnapshot snapshot = CounterMetrics.latencySnapshot(counters);
        assertEquals(CounterMetrics.LATENCY_NAME, snapshot.getMetadata().getName());
        final List<HistogramSnapshot.HistogramDataPointSnapshot> points =
            ((HistogramSnapshot)snapshot).getDataPoints();
        assertEquals(2, points.size());
        assertEquals("0", points.get(0).getLabels().get("shard"));
        assertEquals("1", points.get(1).getLabels().get("shard"));

        final ClassicHistogramBuckets buckets = points.get(0).getClassicBuckets();
        assertEquals(LatencyCounters.boundsNs().length + 1, buckets.size());
        assertEquals(1e-6, buckets.getUpperBound(0), 0.0);
        assertEquals(3, buckets.getCount(0), "-5 ns (as 0), 500 ns and 1 us are at most 1 us");
        assertEquals(2e-6, buckets.getUpperBound(1), 0.0);
        assertEquals(1, buckets.getCount(1), "1.5 us");
        assertEquals(5e-3, buckets.getUpperBound(11), 1e-18);
        assertEquals(1, buckets.getCount(11), "3 ms");
        assertEquals(10.0, buckets.getUpperBound(19), 0.0);
        assertEquals(1, buckets.getCount(19), "10 s");
        assertEquals(Double.POSITIVE_INFINITY, buckets.getUpperBound(20), 0.0);
        assertEquals(1, buckets.getCount(20), "20 s is beyond the last bound");
        assertEquals(7, points.get(0).getCount());
        assertEquals((500 + 1_000 + 1_500 + 3_000_000 + 10_000_000_000L + 20_000_000_000L) * 1e-9,
            points.get(0).getSum(), 1e-12, "the exact sum of what was recorded, in seconds");

        final ClassicHistogramBuckets other = points.get(1).getClassicBuckets();
        assertEquals(1, other.getCount(5), "40 us is in (20 us, 50 us]");
        assertEquals(1, other.getCount(6), "50.001 us is in (50 us, 100 us]");
        assertEquals(2, points.get(1).getCount());
    }
}
