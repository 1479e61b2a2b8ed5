package io.sluice.server.metrics;

import io.sluice.config.ConfigurationException;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The metrics exporter ({@code sluice exporter}) as a child process of the daemon or cluster node that serves
 * {@link SluiceConfig#METRICS_ENDPOINT}: started with the same Java runtime and class path, a small heap of its own
 * ({@value #HEAP}) and the serial collector, told the driver directory, the endpoint and this process's id. The
 * start waits for its serving line (the URL, with the port chosen when the endpoint gave port 0) and fails with
 * the key named when the exporter cannot listen. Afterwards one thread here, {@value #OUTPUT_THREAD}, waits on the
 * child's output (it writes a line only when it stops) and copies it to the daemon's log; the daemon's own threads
 * never see a scrape. The child stops when this process ends, even by SIGKILL. Started and closed on the control
 * thread.
 */
public final class ExporterProcess implements AutoCloseable
{
    /**
     * The command line's main class, which runs {@code sluice exporter}. The server names it and does not depend on
     * the tools module that holds it: the child runs on this process's class path, which in the distribution and
     * the shaded jar holds the tools; a class path without them fails the start with the key named.
     */
    public static final String MAIN_CLASS = "io.sluice.tools.SluiceMain";
    /** The line the exporter prints once it listens, followed by its URL. */
    public static final String SERVING = "sluice exporter: serving ";
    /** The thread that copies the exporter's output to the daemon's log. */
    public static final String OUTPUT_THREAD = "sluice-exporter-output";
    /** The exporter's heap limit. */
    static final String HEAP = "-Xmx48m";
    /** Longest a start waits for the exporter's serving line, ms. */
    static final long START_TIMEOUT_MS = 30_000;
    /** Longest a close waits for the exporter to exit after SIGTERM before it is killed, ms. */
    static final long STOP_TIMEOUT_MS = 5_000;
    private static final String CONFIGURATION_ERROR = "sluice: configuration error: ";

    private final Process process;
    private final String url;
    private final Thread output;
    private volatile boolean closing;

    private ExporterProcess(final Process process, final String url, final BufferedReader reader, final PrintStream log)
    {
        this.process = process;
        this.url = url;
        this.output = new Thread(() -> copy(reader, log), OUTPUT_THREAD);
        output.setDaemon(true);
        output.start();
    }

    /**
     * Start the exporter and wait until it serves.
     *
     * @param ctx the endpoint, the driver directory whose counters it serves and where its later lines go; concluded
     *            here when it is not yet.
     * @return the running exporter.
     * @throws ConfigurationException naming {@link SluiceConfig#METRICS_ENDPOINT} when the exporter cannot listen
     *                                there or does not start, or is off (empty endpoint).
     */
    public static ExporterProcess start(final Context ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        if (!ctx.isEnabled())
        {
            throw new ConfigurationException(SluiceConfig.METRICS_ENDPOINT, "", "must be set to start the exporter");
        }
        final String endpoint = ctx.endpoint();
        final String driverDir = ctx.driverDir();
        final PrintStream log = ctx.log();
        final Process process;
        try
        {
            process = new ProcessBuilder(command(endpoint, driverDir)).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new ConfigurationException(SluiceConfig.METRICS_ENDPOINT, endpoint,
                "cannot be served: the metrics exporter process did not start: " + ex);
        }
        final BufferedReader reader =
            new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        final List<String> lines = new ArrayList<>();
        final String serving = awaitServing(process, reader, lines);
        if (null == serving)
        {
            process.destroyForcibly();
            throw refusal(endpoint, process, lines);
        }
        final int space = serving.indexOf(' ', SERVING.length());
        return new ExporterProcess(process,
            serving.substring(SERVING.length(), space < 0 ? serving.length() : space), reader, log);
    }

    /**
     * @return where to scrape, e.g. {@code http://localhost:9464/metrics}.
     */
    public String url()
    {
        return url;
    }

    /**
     * @return the exporter's process id.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * @return true while the exporter process runs.
     */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Stop the exporter: SIGTERM, then SIGKILL after {@value #STOP_TIMEOUT_MS} ms; wait until its output is copied.
     * Idempotent.
     */
    public void close()
    {
        closing = true;
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            output.join(STOP_TIMEOUT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static List<String> command(final String endpoint, final String driverDir)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
            .orElse(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath()));
        command.add(HEAP);
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xss512k");
        command.add("--add-opens");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
        command.add("exporter");
        command.add("--dir");
        command.add(driverDir);
        command.add("--endpoint");
        command.add(endpoint);
        command.add("--parent-pid");
        command.add(Long.toString(ProcessHandle.current().pid()));
        return command;
    }

    private static String awaitServing(final Process process, final BufferedReader reader, final List<String> lines)
    {
        final String[] serving = {null};
        final Thread waiter = new Thread(() ->
        {
            try
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    if (line.startsWith(SERVING))
                    {
                        serving[0] = line;
                        return;
                    }
                    synchronized (lines)
                    {
                        lines.add(line);
                    }
                }
            }
            catch (final IOException ex)
            {
                synchronized (lines)
                {
                    lines.add(ex.toString());
                }
            }
        }, OUTPUT_THREAD);
        waiter.setDaemon(true);
        waiter.start();
        try
        {
            waiter.join(START_TIMEOUT_MS);
            if (waiter.isAlive())
            {
                process.destroyForcibly();
                waiter.join(STOP_TIMEOUT_MS);
                synchronized (lines)
                {
                    lines.add("(no serving line within " + START_TIMEOUT_MS + " ms)");
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        return serving[0];
    }

    private static ConfigurationException refusal(final String endpoint, final Process process, final List<String> lines)
    {
        final String refused = CONFIGURATION_ERROR + SluiceConfig.METRICS_ENDPOINT + "=" + endpoint + " ";
        synchronized (lines)
        {
            for (final String line : lines)
            {
                if (line.startsWith(refused))
                {
                    return new ConfigurationException(
                        SluiceConfig.METRICS_ENDPOINT, endpoint, line.substring(refused.length()));
                }
            }
            String exit;
            try
            {
                exit = process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS) ? "exited with " + process.exitValue() :
                    "did not exit";
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                exit = "was interrupted";
            }
            return new ConfigurationException(SluiceConfig.METRICS_ENDPOINT, endpoint,
                "cannot be served: the metrics exporter process " + exit + ": " + String.join(" | ", lines));
        }
    }

    private void copy(final BufferedReader reader, final PrintStream log)
    {
        try (reader)
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                log.println(line);
            }
        }
        catch (final IOException ex)
        {
            if (!closing)
            {
                log.println("sluice: reading the metrics exporter's output failed: " + ex);
            }
        }
        if (!closing)
        {
            try
            {
                log.println("sluice: the metrics exporter (pid " + process.pid() + ", " + url + ") exited with " +
                    process.waitFor() + "; metrics are not served until the daemon restarts");
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * What the exporter is started with: the endpoint it listens on (empty: no exporter), the media driver directory
     * whose counters it serves and where its later lines go. Take the values from a configuration with
     * {@link #from(SluiceConfig)} or set them, then {@link #conclude()} once.
     * <p>
     * Start-up only; not thread safe.
     */
    public static final class Context
    {
        private String endpoint;
        private String driverDir;
        private PrintStream log;
        private boolean concluded;

        /**
         * @param config a configuration, the one place the metrics endpoint is read.
         * @return a context holding the endpoint and the driver directory, not yet concluded.
         */
        public static Context from(final SluiceConfig config)
        {
            return new Context().endpoint(config.metricsEndpoint()).driverDir(config.driverDir());
        }

        /**
         * Fill defaults (the declared endpoint, off; the log {@link System#out}) and check the endpoint against its
         * declaration; an exporter that is on needs the driver directory. Runs once.
         *
         * @return this.
         * @throws ConfigurationException naming the key of a value out of range or not set.
         * @throws IllegalStateException  when called a second time.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("ExporterProcess.Context is already concluded");
            }
            endpoint = Settings.METRICS_ENDPOINT.valueOrDefault(endpoint);
            if (!endpoint.isEmpty())
            {
                driverDir = Settings.DRIVER_DIR.check(driverDir);
            }
            log = null == log ? System.out : log;
            concluded = true;
            return this;
        }

        /**
         * @param endpoint {@code host:port} to listen on, port 0 for any free port; empty for no exporter
         *                 ({@link SluiceConfig#METRICS_ENDPOINT}).
         * @return this.
         */
        public Context endpoint(final String endpoint)
        {
            this.endpoint = endpoint;
            return this;
        }

        /**
         * @return {@code host:port} to listen on, empty for no exporter.
         */
        public String endpoint()
        {
            return endpoint;
        }

        /**
         * @return true when an endpoint is set: the daemon starts an exporter.
         */
        public boolean isEnabled()
        {
            return null != endpoint && !endpoint.isEmpty();
        }

        /**
         * @param driverDir the media driver directory whose counters it serves ({@link SluiceConfig#DRIVER_DIR}).
         * @return this.
         */
        public Context driverDir(final String driverDir)
        {
            this.driverDir = driverDir;
            return this;
        }

        /**
         * @return the media driver directory whose counters it serves.
         */
        public String driverDir()
        {
            return driverDir;
        }

        /**
         * @param log where the exporter's later lines go ({@link System#out} when not set).
         * @return this.
         */
        public Context log(final PrintStream log)
        {
            this.log = log;
            return this;
        }

        /**
         * @return where the exporter's later lines go.
         */
        public PrintStream log()
        {
            return log;
        }

        /**
         * @return true once {@link #conclude()} succeeded.
         */
        public boolean isConcluded()
        {
            return concluded;
        }
    }
}
