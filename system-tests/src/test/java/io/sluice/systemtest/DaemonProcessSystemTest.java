package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.sluice.config.DriverThreading;
import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.stat.SluiceStat;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon as an operator runs it: its own process, started from the shaded jar with a shipped profile, stopped
 * by signals, killed, restarted.
 */
class DaemonProcessSystemTest
{
    private static final Pattern METRICS_LINE =
        Pattern.compile("metrics   (http://localhost:\\d+/metrics) \\(Prometheus, exporter process (\\d+)\\)");
    private final String driverDir =
        new File(System.getProperty("java.io.tmpdir"), "sluice-process-" + System.nanoTime()).getAbsolutePath();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        processes.forEach(Process::destroyForcibly);
        IoUtil.delete(new File(driverDir), true);
    }

    @Test
    @Timeout(120)
    void shouldTakeOverTheDirectoryOfADaemonKilledWithSigkillAtOnce() throws Exception
    {
        final List<String> command = daemonCommand("small-host.properties", TestDaemon.freeUdpPort(),
            TestDaemon.freeUdpPort());
        final Daemon first = start(command);
        assertNotNull(first.await("sluice: ready", 30), first.output());
        first.process.destroyForcibly();
        assertEquals(137, first.process.waitFor(), "killed with SIGKILL");
        assertTrue(new File(driverDir, "cnc.dat").exists(), "a killed daemon leaves its driver directory behind");

        final long restartNs = System.nanoTime();
        final Daemon second = start(command);
        assertNotNull(second.await("sluice: ready", 30), second.output());
        System.out.printf("restart after SIGKILL ready in %d ms%n", (System.nanoTime() - restartNs) / 1_000_000);
        assertTrue(second.output().contains("sluice: taking over " + SluiceConfig.DRIVER_DIR + "=" + driverDir +
            ": the process that owned it is gone"), second.output());

        // SIGHUP (systemctl reload) without authentication: nothing to reload, and the daemon keeps running
        assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(second.process.pid())).start().waitFor());
        assertNotNull(second.await("sluice: nothing to reload: authentication is off (sluice.auth.file is empty)",
            10), second.output());
        assertTrue(second.process.isAlive(), "SIGHUP does not stop the daemon\n" + second.output());

        second.process.toHandle().destroy();
        assertEquals(0, second.process.waitFor(), "SIGTERM: clean exit\n" + second.output());
        second.drained();
        assertNotNull(second.await("sluice: stopped after accepting 0 input(s)", 5), second.output());
        assertFalse(new File(driverDir).exists(), "driver directory deleted at stop");
    }

    @Test
    @Timeout(120)
    void shouldRunThePinnedHostProfileOrRefuseItInOneLineAndLeaveNothingBehind() throws Exception
    {
        final Daemon daemon = start(daemonCommand(
            "pinned-host.properties", TestDaemon.freeUdpPort(), TestDaemon.freeUdpPort()));
        final String ready = daemon.await("sluice: ready", 60);
        if (null == ready)
        {
            assertTrue(daemon.process.waitFor(30, TimeUnit.SECONDS), "a refused start exits on its own");
            assertEquals(2, daemon.process.exitValue(), daemon.output());
            assertEquals(1, daemon.lines.size(), "one line: " + daemon.output());
            assertTrue(daemon.lines.get(0).startsWith("sluice: configuration error: " + SluiceConfig.PROCESSOR_CPUS +
                "=3,4,5,6 names CPU"), daemon.output());
        }
        else
        {
            daemon.process.toHandle().destroy();
            assertEquals(0, daemon.process.waitFor(), daemon.output());
        }
        assertFalse(new File(driverDir).exists(), "nothing left in the driver directory");
    }

    @Test
    @Timeout(120)
    void shouldRefuseAStateTableTooLargeForDirectMemoryInOneLine() throws Exception
    {
        final List<String> command = daemonCommand(
            "small-host.properties", TestDaemon.freeUdpPort(), TestDaemon.freeUdpPort());
        command.add(1, "-XX:MaxDirectMemorySize=64m");
        command.add(1, "-D" + SluiceConfig.STATE_CAPACITY + "=1m");
        final Daemon daemon = start(command);
        assertTrue(daemon.process.waitFor(60, TimeUnit.SECONDS), "exits on its own");
        assertEquals(2, daemon.process.exitValue(), daemon.output());
        daemon.drained();
        assertEquals(1, daemon.lines.size(), "one line: " + daemon.output());
        assertEquals("sluice: configuration error: sluice.state.capacity=1048576 needs 235,929,600 bytes (225.0 MiB) " +
            "of direct memory (2 state table(s) of 100,663,296 bytes (96.0 MiB), ring 1,048,576 bytes (1.0 MiB), " +
            "reserve 33,554,432 bytes (32.0 MiB)), more than this JVM's limit of 67,108,864 bytes (64.0 MiB): lower " +
            "it, or raise -XX:MaxDirectMemorySize (./sluice sizes it from the configuration)", daemon.lines.get(0));
        assertFalse(new File(driverDir).exists());
    }

    /**
     * The daemon serves Prometheus through an exporter process of its own: scrapes under load allocate nothing in
     * the daemon's JVM and cause no collection there. The daemon's own JVM counters (bytes allocated by every
     * thread, collections) say so, read from its CnC file. The default run scrapes every 100 ms for 10 s;
     * {@code -Dsluice.test.scrape.seconds=600 -Dsluice.test.scrape.interval-ms=1000} is the ten-minute run.
     */
    @Test
    @Timeout(900)
    void shouldAllocateNothingInTheDaemonWhileItsMetricsAreScrapedUnderLoad() throws Exception
    {
        final long seconds = Long.getLong("sluice.test.scrape.seconds", 10);
        final long intervalMs = Long.getLong("sluice.test.scrape.interval-ms", 100);
        final int ingressPort = TestDaemon.freeUdpPort();
        final int egressPort = TestDaemon.freeUdpPort();
        final List<String> command = daemonCommand("small-host.properties", ingressPort, egressPort);
        command.add(1, "-D" + SluiceConfig.METRICS_ENDPOINT + "=localhost:0");
        final Daemon daemon = start(command);
        assertNotNull(daemon.await("sluice: ready", 60), daemon.output());
        final String metricsLine = daemon.await("  metrics   ", 1);
        assertNotNull(metricsLine, daemon.output());
        final Matcher matcher = METRICS_LINE.matcher(metricsLine);
        assertTrue(matcher.find(), metricsLine);
        final URI uri = URI.create(matcher.group(1));
        final long exporterPid = Long.parseLong(matcher.group(2));
        assertTrue(ProcessHandle.of(exporterPid).map(ProcessHandle::isAlive).orElse(false), "the exporter runs");
        assertEquals(daemon.process.pid(), ProcessHandle.of(exporterPid).flatMap(ProcessHandle::parent)
            .map(ProcessHandle::pid).orElse(-1L), "the exporter is the daemon's child");

        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.INGRESS_CHANNEL, "aeron:udp?endpoint=localhost:" + ingressPort);
        properties.setProperty(SluiceConfig.EGRESS_CHANNEL, "aeron:udp?control=localhost:" + egressPort +
            "|control-mode=dynamic|fc=min,t:5s");
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        final long[] answered = {0};
        final SluiceResultHandler handler = new SluiceResultHandler()
        {
            public void onEventResult(final EventResultDecoder result)
            {
                answered[0]++;
            }

            public void onRejected(final RejectedDecoder rejected)
            {
                throw new AssertionError("rejected: " + rejected);
            }
        };
        try (SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(SluiceConfig.of(properties))
            .embeddedDriver(true).driverThreading(DriverThreading.INVOKER)))
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(20)), daemon.output());
            long sent = 0;
            final long warmUpEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < warmUpEnd)
            {
                sent += sendFor(client, handler, sent, 50);
                assertTrue(scrape(http, uri).contains("sluice_ingress_accepted_total"));
            }
            Thread.sleep(500);
            final long[] before = jvmCounters();
            long scrapes = 0;
            final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end)
            {
                sent += sendFor(client, handler, sent, intervalMs);
                final String body = scrape(http, uri);
                assertTrue(body.contains("sluice_latency_seconds_bucket{le=\"+Inf\",shard=\"0\"}") ||
                    body.contains("sluice_latency_seconds_bucket{shard=\"0\",le=\"+Inf\"}"), body);
                scrapes++;
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (answered[0] < sent && System.nanoTime() < deadline)
            {
                client.poll(handler, 100);
            }
            assertEquals(sent, answered[0], "every event answered");
            Thread.sleep(500);
            final long[] after = jvmCounters();
            final long allocated = after[0] - before[0];
            System.out.printf("daemon JVM over %d scrapes in %d s under load (%,d events): %,d bytes allocated, " +
                "%d collections%n", scrapes, seconds, sent, allocated, after[1] - before[1]);
            assertTrue(before[0] > 0, "the daemon counts its allocation");
            assertEquals(before[1], after[1], "no collection in the daemon: " + allocated + " bytes allocated");
            assertTrue(allocated < scrapes * 1024, allocated + " bytes allocated in the daemon over " + scrapes +
                " scrapes (before the exporter was a process of its own: ~400 KB a scrape)");
        }

        daemon.process.toHandle().destroy();
        assertEquals(0, daemon.process.waitFor(), daemon.output());
        final long exporterGone = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(exporterPid).map(ProcessHandle::isAlive).orElse(false) &&
            System.nanoTime() < exporterGone)
        {
            Thread.sleep(10);
        }
        assertFalse(ProcessHandle.of(exporterPid).map(ProcessHandle::isAlive).orElse(false),
            "the exporter stops with the daemon");
    }

    /**
     * Send events at about 10,000 a second for a while, polling the results.
     *
     * @return events sent.
     */
    private static long sendFor(
        final SluiceClient client, final SluiceResultHandler handler, final long sentBefore, final long ms)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long sent = 0;
        while (System.nanoTime() < end)
        {
            for (int i = 0; i < 10; i++)
            {
                final long n = sentBefore + sent;
                while (client.offerEvent(n % 1000, 1_700_000_000_000_000_000L + n, 1.0) < 0)
                {
                    client.poll(handler, 100);
                }
                sent++;
            }
            client.poll(handler, 100);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return sent;
    }

    private static String scrape(final HttpClient http, final URI uri) throws Exception
    {
        final HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /**
     * @return the daemon's bytes allocated by every thread and its garbage collections, from its CnC file.
     */
    private long[] jvmCounters()
    {
        final long[] values = {-1, -1};
        assertTrue(SluiceStat.read(driverDir, (reader) -> reader.forEach((id, typeId, key, label) ->
        {
            if (SluiceCounters.JVM_ALLOCATED_TYPE_ID == typeId)
            {
                values[0] = reader.getCounterValue(id);
            }
            else if (SluiceCounters.JVM_GC_COUNT_TYPE_ID == typeId)
            {
                values[1] = reader.getCounterValue(id);
            }
        })));
        return values;
    }

    private List<String> daemonCommand(final String profile, final int ingressPort, final int egressPort)
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
        command.add("-Xmx256m");
        command.add("-D" + SluiceConfig.DRIVER_DIR + "=" + driverDir);
        command.add("-D" + SluiceConfig.INGRESS_CHANNEL + "=aeron:udp?endpoint=localhost:" + ingressPort);
        command.add("-D" + SluiceConfig.EGRESS_CHANNEL + "=aeron:udp?control=localhost:" + egressPort +
            "|control-mode=dynamic|fc=min,t:5s");
        command.add("-jar");
        command.add(TestDaemon.shadedJar().getAbsolutePath());
        command.add("daemon");
        command.add("--config");
        command.add(new File("../config", profile).getAbsolutePath());
        return command;
    }

    private Daemon start(final List<String> command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        return new Daemon(process);
    }

    /**
     * A daemon process and the lines it printed so far.
     */
    static final class Daemon
    {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        Daemon(final Process process)
        {
            this.process = process;
            reader = new Thread(() ->
            {
                try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while (null != (line = in.readLine()))
                    {
                        lines.add(line);
                    }
                }
                catch (final IOException ignore)
                {
                    // the process is gone: its output ends here
                }
            }, "daemon-output");
            reader.setDaemon(true);
            reader.start();
        }

        String await(final String prefix, final int seconds) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline)
            {
                for (final String line : lines)
                {
                    if (line.startsWith(prefix))
                    {
                        return line;
                    }
                }
                if (!process.isAlive() && !reader.isAlive())
                {
                    return null;
                }
                Thread.sleep(10);
            }
            return null;
        }

        void drained() throws InterruptedException
        {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }

        String output()
        {
            return String.join("\n", lines);
        }
    }
}
