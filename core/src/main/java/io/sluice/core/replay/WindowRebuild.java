package io.sluice.core.replay;

import io.sluice.core.ring.ClientMarks;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.state.KeyStateTable;
import io.sluice.core.window.WindowEngine;
import io.sluice.core.window.WindowSpec;
import org.agrona.DirectBuffer;

/**
 * The open windows of a daemon restarted under other windows (size, slide, allowed lateness or eviction), rebuilt
 * from the journal's history with the what-if machinery: fresh processors under the new windows are fed the
 * journal from a history start P to the recovery point R ({@link #apply}) with ticks derived again under the new
 * windows ({@link DerivedTicks}, the journal's ticks taken as they are: the journal is then the new windows'), their
 * answers muted; then every key's running figures (event count, newest event time) are carried over from the
 * processors recovered under the old windows ({@link #carry}), and the producer's state at R is
 * {@link #producerState}.
 * <p>
 * Exactness: the processors' state then equals, for every window that ends after R's watermark, the state of a
 * {@link WhatIfRun} of the whole journal under the new windows (journal lateness = the new lateness), provided no
 * event before P can belong to such a window: every event before P is older than {@link #firstOpenStart}. Time at
 * P comes from the facts the journal holds there ({@link #startAt}: the newest event time and the last journaled
 * tick's watermark, as a snapshot's producer part records them), so the derived watermark at P is the whole run's.
 * The window results the daemon publishes after R are then exactly the what-if run's for every window starting at
 * or after {@link #firstOpenStart} of R's watermark. Without history ({@code --reset-windows}) the processors start
 * empty at R's watermark. OWNERSHIP entries (key-group moves in a topology) go to the processors as the
 * {@link JournalFeed} applies them: processors built without slices pass them over, so the rebuilt windows hold only
 * what this appliance's own journal holds. Control thread, before the processors start.
 */
public final class WindowRebuild
{
    private final ShardProcessor[] processors;
    private final ShardRouter router;
    private final WindowSpec spec;
    private final DerivedTicks ticks;
    private final JournalFeed feed;

    /**
     * @param shards     the new windows' concluded shard context.
     * @param processors its processors, shard i at index i, not started, their answers muted.
     * @throws IllegalArgumentException when the context has no windows.
     */
    public WindowRebuild(final ShardContext shards, final ShardProcessor[] processors)
    {
        if (null == shards.windowSpec())
        {
            throw new IllegalArgumentException("a window rebuild needs windows");
        }
        this.processors = processors.clone();
        this.router = shards.router();
        this.spec = shards.windowSpec();
        this.ticks = DerivedTicks.of(shards, spec.latenessNs());
        this.feed = new JournalFeed(processors, JournalFeed.rehash(router)).ticks(ticks);
    }

    /**
     * The watermark ticks derived under a lateness give at a point of the journal.
     *
     * @param maxTimestamp      the newest event time there, {@link Long#MIN_VALUE} for none.
     * @param lastTickWatermark the last journaled tick's watermark there, {@link Long#MIN_VALUE} for none.
     * @param latenessNs        the allowed lateness.
     * @return the watermark.
     */
    public static long watermark(final long maxTimestamp, final long lastTickWatermark, final long latenessNs)
    {
        return Long.MIN_VALUE == maxTimestamp ? lastTickWatermark :
            Math.max(lastTickWatermark, maxTimestamp - latenessNs);
    }

    /**
     * @param spec      windows.
     * @param watermark a watermark.
     * @return the start of the earliest window not closed at that watermark ({@link Long#MIN_VALUE} before any).
     */
    public static long firstOpenStart(final WindowSpec spec, final long watermark)
    {
        return Long.MIN_VALUE == watermark ? Long.MIN_VALUE : spec.nextEndAfter(watermark) - spec.sizeNs();
    }

    /**
     * Start at a point inside the journal rather than at its start: the processors get a tick at the watermark
     * derived there. Before the first {@link #apply}.
     *
     * @param maxTimestamp      the newest event time before that point, {@link Long#MIN_VALUE} for none.
     * @param lastTickWatermark the last journaled tick's watermark before it, {@link Long#MIN_VALUE} for none.
     */
    public void startAt(final long maxTimestamp, final long lastTickWatermark)
    {
        feed.resumeTime(maxTimestamp, watermark(maxTimestamp, lastTickWatermark, spec.latenessNs()));
    }

    /**
     * Feed one journaled entry of the history.
     *
     * @param buffer holds the entry in {@link RingEntry}'s layout.
     * @param offset where it starts.
     */
    public void apply(final DirectBuffer buffer, final int offset)
    {
        feed.apply(buffer, offset, 0);
    }

    /**
     * Carry every key's running figures over from processors recovered under the old windows: each key the old
     * tables hold goes to its shard under the new processor count with its event count and newest event time
     * ({@link WindowEngine#carry}).
     *
     * @param previous the old windows' processors at the recovery point, not started.
     * @return keys that found no room (their new table full); 0 normally.
     */
    public long carry(final ShardProcessor[] previous)
    {
        long full = 0;
        for (final ShardProcessor processor : previous)
        {
            final KeyStateTable table = ((WindowEngine)processor.logic()).table();
            for (int slot = 0; slot < table.capacity(); slot++)
            {
                final long key = table.key(slot);
                if (table.find(key) != slot)
                {
                    continue;
                }
                final WindowEngine target = (WindowEngine)processors[router.shard(key, processors.length)].logic();
                if (!target.carry(key, table.count(slot), table.maxTimestamp(slot)))
                {
                    full++;
                }
            }
        }
        return full;
    }

    /**
     * @return journaled entries fed.
     */
    public long entries()
    {
        return feed.entries();
    }

    /**
     * @return the watermark of the processors' last tick, {@link Long#MIN_VALUE} before one.
     */
    public long watermark()
    {
        return ticks.watermark();
    }

    /**
     * @return the start of the earliest window the processors have not closed: the first window whose result the
     * daemon publishes after the rebuild.
     */
    public long firstOpenStart()
    {
        return firstOpenStart(spec, ticks.currentWatermark());
    }

    /**
     * The ring producer's state after the rebuild: the new windows' time and the old producer's client marks.
     *
     * @param snapshotId the id the part carries.
     * @param marks      the client marks recovered.
     * @return the part, for the producer's restore and the snapshot taken at the recovery point.
     */
    public ProducerSnapshot producerState(final long snapshotId, final ClientMarks marks)
    {
        final ProducerSnapshot state = new ProducerSnapshot()
            .set(snapshotId, true, ticks.maxTimestamp(), ticks.currentWatermark(), ticks.watermark());
        marks.forEach(state::addMark);
        return state;
    }
}
