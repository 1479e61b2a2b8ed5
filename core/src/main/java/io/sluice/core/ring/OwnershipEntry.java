package io.sluice.core.ring;

/**
 * Reads the fields of an OWNERSHIP entry ({@link RingEntry#ownership}) and the topology epoch of a {@code NOT_OWNER}
 * REJECT ({@link RingEntry#rejectEpoch(long)}), which reuse the entry's generic fields. Stateless; any thread that
 * may read the entry.
 */
public final class OwnershipEntry
{
    private OwnershipEntry()
    {
    }

    /**
     * @param entry an OWNERSHIP entry.
     * @return its topology epoch.
     */
    public static long epoch(final RingEntry entry)
    {
        return entry.clientId();
    }

    /**
     * @param entry an OWNERSHIP entry.
     * @return its move id.
     */
    public static long moveId(final RingEntry entry)
    {
        return entry.correlationId();
    }

    /**
     * @param entry an OWNERSHIP entry.
     * @return the first key group of its range.
     */
    public static int firstGroup(final RingEntry entry)
    {
        return (int)(entry.key() >>> 32);
    }

    /**
     * @param entry an OWNERSHIP entry.
     * @return the last key group of its range, inclusive.
     */
    public static int lastGroup(final RingEntry entry)
    {
        return (int)entry.key();
    }

    /**
     * @param entry an OWNERSHIP entry.
     * @return {@link RingEntry#OWNERSHIP_RELEASE} or {@link RingEntry#OWNERSHIP_ACQUIRE}.
     */
    public static int action(final RingEntry entry)
    {
        return entry.reason();
    }

    /**
     * @param entry a REJECT.
     * @return its topology epoch: the appliance's for {@code NOT_OWNER}, 0 for any other reason.
     */
    public static long rejectEpoch(final RingEntry entry)
    {
        return entry.timestamp();
    }
}
