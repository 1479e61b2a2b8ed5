package io.sluice.core.replay;

import io.sluice.core.ResultMode;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import org.agrona.DirectBuffer;

/**
 * One configuration's what-if run over a journal: fresh processors built from that configuration (its windows,
 * alert rules, eviction, state capacity and shard count) fed the journal's entries in journal order, on the calling
 * thread, with no ring. The processors are the daemon's own classes, built by {@link ShardContext#newProcessors} and
 * fed by the {@link JournalFeed} recovery uses too; only how it feeds them differs from the live path:
 * <ul>
 *     <li><b>Routing.</b> Each event, query and reject goes to the processor its key hashes to under this run's
 *     shard count and key-group placement (the journal's hash seed), whatever shard the daemon gave it: an
 *     appliance's journal, written interleaved, replays under the run's own (contiguous) placement. Keys are
 *     independent, so every key's output depends on neither.</li>
 *     <li><b>Time.</b> Ticks are derived again under this run's windows by the daemon's own rule
 *     ({@link DerivedTicks}): a tick goes before each event that moves this run's watermark (highest event time
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
 * Journaled START and SNAPSHOT entries change nothing here and are passed over, and so are OWNERSHIP entries (key-group
 * moves in a topology): the run's processors are built without slices, so a what-if run of an appliance that moved
 * key groups keeps the keys it released and has none of those it acquired (their earlier events are in the other
 * appliance's journal); only the keys it owned throughout give the live run's output.
 * <p>
 * Several threads can share one configuration's replay, as recovery does: each feeds every entry to a run of its own
 * that owns the shards {@code s} with {@code s % stride == first} and passes over the others' entries (each shard
 * still has one writer; time is derived by every run alike). Not thread safe: one thread feeds one run (two runs of
 * a comparison on the same thread, entry by entry).
 */
public final class WhatIfRun
{
    private final JournalFeed feed;
    private final DerivedTicks ticks;

    /**
     * @param shards            this run's concluded shard context, with the journal's hash seed.
     * @param sink              where every processor's output goes, in the order the processors produce it.
     * @param journalLatenessNs the allowed lateness the journal was written under (0 when it had no windows: it then
     *                          holds no ticks).
     * @param eventResults      true to have a result for every accepted event.
     * @param keys              only these keys reach the processors, or null for all.
     */
    public WhatIfRun(
        final ShardContext shards,
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
        final ShardContext shards,
        final ResultSink sink,
        final long journalLatenessNs,
        final boolean eventResults,
        final long[] keys,
        final int first,
        final int stride)
    {
        final ShardCounters[] counters = ShardCounters.standalone(shards.processorCount());
        final ShardProcessor[] processors = shards.newProcessors(first, stride, (shard) -> sink,
            (shard) -> counters[shard], null);
        this.ticks = DerivedTicks.of(shards, journalLatenessNs);
        this.feed = new JournalFeed(processors, JournalFeed.rehash(shards.router()))
            .ticks(ticks)
            .keys(keys)
            .resultMode(eventResults ? ResultMode.PER_EVENT : ResultMode.NONE);
    }

    /**
     * @param journalRules true (the default) to follow the journal's live rule changes from their positions on, as
     *                     the daemon did; false to keep this run's own rules throughout.
     * @return this.
     */
    public WhatIfRun journalRules(final boolean journalRules)
    {
        feed.journalRules(journalRules);
        return this;
    }

    /**
     * Apply one journaled entry.
     *
     * @param buffer holds the entry in {@link RingEntry}'s layout.
     * @param offset where it starts.
     */
    public void apply(final DirectBuffer buffer, final int offset)
    {
        feed.apply(buffer, offset, 0);
    }

    /**
     * End of the input, as Flink ends a bounded one: move the watermark past every window holding an event, so
     * every window still open closes (and its results and alerts come out). Nothing without windows.
     */
    public void closeOpenWindows()
    {
        feed.closeOpenWindows();
    }

    /**
     * @return journaled entries applied.
     */
    public long entries()
    {
        return feed.entries();
    }

    /**
     * @return journaled events among them (accepted by the daemon; this run may still find some late).
     */
    public long events()
    {
        return feed.events();
    }

    /**
     * @return ticks this run gave its processors.
     */
    public long ticks()
    {
        return null == ticks ? 0 : ticks.ticks();
    }

    /**
     * @return the watermark of this run's last tick, {@link Long#MIN_VALUE} before one or without windows.
     */
    public long watermark()
    {
        return null == ticks ? Long.MIN_VALUE : ticks.watermark();
    }
}
