package io.sluice.client;

import io.aeron.Publication;
import io.sluice.config.topology.KeyGroupHash;
import io.sluice.config.topology.Topology;
import org.agrona.CloseHelper;

import java.nio.file.Path;
import java.util.List;

/**
 * The routing client of a scale-out topology (topology mode): one {@link SluiceClient} link per appliance of the
 * topology file, all with the same client id and sharing one Aeron client (and embedded driver), and each event or
 * query sent to the appliance that owns its key's key group: {@code topology.ownerOf(hash.keyGroup(key))} with the
 * topology's {@link KeyGroupHash}, the function the appliances place keys by.
 * <p>
 * <b>Ids.</b> {@link #offerEvent} and {@link #offerQuery} return the APPLICATION correlation id, the client's own
 * sequence from 1 up; every answer reaches the handler of {@link #poll} under that id ({@code EventResult},
 * {@code EventResultBatch} results, {@code QueryResult}, {@code Rejected}), exactly once, whichever appliance
 * answered. Each appliance link numbers what it sends with its own WIRE correlation ids (what the appliance sees,
 * journals and marks); the client maps them back and never shows them. Window results and alerts of every appliance
 * reach the handler as they come.
 * <p>
 * <b>Moves.</b> An appliance that does not own the key's group (any more) answers {@code NOT_OWNER} with its
 * topology epoch. The application never sees that: the event waits in the client (bounded by
 * {@link Context#resendBufferLength(int)}) while {@link #poll} reads the topology file again, every
 * {@link Context#topologyRetryNs(long)}, until it has that epoch (or, when the file still names the refusing
 * appliance, a newer one); then the event goes to the owner the file names, with a fresh wire id. The answer
 * from there is its one answer. Events in flight while their group moves may be applied in another order than
 * offered (the refused ones arrive after those sent to the new owner meanwhile).
 * <p>
 * <b>Restarts.</b> An appliance that restarted answers {@code RESUME_REQUIRED} until its link resumes (with a secret,
 * one that lost the session answers {@code UNAUTHENTICATED}); the client then resumes that link by itself in
 * {@link #poll} (blocking up to {@link Context#resumeTimeoutNs(long)}), or the
 * application calls {@link #resume(int, SluiceResultHandler, long)}. A resume asks the appliance for its mark, resends
 * from the link's resend buffer the events above it, and sends again, with their ORIGINAL wire ids, the unanswered
 * events at or below it (their answers were lost with the restart): the appliance answers {@code DUPLICATE} for one it
 * had applied, which the application receives as {@code Rejected(DUPLICATE)} under the application id (applied
 * exactly once, its aggregate result lost), or {@code NOT_OWNER} for one it never applied, which is routed again as
 * above. Unanswered queries are sent again with fresh wire ids. A restarted appliance that this client sends nothing
 * more to says nothing: when answers are missing from one, call {@link #resume(int, SluiceResultHandler, long)}.
 * <p>
 * Offer, poll and resume on one thread. Neither {@link #offerEvent} nor {@link #poll} allocates, except when the
 * file is read again after a {@code NOT_OWNER} (the control path).
 * <pre>{@code
 * try (TopologyClient client = TopologyClient.connect(new TopologyClient.Context()
 *     .topologyFile(Path.of("/etc/sluice/topology.properties")).clientId(4711).embeddedDriver(true)))
 * {
 *     client.awaitConnected(TimeUnit.SECONDS.toNanos(5));
 *     long id = client.offerEvent(42, System.currentTimeMillis() * 1_000_000, 3.5);  // < 0: see Publication codes
 *     client.poll(handler, 10);                                // the answer comes with correlationId() == id
 * }
 * }</pre>
 */
public final class TopologyClient implements AutoCloseable
{
    private final Path topologyFile;
    private final long topologyRetryNs;
    private final long resumeTimeoutNs;
    private final long clientId;
    private final KeyGroupHash hash;
    private final ClientMedia media;
    private final UnansweredTable table;
    private final ApplianceRoute[] routes;
    private Topology topology;
    private long topologyReloads;
    private long awaitedEpoch;
    private long nextTopologyReadNs;
    private RuntimeException lastTopologyFailure;
    private long nextAppId = 1;
    private SluiceResultHandler handler = ResultDecoder.DISCARD;

    private TopologyClient(final Context ctx, final Topology topology)
    {
        this.topologyFile = ctx.topologyFile();
        this.topologyRetryNs = ctx.topologyRetryNs();
        this.resumeTimeoutNs = ctx.resumeTimeoutNs();
        this.clientId = 0 != ctx.clientId() ? ctx.clientId() : SluiceClient.randomClientId();
        this.topology = topology;
        this.hash = topology.keyGroupHash();
        this.table = new UnansweredTable(ctx.resendBufferLength());
        this.nextTopologyReadNs = System.nanoTime();
        final List<Topology.Appliance> appliances = topology.appliances();
        final SluiceClient.Context[] contexts = new SluiceClient.Context[appliances.size()];
        for (int i = 0; i < contexts.length; i++)
        {
            contexts[i] = ctx.applianceContext(appliances.get(i), clientId);
            SluiceClient.requireClusterClassesIfCluster(contexts[i]);
        }
        this.media = ClientMedia.launch(contexts[0]);
        this.routes = new ApplianceRoute[contexts.length];
        final ResultRelay relay = new ResultRelay();
        try
        {
            for (int i = 0; i < contexts.length; i++)
            {
                routes[i] = new ApplianceRoute(this, i, appliances.get(i).name(),
                    new SluiceClient(contexts[i], media, false), table, relay);
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Read the topology file and open a link to each of its appliances.
     *
     * @param ctx the topology file and the links' shared settings; concluded here when it is not yet.
     * @return a client; call {@link #awaitConnected(long)} before offering.
     * @throws IllegalArgumentException when a setting or the topology file is not valid, naming it (and the
     *                                  appliance whose link refused a setting).
     * @throws java.io.UncheckedIOException when the topology file cannot be read.
     * @throws IllegalStateException    when an embedded driver or a cluster appliance needs an optional dependency
     *                                  that is not on the class path, naming it.
     */
    public static TopologyClient connect(final Context ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        return new TopologyClient(ctx, Topology.read(ctx.topologyFile()));
    }

    /**
     * @return the client id every appliance link uses.
     */
    public long clientId()
    {
        return clientId;
    }

    /**
     * Wait until every appliance's link is connected (as {@link SluiceClient#awaitConnected(long)}: a probe round
     * trip through each, a handshake first with a secret).
     *
     * @param timeoutNs longest wait for all together.
     * @return true when every link connected in time.
     * @throws SluiceAuthenticationException when an appliance refused this client's handshake.
     */
    public boolean awaitConnected(final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        for (final ApplianceRoute route : routes)
        {
            if (!route.client().awaitConnected(Math.max(0, deadline - System.nanoTime())))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Offer one event to the appliance that owns its key's group, as {@link SluiceClient#offerEvent} does (into
     * that link's pending batch, or at once with a batch limit of 1).
     *
     * @param key       the key.
     * @param timestamp event time, epoch ns.
     * @param value     the value.
     * @return the application correlation id (&gt; 0) its answer will carry, or a negative {@link Publication} code
     * when it was not taken (then offer again after polling): the link's, or {@link Publication#BACK_PRESSURED}
     * when {@link Context#resendBufferLength(int)} events and queries are unanswered (the one that many ids back
     * still is) or the link's wire id map is full the same way.
     */
    public long offerEvent(final long key, final long timestamp, final double value)
    {
        return offer(UnansweredTable.EVENT, key, timestamp, value);
    }

    /**
     * Ask the appliance that owns the key's group for the key's aggregates; the pending batch of that link leaves
     * first. Refused {@code NOT_OWNER} it is asked again as an event is sent again.
     *
     * @param key the key.
     * @return the application correlation id (&gt; 0) of the {@code QueryResult}, or a negative {@link Publication}
     * code, as for {@link #offerEvent}.
     */
    public long offerQuery(final long key)
    {
        return offer(UnansweredTable.QUERY, key, 0, 0);
    }

    private long offer(final byte kind, final long key, final long timestamp, final double value)
    {
        final long appId = nextAppId;
        if (!table.isFree(appId))
        {
            return Publication.BACK_PRESSURED;
        }
        final int slot = table.add(appId, kind, key, timestamp, value);
        final long wireId = routes[topology.ownerOf(hash.keyGroup(key))].send(slot);
        if (wireId < 0)
        {
            table.release(slot);
            return wireId;
        }
        nextAppId++;
        return appId;
    }

    /**
     * Send every link's pending batch.
     *
     * @return true when nothing is pending on any link any more.
     */
    public boolean flush()
    {
        boolean flushed = true;
        for (final ApplianceRoute route : routes)
        {
            flushed &= route.client().flush();
        }
        return flushed;
    }

    /**
     * Poll every appliance's link (sending its pending batch first) and deliver to the handler: the answers to this
     * client's events and queries under their application ids, once each, and every window result and alert. Then
     * the work the answers called for: a resume of each appliance that answered {@code RESUME_REQUIRED} or
     * {@code UNAUTHENTICATED} (blocking up to {@link Context#resumeTimeoutNs(long)}; while its link is not
     * connected, a later poll tries), reading the topology file again when an event waits for a newer epoch (at
     * most every {@link Context#topologyRetryNs(long)}), and sending the waiting events and queries to their owners.
     *
     * @param handler       receives the results.
     * @param fragmentLimit most messages to read from each link.
     * @return messages read plus events and queries routed again.
     * @throws IllegalStateException from a resume whose resend buffer lost events (see
     *                               {@link SluiceClient#resume(SluiceResultHandler, long)}).
     */
    public int poll(final SluiceResultHandler handler, final int fragmentLimit)
    {
        this.handler = handler;
        int work = 0;
        for (final ApplianceRoute route : routes)
        {
            work += route.client().poll(route, fragmentLimit);
        }
        for (int i = 0; i < routes.length; i++)
        {
            final ApplianceRoute route = routes[i];
            if (route.resumeOwed())
            {
                work += route.canResume() && resume(i, handler, resumeTimeoutNs) > 0 ? 1 : 0;
            }
            else if (route.autoResumedSinceSeen())
            {
                final long mark = route.client().lastResumedMark();
                route.resumed();
                work += Math.max(0, resendUnanswered(i, mark, System.nanoTime() + resumeTimeoutNs));
            }
        }
        if (table.waiting() > 0)
        {
            work += routeWaiting(System.nanoTime());
        }
        return work;
    }

    /**
     * Resume one appliance's link after the appliance restarted (or after this process restarted with the same
     * fixed {@link Context#clientId(long)}): {@link SluiceClient#resume(SluiceResultHandler, long)} (the mark, the
     * resend buffer's events above it with their original wire ids), then every event still unanswered on it at
     * or below the mark again with its original wire id ({@code DUPLICATE}: it was applied, delivered as
     * {@code Rejected(DUPLICATE)} under its application id; {@code NOT_OWNER}: routed again), and every
     * unanswered query on it again with a fresh wire id. What arrives meanwhile goes to the handler.
     *
     * @param appliance the appliance's index in the topology file ({@link #applianceIndex(String)}).
     * @param handler   receives what is polled meanwhile.
     * @param timeoutNs longest wait.
     * @return events and queries sent again; -1 when the time ran out first (calling again is safe).
     * @throws IllegalStateException when the link's resend buffer lost events above the mark.
     * @throws SluiceAuthenticationException when the appliance refused this client's handshake.
     */
    public long resume(final int appliance, final SluiceResultHandler handler, final long timeoutNs)
    {
        this.handler = handler;
        final long deadline = System.nanoTime() + timeoutNs;
        final ApplianceRoute route = routes[appliance];
        final long aboveMark = route.client().resume(route, timeoutNs);
        if (aboveMark < 0)
        {
            return -1;
        }
        route.resumed();
        final long atOrBelow = resendUnanswered(appliance, route.client().lastResumedMark(), deadline);
        return atOrBelow < 0 ? -1 : aboveMark + atOrBelow;
    }

    /**
     * {@link #resume(int, SluiceResultHandler, long)} every appliance in turn: what a process restarted with the
     * same fixed client id does first.
     *
     * @param handler   receives what is polled meanwhile.
     * @param timeoutNs longest wait for all together.
     * @return events and queries sent again; -1 when the time ran out first.
     */
    public long resume(final SluiceResultHandler handler, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        long resent = 0;
        for (int i = 0; i < routes.length; i++)
        {
            final long n = resume(i, handler, Math.max(1, deadline - System.nanoTime()));
            if (n < 0)
            {
                return -1;
            }
            resent += n;
        }
        return resent;
    }

    /**
     * An appliance refused an entry {@code NOT_OWNER}: it waits for a topology of the refusal's epoch, or a newer
     * one than the client's when the client's still names the refusing appliance.
     */
    void onNotOwner(final int slot, final int appliance, final long epoch)
    {
        final int owner = topology.ownerOf(hash.keyGroup(table.key(slot)));
        final long required = Math.max(epoch, owner == appliance ? topology.epoch() + 1 : 0);
        awaitedEpoch = Math.max(awaitedEpoch, required);
        table.awaitTopology(slot, required);
    }

    /**
     * @return the handler of the latest poll or resume (one that discards before the first).
     */
    SluiceResultHandler handler()
    {
        return handler;
    }

    private int routeWaiting(final long nowNs)
    {
        if (awaitedEpoch > topology.epoch() && nowNs - nextTopologyReadNs >= 0)
        {
            nextTopologyReadNs = nowNs + topologyRetryNs;
            reloadTopology();
        }
        int routed = 0;
        final long epoch = topology.epoch();
        for (int n = table.waiting(); n > 0; n--)
        {
            final int slot = table.takeWaiting();
            if (table.requiredEpoch(slot) > epoch ||
                routes[topology.ownerOf(hash.keyGroup(table.key(slot)))].send(slot) < 0)
            {
                table.putBackWaiting(slot);
            }
            else
            {
                routed++;
            }
        }
        if (0 == table.waiting())
        {
            awaitedEpoch = 0;
        }
        return routed;
    }

    private void reloadTopology()
    {
        try
        {
            final Topology next = Topology.read(topologyFile);
            if (next.epoch() <= topology.epoch())
            {
                return;
            }
            if (next.keyGroupCount() != hash.keyGroupCount() || next.hashSeed() != hash.seed() ||
                !sameAppliances(next))
            {
                throw new IllegalStateException("topology file " + topologyFile + " epoch " + next.epoch() +
                    " changes the key groups, the hash seed or the appliances of epoch " + topology.epoch() +
                    ": connect a new TopologyClient");
            }
            topology = next;
            topologyReloads++;
            lastTopologyFailure = null;
        }
        catch (final RuntimeException ex)
        {
            lastTopologyFailure = ex;
        }
    }

    private boolean sameAppliances(final Topology next)
    {
        if (next.appliances().size() != routes.length)
        {
            return false;
        }
        for (int i = 0; i < routes.length; i++)
        {
            if (!next.appliances().get(i).name().equals(routes[i].name()))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Send again every unanswered entry the appliance has, in application id order: events at or below the mark
     * with their wire ids, queries with fresh ones; polling that link while it is back-pressured.
     *
     * @return entries sent; -1 when the deadline passed first.
     */
    private long resendUnanswered(final int appliance, final long mark, final long deadline)
    {
        final ApplianceRoute route = routes[appliance];
        long resent = 0;
        for (long appId = Math.max(1, nextAppId - table.capacity()); appId < nextAppId; appId++)
        {
            final int slot = table.find(appId);
            while (slot >= 0 && table.isLive(slot) && table.appId(slot) == appId && table.appliance(slot) == appliance)
            {
                final long wireId = table.wireId(slot);
                final boolean event = UnansweredTable.EVENT == table.kind(slot);
                if (event && wireId > mark)
                {
                    break;
                }
                if (!event)
                {
                    route.wires().remove(wireId);
                }
                if ((event ? route.resendWithOriginalId(slot) : route.send(slot)) > 0)
                {
                    resent++;
                    break;
                }
                if (!event)
                {
                    route.wires().put(wireId, table.appId(slot));
                }
                if (System.nanoTime() - deadline >= 0)
                {
                    return -1;
                }
                if (0 == route.client().poll(route, 16))
                {
                    Thread.yield();
                }
            }
        }
        return resent;
    }

    /**
     * @return appliances in the topology, in the file's order.
     */
    public int applianceCount()
    {
        return routes.length;
    }

    /**
     * @param appliance an index in {@code [0, applianceCount())}.
     * @return its name in the topology file.
     */
    public String applianceName(final int appliance)
    {
        return routes[appliance].name();
    }

    /**
     * @param name an appliance's name.
     * @return its index, -1 when the topology has none of that name.
     */
    public int applianceIndex(final String name)
    {
        for (int i = 0; i < routes.length; i++)
        {
            if (routes[i].name().equals(name))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param key a key.
     * @return the index of the appliance the client sends the key's events to now, by the topology in use.
     */
    public int ownerOf(final long key)
    {
        return topology.ownerOf(hash.keyGroup(key));
    }

    /**
     * @param appliance an appliance's index.
     * @return events sent to it: first sends, sends after a {@code NOT_OWNER} elsewhere, and resends after a restart.
     */
    public long eventsSent(final int appliance)
    {
        return routes[appliance].eventsSent();
    }

    /**
     * @param appliance an appliance's index.
     * @return queries sent to it.
     */
    public long queriesSent(final int appliance)
    {
        return routes[appliance].queriesSent();
    }

    /**
     * @param appliance an appliance's index.
     * @return answers from it handed to the application (results and rejections, {@code DUPLICATE} included).
     */
    public long resultsReceived(final int appliance)
    {
        return routes[appliance].answers();
    }

    /**
     * @param appliance an appliance's index.
     * @return its {@code NOT_OWNER} answers: events and queries routed again.
     */
    public long notOwnerReroutes(final int appliance)
    {
        return routes[appliance].notOwner();
    }

    /**
     * @param appliance an appliance's index.
     * @return resumes of its link done (by {@link #resume} or by {@link #poll} after {@code RESUME_REQUIRED}).
     */
    public long resumes(final int appliance)
    {
        return routes[appliance].resumes();
    }

    /**
     * @return the epoch of the topology in use.
     */
    public long topologyEpoch()
    {
        return topology.epoch();
    }

    /**
     * @return times a newer topology was read from the file and taken into use.
     */
    public long topologyReloads()
    {
        return topologyReloads;
    }

    /**
     * @return why the last reading of the file did not give a usable newer topology (unreadable, not valid, other
     * appliances); null when it did or none failed.
     */
    public RuntimeException lastTopologyFailure()
    {
        return lastTopologyFailure;
    }

    /**
     * @return events and queries refused {@code NOT_OWNER} that wait for a topology or for their owner's link.
     */
    public int waiting()
    {
        return table.waiting();
    }

    /**
     * @return events and queries taken and not yet answered to the application.
     */
    public int unanswered()
    {
        return table.size();
    }

    /**
     * Close every link ({@link SluiceClient#close()}), then the shared Aeron client and any embedded driver.
     */
    public void close()
    {
        for (final ApplianceRoute route : routes)
        {
            if (null != route)
            {
                CloseHelper.quietClose(route.client());
            }
        }
        CloseHelper.quietClose(media);
    }

    /**
     * The topology file and the settings every appliance's link shares; declared in {@link TopologyClientContext}.
     */
    public static final class Context extends TopologyClientContext
    {
        /**
         * A context with every setting at its default; {@link #topologyFile(Path)} must be set.
         */
        public Context()
        {
        }
    }
}
