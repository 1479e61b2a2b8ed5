package io.sluice.server.auth;

import io.aeron.Publication;
import org.agrona.BitUtil;

import java.util.Arrays;

/**
 * Where an authenticated client's results go: for each client id with a live session, the publication on the
 * response channel it named at Connect and its permissions; and the publications of the sessions with
 * {@code subscribe}, which get every WindowResult and Alert.
 * <p>
 * One writer (the ingress agent, which authenticates sessions and drops them) and any number of readers (the
 * processors' egress). The writer builds a new immutable {@link View} at each change (a session change, never an
 * event) and publishes it with a volatile write; a reader takes the current view once per message and looks up in
 * it without allocating or locking. A publication removed from the directory may still be offered to by a reader
 * holding the older view: the caller closes it after removing it, and Aeron refuses an offer to a closed publication
 * ({@link Publication#CLOSED}) while its log buffers linger, so nothing is written to freed memory.
 */
public final class SessionDirectory
{
    /** What a reader sees: immutable. */
    public static final class View
    {
        private static final long EMPTY = 0;

        private final long[] clientIds;
        private final Publication[] publications;
        private final int[] permissions;
        private final int mask;
        private final Publication[] subscribers;
        private final Publication[] sessions;
        private final int size;

        private View(
            final long[] clientIds, final Publication[] publications, final int[] permissions,
            final Publication[] subscribers, final Publication[] sessions, final int size)
        {
            this.sessions = sessions;
            this.clientIds = clientIds;
            this.publications = publications;
            this.permissions = permissions;
            this.mask = clientIds.length - 1;
            this.subscribers = subscribers;
            this.size = size;
        }

        /**
         * @param clientId a client id (never 0: the credentials file refuses it).
         * @return the publication of the client's live session, or null when it has none.
         */
        public Publication publicationFor(final long clientId)
        {
            final int index = indexOf(clientId);
            return index < 0 ? null : publications[index];
        }

        /**
         * @param clientId a client id.
         * @return the permissions of the client's live session, 0 when it has none.
         */
        public int permissionsOf(final long clientId)
        {
            final int index = indexOf(clientId);
            return index < 0 ? 0 : permissions[index];
        }

        /**
         * @return how many sessions have {@code subscribe}.
         */
        public int subscriberCount()
        {
            return subscribers.length;
        }

        /**
         * @param index in [0, {@link #subscriberCount()}).
         * @return that subscriber's publication.
         */
        public Publication subscriber(final int index)
        {
            return subscribers[index];
        }

        /**
         * @param index in [0, {@link #size()}).
         * @return that live session's publication, in no particular order (the egress drains them all at a stop).
         */
        public Publication session(final int index)
        {
            return sessions[index];
        }

        /**
         * @return how many sessions are live.
         */
        public int size()
        {
            return size;
        }

        private int indexOf(final long clientId)
        {
            int index = (int)(mix(clientId) & mask);
            while (true)
            {
                final long id = clientIds[index];
                if (id == clientId && EMPTY != id)
                {
                    return index;
                }
                if (EMPTY == id)
                {
                    return -1;
                }
                index = (index + 1) & mask;
            }
        }

        private static long mix(final long value)
        {
            final long h = value * 0x9E3779B97F4A7C15L;
            return h ^ (h >>> 32);
        }
    }

    private final int capacity;
    private final long[] ids;
    private final Publication[] pubs;
    private final int[] perms;
    private int size;
    private volatile View view;

    /**
     * @param capacity the most sessions at once ({@code sluice.auth.max-sessions}).
     */
    public SessionDirectory(final int capacity)
    {
        this.capacity = capacity;
        this.ids = new long[capacity];
        this.pubs = new Publication[capacity];
        this.perms = new int[capacity];
        this.view = build();
    }

    /**
     * @return the current view; readers take it once per message.
     */
    public View view()
    {
        return view;
    }

    /**
     * @return the most sessions at once.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Writer only. A client id has at most one live session: a newer one replaces the older, whose publication is
     * returned for the caller to close.
     *
     * @param clientId    the authenticated client.
     * @param publication its response publication.
     * @param permissions its permissions.
     * @return the publication of the session this one replaces, or null.
     * @throws IllegalStateException when the directory is full and the client has no session to replace.
     */
    public Publication open(final long clientId, final Publication publication, final int permissions)
    {
        Publication replaced = null;
        int index = find(clientId);
        if (index < 0)
        {
            if (size == capacity)
            {
                throw new IllegalStateException("session directory is full: " + capacity + " sessions");
            }
            index = size++;
            ids[index] = clientId;
        }
        else
        {
            replaced = pubs[index];
        }
        pubs[index] = publication;
        perms[index] = permissions;
        view = build();
        return replaced;
    }

    /**
     * Writer only: change a live session's permissions (credentials reloaded).
     *
     * @param clientId    the client.
     * @param permissions its new permissions.
     * @return true when the client has a live session.
     */
    public boolean permissions(final long clientId, final int permissions)
    {
        final int index = find(clientId);
        if (index < 0)
        {
            return false;
        }
        perms[index] = permissions;
        view = build();
        return true;
    }

    /**
     * Writer only.
     *
     * @param clientId the client whose session ends.
     * @return its publication, for the caller to close, or null when it had none.
     */
    public Publication close(final long clientId)
    {
        final int index = find(clientId);
        if (index < 0)
        {
            return null;
        }
        final Publication publication = pubs[index];
        final int last = --size;
        ids[index] = ids[last];
        pubs[index] = pubs[last];
        perms[index] = perms[last];
        ids[last] = 0;
        pubs[last] = null;
        perms[last] = 0;
        view = build();
        return publication;
    }

    private int find(final long clientId)
    {
        for (int i = 0; i < size; i++)
        {
            if (ids[i] == clientId)
            {
                return i;
            }
        }
        return -1;
    }

    private View build()
    {
        final int length = BitUtil.findNextPositivePowerOfTwo(Math.max(2, size * 2));
        final long[] clientIds = new long[length];
        final Publication[] publications = new Publication[length];
        final int[] permissions = new int[length];
        int subscriberCount = 0;
        for (int i = 0; i < size; i++)
        {
            int index = (int)(View.mix(ids[i]) & (length - 1));
            while (View.EMPTY != clientIds[index])
            {
                index = (index + 1) & (length - 1);
            }
            clientIds[index] = ids[i];
            publications[index] = pubs[i];
            permissions[index] = perms[i];
            if (0 != (perms[i] & io.sluice.protocol.auth.Permission.SUBSCRIBE))
            {
                subscriberCount++;
            }
        }
        final Publication[] subscribers = new Publication[subscriberCount];
        int next = 0;
        for (int i = 0; i < size; i++)
        {
            if (0 != (perms[i] & io.sluice.protocol.auth.Permission.SUBSCRIBE))
            {
                subscribers[next++] = pubs[i];
            }
        }
        return new View(
            clientIds, publications, permissions, Arrays.copyOf(subscribers, next), Arrays.copyOf(pubs, size), size);
    }
}
