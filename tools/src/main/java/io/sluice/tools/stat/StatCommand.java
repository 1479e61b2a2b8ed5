package io.sluice.tools.stat;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.server.signal.TerminationSignal;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code sluice stat [--json | --watch [SECONDS]] [--config FILE]}: the daemon's counters as a table (the
 * default), as JSON ({@link StatJson}) or refreshed in place with rates ({@link StatWatch}). Main thread only.
 */
public final class StatCommand
{
    /** Interval of {@code --watch} without SECONDS. */
    public static final long DEFAULT_WATCH_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** Shortest interval {@code --watch} takes. */
    public static final long MIN_WATCH_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Longest interval {@code --watch} takes. */
    public static final long MAX_WATCH_INTERVAL_NS = TimeUnit.HOURS.toNanos(1);

    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,4}(\\.[0-9]{1,3})?");
    private static final String ALLOWED_SECONDS =
        "must be a number of seconds from 0.1 to 3600 with at most three decimals (default 1)";

    /**
     * What {@code sluice stat} was asked for.
     *
     * @param json            print one reading as JSON.
     * @param watchIntervalNs refresh in place every so many nanoseconds; 0 when not watching.
     */
    public record Options(boolean json, long watchIntervalNs)
    {
        /**
         * @return true for {@code --watch}.
         */
        public boolean watch()
        {
            return watchIntervalNs > 0;
        }
    }

    private StatCommand()
    {
    }

    /**
     * @param args the command line, {@code stat} first.
     * @return the options.
     * @throws ConfigurationException naming {@code --watch} when SECONDS is not a number of seconds from 0.1 to 3600
     *                                with at most three decimals, or when {@code --watch} comes with {@code --json}.
     */
    public static Options parse(final String[] args)
    {
        boolean json = false;
        long watchIntervalNs = 0;
        String watchValue = null;
        for (int i = 1; i < args.length; i++)
        {
            if ("--json".equals(args[i]))
            {
                json = true;
            }
            else if ("--watch".equals(args[i]))
            {
                watchIntervalNs = DEFAULT_WATCH_INTERVAL_NS;
                watchValue = "1";
                if (i + 1 < args.length && !args[i + 1].startsWith("--"))
                {
                    watchValue = args[++i];
                    watchIntervalNs = intervalNs(watchValue);
                }
            }
        }
        if (json && watchIntervalNs > 0)
        {
            throw new ConfigurationException("--watch", watchValue,
                "cannot be combined with --json: --json prints one reading");
        }
        return new Options(json, watchIntervalNs);
    }

    /**
     * @param seconds {@code --watch}'s SECONDS as given.
     * @return the interval in nanoseconds.
     * @throws ConfigurationException naming {@code --watch} when it is not a number of seconds from 0.1 to 3600 with
     *                                at most three decimals.
     */
    static long intervalNs(final String seconds)
    {
        if (SECONDS.matcher(seconds).matches())
        {
            final long ns = new BigDecimal(seconds).movePointRight(9).longValueExact();
            if (ns >= MIN_WATCH_INTERVAL_NS && ns <= MAX_WATCH_INTERVAL_NS)
            {
                return ns;
            }
        }
        throw new ConfigurationException("--watch", seconds, ALLOWED_SECONDS);
    }

    /**
     * Run {@code sluice stat}. With {@code --watch} it takes over SIGINT and SIGTERM to end with 0.
     *
     * @param args   the command line, {@code stat} first.
     * @param config the configuration naming the daemon's {@code sluice.driver.dir}.
     * @param out    where the table, the JSON or the screens go.
     * @param err    where {@code --json} and {@code --watch} say that no daemon is there, or that it went away
     *               (the plain table says it on {@code out}, as it always has).
     * @return 0 success; 1 no media driver there, or (watching) the daemon went away.
     * @throws ConfigurationException for a bad option (exit 2).
     * @throws IOException            when the JSON cannot be written.
     */
    public static int run(final String[] args, final SluiceConfig config, final PrintStream out, final PrintStream err)
        throws IOException
    {
        final Options options = parse(args);
        if (options.json())
        {
            return StatJson.print(config.driverDir(), out, err);
        }
        if (options.watch())
        {
            final TerminationSignal signal = new TerminationSignal();
            return StatWatch.run(config.driverDir(), config.driverLivenessTimeoutNs(), options.watchIntervalNs(),
                out, err, signal::received);
        }
        return SluiceStat.print(config.driverDir(), out) < 0 ? 1 : 0;
    }
}
