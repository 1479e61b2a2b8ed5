package io.sluice.core.replay;

import io.sluice.core.ResultMode;
import io.sluice.core.processor.ShardProcessor;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.WatermarkTracker;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.shard.ResultSink;
import io.sluice.core.shard.ShardCounters;
import io.sluice.core.window.WindowSpec;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

/**
 * One configuration's what-if run over a journal: fresh processors built from that configuration (its windows,
 * alert rules, eviction, state capacity and shard count) fed the journal's entries in journal order, on the calling
 * thread, with no ring. The processors are the daemon's own classes; only what feeds them differs from the live
 * path:
 * <ul>
 *     <li><b>Routing.</b> Each event, query and reject goes to the processor its key hashes to under this run's
 *     shard count (the journal's hash seed), whatever shard the daemon gave it. Keys are independent, so every key's
 *     output does not depend on the shard count.</li>
 *     <li><b>Time.</b> Ticks are derived again under this run's windows by the daemon's own rule
 *     ({@link WatermarkTracker}): a tick goes before each event that moves this run's watermark (highest event time
 *     less this run's allowed lateness) into a new pane. The journal's ticks stand for the clock: each moves this
 *     run's watermark to the journaled one shifted by the difference in allowed lateness (so the live run's idle
 *     advance carries over), and ticks when that moves it. Under the journal's own windows this gives exactly the
 *     journal's ticks, so the daemon's configuration reproduces its output; {@code sluice.window.tick-interval} and
 *     {@code sluice.window.idle-advance} of this run do not apply (the clock is not replayed, only its ticks).</li>
 *     <li><b>Results.</b> Every event goes to its processor tagged {@link ResultMode#PER_EVENT} when the run asks
 *     for per-event results, {@link ResultMode#NONE} otherwise, whatever result mode its client chose live. As on
 *     the live path, a processor may still hand the sink a result tagged {@code NONE} (without windows always, with
 *     windows when an event alert rule reads the aggregate): the sink leaves those out, as the daemon's egress
 *     does.</li>
 *     <li><b>Keys.</b> With a key filter only those keys' events, queries and rejects reach the processors; time
 *     still moves with every event, so a key's output equals the unfiltered run's.</li>
 * </ul>
 * Journaled START and SNAPSHOT entries change nothing here and are passed over.
 * <p>
 * Several threads can share one configuration's replay, as recovery does: each feeds every entry to a run of its own
 * that owns the shards {@code s} with {@code s % stride == first} and passes over the others' entries (each shard
 * still has one writer; time is derived by every run alike). Not thread safe: one thread feeds one run (two runs of
 * a comparison on the same thread, entry by entry).
 */
public final class WhatIfRun
{
    private static final int COUNTERS_PER_SHARD = 9;

    private final ShardProcessor[] processors;
    private final ShardRouter router;
    private final WatermarkTracker time;
    private final long windowSizeNs;
    private final long latenessShiftNs;
    private final int resultMode;
    private final LongHashSet keys;
    private final AtomicCounter rejectedLate;
    private final AtomicCounter rejectedStateFull;
    private final RingEntry entry = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0);
    private final RingEntry tick = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0);
    private long entries;
    private long events;
    private long ticks;

    /**
     * @param shards            this run's concluded shard context, with the journal's hash seed.
     * @param sink              where every processor's output goes, in the order the processors produce it.
     * @param journalLatenessNs the allowed lateness the journal was written under (0 when it had no windows: it then
     *                          holds no ticks).
     * @param eventResults      true to have a result for every accepted event.
     * @param keys              only these keys reach the processors, or null for all.
     */
    public WhatIfRun(
        final ShardProcessor.Context shards,
        final ResultSink sink,
        final long journalLatenessNs,
        final boolean eventResults,
        final long[] keys)
    {
        this(shards, sink, journalLatenessNs, eventResults, keys, 0, 1);
    }

    /**
     * A run of some shards only, for one of several threads replaying one configuration side by side.
     *
     * @param shards            this run's concluded shard context, with the journal's hash seed.
     * @param sink              where its processors' output goes, in the order they produce it.
     * @param journalLatenessNs the allowed lateness the journal was written under (0 when it had no windows: it then
     *                          holds no ticks).
     * @param eventResults      true to have a result for every accepted event.
     * @param keys              only these keys reach the processors, or null for all.
     * @param first             the first shard this run owns.
     * @param stride            how many runs share the shards: this one owns {@code first}, {@code first + stride},
     *                          ...
     */
    public WhatIfRun(
        final ShardProcessor.Context shards,
        final ResultSink sink,
        final long journalLatenessNs,
        final boolean eventResults,
        final long[] keys,
        final int first,
        final int stride)
    {
        final int shardCount = shards.processorCount();
        this.router = shards.router();
        this.time = shards.newWatermarkTracker();
        final WindowSpec spec = shards.windowSpec();
        this.windowSizeNs = null == spec ? 0 : spec.sizeNs();
        this.latenessShiftNs = null == spec ? 0 : journalLatenessNs - spec.latenessNs();
        this.resultMode = eventResults ? ResultMode.PER_EVENT : ResultMode.NONE;
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
        final UnsafeBuffer values = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            (COUNTERS_PER_SHARD * shardCount + 2) * CountersReader.COUNTER_LENGTH, 64));
        int id = 0;
        rejectedLate = new AtomicCounter(values, id++);
        rejectedStateFull = new AtomicCounter(values, id++);
        processors = new ShardProcessor[shardCount];
        for (int shard = first; shard < shardCount; shard += stride)
        {
            final AtomicCounter unused = new AtomicCounter(values, id++);
            final ShardCounters counters = new ShardCounters(new AtomicCounter(values, id++),
                new AtomicCounter(values, id++), new AtomicCounter(values, id++), new AtomicCounter(values, id++), new AtomicCounter(values, id++),
                new AtomicCounter(values, id++), new AtomicCounter(values, id++), rejectedStateFull, rejectedLate,
                new AtomicCounter(values, id++), unused);
            processors[shard] = new ShardProcessor(shard, shards.newLogic(sink, counters), sink, counters, null, null);
        }
    }

    /**
     * Apply one journaled entry.
     *
     * @param buffer holds the entry in {@link RingEntry}'s layout.
     * @param offset where it starts.
     */
    public void apply(final DirectBuffer buffer, final int offset)
    {
        final RingEntry entry = this.entry.copyFrom(buffer, offset);
        entries++;
        switch (entry.type())
        {
            case RingEntry.TYPE_EVENT:
                events++;
                if (null != time)
                {
                    final long timestamp = entry.timestamp();
                    final boolean tickFirst = time.needsTickBefore(timestamp);
                    time.onEvent(timestamp, 0);
                    if (tickFirst)
                    {
                        tick();
                    }
                }
                final int eventShard = router.shard(entry.key(), processors.length);
                if (null != processors[eventShard] && selected(entry.key()))
                {
                    processors[eventShard].onEntry(entry.resultMode(resultMode).shard(eventShard));
                }
                break;

            case RingEntry.TYPE_QUERY:
            case RingEntry.TYPE_REJECT:
                final int shard = router.shard(entry.key(), processors.length);
                if (null != processors[shard] && selected(entry.key()))
                {
                    processors[shard].onEntry(entry.shard(shard));
                }
                break;

            case RingEntry.TYPE_TICK:
                if (null != time)
                {
                    time.advanceTo(shift(entry.timestamp()));
                    if (time.watermark() > time.lastTickWatermark())
                    {
                        tick();
                    }
                }
                break;

            default:
                break;
        }
    }

    /**
     * End of the input, as Flink ends a bounded one: move the watermark past every window holding an event, so
     * every window still open closes (and its results and alerts come out). Nothing without windows.
     */
    public void closeOpenWindows()
    {
        if (null != time && Long.MIN_VALUE != time.maxTimestamp())
        {
            final long maxTimestamp = time.maxTimestamp();
            time.advanceTo(maxTimestamp > Long.MAX_VALUE - windowSizeNs ? Long.MAX_VALUE : maxTimestamp + windowSizeNs);
            if (time.watermark() > time.lastTickWatermark())
            {
                tick();
            }
        }
    }

    private boolean selected(final long key)
    {
        return null == keys || keys.contains(key);
    }

    private long shift(final long watermarkNs)
    {
        if (Long.MIN_VALUE == watermarkNs)
        {
            return Long.MIN_VALUE;
        }
        if (latenessShiftNs > 0 && watermarkNs > Long.MAX_VALUE - latenessShiftNs)
        {
            return Long.MAX_VALUE;
        }
        if (latenessShiftNs < 0 && watermarkNs < Long.MIN_VALUE + 1 - latenessShiftNs)
        {
            return Long.MIN_VALUE;
        }
        return watermarkNs + latenessShiftNs;
    }

    private void tick()
    {
        tick.clear().tick(time.watermark(), 0);
        time.ticked(0);
        ticks++;
        for (final ShardProcessor processor : processors)
        {
            if (null != processor)
            {
                processor.onEntry(tick);
            }
        }
    }

    /**
     * @return journaled entries applied.
     */
    public long entries()
    {
        return entries;
    }

    /**
     * @return journaled events among them (accepted by the daemon; this run may still find some late).
     */
    public long events()
    {
        return events;
    }

    /**
     * @return ticks this run gave its processors.
     */
    public long ticks()
    {
        return ticks;
    }

    /**
     * @return the watermark of this run's last tick, {@link Long#MIN_VALUE} before one or without windows.
     */
    public long watermark()
    {
        return null == time ? Long.MIN_VALUE : time.lastTickWatermark();
    }
}
