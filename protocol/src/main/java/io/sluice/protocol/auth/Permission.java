package io.sluice.protocol.auth;

/**
 * What a client may do, as bits of one int (the same bits as the schema's {@code Permissions} set):
 * <ul>
 *   <li>{@link #SEND}: Event, EventBatch, Resume;</li>
 *   <li>{@link #QUERY}: Query;</li>
 *   <li>{@link #SUBSCRIBE}: receive WindowResult and Alert;</li>
 *   <li>{@link #ADMIN}: AdminRequest (snapshot, rule changes, credential reload, shutdown).</li>
 * </ul>
 * A client always receives the answers to its own messages (EventResult, QueryResult, Rejected, Resumed).
 */
public final class Permission
{
    /** Send events and resume. */
    public static final int SEND = 1;
    /** Query keys. */
    public static final int QUERY = 1 << 1;
    /** Receive window results and alerts. */
    public static final int SUBSCRIBE = 1 << 2;
    /** Operator actions over the wire. */
    public static final int ADMIN = 1 << 3;
    /** Every permission. */
    public static final int ALL = SEND | QUERY | SUBSCRIBE | ADMIN;

    private static final String[] NAMES = { "send", "query", "subscribe", "admin" };

    private Permission()
    {
    }

    /**
     * @param text comma-separated permission names, e.g. {@code send,query}; spaces around names are ignored.
     * @return their bits.
     * @throws IllegalArgumentException naming the first unknown or repeated name and what is allowed.
     */
    public static int parse(final String text)
    {
        int bits = 0;
        for (final String part : text.split(",", -1))
        {
            final String name = part.trim();
            final int bit = bit(name);
            if (0 == bit)
            {
                throw new IllegalArgumentException(
                    "permission '" + (name.length() > 40 ? name.substring(0, 40) + "..." : name) + "' must be one of: send, query, subscribe, admin");
            }
            if (0 != (bits & bit))
            {
                throw new IllegalArgumentException("permission '" + name + "' is named twice");
            }
            bits |= bit;
        }
        return bits;
    }

    /**
     * @param bits permission bits.
     * @return their names, comma-separated in a fixed order, e.g. {@code send,subscribe}; {@code none} for 0.
     */
    public static String format(final int bits)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++)
        {
            if (0 != (bits & (1 << i)))
            {
                text.append(text.length() > 0 ? "," : "").append(NAMES[i]);
            }
        }
        return text.length() > 0 ? text.toString() : "none";
    }

    private static int bit(final String name)
    {
        for (int i = 0; i < NAMES.length; i++)
        {
            if (NAMES[i].equals(name))
            {
                return 1 << i;
            }
        }
        return 0;
    }
}
