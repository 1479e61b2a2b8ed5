package io.sluice.config;

/**
 * Whether and how the ring's input is journaled on Aeron Archive ({@code sluice.journal.mode}).
 */
public enum JournalMode
{
    /** No journal, no snapshots: a restart starts empty. */
    OFF,
    /** Journaled beside the processors: results leave at once; after a crash the newest results may be missing from
     * the journal (at most what the journal publication holds unrecorded), and their events must be resent. */
    ASYNC,
    /** Results leave only after their entry is recorded: a result a client saw is never contradicted after a
     * crash of the process. */
    SYNC
}
