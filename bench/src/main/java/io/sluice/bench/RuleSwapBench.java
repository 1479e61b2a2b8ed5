package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.config.AlertRule;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.logic.ShardCounters;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.daemon.SluiceDaemon;
import io.sluice.tools.SluiceMain;
import io.sluice.tools.rules.RulesTool;
import io.sluice.tools.stat.SluiceStat;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The cost of a live rule swap ({@code sluice rules apply}), two measures in one run:
 * <ol>
 *     <li><b>Processor pause</b>: {@value #PAUSE_SWAPS} swaps between two rule sets (1 and 3 rules, 2 and 4
 *     RULES entries), each set's entries handed to one {@link ShardProcessor} between two events and timed
 *     whole with {@code System.nanoTime()} (staging and switch), into an HdrHistogram.</li>
 *     <li><b>Round trip with a swap every second against without</b>, in alternating phases of one run:
 * <pre>
 *   this JVM: client thread ──UDP loopback──▶ daemon (shared layout, journal async, 2 processors)
 *             client thread ◀──UDP loopback── egress
 *             swapper thread: sluice rules apply every second (phases "swap" only), through the CnC file
 * </pre>
 *     open loop at a fixed rate, each round trip from its intended send time (corrected for coordinated omission)
 *     into an HdrHistogram per phase kind; the daemon's {@code processor_rules_max_switch_seconds} counters give
 *     the longest pause a swap held a processor in the daemon.</li>
 * </ol>
 * {@code java -cp bench/target/benchmarks.jar io.sluice.bench.RuleSwapBench [RATE] [PHASE_SECONDS] [PHASES]}
 * (defaults 10000 events/s, 10 s, 4 phases: none, swap, none, swap, after a 5 s warm-up).
 */
public final class RuleSwapBench
{
    private static final int PAUSE_SWAPS = 100_000;
    private static final int KEYS = 1000;
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final List<AlertRule> ONE = List.of(
        new AlertRule("big", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.GT, 1e9));
    private static final List<AlertRule> THREE = List.of(
        new AlertRule("huge", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.GE, 2e9),
        new AlertRule("negative-values-of-a-key", 1, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.LT, -1),
        new AlertRule("tiny", 2, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.LE, -1e9));

    private RuleSwapBench()
    {
    }

    /**
     * @param args {@code [RATE] [PHASE_SECONDS] [PHASES]}.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int rate = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        final int phaseSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        final int phases = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        System.out.println("RuleSwapBench: " + MachineFacts.describe());
        processorPause();
        roundTrip(rate, phaseSeconds, phases);
    }

    private static void processorPause()
    {
        final ShardContext ctx = new ShardContext().processorCount(1).hashSeed(42).stateCapacity(1024)
            .alertRules(ONE).conclude();
        final ShardCounters[] counters = ShardCounters.standalone(1);
        final ShardProcessor processor = ctx.newProcessors((shard) -> new DiscardingSink(), (shard) -> counters[shard],
            null)[0];
        final SluiceRing ring = new SluiceRing(1024, WaitStrategyType.SLEEPING);
        final RingProducer producer = ctx.newProducer(ring, null);
        final RingEntry[][] sets = { entries(ring, producer, 1, THREE), entries(ring, producer, 2, ONE) };
        final RingEntry event = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0)
            .event(0, 7, 1, 3, T0, 1.5, 0);
        final Histogram pauses = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        for (int i = 0; i < 2 * PAUSE_SWAPS; i++)
        {
            final RingEntry[] set = sets[i & 1];
            processor.onEntry(event);
            final long startNs = System.nanoTime();
            for (final RingEntry entry : set)
            {
                processor.onEntry(entry);
            }
            final long tookNs = System.nanoTime() - startNs;
            if (i >= PAUSE_SWAPS)
            {
                pauses.recordValue(tookNs);
            }
        }
        System.out.printf("processor pause of a swap (%d swaps after %d warm-up, sets of %d and %d RULES " +
            "entries, staging and switch): p50 %.2f us, p99 %.2f us, p99.9 %.2f us, max %.2f us; first swaps (cold " +
            "code) up to %.2f us%n", PAUSE_SWAPS, PAUSE_SWAPS, sets[0].length, sets[1].length,
            pauses.getValueAtPercentile(50) / 1e3, pauses.getValueAtPercentile(99) / 1e3,
            pauses.getValueAtPercentile(99.9) / 1e3, pauses.getMaxValue() / 1e3,
            processor.longestRulesSwitchNs() / 1e3);
    }

    private static RingEntry[] entries(
        final SluiceRing ring, final RingProducer producer, final long version, final List<AlertRule> rules)
    {
        final UnsafeBuffer encoded = new UnsafeBuffer(new byte[AlertRules.MAX_ENCODED_LENGTH]);
        final int length = AlertRules.encode(rules, encoded);
        final long before = ring.ringBuffer().getCursor();
        if (!producer.offerRules(version, encoded, length, 0))
        {
            throw new IllegalStateException("ring full");
        }
        final List<RingEntry> entries = new ArrayList<>();
        for (long sequence = before + 1; sequence <= ring.ringBuffer().getCursor(); sequence++)
        {
            final byte[] copy = new byte[RingEntry.LENGTH];
            ring.entry(sequence).buffer().getBytes(ring.entry(sequence).offset(), copy);
            entries.add(new RingEntry(new UnsafeBuffer(copy), 0));
        }
        return entries.toArray(new RingEntry[0]);
    }

    private static void roundTrip(final int rate, final int phaseSeconds, final int phases) throws Exception
    {
        final Path dir = Files.createTempDirectory("sluice-rule-swap-bench-");
        final Properties p = new Properties();
        p.setProperty(SluiceConfig.DRIVER_DIR, dir.resolve("driver").toString());
        p.setProperty(SluiceConfig.JOURNAL_MODE, "async");
        p.setProperty(SluiceConfig.JOURNAL_DIR, dir.resolve("journal").toString());
        p.setProperty(SluiceConfig.PROCESSOR_COUNT, "2");
        p.setProperty(SluiceConfig.THREADING, "shared");
        p.setProperty(SluiceConfig.INGRESS_IDLE_STRATEGY, "backoff");
        p.setProperty(SluiceConfig.INGRESS_CHANNEL, "aeron:udp?endpoint=localhost:" + freePort());
        p.setProperty(SluiceConfig.EGRESS_CHANNEL,
            "aeron:udp?control=localhost:" + freePort() + "|control-mode=dynamic|fc=min,t:5s");
        p.setProperty("sluice.alert.big.on", "event");
        p.setProperty("sluice.alert.big.field", "value");
        p.setProperty("sluice.alert.big.op", ">");
        p.setProperty("sluice.alert.big.threshold", "1e9");
        final SluiceConfig config = SluiceConfig.of(p);
        final Path one = dir.resolve("one.properties");
        final Path three = dir.resolve("three.properties");
        Files.writeString(one, rulesText(ONE));
        Files.writeString(three, rulesText(THREE));
        final Histogram without = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Histogram with = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final int[] swaps = { 0 };
        try (SluiceDaemon daemon = SluiceDaemon.start(config, new PrintStream(new ByteArrayOutputStream()));
            SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(config)
                .aeronDirectoryName(config.driverDir()).egressImages(2)))
        {
            if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(10)))
            {
                throw new IllegalStateException("not connected");
            }
            final Load load = new Load(client, rate);
            load.run(TimeUnit.SECONDS.toNanos(5), null);
            for (int phase = 0; phase < phases; phase++)
            {
                final boolean swapping = 1 == phase % 2;
                final Thread swapper = swapping ? new Thread(() ->
                {
                    final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(phaseSeconds);
                    while (System.nanoTime() < endNs)
                    {
                        final Path file = 0 == swaps[0] % 2 ? three : one;
                        final int exit = RulesTool.apply(config, RulesTool.validate(file, config), file,
                            TimeUnit.SECONDS.toNanos(10), new PrintStream(new ByteArrayOutputStream(), true,
                            StandardCharsets.UTF_8));
                        if (0 != exit)
                        {
                            throw new IllegalStateException("rules apply exit " + exit);
                        }
                        swaps[0]++;
                        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                    }
                }, "swapper") : null;
                if (null != swapper)
                {
                    swapper.start();
                }
                load.run(TimeUnit.SECONDS.toNanos(phaseSeconds), swapping ? with : without);
                if (null != swapper)
                {
                    swapper.join();
                }
            }
            load.drain();
            final long maxSwitchNs = Math.max(SluiceStat.sum(config.driverDir(),
                SluiceCounters.RULES_MAX_SWITCH_TYPE_ID), 0);
            System.out.printf("round trip at %d events/s, %d phases of %d s alternating (in-process daemon, journal " +
                "async, shared layout, %d swaps by sluice rules apply):%n", rate, phases, phaseSeconds, swaps[0]);
            print("  without swaps", without);
            print("  swap every 1s", with);
            System.out.printf("  longest processor pause of a swap in the daemon (sum over shards of " +
                "processor_rules_max_switch, the first swap's cold code included): %.2f us%n", maxSwitchNs / 1e3);
        }
        finally
        {
            IoUtil.delete(dir.toFile(), true);
        }
    }

    private static void print(final String name, final Histogram h)
    {
        System.out.printf("%s: %,d round trips, p50 %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
            name, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
            h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }

    private static String rulesText(final List<AlertRule> rules)
    {
        final StringBuilder b = new StringBuilder();
        for (final AlertRule rule : rules)
        {
            final String base = AlertRule.PREFIX + rule.name() + ".";
            b.append(base).append("on=event\n").append(base).append("field=value\n").append(base).append("op=")
                .append(rule.op().symbol()).append('\n').append(base).append("threshold=").append(rule.threshold())
                .append('\n');
        }
        return b.toString();
    }

    private static int freePort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * Open-loop load: events on a fixed schedule, each round trip from its intended send time.
     */
    private static final class Load implements SluiceResultHandler
    {
        private static final int MASK = (1 << 20) - 1;
        private final SluiceClient client;
        private final long intervalNs;
        private final long[] intended = new long[MASK + 1];
        private Histogram histogram;
        private long sent;
        private long answered;

        Load(final SluiceClient client, final int rate)
        {
            this.client = client;
            this.intervalNs = 1_000_000_000L / rate;
        }

        void run(final long durationNs, final Histogram histogram)
        {
            this.histogram = histogram;
            final long startNs = System.nanoTime();
            long next = startNs;
            while (System.nanoTime() - startNs < durationNs)
            {
                final long nowNs = System.nanoTime();
                if (nowNs - next >= 0)
                {
                    final long id = client.offerEvent(sent % KEYS, T0 + sent, sent % 100);
                    if (id > 0)
                    {
                        intended[(int)(id & MASK)] = next;
                        sent++;
                        next += intervalNs;
                    }
                }
                client.poll(this, 64);
            }
        }

        void drain()
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (answered < sent && System.nanoTime() < deadline)
            {
                client.poll(this, 64);
            }
        }

        public void onEventResult(final EventResultDecoder result)
        {
            answered++;
            if (null != histogram)
            {
                histogram.recordValue(Math.min(System.nanoTime() - intended[(int)(result.correlationId() & MASK)],
                    histogram.getHighestTrackableValue()));
            }
        }

        public void onRejected(final RejectedDecoder rejected)
        {
            answered++;
        }
    }

    /**
     * Drops every result.
     */
    private static final class DiscardingSink implements io.sluice.core.logic.ResultSink
    {
        public void onEventResult(
            final long clientId, final long correlationId, final long key, final long timestamp,
            final io.sluice.core.state.Aggregate a, final long receiveNanos, final int resultMode)
        {
        }

        public void onQueryResult(
            final long clientId, final long correlationId, final long key, final boolean found,
            final io.sluice.core.state.Aggregate open, final io.sluice.core.state.Aggregate closed)
        {
        }

        public void onRejected(
            final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
        }

        public void onWindowResult(final long key, final long windowEnd, final io.sluice.core.state.Aggregate w)
        {
        }

        public void onAlert(
            final int ruleIndex, final long key, final long windowStart, final int field, final int op,
            final double observed, final double threshold)
        {
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
        }
    }
}
