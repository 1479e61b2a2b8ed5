package io.sluice.core.ring;

import org.agrona.collections.Long2LongHashMap;

/**
 * Each client's high-water mark: the highest event correlation id the ring has accepted from it. Correlation ids
 * increase per client, so an event at or below its client's mark is a resend of one already accepted and is
 * rejected {@code DUPLICATE}, never applied twice. The marks are state: the journal replays them and a snapshot
 * holds them, so after a restart a resuming client learns where to resend from.
 * <p>
 * At most {@link #capacity()} clients are tracked; an event from one more is rejected {@code CLIENTS_FULL}. A map
 * of {@code long} to {@code long}: no boxing; it grows (allocates) only when a new client appears.
 * Producer thread only.
 */
public final class ClientMarks
{
    /** The mark of a client with no accepted event. */
    public static final long NONE = Long.MIN_VALUE;

    private final int capacity;
    private final Long2LongHashMap marks;

    /**
     * @param capacity most clients tracked, at least 1.
     */
    public ClientMarks(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.capacity = capacity;
        this.marks = new Long2LongHashMap(Math.min(capacity, 1024), 0.65f, NONE);
    }

    /**
     * @return most clients tracked.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return clients tracked now.
     */
    public int size()
    {
        return marks.size();
    }

    /**
     * @param clientId a client.
     * @return its highest accepted event correlation id, {@link #NONE} when it has none.
     */
    public long mark(final long clientId)
    {
        return marks.get(clientId);
    }

    /**
     * @param clientId      a client.
     * @param correlationId the correlation id of its next event.
     * @return true when the event is new: its id is above the client's mark.
     */
    public boolean isNew(final long clientId, final long correlationId)
    {
        return correlationId > marks.get(clientId);
    }

    /**
     * @param clientId a client.
     * @return true when the client has a mark, or there is room for one more.
     */
    public boolean hasRoomFor(final long clientId)
    {
        return marks.size() < capacity || marks.containsKey(clientId);
    }

    /**
     * Record an accepted event.
     *
     * @param clientId      its client.
     * @param correlationId its correlation id, above the client's mark.
     */
    public void accept(final long clientId, final long correlationId)
    {
        marks.put(clientId, correlationId);
    }

    /**
     * Forget every mark (a restore replaces them).
     */
    public void clear()
    {
        marks.clear();
    }

    /**
     * Visit every mark, in no particular order (snapshots; control path).
     *
     * @param visitor receives each client and its mark.
     */
    public void forEach(final Visitor visitor)
    {
        final Long2LongHashMap.KeyIterator keys = marks.keySet().iterator();
        while (keys.hasNext())
        {
            final long clientId = keys.nextValue();
            visitor.onMark(clientId, marks.get(clientId));
        }
    }

    /**
     * Receives marks from {@link #forEach(Visitor)}.
     */
    @FunctionalInterface
    public interface Visitor
    {
        /**
         * @param clientId the client.
         * @param mark     its highest accepted event correlation id.
         */
        void onMark(long clientId, long mark);
    }
}
