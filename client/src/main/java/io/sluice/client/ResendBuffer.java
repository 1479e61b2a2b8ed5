package io.sluice.client;

/**
 * The last events a {@link SluiceClient} offered, kept so that {@link SluiceClient#resume} can offer again, with
 * their original correlation ids, those the daemon has not accepted. Events leave only by eviction, never because a
 * daemon said it had them: a daemon journaling asynchronously may come back from a crash with a lower mark. A ring of {@code capacity} events in four
 * primitive arrays (no allocation per event); when full, adding an event evicts the oldest, and the buffer remembers
 * the highest correlation id it ever evicted so it can tell when it no longer holds every event above a mark.
 * <pre>
 *   sequence:   head ........................ tail      (tail - head = size, at most capacity)
 *   index:      sequence % capacity in correlationIds[], keys[], timestamps[], values[]
 * </pre>
 * Correlation ids are added in increasing order. Not thread safe: the client's offering thread only.
 */
final class ResendBuffer
{
    /** No correlation id: nothing evicted, or no event added yet. */
    static final long NONE = Long.MIN_VALUE;

    private final int capacity;
    private final long[] correlationIds;
    private final long[] keys;
    private final long[] timestamps;
    private final double[] values;
    private long head;
    private long tail;
    private long firstCorrelationId = NONE;
    private long evictedUpTo = NONE;

    /**
     * @param capacity most events held, at least 0 (0 holds none: every event added is evicted at once).
     */
    ResendBuffer(final int capacity)
    {
        if (capacity < 0)
        {
            throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
        }
        this.capacity = capacity;
        this.correlationIds = new long[capacity];
        this.keys = new long[capacity];
        this.timestamps = new long[capacity];
        this.values = new double[capacity];
    }

    /**
     * @return most events held.
     */
    int capacity()
    {
        return capacity;
    }

    /**
     * @return events held.
     */
    int size()
    {
        return (int)(tail - head);
    }

    /**
     * Keep an offered event, evicting the oldest when full.
     *
     * @param correlationId its correlation id, above every one added before.
     * @param key           its key.
     * @param timestamp     its event time, epoch ns.
     * @param value         its value.
     */
    void add(final long correlationId, final long key, final long timestamp, final double value)
    {
        if (NONE == firstCorrelationId)
        {
            firstCorrelationId = correlationId;
        }
        if (0 == capacity)
        {
            evictedUpTo = correlationId;
            return;
        }
        if (tail - head == capacity)
        {
            evictedUpTo = correlationIds[index(head)];
            head++;
        }
        final int index = index(tail);
        correlationIds[index] = correlationId;
        keys[index] = key;
        timestamps[index] = timestamp;
        values[index] = value;
        tail++;
    }

    /**
     * @param mark the highest correlation id the daemon has accepted from this client, {@link #NONE} when none.
     * @return true when every event added with a correlation id above the mark is still held.
     */
    boolean holdsAllAbove(final long mark)
    {
        return evictedUpTo <= mark;
    }

    /**
     * @param mark a mark for which {@link #holdsAllAbove(long)} is false.
     * @return the lowest correlation id that may have been lost: the first added, or the one after the mark.
     */
    long firstLostAbove(final long mark)
    {
        return Math.max(mark + 1, firstCorrelationId);
    }

    /**
     * @return the highest correlation id evicted, {@link #NONE} when none.
     */
    long evictedUpTo()
    {
        return evictedUpTo;
    }

    /**
     * @param mark a correlation id, or {@link #NONE}.
     * @return the position from the oldest held event of the first one above the mark; {@link #size()} when none is.
     */
    int firstAbove(final long mark)
    {
        final int size = size();
        int i = 0;
        while (i < size && correlationId(i) <= mark)
        {
            i++;
        }
        return i;
    }

    /**
     * @param i position from the oldest held event, in {@code [0, size())}.
     * @return that event's correlation id.
     */
    long correlationId(final int i)
    {
        return correlationIds[index(head + i)];
    }

    /**
     * @param i position from the oldest held event.
     * @return that event's key.
     */
    long key(final int i)
    {
        return keys[index(head + i)];
    }

    /**
     * @param i position from the oldest held event.
     * @return that event's time, epoch ns.
     */
    long timestamp(final int i)
    {
        return timestamps[index(head + i)];
    }

    /**
     * @param i position from the oldest held event.
     * @return that event's value.
     */
    double value(final int i)
    {
        return values[index(head + i)];
    }

    private int index(final long sequence)
    {
        return (int)(sequence % capacity);
    }
}
