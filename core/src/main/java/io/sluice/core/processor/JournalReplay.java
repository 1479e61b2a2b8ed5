package io.sluice.core.processor;

import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Applies journaled entries straight to the processors, in journal order and without the ring: recovery after a
 * snapshot is restored, and any rebuild of state from a journal (tests, what-if replay). Each entry first replays
 * its effect on the ring producer's state (client marks, watermark), then goes to the processor of its shard (a
 * tick to every processor), exactly as the live path would hand it over. START, SNAPSHOT and RESUME entries change
 * no state and are passed over. Whatever the processors answer goes to their sinks: mute them for a recovery.
 * <p>
 * Each replay on one thread; call before the processors start (their threads then see the state by
 * {@code Thread.start}, or by joining the replaying threads).
 */
public final class JournalReplay
{
    private final ShardProcessor[] processors;
    private final boolean[] owned;
    private final RingProducer producer;
    private final RingEntry scratch = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0);
    private long entries;

    /**
     * @param processors the processors, shard i at index i.
     * @param producer   the ring producer whose state the entries also move, or null.
     */
    public JournalReplay(final ShardProcessor[] processors, final RingProducer producer)
    {
        this(processors, producer, 0, 1);
    }

    /**
     * A replay of some shards only, so several threads can replay one journal side by side, each the only writer
     * of its own shards: this one applies the entries (and ticks) of shards {@code s} with
     * {@code s % stride == first} and passes over the others.
     *
     * @param processors the processors, shard i at index i.
     * @param producer   the ring producer whose state the entries also move (one of the replays only), or null.
     * @param first      the first shard of this replay.
     * @param stride     how many replays share the shards.
     */
    public JournalReplay(
        final ShardProcessor[] processors, final RingProducer producer, final int first, final int stride)
    {
        this.processors = processors.clone();
        this.producer = producer;
        this.owned = new boolean[processors.length];
        for (int shard = first; shard < processors.length; shard += stride)
        {
            owned[shard] = true;
        }
    }

    /**
     * Apply one journaled entry.
     *
     * @param buffer holds the entry in {@link RingEntry}'s layout.
     * @param offset where it starts.
     * @param nowNs  the producer's clock.
     * @throws IllegalStateException when the entry names a shard this replay has no processor for.
     */
    public void apply(final DirectBuffer buffer, final int offset, final long nowNs)
    {
        final RingEntry entry = scratch.copyFrom(buffer, offset);
        entries++;
        if (null != producer)
        {
            producer.applyJournaled(entry, nowNs);
        }
        switch (entry.type())
        {
            case RingEntry.TYPE_TICK:
                for (int shard = 0; shard < processors.length; shard++)
                {
                    if (owned[shard])
                    {
                        processors[shard].onEntry(entry);
                    }
                }
                break;

            case RingEntry.TYPE_EVENT:
            case RingEntry.TYPE_QUERY:
            case RingEntry.TYPE_REJECT:
                final int shard = entry.shard();
                if (shard < 0 || shard >= processors.length)
                {
                    throw new IllegalStateException("journaled entry " + entries + " names shard " + shard +
                        ", this daemon has " + processors.length + " processors");
                }
                if (owned[shard])
                {
                    processors[shard].onEntry(entry);
                }
                break;

            default:
                break;
        }
    }

    /**
     * @return entries applied so far.
     */
    public long entries()
    {
        return entries;
    }
}
