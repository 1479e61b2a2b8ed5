package io.sluice.tools;

/**
 * A command line that does not fit its command's table entry: an unknown command or option, a missing value or a
 * stray word. Exit code 2, as a configuration error.
 */
public final class UsageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the command and the word.
     */
    public UsageException(final String message)
    {
        super(message);
    }
}
