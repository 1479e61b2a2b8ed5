package io.sluice.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server (the daemon or the echo) in its own process, as in production: started, awaited until it prints its
 * ready line, stopped with SIGTERM.
 */
final class ServerProcess implements AutoCloseable
{
    private final Process process;
    private final Path log;

    private ServerProcess(final Process process, final Path log)
    {
        this.process = process;
        this.log = log;
    }

    static ServerProcess start(final List<String> command, final Path log, final String readyLine) throws IOException
    {
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(readyLine))
            {
                return new ServerProcess(process, log);
            }
            if (!process.isAlive())
            {
                break;
            }
            sleep(50);
        }
        process.destroyForcibly();
        throw new IOException("server did not become ready: " + command + "\n" + Files.readString(log));
    }

    long pid()
    {
        return process.pid();
    }

    String output() throws IOException
    {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /**
     * Wait until the process exits by itself.
     *
     * @param timeoutMs longest wait.
     * @return true when it exited in time.
     */
    boolean awaitExit(final long timeoutMs)
    {
        try
        {
            return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Kill the server with SIGKILL (no graceful stop, no last snapshot) and wait until it is gone.
     */
    void kill()
    {
        process.destroyForcibly();
        try
        {
            process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    public void close() throws IOException
    {
        process.destroy();
        try
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    static List<String> javaCommand(final String... rest)
    {
        final String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        final List<String> command = new java.util.ArrayList<>(List.of(java,
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-XX:+UseParallelGC", "-Xms256m", "-Xmx256m",
            "-Dagrona.disable.bounds.checks=" + System.getProperty("agrona.disable.bounds.checks", "false")));
        command.addAll(List.of(rest));
        return command;
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
