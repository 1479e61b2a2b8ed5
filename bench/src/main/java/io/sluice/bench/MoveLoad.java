package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.client.TopologyClient;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.HdrHistogram.Histogram;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The load of {@link MoveBench}: events over a routing {@link TopologyClient} or a direct {@link SluiceClient}
 * behind one interface, sent open-loop at a fixed rate (each round trip measured from the event's intended send
 * time, so a stall counts for every event it delayed: coordinated omission corrected as in {@link LoadGenerator}),
 * or as fast as the link takes them (loading the keys). Keys are drawn uniformly from {@code [0, keys)}; every event
 * time is inside one window ({@code t0} plus under a second), so no window closes during a run. One thread.
 */
final class MoveLoad implements SluiceResultHandler
{
    private static final int ID_MASK = (1 << 22) - 1;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    /**
     * What the load sends through: the routing client or the direct one.
     */
    interface Link
    {
        long offer(long key, long timestamp, double value);

        int poll(SluiceResultHandler handler);

        boolean flush();

        static Link of(final TopologyClient client)
        {
            return new Link()
            {
                public long offer(final long key, final long timestamp, final double value)
                {
                    return client.offerEvent(key, timestamp, value);
                }

                public int poll(final SluiceResultHandler handler)
                {
                    return client.poll(handler, 256);
                }

                public boolean flush()
                {
                    return client.flush();
                }
            };
        }

        static Link of(final SluiceClient client)
        {
            return new Link()
            {
                public long offer(final long key, final long timestamp, final double value)
                {
                    return client.offerEvent(key, timestamp, value);
                }

                public int poll(final SluiceResultHandler handler)
                {
                    return client.poll(handler, 256);
                }

                public boolean flush()
                {
                    return client.flush();
                }
            };
        }
    }

    /**
     * One run's figures.
     *
     * @param histogram round trips, ns (null for a load).
     * @param sent      events sent.
     * @param answered  events answered with a result.
     * @param rejected  events answered with a rejection (none expected: NOT_OWNER is the routing client's own).
     * @param elapsedNs from the first send to the last answer, ns.
     */
    record Run(Histogram histogram, long sent, long answered, long rejected, long elapsedNs)
    {
        double perSecond()
        {
            return answered * 1e9 / elapsedNs;
        }

        String latency()
        {
            return String.format(java.util.Locale.ROOT, "p50 %s, p90 %s, p99 %s, max %s",
                MoveBench.micros(histogram.getValueAtPercentile(50)),
                MoveBench.micros(histogram.getValueAtPercentile(90)),
                MoveBench.micros(histogram.getValueAtPercentile(99)), MoveBench.micros(histogram.getMaxValue()));
        }
    }

    private static final SluiceResultHandler IGNORE = new SluiceResultHandler()
    {
        public void onEventResult(final EventResultDecoder result)
        {
        }

        public void onRejected(final RejectedDecoder rejected)
        {
        }
    };

    private final long[] intendedById = new long[ID_MASK + 1];
    private final SplittableRandom random = new SplittableRandom(24);
    private final long t0;
    private Link companion;
    private Histogram histogram;
    private long answered;
    private long rejected;
    private long lastAnswerNs;

    /**
     * @param t0 the window start every event time is at or after (under a second after).
     */
    MoveLoad(final long t0)
    {
        this.t0 = t0;
    }

    /**
     * Keep another link of this thread alive while this one runs: an embedded driver that runs only when its client
     * is polled would otherwise time the idle client out (as {@link LoadGenerator#companion}).
     *
     * @param other the other link, or null.
     * @return this.
     */
    MoveLoad companion(final Link other)
    {
        companion = other;
        return this;
    }

    /**
     * Send {@code keys} events, one per key 0 to keys-1, as fast as the link takes them, and wait for every answer.
     *
     * @param link      where to.
     * @param keys      how many keys.
     * @param timeoutNs longest wait.
     * @return the figures (no histogram).
     */
    Run load(final Link link, final int keys, final long timeoutNs)
    {
        return blast(link, keys, timeoutNs);
    }

    private Run blast(final Link link, final long events, final long timeoutNs)
    {
        reset(null);
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + timeoutNs;
        long sent = 0;
        while (sent < events && System.nanoTime() - deadlineNs < 0)
        {
            pollCompanion(sent);
            final long key = sent;
            if (link.offer(key, t0 + (sent % 1_000_000) * 100, 1.0) > 0)
            {
                if ((++sent & 63) == 0)
                {
                    link.poll(this);
                }
            }
            else
            {
                link.poll(this);
            }
        }
        await(link, sent, deadlineNs);
        return new Run(null, sent, answered, rejected, lastAnswerNs - startNs);
    }

    /**
     * Open-loop at a fixed rate for a time; round trips from each event's intended send time.
     *
     * @param link    where to.
     * @param rate    events per second.
     * @param seconds how long to send.
     * @param keys    key space.
     * @return the figures.
     */
    Run fixedRate(final Link link, final long rate, final int seconds, final int keys)
    {
        reset(new Histogram(HIGHEST_NS, 3));
        final long periodNs = 1_000_000_000L / rate;
        final long total = rate * seconds;
        final long startNs = System.nanoTime();
        long sent = 0;
        long nextNs = startNs;
        final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(seconds + 30L);
        while (sent < total && System.nanoTime() - deadlineNs < 0)
        {
            pollCompanion(sent);
            final long now = System.nanoTime();
            if (now - nextNs >= 0)
            {
                final long id = link.offer(random.nextInt(keys), t0 + (sent % 1_000_000) * 100, 1.0);
                if (id > 0)
                {
                    intendedById[(int)(id & ID_MASK)] = nextNs;
                    sent++;
                    nextNs = startNs + sent * periodNs;
                }
            }
            if (0 == link.poll(this) && nextNs - System.nanoTime() > 20_000)
            {
                Thread.yield();
            }
        }
        await(link, sent, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        return new Run(histogram, sent, answered, rejected, lastAnswerNs - startNs);
    }

    private void await(final Link link, final long sent, final long deadlineNs)
    {
        while (answered + rejected < sent && System.nanoTime() - deadlineNs < 0)
        {
            link.flush();
            if (0 == link.poll(this))
            {
                Thread.yield();
            }
        }
    }

    private void pollCompanion(final long sent)
    {
        if (null != companion && (sent & 255) == 0)
        {
            companion.poll(IGNORE);
        }
    }

    private void reset(final Histogram h)
    {
        histogram = h;
        answered = 0;
        rejected = 0;
    }

    private void answered(final long correlationId)
    {
        final long now = System.nanoTime();
        if (null != histogram)
        {
            histogram.recordValue(Math.min(HIGHEST_NS, now - intendedById[(int)(correlationId & ID_MASK)]));
        }
        answered++;
        lastAnswerNs = now;
    }

    public void onEventResult(final EventResultDecoder result)
    {
        answered(result.correlationId());
    }

    public void onBatchedEventResult(final EventResultBatchDecoder.ResultsDecoder result)
    {
        answered(result.correlationId());
    }

    public void onRejected(final RejectedDecoder rejected)
    {
        this.rejected++;
        lastAnswerNs = System.nanoTime();
    }
}
