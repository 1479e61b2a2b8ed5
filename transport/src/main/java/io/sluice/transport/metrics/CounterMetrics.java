package io.sluice.transport.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.sluice.transport.counters.CounterCatalog;
import io.sluice.transport.counters.SluiceCounters;
import io.sluice.transport.egress.ShardLatency;
import io.sluice.transport.stat.SluiceStat;
import io.sluice.transport.stat.StatReading;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.status.CountersReader;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scrape of the metrics endpoint reads: every counter of {@link CounterCatalog} found in the CnC file (one
 * {@link StatReading}, as {@code sluice stat} takes), named
 * {@code sluice_<name>} with its shard, reason, thread or publication as a label, and the internal latency of each
 * shard as a histogram {@value #LATENCY_NAME} in seconds. Read at each scrape, on the endpoint's thread; nothing is
 * kept between scrapes but the latency histograms {@link ShardLatency} folds.
 */
final class CounterMetrics implements MultiCollector
{
    /** Name of the ingress-to-egress latency histogram, seconds. */
    static final String LATENCY_NAME = "sluice_latency_seconds";
    /** Upper bounds of the latency histogram's buckets, seconds; {@code +Inf} follows. */
    static final double[] LATENCY_BOUNDS_SECONDS = {
        1e-6, 2e-6, 5e-6, 10e-6, 20e-6, 50e-6, 100e-6, 200e-6, 500e-6,
        1e-3, 2e-3, 5e-3, 10e-3, 20e-3, 50e-3, 100e-3, 200e-3, 500e-3, 1.0, 10.0};
    private static final String PREFIX = "sluice_";

    private final CountersReader counters;
    private final ShardLatency latency;

    /**
     * @param counters the CnC file's counters, read at each scrape.
     * @param latency  the processors' internal latency, or null when not recorded (a cluster node).
     */
    CounterMetrics(final CountersReader counters, final ShardLatency latency)
    {
        this.counters = counters;
        this.latency = latency;
    }

    /**
     * {@inheritDoc}
     */
    public MetricSnapshots collect()
    {
        final Map<CounterCatalog.Entry, Map<String, Double>> values = new LinkedHashMap<>();
        for (final CounterCatalog.Entry entry : CounterCatalog.entries())
        {
            values.put(entry, new LinkedHashMap<>());
        }
        final List<String> digests = new ArrayList<>();
        for (final StatReading.Value value : StatReading.of(counters, Instant.now(), System.nanoTime()).values())
        {
            final CounterCatalog.Entry entry = value.entry();
            if (SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID == entry.typeId())
            {
                digests.add(SluiceStat.hex(value.value()));
                continue;
            }
            // two counters of one type and label (another client's on a shared external driver): a counter's
            // values add up, a gauge shows the larger reading
            values.get(entry).merge(value.labelValue(), entry.scaled(value.value()),
                CounterCatalog.Kind.COUNTER == entry.kind() ? Double::sum : Math::max);
        }

        final List<MetricSnapshot> snapshots = new ArrayList<>();
        values.forEach((entry, byLabel) ->
        {
            if (!byLabel.isEmpty())
            {
                snapshots.add(snapshot(entry, byLabel));
            }
        });
        if (!digests.isEmpty())
        {
            final InfoSnapshot.Builder digest = InfoSnapshot.builder().name(PREFIX + "snapshot_digest")
                .help("State digest of the newest complete snapshot, as sluice stat shows it (16 hex digits).");
            digests.forEach((hex) -> digest.dataPoint(
                InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("digest", hex)).build()));
            snapshots.add(digest.build());
        }
        if (null != latency)
        {
            snapshots.add(latencySnapshot());
        }
        return new MetricSnapshots(snapshots);
    }

    private static MetricSnapshot snapshot(final CounterCatalog.Entry entry, final Map<String, Double> byLabel)
    {
        final String name = PREFIX + entry.name();
        final String labelName = entry.keyLabel().labelName();
        if (CounterCatalog.Kind.COUNTER == entry.kind())
        {
            final CounterSnapshot.Builder counter = CounterSnapshot.builder().name(name).help(entry.help());
            byLabel.forEach((labelValue, value) -> counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .value(value).labels(labels(labelName, labelValue)).build()));
            return counter.build();
        }
        final GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(entry.help());
        byLabel.forEach((labelValue, value) -> gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
            .value(value).labels(labels(labelName, labelValue)).build()));
        return gauge.build();
    }

    private static Labels labels(final String name, final String value)
    {
        return name.isEmpty() ? Labels.EMPTY : Labels.of(name, value);
    }

    private MetricSnapshot latencySnapshot()
    {
        final HistogramSnapshot.Builder histogram = HistogramSnapshot.builder().name(LATENCY_NAME)
            .help("Internal latency of each event result, ingress receive to egress offer, per shard " +
                "(HdrHistogram, 3 significant digits; the sum is the mean times the count).");
        for (int shard = 0; shard < latency.shards(); shard++)
        {
            final String label = Integer.toString(shard);
            histogram.dataPoint(latency.read(shard, (recorded) -> HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(buckets(recorded))
                .sum(recorded.getTotalCount() * recorded.getMean() / 1e9)
                .labels(Labels.of("shard", label))
                .build()));
        }
        return histogram.build();
    }

    /**
     * @param recorded latencies, ns.
     * @return the count in each bucket of {@link #LATENCY_BOUNDS_SECONDS} and {@code +Inf} (not cumulative: the
     * client sums them), every recorded value counted once.
     */
    static ClassicHistogramBuckets buckets(final Histogram recorded)
    {
        final int bounds = LATENCY_BOUNDS_SECONDS.length;
        final double[] upperBounds = new double[bounds + 1];
        final long[] counts = new long[bounds + 1];
        long below = 0;
        for (int i = 0; i < bounds; i++)
        {
            upperBounds[i] = LATENCY_BOUNDS_SECONDS[i];
            final long atMost = Math.min(recorded.getTotalCount(),
                recorded.getCountBetweenValues(0, Math.round(LATENCY_BOUNDS_SECONDS[i] * 1e9)));
            counts[i] = Math.max(0, atMost - below);
            below = Math.max(below, atMost);
        }
        upperBounds[bounds] = Double.POSITIVE_INFINITY;
        counts[bounds] = recorded.getTotalCount() - below;
        return ClassicHistogramBuckets.of(upperBounds, counts);
    }
}
