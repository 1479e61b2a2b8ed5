package io.sluice.client;

/**
 * The events and queries a {@link TopologyClient} has taken and not yet answered to the application, by application
 * correlation id: what each is (key, time, value), which appliance has it under which wire correlation id, or which
 * topology epoch it waits for after a {@code NOT_OWNER}. A table of {@code capacity} slots, an id's slot being
 * {@code id % capacity}: an id can be taken only when its slot is free, so at most {@code capacity} are unanswered
 * (the resend buffer's length: what an appliance's link can resend after a restart). The ids waiting for a topology
 * sit in a FIFO ring of slots of the same capacity (each slot is in it at most once), so it never overflows.
 * <pre>
 *   slot = appId % capacity:  appIds[] kinds[] keys[] timestamps[] values[]  appliances[] wireIds[] requiredEpochs[]
 *   waiting:                  waitingSlots[(head .. tail) % capacity]
 * </pre>
 * The client's thread only; primitive arrays allocated at connect, nothing after.
 */
final class UnansweredTable
{
    /** An event. */
    static final byte EVENT = 1;
    /** A query. */
    static final byte QUERY = 2;
    /** No appliance: the entry waits for a topology. */
    static final int NO_APPLIANCE = -1;

    private final int capacity;
    private final long[] appIds;
    private final byte[] kinds;
    private final long[] keys;
    private final long[] timestamps;
    private final double[] values;
    private final int[] appliances;
    private final long[] wireIds;
    private final long[] requiredEpochs;
    private final int[] waitingSlots;
    private long waitingHead;
    private long waitingTail;
    private int size;

    /**
     * @param capacity most unanswered ids, at least 1.
     */
    UnansweredTable(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.capacity = capacity;
        appIds = new long[capacity];
        kinds = new byte[capacity];
        keys = new long[capacity];
        timestamps = new long[capacity];
        values = new double[capacity];
        appliances = new int[capacity];
        wireIds = new long[capacity];
        requiredEpochs = new long[capacity];
        waitingSlots = new int[capacity];
    }

    /** @return slots: most ids unanswered at once. */
    int capacity()
    {
        return capacity;
    }

    /**
     * @return ids unanswered.
     */
    int size()
    {
        return size;
    }

    /**
     * @param appId an application id, &gt; 0.
     * @return true when its slot is free (the id {@code capacity} before it was answered).
     */
    boolean isFree(final long appId)
    {
        return 0 == appIds[slotOf(appId)];
    }

    /**
     * Take an id whose slot {@link #isFree(long)}: an event (key, time, value) or a query (key), on no appliance yet.
     *
     * @return its slot.
     */
    int add(final long appId, final byte kind, final long key, final long timestamp, final double value)
    {
        final int slot = slotOf(appId);
        appIds[slot] = appId;
        kinds[slot] = kind;
        keys[slot] = key;
        timestamps[slot] = timestamp;
        values[slot] = value;
        appliances[slot] = NO_APPLIANCE;
        wireIds[slot] = 0;
        requiredEpochs[slot] = 0;
        size++;
        return slot;
    }

    /**
     * @param appId an application id.
     * @return its slot while it is unanswered, else -1.
     */
    int find(final long appId)
    {
        if (appId <= 0)
        {
            return -1;
        }
        final int slot = slotOf(appId);
        return appIds[slot] == appId ? slot : -1;
    }

    /**
     * @param slot a slot.
     * @return true when it holds an unanswered id.
     */
    boolean isLive(final int slot)
    {
        return 0 != appIds[slot];
    }

    /**
     * The entry went to an appliance under a wire correlation id.
     *
     * @param slot      the entry's slot.
     * @param appliance the appliance's index.
     * @param wireId    its wire id on that appliance's link.
     */
    void sentTo(final int slot, final int appliance, final long wireId)
    {
        appliances[slot] = appliance;
        wireIds[slot] = wireId;
        requiredEpochs[slot] = 0;
    }

    /**
     * The entry was answered to the application: its slot is free.
     */
    void release(final int slot)
    {
        appIds[slot] = 0;
        appliances[slot] = NO_APPLIANCE;
        wireIds[slot] = 0;
        size--;
    }

    /**
     * The entry was refused {@code NOT_OWNER}: it waits, at the tail of the waiting ring, for a topology of at least
     * the epoch.
     */
    void awaitTopology(final int slot, final long requiredEpoch)
    {
        appliances[slot] = NO_APPLIANCE;
        wireIds[slot] = 0;
        requiredEpochs[slot] = requiredEpoch;
        putBackWaiting(slot);
    }

    /**
     * @return entries waiting for a topology (or for their new owner to take them).
     */
    int waiting()
    {
        return (int)(waitingTail - waitingHead);
    }

    /**
     * @return the slot at the head of the waiting ring, removed from it; the caller made sure it is not empty.
     */
    int takeWaiting()
    {
        return waitingSlots[(int)(waitingHead++ % capacity)];
    }

    /**
     * @param slot a waiting slot taken by {@link #takeWaiting()} that could not be sent yet.
     */
    void putBackWaiting(final int slot)
    {
        waitingSlots[(int)(waitingTail++ % capacity)] = slot;
    }

    /** @return the slot's application id, 0 when free. */
    long appId(final int slot)
    {
        return appIds[slot];
    }

    /** @return {@link #EVENT} or {@link #QUERY}. */
    byte kind(final int slot)
    {
        return kinds[slot];
    }

    /** @return the entry's key. */
    long key(final int slot)
    {
        return keys[slot];
    }

    /** @return the event's time, epoch ns (0 for a query). */
    long timestamp(final int slot)
    {
        return timestamps[slot];
    }

    /** @return the event's value (0 for a query). */
    double value(final int slot)
    {
        return values[slot];
    }

    /**
     * @return the appliance that has the entry, {@link #NO_APPLIANCE} while it waits.
     */
    int appliance(final int slot)
    {
        return appliances[slot];
    }

    /**
     * @return its wire correlation id on that appliance's link, 0 while it waits.
     */
    long wireId(final int slot)
    {
        return wireIds[slot];
    }

    /**
     * @return the topology epoch it waits for.
     */
    long requiredEpoch(final int slot)
    {
        return requiredEpochs[slot];
    }

    private int slotOf(final long appId)
    {
        return (int)(appId % capacity);
    }
}
