package io.sluice.server.daemon;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The daemon's one error handler, safe to call from any thread and never throwing. Every error:
 * <ul>
 *     <li>is recorded in a {@link DistinctErrorLog} (the embedded media driver's, in its CnC file, so Aeron's
 *     {@code ErrorStat} and {@code ./sluice errors} read it from another process with counts and first and last
 *     times; with an external driver, Sluice's own {@code sluice-errors.dat});</li>
 *     <li>counts in the {@code sluice errors} counter, atomically;</li>
 *     <li>once the daemon is ready, is printed once per distinct class and message (up to {@value #MAX_PRINTED}
 *     of them), with its stack trace unless it is one of Aeron's own reports whose message says it all.</li>
 * </ul>
 * The media driver records its own errors in the same log before calling {@link #driverErrors()}, which only
 * counts and prints them.
 */
public final class DaemonErrorHandler implements ErrorHandler
{
    static final int MAX_PRINTED = 1024;

    private final PrintStream out;
    private final Set<String> printed = ConcurrentHashMap.newKeySet();
    private final ErrorHandler driverErrors = this::countAndPrint;
    private volatile DistinctErrorLog log;
    private volatile AtomicCounter errors;
    private volatile boolean printing;

    /**
     * @param out where each distinct error is printed once.
     */
    public DaemonErrorHandler(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * @param log where errors are recorded from now on.
     */
    public void errorLog(final DistinctErrorLog log)
    {
        this.log = log;
    }

    /**
     * @param errors counts errors from now on.
     */
    public void errorCounter(final AtomicCounter errors)
    {
        this.errors = errors;
    }

    /**
     * Start printing errors: until the daemon is ready they are only recorded and counted, so a start that fails
     * says why in one line (the failure itself) rather than echoing Aeron's report of it first.
     */
    public void startPrinting()
    {
        printing = true;
    }

    /**
     * @return the handler to give the embedded media driver: it records in the log itself, so this only counts and
     * prints.
     */
    public ErrorHandler driverErrors()
    {
        return driverErrors;
    }

    /**
     * {@inheritDoc}
     */
    public void onError(final Throwable throwable)
    {
        final DistinctErrorLog log = this.log;
        if (null != log && !log.record(throwable))
        {
            out.println("sluice: error log full, not recorded: " + throwable);
        }
        countAndPrint(throwable);
    }

    private void countAndPrint(final Throwable throwable)
    {
        final AtomicCounter counter = errors;
        if (null != counter && !counter.isClosed())
        {
            counter.increment();
        }
        final String distinct = throwable.getClass().getName() + ": " + throwable.getMessage();
        if (printing && printed.size() < MAX_PRINTED && printed.add(distinct))
        {
            out.println("sluice: error: " + distinct);
            if (!(throwable instanceof io.aeron.exceptions.AeronException))
            {
                throwable.printStackTrace(out);
            }
        }
    }
}
