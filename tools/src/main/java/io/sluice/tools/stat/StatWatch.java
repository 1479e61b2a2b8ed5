package io.sluice.tools.stat;

import io.aeron.CommonContext;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * {@code sluice stat --watch [SECONDS]}: re-reads a daemon's (or cluster node's) counters every interval and
 * redraws the screen in place (ANSI cursor home and clear screen, as AeronStat's watch mode does): a header, the
 * rates of {@link StatRates} over the last interval, then the counters as {@code sluice stat} prints them.
 * <p>
 * Ends with 0 when {@code stop} turns true (SIGINT or SIGTERM); ends with 1, saying why on {@code err}, when no
 * media driver is there at the start or the daemon goes away: its CnC file disappears, its driver stops
 * heartbeating for longer than {@code sluice.driver.liveness-timeout}, or (with an external driver) Sluice's
 * counters disappear. Runs on the caller's thread.
 */
public final class StatWatch
{
    /** ANSI: cursor to the top left, then clear the screen. */
    public static final String CLEAR_SCREEN = "\u001b[H\u001b[2J";

    private static final long STOP_POLL_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private StatWatch()
    {
    }

    /**
     * Watch until stopped or the daemon goes away.
     *
     * @param driverDir         the daemon's media driver directory.
     * @param livenessTimeoutNs how old the driver's heartbeat may be before the daemon counts as gone.
     * @param intervalNs        time between readings, above 0.
     * @param out               where the screens go.
     * @param err               where the line saying the daemon is not there, or went away, goes.
     * @param stop              true once the watch should end (checked at least every 50 ms).
     * @return 0 when stopped, 1 when no daemon was there or it went away.
     */
    public static int run(
        final String driverDir,
        final long livenessTimeoutNs,
        final long intervalNs,
        final PrintStream out,
        final PrintStream err,
        final BooleanSupplier stop)
    {
        StatReading previous = null;
        boolean sawSluiceCounters = false;
        while (!stop.getAsBoolean())
        {
            String absent = absence(driverDir, livenessTimeoutNs);
            StatReading reading = null;
            if (null == absent)
            {
                try
                {
                    reading = StatReading.read(driverDir);
                    absent = null == reading ? "its CnC file is gone" : null;
                }
                catch (final Exception ex)
                {
                    absent = "its CnC file cannot be read: " + ex;
                }
            }
            if (null == absent && sawSluiceCounters && !reading.hasSluiceCounters())
            {
                absent = "its Sluice counters are gone (the daemon stopped; its media driver still runs)";
            }
            if (null != absent)
            {
                if (null == previous)
                {
                    err.println(CommonContext.newCncFile(driverDir).exists() ?
                        "sluice stat: no live media driver at " + driverDir + ": " + absent +
                            " (is the daemon running? see sluice.driver.dir)" :
                        SluiceStat.noDriverMessage(driverDir));
                }
                else
                {
                    err.println("sluice stat: the daemon at " + driverDir + " has gone: " + absent);
                }
                return 1;
            }
            sawSluiceCounters |= reading.hasSluiceCounters();
            out.print(CLEAR_SCREEN + frame(driverDir, intervalNs, previous, reading));
            out.flush();
            previous = reading;
            final long deadline = reading.nanoTime() + intervalNs;
            long remainingNs;
            while (!stop.getAsBoolean() && (remainingNs = deadline - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(Math.min(remainingNs, STOP_POLL_NS));
            }
        }
        return 0;
    }

    /**
     * One screen, without the clear-screen codes.
     *
     * @param driverDir  the driver directory read.
     * @param intervalNs the watch's interval.
     * @param previous   the reading before, or null for the first screen (no rates yet).
     * @param current    this reading.
     * @return the screen's text, lines ending in a newline.
     */
    public static String frame(
        final String driverDir, final long intervalNs, final StatReading previous, final StatReading current)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream screen = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        screen.printf("sluice stat --watch: %s at %s, every %s s (Ctrl-C ends)%n%n",
            driverDir, current.timestamp(), seconds(intervalNs));
        final Map<String, Long> quantities = StatRates.quantities(current);
        if (null == previous || current.nanoTime() <= previous.nanoTime())
        {
            screen.printf("rates from the next reading, in %s s%n", seconds(intervalNs));
        }
        else
        {
            final long elapsedNs = current.nanoTime() - previous.nanoTime();
            screen.printf(Locale.ROOT, "%-30s %16s %14s%n",
                String.format(Locale.ROOT, "rates over the last %.2f s", elapsedNs / 1e9), "per second", "change");
            for (final StatRates.Rate rate :
                StatRates.between(StatRates.quantities(previous), quantities, elapsedNs))
            {
                screen.printf(Locale.ROOT, "  %-28s %,16.1f %,14d%n", rate.name(), rate.perSecond(), rate.delta());
            }
        }
        screen.println();
        SluiceStat.printTable(current, screen);
        screen.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * @param ns a duration in nanoseconds.
     * @return it in seconds, without trailing zeros: {@code 1}, {@code 0.5}, {@code 2.25}.
     */
    static String seconds(final long ns)
    {
        return BigDecimal.valueOf(ns, 9).stripTrailingZeros().toPlainString();
    }

    /**
     * @return null when a live media driver is there, else why not.
     */
    private static String absence(final String driverDir, final long livenessTimeoutNs)
    {
        final File cncFile = CommonContext.newCncFile(driverDir);
        if (!cncFile.exists())
        {
            return "its CnC file " + cncFile + " is gone";
        }
        final long timeoutMs = TimeUnit.NANOSECONDS.toMillis(livenessTimeoutNs);
        try
        {
            if (!CommonContext.isDriverActive(new File(driverDir), timeoutMs, (message) -> {}))
            {
                return "its media driver has not heartbeated for more than " + timeoutMs +
                    " ms (sluice.driver.liveness-timeout)";
            }
        }
        catch (final Exception ex)
        {
            return "its CnC file cannot be read: " + ex;
        }
        return null;
    }
}
