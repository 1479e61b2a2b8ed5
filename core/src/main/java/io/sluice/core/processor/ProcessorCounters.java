package io.sluice.core.processor;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * The counters one processor keeps. Written by the processor thread only, with ordered writes, so AeronStat or
 * {@code sluice stat} read them from another process.
 *
 * @param processed        ring entries of this processor's shard handled (events, queries, rejections).
 * @param stateFull        events refused because the state table was full.
 * @param liveKeys         keys held in the state table.
 */
public record ProcessorCounters(AtomicCounter processed, AtomicCounter stateFull, AtomicCounter liveKeys)
{
}
