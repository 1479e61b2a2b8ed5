package io.sluice.transport;

import io.sluice.config.SluiceConfig;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
        command.add(shadedJar().getAbsolutePath());
        command.add("daemon");
        command.add("--config");
        command.add(new File("../config", profile).getAbsolutePath());
        return command;
    }

    private static File shadedJar()
    {
        final File[] jars = new File("target").listFiles((dir, name) -> name.endsWith("-all.jar"));
        assertTrue(null != jars && 1 == jars.length, "the shaded daemon jar is built before the system tests");
        return jars[0];
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
