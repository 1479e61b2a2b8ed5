package io.sluice.core.window;

import io.sluice.core.RejectReason;
import io.sluice.core.ResultMode;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.logic.ShardLogic;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.state.Aggregate;
import io.sluice.core.state.KeyStateTable;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One processor's event-time windows: applies events to their key's panes, answers with the newest window holding
 * the event, closes windows when ticks move the watermark past their ends, answers queries, fires alerts and
 * evicts idle keys. Reads no clock: time is what the ring's ticks and events say. Processor thread only.
 * <p>
 * Semantics:
 * <ul>
 *     <li>an event is LATE when every window holding it has closed (its newest window ends at or before the
 *     watermark); closed windows never change;</li>
 *     <li>a window [s, e) closes, and its WindowResult goes out, when a tick brings the watermark to e or beyond;
 *     exactly once per key and window that received an event;</li>
 *     <li>first and last are by event time, ties by arrival;</li>
 *     <li>with eviction on, a key whose last window closed {@code evictAfterWindows} window lengths ago is
 *     removed from the table (that time saturates at {@link Long#MAX_VALUE}: never, rather than overflow);</li>
 *     <li>aggregates follow the arithmetic of {@link KeyStateTable}: min and max as {@link Math#min(double, double)}
 *     and {@link Math#max(double, double)} (-0.0 below 0.0), sums in IEEE doubles that stay infinite once they
 *     overflow, and NaN for a window whose pane sums overflowed both ways.</li>
 * </ul>
 * Contract with the producer of ticks ({@link io.sluice.core.ring.RingProducer}): the watermark never trails the
 * newest event by more than lateness plus one slide, so a key's open windows always fit its ring of panes.
 */
public final class WindowEngine implements ShardLogic
{
    private final WindowSpec spec;
    private final KeyStateTable table;
    private final ResultSink sink;
    private final ShardCounters counters;
    private final AlertRules alerts;
    private final int evictAfterWindows;
    private final long evictAfterNs;
    private final CloseSchedule schedule;
    private final int panesPerWindow;
    private final long slideNs;
    private final long sizeNs;
    private final Aggregate window = new Aggregate();
    private final Aggregate closed = new Aggregate();
    private long watermark = Long.MIN_VALUE;
    private long closedUpTo = Long.MIN_VALUE;

    /**
     * @param spec              window arithmetic.
     * @param table             the shard's state, with {@link WindowSpec#panesPerKey()} panes per key.
     * @param sink              where results go.
     * @param counters          the processor's counters.
     * @param alerts            alert rules.
     * @param evictAfterWindows window lengths of quiet after which a key is evicted; 0 never.
     */
    public WindowEngine(
        final WindowSpec spec,
        final KeyStateTable table,
        final ResultSink sink,
        final ShardCounters counters,
        final AlertRules alerts,
        final int evictAfterWindows)
    {
        this.spec = spec;
        this.table = table;
        this.sink = sink;
        this.counters = counters;
        this.alerts = alerts;
        this.evictAfterWindows = evictAfterWindows;
        this.evictAfterNs = evictAfterWindows > Long.MAX_VALUE / spec.sizeNs() ?
            Long.MAX_VALUE : evictAfterWindows * spec.sizeNs();
        this.schedule = new CloseSchedule(spec.slideNs(), spec.panesPerKey() + 2);
        this.panesPerWindow = spec.panesPerWindow();
        this.slideNs = spec.slideNs();
        this.sizeNs = spec.sizeNs();
    }

    /**
     * @return the watermark of the last tick seen.
     */
    public long watermark()
    {
        return watermark;
    }

    /**
     * @return entries in the close schedule, stale ones included (bounded by keys held plus their reschedules).
     */
    public int scheduledEntries()
    {
        return schedule.entryCount();
    }

    /**
     * @return the shard's state table (control path: read it only while the processor is not running).
     */
    public KeyStateTable table()
    {
        return table;
    }

    /**
     * Carry a key's running figures over from a run under other windows (a window change at restart, before the
     * processor starts): the key is held with that event count and at least that newest event time, its panes as
     * they are; with eviction on, a key that has no wake-up gets one at the next window end, where its eviction
     * is decided under this engine's horizon.
     *
     * @param key          the key.
     * @param count        its events applied.
     * @param maxTimestamp its newest event time.
     * @return false when the key is not held and the table is full.
     */
    public boolean carry(final long key, final long count, final long maxTimestamp)
    {
        final int slot = table.findOrInsert(key);
        if (-1 == slot)
        {
            return false;
        }
        table.runningFigures(slot, count, Math.max(maxTimestamp, table.maxTimestamp(slot)));
        if (evictAfterWindows > 0 && KeyStateTable.NO_WAKE_UP == table.wakeUp(slot) && Long.MIN_VALUE != watermark)
        {
            wakeAt(slot, key, spec.nextEndAfter(watermark));
        }
        counters.liveKeys().setRelease(table.size());
        return true;
    }

    /**
     * Apply an event of this processor's shard.
     * <p>
     * {@inheritDoc}
     */
    public void onEvent(final RingEntry entry)
    {
        final long key = entry.key();
        final long timestamp = entry.timestamp();
        final long pane = spec.pane(timestamp);
        if (spec.newestEnd(pane) <= watermark)
        {
            counters.onLate();
            sink.onRejected(entry.clientId(), entry.correlationId(), key, RejectReason.LATE, entry.batchIndex());
            return;
        }
        final int slot = table.findOrInsert(key);
        if (-1 == slot)
        {
            counters.onStateFull();
            sink.onRejected(entry.clientId(), entry.correlationId(), key, RejectReason.STATE_FULL, entry.batchIndex());
            return;
        }

        final double value = entry.value();
        table.markSeen(slot, timestamp);
        table.applyPane(slot, pane, timestamp, value);
        final long firstOpenEnd = Math.max((pane + 1) * slideNs, spec.nextEndAfter(watermark));
        if (firstOpenEnd < table.wakeUp(slot))
        {
            wakeAt(slot, key, firstOpenEnd);
        }
        counters.liveKeys().setRelease(table.size());
        counters.processed().incrementRelease();

        final int resultMode = entry.resultMode();
        if (ResultMode.NONE != resultMode || alerts.eventRulesReadAggregate())
        {
            table.mergePanes(slot, pane, pane + panesPerWindow, pane * slideNs, window);
            sink.onEventResult(entry.clientId(), entry.correlationId(), key, timestamp, window, entry.receiveNanos(),
                resultMode);
        }
        alerts.testEvent(sink, counters.alertsFired(), key, value, window);
    }

    /**
     * Answer a query of this processor's shard: the key's open window holding its newest event, and its last closed
     * window.
     * <p>
     * {@inheritDoc}
     */
    public void onQuery(final RingEntry entry)
    {
        final long key = entry.key();
        final int slot = table.find(key);
        if (-1 == slot)
        {
            sink.onQueryResult(entry.clientId(), entry.correlationId(), key, false, window.clear(), closed.clear());
        }
        else
        {
            final long pane = spec.pane(table.maxTimestamp(slot));
            if (spec.newestEnd(pane) > watermark)
            {
                table.mergePanes(slot, pane, pane + panesPerWindow, pane * slideNs, window);
            }
            else
            {
                window.clear();
            }
            sink.onQueryResult(entry.clientId(), entry.correlationId(), key, true, window, table.readClosed(slot, closed));
        }
        counters.processed().incrementRelease();
    }

    /**
     * Move the watermark and close every window that ends by it.
     * <p>
     * {@inheritDoc}
     */
    public void onTick(final long newWatermark)
    {
        if (newWatermark <= watermark)
        {
            return;
        }
        watermark = newWatermark;
        final long lastEnd = Math.floorDiv(newWatermark, slideNs) * slideNs;
        final int bucketCount = schedule.bucketCount();
        if (Long.MIN_VALUE == closedUpTo || (lastEnd - closedUpTo) / slideNs >= bucketCount)
        {
            for (int bucket = 0; bucket < bucketCount; bucket++)
            {
                drain(bucket);
            }
        }
        else
        {
            for (long end = closedUpTo + slideNs; end <= lastEnd; end += slideNs)
            {
                drain(schedule.bucketOf(end));
            }
        }
        closedUpTo = lastEnd;
    }

    private void drain(final int bucket)
    {
        final int consumed = schedule.size(bucket);
        int kept = 0;
        for (int i = 0; i < consumed; i += 2)
        {
            final long[] entries = schedule.entries(bucket);
            final long key = entries[i];
            final long time = entries[i + 1];
            if (time > watermark)
            {
                entries[kept++] = key;
                entries[kept++] = time;
                continue;
            }
            final int slot = table.find(key);
            if (-1 != slot && table.wakeUp(slot) == time)
            {
                wake(slot, key);
            }
        }
        schedule.compact(bucket, consumed, kept);
    }

    private void wake(final int slot, final long key)
    {
        long end = table.wakeUp(slot);
        final long lastWindowEnd = spec.newestEnd(spec.pane(table.maxTimestamp(slot)));
        while (end <= watermark && end <= lastWindowEnd)
        {
            emitWindow(slot, key, end);
            end += slideNs;
        }
        if (end <= lastWindowEnd)
        {
            wakeAt(slot, key, end);
            return;
        }
        if (0 == evictAfterWindows)
        {
            table.wakeUp(slot, KeyStateTable.NO_WAKE_UP);
            return;
        }
        final long evictAt =
            lastWindowEnd > Long.MAX_VALUE - evictAfterNs ? Long.MAX_VALUE : lastWindowEnd + evictAfterNs;
        if (evictAt <= watermark)
        {
            table.remove(key);
            counters.evictions().incrementRelease();
            counters.liveKeys().setRelease(table.size());
            return;
        }
        wakeAt(slot, key, evictAt);
    }

    private void wakeAt(final int slot, final long key, final long time)
    {
        final long horizon = spec.nextEndAfter(watermark) + (schedule.bucketCount() - 2) * slideNs;
        final long at = Math.min(time, horizon);
        table.wakeUp(slot, at);
        schedule.add(at, key);
    }

    private void emitWindow(final int slot, final long key, final long end)
    {
        final long start = end - sizeNs;
        table.mergePanes(slot, Math.floorDiv(start, slideNs), Math.floorDiv(end, slideNs), start, window);
        if (0 == window.count())
        {
            return;
        }
        table.closed(slot, window);
        counters.windowsClosed().incrementRelease();
        sink.onWindowResult(key, end, window);
        alerts.testWindow(sink, counters.alertsFired(), key, window);
    }

    /**
     * {@inheritDoc}
     */
    public void snapshotTo(final int shard, final long snapshotId, final ShardSnapshot into)
    {
        final UnsafeBuffer copy = into.begin(
            shard, snapshotId, ShardSnapshot.KIND_WINDOWS, table.capacity(), table.slotLength(), table.bytes());
        into.freeCount(table.copyTo(copy, into.freeSlots()));
        into.windows(watermark, closedUpTo);
        into.schedule(schedule.sizes(), schedule.buckets());
    }

    /**
     * {@inheritDoc}
     */
    public void restoreFrom(final ShardSnapshot from)
    {
        from.checkFits(ShardSnapshot.KIND_WINDOWS, table.capacity(), table.slotLength(), table.bytes());
        table.restoreFrom(from.table(), from.freeSlots(), from.freeCount());
        watermark = from.watermark();
        closedUpTo = from.closedUpTo();
        schedule.restore(from.bucketSizes(), from.buckets());
        counters.liveKeys().setRelease(table.size());
    }

    /**
     * {@inheritDoc}
     */
    public void beginRegroup(final ShardSnapshot from)
    {
        from.checkKind(ShardSnapshot.KIND_WINDOWS, table.slotLength());
        table.clear();
        schedule.clear();
        watermark = from.watermark();
        closedUpTo = from.closedUpTo();
        counters.liveKeys().setRelease(0);
    }

    /**
     * Add the key with its slot; its wake-up goes back into the close schedule, which so holds exactly one entry
     * per key waiting (none of the stale entries a live schedule may keep). A key whose wake-up this engine's
     * windows have already passed (a slice from an appliance whose watermark was behind this one's) is woken at
     * once: its windows that end by the watermark close now, and it may be evicted.
     * <p>
     * {@inheritDoc}
     */
    public boolean regroupKey(final org.agrona.DirectBuffer slots, final int offset)
    {
        final int slot = table.insertCopy(slots, offset);
        if (slot < 0)
        {
            return false;
        }
        final long wakeUp = table.wakeUp(slot);
        if (Long.MIN_VALUE != closedUpTo && wakeUp <= closedUpTo)
        {
            wake(slot, table.key(slot));
        }
        else if (KeyStateTable.NO_WAKE_UP != wakeUp)
        {
            schedule.add(wakeUp, table.key(slot));
        }
        counters.liveKeys().setRelease(table.size());
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public boolean releaseKey(final long key)
    {
        final boolean held = table.remove(key);
        counters.liveKeys().setRelease(table.size());
        return held;
    }

    /**
     * {@inheritDoc}
     */
    public boolean takesSlots(final int kind, final int slotLength)
    {
        return ShardSnapshot.KIND_WINDOWS == kind && table.slotLength() == slotLength;
    }

    /**
     * {@inheritDoc}
     */
    public int keys()
    {
        return table.size();
    }
}
