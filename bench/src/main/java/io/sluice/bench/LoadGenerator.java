package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.aeron.logbuffer.BufferClaim;
import io.sluice.client.SluiceResultHandler;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.HdrHistogram.Histogram;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Open-loop load: sends events on a {@link Schedule} from one thread, polls results in between, and records each
 * round trip (intended send time to result received) into an HdrHistogram. Works against the daemon and the echo
 * server alike: both answer an Event with an EventResult carrying its correlation id.
 */
public final class LoadGenerator implements SluiceResultHandler
{
    private static final int ID_BITS = 23;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(30);

    private static final SluiceResultHandler IGNORE = new SluiceResultHandler()
    {
        public void onEventResult(final EventResultDecoder result)
        {
        }

        public void onRejected(final RejectedDecoder rejected)
        {
        }
    };

    private final SluiceClient client;
    private final int messageSize;
    private final BufferClaim claim = new BufferClaim();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EventEncoder eventEncoder = new EventEncoder();
    private long nextPaddedId = 1L << 40;
    private SluiceClient[] companions = new SluiceClient[0];
    private long nextCompanionDutyNs;
    private final int idMask;
    private final long[] intendedById;
    private final long epochOffsetNs = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    private final SplittableRandom random = new SplittableRandom(7);
    private Histogram histogram;
    private long firstId;
    private long lastId = Long.MAX_VALUE;
    private long received;
    private long rejected;

    /**
     * @param client a connected client.
     */
    public LoadGenerator(final SluiceClient client)
    {
        this(client, 0);
    }

    /**
     * @param client      a connected client.
     * @param messageSize bytes of each Event frame; above the Event's own {@value #EVENT_LENGTH} the frame is padded
     *                    with zeros after the message (decoders ignore them), 0 for plain Events.
     */
    public LoadGenerator(final SluiceClient client, final int messageSize)
    {
        this(client, messageSize, ID_BITS);
    }

    /**
     * @param client      a connected client.
     * @param messageSize as {@link #LoadGenerator(SluiceClient, int)}.
     * @param idBits      the table of intended send times holds {@code 2^idBits} entries, indexed by correlation id
     *                    modulo its size: it must exceed the events in flight at any time (default 23: 64 MiB).
     */
    public LoadGenerator(final SluiceClient client, final int messageSize, final int idBits)
    {
        this.idMask = (1 << idBits) - 1;
        this.intendedById = new long[idMask + 1];
        if (messageSize != 0 && messageSize < EVENT_LENGTH)
        {
            throw new IllegalArgumentException("message size must be 0 or >= " + EVENT_LENGTH + ": " + messageSize);
        }
        this.client = client;
        this.messageSize = messageSize > EVENT_LENGTH ? messageSize : 0;
    }

    /** Bytes of an unpadded Event: header and block. */
    public static final int EVENT_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH;

    /**
     * Keep another client of this thread alive while this one runs: its embedded driver and conductor run only when
     * it is polled, and an Aeron client not serviced for the liveness timeout is closed by its driver.
     *
     * @param other the other client, or null.
     * @return this.
     */
    public LoadGenerator companion(final SluiceClient other)
    {
        return companions(other);
    }

    /**
     * Keep other clients of this thread alive while this one runs (see {@link #companion(SluiceClient)}); a cluster
     * client also keeps its session alive only while polled.
     *
     * @param others the other clients; nulls are skipped.
     * @return this.
     */
    public LoadGenerator companions(final SluiceClient... others)
    {
        int count = 0;
        for (final SluiceClient other : others)
        {
            count += null == other ? 0 : 1;
        }
        final SluiceClient[] kept = new SluiceClient[count];
        int i = 0;
        for (final SluiceClient other : others)
        {
            if (null != other)
            {
                kept[i++] = other;
            }
        }
        this.companions = kept;
        return this;
    }

    /**
     * What one phase measured.
     *
     * @param histogram  round trips of the answered events, ns.
     * @param sent       events sent.
     * @param received   results received for them.
     * @param rejected   rejections received for them.
     * @param achievedPerSecond events per second actually sent.
     */
    public record Phase(Histogram histogram, long sent, long received, long rejected, double achievedPerSecond)
    {
        /**
         * @return true when every event sent was answered.
         */
        public boolean complete()
        {
            return received + rejected == sent;
        }
    }

    /**
     * Run one phase.
     *
     * @param rate        events per second.
     * @param durationNs  how long to send.
     * @param burst       events per tick.
     * @param keys        distinct keys.
     * @param drainNs     longest wait for outstanding results after the last send.
     * @return what was measured.
     */
    public Phase run(final long rate, final long durationNs, final int burst, final int keys, final long drainNs)
    {
        histogram = new Histogram(HIGHEST_NS, 3);
        received = 0;
        rejected = 0;
        final Schedule schedule = new Schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1), rate, burst);
        final long events = schedule.eventsIn(durationNs);
        firstId = Long.MAX_VALUE;
        lastId = Long.MAX_VALUE;
        long sent = 0;
        final long beganNs = System.nanoTime();
        while (sent < events)
        {
            final long intendedNs = schedule.intendedNs(sent);
            if (System.nanoTime() >= intendedNs)
            {
                final long key = random.nextInt(keys);
                final double value = random.nextInt(10_000) / 100.0;
                final long id = 0 == messageSize ?
                    client.offerEvent(key, epochOffsetNs + intendedNs, value) :
                    offerPadded(key, epochOffsetNs + intendedNs, value);
                if (id == io.aeron.Publication.CLOSED || id == io.aeron.Publication.MAX_POSITION_EXCEEDED)
                {
                    throw new IllegalStateException("publication to the server is closed: " + id);
                }
                if (id > 0)
                {
                    if (Long.MAX_VALUE == firstId)
                    {
                        firstId = id;
                    }
                    intendedById[(int)(id & idMask)] = intendedNs;
                    sent++;
                    continue;
                }
            }
            client.poll(this, 256);
            serviceCompanion();
        }
        final long sendEndNs = System.nanoTime();
        lastId = firstId + sent - 1;
        final long deadline = System.nanoTime() + drainNs;
        while (received + rejected < sent && System.nanoTime() < deadline)
        {
            client.poll(this, 256);
            serviceCompanion();
        }
        final double achieved = sent * 1e9 / Math.max(1, sendEndNs - beganNs);
        return new Phase(histogram, sent, received, rejected, achieved);
    }

    private long offerPadded(final long key, final long timestamp, final double value)
    {
        final long result = client.publication().tryClaim(messageSize, claim);
        if (result < 0)
        {
            return result;
        }
        final long id = nextPaddedId++;
        eventEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
            .clientId(client.clientId())
            .correlationId(id)
            .key(key)
            .timestamp(timestamp)
            .value(value);
        claim.buffer().setMemory(claim.offset() + EVENT_LENGTH, messageSize - EVENT_LENGTH, (byte)0);
        claim.commit();
        return id;
    }

    private void serviceCompanion()
    {
        if (companions.length > 0)
        {
            final long nowNs = System.nanoTime();
            if (nowNs >= nextCompanionDutyNs)
            {
                for (final SluiceClient companion : companions)
                {
                    companion.poll(IGNORE, 64);
                }
                nextCompanionDutyNs = nowNs + TimeUnit.MILLISECONDS.toNanos(1);
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onEventResult(final EventResultDecoder result)
    {
        final long id = result.correlationId();
        if (id >= firstId && id <= lastId)
        {
            received++;
            histogram.recordValue(Math.min(HIGHEST_NS, System.nanoTime() - intendedById[(int)(id & idMask)]));
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onRejected(final RejectedDecoder reject)
    {
        final long id = reject.correlationId();
        if (id >= firstId && id <= lastId)
        {
            rejected++;
        }
    }
}
