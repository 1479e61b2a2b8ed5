package io.sluice.core.ring;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The alert rule set in force as the ring carries it: an encoded set ({@code AlertRules.encode}) and its
 * configuration version, written as consecutive RULES entries ({@link RingEntry#rules}), one
 * {@link RingEntry#RULES_PAYLOAD_LENGTH}-byte chunk each. Empty (no entries) until a live change happened or
 * recovery found one. Producer thread only.
 */
public final class RuleEntries
{
    private UnsafeBuffer encoded;
    private int length;
    private long version;

    /**
     * @param length bytes of an encoded set.
     * @return RULES entries it takes.
     */
    public static int chunksFor(final int length)
    {
        return (length + RingEntry.RULES_PAYLOAD_LENGTH - 1) / RingEntry.RULES_PAYLOAD_LENGTH;
    }

    /**
     * Remember the rule set in force. Control path (allocates when the set is longer than any before).
     *
     * @param version its configuration version.
     * @param encoded the encoded rule set.
     * @param length  its bytes.
     */
    public void rulesInForce(final long version, final DirectBuffer encoded, final int length)
    {
        if (null == this.encoded || this.encoded.capacity() < length)
        {
            this.encoded = new UnsafeBuffer(new byte[length]);
        }
        this.encoded.putBytes(0, encoded, 0, length);
        this.length = length;
        this.version = version;
    }

    /**
     * @return the configuration version of the set in force, 0 when none was remembered.
     */
    public long version()
    {
        return version;
    }

    /**
     * @return RULES entries the set takes, 0 when none was remembered.
     */
    public int chunks()
    {
        return chunksFor(length);
    }

    /**
     * Put the set into the ring again (a start that recovered it from the journal): the ring producer's thread only,
     * between two of its offers.
     *
     * @param ring  the ring the producer writes.
     * @param nowNs the producer's monotonic clock.
     * @return true when written (or there is no set); false when the ring has no room for every entry.
     */
    public boolean offer(final SluiceRing ring, final long nowNs)
    {
        if (!ring.hasCapacity(chunks()))
        {
            return false;
        }
        write(ring, nowNs);
        return true;
    }

    /**
     * Claim, write and publish the set's entries, one by one. The caller checked the ring has room for
     * {@link #chunks()} more entries.
     *
     * @param ring  the ring.
     * @param nowNs the producer's monotonic clock.
     */
    void write(final SluiceRing ring, final long nowNs)
    {
        final int chunks = chunks();
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            final int from = chunk * RingEntry.RULES_PAYLOAD_LENGTH;
            final long sequence = ring.claim();
            try
            {
                ring.entry(sequence).clear().rules(version, chunk, chunks, encoded, from,
                    Math.min(RingEntry.RULES_PAYLOAD_LENGTH, length - from), nowNs);
            }
            finally
            {
                ring.publish(sequence);
            }
        }
    }
}
