package io.sluice.tools.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The Prometheus endpoint of the metrics exporter ({@link MetricsExporter}, a process of its own beside the daemon):
 * an HTTP server of the official Prometheus Java client on a thread of its own, {@code sluice-metrics}, serving
 * {@code GET /metrics} in the Prometheus text format (OpenMetrics when the scraper asks for it). Each scrape maps
 * the daemon's CnC file and reads its counters ({@link CounterMetrics}); nothing of it runs in the daemon's JVM.
 */
public final class MetricsServer implements AutoCloseable
{
    /** The endpoint's thread. */
    public static final String THREAD_NAME = "sluice-metrics";
    /** Longest a close waits for a scrape in progress to end, ms. */
    static final long CLOSE_TIMEOUT_MS = 5_000;

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
     * @param driverDir the media driver directory whose CnC file each scrape reads.
     * @param log       where a close that gave up waiting for a scrape says so.
     * @return the running endpoint.
     * @throws ConfigurationException naming {@link SluiceConfig#METRICS_ENDPOINT} when it cannot listen there.
     */
    public static MetricsServer start(
        final String endpoint, final String driverDir, final PrintStream log)
    {
        final int colon = endpoint.lastIndexOf(':');
        final String host = endpoint.substring(0, colon);
        final int port = Integer.parseInt(endpoint.substring(colon + 1));
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new CounterMetrics(driverDir));
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
     * endpoint's thread is gone. Idempotent.
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
