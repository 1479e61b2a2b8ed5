package io.sluice.core.replay;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * Several threads replaying one journal side by side, each the only writer of its own shards: share {@code t} of
 * {@code threads} runs on a thread of its own, named {@code prefix + t}, share 0 on the calling thread; then every
 * thread is joined. When a share fails, {@link #failed()} turns true so the others can stop early
 * ({@link #checkNotFailed()}); once all are joined the first failure is thrown, the others' added to it as suppressed.
 * Recovery and what-if replay both fan out through here; it sees no entries (each share's {@link JournalFeed} does,
 * OWNERSHIP entries included). Control path only.
 */
public final class ReplayFanOut
{
    private final int threads;
    private final String prefix;
    private final AtomicBoolean failed = new AtomicBoolean();

    /**
     * @param threads how many shares, at least 1.
     * @param prefix  the helper threads' name, before their share's index.
     */
    public ReplayFanOut(final int threads, final String prefix)
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("threads=" + threads + " must be at least 1");
        }
        this.threads = threads;
        this.prefix = prefix;
    }

    /**
     * @return how many shares.
     */
    public int threads()
    {
        return threads;
    }

    /**
     * Run every share and wait for all.
     *
     * @param share runs share {@code t}, on its own thread.
     * @throws RuntimeException the first share's failure, with the others' suppressed ({@link Error}s likewise, and
     *                          any other throwable wrapped in an {@link IllegalStateException}).
     */
    public void run(final IntConsumer share)
    {
        final Thread[] helpers = new Thread[threads - 1];
        final Throwable[] failures = new Throwable[threads];
        for (int t = 1; t < threads; t++)
        {
            final int index = t;
            helpers[t - 1] = new Thread(() -> runShare(share, index, failures), prefix + t);
            helpers[t - 1].start();
        }
        try
        {
            runShare(share, 0, failures);
        }
        finally
        {
            join(helpers);
        }
        rethrowFirst(failures);
    }

    /**
     * @return true once a share failed.
     */
    public boolean failed()
    {
        return failed.get();
    }

    /**
     * Stop a share early when another failed.
     *
     * @throws Aborted when another share failed.
     */
    public void checkNotFailed()
    {
        if (failed.get())
        {
            throw new Aborted();
        }
    }

    private void runShare(final IntConsumer share, final int index, final Throwable[] failures)
    {
        try
        {
            share.accept(index);
        }
        catch (final Throwable ex)
        {
            failed.set(true);
            failures[index] = ex;
        }
    }

    private static void rethrowFirst(final Throwable[] failures)
    {
        Throwable first = null;
        for (final Throwable failure : failures)
        {
            if (null == failure || failure instanceof Aborted)
            {
                continue;
            }
            if (null == first)
            {
                first = failure;
            }
            else
            {
                first.addSuppressed(failure);
            }
        }
        if (first instanceof RuntimeException runtime)
        {
            throw runtime;
        }
        if (first instanceof Error error)
        {
            throw error;
        }
        if (null != first)
        {
            throw new IllegalStateException(first);
        }
    }

    private static void join(final Thread[] threads)
    {
        boolean interrupted = false;
        for (final Thread thread : threads)
        {
            while (null != thread && thread.isAlive())
            {
                try
                {
                    thread.join();
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends a share early because another failed; not reported itself.
     */
    public static final class Aborted extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Aborted()
        {
            super("another replay thread failed", null, false, false);
        }
    }
}
