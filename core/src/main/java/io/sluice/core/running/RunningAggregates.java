package io.sluice.core.running;

import io.sluice.core.RejectReason;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.logic.ShardLogic;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.state.Aggregate;
import io.sluice.core.state.KeyStateTable;

/**
 * The shard logic without windows: one running aggregate per key since the key was first seen, answered after
 * every event (first and last by arrival), event alert rules tested on each event. Ticks change nothing. A new key
 * when the table is full is answered {@code Rejected STATE_FULL}. Arithmetic as {@link KeyStateTable} documents:
 * min and max as {@link Math#min(double, double)} and {@link Math#max(double, double)}, the sum an IEEE double sum
 * in arrival order that stays infinite once it overflows (never NaN: the values are finite). Processor thread only.
 */
public final class RunningAggregates implements ShardLogic
{
    private final KeyStateTable table;
    private final ResultSink sink;
    private final ShardCounters counters;
    private final AlertRules alerts;
    private final Aggregate open = new Aggregate();
    private final Aggregate closed = new Aggregate();

    /**
     * @param table    the shard's state, owned by this logic from now on.
     * @param sink     where results go.
     * @param counters the shard's counters.
     * @param alerts   alert rules; only event rules apply.
     */
    public RunningAggregates(
        final KeyStateTable table, final ResultSink sink, final ShardCounters counters, final AlertRules alerts)
    {
        this.table = table;
        this.sink = sink;
        this.counters = counters;
        this.alerts = alerts;
    }

    /**
     * {@inheritDoc}
     */
    public void onEvent(final RingEntry entry)
    {
        final long key = entry.key();
        final int slot = table.findOrInsert(key);
        if (-1 == slot)
        {
            counters.onStateFull();
            sink.onRejected(entry.clientId(), entry.correlationId(), key, RejectReason.STATE_FULL, entry.batchIndex());
            return;
        }

        final double value = entry.value();
        table.apply(slot, value, entry.timestamp());
        counters.liveKeys().setRelease(table.size());
        counters.processed().incrementRelease();
        sink.onEventResult(entry.clientId(), entry.correlationId(), key, entry.timestamp(), table.read(slot, open),
            entry.receiveNanos(), entry.resultMode());
        alerts.testEvent(sink, counters.alertsFired(), key, value, open);
    }

    /**
     * {@inheritDoc}
     */
    public void onQuery(final RingEntry entry)
    {
        final long key = entry.key();
        final int slot = table.find(key);
        if (-1 == slot)
        {
            open.clear();
        }
        else
        {
            table.read(slot, open);
        }
        counters.processed().incrementRelease();
        sink.onQueryResult(entry.clientId(), entry.correlationId(), key, -1 != slot, open, closed.clear());
    }

    /**
     * Running aggregates do not close: nothing to do.
     *
     * @param watermarkNs ignored.
     */
    public void onTick(final long watermarkNs)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void snapshotTo(final int shard, final long snapshotId, final ShardSnapshot into)
    {
        into.freeCount(table.copyTo(into.begin(
            shard, snapshotId, ShardSnapshot.KIND_RUNNING, table.capacity(), table.slotLength(), table.bytes()),
            into.freeSlots()));
    }

    /**
     * {@inheritDoc}
     */
    public void restoreFrom(final ShardSnapshot from)
    {
        from.checkFits(ShardSnapshot.KIND_RUNNING, table.capacity(), table.slotLength(), table.bytes());
        table.restoreFrom(from.table(), from.freeSlots(), from.freeCount());
        counters.liveKeys().setRelease(table.size());
    }

    /**
     * {@inheritDoc}
     */
    public void beginRegroup(final ShardSnapshot from)
    {
        from.checkKind(ShardSnapshot.KIND_RUNNING, table.slotLength());
        table.clear();
        counters.liveKeys().setRelease(0);
    }

    /**
     * {@inheritDoc}
     */
    public boolean regroupKey(final org.agrona.DirectBuffer slots, final int offset)
    {
        if (table.insertCopy(slots, offset) < 0)
        {
            return false;
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
        return ShardSnapshot.KIND_RUNNING == kind && table.slotLength() == slotLength;
    }

    /**
     * {@inheritDoc}
     */
    public int keys()
    {
        return table.size();
    }
}
