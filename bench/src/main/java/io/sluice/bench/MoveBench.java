package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.client.TopologyClient;
import io.sluice.config.SluiceConfig;
import io.sluice.tools.SluiceMain;
import io.sluice.tools.topology.TopologyMove;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of moving key groups between two appliances (issue 24), with the daemons as processes as in production:
 * two appliances a and b (journal on, topology mode, {@code config/small-host.properties}: one shared thread each,
 * backoff idle), started from a topology file where b's half is first moved to a (empty), so a owns all 4096 key
 * groups. For each key count and state kind:
 * <ol>
 *     <li>K events, one per key, through the routing client into a;</li>
 *     <li>{@code --moves} moves of groups 0-2047 a&rarr;b and back with {@link TopologyMove} (what
 *     {@code sluice topology move} runs), each step's keys, slice bytes, journal position and time in the daemon
 *     as the daemon answered it, and the time the groups were not served: from sending the release to the
 *     acquire's answer;</li>
 * </ol>
 * then, with the first key count's appliances:
 * <ol>
 *     <li>{@code --latency}: round trips through the routing client at {@code --rate} for {@code --seconds}
 *     without moves, then with a move every second (on a thread of its own), for the client's default topology
 *     re-read interval (100 ms) and for 1 ms;</li>
 *     <li>{@code --routing}: routing cost on one appliance (a owns every group): the same fixed rate through the
 *     routing client and a direct {@link SluiceClient} to a, alternating, same appliances.</li>
 * </ol>
 * Figures only: nothing here asserts a time.
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar io.sluice.bench.MoveBench [--keys 10k,100k,1m] [--windows]
 * [--moves 3] [--latency] [--routing] [--rate 10k] [--seconds 10] [--home .]}: {@code --latency} and
 * {@code --routing} run with the first key count's appliances, after its moves.
 */
public final class MoveBench
{
    static final long T0 = 1_700_000_000_000_000_000L;
    private static final long STEP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);
    private static final String HALF = "0-2047";
    private static final Pattern STEP = Pattern.compile("(release|acquire) on (\\w+): done at epoch (\\d+), (\\d+) " +
        "keys, (\\d+) bytes, journal position (\\d+), ([0-9.]+) ms in the daemon, ([0-9.]+) ms round trip");
    private static final Pattern UNSERVED = Pattern.compile("not served for ([0-9.]+) ms");

    private MoveBench()
    {
    }

    /**
     * One move as {@link TopologyMove} reported it.
     *
     * @param to             the target.
     * @param keys           keys released (= acquired).
     * @param releaseBytes   slice bytes the release wrote.
     * @param releaseMs      the release's time in the source daemon.
     * @param releaseTripMs  the release's round trip seen by the tool.
     * @param acquireMs      the acquire's time in the target daemon.
     * @param acquireTripMs  the acquire's round trip seen by the tool.
     * @param unservedMs     release sent to acquire answered.
     * @param wallMs         the whole move in the tool, with reading and writing the file.
     */
    record Move(String to, long keys, long releaseBytes, double releaseMs, double releaseTripMs, double acquireMs,
        double acquireTripMs, double unservedMs, double wallMs)
    {
        String row()
        {
            return String.format(Locale.ROOT, "| %s | %,d | %,d | %.2f | %.2f | %.2f | %.2f | **%.2f** | %.2f |",
                "a".equals(to) ? "b->a" : "a->b", keys, releaseBytes, releaseMs, releaseTripMs, acquireMs,
                acquireTripMs, unservedMs, wallMs);
        }
    }

    /**
     * @param args see the class comment.
     * @throws Exception when a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        String keysArg = "10k,100k,1m";
        boolean windows = false;
        boolean latency = false;
        boolean routing = false;
        int moves = 3;
        long rate = 10_000;
        int seconds = 10;
        Path home = Paths.get(".");
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--keys" -> keysArg = args[++i];
                case "--windows" -> windows = true;
                case "--latency" -> latency = true;
                case "--routing" -> routing = true;
                case "--moves" -> moves = Integer.parseInt(args[++i]);
                case "--rate" -> rate = LatencyBench.Options.parseCount(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--home" -> home = Paths.get(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --keys " +
                    "10k,100k,1m --windows --moves N --latency --routing --rate N --seconds N --home DIR");
            }
        }
        System.out.print(MachineFacts.describe());
        System.out.printf(Locale.ROOT, "MoveBench: %s, %d moves of groups %s per key count, %s%n",
            String.join(" ", args), moves, HALF, windows ? "1 s tumbling windows (every window open at the move)" :
            "running aggregates");
        boolean first = true;
        for (final String keyText : keysArg.split(","))
        {
            final int keys = (int)LatencyBench.Options.parseCount(keyText);
            final Path dir = Files.createTempDirectory("sluice-move-bench-");
            try (Appliances pair = Appliances.start(home, dir, keys, windows))
            {
                runMoves(pair, keys, moves);
                if (latency && first)
                {
                    runLatency(pair, keys, rate, seconds);
                }
                if (routing && first)
                {
                    runRoutingCost(pair, keys, rate, seconds);
                }
            }
            finally
            {
                IoUtil.delete(dir.toFile(), true);
            }
            first = false;
        }
    }

    private static void runMoves(final Appliances pair, final int keys, final int moves) throws IOException
    {
        final MoveLoad load = new MoveLoad(T0);
        try (TopologyClient client = pair.client(64, TimeUnit.MILLISECONDS.toNanos(100)))
        {
            final MoveLoad.Run loaded = load.load(MoveLoad.Link.of(client), keys, TimeUnit.SECONDS.toNanos(120));
            System.out.printf(Locale.ROOT, "%n%,d keys loaded into a through the routing client: %,d answered, " +
                "%,d rejected, %,.0f events/s%n", keys, loaded.answered(), loaded.rejected(), loaded.perSecond());
        }
        System.out.println("| move | keys | slice bytes | release in a/b daemon ms | release round trip ms | " +
            "acquire in daemon ms | acquire round trip ms | not served ms | whole move ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < 2 * moves; i++)
        {
            System.out.println(pair.move(0 == (i & 1) ? "b" : "a").row());
        }
    }

    private static void runLatency(final Appliances pair, final int keys, final long rate, final int seconds)
        throws Exception
    {
        System.out.printf(Locale.ROOT, "%nround trips through the routing client, %,d events/s open-loop, %d s each, " +
            "keys uniform over %,d (a owns every group when no move runs)%n", rate, seconds, keys);
        System.out.println("| client topology re-read | moves | events | round trip | moves made | not served ms " +
            "(each move) |");
        System.out.println("|---|---|---:|---|---:|---|");
        for (final long retryNs : new long[]{ TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.MILLISECONDS.toNanos(1) })
        {
            final MoveLoad load = new MoveLoad(T0);
            try (TopologyClient client = pair.client(1, retryNs))
            {
                final MoveLoad.Link link = MoveLoad.Link.of(client);
                load.fixedRate(link, rate, 3, keys);
                final MoveLoad.Run quiet = load.fixedRate(link, rate, seconds, keys);
                final List<Move> made = new ArrayList<>();
                final Thread mover = new Thread(() -> pair.moveEverySecond(seconds, made), "move-bench-mover");
                mover.start();
                final MoveLoad.Run moving = load.fixedRate(link, rate, seconds, keys);
                mover.join();
                if (made.size() % 2 == 1)
                {
                    made.add(pair.move("a"));
                }
                final String retry = TimeUnit.NANOSECONDS.toMillis(retryNs) + " ms" + (retryNs ==
                    TimeUnit.MILLISECONDS.toNanos(100) ? " (default)" : "");
                System.out.printf(Locale.ROOT, "| %s | none | %,d | %s | 0 | |%n", retry, quiet.answered(),
                    quiet.latency());
                final StringBuilder unserved = new StringBuilder();
                for (final Move m : made)
                {
                    unserved.append(unserved.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f",
                        m.unservedMs()));
                }
                System.out.printf(Locale.ROOT, "| %s | every second | %,d | %s | %d | %s |%n", retry,
                    moving.answered(), moving.latency(), made.size(), unserved);
                System.out.printf(Locale.ROOT, "(routing client: %d NOT_OWNER re-routes at a, %d at b, %d topology " +
                    "re-reads, %d rejected)%n", client.notOwnerReroutes(0), client.notOwnerReroutes(1),
                    client.topologyReloads(), quiet.rejected() + moving.rejected());
            }
        }
    }

    private static void runRoutingCost(final Appliances pair, final int keys, final long rate, final int seconds)
    {
        System.out.printf(Locale.ROOT, "%nrouting cost on one appliance (a owns all 4096 groups): routing client " +
            "against a direct client to a, alternating, same appliances%n");
        System.out.println("| run | client | events | round trip |");
        System.out.println("|---|---|---:|---|");
        final MoveLoad load = new MoveLoad(T0);
        final Histogram[] fixed = { new Histogram(3), new Histogram(3) };
        final String[] names = { "direct SluiceClient", "routing TopologyClient" };
        try (SluiceClient direct = pair.direct(1); TopologyClient routed = pair.client(1, 100_000_000L))
        {
            final MoveLoad.Link[] links = { MoveLoad.Link.of(direct), MoveLoad.Link.of(routed) };
            load.companion(links[1]).fixedRate(links[0], rate, 2, keys);
            load.companion(links[0]).fixedRate(links[1], rate, 2, keys);
            for (int round = 1; round <= 2; round++)
            {
                for (int c = 0; c < 2; c++)
                {
                    load.companion(links[1 - c]);
                    final MoveLoad.Run run = load.fixedRate(links[c], rate, seconds / 2, keys);
                    fixed[c].add(run.histogram());
                    System.out.printf(Locale.ROOT, "| %d | %s at %,d/s | %,d | %s |%n", round, names[c], rate,
                        run.answered(), run.latency());
                }
            }
        }
        System.out.printf(Locale.ROOT, "both rounds at %,d/s: direct p50 %s p99 %s; routing p50 %s p99 %s " +
            "(routing/direct p50 %.3f, p99 %.3f)%n", rate, micros(fixed[0].getValueAtPercentile(50)),
            micros(fixed[0].getValueAtPercentile(99)), micros(fixed[1].getValueAtPercentile(50)),
            micros(fixed[1].getValueAtPercentile(99)),
            (double)fixed[1].getValueAtPercentile(50) / fixed[0].getValueAtPercentile(50),
            (double)fixed[1].getValueAtPercentile(99) / fixed[0].getValueAtPercentile(99));
    }

    static String micros(final long ns)
    {
        return ns >= 10_000_000 ? String.format(Locale.ROOT, "%.1f ms", ns / 1e6) :
            String.format(Locale.ROOT, "%.0f us", ns / 1e3);
    }

    /**
     * The two appliances, their topology file and the moves between them.
     */
    static final class Appliances implements AutoCloseable
    {
        private final Path file;
        private final SluiceConfig configA;
        private final ServerProcess a;
        private final ServerProcess b;

        private Appliances(final Path file, final SluiceConfig configA, final ServerProcess a, final ServerProcess b)
        {
            this.file = file;
            this.configA = configA;
            this.a = a;
            this.b = b;
        }

        static Appliances start(final Path home, final Path dir, final int keys, final boolean windows)
            throws IOException
        {
            final Path file = dir.resolve("topology.properties");
            final Path config = home.resolve("config/small-host.properties").toAbsolutePath();
            final String jar = home.resolve("tools/target/sluice-tools-0.1.0-SNAPSHOT-all.jar").toAbsolutePath()
                .toString();
            // each processor holds up to every key (a owns all, 2 processors: about keys / 2 each), as a power of 2
            final int capacity = Integer.highestOneBit(Math.max(1024, keys / 2 + keys / 16) * 2 - 1);
            final String[] names = { "a", "b" };
            final String[] specs = new String[2];
            final List<List<String>> commands = new ArrayList<>();
            SluiceConfig configA = null;
            for (int i = 0; i < 2; i++)
            {
                final String ingress = "aeron:udp?endpoint=localhost:" + LatencyBench.freeUdpPort();
                final String egress = "aeron:udp?control=localhost:" + LatencyBench.freeUdpPort() +
                    "|control-mode=dynamic|fc=min,t:5s";
                final String driverDir = LatencyBench.shmDir("sluice-move-bench-" + names[i]);
                specs[i] = names[i] + ":ingress=" + ingress + ";egress=" + egress + ";aeron-dir=" + driverDir;
                final List<String> options = new ArrayList<>(List.of("-XX:MaxDirectMemorySize=4g",
                    "-D" + SluiceConfig.DRIVER_DIR + "=" + driverDir,
                    "-D" + SluiceConfig.INGRESS_CHANNEL + "=" + ingress,
                    "-D" + SluiceConfig.EGRESS_CHANNEL + "=" + egress,
                    "-D" + SluiceConfig.TOPOLOGY_FILE + "=" + file,
                    "-D" + SluiceConfig.TOPOLOGY_APPLIANCE + "=" + names[i],
                    "-D" + SluiceConfig.JOURNAL_MODE + "=async",
                    "-D" + SluiceConfig.JOURNAL_DIR + "=" + dir.resolve("journal-" + names[i]),
                    "-D" + SluiceConfig.STATE_CAPACITY + "=" + capacity));
                if (windows)
                {
                    options.add("-D" + SluiceConfig.WINDOW_TYPE + "=tumbling");
                    options.add("-D" + SluiceConfig.WINDOW_SIZE + "=1s");
                }
                options.addAll(List.of("-jar", jar, "daemon", "--config", config.toString()));
                commands.add(options);
                if (0 == i)
                {
                    final java.util.Properties overrides = new java.util.Properties();
                    overrides.setProperty(SluiceConfig.INGRESS_CHANNEL, ingress);
                    overrides.setProperty(SluiceConfig.EGRESS_CHANNEL, egress);
                    overrides.setProperty(SluiceConfig.DRIVER_DIR, driverDir);
                    configA = SluiceConfig.load(config, overrides);
                }
            }
            final int init = SluiceMain.run(new String[]{ "topology", "init", "--file", file.toString(),
                "--appliances", "a,b", "--slice-dir", dir.resolve("slices").toString(), "--appliance", specs[0],
                "--appliance", specs[1] });
            if (0 != init)
            {
                throw new IllegalStateException("sluice topology init exited " + init);
            }
            final ServerProcess a = ServerProcess.start(ServerProcess.javaCommand(commands.get(0).toArray(
                new String[0])), dir.resolve("a.log"), "sluice: ready");
            final ServerProcess b;
            try
            {
                b = ServerProcess.start(ServerProcess.javaCommand(commands.get(1).toArray(new String[0])),
                    dir.resolve("b.log"), "sluice: ready");
            }
            catch (final IOException ex)
            {
                a.close();
                throw ex;
            }
            final Appliances pair = new Appliances(file, configA, a, b);
            final Move first;
            try
            {
                first = pair.moveGroups("2048-4095", "a");
            }
            catch (final RuntimeException ex)
            {
                pair.close();
                throw ex;
            }
            System.out.printf(Locale.ROOT, "appliances a and b (state capacity %,d per processor, journal async " +
                "in %s); groups 2048-4095 moved b->a empty (%d keys, not served %.2f ms): a owns all 4096%n",
                capacity, dir, first.keys(), first.unservedMs());
            return pair;
        }

        TopologyClient client(final int batch, final long retryNs)
        {
            final TopologyClient client = TopologyClient.connect(new TopologyClient.Context().topologyFile(file)
                .embeddedDriver(true).maxBatchEvents(batch).egressImages(configA.processorCount())
                .topologyRetryNs(retryNs));
            if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(30)))
            {
                client.close();
                throw new IllegalStateException("the routing client did not connect within 30 s");
            }
            return client;
        }

        SluiceClient direct(final int batch)
        {
            final SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(configA)
                .embeddedDriver(true).maxBatchEvents(batch).egressImages(configA.processorCount()));
            if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(30)))
            {
                client.close();
                throw new IllegalStateException("the direct client did not connect within 30 s");
            }
            return client;
        }

        Move move(final String to)
        {
            return moveGroups(HALF, to);
        }

        void moveEverySecond(final int seconds, final List<Move> made)
        {
            final long startNs = System.nanoTime();
            for (int i = 0; i < seconds - 1; i++)
            {
                final long atNs = startNs + TimeUnit.MILLISECONDS.toNanos(500 + 1000L * i);
                while (System.nanoTime() - atNs < 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                made.add(move(0 == (i & 1) ? "b" : "a"));
            }
        }

        private Move moveGroups(final String groups, final String to)
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final long startNs = System.nanoTime();
            final int exit;
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8))
            {
                exit = TopologyMove.move(file, groups, to, STEP_TIMEOUT_NS, o, e);
            }
            final double wallMs = (System.nanoTime() - startNs) / 1e6;
            final String text = out.toString(StandardCharsets.UTF_8);
            if (0 != exit)
            {
                throw new IllegalStateException("move " + groups + " to " + to + " exited " + exit + ":\n" + text +
                    err.toString(StandardCharsets.UTF_8));
            }
            final Matcher step = STEP.matcher(text);
            final double[] ms = new double[4];
            long keys = 0;
            long bytes = 0;
            for (int i = 0; i < 2; i++)
            {
                if (!step.find())
                {
                    throw new IllegalStateException("cannot read the move's steps:\n" + text);
                }
                if (0 == i)
                {
                    keys = Long.parseLong(step.group(4));
                    bytes = Long.parseLong(step.group(5));
                }
                ms[2 * i] = Double.parseDouble(step.group(7));
                ms[2 * i + 1] = Double.parseDouble(step.group(8));
            }
            final Matcher unserved = UNSERVED.matcher(text);
            if (!unserved.find())
            {
                throw new IllegalStateException("cannot read the move's time not served:\n" + text);
            }
            return new Move(to, keys, bytes, ms[0], ms[1], ms[2], ms[3], Double.parseDouble(unserved.group(1)),
                wallMs);
        }

        public void close() throws IOException
        {
            try
            {
                b.close();
            }
            finally
            {
                a.close();
            }
        }
    }
}
