package io.sluice.tools.metrics;

import io.sluice.server.metrics.ExporterProcess;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.server.signal.TerminationSignal;

import java.io.PrintStream;
import java.util.Optional;

/**
 * {@code sluice exporter}: the Prometheus endpoint as a process of its own. It maps the CnC file of the media driver
 * in a directory at each scrape and serves what it reads ({@link CounterMetrics}), exactly as AeronStat and
 * {@code sluice stat} read it, so nothing a scraper does allocates, locks or pauses in the daemon's JVM. The daemon
 * starts one as its child when {@link SluiceConfig#METRICS_ENDPOINT} is set ({@link ExporterProcess}); an operator
 * can run one by hand against any daemon or cluster node. Runs until SIGTERM or SIGINT, or until the process it
 * serves (when given) has ended.
 */
public final class MetricsExporter
{
    /** The first line an exporter prints once it listens, followed by the URL to scrape. */
    public static final String SERVING = ExporterProcess.SERVING;
    /** How often an exporter serving one process checks that it still runs, ms. */
    static final long PARENT_CHECK_MS = 250;

    private MetricsExporter()
    {
    }

    /**
     * Serve until a signal or the end of the process served.
     *
     * @param driverDir the media driver directory whose CnC file each scrape reads.
     * @param endpoint  {@code host:port} to listen on (port 0: any free port).
     * @param parentPid the process served (the exporter stops when it ends), or 0 for none.
     * @param out       where the serving line and the stop line go.
     * @return the exit code: 0 after a signal or the end of the process served, 1 when that process was not
     * running at the start.
     * @throws ConfigurationException naming {@link SluiceConfig#METRICS_ENDPOINT} when it is empty or cannot be
     *                                listened on.
     * @throws InterruptedException   when the waiting thread is interrupted.
     */
    public static int run(final String driverDir, final String endpoint, final long parentPid, final PrintStream out)
        throws InterruptedException
    {
        if (endpoint.isEmpty())
        {
            throw new ConfigurationException(SluiceConfig.METRICS_ENDPOINT, "(empty)",
                "is required by sluice exporter: host:port to listen on (--endpoint, or the key in --config)");
        }
        final Optional<ProcessHandle> parent = parentPid > 0 ? ProcessHandle.of(parentPid) : Optional.empty();
        if (parentPid > 0 && parent.map((handle) -> !handle.isAlive()).orElse(true))
        {
            out.println("sluice exporter: process " + parentPid + " (--parent-pid) is not running");
            return 1;
        }
        final TerminationSignal signal = new TerminationSignal();
        try (MetricsServer server = MetricsServer.start(endpoint, driverDir, out))
        {
            out.println(SERVING + server.url() + " from the media driver in " + driverDir +
                (parentPid > 0 ? " while process " + parentPid + " runs" : ""));
            out.flush();
            final String name = signal.await(PARENT_CHECK_MS, () -> parent.map((handle) -> !handle.isAlive()).orElse(false));
            out.println(null == name ? "sluice exporter: process " + parentPid + " ended, stopping" :
                "sluice exporter: SIG" + name + " received, stopping");
            out.flush();
        }
        return 0;
    }
}
