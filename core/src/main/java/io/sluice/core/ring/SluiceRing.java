package io.sluice.core.ring;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventFactory;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import io.sluice.config.ConfigurationException;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WaitStrategyType;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The Disruptor ring whose entries are {@link RingEntry} flyweights over {@link RingEntry#LENGTH}-byte slots of one
 * off-heap buffer. One producer, a {@link RingProducer}, claims, writes the entry and {@link #publish(long)}es.
 */
public final class SluiceRing
{
    private final RingBuffer<RingEntry> ringBuffer;
    private final UnsafeBuffer slots;

    /**
     * @param ctx a concluded context: length and wait strategy.
     * @throws IllegalStateException when the context was not concluded.
     */
    public SluiceRing(final Context ctx)
    {
        this(ctx.checkConcluded().length(), ctx.waitStrategy());
    }

    /**
     * @param length       entries, a power of two.
     * @param waitStrategy how dedicated processors wait for entries.
     * @throws IllegalArgumentException when the length is not a power of two or its slots need more than
     *                                  {@link Integer#MAX_VALUE} bytes (see {@link #bytesFor(int)}).
     */
    public SluiceRing(final int length, final WaitStrategyType waitStrategy)
    {
        final long bytes = bytesFor(length);
        if (bytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("a ring of " + length + " entries needs " + bytes +
                " bytes, more than one buffer holds (" + Integer.MAX_VALUE + ")");
        }
        this.slots = new UnsafeBuffer(BufferUtil.allocateDirectAligned((int)bytes, 64));
        final EventFactory<RingEntry> factory = new EventFactory<>()
        {
            private int next;

            public RingEntry newInstance()
            {
                return new RingEntry(slots, RingEntry.LENGTH * next++);
            }
        };
        this.ringBuffer = RingBuffer.createSingleProducer(factory, length, waitStrategy(waitStrategy));
    }

    /**
     * The off-heap bytes a ring's slots need, computed as the constructor allocates, in {@code long} arithmetic so a
     * caller can check sizes before allocating anything.
     *
     * @param length entries, a power of two.
     * @return bytes of the slots.
     * @throws IllegalArgumentException when the length is not a power of two.
     */
    public static long bytesFor(final int length)
    {
        if (length <= 0 || Integer.bitCount(length) != 1)
        {
            throw new IllegalArgumentException("ring length must be a power of two: " + length);
        }
        return (long)length * RingEntry.LENGTH;
    }

    private static WaitStrategy waitStrategy(final WaitStrategyType type)
    {
        switch (type)
        {
            case BUSY_SPIN:
                return new BusySpinWaitStrategy();
            case YIELDING:
                return new YieldingWaitStrategy();
            case SLEEPING:
            default:
                return new SleepingWaitStrategy();
        }
    }

    /**
     * @return the Disruptor ring buffer, for wiring processors.
     */
    public RingBuffer<RingEntry> ringBuffer()
    {
        return ringBuffer;
    }

    /**
     * @return entries in the ring.
     */
    public int length()
    {
        return ringBuffer.getBufferSize();
    }

    /**
     * @return bytes per slot: always {@link RingEntry#LENGTH}.
     */
    public int slotLength()
    {
        return RingEntry.LENGTH;
    }

    /**
     * Claim the next slot without blocking. Producer thread only.
     *
     * @return the sequence claimed, or -1 when the ring is full.
     */
    public long tryClaim()
    {
        if (!ringBuffer.hasAvailableCapacity(1))
        {
            return -1;
        }
        return ringBuffer.next();
    }

    /**
     * @param entries entries wanted.
     * @return true when that many slots can be claimed now without waiting. Producer thread only.
     */
    public boolean hasCapacity(final int entries)
    {
        return ringBuffer.hasAvailableCapacity(entries);
    }

    /**
     * Claim the next slot after {@link #hasCapacity(int)} said there is room. Producer thread only.
     *
     * @return the sequence claimed.
     */
    public long claim()
    {
        return ringBuffer.next();
    }

    /**
     * Claim the next {@code count} slots at once. Producer thread only; call only when {@link #hasCapacity(int)}
     * said so, else this waits for the processors.
     *
     * @param count slots, at least 1 and at most the ring's length.
     * @return the sequence of the last slot claimed; the first is {@code last - count + 1}.
     */
    public long claim(final int count)
    {
        return ringBuffer.next(count);
    }

    /**
     * Make a run of claimed slots visible to the consumers at once. Producer thread only.
     *
     * @param lo first sequence of the run.
     * @param hi last sequence of the run.
     */
    public void publish(final long lo, final long hi)
    {
        ringBuffer.publish(lo, hi);
    }

    /**
     * @param sequence a claimed sequence.
     * @return the entry to write.
     */
    public RingEntry entry(final long sequence)
    {
        return ringBuffer.get(sequence);
    }

    /**
     * Make a claimed, written entry visible to processors. Producer thread only.
     *
     * @param sequence the claimed sequence.
     */
    public void publish(final long sequence)
    {
        ringBuffer.publish(sequence);
    }

    /**
     * @return true when every processor has handled every published entry.
     */
    public boolean isDrained()
    {
        return ringBuffer.getMinimumGatingSequence() >= ringBuffer.getCursor();
    }

    /**
     * What a ring is made of: its length and the wait strategy of dedicated processors. Set what differs from the
     * declared defaults ({@link Settings#RING_LENGTH}, {@link Settings#PROCESSOR_WAIT_STRATEGY}), or take every
     * value from a configuration with {@link #from(SluiceConfig)}, then {@link #conclude()} once before use.
     * <p>
     * Start-up only; not thread safe.
     */
    public static final class Context
    {
        private Integer length;
        private WaitStrategyType waitStrategy;
        private long bytes;
        private boolean concluded;

        /**
         * @param config the daemon's configuration, the one place its ring settings are read.
         * @return a context holding {@code sluice.ring.length} and {@code sluice.processor.wait-strategy}, not yet
         * concluded.
         */
        public static Context from(final SluiceConfig config)
        {
            return new Context().length(config.ringLength()).waitStrategy(config.processorWaitStrategy());
        }

        /**
         * Fill defaults from the declarations in {@link Settings}, check every value against its declared range
         * and compute the ring's bytes. Runs once.
         *
         * @return this.
         * @throws ConfigurationException naming the key, e.g. {@code sluice.ring.length=1000 must be a power of two},
         *                                or when the slots would need more than one off-heap buffer holds.
         * @throws IllegalStateException  when called a second time.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("SluiceRing.Context is already concluded");
            }
            length = Settings.RING_LENGTH.valueOrDefault(length);
            waitStrategy = Settings.PROCESSOR_WAIT_STRATEGY.valueOrDefault(waitStrategy);
            bytes = bytesFor(length);
            if (bytes > Integer.MAX_VALUE)
            {
                throw new ConfigurationException(SluiceConfig.RING_LENGTH, Integer.toString(length), "needs " + bytes +
                    " bytes of slots, more than one off-heap buffer holds (" + Integer.MAX_VALUE + ")");
            }
            concluded = true;
            return this;
        }

        /**
         * @param length entries, a power of two ({@link SluiceConfig#RING_LENGTH}).
         * @return this.
         */
        public Context length(final int length)
        {
            this.length = length;
            return this;
        }

        /**
         * @return entries; the declared default once concluded when none was set, else null before conclude.
         */
        public Integer length()
        {
            return length;
        }

        /**
         * @param waitStrategy how dedicated processors wait for entries ({@link SluiceConfig#PROCESSOR_WAIT_STRATEGY}).
         * @return this.
         */
        public Context waitStrategy(final WaitStrategyType waitStrategy)
        {
            this.waitStrategy = waitStrategy;
            return this;
        }

        /**
         * @return how dedicated processors wait for entries.
         */
        public WaitStrategyType waitStrategy()
        {
            return waitStrategy;
        }

        /**
         * @return off-heap bytes of the ring's slots, as {@link #bytesFor(int)}, computed once by {@link #conclude()}.
         * @throws IllegalStateException when not concluded.
         */
        public long bytes()
        {
            return checkConcluded().bytes;
        }

        /**
         * @return true once {@link #conclude()} succeeded.
         */
        public boolean isConcluded()
        {
            return concluded;
        }

        Context checkConcluded()
        {
            if (!concluded)
            {
                throw new IllegalStateException("SluiceRing.Context is not concluded");
            }
            return this;
        }
    }
}
