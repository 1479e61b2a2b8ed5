package io.sluice.core;

/**
 * Which per-event results a client wants for the events of a batch. The numbers are the wire values of the
 * {@code ResultMode} enum in the SBE schema; a transport test checks both agree. Whatever the mode, window results,
 * alerts, query results, rejections and resume answers go out.
 */
public final class ResultMode
{
    /** An {@code EventResult} message for every event (a plain {@code Event} always gets this). */
    public static final int PER_EVENT = 0;
    /** The results of one processor batch go out together as {@code EventResultBatch} messages. */
    public static final int BATCHED = 1;
    /** No per-event result at all: the client reads window results and alerts. */
    public static final int NONE = 2;
    /** One more than the largest mode. */
    public static final int LIMIT = 3;

    private ResultMode()
    {
    }
}
