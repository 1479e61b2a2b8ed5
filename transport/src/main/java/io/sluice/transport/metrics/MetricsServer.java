package io.sluice.transport.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.transport.egress.ShardLatency;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Prometheus endpoint ({@value SluiceConfig#METRICS_ENDPOINT}): an HTTP server of the official Prometheus Java
 * client on a thread of its own, {@code sluice-metrics}, serving {@code GET /metrics} in the Prometheus text format
 * (OpenMetrics when the scraper asks for it). Each scrape reads Sluice's counters from the CnC file and folds the
 * processors' latency recorders; the JVM's own metrics (memory, GC, threads, classes, buffer pools) come from the
 * client's JVM instrumentation. Nothing runs on the event path. Started and closed on the control thread.
 */
public final class MetricsServer implements AutoCloseable
{
    /** The endpoint's thread. */
    public static final String THREAD_NAME = "sluice-metrics";

    private final HTTPServer server;
    private final ExecutorService executor;
    private final String host;

    private MetricsServer(final HTTPServer server, final ExecutorService executor, final String host)
    {
        this.server = server;
        this.executor = executor;
        this.host = host;
    }

    /**
     * @param endpoint {@code host:port} to listen on, as {@link SluiceConfig#metricsEndpoint()} concluded it (port
     *                 0: any free port).
     * @param counters the CnC file's counters.
     * @param latency  the processors' internal latency, or null when not recorded.
     * @return the running endpoint.
     * @throws ConfigurationException naming {@value SluiceConfig#METRICS_ENDPOINT} when it cannot listen there.
     */
    public static MetricsServer start(final String endpoint, final CountersReader counters, final ShardLatency latency)
    {
        final int colon = endpoint.lastIndexOf(':');
        final String host = endpoint.substring(0, colon);
        final int port = Integer.parseInt(endpoint.substring(colon + 1));
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new CounterMetrics(counters, latency));
        JvmMetrics.builder().register(registry);
        final ExecutorService executor = Executors.newSingleThreadExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            final HTTPServer server = HTTPServer.builder()
                .hostname(host.startsWith("[") ? host.substring(1, host.length() - 1) : host)
                .port(port)
                .registry(registry)
                .executorService(executor)
                .buildAndStart();
            return new MetricsServer(server, executor, host);
        }
        catch (final IOException | RuntimeException ex)
        {
            executor.shutdownNow();
            throw new ConfigurationException(SluiceConfig.METRICS_ENDPOINT, endpoint, "cannot be listened on: " + ex);
        }
    }

    /**
     * @return the port it listens on (the one chosen when configured with port 0).
     */
    public int port()
    {
        return server.getPort();
    }

    /**
     * @return where to scrape, e.g. {@code http://localhost:9464/metrics}.
     */
    public String url()
    {
        return "http://" + host + ":" + port() + "/metrics";
    }

    /**
     * Stop listening and end the endpoint's thread. Idempotent.
     */
    public void close()
    {
        server.close();
        executor.shutdownNow();
    }
}
