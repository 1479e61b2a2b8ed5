package io.sluice.server.cluster;

import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.sluice.config.Scope;
import io.sluice.config.Setting;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.config.ThreadingMode;
import io.sluice.core.shard.ProcessorGroup;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.snapshot.SnapshotListener;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.snapshot.SnapshotException;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.state.StateDigest;
import io.sluice.server.ingress.IngressAgent;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.server.counters.JvmCounters;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.daemon.DaemonContext;
import io.sluice.server.ingress.IngressHandler;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;

import java.io.PrintStream;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Sluice as an Aeron Cluster service: the same ring, producer, processors and checks as a standalone daemon, fed from
 * the cluster's replicated log instead of an ingress subscription.
 * <pre>
 *   log ──▶ onSessionMessage ──▶ IngressHandler (the daemon's checks) ──▶ RingProducer ──▶ ring
 *                                                                                      │
 *            ClientSession.offer ◀── ClusterEgress ◀── processors (shared layout, this thread) ◀──┘
 * </pre>
 * <ul>
 *     <li><b>One thread.</b> Every callback runs on the service thread; the processors run on it too (the shared
 *     layout), draining the ring after every message, so results leave from the service thread as Aeron Cluster
 *     requires, and a snapshot sees every entry before it applied. A full ring is drained before the message is
 *     offered again: a message in the log cannot be refused.</li>
 *     <li><b>Time is the cluster's.</b> Each message's log timestamp is the producer's clock (receive time, tick rule,
 *     idle advance), and a cluster timer every {@code sluice.tick.interval} (scheduled from the first message, the
 *     same log position on every node) lets the tick rule run on a quiet log; it stops while no tick can become due
 *     (no idle advance and the watermark ticked) and the next message starts it again.
 *     No wall clock is read, so every node computes the same output from the same log.</li>
 *     <li><b>Snapshots.</b> {@link #onTakeSnapshot} puts a snapshot marker through the ring, the processors copy their
 *     state at it, and the parts are written in the standalone snapshot format ({@link ClusterSnapshot});
 *     {@link #onStart} restores them when the node starts from a snapshot. The state digest (as in a standalone
 *     snapshot's manifest) is printed and kept in counters at every snapshot, restore and stop.</li>
 *     <li><b>Live rule changes</b> ({@link ClusterRuleSwap}): {@code sluice rules apply} on the leader's host; the
 *     leader puts the set into the log as a service message and every member switches when the log reaches it, at
 *     the same position; snapshots carry the rules in force.</li>
 *     <li><b>Who may send</b> (with {@code sluice.auth.file}): each session's principal, from the log's session open
 *     event or the service snapshot's sessions (never this member's own setting), decides what its messages may do and whether it gets window results
 *     and alerts ({@link SessionPermissions}); a refused message is answered on its session and changes nothing, the
 *     same on every member. AdminRequest messages are answered by {@link ClusterAdmin}.</li>
 *     <li><b>Followers send nothing</b>: a session's offer is a mock on a follower.</li>
 * </ul>
 * Service thread only; per message it allocates nothing.
 */
public final class SluiceClusteredService implements ClusteredService, SnapshotListener
{
    /** Correlation id of the tick timer. */
    static final long TICK_TIMER = 1;
    /**
     * Correlation id of the rules timer: every {@link ClusterRuleSwap#REOFFER_INTERVAL_NS} a log callback in which
     * the leader may offer a pending rules change (Aeron forbids offers from {@code doBackgroundWork}), also on a
     * quiet log. Scheduled at every new leadership term and at each of its own events, the same on every member.
     */
    static final long RULES_TIMER = 2;
    /**
     * Settings besides the state's own that decide what a node makes of the log (rejects, ticks, idle advance),
     * those declared {@link Scope#LOG}, in declaration order: a node that differs in any of them would compute
     * other state from the same log.
     */
    static final java.util.List<String> LOG_SETTINGS = logSettings();
    private static final int CLIENT_ID_END = MessageHeaderDecoder.ENCODED_LENGTH + 8;

    private final SluiceConfig config;
    private final DaemonContext ctx;
    private final PrintStream out;
    private final ErrorHandler errorHandler;
    private final long tickIntervalNs;
    private final boolean windows;
    private final MessageHeaderDecoder messageHeader = new MessageHeaderDecoder();
    private final long fingerprint;
    private Cluster cluster;
    private TimeUnit timeUnit;
    private SluiceCounters counters;
    private volatile JvmCounters jvmCounters;
    private ClusterEgress egress;
    private SluiceRing ring;
    private RingProducer producer;
    private ShardProcessor[] processors;
    private Agent processorAgent;
    private IngressHandler ingress;
    private ShardSnapshot[] parts;
    private ProducerSnapshot producerPart;
    private boolean collecting;
    private boolean tickScheduled;
    private Counter snapshotId;
    private Counter snapshotPosition;
    private Counter digest;
    private ClusterRuleSwap rules;
    private ClusterRuleSwap.Applier applier;
    private ClusterRuleSwap.Offer offer;
    private int leaderMemberId = -1;
    private final SessionPermissions permissions;
    private final ClusterAdmin admin;
    private final ClusterAuth auth;

    /**
     * @param ctx          the node's concluded daemon context: ring, shards, ingress checks and alert rules.
     * @param errorHandler receives a processor's failure on an entry (the entry is skipped, as on a daemon).
     */
    public SluiceClusteredService(final DaemonContext ctx, final ErrorHandler errorHandler)
    {
        this(ctx, errorHandler, null);
    }

    /**
     * @param ctx                the node's concluded daemon context: ring, shards, ingress checks and alert rules.
     * @param errorHandler       receives a processor's failure on an entry (the entry is skipped, as on a daemon).
     * @param auth               the node's authentication ({@code sluice.auth.file}): its counters are added here,
     *                           and an AdminRequest RELOAD_CREDENTIALS re-reads its file, at the same log position on
     *                           every member; null when authentication is off.
     */
    SluiceClusteredService(final DaemonContext ctx, final ErrorHandler errorHandler, final ClusterAuth auth)
    {
        this.permissions = new SessionPermissions();
        this.auth = auth;
        this.admin = new ClusterAdmin(null == auth ?
            () -> "this member has no authenticator to reload" : auth::reload);
        this.ctx = ctx;
        this.config = ctx.config();
        this.out = ctx.out();
        this.errorHandler = errorHandler;
        this.windows = null != ctx.shards().windowSpec();
        this.tickIntervalNs = ctx.shards().tickIntervalNs();
        this.fingerprint = fingerprintOf(ctx);
    }

    private static java.util.List<String> logSettings()
    {
        final java.util.List<String> keys = new java.util.ArrayList<>();
        for (final Setting<?> setting : Settings.inScope(Scope.LOG))
        {
            keys.add(setting.key());
        }
        return java.util.List.copyOf(keys);
    }

    /**
     * @return the fingerprint of the state's settings ({@code ShardContext#fingerprint}), the
     * {@link #LOG_SETTINGS} and the alert rules, as concluded: what a cluster snapshot is checked against.
     */
    static long fingerprintOf(final DaemonContext ctx)
    {
        final StateDigest digest = new StateDigest().add(ctx.shards().fingerprint());
        final java.util.Map<String, String> effective = ctx.config().effective();
        final StringBuilder text = new StringBuilder();
        for (final String key : LOG_SETTINGS)
        {
            text.append(key).append('=').append(effective.get(key)).append('\n');
        }
        effective.forEach((key, value) ->
        {
            if (key.startsWith(io.sluice.config.AlertRule.PREFIX))
            {
                text.append(key).append('=').append(value).append('\n');
            }
        });
        for (int i = 0; i < text.length(); i++)
        {
            digest.add(text.charAt(i));
        }
        return digest.value();
    }

    /**
     * Refresh the JVM counters ({@link JvmCounters#update()}) once the service has started; the node's control
     * thread is their one writer. Allocates nothing.
     */
    public void updateJvmCounters()
    {
        final JvmCounters jvm = jvmCounters;
        if (null != jvm)
        {
            jvm.update();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.timeUnit = null == cluster.timeUnit() ? TimeUnit.NANOSECONDS : cluster.timeUnit();
        counters = new SluiceCounters(cluster.aeron());
        jvmCounters = counters.jvm();
        final Counter[] egressCounters = counters.egress(cluster.aeron(), 0);
        egress = new ClusterEgress(ctx.egress().alertRuleNames(), ctx.shards().clientCapacity(), egressCounters[0],
            egressCounters[1], egressCounters[2]);
        egress.retryIdle(cluster.idleStrategy());
        if (null != auth)
        {
            auth.counters(counters, cluster.aeron(), config.clusterMemberId());
        }
        snapshotId = counters.newCounter(cluster.aeron(), SluiceCounters.SNAPSHOT_LAST_ID_TYPE_ID,
            "sluice snapshot last id: cluster member " + config.clusterMemberId());
        snapshotPosition = counters.newCounter(cluster.aeron(), SluiceCounters.SNAPSHOT_LAST_POSITION_TYPE_ID,
            "sluice snapshot last position (cluster log)");
        digest = counters.newCounter(cluster.aeron(), SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID,
            "sluice snapshot state digest");

        rules = new ClusterRuleSwap(java.nio.file.Path.of(config.driverDir()).toAbsolutePath(), windows,
            counters.newCounter(cluster.aeron(), SluiceCounters.RULES_REQUEST_TYPE_ID, "sluice rules request"),
            counters.newCounter(cluster.aeron(), SluiceCounters.RULES_RESULT_TYPE_ID, "sluice rules result"),
            counters.newCounter(cluster.aeron(), SluiceCounters.CONFIG_VERSION_TYPE_ID, "sluice config version"),
            counters.newCounter(cluster.aeron(), SluiceCounters.RULES_POSITION_TYPE_ID,
                "sluice rules position (cluster log)"), errorHandler, out);
        applier = this::applyRules;
        offer = cluster::offer;

        final ShardContext shards = ctx.shards();
        ring = new SluiceRing(ctx.ring());
        processors = shards.newProcessors((shard) -> egress, (shard) -> counters.processor(cluster.aeron(), shard), null);
        parts = new ShardSnapshot[processors.length];
        for (int shard = 0; shard < processors.length; shard++)
        {
            processors[shard].snapshots(this);
            parts[shard] = new ShardSnapshot();
        }
        producerPart = new ProducerSnapshot();
        final ProcessorGroup group = new ProcessorGroup(ring, processors, ThreadingMode.SHARED, errorHandler);
        processorAgent = group.pollAgent();
        processorAgent.onStart();
        producer = shards.newProducer(ring, counters.ticks());
        io.sluice.core.alert.AlertRules.warmUp(20_000);
        final IngressAgent.Context checks = ctx.ingress();
        ingress = new IngressHandler(producer, checks.timestampMinNs(), checks.timestampMaxNs(), counters,
            checks.rejectLogIntervalNs(), out, IngressHandler.ResumeGate.NEVER);

        if (null != snapshotImage)
        {
            restore(snapshotImage);
        }
        for (final ClientSession session : cluster.clientSessions())
        {
            open(session);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        open(session);
    }

    private void open(final ClientSession session)
    {
        final SessionPermissions.Principal principal = permissions.onOpen(session);
        egress.onSessionOpen(session, principal.may(io.sluice.protocol.auth.Permission.SUBSCRIBE));
        if (principal.authenticated() && 0 != principal.clientId())
        {
            egress.route(principal.clientId(), session);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        permissions.onClose(session);
        egress.onSessionClose(session);
    }

    /**
     * The daemon's ingress, for one message of the log: checked, offered to the ring (after draining it when full),
     * processed at once.
     */
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (null == session)
        {
            if (!rules.onServiceMessage(buffer, offset, length, cluster.logPosition(), applier))
            {
                errorHandler.onError(new IllegalStateException("a service message of " + length + " bytes at " +
                    "cluster log position " + cluster.logPosition() + " is not Sluice's: ignored"));
            }
            if (rules.needsOffer())
            {
                offerRules();
            }
            return;
        }
        final int refused = permissions.check(session.id(), buffer, offset, length);
        if (0 != refused)
        {
            egress.rejectTo(session, length >= CLIENT_ID_END ? buffer.getLong(
                offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN) : 0,
                permissions.rejectCorrelationId(), permissions.rejectKey(), refused);
            return;
        }
        if (admin.onMessage(session, permissions.principal(session.id()), buffer, offset, length, egress))
        {
            return;
        }
        final long nowNs = nowNs(timestamp);
        final int sessionId = (int)session.id();
        while (!ingress.onMessage(buffer, offset, length, sessionId, nowNs))
        {
            drain();
        }
        if (length >= CLIENT_ID_END && MessageHeaderDecoder.SCHEMA_ID == messageHeader.wrap(buffer, offset).schemaId())
        {
            // before the processors answer it, so its Rejected (or result) finds the session
            egress.route(buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN), session);
        }
        producer.doTick(nowNs);
        drain();
        ingress.logRejects(nowNs);
        if (windows && !tickScheduled)
        {
            scheduleTick(nowNs);
        }
        if (rules.needsOffer())
        {
            offerRules();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        if (TICK_TIMER == correlationId)
        {
            final long nowNs = nowNs(timestamp);
            producer.doTick(nowNs);
            drain();
            if (producer.mayTick())
            {
                scheduleTick(nowNs);
            }
            else
            {
                tickScheduled = false;
            }
        }
        else if (RULES_TIMER == correlationId)
        {
            scheduleRulesTimer(timestamp);
        }
        if (rules.needsOffer())
        {
            offerRules();
        }
    }

    /**
     * A request of {@code sluice rules apply} ({@link ClusterRuleSwap#doBackgroundWork}): read and held here, put
     * into the log from the next log callback.
     */
    public int doBackgroundWork(final long nowNs)
    {
        return null == rules ? 0 :
            rules.doBackgroundWork(nowNs, Cluster.Role.LEADER == cluster.role(), config.clusterMemberId(),
                leaderMemberId);
    }

    /**
     * A snapshot marker through the ring (the processors copy their state at it), then the parts in the standalone
     * format onto the snapshot publication.
     */
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final long id = cluster.logPosition();
        final long nowNs = nowNs(cluster.time());
        drain();
        collecting = true;
        try
        {
            while (!producer.offerSnapshot(id, nowNs, producerPart))
            {
                drain();
            }
            drain();
        }
        finally
        {
            collecting = false;
        }
        rules.writeSnapshot(snapshotPublication, cluster.idleStrategy());
        final ClusterSnapshot.Header header = new ClusterSnapshot.Header(parts.length, ctx.shards().hashSeed(),
            fingerprint, id, producer.lastTickNs(), producer.lastEventNs());
        for (final ShardSnapshot part : parts)
        {
            part.indexGroups(ctx.shards().router());
        }
        final long bytes = ClusterSnapshot.write(snapshotPublication, header, parts, producerPart,
            cluster.idleStrategy());
        final long value = SnapshotManifest.combined(partDigests());
        publishDigest(id, value);
        out.printf("sluice: cluster snapshot at log position %d: %d bytes of state, digest %016x%n", id, bytes, value);
        out.flush();
    }

    /**
     * The cluster's time unit is known for certain once a leadership term starts (the node sets nanoseconds).
     */
    public void onNewLeadershipTermEvent(
        final long leadershipTermId,
        final long logPosition,
        final long timestamp,
        final long termBaseLogPosition,
        final int leaderMemberId,
        final int logSessionId,
        final TimeUnit timeUnit,
        final int appVersion)
    {
        this.timeUnit = timeUnit;
        this.leaderMemberId = leaderMemberId;
        scheduleRulesTimer(timestamp);
    }

    /**
     * {@inheritDoc}
     */
    public void onRoleChange(final Cluster.Role newRole)
    {
        out.println("sluice: cluster member " + cluster.memberId() + " is now " + newRole);
        out.flush();
    }

    /**
     * {@inheritDoc}
     */
    public void onTerminate(final Cluster cluster)
    {
        if (null != processors)
        {
            drain();
            final long value = digest();
            out.printf("sluice: cluster member %d stops at log position %d, digest %016x%n",
                cluster.memberId(), cluster.logPosition(), value);
            out.flush();
            processorAgent.onClose();
        }
    }

    /**
     * {@inheritDoc}
     */
    public ShardSnapshot partFor(final int shard, final long snapshotId)
    {
        return collecting ? parts[shard] : null;
    }

    /**
     * {@inheritDoc}
     */
    public void onPartCopied(final int shard, final long snapshotId, final long pauseNs)
    {
    }

    /**
     * @return the digest of every shard's state now ({@link SnapshotManifest#combined}), as a standalone snapshot
     * of the same state would record it. Service thread only.
     */
    long digest()
    {
        final long[] digests = new long[processors.length];
        for (int i = 0; i < processors.length; i++)
        {
            digests[i] = processors[i].digest();
        }
        return SnapshotManifest.combined(digests);
    }

    private long[] partDigests()
    {
        final long[] digests = new long[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            digests[i] = parts[i].digest();
        }
        return digests;
    }

    private void restore(final Image snapshotImage)
    {
        final long rulesVersion = rules.readSnapshot(snapshotImage, cluster.idleStrategy());
        final ClusterSnapshot.Parts read = ClusterSnapshot.read(snapshotImage, cluster.idleStrategy());
        final ClusterSnapshot.Header header = read.header();
        if (header.hashSeed() != ctx.shards().hashSeed() || header.fingerprint() != fingerprint)
        {
            throw new SnapshotException("cluster snapshot " + header.snapshotId() + " was taken under another " +
                "configuration (hash seed " + header.hashSeed() + ", fingerprint " + header.fingerprint() +
                "; this node: " + ctx.shards().hashSeed() + ", " + fingerprint + "): " + SluiceConfig.HASH_SEED +
                " and the settings that decide how the log is applied (" + String.join(", ", LOG_SETTINGS) +
                ", the alert rules, and " + String.join(", ", ctx.shards().stateSettings().keySet()) +
                ") must be those the cluster ran with");
        }
        restoreShards(read, header);
        read.loadProducer(producerPart);
        producer.restore(producerPart, nowNs(cluster.time()));
        producer.restoreClock(header.lastTickNs(), header.lastEventNs());
        rules.applyInForce(applier);
        final long value = digest();
        publishDigest(header.snapshotId(), value);
        out.printf("sluice: restored cluster snapshot of log position %d: digest %016x, rules version %d%n",
            header.snapshotId(), value, rulesVersion);
        out.flush();
    }

    /**
     * A snapshot of this node's processor count and capacity is copied table by table; one of another (a member
     * restarted with another {@code sluice.processor.count} or {@code sluice.state.capacity}) key by key into the
     * shard owning each key's group now. The state digest is the same either way.
     */
    private void restoreShards(final ClusterSnapshot.Parts read, final ClusterSnapshot.Header header)
    {
        final int capacity = ctx.shards().stateCapacity();
        boolean sameShape = header.shardCount() == processors.length;
        for (int i = 0; sameShape && i < processors.length; i++)
        {
            read.loadShard(i, parts[i]);
            sameShape = parts[i].capacity() == capacity;
        }
        if (sameShape)
        {
            for (int i = 0; i < processors.length; i++)
            {
                processors[i].logic().restoreFrom(parts[i]);
            }
            return;
        }
        final io.sluice.core.shard.KeyGroupRestore.Result result = io.sluice.core.shard.KeyGroupRestore.restore(
            read::loadShard, header.shardCount(), parts[0], ctx.shards().router(), processors, capacity);
        out.println("sluice: " + result.describe(parts[0].capacity(), capacity));
    }

    private void publishDigest(final long id, final long value)
    {
        snapshotId.setRelease(id);
        snapshotPosition.setRelease(id);
        digest.setRelease(value);
    }

    /**
     * The tick timer: first scheduled by the first message after a start (a service may not schedule from
     * {@code onStart}); a timer restored from the consensus module's snapshot fires on a quiet log too.
     */
    private void scheduleTick(final long nowNs)
    {
        tickScheduled = true;
        final long deadline = timeUnit.convert(nowNs + tickIntervalNs, TimeUnit.NANOSECONDS);
        while (!cluster.scheduleTimer(TICK_TIMER, deadline))
        {
            cluster.idleStrategy().idle();
        }
    }

    private void scheduleRulesTimer(final long timestamp)
    {
        final long deadline = timestamp + timeUnit.convert(ClusterRuleSwap.REOFFER_INTERVAL_NS, TimeUnit.NANOSECONDS);
        while (!cluster.scheduleTimer(RULES_TIMER, deadline))
        {
            cluster.idleStrategy().idle();
        }
    }

    private void offerRules()
    {
        rules.offer(offer, Cluster.Role.LEADER == cluster.role());
    }

    /**
     * Put a rule set into the ring and let every processor switch to it (a change from the log, or the set a
     * snapshot held): the set follows every later snapshot marker too.
     */
    private void applyRules(final long version, final DirectBuffer encoded, final int length)
    {
        final long nowNs = nowNs(cluster.time());
        while (!producer.offerRules(version, encoded, length, nowNs))
        {
            drain();
        }
        drain();
    }

    private void drain()
    {
        try
        {
            while (!ring.isDrained())
            {
                processorAgent.doWork();
            }
        }
        catch (final Exception ex)
        {
            errorHandler.onError(ex);
        }
    }

    private long nowNs(final long clusterTime)
    {
        return timeUnit.toNanos(clusterTime);
    }
}
