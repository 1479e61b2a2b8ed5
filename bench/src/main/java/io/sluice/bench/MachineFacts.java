package io.sluice.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What the numbers were measured on: CPU model, cores, kernel, JVM.
 */
final class MachineFacts
{
    private MachineFacts()
    {
    }

    static String describe()
    {
        final StringBuilder b = new StringBuilder();
        b.append("cpu: ").append(cpuModel()).append('\n');
        b.append("cores available to the JVM: ").append(Runtime.getRuntime().availableProcessors()).append('\n');
        b.append("kernel: ").append(command("uname", "-srm")).append('\n');
        b.append("jvm: ").append(System.getProperty("java.vm.name")).append(' ')
            .append(System.getProperty("java.runtime.version")).append('\n');
        b.append("memory: ").append(memTotal()).append('\n');
        return b.toString();
    }

    private static String cpuModel()
    {
        final Path cpuinfo = Paths.get("/proc/cpuinfo");
        try
        {
            if (Files.isReadable(cpuinfo))
            {
                for (final String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8))
                {
                    if (line.startsWith("model name"))
                    {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            }
        }
        catch (final IOException ignore)
        {
            return "unknown (cannot read /proc/cpuinfo)";
        }
        return System.getProperty("os.arch");
    }

    private static String memTotal()
    {
        try
        {
            for (final String line : Files.readAllLines(Paths.get("/proc/meminfo"), StandardCharsets.UTF_8))
            {
                if (line.startsWith("MemTotal"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException ignore)
        {
            return "unknown";
        }
        return "unknown";
    }

    private static String command(final String... command)
    {
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)))
            {
                final String line = r.readLine();
                return null == line ? "" : line.trim();
            }
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }
}
