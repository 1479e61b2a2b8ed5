package io.sluice.server.auth;

/**
 * The credentials file cannot be used: the message names the file, the line and what is wrong. At start-up the
 * daemon exits 2 with it; at a reload the daemon keeps the credentials it had.
 */
public final class CredentialsException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the file, the line number and what is wrong.
     */
    public CredentialsException(final String message)
    {
        super(message);
    }
}
