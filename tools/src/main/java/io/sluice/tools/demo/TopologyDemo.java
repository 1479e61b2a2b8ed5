package io.sluice.tools.demo;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.client.TopologyClient;
import io.sluice.config.DriverThreading;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.config.topology.Topology;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.stat.SluiceStat;
import io.sluice.tools.topology.TopologyMove;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sluice topology-demo}: two appliances of one topology on loopback, each a daemon in a process of its own
 * (journal on, tumbling windows), a routing client in this JVM sending at a fixed rate, half of the key groups
 * (0-2047, all of a's) moved from a to b and back while it sends, then a reference daemon outside any topology fed
 * exactly the same events; every key's state (as a query answers it, from whichever appliance owns the key) must
 * equal the reference's.
 * <pre>
 *   TopologyClient ──▶ a (groups 0-2047)     topology move 0-2047 a→b, then b→a, while the client sends
 *                 └──▶ b (groups 2048-4095)
 *   SluiceClient  ──▶ reference (no topology): the same events, then a query of every key on both sides
 * </pre>
 * One closing event per appliance, later than every window of the run plus the lateness, closes every window
 * everywhere before the queries. Exit 0 when every event was answered once and every key's state equals the
 * reference's (per-key digests), 1 otherwise. Everything it started is stopped and deleted, Ctrl-C included.
 */
public final class TopologyDemo
{
    private static final String LABEL = "topology-demo: ";
    private static final int BASE_PORT = 20410;
    private static final int KEYS = 5000;
    private static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int LATENESS_S = 10;
    private static final String RANGE = "0-2047";
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    /** The windows every daemon of the demo runs. */
    public static final Map<String, String> WINDOWS = Map.of(
        SluiceConfig.WINDOW_TYPE, "tumbling",
        SluiceConfig.WINDOW_SIZE, "1s",
        SluiceConfig.WINDOW_ALLOWED_LATENESS, LATENESS_S + "s");

    private final Path runDir;
    private final Path shm;
    private final String mainClass;
    private final PrintStream out;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> driverDirs = new ArrayList<>();

    private TopologyDemo(final Path runDir, final Path shm, final String mainClass, final PrintStream out)
    {
        this.runDir = runDir;
        this.shm = shm;
        this.mainClass = mainClass;
        this.out = out;
    }

    /**
     * Run the demo.
     *
     * @param rate      events per second.
     * @param seconds   how long the client sends.
     * @param out       where everything is printed.
     * @param mainClass the command line's main class, which the daemons' processes run.
     * @return 0 when the appliances' per-key state equals the reference's and every event was answered once, else 1.
     * @throws Exception when a daemon cannot be started.
     */
    public static int run(final int rate, final int seconds, final PrintStream out, final String mainClass)
        throws Exception
    {
        final String tmp = null == System.getenv("TMPDIR") ? "/tmp" : System.getenv("TMPDIR");
        final Path runDir = Files.createTempDirectory(Paths.get(tmp), "sluice-topology-demo.");
        final Path shm = Files.isDirectory(Paths.get("/dev/shm")) ? Paths.get("/dev/shm") : Paths.get(tmp);
        final TopologyDemo demo = new TopologyDemo(runDir, shm, mainClass, out);
        final Thread cleanup = new Thread(demo::cleanUp, "sluice-topology-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            return demo.show(rate, seconds);
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

    /**
     * The configuration of one daemon of a topology test or demo: shared threading with an embedded driver in
     * invoker mode, idle strategies that yield the cores, two processors.
     *
     * @param driverDir   its media driver directory.
     * @param ingressPort its ingress port on loopback.
     * @param egressPort  its egress control port on loopback.
     * @param journalDir  its journal directory, null for none.
     * @param topology    its topology file, null for a daemon outside any topology.
     * @param name        its appliance name in the topology.
     * @param windows     window, eviction and alert settings.
     * @return the properties.
     */
    public static Properties daemonProperties(
        final String driverDir, final int ingressPort, final int egressPort, final Path journalDir, final Path topology,
        final String name, final Map<String, String> windows)
    {
        final Properties p = new Properties();
        p.setProperty(SluiceConfig.THREADING, "shared");
        p.setProperty(SluiceConfig.PROCESSOR_COUNT, "2");
        p.setProperty(SluiceConfig.DRIVER_MODE, "embedded");
        p.setProperty(SluiceConfig.DRIVER_THREADING, "invoker");
        p.setProperty(SluiceConfig.INGRESS_IDLE_STRATEGY, "backoff");
        p.setProperty(SluiceConfig.PROCESSOR_WAIT_STRATEGY, "sleeping");
        p.setProperty(SluiceConfig.RING_LENGTH, "16384");
        p.setProperty(SluiceConfig.STATE_CAPACITY, "8192");
        p.setProperty("aeron.term.buffer.length", "2m");
        p.setProperty("aeron.ipc.term.buffer.length", "1m");
        p.setProperty(SluiceConfig.DRIVER_DIR, driverDir);
        p.setProperty(SluiceConfig.INGRESS_CHANNEL, ingress(ingressPort));
        p.setProperty(SluiceConfig.EGRESS_CHANNEL, egress(egressPort));
        if (null != journalDir)
        {
            p.setProperty(SluiceConfig.JOURNAL_MODE, "async");
            p.setProperty(SluiceConfig.JOURNAL_DIR, journalDir.toString());
            p.setProperty(SluiceConfig.SNAPSHOT_INTERVAL, "2s");
        }
        if (null != topology)
        {
            p.setProperty("sluice.topology.file", topology.toString());
            p.setProperty("sluice.topology.appliance", name);
        }
        windows.forEach(p::setProperty);
        return p;
    }

    /**
     * @param port a loopback port.
     * @return the ingress channel of a daemon on it.
     */
    public static String ingress(final int port)
    {
        return "aeron:udp?endpoint=localhost:" + port;
    }

    /**
     * @param port a loopback port.
     * @return the egress channel (multi-destination, dynamic control) of a daemon on it.
     */
    public static String egress(final int port)
    {
        return "aeron:udp?control=localhost:" + port + "|control-mode=dynamic|fc=min,t:5s";
    }

    /**
     * @param port a daemon's egress control port on loopback.
     * @return the channel a client subscribes to that egress with (the topology file's {@code egress}).
     */
    public static String clientEgress(final int port)
    {
        return "aeron:udp?endpoint=localhost:0|control=localhost:" + port + "|control-mode=dynamic";
    }

    /**
     * @param ingressPort the loopback port of a daemon of {@link #daemonProperties} (its egress on the next one).
     * @return a client context for that daemon (default stream ids, an egress image per processor).
     */
    public static SluiceClient.Context clientContext(final int ingressPort)
    {
        return new SluiceClient.Context()
            .ingress(ingress(ingressPort), Settings.INGRESS_STREAM_ID.defaultValue())
            .egress(clientEgress(ingressPort + 1), Settings.EGRESS_STREAM_ID.defaultValue())
            .egressImages(2);
    }

    private int show(final int rate, final int seconds) throws Exception
    {
        final Path file = runDir.resolve("topology.properties");
        final Path a = daemonConfig("a", BASE_PORT, file);
        final Path b = daemonConfig("b", BASE_PORT + 2, file);
        final List<Topology.Appliance> appliances = List.of(
            new Topology.Appliance("a", ingress(BASE_PORT), 1001, clientEgress(BASE_PORT + 1), 1002, "",
                driverDir("a").toString(), List.of(new Topology.GroupRange(0, 2047))),
            new Topology.Appliance("b", ingress(BASE_PORT + 2), 1001, clientEgress(BASE_PORT + 3), 1002, "",
                driverDir("b").toString(), List.of(new Topology.GroupRange(2048, 4095))));
        Files.createDirectories(runDir.resolve("slices"));
        new Topology(1, 4096, 0x5eedL, runDir.resolve("slices").toString(), appliances).write(file);
        out.println(LABEL + "two appliances on loopback (ports " + BASE_PORT + ".." + (BASE_PORT + 3) + "), " +
            "topology " + Topology.read(file) + ", files in " + runDir);
        final Process processA = start("a", a);
        final Process processB = start("b", b);
        if (null == processA || null == processB)
        {
            return 1;
        }

        final long t0 = (System.currentTimeMillis() / 1000) * 1_000_000_000L;
        final TopologyTraffic traffic = new TopologyTraffic(24, KEYS, rate * seconds, t0, 1_000_000_000L / rate);
        final TrafficRecorder routed = new TrafficRecorder(traffic);
        final Mover mover = new Mover(file, seconds);
        try (TopologyClient client = TopologyClient.connect(new TopologyClient.Context()
            .topologyFile(file)
            .egressImages(2)
            .embeddedDriver(true)))
        {
            if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(30)))
            {
                out.println(LABEL + "the routing client could not connect to both appliances");
                return 1;
            }
            out.printf("%srouting client connected; sending %,d events/s over %,d keys for %d s; moving groups %s " +
                "a -> b and back meanwhile%n", LABEL, rate, KEYS, seconds, RANGE);
            final TopologyTraffic.Link link = link(client);
            final Thread moverThread = new Thread(mover, "sluice-topology-demo-mover");
            moverThread.start();
            final int sent = send(traffic, link, routed, rate, mover);
            moverThread.join();
            traffic.truncate(sent);
            final Topology last = Topology.read(file);
            traffic.appendClosingEvents(last, WINDOW_NS, TimeUnit.SECONDS.toNanos(LATENESS_S));
            final boolean answered = routed.awaitAll(link, 0, sent, TIMEOUT_NS) &&
                traffic.sendAll(sent, traffic.size(), link, routed, TIMEOUT_NS);
            TopologyTraffic.pollQuietly(link, routed, TimeUnit.SECONDS.toNanos(1));
            TopologyTraffic.queryAll(traffic.distinctKeys(), link, routed, TIMEOUT_NS);
            out.printf("%ssent %,d events (%d of them closing events); %,d answered (%,d results), %,d answered " +
                "twice, refusals seen by the application: %s; topology %s%n", LABEL, traffic.size(),
                traffic.size() - sent, routed.answered(0, traffic.size()), routed.results(), routed.answeredTwice(),
                routed.rejectsByReason(), last);
            out.printf("%sa holds %,d keys, b holds %,d keys%n", LABEL,
                SluiceStat.sum(driverDir("a").toString(), SluiceCounters.LIVE_KEYS_TYPE_ID),
                SluiceStat.sum(driverDir("b").toString(), SluiceCounters.LIVE_KEYS_TYPE_ID));
            if (!answered || !mover.failures.isEmpty())
            {
                out.println(LABEL + (answered ? "a move failed: " + mover.failures : "not every event was answered"));
            }
            stop("a", processA);
            stop("b", processB);
            final TrafficRecorder reference = reference(traffic);
            return null == reference ? 1 : verdict(traffic, routed, reference, answered && mover.failures.isEmpty());
        }
    }

    private int verdict(
        final TopologyTraffic traffic,
        final TrafficRecorder routed,
        final TrafficRecorder reference,
        final boolean movedAndAnswered)
    {
        final long[] keys = traffic.distinctKeys();
        final List<String> differences = TopologyTraffic.stateDifferences(keys, routed, reference, 5);
        final long mine = TopologyTraffic.stateDigest(keys, routed);
        final long theirs = TopologyTraffic.stateDigest(keys, reference);
        final boolean once = traffic.size() == routed.answered(0, traffic.size()) && 0 == routed.answeredTwice() &&
            traffic.size() == routed.results();
        differences.forEach((difference) -> out.println(LABEL + "differs: " + difference));
        out.printf("%sper-key state of %,d keys: the union of both appliances %s the reference (digest %016x, " +
            "reference %016x)%n", LABEL, keys.length, mine == theirs && differences.isEmpty() ? "equals" : "DIFFERS FROM",
            mine, theirs);
        out.println(LABEL + "every event applied " + (once ? "once" : "NOT once") + " (a result for each, none twice)");
        return mine == theirs && differences.isEmpty() && once && movedAndAnswered ? 0 : 1;
    }

    private TrafficRecorder reference(final TopologyTraffic traffic) throws Exception
    {
        final Path config = daemonConfig("reference", BASE_PORT + 4, null);
        final Process process = start("reference", config);
        if (null == process)
        {
            return null;
        }
        final TrafficRecorder reference = new TrafficRecorder(traffic);
        try (SluiceClient client = SluiceClient.connect(clientContext(BASE_PORT + 4)
            .embeddedDriver(true).driverThreading(DriverThreading.SHARED)))
        {
            if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(30)))
            {
                out.println(LABEL + "could not connect to the reference daemon");
                return null;
            }
            final TopologyTraffic.Link link = link(client);
            final long startNs = System.nanoTime();
            final boolean answered = traffic.sendAll(0, traffic.size(), link, reference, TIMEOUT_NS);
            TopologyTraffic.pollQuietly(link, reference, TimeUnit.SECONDS.toNanos(1));
            TopologyTraffic.queryAll(traffic.distinctKeys(), link, reference, TIMEOUT_NS);
            out.printf("%sreference daemon: the same %,d events in %,d ms, %s%n", LABEL, traffic.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs),
                answered ? "every one answered" : "NOT every one answered");
        }
        stop("reference", process);
        return reference;
    }

    private int send(
        final TopologyTraffic traffic, final TopologyTraffic.Link link, final TrafficRecorder recorder,
        final int rate, final Mover mover)
    {
        final long startNs = System.nanoTime();
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
        int next = 0;
        while (next < traffic.size())
        {
            final long nowNs = System.nanoTime();
            final long due = Math.min(traffic.size(), (nowNs - startNs) * rate / 1_000_000_000L);
            int burst = 0;
            while (next < due && burst < 64 && traffic.offer(next, link, recorder))
            {
                next++;
                burst++;
            }
            if (0 == link.poll(recorder, 64) && 0 == burst)
            {
                LockSupport.parkNanos(100_000);
            }
            if (nowNs - nextReportNs >= 0)
            {
                out.printf("  sent %,9d  answered %,9d  owner of %s: %s%n", next, recorder.answered(0, next), RANGE,
                    mover.owner);
                nextReportNs += TimeUnit.SECONDS.toNanos(1);
            }
        }
        return next;
    }

    private Path driverDir(final String name)
    {
        return shm.resolve("sluice-topology-demo-" + ProcessHandle.current().pid() + "-" + name);
    }

    private Path daemonConfig(final String name, final int port, final Path topology) throws IOException
    {
        final Path file = runDir.resolve(name + ".properties");
        final Properties p = daemonProperties(driverDir(name).toString(), port, port + 1,
            null == topology ? null : runDir.resolve(name + "-journal"), topology, name, WINDOWS);
        try (OutputStream stream = Files.newOutputStream(file))
        {
            p.store(stream, "sluice topology-demo: " + name);
        }
        synchronized (this)
        {
            driverDirs.add(driverDir(name));
        }
        return file;
    }

    private Process start(final String name, final Path configFile) throws Exception
    {
        final Path log = runDir.resolve(name + ".log");
        final Process process = new ProcessBuilder(Demo.daemonCommand(mainClass, driverDir(name), configFile,
            SluiceConfig.load(configFile, new Properties()))).redirectErrorStream(true).redirectOutput(log.toFile())
            .start();
        synchronized (this)
        {
            processes.add(process);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log, StandardCharsets.ISO_8859_1).contains("sluice: ready"))
        {
            if (!process.isAlive() || System.nanoTime() - deadline > 0)
            {
                out.print(Files.readString(log, StandardCharsets.ISO_8859_1));
                out.println(LABEL + name + " failed to start");
                return null;
            }
            Thread.sleep(50);
        }
        Files.readString(log, StandardCharsets.ISO_8859_1).lines().filter((l) -> l.contains("topology:"))
            .forEach((l) -> out.println("[" + name + "] " + l.trim()));
        out.println("[" + name + "] sluice: ready");
        return process;
    }

    private void stop(final String name, final Process process) throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
        out.println("[" + name + "] stopped (exit " + process.waitFor() + ")");
    }

    private synchronized void cleanUp()
    {
        for (final Process process : processes)
        {
            if (process.isAlive())
            {
                process.destroy();
                try
                {
                    if (!process.waitFor(10, TimeUnit.SECONDS))
                    {
                        process.destroyForcibly();
                    }
                }
                catch (final InterruptedException ex)
                {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
        driverDirs.forEach(Demo::delete);
        Demo.delete(runDir);
    }

    /**
     * @param client a routing client.
     * @return the traffic's link through it.
     */
    public static TopologyTraffic.Link link(final TopologyClient client)
    {
        return new TopologyTraffic.Link()
        {
            public long offerEvent(final long key, final long timestamp, final double value)
            {
                return client.offerEvent(key, timestamp, value);
            }

            public long offerQuery(final long key)
            {
                return client.offerQuery(key);
            }

            public int poll(final SluiceResultHandler handler, final int limit)
            {
                return client.poll(handler, limit);
            }
        };
    }

    /**
     * @param client a client of one daemon.
     * @return the traffic's link through it.
     */
    public static TopologyTraffic.Link link(final SluiceClient client)
    {
        return new TopologyTraffic.Link()
        {
            public long offerEvent(final long key, final long timestamp, final double value)
            {
                return client.offerEvent(key, timestamp, value);
            }

            public long offerQuery(final long key)
            {
                return client.offerQuery(key);
            }

            public int poll(final SluiceResultHandler handler, final int limit)
            {
                return client.poll(handler, limit);
            }
        };
    }

    /**
     * Moves {@value #RANGE} to b a third into the run and back to a at two thirds, printing the move tool's lines.
     */
    private final class Mover implements Runnable
    {
        private final Path file;
        private final int seconds;
        private final List<String> failures = new ArrayList<>();
        private volatile String owner = "a";

        Mover(final Path file, final int seconds)
        {
            this.file = file;
            this.seconds = seconds;
        }

        public void run()
        {
            try
            {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) / 3);
                move("b");
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) / 3);
                move("a");
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        private void move(final String to)
        {
            final ByteArrayOutputStream text = new ByteArrayOutputStream();
            final int exit;
            try (PrintStream stream = new PrintStream(text, true, StandardCharsets.UTF_8))
            {
                exit = TopologyMove.move(file, RANGE, to, TimeUnit.SECONDS.toNanos(20), stream, stream);
            }
            synchronized (out)
            {
                text.toString(StandardCharsets.UTF_8).lines().forEach((line) -> out.println("  " + line));
            }
            if (0 == exit)
            {
                owner = to;
            }
            else
            {
                failures.add("move of " + RANGE + " to " + to + " exited " + exit);
            }
        }
    }
}
