package io.sluice.core.shard;

/**
 * A processor threw on a ring entry; the entry was skipped. Its message names the shard, the ring sequence and the
 * entry's type and ids; the cause is what the processor threw. Reported to the daemon's error handler, never thrown.
 */
public final class ShardEntryException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the shard, sequence and entry.
     * @param cause   what the processor threw.
     */
    public ShardEntryException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
