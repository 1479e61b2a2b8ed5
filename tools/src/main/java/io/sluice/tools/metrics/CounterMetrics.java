package io.sluice.tools.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.sluice.server.counters.CounterCatalog;
import io.sluice.server.counters.LatencyCounters;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.stat.SluiceStat;
import io.sluice.tools.stat.StatReading;
import org.agrona.concurrent.status.CountersReader;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a scrape of the metrics exporter reads, from the daemon's (or cluster node's) CnC file mapped for that scrape
 * alone: every counter of {@link CounterCatalog} (one {@link StatReading}, as {@code sluice stat} takes), named
 * {@code sluice_<name>} with its shard, reason, thread or publication as a label; the daemon's JVM counters also
 * under the names of the Prometheus client's JVM instrumentation ({@link #JVM_ALIASES}); and each shard's internal
 * latency as a histogram {@value #LATENCY_NAME} in seconds, from the bucket counters the processors count into
 * ({@link LatencyCounters}). {@code sluice_driver_up} is 1 when a media driver's CnC file was there to read, else
 * 0 and nothing else is served. Runs in the exporter's process, on its HTTP thread; keeps nothing between scrapes.
 */
final class CounterMetrics implements MultiCollector
{
    /** Name of the ingress-to-egress latency histogram, seconds. */
    static final String LATENCY_NAME = "sluice_latency_seconds";
    /** Name of the gauge that says whether a CnC file was read. */
    static final String DRIVER_UP_NAME = "sluice_driver_up";
    private static final String PREFIX = "sluice_";
    /** Divisor from ns to s: a division gives the bounds exactly as written (1000 / 1e9 == 1e-6), a product not. */
    private static final double NANOS_PER_SECOND = 1e9;

    /**
     * A catalogue counter also served under the name (and label) the Prometheus JVM instrumentation gives it, so
     * dashboards made for any JVM read the daemon's.
     *
     * @param name       the metric's name.
     * @param labelName  its label, empty for none.
     * @param labelValue the label's value.
     */
    record Alias(String name, String labelName, String labelValue)
    {
    }

    /** The catalogue's JVM counters by the JVM instrumentation's names. */
    static final Map<String, Alias> JVM_ALIASES = Map.of(
        "jvm_heap_used_bytes", new Alias("jvm_memory_used_bytes", "area", "heap"),
        "jvm_heap_committed_bytes", new Alias("jvm_memory_committed_bytes", "area", "heap"),
        "jvm_heap_max_bytes", new Alias("jvm_memory_max_bytes", "area", "heap"),
        "jvm_direct_used_bytes", new Alias("jvm_buffer_pool_used_bytes", "pool", "direct"),
        "jvm_threads", new Alias("jvm_threads_current", "", ""),
        "jvm_cpu_seconds", new Alias("process_cpu_seconds", "", ""));

    private final String driverDir;

    /**
     * @param driverDir the media driver directory whose CnC file each scrape reads.
     */
    CounterMetrics(final String driverDir)
    {
        this.driverDir = driverDir;
    }

    /**
     * {@inheritDoc}
     */
    public MetricSnapshots collect()
    {
        final List<MetricSnapshot> snapshots = new ArrayList<>();
        final boolean found = SluiceStat.read(driverDir, (counters) -> collect(counters, snapshots));
        snapshots.add(GaugeSnapshot.builder().name(DRIVER_UP_NAME)
            .help("1 when the exporter found a media driver's CnC file in " + driverDir + " at this scrape, else 0.")
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(found ? 1 : 0).build())
            .build());
        return new MetricSnapshots(snapshots);
    }

    /**
     * @param counters  the CnC file's counters.
     * @param snapshots where every metric read from them goes.
     */
    static void collect(final CountersReader counters, final List<MetricSnapshot> snapshots)
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

        values.forEach((entry, byLabel) ->
        {
            if (!byLabel.isEmpty())
            {
                snapshots.add(snapshot(PREFIX + entry.name(), entry, byLabel));
                final Alias alias = JVM_ALIASES.get(entry.name());
                if (null != alias)
                {
                    snapshots.add(snapshot(alias.name(), entry, Map.of(alias.labelValue(), byLabel.get(""))));
                }
            }
        });
        gcSummary(values).ifPresent(snapshots::add);
        if (!digests.isEmpty())
        {
            final InfoSnapshot.Builder digest = InfoSnapshot.builder().name(PREFIX + "snapshot_digest")
                .help("State digest of the newest complete snapshot, as sluice stat shows it (16 hex digits).");
            digests.forEach((hex) -> digest.dataPoint(
                InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("digest", hex)).build()));
            snapshots.add(digest.build());
        }
        final MetricSnapshot latency = latencySnapshot(counters);
        if (null != latency)
        {
            snapshots.add(latency);
        }
    }

    private static MetricSnapshot snapshot(
        final String name, final CounterCatalog.Entry entry, final Map<String, Double> byLabel)
    {
        final Alias alias = name.startsWith(PREFIX) ? null : JVM_ALIASES.get(entry.name());
        final String labelName = null != alias ? alias.labelName() : entry.keyLabel().labelName();
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

    private static Optional<MetricSnapshot> gcSummary(final Map<CounterCatalog.Entry, Map<String, Double>> values)
    {
        Double count = null;
        Double seconds = null;
        for (final Map.Entry<CounterCatalog.Entry, Map<String, Double>> entry : values.entrySet())
        {
            if (SluiceCounters.JVM_GC_COUNT_TYPE_ID == entry.getKey().typeId())
            {
                count = entry.getValue().get("");
            }
            else if (SluiceCounters.JVM_GC_TIME_TYPE_ID == entry.getKey().typeId())
            {
                seconds = entry.getValue().get("");
            }
        }
        if (null == count || null == seconds)
        {
            return Optional.empty();
        }
        return Optional.of(SummarySnapshot.builder().name("jvm_gc_collection_seconds")
            .help("Garbage collections of the daemon's JVM and the time they took (every collector together).")
            .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder()
                .count(count.longValue()).sum(seconds).quantiles(Quantiles.EMPTY).build())
            .build());
    }

    private static Labels labels(final String name, final String value)
    {
        return name.isEmpty() ? Labels.EMPTY : Labels.of(name, value);
    }

    /**
     * @param counters the CnC file's counters.
     * @return each shard's latency histogram from its bucket and sum counters, or null when no processor records
     * latency (the daemon's metrics endpoint off and no latency file; a cluster node).
     */
    static MetricSnapshot latencySnapshot(final CountersReader counters)
    {
        final Map<Integer, TreeMap<Long, Long>> buckets = new TreeMap<>();
        final Map<Integer, Long> sums = new TreeMap<>();
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (SluiceCounters.LATENCY_BUCKET_TYPE_ID == typeId)
            {
                buckets.computeIfAbsent(keyBuffer.getInt(LatencyCounters.SHARD_OFFSET), (shard) -> new TreeMap<>())
                    .merge(keyBuffer.getLong(LatencyCounters.BOUND_OFFSET), counters.getCounterValue(counterId), Long::sum);
            }
            else if (SluiceCounters.LATENCY_SUM_TYPE_ID == typeId)
            {
                sums.merge(keyBuffer.getInt(0), counters.getCounterValue(counterId), Long::sum);
            }
        });
        if (buckets.isEmpty())
        {
            return null;
        }
        final HistogramSnapshot.Builder histogram = HistogramSnapshot.builder().name(LATENCY_NAME)
            .help("Internal latency of each event result, ingress receive to egress offer, per shard.");
        buckets.forEach((shard, byBound) -> histogram.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
            .classicHistogramBuckets(buckets(byBound))
            .sum(sums.getOrDefault(shard, 0L) / NANOS_PER_SECOND)
            .labels(Labels.of("shard", Integer.toString(shard)))
            .build()));
        return histogram.build();
    }

    /**
     * @param byBound count of each bucket (not cumulative) by its upper bound in ns, {@link
     *                LatencyCounters#INFINITY_BOUND} for {@code +Inf}.
     * @return the buckets in seconds (not cumulative: the client sums them), {@code +Inf} last even when its
     * counter is missing.
     */
    static ClassicHistogramBuckets buckets(final TreeMap<Long, Long> byBound)
    {
        final TreeMap<Long, Long> all = new TreeMap<>(byBound);
        all.putIfAbsent(LatencyCounters.INFINITY_BOUND, 0L);
        final double[] upperBounds = new double[all.size()];
        final long[] counts = new long[all.size()];
        int i = 0;
        for (final Map.Entry<Long, Long> bucket : all.entrySet())
        {
            upperBounds[i] = LatencyCounters.INFINITY_BOUND == bucket.getKey() ?
                Double.POSITIVE_INFINITY : bucket.getKey() / NANOS_PER_SECOND;
            counts[i] = bucket.getValue();
            i++;
        }
        return ClassicHistogramBuckets.of(upperBounds, counts);
    }
}
