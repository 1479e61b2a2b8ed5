package io.sluice.transport.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.transport.egress.ShardLatency;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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
    /** Longest a close waits for a scrape in progress to end, ms. */
    static final long CLOSE_TIMEOUT_MS = 5_000;

    /**
     * The JVM metrics, registered once per process: the client keeps every registry JVM metrics were registered
     * with, so a registry per endpoint would keep each stopped endpoint's collectors (and the counters they read)
     * alive. Each endpoint's own registry delegates to this one.
     */
    private static PrometheusRegistry jvmRegistry;

    private final HTTPServer server;
    private final ExecutorService executor;
    private final String host;
    private final PrintStream log;

    private MetricsServer(final HTTPServer server, final ExecutorService executor, final String host, final PrintStream log)
    {
        this.server = server;
        this.executor = executor;
        this.host = host;
        this.log = log;
    }

    /**
     * @param endpoint {@code host:port} to listen on, as {@link SluiceConfig#metricsEndpoint()} concluded it (port
     *                 0: any free port).
     * @param counters the CnC file's counters.
     * @param latency  the processors' internal latency, or null when not recorded.
     * @param log      where a close that gave up waiting for a scrape says so.
     * @return the running endpoint.
     * @throws ConfigurationException naming {@value SluiceConfig#METRICS_ENDPOINT} when it cannot listen there.
     */
    public static MetricsServer start(
        final String endpoint, final CountersReader counters, final ShardLatency latency, final PrintStream log)
    {
        final int colon = endpoint.lastIndexOf(':');
        final String host = endpoint.substring(0, colon);
        final int port = Integer.parseInt(endpoint.substring(colon + 1));
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new CounterMetrics(counters, latency));
        final PrometheusRegistry jvm = jvmRegistry();
        registry.register((MultiCollector)jvm::scrape);
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
            return new MetricsServer(server, executor, host, log);
        }
        catch (final IOException ex)
        {
            executor.shutdownNow();
            throw new ConfigurationException(SluiceConfig.METRICS_ENDPOINT, endpoint, "cannot be listened on: " + ex);
        }
    }

    private static synchronized PrometheusRegistry jvmRegistry()
    {
        if (null == jvmRegistry)
        {
            jvmRegistry = new PrometheusRegistry();
            JvmMetrics.builder().register(jvmRegistry);
        }
        return jvmRegistry;
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
     * Stop listening, then wait (up to {@value #CLOSE_TIMEOUT_MS} ms) until a scrape in progress has ended and the
     * endpoint's thread is gone: a scrape reads the CnC file, which the caller unmaps next. Idempotent.
     */
    public void close()
    {
        server.close();
        executor.shutdown();
        try
        {
            if (!executor.awaitTermination(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                log.println("sluice: the metrics endpoint's scrape did not end within " + CLOSE_TIMEOUT_MS +
                    " ms of the stop");
                executor.shutdownNow();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
