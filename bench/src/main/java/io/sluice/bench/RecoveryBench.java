package io.sluice.bench;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.sluice.config.SluiceConfig;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.journal.JournalTool;
import io.sluice.tools.stat.SluiceStat;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The journal's recovery and snapshot figures, against real daemon processes started as {@code sluice daemon} is:
 * <ul>
 *     <li><b>recovery</b>: a daemon ({@code sluice.journal.mode=async}, ingress on {@code aeron:ipc}) is fed
 *     {@code --events} events at full speed by a raw {@link ExclusivePublication} in this process (SBE Events,
 *     one client id, increasing correlation ids) and killed with SIGKILL once the journal has recorded them. It is
 *     restarted with the same command and killed again once ready, {@code --repeat} times: each replays the whole
 *     journal (no snapshot). Then one more start takes a snapshot, gets {@code --after-snapshot} more events and
 *     is killed; {@code --repeat} restarts then load that snapshot and replay the rest. (The snapshot has to come
 *     last: writing it purges the journal's segments before it.) Each start reports the daemon's own
 *     {@code recovered ...} line (entries replayed, time taken, which includes loading the snapshot) and the wall
 *     time from process start to {@code sluice: ready}; the first start, on an empty journal, gives the time of a
 *     start without replay.</li>
 *     <li><b>snapshot</b>: for each of {@code --fill} key counts, a fresh daemon whose tables hold them
 *     (capacity per processor the next power of two of twice its share) gets one event per key, then two
 *     snapshots are requested ({@link JournalTool#snapshot}); after each the longest processor pause (counter type
 *     {@value SluiceCounters#SNAPSHOT_MAX_PAUSE_TYPE_ID}, reset to 0 before the second) and the parts' sizes from
 *     the manifest are read.</li>
 * </ul>
 * Run: {@code java -cp bench/target/benchmarks.jar io.sluice.bench.RecoveryBench [--only recovery|snapshot]
 * [--events 10m] [--after-snapshot 100k] [--keys 100k] [--repeat 3] [--fill 100k,1m] [--dir /tmp]
 * [--daemon-opt -XX:StartFlightRecording=...]}.
 * Control thread only.
 */
public final class RecoveryBench
{
    private static final Pattern RECOVERED = Pattern.compile("replayed (\\d+) entries from position (\\d+) in (\\d+) ms");
    private static final long CLIENT_ID = 1;

    private RecoveryBench()
    {
    }

    /**
     * @param args options, see the class comment.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Options o = Options.parse(args);
        final PrintStream out = System.out;
        out.println(MachineFacts.describe());
        if (!"snapshot".equals(o.only))
        {
            recovery(o, out);
        }
        if (!"recovery".equals(o.only))
        {
            for (final long keys : o.fill)
            {
                snapshot(o, keys, out);
            }
        }
    }

    private static void recovery(final Options o, final PrintStream out) throws Exception
    {
        final Path journalDir = Files.createTempDirectory(o.dir, "sluice-recovery-journal-");
        final String driverDir = LatencyBench.shmDir("sluice-recovery-daemon");
        final int capacity = capacityFor(o.keys);
        final List<String> command = daemonCommand(o, driverDir, journalDir, capacity);
        final SluiceConfig config = configFor(o, driverDir, journalDir, capacity);
        out.printf("%nrecovery: %,d events over %,d keys (state capacity %,d per processor), snapshot %,d events " +
            "before the end, journal in %s%n", o.events, o.keys, capacity, o.afterSnapshot, journalDir);
        out.printf("command: %s%n", String.join(" ", command));
        try
        {
            final Path log = journalDir.resolveSibling(journalDir.getFileName() + "-build.log");
            final long startNs = System.nanoTime();
            ServerProcess daemon = ServerProcess.start(command, log, "sluice: ready");
            final long freshReadyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            out.printf("fresh start (empty journal) to ready: %d ms%n", freshReadyMs);
            long correlationId = 1;
            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driverDir));
                ExclusivePublication publication = aeron.addExclusivePublication(
                    config.ingressChannel(), config.ingressStreamId()))
            {
                final Publisher publisher = new Publisher(publication, o.keys, correlationId);
                final long t0 = System.nanoTime();
                publisher.publish(o.events);
                awaitJournaled(driverDir, o.events);
                final long ns = System.nanoTime() - t0;
                out.printf("published and journaled %,d events in %d ms (%,.0f events/s)%n",
                    o.events, TimeUnit.NANOSECONDS.toMillis(ns), o.events * 1e9 / ns);
                correlationId = publisher.correlationId;
            }
            daemon.kill();
            Files.deleteIfExists(log);
            out.printf("killed (SIGKILL) pid %d%n", daemon.pid());
            out.print(listing(config));

            // no snapshot: replay the whole journal (each start is killed with SIGKILL once ready, so none writes one)
            final List<long[]> none = new ArrayList<>();
            for (int i = 0; i < o.repeat; i++)
            {
                none.add(restart(command, journalDir, "no-snapshot-" + i, out));
            }

            // a snapshot near the end: one more start, a snapshot, then --after-snapshot events, SIGKILL
            daemon = ServerProcess.start(command, log, "sluice: ready");
            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driverDir));
                ExclusivePublication publication = aeron.addExclusivePublication(
                    config.ingressChannel(), config.ingressStreamId()))
            {
                if (0 != JournalTool.snapshot(config, TimeUnit.SECONDS.toNanos(120), out))
                {
                    throw new IllegalStateException("the snapshot was not written");
                }
                out.printf("snapshot pause (longest processor pause, first snapshot of this process): %.1f ms%n",
                    SluiceStat.sum(driverDir, SluiceCounters.SNAPSHOT_MAX_PAUSE_TYPE_ID) / 1e6);
                final Publisher publisher = new Publisher(publication, o.keys, correlationId);
                publisher.publish(o.afterSnapshot);
                awaitJournaled(driverDir, o.afterSnapshot);
                out.printf("published and journaled %,d more events after the snapshot%n", o.afterSnapshot);
            }
            daemon.kill();
            Files.deleteIfExists(log);
            out.printf("killed (SIGKILL) pid %d%n", daemon.pid());
            out.print(listing(config));
            final List<long[]> withSnapshot = new ArrayList<>();
            for (int i = 0; i < o.repeat; i++)
            {
                withSnapshot.add(restart(command, journalDir, "snapshot-" + i, out));
            }
            out.println();
            out.println("| case | run | entries replayed | replay (daemon's recovered line) ms | replay entries/s | " +
                "process start to ready ms |");
            out.println("|---|---:|---:|---:|---:|---:|");
            row(out, "no snapshot", none);
            row(out, "snapshot " + o.afterSnapshot + " events before the end", withSnapshot);
            out.printf("| empty journal (no replay) | 1 | 0 | | | %d |%n", freshReadyMs);
        }
        finally
        {
            JournalLatency.deleteTree(journalDir);
            // the last daemon was killed with SIGKILL: nobody deleted its driver directory
            JournalLatency.deleteTree(Path.of(driverDir));
        }
    }

    private static void row(final PrintStream out, final String name, final List<long[]> runs)
    {
        for (int i = 0; i < runs.size(); i++)
        {
            final long[] r = runs.get(i);
            out.printf(Locale.ROOT, "| %s | %d | %,d | %,d | %,.0f | %,d |%n",
                name, i + 1, r[0], r[1], r[0] * 1000.0 / Math.max(1, r[1]), r[2]);
        }
    }

    private static long[] restart(final List<String> command, final Path journalDir, final String name,
        final PrintStream out) throws IOException
    {
        final Path log = journalDir.resolveSibling(journalDir.getFileName() + "-" + name + ".log");
        final long startNs = System.nanoTime();
        final ServerProcess daemon = ServerProcess.start(command, log, "sluice: ready");
        final long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        daemon.kill();
        final String recovered = daemon.output().lines().filter((l) -> l.contains("recovered")).findFirst()
            .orElseThrow(() -> new IllegalStateException("no recovered line in " + log)).trim();
        out.printf("%s: start to ready %d ms; %s%n", name, readyMs, recovered);
        final Matcher m = RECOVERED.matcher(recovered);
        if (!m.find())
        {
            throw new IllegalStateException("cannot read " + recovered);
        }
        Files.deleteIfExists(log);
        return new long[]{ Long.parseLong(m.group(1)), Long.parseLong(m.group(3)), readyMs };
    }

    private static void snapshot(final Options o, final long keys, final PrintStream out) throws Exception
    {
        final Path journalDir = Files.createTempDirectory(o.dir, "sluice-snapshot-journal-");
        final String driverDir = LatencyBench.shmDir("sluice-snapshot-daemon");
        final int capacity = capacityFor(keys);
        final List<String> command = daemonCommand(o, driverDir, journalDir, capacity);
        final SluiceConfig config = configFor(o, driverDir, journalDir, capacity);
        out.printf("%nsnapshot: %,d keys, state capacity %,d per processor, journal in %s%n", keys, capacity, journalDir);
        final Path log = journalDir.resolveSibling(journalDir.getFileName() + ".log");
        try (ServerProcess daemon = ServerProcess.start(command, log, "sluice: ready"))
        {
            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driverDir));
                ExclusivePublication publication = aeron.addExclusivePublication(
                    config.ingressChannel(), config.ingressStreamId()))
            {
                new Publisher(publication, 1, 1).publishDistinct(keys);
                awaitJournaled(driverDir, keys);
            }
            final long live = SluiceStat.sum(driverDir, SluiceCounters.LIVE_KEYS_TYPE_ID);
            final long full = SluiceStat.sum(driverDir, SluiceCounters.STATE_FULL_TYPE_ID);
            out.printf("live keys %,d (state full %,d)%n", live, full);
            out.println("| keys | snapshot | longest processor pause ms | parts (bytes) | total bytes | written |");
            out.println("|---:|---:|---:|---|---:|---|");
            for (int i = 1; i <= 2; i++)
            {
                resetPause(driverDir);
                final java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
                if (0 != JournalTool.snapshot(config, TimeUnit.SECONDS.toNanos(120), new PrintStream(said)))
                {
                    throw new IllegalStateException("the snapshot was not written: " + said);
                }
                final long pauseNs = SluiceStat.sum(driverDir, SluiceCounters.SNAPSHOT_MAX_PAUSE_TYPE_ID);
                final SnapshotManifest manifest =
                    new SnapshotStore(journalDir.resolve("snapshots")).complete().get(0);
                long total = 0;
                final StringBuilder parts = new StringBuilder();
                for (final long length : manifest.lengths())
                {
                    total += length;
                    parts.append(parts.length() > 0 ? " + " : "").append(String.format(Locale.ROOT, "%,d", length));
                }
                final String written = daemon.output().lines()
                    .filter((l) -> l.contains("snapshot " + manifest.snapshotId() + " at journal position"))
                    .map((l) -> l.replaceAll(".*(written in \\d+ ms).*", "$1")).findFirst().orElse("");
                out.printf(Locale.ROOT, "| %,d | %d (id %d) | %.2f | %s | %,d | %s |%n",
                    live, i, manifest.snapshotId(), pauseNs / 1e6, parts, total, written);
            }
        }
        finally
        {
            out.print(Files.exists(log) ? Files.readString(log).lines().filter((l) -> l.contains("snapshot"))
                .map((l) -> "  daemon: " + l + "\n").reduce("", String::concat) : "");
            Files.deleteIfExists(log);
            JournalLatency.deleteTree(journalDir);
        }
    }

    private static void resetPause(final String driverDir)
    {
        SluiceStat.read(driverDir, (reader) -> reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (SluiceCounters.SNAPSHOT_MAX_PAUSE_TYPE_ID == typeId)
            {
                new AtomicCounter(reader.valuesBuffer(), counterId).setRelease(0);
            }
        }));
    }

    private static String listing(final SluiceConfig config)
    {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        JournalTool.list(config, new PrintStream(bytes));
        return bytes.toString();
    }

    /**
     * Wait until the daemon has accepted the events and its journal has recorded everything it was given.
     */
    private static void awaitJournaled(final String driverDir, final long accepted)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (SluiceStat.sum(driverDir, SluiceCounters.INGRESS_ACCEPTED_TYPE_ID) < accepted)
        {
            check(deadlineNs, "accepted");
            LatencyBench.sleep(10);
        }
        long recorded = -1;
        while (true)
        {
            LatencyBench.sleep(100);
            final long now = SluiceStat.sum(driverDir, SluiceCounters.JOURNAL_RECORDED_POSITION_TYPE_ID);
            if (now == recorded && 0 == SluiceStat.sum(driverDir, SluiceCounters.JOURNAL_UNRECORDED_BYTES_TYPE_ID))
            {
                return;
            }
            recorded = now;
            check(deadlineNs, "recorded");
        }
    }

    private static void check(final long deadlineNs, final String what)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new IllegalStateException("the daemon did not get the events " + what + " in time");
        }
    }

    private static int capacityFor(final long keys)
    {
        // each processor holds about half the keys (2 processors): a table of twice its share, rounded up
        return Integer.highestOneBit((int)Math.max(2, keys - 1)) << 1;
    }

    private static List<String> daemonCommand(
        final Options o, final String driverDir, final Path journalDir, final int capacity)
    {
        final List<String> args = new ArrayList<>(List.of("-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=4g"));
        args.addAll(o.daemonOpts);
        args.addAll(List.of(
            "-D" + SluiceConfig.DRIVER_DIR + "=" + driverDir,
            "-D" + SluiceConfig.INGRESS_CHANNEL + "=aeron:ipc",
            "-D" + SluiceConfig.JOURNAL_MODE + "=async",
            "-D" + SluiceConfig.JOURNAL_DIR + "=" + journalDir,
            "-D" + SluiceConfig.JOURNAL_FILE_SYNC + "=0",
            "-D" + SluiceConfig.STATE_CAPACITY + "=" + capacity,
            "-jar", o.jar, "daemon", "--config", o.config.toString()));
        return ServerProcess.javaCommand(args.toArray(new String[0]));
    }

    private static SluiceConfig configFor(
        final Options o, final String driverDir, final Path journalDir, final int capacity)
    {
        final Properties p = new Properties();
        p.setProperty(SluiceConfig.DRIVER_DIR, driverDir);
        p.setProperty(SluiceConfig.INGRESS_CHANNEL, "aeron:ipc");
        p.setProperty(SluiceConfig.JOURNAL_MODE, "async");
        p.setProperty(SluiceConfig.JOURNAL_DIR, journalDir.toString());
        p.setProperty(SluiceConfig.STATE_CAPACITY, Integer.toString(capacity));
        return SluiceConfig.load(o.config, p);
    }

    /**
     * Offers SBE Events into the daemon's ingress as fast as it takes them.
     */
    private static final class Publisher
    {
        private final ExclusivePublication publication;
        private final int keys;
        private final BufferClaim claim = new BufferClaim();
        private final MessageHeaderEncoder header = new MessageHeaderEncoder();
        private final EventEncoder event = new EventEncoder();
        private final SplittableRandom random = new SplittableRandom(42);
        private long correlationId;

        Publisher(final ExclusivePublication publication, final int keys, final long firstCorrelationId)
        {
            this.publication = publication;
            this.keys = keys;
            this.correlationId = firstCorrelationId;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!publication.isConnected())
            {
                check(deadlineNs, "connected");
                LatencyBench.sleep(10);
            }
        }

        void publish(final long count)
        {
            for (long i = 0; i < count; i++)
            {
                offer(random.nextInt(keys));
            }
        }

        void publishDistinct(final long count)
        {
            for (long key = 0; key < count; key++)
            {
                offer(key);
            }
        }

        private void offer(final long key)
        {
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH;
            long result;
            while ((result = publication.tryClaim(length, claim)) < 0)
            {
                if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                {
                    throw new IllegalStateException("ingress publication closed: " + result);
                }
                Thread.yield();
            }
            event.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
                .clientId(CLIENT_ID)
                .correlationId(correlationId++)
                .key(key)
                .timestamp(System.currentTimeMillis() * 1_000_000L)
                .value(1.0);
            claim.commit();
        }
    }

    /**
     * Command-line options.
     */
    static final class Options
    {
        String only = "";
        long events = 10_000_000;
        long afterSnapshot = 100_000;
        int keys = 100_000;
        int repeat = 3;
        List<Long> fill = List.of(100_000L, 1_000_000L);
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"));
        Path config = Paths.get("config/small-host.properties");
        String jar = "tools/target/sluice-tools-0.1.0-SNAPSHOT-all.jar";
        List<String> daemonOpts = new ArrayList<>();

        static Options parse(final String[] args)
        {
            final Options o = new Options();
            for (int i = 0; i < args.length; i++)
            {
                switch (args[i])
                {
                    case "--only" -> o.only = args[++i];
                    case "--events" -> o.events = LatencyBench.Options.parseCount(args[++i]);
                    case "--after-snapshot" -> o.afterSnapshot = LatencyBench.Options.parseCount(args[++i]);
                    case "--keys" -> o.keys = (int)LatencyBench.Options.parseCount(args[++i]);
                    case "--repeat" -> o.repeat = Integer.parseInt(args[++i]);
                    case "--fill" ->
                    {
                        final List<Long> fill = new ArrayList<>();
                        for (final String f : args[++i].split(","))
                        {
                            fill.add(LatencyBench.Options.parseCount(f));
                        }
                        o.fill = fill;
                    }
                    case "--dir" -> o.dir = Paths.get(args[++i]);
                    case "--config" -> o.config = Paths.get(args[++i]);
                    case "--jar" -> o.jar = args[++i];
                    case "--daemon-opt" -> o.daemonOpts.add(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: " +
                        "--only recovery|snapshot --events 10m --after-snapshot 100k --keys 100k --repeat 3 " +
                        "--fill 100k,1m --dir DIR --config FILE --jar TRANSPORT_JAR --daemon-opt JVM_OPTION (repeatable)");
                }
            }
            return o;
        }
    }
}
