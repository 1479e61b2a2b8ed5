package io.sluice.bench;

import io.sluice.config.SluiceConfig;
import io.sluice.transport.client.SluiceClient;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Throughput mode: ramp the open-loop rate up by a quarter at a time (3 s phases after a warm-up) until an event
 * goes unanswered, the rate is not reached or p99 exceeds the bound, twice in a row at the same rate (one retry
 * absorbs a single scheduling spike of the host); the last rate that passed is the sustained throughput. Done for the
 * echo server and for Sluice in turn.
 */
final class Throughput
{
    /** Bytes on the wire per event, SBE payload only: Event 48 B in, EventResult 96 B out. */
    static final int PAYLOAD_BYTES = 48 + 96;

    private Throughput()
    {
    }

    static void run(final LatencyBench.Options o, final SluiceConfig config, final Path dir, final PrintStream out)
        throws IOException
    {
        final long echo = o.skipEcho ? -1 : ramp("echo", o, config, dir, out, true);
        final long sluice = ramp("sluice", o, config, dir, out, false);
        final String text = String.format(Locale.ROOT,
            "%nsustained throughput (every event answered, p99 <= %d us):%n" +
            "  echo   %,10d ev/s  %6.1f MB/s%n  sluice %,10d ev/s  %6.1f MB/s  (%.0f%% of echo)%n",
            o.p99BoundUs, echo, echo * PAYLOAD_BYTES / 1e6, sluice, sluice * PAYLOAD_BYTES / 1e6,
            echo > 0 ? 100.0 * sluice / echo : Double.NaN);
        out.print(text);
        Files.writeString(dir.resolve("report.md"), text, StandardOpenOption.APPEND);
    }

    private static long ramp(
        final String name, final LatencyBench.Options o, final SluiceConfig config, final Path dir,
        final PrintStream out, final boolean echo) throws IOException
    {
        final String driverDir = LatencyBench.shmDir("sluice-tput-" + name);
        try (ServerProcess server = o.connect && !echo ? null : ServerProcess.start(echo ?
            ServerProcess.javaCommand("-Dsluice.driver.dir=" + driverDir, "-cp", o.benchJar(),
                EchoServer.class.getName(), "--config", o.config.toString()) :
            ServerProcess.javaCommand("-Dsluice.driver.dir=" + driverDir, "-jar", o.jar, "daemon", "--config",
                o.config.toString()),
            dir.resolve(name + "-throughput.log"), echo ? "echo: ready" : "sluice: ready");
            SluiceClient client = LatencyBench.connect(config, echo ? 1 : config.processorCount()))
        {
            final LoadGenerator generator = new LoadGenerator(client, o.messageSize);
            generator.run(50_000, TimeUnit.SECONDS.toNanos(o.warmupSeconds), o.burst, o.keys, TimeUnit.SECONDS.toNanos(2));
            long passed = 0;
            boolean retried = false;
            for (long rate = 50_000; rate <= 5_000_000; )
            {
                final LoadGenerator.Phase phase =
                    generator.run(rate, TimeUnit.SECONDS.toNanos(3), o.burst, o.keys, TimeUnit.SECONDS.toNanos(2));
                final double p99 = Report.micros(phase.histogram(), 99);
                final boolean ok = phase.complete() && p99 <= o.p99BoundUs && phase.achievedPerSecond() >= 0.95 * rate;
                out.printf(Locale.ROOT, "%-6s throughput %,9d ev/s: achieved %,9.0f, p99 %,9.1f us, answered %s -> %s%n",
                    name, rate, phase.achievedPerSecond(), p99, phase.complete() ? "all" :
                    (phase.received() + phase.rejected()) + "/" + phase.sent(), ok ? "pass" : retried ? "FAIL" : "fail, retry");
                if (ok)
                {
                    passed = rate;
                    retried = false;
                    rate += rate / 4;
                }
                else if (!retried)
                {
                    retried = true;
                }
                else
                {
                    break;
                }
            }
            return passed;
        }
    }
}
