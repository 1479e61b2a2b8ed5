package io.sluice.server.topology;

import io.sluice.core.shard.OwnershipListener;
import org.agrona.ErrorHandler;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Collects the processors' answers to the OWNERSHIP entry of the move step under way: each processor reports on
 * its own thread ({@link OwnershipListener}), the topology agent reads the sums on its. An answer to another move
 * (recovery replaying an old one) only reports its failure, if any.
 */
public final class MoveAnswers implements OwnershipListener
{
    private final ErrorHandler errorHandler;
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicLong keys = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile long moveId;

    /**
     * @param errorHandler where a processor's failure is reported.
     */
    public MoveAnswers(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
    }

    /**
     * Start listening for a move's answers, forgetting the previous ones (agent thread).
     *
     * @param moveId the move, or 0 to listen to none.
     */
    void listen(final long moveId)
    {
        this.moveId = 0;
        answered.set(0);
        keys.set(0);
        bytes.set(0);
        failure.set(null);
        this.moveId = moveId;
    }

    /**
     * {@inheritDoc}
     */
    public void onReleased(final int shard, final long moveId, final long keys, final long bytes, final Throwable cause)
    {
        answer(shard, moveId, keys, bytes, cause);
    }

    /**
     * {@inheritDoc}
     */
    public void onAcquired(final int shard, final long moveId, final long keys, final Throwable cause)
    {
        answer(shard, moveId, keys, 0, cause);
    }

    private void answer(final int shard, final long moveId, final long keys, final long bytes, final Throwable cause)
    {
        if (null != cause)
        {
            errorHandler.onError(cause);
        }
        if (0 == moveId || moveId != this.moveId)
        {
            return;
        }
        this.keys.addAndGet(keys);
        this.bytes.addAndGet(bytes);
        if (null != cause)
        {
            failure.compareAndSet(null, "processor " + shard + " failed its part of move " + moveId + ": " +
                cause.getMessage());
        }
        answered.incrementAndGet();
    }

    /**
     * @return processors that answered the move listened to.
     */
    int answered()
    {
        return answered.get();
    }

    /**
     * @return keys they moved.
     */
    long keys()
    {
        return keys.get();
    }

    /**
     * @return bytes of the parts they wrote (release).
     */
    long bytes()
    {
        return bytes.get();
    }

    /**
     * @return the first failure, or null.
     */
    String failure()
    {
        return failure.get();
    }
}
