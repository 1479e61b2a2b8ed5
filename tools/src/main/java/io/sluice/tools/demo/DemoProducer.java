package io.sluice.tools.demo;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;
import org.HdrHistogram.Histogram;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.PrintStream;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The producer of {@code sluice producer}, which {@code ./sluice demo} also runs against its daemon: a separate
 * process from the daemon with its own embedded media driver, a {@link SluiceClient}
 * over UDP loopback, about 1,000 keys with a random walk of values at a fixed rate, and one line a second of what
 * came back. Every 2,000th event carries a NaN value to show a {@code Rejected(INVALID_VALUE)} answer; with
 * windows on it also shows window results and the first alerts as they arrive.
 * <p>
 * The first seconds of the run are a warm-up (JIT compilation, connection set-up: on a 2-vCPU host the first
 * second's median round trip is milliseconds, the steady state's tens of microseconds): their lines say
 * {@code warm-up} and show no percentiles. After it each line shows the round-trip percentiles of its second, and
 * the run ends with the steady state's percentiles and the whole run's, each labelled. An event belongs to the
 * warm-up when it was sent in it, whenever its answer arrives.
 * <p>
 * Round trip is measured from each event's intended send time (its slot in the fixed-rate schedule), so a stall
 * on either side shows up in the figures.
 * <p>
 * Every line that is not a per-second report starts with {@value #LABEL}, the command's name, the way the daemon's
 * lines start with {@code sluice:}.
 */
public final class DemoProducer implements SluiceResultHandler
{
    /** What the producer's lines other than the per-second reports start with. */
    public static final String LABEL = "producer:";

    /** Seconds {@code sluice producer} waits for the daemon to answer its connection. */
    public static final int CONNECT_TIMEOUT_SECONDS = 20;

    /** Seconds of warm-up of a run of at least twice as long, when none is given. */
    public static final int DEFAULT_WARMUP_SECONDS = 3;

    private static final long[] SHOWN_KEYS = {1, 2, 3};

    private final PrintStream out;
    private final long[] intendedSendNs;
    private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram steady = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram interval = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final int rate;
    private final int warmupSeconds;
    private long steadyFromCorrelationId = Long.MAX_VALUE;
    private int reports;
    private final Long2ObjectHashMap<double[]> shown = new Long2ObjectHashMap<>();
    private long results;
    private long rejected;
    private long windows;
    private long alerts;
    private final StringBuilder lastWindow = new StringBuilder();
    private final StringBuilder alertLines = new StringBuilder();
    private int alertLinesShown;

    private DemoProducer(final PrintStream out, final int events, final int rate, final int warmupSeconds)
    {
        this.out = out;
        this.rate = rate;
        this.warmupSeconds = warmupSeconds;
        // ids beyond the events: a resume after a restart or a cluster's leader change spends one each
        this.intendedSendNs = new long[events + 1 + 4096];
        for (final long key : SHOWN_KEYS)
        {
            shown.put(key, new double[4]);
        }
    }

    /**
     * @param seconds how long the run sends.
     * @return the warm-up when none is given: {@value #DEFAULT_WARMUP_SECONDS} s, or half the run when that is
     * shorter (rounded down).
     */
    public static int defaultWarmupSeconds(final int seconds)
    {
        return Math.min(DEFAULT_WARMUP_SECONDS, seconds / 2);
    }

    /**
     * Run the producer.
     *
     * @param ctx           how to reach the daemon.
     * @param rate          events per second.
     * @param seconds       how long to send, warm-up included.
     * @param warmupSeconds the first seconds of the run, whose round trips are left out of every figure but the
     *                      whole run's; 0 to {@code seconds - 1}.
     * @param keys          number of distinct keys.
     * @param connectTimeoutSeconds how long to wait for the daemon to answer the connection
     *                      ({@value #CONNECT_TIMEOUT_SECONDS} for {@code sluice producer}).
     * @param out           where the report lines go.
     * @return 0 when every event was answered, 1 otherwise (the daemon did not answer the connection included).
     */
    public static int run(
        final SluiceClient.Context ctx,
        final int rate,
        final int seconds,
        final int warmupSeconds,
        final int keys,
        final int connectTimeoutSeconds,
        final PrintStream out)
    {
        final int events = rate * seconds;
        final DemoProducer producer = new DemoProducer(out, events, rate, warmupSeconds);
        try (SluiceClient client = SluiceClient.connect(ctx))
        {
            if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(connectTimeoutSeconds)))
            {
                out.printf("%s could not connect to the daemon within %d s%s%n", LABEL, connectTimeoutSeconds,
                    ctx.hasSecret() ? "" : " (a daemon with sluice.auth.file set answers only authenticated " +
                    "clients: give --client-id and --secret-file)");
                return 1;
            }
            out.printf("%s client %d connected; sending %,d events/s over %,d keys for %d s%n",
                LABEL, client.clientId(), rate, keys, seconds);
            if (warmupSeconds > 0)
            {
                out.printf("%s the first %d s warm up (JIT compilation, connection set-up): no percentiles for " +
                    "them; then round-trip percentiles of each second%n", LABEL, warmupSeconds);
            }
            return producer.send(client, events, keys);
        }
    }

    private int send(final SluiceClient client, final int events, final int keys)
    {
        final long warmupEvents = (long)rate * warmupSeconds;
        final Random random = new Random(1);
        final double[] walk = new double[keys];
        for (int i = 0; i < keys; i++)
        {
            walk[i] = 100.0;
        }
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long startNs = System.nanoTime();
        final long epochOffsetNs = System.currentTimeMillis() * 1_000_000L - startNs;
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long lastSent = 0;
        int sent = 0;
        while (sent < events)
        {
            final long intendedNs = startNs + sent * intervalNs;
            final long nowNs = System.nanoTime();
            if (nowNs >= intendedNs)
            {
                final int keyIndex = random.nextInt(keys);
                walk[keyIndex] += random.nextGaussian();
                final double value = (sent + 1) % 2000 == 0 ? Double.NaN : Math.round(walk[keyIndex] * 100) / 100.0;
                final long key = keyIndex < SHOWN_KEYS.length ? SHOWN_KEYS[keyIndex] : keyIndex + 1;
                final long correlationId = client.offerEvent(key, epochOffsetNs + intendedNs, value);
                if (correlationId > 0)
                {
                    if (sent == warmupEvents)
                    {
                        steadyFromCorrelationId = correlationId;
                    }
                    if (correlationId < intendedSendNs.length)
                    {
                        intendedSendNs[(int)correlationId] = intendedNs;
                    }
                    sent++;
                }
            }
            client.poll(this, 64);
            if (nowNs >= nextReportNs)
            {
                report(sent, sent - lastSent);
                lastSent = sent;
                nextReportNs += TimeUnit.SECONDS.toNanos(1);
            }
        }
        final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (results + rejected < sent && System.nanoTime() < drainDeadline)
        {
            if (0 == client.poll(this, 64))
            {
                Thread.onSpinWait();
            }
        }
        if (lastWindow.length() > 0 || windows > 0)
        {
            final long quietDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < quietDeadline)
            {
                if (0 == client.poll(this, 64))
                {
                    Thread.onSpinWait();
                }
            }
        }
        report(sent, sent - lastSent);
        final int seconds = events / rate;
        if (warmupSeconds > 0)
        {
            out.printf("%s steady state (%d s after the %d s warm-up): rtt %s (%,d events/s, open loop, from " +
                "intended send time)%n", LABEL, seconds - warmupSeconds, warmupSeconds, percentiles(steady), rate);
            out.printf("%s whole run (%d s, warm-up included): rtt %s%n", LABEL, seconds, percentiles(histogram));
        }
        else
        {
            out.printf("%s whole run (%d s, no warm-up): rtt %s (%,d events/s, open loop, from intended send " +
                "time)%n", LABEL, seconds, percentiles(histogram), rate);
        }
        final boolean complete = results + rejected == sent;
        out.printf("%s done: %,d sent, %,d results, %,d rejected, %s%n",
            LABEL, sent, results, rejected, complete ? "every event answered" : "MISSING " + (sent - results - rejected));
        return complete ? 0 : 1;
    }

    private static String percentiles(final Histogram h)
    {
        return String.format("p50 %,.1f us  p90 %,.1f us  p99 %,.1f us  max %,.1f us",
            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
            h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    private void report(final int sent, final long sentThisSecond)
    {
        reports++;
        final StringBuilder keys = new StringBuilder();
        for (final long key : SHOWN_KEYS)
        {
            final double[] agg = shown.get(key);
            keys.append(String.format("  key %d: n=%d last=%.2f min=%.2f max=%.2f", key, (long)agg[0], agg[1], agg[2], agg[3]));
        }
        if (reports <= warmupSeconds)
        {
            out.printf("warm-up  sent %,8d (%,6d/s)  results %,8d  rejected %,4d%s%n",
                sent, sentThisSecond, results, rejected, keys);
        }
        else
        {
            out.printf("sent %,8d (%,6d/s)  results %,8d  rejected %,4d  rtt p50 %,7.1f us  p99 %,8.1f us%s%n",
                sent, sentThisSecond, results, rejected,
                interval.getValueAtPercentile(50) / 1000.0, interval.getValueAtPercentile(99) / 1000.0, keys);
        }
        interval.reset();
        if (windows > 0 || alerts > 0)
        {
            out.printf("         windows closed %,7d  alerts %,5d  last window: %s%n", windows, alerts, lastWindow);
            out.print(alertLines);
            alertLines.setLength(0);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onEventResult(final EventResultDecoder result)
    {
        results++;
        recordRoundTrip(result.correlationId());
        final double[] agg = shown.get(result.key());
        if (null != agg)
        {
            agg[0] = result.count();
            agg[1] = result.last();
            agg[2] = result.min();
            agg[3] = result.max();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onRejected(final RejectedDecoder reject)
    {
        rejected++;
        recordRoundTrip(reject.correlationId());
    }

    /**
     * {@inheritDoc}
     */
    public void onWindowResult(final WindowResultDecoder window)
    {
        windows++;
        if (window.key() == SHOWN_KEYS[0])
        {
            lastWindow.setLength(0);
            final long secondOfDay = window.windowStart() / 1_000_000_000L % 86_400;
            lastWindow.append("key ").append(window.key()).append(" [")
                .append(String.format("%02d:%02d:%02d", secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60))
                .append(" UTC, ").append((window.windowEnd() - window.windowStart()) / 1_000_000).append(" ms) n=").append(window.count()).append(" min=").append(window.min())
                .append(" max=").append(window.max()).append(" first=").append(window.first())
                .append(" last=").append(window.last());
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onAlert(final AlertDecoder alert)
    {
        alerts++;
        if (alertLinesShown < 8)
        {
            alertLinesShown++;
            final long key = alert.key();
            final long windowStart = alert.windowStart();
            final String field = alert.field().name();
            final String op = alert.op().name();
            final double observed = alert.observed();
            final double threshold = alert.threshold();
            alertLines.append("         ALERT ").append(alert.ruleName()).append(": key ").append(key)
                .append(windowStart == 0 ? " event" : " window").append(' ').append(field).append(' ').append(op)
                .append(' ').append(threshold).append(" (observed ").append(observed).append(")\n");
        }
    }

    private void recordRoundTrip(final long correlationId)
    {
        if (correlationId > 0 && correlationId < intendedSendNs.length)
        {
            final long rttNs = Math.min(
                histogram.getHighestTrackableValue(), System.nanoTime() - intendedSendNs[(int)correlationId]);
            histogram.recordValue(rttNs);
            if (correlationId >= steadyFromCorrelationId)
            {
                steady.recordValue(rttNs);
                interval.recordValue(rttNs);
            }
        }
    }
}
