package io.sluice.core.replay;

import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.shard.ShardProcessor;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The one way journaled entries reach processors, in journal order and without the ring: recovery after a snapshot
 * is restored, any rebuild of state from a journal (tests), and what-if replay. How an entry is fed is set once:
 * <ul>
 *     <li><b>Routing</b> ({@link Routing}): each event, query and reject goes to the shard the daemon gave it
 *     ({@link #JOURNALED_SHARD}, the journal's shard count), or to the one its key hashes to under this feed's shard
 *     count ({@link #rehash(ShardRouter)}).</li>
 *     <li><b>Time</b>: the journal's ticks go to every processor as they are, or, with {@link #ticks(DerivedTicks)},
 *     ticks are derived again under other windows (or, without windows, none go).</li>
 *     <li><b>Producer</b> ({@link #producer(RingProducer)}): each entry first replays its effect on the ring
 *     producer's state (client marks, watermark), as the live path would.</li>
 *     <li><b>Keys</b> ({@link #keys(long[])}) and <b>results</b> ({@link #resultMode(int)}): only some keys' entries
 *     reach the processors; every event asks for one result mode.</li>
 * </ul>
 * RULES entries (live changes of the alert rules) go to every processor, unless {@link #journalRules(boolean)}
 * says not. OWNERSHIP entries (key-group moves of an appliance in a topology) are applied: they go to every
 * processor, and a processor built with slices ({@code ShardContext.sliceRoot}: recovery) carries the move out again
 * (a release rewrites the same slice part and drops the keys, an acquire reads the kept slice), one built without
 * (what-if runs, tests) passes them over; with a producer they also change its ownership
 * ({@link RingProducer#applyJournaled}). START, SNAPSHOT and RESUME entries change no state and are passed over. Whatever the processors answer goes to
 * their sinks: mute them for a recovery.
 * <p>
 * Several threads can feed one journal side by side ({@link ReplayFanOut}): each feed owns some shards (the others'
 * slots are null in its processor array, see {@link #owned(ShardProcessor[], int, int)}), so each shard keeps one
 * writer, and passes over the others' entries; ticks go to its own processors. One thread per feed; allocates
 * nothing per entry. Call before the processors start (their threads then see the state by {@code Thread.start}, or
 * by joining the feeding threads).
 */
public final class JournalFeed
{
    /**
     * Which shard a journaled event, query or reject goes to.
     */
    @FunctionalInterface
    public interface Routing
    {
        /**
         * @param entry      the journaled entry.
         * @param shardCount the feed's shard count.
         * @return its shard.
         */
        int shard(RingEntry entry, int shardCount);
    }

    /** The shard the daemon gave the entry: the feed must have the journal's shard count. */
    public static final Routing JOURNALED_SHARD = (entry, shardCount) -> entry.shard();

    private final ShardProcessor[] processors;
    private final Routing routing;
    private final RingEntry entry = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0);
    private final RingEntry tick = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0);
    private RingProducer producer;
    private DerivedTicks ticks;
    private boolean journalTicks = true;
    private boolean journalRules = true;
    private LongHashSet keys;
    private int resultMode = -1;
    private long entries;
    private long events;

    /**
     * @param processors the processors, shard i at index i; null at a shard another feed owns.
     * @param routing    which shard an event, query or reject goes to.
     */
    public JournalFeed(final ShardProcessor[] processors, final Routing routing)
    {
        this.processors = processors.clone();
        this.routing = routing;
    }

    /**
     * @param router the key hash (the journal's hash seed).
     * @return routing by the key's hash under the feed's shard count, whatever shard the daemon gave an entry.
     */
    public static Routing rehash(final ShardRouter router)
    {
        return (entry, shardCount) -> router.shard(entry.key(), shardCount);
    }

    /**
     * @param processors every processor, shard i at index i.
     * @param first      the first shard one feed of several owns.
     * @param stride     how many feeds share the shards: one owns {@code first}, {@code first + stride}, ...
     * @return a copy holding only those shards' processors, null at the others.
     */
    public static ShardProcessor[] owned(final ShardProcessor[] processors, final int first, final int stride)
    {
        final ShardProcessor[] owned = new ShardProcessor[processors.length];
        for (int shard = first; shard < processors.length; shard += stride)
        {
            owned[shard] = processors[shard];
        }
        return owned;
    }

    /**
     * @param producer the ring producer whose state every entry also moves (one feed of several only), or null.
     * @return this.
     */
    public JournalFeed producer(final RingProducer producer)
    {
        this.producer = producer;
        return this;
    }

    /**
     * @param ticks the ticks derived under this feed's windows, in place of the journal's own; null for no ticks at
     *              all (a feed without windows).
     * @return this.
     */
    public JournalFeed ticks(final DerivedTicks ticks)
    {
        this.ticks = ticks;
        this.journalTicks = false;
        return this;
    }

    /**
     * @param journalRules true (the default) to hand the journal's RULES entries (live changes of the alert rules) to
     *                     every processor, so they switch where the daemon did; false to keep the processors' own
     *                     rules throughout (a what-if replay of other rules).
     * @return this.
     */
    public JournalFeed journalRules(final boolean journalRules)
    {
        this.journalRules = journalRules;
        return this;
    }

    /**
     * @param keys only these keys' events, queries and rejects reach the processors, or null for all.
     * @return this.
     */
    public JournalFeed keys(final long[] keys)
    {
        if (null == keys)
        {
            this.keys = null;
        }
        else
        {
            this.keys = new LongHashSet();
            for (final long key : keys)
            {
                this.keys.add(key);
            }
        }
        return this;
    }

    /**
     * @param resultMode the {@link io.sluice.core.ResultMode} every event asks for, or -1 for the journaled one.
     * @return this.
     */
    public JournalFeed resultMode(final int resultMode)
    {
        this.resultMode = resultMode;
        return this;
    }

    /**
     * Apply one journaled entry.
     *
     * @param buffer holds the entry in {@link RingEntry}'s layout.
     * @param offset where it starts.
     * @param nowNs  the producer's clock.
     * @throws IllegalStateException when the entry names a shard this feed has no processor for.
     */
    public void apply(final DirectBuffer buffer, final int offset, final long nowNs)
    {
        final RingEntry entry = this.entry.copyFrom(buffer, offset);
        entries++;
        if (null != producer)
        {
            producer.applyJournaled(entry, nowNs);
        }
        final int type = entry.type();
        switch (type)
        {
            case RingEntry.TYPE_TICK:
                if (journalTicks)
                {
                    everyProcessor(entry);
                }
                else if (null != ticks && ticks.onJournaledTick(entry.timestamp()))
                {
                    everyProcessor(ticks.next(tick));
                }
                break;

            case RingEntry.TYPE_EVENT:
                events++;
                if (null != ticks && ticks.onEvent(entry.timestamp()))
                {
                    everyProcessor(ticks.next(tick));
                }
                dispatch(entry, type);
                break;

            case RingEntry.TYPE_QUERY:
            case RingEntry.TYPE_REJECT:
                dispatch(entry, type);
                break;

            case RingEntry.TYPE_RULES:
                if (journalRules)
                {
                    everyProcessor(entry);
                }
                break;

            case RingEntry.TYPE_OWNERSHIP:
                everyProcessor(entry);
                break;

            default:
                break;
        }
    }

    /**
     * With derived ticks, start this feed inside the journal (the entries before it not fed): time is set as if
     * they had been, and the processors get a tick at that watermark. Nothing otherwise.
     *
     * @param maxTimestamp the newest event time before the feed's first entry, {@link Long#MIN_VALUE} for none.
     * @param watermark    the derived watermark there.
     */
    public void resumeTime(final long maxTimestamp, final long watermark)
    {
        if (null != ticks && ticks.resume(maxTimestamp, watermark))
        {
            everyProcessor(ticks.next(tick));
        }
    }

    /**
     * End of the input: with derived ticks, close every window still open ({@link DerivedTicks#closeOpenWindows()}).
     * Nothing otherwise.
     */
    public void closeOpenWindows()
    {
        if (null != ticks && ticks.closeOpenWindows())
        {
            everyProcessor(ticks.next(tick));
        }
    }

    private void dispatch(final RingEntry entry, final int type)
    {
        final int shard = routing.shard(entry, processors.length);
        if (shard < 0 || shard >= processors.length)
        {
            throw new IllegalStateException("journaled entry " + entries + " names shard " + shard +
                ", this daemon has " + processors.length + " processors");
        }
        final ShardProcessor processor = processors[shard];
        if (null != processor && (null == keys || keys.contains(entry.key())))
        {
            if (RingEntry.TYPE_EVENT == type && resultMode >= 0)
            {
                entry.resultMode(resultMode);
            }
            processor.onEntry(entry.shard(shard));
        }
    }

    private void everyProcessor(final RingEntry tick)
    {
        for (final ShardProcessor processor : processors)
        {
            if (null != processor)
            {
                processor.onEntry(tick);
            }
        }
    }

    /**
     * @return entries applied so far.
     */
    public long entries()
    {
        return entries;
    }

    /**
     * @return journaled events among them.
     */
    public long events()
    {
        return events;
    }
}
