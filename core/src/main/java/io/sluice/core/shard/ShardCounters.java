package io.sluice.core.shard;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * The counters one shard's processor keeps. Written by the processor thread only, with ordered writes, so AeronStat
 * or {@code sluice stat} read them from another process.
 *
 * @param processed     ring entries of this processor's shard handled (events, queries, rejections).
 * @param stateFull     events refused because the state table was full.
 * @param liveKeys      keys held in the state table.
 * @param late          events refused because their windows had closed.
 * @param windowsClosed window results published.
 * @param evictions     idle keys removed from the state table.
 * @param alertsFired   alerts published.
 */
public record ShardCounters(
    AtomicCounter processed,
    AtomicCounter stateFull,
    AtomicCounter liveKeys,
    AtomicCounter late,
    AtomicCounter windowsClosed,
    AtomicCounter evictions,
    AtomicCounter alertsFired)
{
}
