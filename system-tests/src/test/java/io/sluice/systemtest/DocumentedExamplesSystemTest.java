package io.sluice.systemtest;

import io.aeron.Aeron;
import io.aeron.AeronVersion;
import io.sluice.client.SluiceClient;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.transport.codec.EventResultDecoder;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java examples of the docs compile and run as written, against only what an application that depends on
 * {@code io.sluice:sluice-client} gets: the client, protocol and config classes, {@code aeron-client} and Agrona; no
 * media driver, no cluster, no server. Each example is the {@code java} block after its marker line
 * ({@code <!-- example: client -->}, {@code <!-- example: resume -->}) in README.md or docs/*.md; what it must print
 * is the block after {@code <!-- output: NAME -->}; the JVM flags are the {@code java --add-opens ...} line of the
 * same document. The test compiles each example with javac, runs it in a child JVM with that class path against a
 * live daemon on the default channels (whose media driver the examples connect through), and requires exactly the
 * documented lines and exit 0. A client without the optional dependencies fails naming the one to add when asked
 * for an embedded driver or a cluster.
 */
class DocumentedExamplesSystemTest
{
    private static final Pattern EXAMPLE_MARKER = Pattern.compile("<!-- (example|output): ([^>]+?) -->");
    private static final Pattern CLASS_NAME = Pattern.compile("public\\s+(?:final\\s+)?class\\s+(\\w+)");
    private static final Pattern JVM_FLAGS = Pattern.compile("(?m)^java ((?:--add-opens[ =]\\S+\\s*)+)");
    private static final long RUN_TIMEOUT_S = 60;

    private Path workDir;

    @BeforeEach
    void createWorkDir() throws IOException
    {
        workDir = Files.createTempDirectory("sluice-doc-examples");
    }

    @AfterEach
    void deleteWorkDir()
    {
        IoUtil.delete(workDir.toFile(), true);
    }

    @Test
    @Timeout(180)
    void shouldCompileTheClientExampleAgainstTheClientArtifactAloneAndPrintTheDocumentedResult() throws Exception
    {
        final Example example = Example.find("client");
        final Path classes = compile(example.code);

        try (TestDaemon daemon = daemonOnDefaultChannels())
        {
            assertPrints(example.output("client"), run(classes, example, daemon.driverDir));
        }
    }

    @Test
    @Timeout(240)
    void shouldRunTheResumeExampleTwiceMovingAboveTheDaemonsMarkAsDocumented() throws Exception
    {
        final Example example = Example.find("resume");
        final Path classes = compile(example.code);

        try (TestDaemon daemon = daemonOnDefaultChannels())
        {
            assertPrints(example.output("resume"), run(classes, example, daemon.driverDir));
            assertPrints(example.output("resume, run 2"), run(classes, example, daemon.driverDir));
        }
    }

    @Test
    @Timeout(120)
    void shouldFailNamingTheOptionalDependencyWhenAskedForAnEmbeddedDriverOrAClusterWithoutIt() throws Exception
    {
        final Example client = Example.find("client");
        final String source = String.join("\n",
            "import io.sluice.client.SluiceClient;",
            "public final class WithoutOptionalDependencies",
            "{",
            "    public static void main(final String[] args)",
            "    {",
            "        try (SluiceClient client = SluiceClient.connect(new SluiceClient.Context().embeddedDriver(true)))",
            "        {",
            "            System.out.println(\"connected with an embedded driver\");",
            "        }",
            "        catch (final IllegalStateException ex)",
            "        {",
            "            System.out.println(ex.getMessage());",
            "        }",
            "        try (SluiceClient client = SluiceClient.connect(new SluiceClient.Context()",
            "            .aeronDirectoryName(args[0]).clusterIngressEndpoints(\"0=localhost:9002\")))",
            "        {",
            "            System.out.println(\"connected to a cluster\");",
            "        }",
            "        catch (final IllegalStateException ex)",
            "        {",
            "            System.out.println(ex.getMessage());",
            "        }",
            "    }",
            "}",
            "");
        final Example program = new Example("WithoutOptionalDependencies", source, client.document, client.text);

        final Run run = run(compile(source), program, workDir.resolve("no-driver-here").toString());

        assertPrints(List.of(
            "Context.embeddedDriver(true) needs io.sluice:sluice-driver on the class path, an optional dependency of " +
                "io.sluice:sluice-client: add it to the application's dependencies; or connect through a running " +
                "media driver with Context.aeronDirectoryName(dir) (class io.sluice.driver.EmbeddedDriver not found)",
            "Context.clusterIngressEndpoints(...) needs io.aeron:aeron-cluster on the class path, an optional " +
                "dependency of io.sluice:sluice-client: add it to the application's dependencies, version " +
                AeronVersion.VERSION + " (that of the aeron-client in use) (class " +
                "io.aeron.cluster.client.AeronCluster not found)"), run);
    }

    private static void assertPrints(final List<String> expected, final Run run)
    {
        assertEquals(0, run.exitCode, run.describe());
        assertEquals(expected, run.stdout, run.describe());
    }

    /**
     * @return a daemon on the shipped default channels (the examples use the client's defaults), in a driver
     * directory of its own that the examples are given as their argument.
     */
    private static TestDaemon daemonOnDefaultChannels()
    {
        final TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.INGRESS_CHANNEL, Settings.INGRESS_CHANNEL.defaultValue())
            .set(SluiceConfig.EGRESS_CHANNEL, Settings.EGRESS_CHANNEL.defaultValue());
        assertEquals(2, daemon.config().processorCount(), "the examples wait for two processors (egressImages(2))");
        return daemon.start();
    }

    /**
     * @return what an application depending on {@code io.sluice:sluice-client} compiles and runs against: the
     * client, protocol and config classes (directories or jars, as the build hands them to this test) and the
     * {@code aeron-client} and {@code agrona} jars, found where this test loads them from.
     */
    private static List<Path> clientClassPath()
    {
        final Path aeronClient = location(Aeron.class);
        final Path agrona = location(DirectBuffer.class);
        assertTrue(aeronClient.getFileName().toString().startsWith("aeron-client-"), aeronClient.toString());
        assertTrue(agrona.getFileName().toString().startsWith("agrona-"), agrona.toString());
        final Set<Path> path = new LinkedHashSet<>(List.of(
            location(SluiceClient.class), location(EventResultDecoder.class), location(Settings.class), aeronClient,
            agrona));
        assertEquals(5, path.size(), path.toString());
        return new ArrayList<>(path);
    }

    private static Path location(final Class<?> type)
    {
        try
        {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String joined(final List<Path> path)
    {
        return path.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    private Path compile(final String code) throws IOException
    {
        final Matcher name = CLASS_NAME.matcher(code);
        assertTrue(name.find(), "no public class in\n" + code);
        final Path sources = Files.createDirectories(workDir.resolve("src-" + name.group(1)));
        final Path classes = Files.createDirectories(workDir.resolve("classes-" + name.group(1)));
        final Path file = sources.resolve(name.group(1) + ".java");
        Files.writeString(file, code, StandardCharsets.UTF_8);

        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8))
        {
            final boolean compiled = javac.getTask(null, files, diagnostics,
                List.of("-classpath", joined(clientClassPath()), "-d", classes.toString(), "-proc:none"),
                null, files.getJavaFileObjects(file.toFile())).call();
            assertTrue(compiled, "the example does not compile against the client artifact alone: " +
                diagnostics.getDiagnostics() + "\n" + code);
        }
        return classes;
    }

    private static Run run(final Path classes, final Example example, final String driverDir) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(example.jvmFlags());
        final List<Path> path = new ArrayList<>();
        path.add(classes);
        path.addAll(clientClassPath());
        command.add("-cp");
        command.add(joined(path));
        command.add(example.className);
        command.add(driverDir);

        final Path stderr = classes.resolveSibling("stderr-" + example.className + "-" + System.nanoTime());
        final Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        final String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within " + RUN_TIMEOUT_S + " s");
        }
        return new Run(command, process.exitValue(), stdout.lines().collect(Collectors.toList()),
            Files.readString(stderr));
    }

    /** A child JVM's end: exit code, stdout lines, stderr. */
    private static final class Run
    {
        final List<String> command;
        final int exitCode;
        final List<String> stdout;
        final String stderr;

        Run(final List<String> command, final int exitCode, final List<String> stdout, final String stderr)
        {
            this.command = command;
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        String describe()
        {
            return String.join(" ", command) + "\nexit " + exitCode + "\nstdout:\n" + String.join("\n", stdout) +
                "\nstderr:\n" + stderr;
        }
    }

    /** An example as a document holds it: its code, and the document's text (for its output and JVM flags). */
    private static final class Example
    {
        final String className;
        final String code;
        final Path document;
        final String text;

        Example(final String className, final String code, final Path document, final String text)
        {
            this.className = className;
            this.code = code;
            this.document = document;
            this.text = text;
        }

        /**
         * @param name the marker's name, {@code <!-- example: NAME -->}.
         * @return the {@code java} block after it, from the one document of README.md and docs/*.md that has it.
         */
        static Example find(final String name) throws IOException
        {
            final List<Example> found = new ArrayList<>();
            for (final Path document : documents())
            {
                final String text = Files.readString(document, StandardCharsets.UTF_8);
                final String code = blockAfter(text, "example", name, "java");
                if (null != code)
                {
                    final Matcher className = CLASS_NAME.matcher(code);
                    assertTrue(className.find(), document + ": example " + name + " has no public class");
                    found.add(new Example(className.group(1), code, document, text));
                }
            }
            assertEquals(1, found.size(), "documents with <!-- example: " + name + " -->: " +
                found.stream().map((e) -> e.document.toString()).collect(Collectors.toList()));
            return found.get(0);
        }

        /**
         * @param name the marker's name, {@code <!-- output: NAME -->}, in this example's document.
         * @return the lines of the block after it.
         */
        List<String> output(final String name)
        {
            final String block = blockAfter(text, "output", name, "");
            assertTrue(null != block, document + " has no <!-- output: " + name + " -->");
            return block.lines().collect(Collectors.toList());
        }

        /**
         * @return the flags of the document's {@code java --add-opens ... ...} line.
         */
        List<String> jvmFlags()
        {
            final Matcher line = JVM_FLAGS.matcher(text);
            assertTrue(line.find(), document + " states no 'java --add-opens ...' line");
            final List<String> flags = new ArrayList<>(List.of(line.group(1).trim().split("\\s+")));
            assertFalse(flags.isEmpty());
            return flags;
        }

        private static String blockAfter(final String text, final String kind, final String name, final String info)
        {
            final Matcher marker = EXAMPLE_MARKER.matcher(text);
            while (marker.find())
            {
                if (kind.equals(marker.group(1)) && name.equals(marker.group(2).trim()))
                {
                    final String fence = "```" + info + "\n";
                    final int start = text.indexOf(fence, marker.end());
                    assertTrue(start >= 0 && text.substring(marker.end(), start).isBlank(),
                        "<!-- " + kind + ": " + name + " --> is not followed by a ```" + info + " block");
                    final int end = text.indexOf("\n```", start + fence.length() - 1);
                    assertTrue(end > 0, "<!-- " + kind + ": " + name + " --> block does not end");
                    return text.substring(start + fence.length(), end + 1);
                }
            }
            return null;
        }

        private static List<Path> documents() throws IOException
        {
            Path root = Path.of("").toAbsolutePath();
            while (null != root && !(Files.isRegularFile(root.resolve("README.md")) &&
                Files.isDirectory(root.resolve("client"))))
            {
                root = root.getParent();
            }
            assertTrue(null != root, "no checkout root (README.md beside client/) above " + Path.of("").toAbsolutePath());
            final List<Path> documents = new ArrayList<>();
            documents.add(root.resolve("README.md"));
            final Path docs = root.resolve("docs");
            if (Files.isDirectory(docs))
            {
                try (Stream<Path> files = Files.list(docs))
                {
                    files.filter((f) -> f.toString().endsWith(".md")).sorted().forEach(documents::add);
                }
            }
            return documents;
        }
    }
}
