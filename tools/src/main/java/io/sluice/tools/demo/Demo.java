package io.sluice.tools.demo;

import io.sluice.config.SluiceConfig;
import io.sluice.server.daemon.DaemonContext;
import io.sluice.tools.stat.SluiceStat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * {@code sluice demo}: the daemon in a process of its own (this JVM's options, an embedded media driver in a
 * directory of its own), the {@code producer} command against it in this process, the daemon's counters, then a
 * graceful stop and a check that nothing is left behind.
 * <pre>
 *   sluice demo --spawn--&gt; java ... MAIN_CLASS daemon --config PROFILE   (output to RUN_DIR/daemon.log)
 *        |   waits for "sluice: ready", prints the log so far as "[daemon] ..."
 *        +-- producer --config PROFILE --rate N --seconds N --keys 1000   (in process)
 *        +-- [daemon counters]: stat of the daemon's driver directory
 *        +-- SIGTERM to the daemon, its remaining lines, the driver directory must be gone
 * </pre>
 * Exit code: the producer's (0 when every event was answered), else the daemon's when it did not exit 0, 1 when
 * the daemon did not start or left its driver directory behind. Ctrl-C or any failure still stops the daemon
 * (SIGTERM, SIGKILL after 10 s) and deletes the driver and run directories. Main thread only.
 */
public final class Demo
{
    private static final String READY = "sluice: ready";
    private static final String DAEMON_PREFIX = "[daemon] ";
    private static final long READY_POLL_MS = 100;
    private static final int READY_POLLS = 300;
    private static final long STOP_TIMEOUT_S = 10;
    private static final int KEYS = 1000;

    private final Path runDir;
    private final Path driverDir;
    private final Path log;
    private final String mainClass;
    private final ToIntFunction<String[]> commands;
    private Process daemon;
    private long printedBytes;

    private Demo(final Path runDir, final Path driverDir, final String mainClass,
        final ToIntFunction<String[]> commands)
    {
        this.runDir = runDir;
        this.driverDir = driverDir;
        this.log = runDir.resolve("daemon.log");
        this.mainClass = mainClass;
        this.commands = commands;
    }

    /**
     * @param configFile the profile both the daemon and the producer run with; null for the built-in defaults.
     * @param config     that profile, loaded with the system properties over it.
     * @param rate       events per second.
     * @param seconds    how long the producer sends.
     * @param out        where everything is printed.
     * @param mainClass  the command line's main class, which the daemon's process runs ({@code daemon}).
     * @param commands   runs one command of that command line in this process (the {@code producer}), giving its
     *                   exit code.
     * @return the exit code.
     * @throws Exception when the daemon cannot be started or its log read.
     */
    public static int run(final Path configFile, final SluiceConfig config, final int rate, final int seconds,
        final PrintStream out, final String mainClass, final ToIntFunction<String[]> commands) throws Exception
    {
        final String tmp = null == System.getenv("TMPDIR") ? "/tmp" : System.getenv("TMPDIR");
        final Path runDir = Files.createTempDirectory(Paths.get(tmp), "sluice-demo.");
        final Path shm = Files.isDirectory(Paths.get("/dev/shm")) ? Paths.get("/dev/shm") : Paths.get(tmp);
        final Demo demo = new Demo(runDir, shm.resolve("sluice-demo-" + ProcessHandle.current().pid() + "-driver"),
            mainClass, commands);
        final Thread cleanup = new Thread(demo::cleanUp, "sluice-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            return demo.show(configFile, config, rate, seconds, out);
        }
        finally
        {
            demo.cleanUp();
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (final IllegalStateException ex)
            {
                // the JVM is already shutting down (Ctrl-C): the hook has cleaned up too
            }
        }
    }

    private int show(final Path configFile, final SluiceConfig config, final int rate, final int seconds,
        final PrintStream out) throws Exception
    {
        synchronized (this)
        {
            daemon = new ProcessBuilder(daemonCommand(configFile, config)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        }
        int polls = 0;
        while (polls++ < READY_POLLS && !logText().contains(READY))
        {
            if (!daemon.isAlive())
            {
                out.print(logText());
                out.println("sluice: daemon failed to start");
                return 1;
            }
            Thread.sleep(READY_POLL_MS);
        }
        printDaemonLines(out);

        int status = commands.applyAsInt(producerArgs(configFile, rate, seconds));
        out.println("[daemon counters]");
        final ByteArrayOutputStream counters = new ByteArrayOutputStream();
        try (PrintStream stat = new PrintStream(counters, true, StandardCharsets.UTF_8))
        {
            SluiceStat.print(driverDir.toString(), stat);
        }
        counters.toString(StandardCharsets.UTF_8).lines().forEach((line) -> out.println("  " + line));

        daemon.destroy();
        final int daemonStatus = daemon.waitFor();
        if (0 != daemonStatus)
        {
            status = daemonStatus;
        }
        printDaemonLines(out);
        if (Files.isDirectory(driverDir))
        {
            out.println("sluice: driver directory " + driverDir + " left behind");
            status = 1;
        }
        return status;
    }

    /**
     * @return the daemon's output so far (a character cut in half at the end is replaced, never refused).
     */
    private String logText() throws IOException
    {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    }

    private List<String> daemonCommand(final Path configFile, final SluiceConfig config)
    {
        return daemonCommand(mainClass, driverDir, configFile, config);
    }

    /**
     * @param mainClass  the command line's main class.
     * @param driverDir  the daemon's media driver directory.
     * @param configFile its configuration, or null for the built-in defaults.
     * @param config     that configuration, loaded.
     * @return the command that runs {@code daemon} in a JVM with this one's options and class path (and, unless
     * given, the direct memory the daemon needs).
     */
    static List<String> daemonCommand(
        final String mainClass, final Path driverDir, final Path configFile, final SluiceConfig config)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
            .orElse(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath()));
        final List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        command.addAll(jvmOptions);
        if (jvmOptions.stream().noneMatch((option) -> option.startsWith("-XX:MaxDirectMemorySize")))
        {
            command.add("-XX:MaxDirectMemorySize=" + DaemonContext.from(config).conclude().directMemoryBytes());
        }
        command.add("-D" + SluiceConfig.DRIVER_DIR + "=" + driverDir);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.add("daemon");
        if (null != configFile)
        {
            command.add("--config");
            command.add(configFile.toString());
        }
        return command;
    }

    private static String[] producerArgs(final Path configFile, final int rate, final int seconds)
    {
        final List<String> args = new ArrayList<>(List.of("producer"));
        if (null != configFile)
        {
            args.addAll(List.of("--config", configFile.toString()));
        }
        args.addAll(List.of("--rate", Integer.toString(rate), "--seconds", Integer.toString(seconds),
            "--keys", Integer.toString(KEYS)));
        return args.toArray(new String[0]);
    }

    /**
     * Print the daemon's whole lines not printed yet, each after {@value #DAEMON_PREFIX}.
     */
    private void printDaemonLines(final PrintStream out) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(log);
        int end = bytes.length;
        while (end > printedBytes && '\n' != bytes[end - 1] && daemon.isAlive())
        {
            end--;
        }
        final String text = new String(bytes, (int)printedBytes, end - (int)printedBytes, StandardCharsets.UTF_8);
        text.lines().forEach((line) -> out.println(DAEMON_PREFIX + line));
        printedBytes = end;
    }

    private synchronized void cleanUp()
    {
        if (null != daemon && daemon.isAlive())
        {
            daemon.destroy();
            try
            {
                if (!daemon.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS))
                {
                    daemon.destroyForcibly();
                }
            }
            catch (final InterruptedException ex)
            {
                daemon.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        delete(driverDir);
        delete(runDir);
    }

    static void delete(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
        catch (final IOException ex)
        {
            System.err.println("sluice: could not delete " + dir + ": " + ex);
        }
    }
}
