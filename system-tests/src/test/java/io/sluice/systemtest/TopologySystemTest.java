package io.sluice.systemtest;

import io.sluice.client.SluiceClient;
import io.sluice.client.TopologyClient;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.SluiceConfig;
import io.sluice.config.topology.Topology;
import io.sluice.core.RejectReason;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.SluiceMain;
import io.sluice.tools.demo.TopologyDemo;
import io.sluice.tools.demo.TopologyTraffic;
import io.sluice.tools.demo.TrafficRecorder;
import io.sluice.tools.topology.TopologyMove;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scale-out proof with real processes: two appliances of one topology (daemons from the shaded jar,
 * journal on, tumbling windows with allowed lateness, idle-key eviction and an alert rule), a routing client
 * ({@link TopologyClient}, fixed client id) in this JVM sending at a fixed rate over a few thousand keys with strictly
 * increasing event times, and moves of key groups 0-1023 back and forth between them ({@code sluice topology move},
 * {@link TopologyMove} in this JVM) while it sends. In the kill variants the source or the target of three moves is
 * killed with SIGKILL and started again: as the move's request reaches it, as the move's directory appears in its
 * journal's slices (the step under way), and as its answer appears (the step done, not yet read); the move then
 * either completed (exit 0, the file names the new owner) or the owner kept the groups (exit 1; when the owner had
 * released them and died, after the documented {@code sluice topology acquire}), and after each move both
 * appliances' owned-group counters must be what the file says.
 * <pre>
 *   this JVM: TopologyClient ──UDP──▶ a (groups 0-2047)      mover thread: topology move 0-1023 a→b, b→a, ...
 *                            └─UDP──▶ b (groups 2048-4095)                (kill variant: SIGKILL + restart)
 *   then:     SluiceClient  ──UDP──▶ reference (no topology), fed exactly the same events
 * </pre>
 * At the end the client sends one closing event per appliance far enough ahead that every window of the run closes
 * everywhere (so all watermarks agree), then every key is queried on its owner and on the reference. Asserted
 * exactly: every event has exactly one answer (a result, or {@code DUPLICATE} for one the appliance had applied
 * before a restart lost its answer) and no other refusal reaches the application; the events counted in the window
 * results plus the open windows equal the events sent, on both sides; every window result (key, window) and every
 * alert of the appliances equals the reference's, none twice; every key's {@code QueryResult} equals the
 * reference's, field by field. {@code -Dsluice.topology.moves=N} (default 10) and {@code -Dsluice.topology.rate=N}
 * (default 3000 events/s) lengthen a run; {@code -Dsluice.topology.seed=S} replays one.
 */
class TopologySystemTest
{
    private static final long CLIENT_ID = 0x70b0_c11eL;
    private static final int KEYS = 2000;
    private static final int MOVES = Integer.getInteger("sluice.topology.moves", 10);
    private static final int RATE = Integer.getInteger("sluice.topology.rate", 3000);
    private static final long MOVE_GAP_MS = 400;
    private static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(1);
    private static final String RANGE = "0-1023";
    private static final Pattern MOVE_ID = Pattern.compile("sluice topology: move (\\d+): groups");
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-topology-" + System.nanoTime());
    private final TopologyNodes nodes = new TopologyNodes(dir);

    private enum Kill
    {
        NONE, SOURCE, TARGET
    }

    /** When the victim of a kill variant dies. */
    private enum Trigger
    {
        /** As the move's request file appears in its driver directory. */
        REQUEST,
        /** As the move's directory appears among its journal's slices. */
        SLICE,
        /** As its answer to the move's step appears in its driver directory (the step done, not yet read). */
        RESULT
    }

    @AfterEach
    void tearDown()
    {
        nodes.close();
        IoUtil.delete(dir.toFile(), true);
    }

    @Test
    @Timeout(600)
    void shouldApplyEveryEventOnceAcrossMovesBackAndForthAndEqualTheReference() throws Exception
    {
        run(Kill.NONE, 5);
    }

    @Test
    @Timeout(600)
    void shouldApplyEveryEventOnceWhenTheSourceIsKilledDuringAMove() throws Exception
    {
        run(Kill.SOURCE, 40);
    }

    @Test
    @Timeout(600)
    void shouldApplyEveryEventOnceWhenTheTargetIsKilledDuringAMove() throws Exception
    {
        run(Kill.TARGET, 40);
    }

    /**
     * @param kill             whose process dies during the middle move.
     * @param latenessSeconds  allowed lateness: longer than any re-route (a restart's included), so no event is late
     *                         on the appliance it is finally applied on.
     */
    private void run(final Kill kill, final int latenessSeconds) throws Exception
    {
        final long startNs = System.nanoTime();
        final long seed = Long.getLong("sluice.topology.seed", System.nanoTime());
        System.out.printf("topology test, kill %s: seed %d (-Dsluice.topology.seed=%d), %d moves, %d events/s over " +
            "%d keys%n", kill, seed, seed, MOVES, RATE, KEYS);
        final Random random = new Random(seed);
        final Map<String, String> windows = Map.of(
            SluiceConfig.WINDOW_TYPE, "tumbling",
            SluiceConfig.WINDOW_SIZE, "1s",
            SluiceConfig.WINDOW_ALLOWED_LATENESS, latenessSeconds + "s",
            SluiceConfig.EVICT_AFTER_WINDOWS, "3",
            "sluice.alert.busy.on", "window",
            "sluice.alert.busy.field", "count",
            "sluice.alert.busy.op", ">=",
            "sluice.alert.busy.threshold", "4",
            SluiceConfig.STATE_CAPACITY, "4096");
        final Path file = dir.resolve("topology.properties");
        final TopologyNodes.Node a = nodes.node("a", file, windows);
        final TopologyNodes.Node b = nodes.node("b", file, windows);
        TopologyNodes.writeTopology(file, dir.resolve("slices"), a, b);
        nodes.start(a);
        nodes.start(b);
        System.out.println("  a: " + TopologyNodes.line(a, "topology:") + "; b: " + TopologyNodes.line(b, "topology:"));

        final int maxSeconds = 10 + MOVES * 5;
        final long t0 = (System.currentTimeMillis() / 1000) * 1_000_000_000L;
        final TopologyTraffic traffic = new TopologyTraffic(seed, KEYS, RATE * maxSeconds, t0, 1_000_000_000L / RATE);
        final TrafficRecorder routed = new TrafficRecorder(traffic);
        final Mover mover = new Mover(file, kill, random, a, b);
        final int sent;
        final long errors;
        final long applied;
        final long sentOnce;
        try (TopologyClient client = TopologyClient.connect(new TopologyClient.Context()
            .topologyFile(file)
            .clientId(CLIENT_ID)
            .egressImages(2)
            .embeddedDriver(true)))
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(30)), "the routing client connects");
            final TopologyTraffic.Link link = TopologyDemo.link(client);
            final long appliedBefore = applied(a) + applied(b);
            final Thread moverThread = new Thread(mover, "topology-mover");
            moverThread.start();
            sent = sendAtRate(traffic, link, routed, mover);
            moverThread.join();
            assertEquals("", mover.failure.get(), "moves");
            assertTrue(routed.awaitAll(link, 0, sent, ANSWER_TIMEOUT_NS), "every event answered: " +
                routed.answered(0, sent) + " of " + sent + "; rejects " + routed.rejectsByReason());
            final Topology last = Topology.read(file);
            traffic.truncate(sent);
            traffic.appendClosingEvents(last, WINDOW_NS, TimeUnit.SECONDS.toNanos(latenessSeconds));
            traffic.sendAll(sent, traffic.size(), link, routed, ANSWER_TIMEOUT_NS);
            applied = applied(a) + applied(b) - appliedBefore;
            sentOnce = client.eventsSent(0) + client.eventsSent(1) - client.notOwnerReroutes(0) -
                client.notOwnerReroutes(1);
            System.out.printf("  routing client: events sent to a %d, to b %d, routed again after NOT_OWNER from a %d, " +
                "from b %d; the appliances' processors applied %d events%n", client.eventsSent(0),
                client.eventsSent(1), client.notOwnerReroutes(0), client.notOwnerReroutes(1), applied);
            TopologyTraffic.pollQuietly(link, routed, TimeUnit.SECONDS.toNanos(2));
            assertTrue(TopologyTraffic.queryAll(traffic.distinctKeys(), link, routed, ANSWER_TIMEOUT_NS),
                "every key answered a query: " + routed.states());
            errors = a.counter(SluiceCounters.ERRORS_TYPE_ID) + b.counter(SluiceCounters.ERRORS_TYPE_ID);
            System.out.printf("  appliances: %s (a %s, b %s); errors %d, late a %d b %d, evictions %d, windows " +
                "closed %d%n", last, a.ownership(), b.ownership(), errors, a.counter(SluiceCounters.LATE_TYPE_ID),
                b.counter(SluiceCounters.LATE_TYPE_ID), a.counter(SluiceCounters.EVICTIONS_TYPE_ID) +
                b.counter(SluiceCounters.EVICTIONS_TYPE_ID), a.counter(SluiceCounters.WINDOWS_CLOSED_TYPE_ID) +
                b.counter(SluiceCounters.WINDOWS_CLOSED_TYPE_ID));
            if (Kill.NONE == kill)
            {
                assertEquals(routed.windows(), a.counter(SluiceCounters.WINDOWS_CLOSED_TYPE_ID) +
                    b.counter(SluiceCounters.WINDOWS_CLOSED_TYPE_ID), "every window result published was received");
            }
            assertEquals(0, a.counter(SluiceCounters.LATE_TYPE_ID) + b.counter(SluiceCounters.LATE_TYPE_ID), "late");
        }
        TopologyNodes.stop(a);
        TopologyNodes.stop(b);
        final String errorLines = TopologyNodes.errorLines(a) + TopologyNodes.errorLines(b);
        System.out.print(errorLines);

        final TrafficRecorder reference = referenceRun(traffic, windows);

        System.out.printf("topology test, kill %s: seed %d, %d events sent (%d closing), %s; appliances: %d results, " +
            "rejects %s, answered twice %d, %d windows (%d events), %d open events, %d alerts; reference: %d results, " +
            "%d windows (%d events), %d open events, %d alerts; %d keys, state digest %016x / reference %016x; " +
            "%.1f s%n", kill, seed, traffic.size(), traffic.size() - sent, mover.summary(), routed.results(),
            routed.rejectsByReason(), routed.answeredTwice(), routed.windows(), routed.windowEventCount(),
            routed.openEventCount(), routed.alerts(), reference.results(), reference.windows(),
            reference.windowEventCount(), reference.openEventCount(), reference.alerts(),
            traffic.distinctKeys().length, TopologyTraffic.stateDigest(traffic.distinctKeys(), routed),
            TopologyTraffic.stateDigest(traffic.distinctKeys(), reference), (System.nanoTime() - startNs) / 1e9);

        final int all = traffic.size();
        assertEquals(all, routed.answered(0, all), "every event answered once");
        assertEquals(0, routed.answeredTwice(), "no event answered twice");
        assertEquals(0, routed.unknownAnswers(), "no answer under an id never offered");
        assertEquals(0, routed.wrongKey(), "every result is its event's key's");
        for (int reason = 1; reason < RejectReason.LIMIT; reason++)
        {
            if (RejectReason.DUPLICATE != reason)
            {
                assertEquals(0, routed.rejects(reason), "no " + RejectReason.name(reason) + " reached the application");
            }
        }
        if (Kill.NONE == kill)
        {
            assertEquals(all, applied, "the appliances' processors applied each event once");
            assertEquals(all, sentOnce, "the client sent each event once, plus once per NOT_OWNER");
            assertEquals(0, routed.rejects(RejectReason.DUPLICATE), "no restart, no duplicate");
            assertEquals(all, routed.results(), "a result for every event");
        }
        assertEquals(all, reference.results(), "the reference answers every event with a result");
        assertEquals(List.of(), TopologyTraffic.windowDifferences(routed, reference, 20), "window results");
        assertEquals(reference.windows(), routed.windows());
        assertEquals(reference.alertSet(), routed.alertSet(), "alerts");
        assertEquals(List.of(), TopologyTraffic.stateDifferences(traffic.distinctKeys(), routed, reference, 20),
            "every key's state");
        assertEquals(all, routed.windowEventCount() + routed.openEventCount(), "each event applied once");
        assertEquals(all, reference.windowEventCount() + reference.openEventCount(), "each event applied once");
        assertEquals(0, routed.windowsTwice(), "no window result twice");
        assertEquals(0, routed.alertsTwice(), "no alert twice");
        assertTrue(mover.moved > 0, "at least one move completed: " + mover.summary());
        assertEquals(0, errors, "errors reported by the appliances since their last start\n" + errorLines);
    }

    /**
     * @return the events a running appliance's processors applied since it started: the entries they handled less
     * the refusals (every refusal is an entry a processor answers) and less nothing else while no query is sent.
     */
    private static long applied(final TopologyNodes.Node node)
    {
        return node.counter(SluiceCounters.PROCESSED_TYPE_ID) - node.counter(SluiceCounters.REJECTED_TYPE_ID);
    }

    private static int sendAtRate(
        final TopologyTraffic traffic, final TopologyTraffic.Link link, final TrafficRecorder recorder,
        final Mover mover)
    {
        final long startNs = System.nanoTime();
        int next = 0;
        long stopAtNs = Long.MAX_VALUE;
        while (next < traffic.size() && System.nanoTime() - stopAtNs < 0)
        {
            final long nowNs = System.nanoTime();
            final long due = Math.min(traffic.size(), (nowNs - startNs) * RATE / 1_000_000_000L);
            int burst = 0;
            while (next < due && burst < 64 && traffic.offer(next, link, recorder))
            {
                next++;
                burst++;
            }
            if (0 == link.poll(recorder, 64) && 0 == burst)
            {
                LockSupport.parkNanos(200_000);
            }
            if (mover.done && Long.MAX_VALUE == stopAtNs)
            {
                stopAtNs = nowNs + TimeUnit.SECONDS.toNanos(1);
            }
        }
        return next;
    }

    private TrafficRecorder referenceRun(final TopologyTraffic traffic, final Map<String, String> windows)
        throws Exception
    {
        final TopologyNodes.Node ref = nodes.node("reference", null, windows);
        nodes.start(ref);
        final TrafficRecorder reference = new TrafficRecorder(traffic);
        final SluiceConfig config = SluiceConfig.load(ref.configFile, new Properties());
        try (SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(config)
            .embeddedDriver(true)
            .driverThreading(DriverThreading.INVOKER)
            .driverIdleStrategy(IdleStrategyType.SLEEPING)))
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(30)), "the reference's client connects");
            final TopologyTraffic.Link link = TopologyDemo.link(client);
            assertTrue(traffic.sendAll(0, traffic.size(), link, reference, ANSWER_TIMEOUT_NS),
                "the reference answers every event: " + reference.answered(0, traffic.size()));
            TopologyTraffic.pollQuietly(link, reference, TimeUnit.SECONDS.toNanos(2));
            assertTrue(TopologyTraffic.queryAll(traffic.distinctKeys(), link, reference, ANSWER_TIMEOUT_NS),
                "the reference answers every query");
            assertEquals(0, ref.counter(SluiceCounters.LATE_TYPE_ID), "nothing late on the reference");
        }
        TopologyNodes.stop(ref);
        return reference;
    }

    /**
     * Runs the moves on its own thread: {@value #RANGE} from its owner to the other appliance, {@link #MOVES}
     * times, {@value #MOVE_GAP_MS} ms apart; in a kill variant the middle move's source or target is killed as the
     * move's request file appears in its driver directory, and started again once the move tool has answered.
     * After each move the file and both appliances' counters must agree.
     */
    private final class Mover implements Runnable
    {
        final Path file;
        final Kill kill;
        final Random random;
        final TopologyNodes.Node a;
        final TopologyNodes.Node b;
        final AtomicReference<String> failure = new AtomicReference<>("");
        final List<String> figures = new ArrayList<>();
        volatile boolean done;
        int moved;
        int kept;
        int recovered;

        Mover(final Path file, final Kill kill, final Random random, final TopologyNodes.Node a,
            final TopologyNodes.Node b)
        {
            this.file = file;
            this.kill = kill;
            this.random = random;
            this.a = a;
            this.b = b;
        }

        public void run()
        {
            try
            {
                Thread.sleep(1500);
                for (int move = 1; move <= MOVES; move++)
                {
                    final Trigger trigger = move == Math.max(1, MOVES / 4) ? Trigger.REQUEST :
                        move == Math.max(2, MOVES / 2) ? Trigger.SLICE :
                        move == Math.max(3, 3 * MOVES / 4) ? Trigger.RESULT : null;
                    moveOnce(move, Kill.NONE == kill ? null : trigger);
                    Thread.sleep(MOVE_GAP_MS);
                }
            }
            catch (final Throwable ex)
            {
                final ByteArrayOutputStream trace = new ByteArrayOutputStream();
                ex.printStackTrace(new PrintStream(trace, true, StandardCharsets.UTF_8));
                failure.set(trace.toString(StandardCharsets.UTF_8));
            }
            finally
            {
                done = true;
            }
        }

        private void moveOnce(final int move, final Trigger trigger) throws Exception
        {
            final boolean withKill = null != trigger;
            final Topology before = Topology.read(file);
            final boolean aOwns = 0 == before.ownerOf(0);
            final TopologyNodes.Node from = aOwns ? a : b;
            final TopologyNodes.Node to = aOwns ? b : a;
            final TopologyNodes.Node victim = withKill ? (Kill.SOURCE == kill ? from : to) : null;
            final Thread killer = null == victim ? null : killWhen(trigger, victim);
            final ByteArrayOutputStream text = new ByteArrayOutputStream();
            final long startNs = System.nanoTime();
            final int exit;
            try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8))
            {
                exit = TopologyMove.move(file, RANGE, to.name, TimeUnit.SECONDS.toNanos(withKill ? 4 : 20), out, out);
            }
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            if (null != killer)
            {
                killer.join();
                nodes.start(victim);
            }
            if (0 != exit && null != victim)
            {
                recoverIfNobodyOwns(text);
            }
            final Topology after = Topology.read(file);
            final String owner = after.appliances().get(after.ownerOf(0)).name();
            final String line = String.format("move %d %s->%s%s: exit %d in %d ms, %s now owns %s; a %s, b %s",
                move, from.name, to.name, null == victim ? "" : " (SIGKILL " + victim.name + " " + trigger + ")", exit, tookMs,
                owner, RANGE, a.ownership(), b.ownership());
            System.out.println("  " + line);
            text.toString(StandardCharsets.UTF_8).lines().forEach((l) -> System.out.println("    " + l));
            figures.add(line);
            if (0 == exit)
            {
                moved++;
                assertEquals(to.name, owner, "exit 0: the file names the target\n" + text);
            }
            else
            {
                kept++;
                assertEquals(1, exit, "a move that fails exits 1\n" + text);
                assertTrue(null != victim, "only a move with a kill fails\n" + text);
                assertEquals(from.name, owner, "exit 1: the owner keeps the groups\n" + text);
            }
            assertTrue(after.epoch() > before.epoch() || 1 == exit, "the epoch grows with a move");
            for (final TopologyNodes.Node node : new TopologyNodes.Node[]{ a, b })
            {
                final Topology.Appliance appliance = after.appliances().get(after.indexOf(node.name));
                assertEquals(appliance.groupCount(), node.counter(SluiceCounters.TOPOLOGY_OWNED_GROUPS_TYPE_ID),
                    node.name + " owns what the file says after move " + move + "\n" + text);
            }
        }

        /**
         * The operator's step of docs/scale-out.md for a move whose owner released the groups and could not take
         * them back (it was killed): once it runs again, {@code sluice topology acquire} of the range on the file's
         * owner from the move's slice. Only when neither appliance owns the range.
         */
        private void recoverIfNobodyOwns(final ByteArrayOutputStream text)
        {
            final long owned = a.counter(SluiceCounters.TOPOLOGY_OWNED_GROUPS_TYPE_ID) +
                b.counter(SluiceCounters.TOPOLOGY_OWNED_GROUPS_TYPE_ID);
            if (owned != TopologyNodes.KEY_GROUPS)
            {
                final Matcher id = MOVE_ID.matcher(text.toString(StandardCharsets.UTF_8));
                assertTrue(id.find(), "the move printed its id\n" + text);
                final Topology topology = Topology.read(file);
                final String owner = topology.appliances().get(topology.ownerOf(0)).name();
                assertEquals(TopologyNodes.KEY_GROUPS - 1024, owned, "only the range is unowned\n" + text);
                try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8))
                {
                    out.println("(operator) sluice topology acquire --groups " + RANGE + " --on " + owner +
                        " --move-id " + id.group(1));
                    assertEquals(0, TopologyMove.acquire(file, RANGE, owner, Long.parseLong(id.group(1)), null,
                        TimeUnit.SECONDS.toNanos(20), out, out), "the documented recovery acquires\n" + text);
                }
                recovered++;
            }
        }

        /**
         * SIGKILL the node as soon as the trigger is seen: a topology request file in its driver directory (the
         * step handed over, not yet taken), a move directory in its journal's slices (the step under way: the
         * release's processors writing the slice, or the acquire's copy of it), or its result file (the step done,
         * the answer not yet read by the tool).
         */
        private Thread killWhen(final Trigger trigger, final TopologyNodes.Node node)
        {
            final long delayUs = random.nextInt(1000);
            final Path slices = node.journalDir.resolve("slices");
            final int before = count(slices, "move-*");
            final Thread killer = new Thread(() ->
            {
                try
                {
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (System.nanoTime() - deadline < 0 && (Trigger.SLICE == trigger ?
                        count(slices, "move-*") == before : 0 == count(Path.of(node.driverDir),
                        Trigger.REQUEST == trigger ? "sluice-topology-*.properties" : "sluice-topology-*.result")))
                    {
                        LockSupport.parkNanos(50_000);
                    }
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(delayUs));
                    TopologyNodes.kill(node);
                    System.out.printf("  SIGKILL %s %d us after its %s appeared%n", node.name, delayUs,
                        Trigger.REQUEST == trigger ? "move request" : Trigger.SLICE == trigger ?
                        "move's slice directory" : "answer to the move's step");
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet("", "killing " + node.name + ": " + ex);
                }
            }, "topology-killer");
            killer.start();
            return killer;
        }

        private int count(final Path dir, final String glob)
        {
            int n = 0;
            if (Files.isDirectory(dir))
            {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob))
                {
                    for (final Path ignored : files)
                    {
                        n++;
                    }
                }
                catch (final IOException ex)
                {
                    return n;
                }
            }
            return n;
        }

        String summary()
        {
            return moved + " moves completed, " + kept + " kept by the owner (" + recovered + " of them after the " +
                "documented sluice topology acquire)";
        }
    }
}
