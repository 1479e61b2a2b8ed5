package io.sluice.core.processor;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
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
 *     <li>{@code SHARED}: each processor drains the ring through its own {@link EventPoller}, all of them from the
 *     {@link #pollAgent()}'s duty cycle, which the caller composes into a thread of its choosing.</li>
 * </ul>
 * Either way each processor's sequence gates the ring, so the producer never overwrites an unhandled entry, and an
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
    @SuppressWarnings("unchecked")
    public ProcessorGroup(
        final SluiceRing ring,
        final ShardProcessor[] processors,
        final ThreadingMode mode,
        final ErrorHandler errorHandler)
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
                    new BatchEventProcessorBuilder().build(ringBuffer, ringBuffer.newBarrier(), processors[i]);
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
            final EventPoller<RingEntry>[] pollers = new EventPoller[processors.length];
            for (int i = 0; i < processors.length; i++)
            {
                pollers[i] = ringBuffer.newPoller();
                ringBuffer.addGatingSequences(pollers[i].getSequence());
            }
            pollAgent = new PollAgent(pollers, this.processors, errorHandler);
        }
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
     * Drives every processor's poller from one duty cycle.
     */
    static final class PollAgent implements Agent
    {
        private final EventPoller<RingEntry>[] pollers;
        private final ShardProcessor[] processors;
        private final EventPoller.Handler<RingEntry>[] handlers;

        @SuppressWarnings("unchecked")
        PollAgent(final EventPoller<RingEntry>[] pollers, final ShardProcessor[] processors, final ErrorHandler errorHandler)
        {
            this.pollers = pollers;
            this.processors = processors;
            this.handlers = new EventPoller.Handler[processors.length];
            for (int i = 0; i < processors.length; i++)
            {
                final ShardProcessor processor = processors[i];
                handlers[i] = (entry, sequence, endOfBatch) ->
                {
                    try
                    {
                        processor.onEvent(entry, sequence, endOfBatch);
                    }
                    catch (final Throwable ex)
                    {
                        errorHandler.onError(entryFailure(ex, processor.shard(), sequence, entry));
                    }
                    return true;
                };
            }
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
            int work = 0;
            for (int i = 0; i < pollers.length; i++)
            {
                final EventPoller<RingEntry> poller = pollers[i];
                final Sequence sequence = poller.getSequence();
                final long before = sequence.get();
                poller.poll(handlers[i]);
                work += (int)(sequence.get() - before);
            }
            return work;
        }

        public String roleName()
        {
            return "sluice-processors";
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
