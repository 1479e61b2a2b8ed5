package io.sluice.server.signal;

import sun.misc.Signal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for SIGTERM or SIGINT without letting the JVM start its own shutdown, so the daemon can drain, close in
 * order and exit 0 (a JVM that exits through its signal shutdown path reports 143 or 130 whatever main does).
 * The waiting thread parks and the handler unparks it: waiting allocates nothing, however long it lasts (a
 * {@code CountDownLatch} with a timeout allocates a queue node each time it waits).
 */
public final class TerminationSignal
{
    private volatile String received;
    private volatile Thread waiter;

    /**
     * Install handlers for TERM and INT, replacing the JVM's default ones.
     */
    public TerminationSignal()
    {
        for (final String name : new String[]{"TERM", "INT"})
        {
            Signal.handle(new Signal(name), (signal) ->
            {
                received = signal.getName();
                final Thread thread = waiter;
                if (null != thread)
                {
                    LockSupport.unpark(thread);
                }
            });
        }
    }

    /**
     * @return true once TERM or INT arrived.
     */
    public boolean received()
    {
        return null != received;
    }

    /**
     * @return the name of the signal that arrived, e.g. "TERM", or null before one did.
     */
    public String name()
    {
        return received;
    }

    /**
     * Block until a signal arrives.
     *
     * @return the signal's name, e.g. "TERM".
     * @throws InterruptedException if the waiting thread is interrupted.
     */
    public String await() throws InterruptedException
    {
        return await(TimeUnit.DAYS.toMillis(1), () -> {});
    }

    /**
     * Block until a signal arrives, running a task every period meanwhile. One waiting thread at a time; allocates
     * nothing of its own.
     *
     * @param periodMs how often to run the task.
     * @param task     what to run, on the waiting thread.
     * @return the signal's name, e.g. "TERM".
     * @throws InterruptedException if the waiting thread is interrupted.
     */
    public String await(final long periodMs, final Runnable task) throws InterruptedException
    {
        return await(periodMs, () ->
        {
            task.run();
            return false;
        });
    }

    /**
     * Block until a signal arrives or a check, run every period meanwhile, says to stop waiting. One waiting thread
     * at a time; allocates nothing of its own.
     *
     * @param periodMs how often to run the check.
     * @param stop     the check, on the waiting thread: true to stop waiting.
     * @return the signal's name, e.g. "TERM", or null when the check stopped the wait.
     * @throws InterruptedException if the waiting thread is interrupted.
     */
    public String await(final long periodMs, final BooleanSupplier stop) throws InterruptedException
    {
        final long periodNs = TimeUnit.MILLISECONDS.toNanos(periodMs);
        waiter = Thread.currentThread();
        try
        {
            long dueNs = System.nanoTime() + periodNs;
            while (null == received)
            {
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
                final long nowNs = System.nanoTime();
                if (nowNs - dueNs >= 0)
                {
                    if (stop.getAsBoolean())
                    {
                        return null;
                    }
                    dueNs = nowNs + periodNs;
                }
                else
                {
                    LockSupport.parkNanos(this, dueNs - nowNs);
                }
            }
            return received;
        }
        finally
        {
            waiter = null;
        }
    }
}
