package io.sluice.bench;

import io.aeron.Publication;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WindowType;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.SplittableRandom;

/**
 * One generator thread of the throughput benchmark: offers events through its own {@link SluiceClient} in bursts
 * (a burst's events share one timestamp and go out on one {@code flush()}), polls in between, and counts what
 * comes back for this step in the form its result mode promises: results of its events, and the window results
 * and alerts of its own keys ({@code keys} keys from {@code keyBase}, so several generators never count each
 * other's windows).
 * <p>
 * A step either keeps a rate (a {@link Schedule} of bursts, open loop: events due are sent as soon as the client
 * takes them, and the step gives up sending after twice its duration) or offers flat out (bursts back to back,
 * retried on back-pressure), then waits up to the drain time for everything to be answered. Windows are
 * attributed to a step by event time: a step's events are stamped with the wall clock, a step with windows starts
 * no earlier than one window size after the previous step's last event time, and only windows ending after the
 * step's first event time count, so a late window of an earlier step is never counted twice.
 * <p>
 * Event values are 95-105 except one in 8,192 at 89 and one in 8,192 at 109, so the demo configuration's event
 * rule ({@code value < 90}) and window rule ({@code max > 108}) are evaluated for every event and fire now and then.
 * Owned by one thread, which also runs the client's embedded driver.
 */
final class BurstGenerator implements SluiceResultHandler
{
    /** Fragments read per poll. */
    static final int POLL_LIMIT = 1024;

    private static final int EVENT_RESULT_BYTES = MessageHeaderDecoder.ENCODED_LENGTH + EventResultDecoder.BLOCK_LENGTH;
    private static final int BATCHED_RESULT_BYTES = EventResultBatchDecoder.ResultsDecoder.sbeBlockLength();
    private static final int WINDOW_RESULT_BYTES =
        MessageHeaderDecoder.ENCODED_LENGTH + WindowResultDecoder.BLOCK_LENGTH;
    private static final int ALERT_BYTES =
        MessageHeaderDecoder.ENCODED_LENGTH + AlertDecoder.BLOCK_LENGTH + Integer.BYTES;

    private final SluiceClient client;
    private final String mode;
    private final boolean perEvent;
    private final boolean batched;
    private final boolean none;
    private final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 50_000);
    private final long keyBase;
    private final int keys;
    private final int windowsPerEvent;
    private final long windowSizeNs;
    private final SplittableRandom random;
    private final long epochOffsetNs = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    private long firstId = Long.MAX_VALUE;
    private long lastId = Long.MAX_VALUE;
    private long firstTimestamp = Long.MAX_VALUE;
    private long lastTimestamp = Long.MIN_VALUE;
    private long answered;
    private long misrouted;
    private long rejected;
    private long windowCount;
    private long outBytes;

    /**
     * What one generator (or, summed, several) did in one step.
     *
     * @param sent          events taken by the client.
     * @param answered      results in the mode's form.
     * @param misrouted     results in another mode's form.
     * @param rejected      rejections.
     * @param windowCount   sum of {@code count} of this step's window results of the generator's keys.
     * @param outBytes      bytes of those results, window results and alerts.
     * @param beganNs       when sending began, {@code System.nanoTime()} (the earliest, when summed; the clock is
     *                      the same in every process of the host).
     * @param sendNs        time spent sending (the longest, when summed).
     * @param backPressured offers refused by back-pressure.
     */
    record Totals(
        long sent, long answered, long misrouted, long rejected, long windowCount, long outBytes, long beganNs,
        long sendNs, long backPressured)
    {
        /**
         * @param o another generator's totals.
         * @return the sums, and the longer send time.
         */
        Totals plus(final Totals o)
        {
            return new Totals(sent + o.sent, answered + o.answered, misrouted + o.misrouted, rejected + o.rejected,
                windowCount + o.windowCount, outBytes + o.outBytes, Math.min(beganNs, o.beganNs),
                Math.max(sendNs, o.sendNs), backPressured + o.backPressured);
        }

        /**
         * @return the protocol line a generator process prints.
         */
        String toLine()
        {
            return "result " + sent + ' ' + answered + ' ' + misrouted + ' ' + rejected + ' ' + windowCount + ' ' +
                outBytes + ' ' + beganNs + ' ' + sendNs + ' ' + backPressured;
        }

        /**
         * @param line a line from {@link #toLine()}.
         * @return the totals it carries.
         */
        static Totals parse(final String line)
        {
            final String[] f = line.trim().split(" ");
            if (10 != f.length || !"result".equals(f[0]))
            {
                throw new IllegalArgumentException("not a result line: " + line);
            }
            return new Totals(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]),
                Long.parseLong(f[9]));
        }
    }

    /**
     * @param client  a connected client, used by this generator's thread only.
     * @param mode    the client's result mode: {@code none}, {@code batched} or {@code per-event}.
     * @param keyBase first key of this generator.
     * @param keys    number of keys.
     * @param config  the daemon's configuration (its windows).
     * @param seed    seed of the keys and values.
     */
    BurstGenerator(
        final SluiceClient client, final String mode, final long keyBase, final int keys, final SluiceConfig config,
        final long seed)
    {
        this.client = client;
        this.mode = mode;
        this.perEvent = "per-event".equals(mode);
        this.batched = "batched".equals(mode);
        this.none = "none".equals(mode);
        this.keyBase = keyBase;
        this.keys = keys;
        this.windowsPerEvent = windowsPerEvent(config);
        this.windowSizeNs = WindowType.NONE == config.windowType() ? 0 : config.windowSizeNs();
        this.random = new SplittableRandom(seed);
    }

    /**
     * @param config a daemon configuration.
     * @return windows each event falls in: 0 without windows, 1 tumbling, size / slide sliding.
     */
    static int windowsPerEvent(final SluiceConfig config)
    {
        return switch (config.windowType())
        {
            case NONE -> 0;
            case TUMBLING -> 1;
            case SLIDING -> (int)(config.windowSizeNs() / config.windowSlideNs());
        };
    }

    /**
     * Run one step.
     *
     * @param rate       events per second, 0 for flat out.
     * @param durationNs how long to send.
     * @param burst      events per burst, at least 1.
     * @param drainNs    longest wait after sending for the answers (and, in {@code none} mode, the windows).
     * @return what the step did.
     */
    Totals step(final long rate, final long durationNs, final int burst, final long drainNs)
    {
        if (none)
        {
            awaitWindowGap();
        }
        answered = 0;
        misrouted = 0;
        rejected = 0;
        windowCount = 0;
        outBytes = 0;
        firstId = Long.MAX_VALUE;
        lastId = Long.MAX_VALUE;
        firstTimestamp = Long.MAX_VALUE;
        long sent = 0;
        long backPressured = 0;
        idle.reset();
        final long beganNs = System.nanoTime();
        if (0 == rate)
        {
            final long endNs = beganNs + durationNs;
            long nowNs;
            while ((nowNs = System.nanoTime()) - endNs < 0)
            {
                final long timestamp = stamp(nowNs);
                int offered = 0;
                while (offered < burst && offer(timestamp) > 0)
                {
                    offered++;
                }
                if (offered < burst)
                {
                    backPressured++;
                }
                sent += offered;
                flush();
                idle(offered + pollAll());
            }
        }
        else
        {
            final Schedule schedule = new Schedule(beganNs, rate, burst);
            final long events = schedule.eventsIn(durationNs);
            final long giveUpNs = beganNs + 2 * durationNs;
            long nowNs;
            while (sent < events && (nowNs = System.nanoTime()) - giveUpNs < 0)
            {
                int offered = 0;
                if (schedule.intendedNs(sent) - nowNs <= 0)
                {
                    final long timestamp = stamp(nowNs);
                    final long limit = Math.min(events, sent + 4L * burst);
                    while (sent < limit && schedule.intendedNs(sent) - nowNs <= 0)
                    {
                        if (offer(timestamp) < 0)
                        {
                            backPressured++;
                            break;
                        }
                        sent++;
                        offered++;
                    }
                    flush();
                }
                idle(offered + pollAll());
            }
        }
        final long sendNs = System.nanoTime() - beganNs;
        if (sent > 0)
        {
            lastId = firstId + sent - 1;
        }
        final long expectedWindowCount = sent * windowsPerEvent;
        final long deadlineNs = System.nanoTime() + drainNs;
        while (System.nanoTime() - deadlineNs < 0 &&
            (none ? windowCount < expectedWindowCount : answered + misrouted + rejected < sent))
        {
            flush();
            idle(pollAll());
        }
        return new Totals(
            sent, answered, misrouted, rejected, windowCount, outBytes, beganNs, sendNs, backPressured);
    }

    private void idle(final int work)
    {
        if (0 == work)
        {
            idle.idle();
        }
        else
        {
            idle.reset();
        }
    }

    /**
     * Keep the client and its embedded driver serviced between steps (a step's last events may still be on their way,
     * or being retransmitted), backing off when nothing happens.
     */
    void service()
    {
        idle(pollAll());
    }

    /**
     * Poll until nothing more arrives: each poll also runs the embedded driver's duty cycle once, whose receiver
     * reads one datagram per channel, so a single poll per burst would let results pile up and back-pressure the
     * daemon's egress.
     */
    private int pollAll()
    {
        int total = 0;
        int fragments;
        do
        {
            fragments = client.poll(this, POLL_LIMIT);
            total += fragments;
        }
        while (fragments > 0);
        return total;
    }

    private long stamp(final long nowNs)
    {
        final long timestamp = epochOffsetNs + nowNs;
        if (Long.MAX_VALUE == firstTimestamp)
        {
            firstTimestamp = timestamp;
        }
        lastTimestamp = timestamp;
        return timestamp;
    }

    private long offer(final long timestamp)
    {
        final int r = random.nextInt(8192);
        final double value = 0 == r ? 89.0 : 1 == r ? 109.0 : 95.0 + (r & 1023) / 102.4;
        final long id = client.offerEvent(keyBase + random.nextInt(keys), timestamp, value);
        if (Publication.CLOSED == id || Publication.MAX_POSITION_EXCEEDED == id)
        {
            throw new IllegalStateException("publication to the daemon is closed: " + id);
        }
        if (id > 0 && Long.MAX_VALUE == firstId)
        {
            firstId = id;
        }
        return id;
    }

    private void flush()
    {
        client.flush();
    }

    private void awaitWindowGap()
    {
        if (0 == windowsPerEvent || Long.MIN_VALUE == lastTimestamp)
        {
            return;
        }
        final long startNotBefore = lastTimestamp + windowSizeNs;
        while (epochOffsetNs + System.nanoTime() - startNotBefore < 0)
        {
            if (0 == client.poll(this, POLL_LIMIT))
            {
                LatencyBench.sleep(1);
            }
        }
    }

    private boolean ours(final long correlationId)
    {
        return correlationId >= firstId && correlationId <= lastId;
    }

    private boolean ourKey(final long key)
    {
        return key >= keyBase && key < keyBase + keys;
    }

    /**
     * {@inheritDoc}
     */
    public void onEventResult(final EventResultDecoder result)
    {
        if (ours(result.correlationId()))
        {
            if (perEvent)
            {
                answered++;
            }
            else
            {
                misrouted++;
            }
            outBytes += EVENT_RESULT_BYTES;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onBatchedEventResult(final EventResultBatchDecoder.ResultsDecoder result)
    {
        if (ours(result.correlationId()))
        {
            if (batched)
            {
                answered++;
            }
            else
            {
                misrouted++;
            }
            outBytes += BATCHED_RESULT_BYTES;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onRejected(final RejectedDecoder reject)
    {
        if (ours(reject.correlationId()))
        {
            rejected++;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onWindowResult(final WindowResultDecoder result)
    {
        if (ourKey(result.key()) && result.windowEnd() > firstTimestamp)
        {
            windowCount += result.count();
            outBytes += WINDOW_RESULT_BYTES;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onAlert(final AlertDecoder alert)
    {
        if (ourKey(alert.key()))
        {
            outBytes += ALERT_BYTES + alert.ruleNameLength();
        }
    }
}
