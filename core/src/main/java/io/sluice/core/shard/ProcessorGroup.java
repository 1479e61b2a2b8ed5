package io.sluice.core.shard;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import io.sluice.config.ThreadingMode;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.SluiceRing;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;

import java.util.concurrent.TimeUnit;

/**
 * Runs the processors over the ring in one of the two thread layouts of {@link ThreadingMode}:
 * <ul>
 *     <li>{@code DEDICATED}: each processor a Disruptor {@link BatchEventProcessor} on its own thread, started by
 *     {@link #start()};</li>
 *     <li>{@code SHARED}: one {@link EventPoller} drains the ring in the {@link #pollAgent()}'s duty cycle (which the
 *     caller composes into a thread of its choosing) and hands each entry to the processor of its shard only, and
 *     each tick to every processor in shard order; processors never walk each other's entries.</li>
 * </ul>
 * Either way the consumers' sequences gate the ring, so the producer never overwrites an unhandled entry, and an
 * entry on which a processor throws is reported to the error handler as a {@link ShardEntryException} naming the
 * entry, then skipped: the processor goes on with the next one (it is never retried, so no result is sent twice).
 */
public final class ProcessorGroup implements AutoCloseable
{
    private final SluiceRing ring;
    private final ShardProcessor[] processors;
    private final BatchEventProcessor<RingEntry>[] batchProcessors;
    private final Thread[] threads;
    private final PollAgent pollAgent;

    /**
     * @param ring         the ring to consume.
     * @param processors   one per shard, shard i at index i.
     * @param mode         thread layout.
     * @param errorHandler receives any exception a processor throws; the processor then goes on with the next entry.
     */
    public ProcessorGroup(
        final SluiceRing ring,
        final ShardProcessor[] processors,
        final ThreadingMode mode,
        final ErrorHandler errorHandler)
    {
        this(ring, processors, mode, errorHandler, null);
    }

    /**
     * @param ring         the ring to consume.
     * @param processors   one per shard, shard i at index i.
     * @param mode         thread layout.
     * @param errorHandler receives any exception a processor throws; the processor then goes on with the next entry.
     * @param upstream     a sequence the processors must stay behind (the journal's durable sequence in sync mode:
     *                     no result leaves before its entry is journaled), or null to follow the ring's cursor.
     */
    @SuppressWarnings("unchecked")
    public ProcessorGroup(
        final SluiceRing ring,
        final ShardProcessor[] processors,
        final ThreadingMode mode,
        final ErrorHandler errorHandler,
        final Sequence upstream)
    {
        this.ring = ring;
        this.processors = processors.clone();
        final RingBuffer<RingEntry> ringBuffer = ring.ringBuffer();

        if (ThreadingMode.DEDICATED == mode)
        {
            batchProcessors = new BatchEventProcessor[processors.length];
            threads = new Thread[processors.length];
            for (int i = 0; i < processors.length; i++)
            {
                final BatchEventProcessor<RingEntry> batchProcessor =
                    new BatchEventProcessorBuilder().build(ringBuffer, barrier(ringBuffer, upstream), processors[i]);
                batchProcessor.setExceptionHandler(new ReportingExceptionHandler(errorHandler, i));
                ringBuffer.addGatingSequences(batchProcessor.getSequence());
                batchProcessors[i] = batchProcessor;
                threads[i] = new Thread(batchProcessor, "sluice-processor-" + i);
            }
            pollAgent = null;
        }
        else
        {
            batchProcessors = null;
            threads = null;
            final EventPoller<RingEntry> poller =
                null == upstream ? ringBuffer.newPoller() : ringBuffer.newPoller(upstream);
            ringBuffer.addGatingSequences(poller.getSequence());
            pollAgent = new PollAgent(poller, this.processors, errorHandler);
        }
    }

    private static SequenceBarrier barrier(final RingBuffer<RingEntry> ringBuffer, final Sequence upstream)
    {
        return null == upstream ? ringBuffer.newBarrier() : ringBuffer.newBarrier(upstream);
    }

    /**
     * @return the processors, shard i at index i.
     */
    public ShardProcessor[] processors()
    {
        return processors.clone();
    }

    /**
     * Start the processor threads ({@code DEDICATED}); does nothing for {@code SHARED}.
     */
    public void start()
    {
        if (null != threads)
        {
            for (final Thread thread : threads)
            {
                thread.start();
            }
        }
    }

    /**
     * @return the agent that runs every processor ({@code SHARED}), or null ({@code DEDICATED}).
     */
    public Agent pollAgent()
    {
        return pollAgent;
    }

    /**
     * @return true when every processor has handled every published entry.
     */
    public boolean isDrained()
    {
        return ring.isDrained();
    }

    /**
     * Wait up to the timeout for dedicated processors to drain the ring, then halt and join them. A shared-mode
     * caller drains by running {@link #pollAgent()} until {@link #isDrained()} before closing.
     *
     * @param timeout longest wait for draining.
     * @param unit    unit of the timeout.
     * @return true if the ring was drained.
     */
    public boolean drainAndStop(final long timeout, final TimeUnit unit)
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!ring.isDrained() && System.nanoTime() < deadline && null != threads)
        {
            Thread.onSpinWait();
            Thread.yield();
        }
        final boolean drained = ring.isDrained();
        close();
        return drained;
    }

    /**
     * Halt and join dedicated processor threads at once.
     */
    public void close()
    {
        if (null != batchProcessors)
        {
            for (final BatchEventProcessor<RingEntry> batchProcessor : batchProcessors)
            {
                if (batchProcessor.isRunning())
                {
                    batchProcessor.halt();
                }
            }
            for (final Thread thread : threads)
            {
                if (thread.isAlive())
                {
                    try
                    {
                        thread.join(TimeUnit.SECONDS.toMillis(5));
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /**
     * Name the entry a processor failed on, for the error log. Error path only: allocates.
     *
     * @param cause    what the processor threw.
     * @param shard    the processor's shard.
     * @param sequence the entry's ring sequence.
     * @param entry    the entry.
     * @return the report, with the cause attached.
     */
    static ShardEntryException entryFailure(
        final Throwable cause, final int shard, final long sequence, final RingEntry entry)
    {
        return new ShardEntryException(
            "shard " + shard + " skipped ring entry " + sequence + " (type " + entry.type() + ", client " +
            entry.clientId() + ", correlation " + entry.correlationId() + ", key " + entry.key() + ") after " +
            cause.getClass().getSimpleName(),
            cause);
    }

    /**
     * Drains the ring with one poller and hands each entry to its shard's processor, each tick to all of them. A
     * processor that throws on an entry is reported and the entry skipped (for a tick: only that processor's share
     * of it), so the poller's sequence always moves past it.
     */
    static final class PollAgent implements Agent
    {
        private final EventPoller<RingEntry> poller;
        private final Sequence sequence;
        private final ShardProcessor[] processors;
        private final ErrorHandler errorHandler;
        private final EventPoller.Handler<RingEntry> handler = this::dispatch;

        PollAgent(final EventPoller<RingEntry> poller, final ShardProcessor[] processors, final ErrorHandler errorHandler)
        {
            this.poller = poller;
            this.sequence = poller.getSequence();
            this.processors = processors;
            this.errorHandler = errorHandler;
        }

        public void onStart()
        {
            for (final ShardProcessor processor : processors)
            {
                processor.onStart();
            }
        }

        public void onClose()
        {
            for (final ShardProcessor processor : processors)
            {
                processor.onShutdown();
            }
        }

        public int doWork() throws Exception
        {
            final long before = sequence.get();
            poller.poll(handler);
            return (int)(sequence.get() - before);
        }

        public String roleName()
        {
            return "sluice-processors";
        }

        private boolean dispatch(final RingEntry entry, final long sequence, final boolean endOfBatch)
        {
            switch (entry.type())
            {
                case RingEntry.TYPE_TICK:
                case RingEntry.TYPE_SNAPSHOT:
                case RingEntry.TYPE_RULES:
                case RingEntry.TYPE_OWNERSHIP:
                    for (final ShardProcessor processor : processors)
                    {
                        handle(processor, entry, sequence);
                    }
                    break;

                case RingEntry.TYPE_EVENT:
                case RingEntry.TYPE_QUERY:
                case RingEntry.TYPE_REJECT:
                case RingEntry.TYPE_RESUME:
                    final int shard = entry.shard();
                    if (shard >= 0 && shard < processors.length)
                    {
                        handle(processors[shard], entry, sequence);
                    }
                    else
                    {
                        errorHandler.onError(entryFailure(
                            new IllegalStateException("no processor for shard " + shard), shard, sequence, entry));
                    }
                    break;

                default:
                    break;
            }
            if (endOfBatch)
            {
                for (final ShardProcessor processor : processors)
                {
                    processor.onBatchEnd();
                }
            }
            return true;
        }

        private void handle(final ShardProcessor processor, final RingEntry entry, final long sequence)
        {
            try
            {
                processor.onEntry(entry);
            }
            catch (final Throwable ex)
            {
                errorHandler.onError(entryFailure(ex, processor.shard(), sequence, entry));
            }
        }
    }

    /**
     * Reports a processor's exception and lets it go on: one bad entry must not stop a shard.
     */
    static final class ReportingExceptionHandler implements ExceptionHandler<RingEntry>
    {
        private final ErrorHandler errorHandler;
        private final int shard;

        ReportingExceptionHandler(final ErrorHandler errorHandler, final int shard)
        {
            this.errorHandler = errorHandler;
            this.shard = shard;
        }

        public void handleEventException(final Throwable ex, final long sequence, final RingEntry event)
        {
            errorHandler.onError(entryFailure(ex, shard, sequence, event));
        }

        public void handleOnStartException(final Throwable ex)
        {
            errorHandler.onError(ex);
        }

        public void handleOnShutdownException(final Throwable ex)
        {
            errorHandler.onError(ex);
        }
    }
}
