package io.sluice.client;

/**
 * One appliance link's map from wire correlation id (its {@link SluiceClient}'s own sequence) to the application
 * correlation id a {@link TopologyClient} gave the event or query: a ring of {@code capacity} slots indexed by
 * {@code wireId % capacity}. A slot holds one wire id at a time; the client sends nothing whose wire id's slot is
 * still taken (an answer outstanding {@code capacity} ids back on that link), so no mapping is ever overwritten.
 * <pre>
 *   slot = wireId % capacity:   wireIds[slot] (0 = free)   appIds[slot]
 * </pre>
 * The client's thread only; two arrays allocated at connect, nothing after.
 */
final class WireMap
{
    private final int capacity;
    private final long[] wireIds;
    private final long[] appIds;

    /**
     * @param capacity slots, at least 1.
     */
    WireMap(final int capacity)
    {
        this.capacity = capacity;
        this.wireIds = new long[capacity];
        this.appIds = new long[capacity];
    }

    /**
     * @param wireId a wire correlation id &gt; 0.
     * @return true when its slot is free or already its own.
     */
    boolean canTake(final long wireId)
    {
        final long held = wireIds[slotOf(wireId)];
        return 0 == held || wireId == held;
    }

    /**
     * @param wireId a wire correlation id &gt; 0 that {@link #canTake(long)}.
     * @param appId  the application id it carries.
     */
    void put(final long wireId, final long appId)
    {
        final int slot = slotOf(wireId);
        wireIds[slot] = wireId;
        appIds[slot] = appId;
    }

    /**
     * @param wireId a wire correlation id (negative ones, the probes', are never mapped).
     * @return the application id it carries, 0 when none.
     */
    long appIdOf(final long wireId)
    {
        if (wireId <= 0)
        {
            return 0;
        }
        final int slot = slotOf(wireId);
        return wireIds[slot] == wireId ? appIds[slot] : 0;
    }

    /**
     * @param wireId a wire correlation id, answered or moved elsewhere: its slot is freed.
     */
    void remove(final long wireId)
    {
        if (wireId > 0)
        {
            final int slot = slotOf(wireId);
            if (wireIds[slot] == wireId)
            {
                wireIds[slot] = 0;
                appIds[slot] = 0;
            }
        }
    }

    private int slotOf(final long wireId)
    {
        return (int)(wireId % capacity);
    }
}
