package io.sluice.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import io.sluice.server.counters.CounterCatalog;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scrapes a daemon's Prometheus endpoint with a real HTTP client and compares what it serves with the counters in
 * the CnC file, the latency histogram with the results sent, and the Grafana dashboard shipped in
 * {@code dist/grafana} with what is served.
 */
class MetricsEndpointSystemTest
{
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final int EVENTS = 2_000;
    private static final int KEYS = 100;
    private static final int INVALID = 3;
    private static final Pattern PORT =
        Pattern.compile("metrics   http://localhost:(\\d+)/metrics \\(Prometheus, exporter process (\\d+)\\)");
    private static final Pattern METRIC_NAME = Pattern.compile("\\b((?:sluice|jvm|process)_[a-z0-9_]+)\\b");

    @TempDir
    Path journalDir;

    @Test
    @Timeout(90)
    void shouldServeEveryCounterTheLatencyHistogramAndJvmMetricsAndEveryMetricOfTheDashboard() throws Exception
    {
        assertEquals(0, endpointThreads(), "no endpoint threads before the daemon starts");
        final long[] exporterPid = {0};
        try (TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.METRICS_ENDPOINT, "localhost:0")
            .set(SluiceConfig.JOURNAL_MODE, "async")
            .set(SluiceConfig.JOURNAL_DIR, journalDir.toString())
            .set(SluiceConfig.WINDOW_TYPE, "tumbling")
            .set(SluiceConfig.WINDOW_SIZE, "1s")
            .start();
            SluiceClient client = daemon.client())
        {
            final Matcher port = PORT.matcher(daemon.log());
            assertTrue(port.find(), daemon.log());
            final URI uri = URI.create("http://localhost:" + port.group(1) + "/metrics");
            exporterPid[0] = Long.parseLong(port.group(2));

            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            assertTrue(daemon.awaitEgressReceivers(TimeUnit.SECONDS.toNanos(10)));
            final RecordingHandler handler = new RecordingHandler();
            for (int i = 0; i < EVENTS; i++)
            {
                while (client.offerEvent(i % KEYS, T0 + i, 1.0) < 0)
                {
                    client.poll(handler, 100);
                }
            }
            for (int i = 0; i < INVALID; i++)
            {
                while (client.offerEvent(7, T0 + EVENTS + i, Double.NaN) < 0)
                {
                    client.poll(handler, 100);
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((handler.results.size() < EVENTS || handler.rejects.size() < INVALID) && System.nanoTime() < deadline)
            {
                if (0 == client.poll(handler, 100))
                {
                    Thread.yield();
                }
            }
            assertEquals(EVENTS, handler.results.size());
            assertEquals(INVALID, handler.rejects.size());

            final CountersReader counters = daemon.daemon.aeron().countersReader();
            final Map<String, Double> before = cnc(counters);
            final Map<String, Double> served = scrape(uri);
            final Map<String, Double> after = cnc(counters);

            final long accepted = daemon.counter(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, "accepted");
            assertEquals(EVENTS + client.probesSent(), accepted);
            assertEquals(accepted + INVALID, served.get("sluice_ingress_received_total"));
            assertEquals((double)accepted, served.get("sluice_ingress_accepted_total"));
            assertEquals((double)INVALID, served.get("sluice_rejected_total{reason=\"INVALID_VALUE\"}"));
            assertEquals(0.0, served.get("sluice_rejected_total{reason=\"LATE\"}"));
            assertEquals(KEYS,
                served.get("sluice_processor_live_keys{shard=\"0\"}") + served.get("sluice_processor_live_keys{shard=\"1\"}"),
                0.0, "live keys over both shards");

            int compared = 0;
            for (final Map.Entry<String, Double> counter : before.entrySet())
            {
                if (counter.getValue().equals(after.get(counter.getKey())))
                {
                    assertEquals(counter.getValue(), served.get(counter.getKey()), counter.getKey() + " in\n" + served);
                    compared++;
                }
            }
            assertTrue(compared >= 40, "counters that held still during the scrape, compared exactly: " + compared);
            assertEquals(before.keySet(), served.keySet().stream().filter(before::containsKey)
                .collect(java.util.stream.Collectors.toSet()), "every counter is served");

            final double latencyCount = served.get("sluice_latency_seconds_count{shard=\"0\"}") +
                served.get("sluice_latency_seconds_count{shard=\"1\"}");
            assertEquals((double)handler.results.size(), latencyCount, "one latency per EventResult sent");
            assertEquals(served.get("sluice_latency_seconds_count{shard=\"0\"}"),
                served.get("sluice_latency_seconds_bucket{shard=\"0\",le=\"+Inf\"}"));
            assertTrue(served.get("sluice_latency_seconds_sum{shard=\"0\"}") > 0);

            assertTrue(served.get("jvm_memory_used_bytes{area=\"heap\"}") > 0, "the daemon's heap: " + served);
            assertEquals(served.get("sluice_jvm_heap_max_bytes"), served.get("jvm_memory_max_bytes{area=\"heap\"}"));
            assertEquals((double)Runtime.getRuntime().maxMemory(), served.get("jvm_memory_max_bytes{area=\"heap\"}"),
                "the daemon's JVM (this one), not the exporter's");
            assertTrue(served.get("jvm_threads_current") > 0, "JVM metrics are served");
            assertEquals(served.get("sluice_gc_collections_total"), served.get("jvm_gc_collection_seconds_count"));
            assertEquals(1.0, served.get("sluice_driver_up"));

            final Set<String> servedNames = new TreeSet<>();
            served.keySet().forEach((key) -> servedNames.add(key.contains("{") ? key.substring(0, key.indexOf('{')) : key));
            final Set<String> dashboardNames = dashboardMetricNames();
            assertTrue(dashboardNames.size() >= 25, "dashboard metrics: " + dashboardNames);
            final Set<String> missing = new TreeSet<>(dashboardNames);
            missing.removeAll(servedNames);
            assertEquals(Set.of(), missing, "metrics the dashboard uses that the endpoint does not serve");
            assertEquals(1, endpointThreads(), "in the daemon's JVM only the thread that copies the exporter's " +
                "output, no HTTP server thread: the exporter is a process");
            assertTrue(ProcessHandle.of(exporterPid[0]).map(ProcessHandle::isAlive).orElse(false));
        }
        assertFalse(ProcessHandle.of(exporterPid[0]).map(ProcessHandle::isAlive).orElse(false),
            "a stopped daemon's exporter process is gone");
        assertEquals(0, endpointThreads(), "a stopped daemon's exporter leaves no thread behind");
    }

    private static long endpointThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> thread.isAlive() &&
                (thread.getName().equals("sluice-metrics") || thread.getName().startsWith("HTTP-Dispatcher") ||
                thread.getName().equals("sluice-exporter-output")))
            .count();
    }

    /**
     * Every Sluice counter in the CnC file, keyed as the endpoint serves it: {@code sluice_<name>[_total]} with its
     * label, the value scaled to the catalogue's unit.
     */
    private static Map<String, Double> cnc(final CountersReader counters)
    {
        final Map<String, Double> values = new HashMap<>();
        counters.forEach((id, typeId, key, label) ->
        {
            final CounterCatalog.Entry entry = CounterCatalog.find(typeId);
            if (null == entry || SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID == typeId)
            {
                return;
            }
            final String labelName = entry.keyLabel().labelName();
            final String name = "sluice_" + entry.name() + (CounterCatalog.Kind.COUNTER == entry.kind() ? "_total" : "") +
                (labelName.isEmpty() ? "" : "{" + labelName + "=\"" + entry.keyLabel().value(key, label) + "\"}");
            values.merge(name, entry.scaled(counters.getCounterValue(id)), Double::sum);
        });
        assertTrue(values.size() > 40, "counters found: " + values.keySet());
        return values;
    }

    private static Map<String, Double> scrape(final URI uri) throws Exception
    {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        final HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
            response.headers().toString());
        final Map<String, Double> values = new LinkedHashMap<>();
        for (final String line : response.body().split("\n"))
        {
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final int space = line.lastIndexOf(' ');
            values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return values;
    }

    private static Set<String> dashboardMetricNames() throws Exception
    {
        final Path file = Path.of("..", "dist", "grafana", "sluice-dashboard.json");
        final JsonNode dashboard = new ObjectMapper().readTree(Files.readString(file));
        final Set<String> names = new TreeSet<>();
        int panels = 0;
        for (final JsonNode panel : dashboard.get("panels"))
        {
            if (panel.has("targets"))
            {
                panels++;
                for (final JsonNode target : panel.get("targets"))
                {
                    final Matcher matcher = METRIC_NAME.matcher(target.get("expr").asText());
                    while (matcher.find())
                    {
                        names.add(matcher.group(1));
                    }
                }
            }
        }
        assertTrue(panels >= 15, "panels with queries: " + panels);
        return names;
    }
}
