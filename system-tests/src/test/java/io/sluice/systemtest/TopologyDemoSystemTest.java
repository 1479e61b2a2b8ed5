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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice topology-demo} as {@code ./sluice topology-demo} runs it, shortened: two appliance processes and a
 * reference daemon (fixed loopback ports 20410-20415), the routing client and the two moves in this JVM.
 * <pre>
 *   this JVM: SluiceMain topology-demo --spawn--&gt; a, b (topology), later the reference
 *             TopologyClient --UDP loopback--&gt; a, b; topology move 0-2047 a→b, b→a; SluiceClient --&gt; reference
 * </pre>
 */
class TopologyDemoSystemTest
{
    private static final Pattern EQUAL = Pattern.compile("topology-demo: per-key state of ([\\d,]+) keys: the union " +
        "of both appliances equals the reference \\(digest ([0-9a-f]{16}), reference ([0-9a-f]{16})\\)");

    @Test
    @Timeout(300)
    void shouldMoveHalfTheGroupsAndBackUnderLoadAndEndEqualToTheReference() throws IOException
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int exit;
        try
        {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            exit = SluiceMain.run(new String[]{ "topology-demo", "--rate", "5000", "--seconds", "9" });
        }
        finally
        {
            System.setOut(stdout);
        }
        final String output = bytes.toString(StandardCharsets.UTF_8);
        stdout.print(output);
        assertEquals(0, exit, output);
        final List<String> lines = output.lines().toList();
        final Matcher equal = lines.stream().map(EQUAL::matcher).filter(Matcher::matches).findFirst().orElseThrow(
            () -> new AssertionError("no equality line\n" + output));
        assertEquals(equal.group(2), equal.group(3), "the digests");
        assertTrue(Integer.parseInt(equal.group(1).replace(",", "")) > 4000, equal.group());
        assertTrue(lines.contains("topology-demo: every event applied once (a result for each, none twice)"), output);
        assertEquals(2, lines.stream().filter((line) -> line.contains("sluice topology: moved:")).count(),
            "both moves completed\n" + output);
        assertTrue(lines.stream().anyMatch((line) -> line.contains("keys, ") && line.contains("release on a: done")),
            "the move's figures are printed\n" + output);
        final Path shmDir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") :
            Path.of(null == System.getenv("TMPDIR") ? "/tmp" : System.getenv("TMPDIR"));
        final String prefix = "sluice-topology-demo-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> shm = Files.list(shmDir))
        {
            assertTrue(shm.noneMatch((dir) -> dir.getFileName().toString().startsWith(prefix)), prefix);
        }
    }
}
