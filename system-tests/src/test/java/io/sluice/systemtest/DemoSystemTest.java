package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice demo} as {@code ./sluice demo} runs it, shortened: the daemon process on config/demo.properties
 * (its fixed loopback ports 20120 and 20121), the producer command in this JVM, the counters, a graceful stop.
 * <pre>
 *   this JVM: SluiceMain demo --spawn--&gt; java ... SluiceMain daemon --config demo.properties
 *             producer (in process) --UDP loopback--&gt; daemon --egress--&gt; producer
 * </pre>
 */
class DemoSystemTest
{
    private static final Path DEMO_PROFILE = Path.of("../config/demo.properties");

    @Test
    @Timeout(120)
    void shouldRunTheDaemonAndTheProducerPrintTheCountersAndLeaveNothingBehind() throws IOException
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int exit;
        try
        {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            exit = SluiceMain.run(new String[]{"demo", "--config", DEMO_PROFILE.toString(), "--rate", "2000",
                "--seconds", "3"});
        }
        finally
        {
            System.setOut(stdout);
        }
        final String output = bytes.toString(StandardCharsets.UTF_8);
        stdout.print(output);
        assertEquals(0, exit, output);
        final List<String> lines = output.lines().toList();
        final int ready = lines.indexOf("[daemon] sluice: ready");
        final int done = lines.indexOf("producer: done: 6,000 sent, 5,997 results, 3 rejected, every event answered");
        final int counters = lines.indexOf("[daemon counters]");
        final int draining = lines.indexOf("[daemon] sluice: SIGTERM received, draining");
        final int stopped = lines.size() - 1;
        assertTrue(lines.get(stopped).matches("\\[daemon] sluice: stopped after accepting 600[0-9] input\\(s\\)"),
            lines.get(stopped));
        assertTrue(lines.get(0).startsWith("[daemon] sluice ") && lines.get(0).endsWith(" starting"), lines.get(0));
        assertTrue(0 < ready && ready < done && done < counters && counters < draining && draining < stopped,
            output);
        assertTrue(lines.get(counters + 1).startsWith("  id    type"), lines.get(counters + 1));
        assertEquals(1, lines.stream().filter("[daemon] sluice: ready"::equals).count(), "each daemon line once");
        assertFalse(output.contains("\u001b"), "no terminal escape codes");
        final Path shmDir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") :
            Path.of(null == System.getenv("TMPDIR") ? "/tmp" : System.getenv("TMPDIR"));
        try (Stream<Path> shm = Files.list(shmDir))
        {
            final String driverDir = "sluice-demo-" + ProcessHandle.current().pid() + "-driver";
            assertTrue(shm.noneMatch((dir) -> dir.getFileName().toString().equals(driverDir)), driverDir);
        }
    }
}
