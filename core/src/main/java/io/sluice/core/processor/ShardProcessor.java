package io.sluice.core.processor;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventPoller;
import io.sluice.core.RejectReason;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.state.Aggregate;
import io.sluice.core.state.KeyStateTable;
import io.sluice.core.window.WindowEngine;

/**
 * The single writer of one shard's state. Sees every ring entry, acts on those of its shard: applies events to
 * the key's aggregate and answers with the result, answers queries, and answers rejections the ingress routed to
 * it.
 * <p>
 * Runs as a Disruptor {@link EventHandler} on its own thread ({@code threading=dedicated}) or through an
 * {@link EventPoller} on a shared thread ({@code threading=shared}); the logic is the same. Reads no clock.
 */
public final class ShardProcessor implements EventHandler<RingEntry>
{
    private final int shard;
    private final KeyStateTable table;
    private final WindowEngine windows;
    private final AlertRules alerts;
    private final ResultSink sink;
    private final ProcessorCounters counters;
    private final Runnable onStart;
    private final Runnable onShutdown;
    private final Aggregate open = new Aggregate();
    private final Aggregate closed = new Aggregate();

    /**
     * @param shard      the shard this processor owns.
     * @param table      the shard's state, owned by this processor from now on.
     * @param sink       where results go.
     * @param counters   this processor's counters.
     * @param onStart    run on the processor thread before the first entry (pinning), may be null.
     * @param onShutdown run on the processor thread after the last entry, may be null.
     */
    public ShardProcessor(
        final int shard,
        final KeyStateTable table,
        final ResultSink sink,
        final ProcessorCounters counters,
        final Runnable onStart,
        final Runnable onShutdown)
    {
        this(shard, table, sink, counters, null, AlertRules.NONE, onStart, onShutdown);
    }

    /**
     * @param shard      the shard this processor owns.
     * @param table      the shard's state, owned by this processor from now on.
     * @param sink       where results go.
     * @param counters   this processor's counters.
     * @param windows    the shard's windows over the same table and sink, or null for running aggregates.
     * @param alerts     alert rules (without windows only event rules on the value apply).
     * @param onStart    run on the processor thread before the first entry (pinning), may be null.
     * @param onShutdown run on the processor thread after the last entry, may be null.
     */
    public ShardProcessor(
        final int shard,
        final KeyStateTable table,
        final ResultSink sink,
        final ProcessorCounters counters,
        final WindowEngine windows,
        final AlertRules alerts,
        final Runnable onStart,
        final Runnable onShutdown)
    {
        this.shard = shard;
        this.table = table;
        this.windows = windows;
        this.alerts = alerts;
        this.sink = sink;
        this.counters = counters;
        this.onStart = onStart;
        this.onShutdown = onShutdown;
    }

    /**
     * @return the shard this processor owns.
     */
    public int shard()
    {
        return shard;
    }

    /**
     * {@inheritDoc}
     */
    public void onStart()
    {
        if (null != onStart)
        {
            onStart.run();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onShutdown()
    {
        if (null != onShutdown)
        {
            onShutdown.run();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onEvent(final RingEntry entry, final long sequence, final boolean endOfBatch)
    {
        final int type = entry.type();
        if (RingEntry.TYPE_TICK == type)
        {
            if (null != windows)
            {
                windows.onTick(entry.timestamp());
            }
            return;
        }
        if (entry.shard() != shard)
        {
            return;
        }

        switch (type)
        {
            case RingEntry.TYPE_EVENT:
                if (null != windows)
                {
                    windows.onEvent(entry);
                }
                else
                {
                    onEventEntry(entry);
                }
                break;

            case RingEntry.TYPE_QUERY:
                if (null != windows)
                {
                    windows.onQuery(entry);
                }
                else
                {
                    onQueryEntry(entry);
                }
                break;

            case RingEntry.TYPE_REJECT:
                sink.onRejected(entry.clientId(), entry.correlationId(), entry.key(), entry.reason());
                counters.processed().incrementRelease();
                break;

            default:
                break;
        }
    }

    private void onEventEntry(final RingEntry entry)
    {
        final long key = entry.key();
        final int slot = table.findOrInsert(key);
        if (-1 == slot)
        {
            counters.stateFull().incrementRelease();
            counters.processed().incrementRelease();
            sink.onRejected(entry.clientId(), entry.correlationId(), key, RejectReason.STATE_FULL);
            return;
        }

        final double value = entry.value();
        table.apply(slot, value, entry.timestamp());
        counters.liveKeys().setRelease(table.size());
        counters.processed().incrementRelease();
        sink.onEventResult(
            entry.clientId(), entry.correlationId(), key, entry.timestamp(), table.read(slot, open), entry.receiveNanos());
        alerts.testEvent(sink, counters.alertsFired(), key, value, open);
    }

    private void onQueryEntry(final RingEntry entry)
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
}
