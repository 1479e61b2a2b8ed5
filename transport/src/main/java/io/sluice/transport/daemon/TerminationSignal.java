package io.sluice.transport.daemon;

import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;

/**
 * Waits for SIGTERM or SIGINT without letting the JVM start its own shutdown, so the daemon can drain, close in
 * order and exit 0 (a JVM that exits through its signal shutdown path reports 143 or 130 whatever main does).
 */
public final class TerminationSignal
{
    private final CountDownLatch latch = new CountDownLatch(1);
    private volatile String received;

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
                latch.countDown();
            });
        }
    }

    /**
     * @return true once TERM or INT arrived.
     */
    public boolean received()
    {
        return 0 == latch.getCount();
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
        latch.await();
        return received;
    }

    /**
     * Block until a signal arrives, running a task every period meanwhile.
     *
     * @param periodMs how often to run the task.
     * @param task     what to run, on the waiting thread.
     * @return the signal's name, e.g. "TERM".
     * @throws InterruptedException if the waiting thread is interrupted.
     */
    public String await(final long periodMs, final Runnable task) throws InterruptedException
    {
        while (!latch.await(periodMs, java.util.concurrent.TimeUnit.MILLISECONDS))
        {
            task.run();
        }
        return received;
    }
}
