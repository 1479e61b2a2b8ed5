package io.sluice.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The release archive as an operator gets it: its listing, and a daemon started, read and stopped from it after
 * unpacking it into an empty directory, with nothing on the PATH but a Java runtime and a few shell tools.
 * <pre>
 *   dist/target/sluice-VERSION.tar.gz --tar x--&gt; TMP/sluice-VERSION/
 *   PATH = dist/target/jre/bin (jlink: JRE_MODULES, no javac) : TMP/tools (bash, sed, ... as symlinks; no mvn)
 *   bin/sluice daemon --config config/small-host.properties -D(driver dir in TMP, free loopback UDP ports)
 *       "sluice: ready"
 *   bin/sluice stat   --CnC file in TMP/driver--&gt; every traffic counter present and 0
 *   SIGTERM           --&gt; exit 0, TMP/driver gone
 * </pre>
 * and, where systemd-analyze is installed, the unit's verification with /opt/sluice replaced by the unpacked copy.
 * The daemon's UDP ports are free loopback ports found when the test runs, as the other daemon system tests find
 * theirs.
 */
class DistributionSystemTest
{
    /**
     * What a Java runtime needs to run Sluice (docs/operations.md, "Install from the distribution"): {@code jdeps} over
     * lib/*.jar, less java.compiler (Aeron's annotation processor, Agrona's code generation: build time only) and
     * java.desktop (JNA's AWT window helpers, never called; pinning through JNA works without it), plus
     * jdk.httpserver for the Prometheus endpoint. java.management and jdk.management: the pre-flight check reads
     * the direct memory limit, the counters the GC.
     */
    static final List<String> JRE_MODULES = List.of(
        "java.base", "java.logging", "java.management", "jdk.management", "jdk.unsupported", "jdk.httpserver");

    /** Every external command bin/sluice runs besides java (bash through its #! line). */
    static final List<String> LAUNCHER_TOOLS = List.of(
        "bash", "readlink", "nice", "grep", "sed", "mktemp", "seq", "sleep", "rm", "cat", "tail", "cut");

    private static final long JLINK_TIMEOUT_S = 180;
    private static final long COMMAND_TIMEOUT_S = 60;
    private static final long READY_TIMEOUT_S = 60;
    private static final long STOP_TIMEOUT_S = 30;

    private static final List<String> REJECT_REASONS = List.of(
        "TRUNCATED", "WRONG_SCHEMA", "UNSUPPORTED_VERSION", "UNKNOWN_TEMPLATE", "BAD_BLOCK_LENGTH", "INVALID_VALUE",
        "TIMESTAMP_OUT_OF_RANGE", "STATE_FULL", "LATE", "DUPLICATE", "CLIENTS_FULL", "RESUME_REQUIRED",
        "BATCH_TOO_LARGE", "BATCH_MALFORMED");

    private static final Pattern METRICS_URL =
        Pattern.compile("  metrics   (http://localhost:\\d+/metrics) \\(Prometheus, exporter process \\d+\\)");
    private static final Pattern STAT_LINE = Pattern.compile("^(\\d+)\\s+(\\d+)\\s+(\\S+)  (.+)$");

    private static final Path TARBALL = Path.of(System.getProperty("sluice.dist.tarball"));
    private static final String NAME = System.getProperty("sluice.dist.name");
    private static final String VERSION = System.getProperty("sluice.dist.version");
    private static final Path JRE = Path.of(System.getProperty("sluice.dist.jre"));
    private static final Path GRAFANA = Path.of(System.getProperty("sluice.dist.grafana"));
    private static final Path ROOT = Path.of(System.getProperty("sluice.dist.root")).normalize();

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildJavaRuntime() throws Exception
    {
        final Path marker = JRE.resolve("sluice-jre-modules");
        final String wanted = String.join(",", JRE_MODULES) + " " + System.getProperty("java.version") + "\n";
        if (Files.isRegularFile(marker) && wanted.equals(Files.readString(marker)))
        {
            return;
        }
        deleteTree(JRE);
        final Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        assertTrue(Files.isExecutable(jlink), "the build's Java is a JDK with jlink: " + jlink);
        final Path log = Files.createTempFile("sluice-jlink", ".log");
        try
        {
            final int exit = run(null, null, log, JLINK_TIMEOUT_S, jlink.toString(),
                "--add-modules", String.join(",", JRE_MODULES), "--output", JRE.toString(),
                "--no-header-files", "--no-man-pages", "--strip-debug");
            assertEquals(0, exit, () -> "jlink: " + read(log));
        }
        finally
        {
            Files.deleteIfExists(log);
        }
        Files.writeString(marker, wanted);
    }

    @Test
    void shouldHoldExactlyTheLauncherJarsProfilesSchemaReadmeAndUnit() throws Exception
    {
        final Path listing = tmp.resolve("listing.txt");
        assertEquals(0, run(null, null, listing, COMMAND_TIMEOUT_S, "tar", "-tvzf", TARBALL.toString()),
            () -> read(listing));

        final Map<String, String> modes = new TreeMap<>();
        for (final String line : Files.readAllLines(listing))
        {
            final String[] fields = line.trim().split("\\s+", 6);
            final String name = fields[5];
            assertTrue(name.startsWith(NAME + "/"), "every entry is under " + NAME + "/: " + name);
            if (!name.endsWith("/"))
            {
                modes.put(name.substring(NAME.length() + 1), fields[0]);
            }
        }

        final Set<String> expectedTop = new TreeSet<>(
            Set.of("bin", "lib", "config", "schema", "docs", "README.md", "sluice.service"));
        final Set<String> dashboards = namesIn(GRAFANA, ".json");
        if (!dashboards.isEmpty())
        {
            expectedTop.add("grafana");
        }
        try (Stream<Path> files = Files.list(ROOT))
        {
            files.map((file) -> file.getFileName().toString()).filter((name) -> name.startsWith("LICENSE"))
                .forEach(expectedTop::add);
        }
        assertEquals(expectedTop, modes.keySet().stream().map((name) -> name.split("/")[0])
            .collect(Collectors.toCollection(TreeSet::new)));

        assertEquals(Set.of("sluice"), entriesUnder(modes, "bin"));
        assertEquals(namesIn(ROOT.resolve("docs"), ".md"), entriesUnder(modes, "docs"));
        assertEquals("-rwxr-xr-x", modes.get("bin/sluice"));
        assertEquals(Set.of("sluice-schema.xml"), entriesUnder(modes, "schema"));
        assertEquals(namesIn(ROOT.resolve("config"), ".properties"), entriesUnder(modes, "config"));
        assertEquals(dashboards, entriesUnder(modes, "grafana"));

        final Set<String> lib = entriesUnder(modes, "lib");
        for (final String jar : List.of("sluice-tools-" + VERSION + ".jar", "sluice-server-" + VERSION + ".jar",
            "sluice-client-" + VERSION + ".jar", "sluice-protocol-" + VERSION + ".jar", "sluice-driver-" + VERSION + ".jar",
            "sluice-core-" + VERSION + ".jar",
            "sluice-config-" + VERSION + ".jar", "aeron-client-1.51.0.jar", "aeron-driver-1.51.0.jar",
            "aeron-archive-1.51.0.jar", "aeron-cluster-1.51.0.jar", "agrona-2.6.0.jar", "disruptor-4.0.0.jar",
            "HdrHistogram-2.2.2.jar"))
        {
            assertTrue(lib.contains(jar), jar + " in lib/: " + lib);
        }
        for (final String jar : lib)
        {
            assertTrue(jar.endsWith(".jar"), jar);
            assertFalse(jar.matches("(?i).*(junit|jmh|opentest4j|apiguardian|sbe-tool|sluice-bench|-all\\.jar).*"),
                "no test, benchmark, build-time or shaded jar in lib/: " + jar);
        }
        modes.forEach((name, mode) -> assertEquals(name.equals("bin/sluice") ? "-rwxr-xr-x" : "-rw-r--r--", mode,
            name));
    }

    @Test
    void shouldStartReadAndStopTheDaemonFromTheUnpackedArchiveWithOnlyAJavaRuntime() throws Exception
    {
        final Path home = unpack();
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(
            home.resolve("bin/sluice"))));
        assertEquals(-1L, Files.mismatch(ROOT.resolve("sluice"), home.resolve("bin/sluice")),
            "bin/sluice is the repository's launcher");
        assertEquals(-1L, Files.mismatch(ROOT.resolve("protocol/src/main/resources/sbe/sluice-schema.xml"),
            home.resolve("schema/sluice-schema.xml")));

        final Path tools = Files.createDirectory(tmp.resolve("tools"));
        try
        {
            runFromTheArchive(home, javaRuntimeOnly(tools));
        }
        finally
        {
            deleteTree(tools);
        }
    }

    private void runFromTheArchive(final Path home, final Map<String, String> env) throws Exception
    {
        final Path probe = tmp.resolve("probe.txt");
        assertEquals(1, run(home, env, probe, COMMAND_TIMEOUT_S, "bash", "-c", "command -v mvn"), () -> read(probe));
        assertEquals(1, run(home, env, probe, COMMAND_TIMEOUT_S, "bash", "-c", "command -v javac"), () -> read(probe));
        assertEquals(0, run(home, env, probe, COMMAND_TIMEOUT_S, "bash", "-c", "command -v java"));
        assertEquals(JRE.resolve("bin/java") + "\n", read(probe));

        final Path driverDir = tmp.resolve("driver");
        final List<String> overrides = List.of(
            "-Dsluice.driver.dir=" + driverDir,
            "-Dsluice.ingress.channel=aeron:udp?endpoint=localhost:" + freeUdpPort(),
            "-Dsluice.egress.channel=aeron:udp?control=localhost:" + freeUdpPort() +
                "|control-mode=dynamic|fc=min,t:5s");
        final List<String> daemonCommand = new ArrayList<>(List.of(
            home.resolve("bin/sluice").toString(), "daemon", "--config", "config/small-host.properties"));
        daemonCommand.addAll(overrides);
        daemonCommand.add("-Dsluice.metrics.endpoint=localhost:0");
        final Path daemonLog = tmp.resolve("daemon.log");
        final Process daemon = start(home, env, daemonLog, daemonCommand);
        try
        {
            awaitLine(daemon, daemonLog, "sluice: ready");
            final String log = read(daemonLog);
            assertTrue(log.startsWith("sluice " + VERSION + " starting\n"), log);
            assertTrue(log.contains("  driver    embedded, invoker, dir " + driverDir + "\n"), log);

            final List<String> statCommand = new ArrayList<>(List.of(
                home.resolve("bin/sluice").toString(), "stat", "--config", "config/small-host.properties"));
            statCommand.addAll(overrides);
            final Path stat = tmp.resolve("stat.txt");
            assertEquals(0, run(home, env, stat, COMMAND_TIMEOUT_S, statCommand.toArray(new String[0])),
                () -> read(stat));
            assertStatShowsAnIdleDaemon(Files.readAllLines(stat));
            statCommand.add("--json");
            assertEquals(0, run(home, env, stat, COMMAND_TIMEOUT_S, statCommand.toArray(new String[0])),
                () -> read(stat));
            final JsonNode json = new ObjectMapper().readTree(read(stat));
            assertEquals(driverDir.toString(), json.get("driver_dir").asText());
            assertEquals(0L, json.get("totals").get("ingress_received").asLong(), json::toString);
            assertTrue(json.get("counters").size() >= 40, json::toString);
            assertMetricsServed(log);

            daemon.destroy();
            assertTrue(daemon.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS),
                () -> "stopped on SIGTERM: " + read(daemonLog));
            assertEquals(0, daemon.exitValue(), () -> read(daemonLog));
            final String stopped = read(daemonLog);
            assertTrue(stopped.endsWith(
                "sluice: SIGTERM received, draining\nsluice: stopped after accepting 0 input(s)\n"), stopped);
            assertFalse(Files.exists(driverDir), "the embedded driver's directory is deleted: " + driverDir);
        }
        finally
        {
            if (daemon.isAlive())
            {
                daemon.descendants().forEach(ProcessHandle::destroyForcibly);
                daemon.destroyForcibly();
                daemon.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void shouldPassSystemdVerificationWithTheInstallPrefixPointingAtTheUnpackedArchive() throws Exception
    {
        final Path probe = tmp.resolve("probe.txt");
        assumeTrue(0 == run(null, null, probe, COMMAND_TIMEOUT_S, "bash", "-c", "command -v systemd-analyze"),
            "systemd-analyze is not installed");
        final Path home = unpack();
        final Path unit = tmp.resolve("sluice.service");
        Files.writeString(unit,
            Files.readString(home.resolve("sluice.service")).replace("/opt/sluice", home.toString()));
        final Path verify = tmp.resolve("verify.txt");
        assertEquals(0, run(null, null, verify, COMMAND_TIMEOUT_S, "systemd-analyze", "verify", unit.toString()),
            () -> read(verify));
    }

    private Path unpack() throws IOException, InterruptedException
    {
        final Path unpacked = Files.createDirectory(tmp.resolve("install"));
        final Path untarLog = tmp.resolve("untar.log");
        assertEquals(0, run(null, null, untarLog, COMMAND_TIMEOUT_S, "tar", "-xzf", TARBALL.toString(), "-C",
            unpacked.toString()), () -> read(untarLog));
        return unpacked.resolve(NAME);
    }

    /**
     * @return a loopback UDP port free a moment ago, so two builds on one host do not collide.
     */
    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * The metrics exporter process runs on the slim runtime (its HTTP server is the JDK's jdk.httpserver module; the
     * daemon's JVM counters need java.management and jdk.management): scrape it once.
     */
    private static void assertMetricsServed(final String log) throws Exception
    {
        final Matcher url = METRICS_URL.matcher(log);
        assertTrue(url.find(), log);
        final HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(url.group(1))).timeout(Duration.ofSeconds(COMMAND_TIMEOUT_S)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        final List<String> lines = List.of(response.body().split("\n"));
        assertTrue(lines.contains("sluice_ingress_received_total 0.0"), response.body());
        assertTrue(lines.contains("sluice_rejected_total{reason=\"INVALID_VALUE\"} 0.0"), response.body());
        assertTrue(lines.contains("sluice_latency_seconds_count{shard=\"1\"} 0"), response.body());
        assertTrue(lines.stream().anyMatch((line) -> line.startsWith("jvm_threads_current ")), response.body());
        assertTrue(lines.stream().anyMatch((line) -> line.startsWith("jvm_memory_used_bytes{area=\"heap\"} ")),
            response.body());
        assertTrue(lines.contains("sluice_driver_up 1.0"), response.body());
    }

    private static void assertStatShowsAnIdleDaemon(final List<String> lines)
    {
        assertEquals(String.format("%-5s %-6s %20s  %s", "id", "type", "value", "label"), lines.get(0));
        final Map<String, String> typeAndValueByLabel = new HashMap<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            final Matcher matcher = STAT_LINE.matcher(line);
            assertTrue(matcher.matches(), line);
            typeAndValueByLabel.put(matcher.group(4), matcher.group(2) + " " + matcher.group(3));
        }
        final Map<String, String> expected = new TreeMap<>();
        expected.put("sluice ingress received", "1001 0");
        expected.put("sluice ingress accepted", "1002 0");
        REJECT_REASONS.forEach((reason) -> expected.put("sluice rejected " + reason, "1003 0"));
        expected.put("sluice ingress ring-full back-pressure", "1004 0");
        expected.put("sluice errors", "1010 0");
        expected.put("sluice ingress ticks", "1018 0");
        expected.put("sluice ingress batches", "1030 0");
        for (int shard = 0; shard < 2; shard++)
        {
            expected.put("sluice processor " + shard + " processed", "1005 0");
            expected.put("sluice processor " + shard + " state-full", "1008 0");
            expected.put("sluice processor " + shard + " live-keys", "1009 0");
            expected.put("sluice processor " + shard + " late", "1014 0");
            expected.put("sluice processor " + shard + " windows-closed", "1015 0");
            expected.put("sluice processor " + shard + " evictions", "1016 0");
            expected.put("sluice processor " + shard + " alerts-fired", "1017 0");
            expected.put("sluice egress " + shard + " back-pressure", "1006 0");
            expected.put("sluice egress " + shard + " not-connected", "1007 0");
            expected.put("sluice egress " + shard + " dropped", "1011 0");
        }
        final Map<String, String> actual = new TreeMap<>();
        expected.keySet().forEach((label) -> actual.put(label, typeAndValueByLabel.get(label)));
        assertEquals(expected, actual, () -> String.join("\n", lines));
    }

    /**
     * An environment whose PATH holds the jlinked runtime's bin and symlinks to the launcher's shell tools only.
     */
    private static Map<String, String> javaRuntimeOnly(final Path tools) throws IOException
    {
        for (final String tool : LAUNCHER_TOOLS)
        {
            Files.createSymbolicLink(tools.resolve(tool), onPath(tool));
        }
        final Map<String, String> env = new HashMap<>();
        env.put("PATH", JRE.resolve("bin") + File.pathSeparator + tools);
        return env;
    }

    private static Path onPath(final String tool)
    {
        for (final String dir : System.getenv("PATH").split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return fail("the launcher's tool " + tool + " is not on this test's PATH");
    }

    private static Set<String> namesIn(final Path dir, final String suffix) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map((file) -> file.getFileName().toString()).filter((name) -> name.endsWith(suffix))
                .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Set<String> entriesUnder(final Map<String, String> modes, final String dir)
    {
        return modes.keySet().stream().filter((name) -> name.startsWith(dir + "/"))
            .map((name) -> name.substring(dir.length() + 1)).collect(Collectors.toCollection(TreeSet::new));
    }

    private static void awaitLine(final Process process, final Path log, final String line) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_S);
        while (!read(log).contains(line + "\n"))
        {
            if (!process.isAlive())
            {
                fail("exited " + process.exitValue() + " before '" + line + "':\n" + read(log));
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("no '" + line + "' within " + READY_TIMEOUT_S + " s:\n" + read(log));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static Process start(final Path dir, final Map<String, String> env, final Path output,
        final List<String> command) throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(output.toFile());
        if (null != dir)
        {
            builder.directory(dir.toFile());
        }
        if (null != env)
        {
            builder.environment().clear();
            builder.environment().putAll(env);
        }
        return builder.start();
    }

    /**
     * Run a command to its end (bounded), its output (stdout and stderr) to a file.
     *
     * @return its exit code.
     */
    private static int run(final Path dir, final Map<String, String> env, final Path output, final long timeoutS,
        final String... command) throws IOException, InterruptedException
    {
        final Process process = start(dir, env, output, Arrays.asList(command));
        if (!process.waitFor(timeoutS, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(timeoutS, TimeUnit.SECONDS);
            fail(String.join(" ", command) + " did not end within " + timeoutS + " s:\n" + read(output));
        }
        return process.exitValue();
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList()))
            {
                Files.delete(path);
            }
        }
    }
}
