package io.sluice.core.snapshot;

/**
 * A snapshot set that cannot be used: a part missing, a checksum that does not match, a file cut short, a part
 * that does not fit the daemon's configuration. The message names the file and what is wrong.
 */
public final class SnapshotException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the file.
     */
    public SnapshotException(final String message)
    {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file.
     * @param cause   the underlying failure.
     */
    public SnapshotException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
