package io.sluice.server.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.client.ClusterException;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.sluice.config.AlertRule;
import io.sluice.config.ConfigurationException;
import io.sluice.core.alert.AlertRules;
import io.sluice.server.rules.RuleRequests;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * A live change of the alert rules on Aeron Cluster: {@code sluice rules apply} on the leader's host hands the rule
 * file to the leader's service ({@link RuleRequests}: a file in the node's driver directory and the rules request
 * counter in its CnC), the leader puts the set into the cluster log as a service message, and every member switches
 * when the message reaches it in the log, at the same log position.
 * <ul>
 *     <li>{@link #doBackgroundWork}: takes a new request: a follower refuses it naming the leader; the leader reads and
 *     validates the file and holds the set as pending. No log callback runs here, and Aeron forbids offers from it.</li>
 *     <li>{@link #offerPending}: from a log callback of the leader (a client message, a timer), offers the pending set
 *     as configuration version {@code current + 1}, and again every {@link #REOFFER_INTERVAL_NS} until it is in
 *     force: in Aeron 1.51 a new leader's first service messages can be lost without an error (aeron issue 1903:
 *     {@code PendingServiceMessageTracker.sweepFollowerMessages} does not advance {@code nextServiceSessionId}), and
 *     the re-offer is what brings the change in then (every member also offers a copy of each change it saw, to
 *     keep Aeron's count of service messages, {@link #offer}). The version gate makes every copy after the first
 *     harmless.</li>
 *     <li>{@link #onServiceMessage}: every member, in log order: a set whose version is the current one plus one is
 *     applied (through the ring, {@link Applier}); any other copy is ignored, the same on every member. The member
 *     that holds the request then reports version, log position and outcome in its counters.</li>
 * </ul>
 * The rule set in force goes into every cluster snapshot ({@link #writeSnapshot}) and comes back at a start from it
 * ({@link #readSnapshot}), so a member that restarts from a snapshot or replays the log ends with the same rules.
 * <pre>
 *   service message and snapshot section (little-endian):
 *    0  magic "SLUICRUL" (8)   8  template {@value #TEMPLATE} (4)   12  encoded length (4)
 *   16  configuration version (8)   24  request id (8, 0 in a snapshot)   32  the encoded rule set
 *       ({@link AlertRules#encode})
 * </pre>
 * Only service messages (null client session) are read as such: a client's message never is, and it starts with
 * Sluice's SBE header, whose schema id is not the magic's bytes there. Service thread only; a request's file is read
 * once, on the control path; the per-message check is one field read.
 */
final class ClusterRuleSwap
{
    /** "SLUICRUL" in ASCII, little-endian. */
    static final long MAGIC = 0x4C55_5243_4955_4C53L;
    static final int TEMPLATE = 1;
    static final int HEADER_LENGTH = 32;
    /** How often the leader offers a pending set again until it is in force. */
    static final long REOFFER_INTERVAL_NS = 200_000_000L;
    /** How long a pending request may take before the leader gives it up and refuses it. */
    static final long REQUEST_TIMEOUT_NS = 30_000_000_000L;

    /**
     * Applies a set on this member (the service: through the ring, draining it).
     */
    @FunctionalInterface
    interface Applier
    {
        /**
         * @param version the set's configuration version.
         * @param encoded the encoded set, from offset 0.
         * @param length  its bytes.
         */
        void apply(long version, DirectBuffer encoded, int length);
    }

    /**
     * Where the leader offers a service message ({@code Cluster::offer}).
     */
    @FunctionalInterface
    interface Offer
    {
        /**
         * @param buffer the message.
         * @param offset where it starts.
         * @param length its bytes.
         * @return a new position when sequenced for the log, else a negative Publication code.
         */
        long offer(DirectBuffer buffer, int offset, int length);
    }

    private final Path dir;
    private final boolean windows;
    private final AtomicCounter request;
    private final AtomicCounter result;
    private final AtomicCounter version;
    private final AtomicCounter position;
    private final ErrorHandler errorHandler;
    private final PrintStream out;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[HEADER_LENGTH + AlertRules.MAX_ENCODED_LENGTH]);
    private final UnsafeBuffer inForce = new UnsafeBuffer(new byte[AlertRules.MAX_ENCODED_LENGTH]);
    private int inForceLength;
    private long configVersion;
    private long handledId;
    private long pendingId;
    private int pendingLength;
    private long pendingSinceNs;
    private boolean offered;
    private long lastOfferNs;
    private long nowNs;
    private long missed;
    private final UnsafeBuffer copy = new UnsafeBuffer(new byte[HEADER_LENGTH + AlertRules.MAX_ENCODED_LENGTH]);
    private int copyLength;

    /**
     * @param dir          the node's media driver directory, where request files are.
     * @param windows      whether the node has windows (without, only event rules of field value).
     * @param request      the rules request counter.
     * @param result       the rules result counter.
     * @param version      the configuration version counter.
     * @param position     the rules position counter: the cluster log position of the last change.
     * @param errorHandler where a refused request and a set that does not decode are reported.
     * @param out          where each change in force is printed.
     */
    ClusterRuleSwap(
        final Path dir,
        final boolean windows,
        final AtomicCounter request,
        final AtomicCounter result,
        final AtomicCounter version,
        final AtomicCounter position,
        final ErrorHandler errorHandler,
        final PrintStream out)
    {
        this.dir = dir;
        this.windows = windows;
        this.request = request;
        this.result = result;
        this.version = version;
        this.position = position;
        this.errorHandler = errorHandler;
        this.out = out;
        request.setRelease(0);
        version.setRelease(0);
        position.setRelease(-1);
    }

    /**
     * Look at the request counter (the service's background work, between log callbacks).
     *
     * @param nowNs    the service's monotonic clock.
     * @param leader   whether this member leads.
     * @param memberId this member's id.
     * @param leaderId the leader's member id as the log last said, -1 before it said (a follower then waits for it,
     *                 to name the leader in its refusal).
     * @return work done.
     */
    int doBackgroundWork(final long nowNs, final boolean leader, final int memberId, final int leaderId)
    {
        this.nowNs = nowNs;
        final long id = request.get();
        if (0 != pendingId)
        {
            if (id != pendingId)
            {
                pendingId = 0;
                return 1;
            }
            if (nowNs - pendingSinceNs > REQUEST_TIMEOUT_NS)
            {
                refuse(pendingId, "the cluster did not put the rules into its log within " +
                    REQUEST_TIMEOUT_NS / 1_000_000_000L + " s (did the leadership change? see sluice errors)");
                pendingId = 0;
                return 1;
            }
            return 0;
        }
        if (0 == id || id == handledId || (!leader && leaderId < 0))
        {
            return 0;
        }
        if (!leader)
        {
            refuse(id, RuleRequests.notLeader(memberId, leaderId));
            return 1;
        }
        final Path file = RuleRequests.requestFile(dir, id);
        try
        {
            final List<AlertRule> rules = RuleRequests.read(file, windows);
            pendingLength = AlertRules.encode(rules, new UnsafeBuffer(message, HEADER_LENGTH,
                AlertRules.MAX_ENCODED_LENGTH));
        }
        catch (final ConfigurationException | UncheckedIOException | IllegalArgumentException ex)
        {
            refuse(id, ex.getMessage());
            return 1;
        }
        RuleRequests.deleteQuietly(file, errorHandler);
        message.putLong(0, MAGIC, ByteOrder.LITTLE_ENDIAN);
        message.putInt(8, TEMPLATE, ByteOrder.LITTLE_ENDIAN);
        message.putInt(12, pendingLength, ByteOrder.LITTLE_ENDIAN);
        message.putLong(24, id, ByteOrder.LITTLE_ENDIAN);
        pendingId = id;
        pendingSinceNs = nowNs;
        offered = false;
        return 1;
    }

    /**
     * @return true while this member holds a request not yet in force, or owes the consensus module copies of
     * service messages it saw in the log: only then is {@link #offer} needed.
     */
    boolean needsOffer()
    {
        return 0 != pendingId || missed > 0;
    }

    /**
     * From a log callback (Aeron allows offers there): first a copy of each rules change this member saw in the log
     * without offering it, then, on the leader, the pending set ({@link #offerPending}).
     * <p>
     * Aeron expects every member's service to offer the same service messages: a member's consensus module counts
     * its service's offers and drops one whose count the log has passed. Only the leader has the request, so a
     * follower's count would fall behind the log by one per change, and after a leader change the new leader's
     * first offers would be dropped until its count caught up (aeron issue 1903). So every member offers one copy
     * of each change it saw and did not offer; its consensus module drops the copy, as the log has it already, and
     * the counts agree. Only this member's counts decide how many copies: nothing of the log or the state changes.
     *
     * @param offer  the cluster's offer.
     * @param leader whether this member leads.
     * @return true when the pending set was offered now.
     */
    boolean offer(final Offer offer, final boolean leader)
    {
        while (missed > 0 && offer.offer(copy, 0, copyLength) > 0)
        {
            missed--;
        }
        return leader && missed <= 0 && offerPending(offer);
    }

    /**
     * Offer the pending set to the log as the next configuration version, unless it was offered less than
     * {@link #REOFFER_INTERVAL_NS} ago. The leader's log callbacks only (Aeron allows offers there).
     *
     * @param offer the cluster's offer.
     * @return true when offered now.
     */
    boolean offerPending(final Offer offer)
    {
        if (0 == pendingId || (offered && nowNs - lastOfferNs < REOFFER_INTERVAL_NS))
        {
            return false;
        }
        message.putLong(16, configVersion + 1, ByteOrder.LITTLE_ENDIAN);
        final long outcome = offer.offer(message, 0, HEADER_LENGTH + pendingLength);
        if (outcome > 0)
        {
            missed--;
            if (offered)
            {
                out.println("sluice: rules change " + pendingId + " offered to the cluster log again: not in force " +
                    REOFFER_INTERVAL_NS / 1_000_000 + " ms after it was offered");
                out.flush();
            }
            offered = true;
            lastOfferNs = nowNs;
            return true;
        }
        if (Publication.CLOSED == outcome || Publication.MAX_POSITION_EXCEEDED == outcome)
        {
            errorHandler.onError(new ClusterException("rules change not offered to the cluster log: " +
                Publication.errorString(outcome)));
        }
        return false;
    }

    /**
     * A service message from the log, on every member in log order.
     *
     * @param buffer      the message.
     * @param offset      where it starts.
     * @param length      its bytes.
     * @param logPosition the log position after it.
     * @param applier     applies a set on this member.
     * @return false when it is not a rules change (nothing done), else true (applied, or ignored as a copy).
     */
    boolean onServiceMessage(
        final DirectBuffer buffer, final int offset, final int length, final long logPosition, final Applier applier)
    {
        if (!isRulesChange(buffer, offset, length))
        {
            return false;
        }
        missed++;
        copy.putBytes(0, buffer, offset, length);
        copyLength = length;
        final long setVersion = buffer.getLong(offset + 16, ByteOrder.LITTLE_ENDIAN);
        final long requestId = buffer.getLong(offset + 24, ByteOrder.LITTLE_ENDIAN);
        if (setVersion != configVersion + 1)
        {
            return true;
        }
        final int setLength = buffer.getInt(offset + 12, ByteOrder.LITTLE_ENDIAN);
        final List<AlertRule> rules;
        try
        {
            rules = AlertRules.decode(new UnsafeBuffer(buffer, offset + HEADER_LENGTH, setLength), setLength);
        }
        catch (final IllegalArgumentException ex)
        {
            errorHandler.onError(new IllegalArgumentException("rules version " + setVersion + " at cluster log " +
                "position " + logPosition + " ignored: " + ex.getMessage(), ex));
            return true;
        }
        inForce.putBytes(0, buffer, offset + HEADER_LENGTH, setLength);
        inForceLength = setLength;
        configVersion = setVersion;
        applier.apply(setVersion, inForce, setLength);
        version.setRelease(setVersion);
        position.setRelease(logPosition);
        if (0 != requestId && requestId == pendingId)
        {
            result.setRelease(requestId);
            handledId = requestId;
            request.compareAndSet(requestId, 0);
            pendingId = 0;
        }
        out.println("sluice: rules version " + setVersion + " in force from cluster log position " + logPosition +
            ": " + RuleRequests.describe(rules));
        out.flush();
        return true;
    }

    /**
     * @return the configuration version in force: 0 for the configuration file's rules.
     */
    long configVersion()
    {
        return configVersion;
    }

    /**
     * Write the rule set in force as a section of a cluster snapshot; nothing while the configuration file's rules
     * are in force (version 0), so such a snapshot reads as one written before this section existed.
     *
     * @param publication the snapshot publication.
     * @param idle        the cluster's idle strategy.
     */
    void writeSnapshot(final ExclusivePublication publication, final IdleStrategy idle)
    {
        if (0 == configVersion)
        {
            return;
        }
        final UnsafeBuffer section = new UnsafeBuffer(new byte[HEADER_LENGTH + inForceLength]);
        section.putLong(0, MAGIC, ByteOrder.LITTLE_ENDIAN);
        section.putInt(8, TEMPLATE, ByteOrder.LITTLE_ENDIAN);
        section.putInt(12, inForceLength, ByteOrder.LITTLE_ENDIAN);
        section.putLong(16, configVersion, ByteOrder.LITTLE_ENDIAN);
        section.putLong(24, 0, ByteOrder.LITTLE_ENDIAN);
        section.putBytes(HEADER_LENGTH, inForce, 0, inForceLength);
        idle.reset();
        while (true)
        {
            final long outcome = publication.offer(section, 0, section.capacity());
            if (outcome > 0)
            {
                return;
            }
            if (Publication.CLOSED == outcome || Publication.MAX_POSITION_EXCEEDED == outcome)
            {
                throw new ClusterException("snapshot publication refused the rules in force: " +
                    Publication.errorString(outcome));
            }
            idle.idle();
        }
    }

    /**
     * Read the rules section of a cluster snapshot when it has one (the next fragment), else leave the image as it
     * is (the configuration file's rules were in force). Start-up only; {@link #applyInForce} then applies them.
     *
     * @param image the snapshot image, after the container's own state.
     * @param idle  the cluster's idle strategy.
     * @return the configuration version in force after the snapshot.
     * @throws IllegalArgumentException when the section's set does not decode.
     */
    long readSnapshot(final Image image, final IdleStrategy idle)
    {
        final boolean[] seen = { false };
        final ControlledFragmentHandler handler = (buffer, offset, length, header) ->
        {
            seen[0] = true;
            if (!isRulesChange(buffer, offset, length))
            {
                return ControlledFragmentHandler.Action.ABORT;
            }
            final int setLength = buffer.getInt(offset + 12, ByteOrder.LITTLE_ENDIAN);
            inForce.putBytes(0, buffer, offset + HEADER_LENGTH, setLength);
            inForceLength = setLength;
            configVersion = buffer.getLong(offset + 16, ByteOrder.LITTLE_ENDIAN);
            return ControlledFragmentHandler.Action.BREAK;
        };
        idle.reset();
        while (!seen[0])
        {
            if (0 == image.controlledPoll(handler, 1) && !seen[0])
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    break;
                }
                idle.idle();
            }
        }
        if (0 != configVersion)
        {
            AlertRules.decode(inForce, inForceLength);
            version.setRelease(configVersion);
        }
        return configVersion;
    }

    /**
     * Apply the rules a snapshot held on this member ({@link #readSnapshot}), once its state is restored; nothing
     * when the configuration file's rules were in force.
     *
     * @param applier applies the set on this member.
     */
    void applyInForce(final Applier applier)
    {
        if (0 != configVersion)
        {
            applier.apply(configVersion, inForce, inForceLength);
        }
    }

    /**
     * @param buffer a message.
     * @param offset where it starts.
     * @param length its bytes.
     * @return whether it is a rules change of this layout, whole.
     */
    static boolean isRulesChange(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= HEADER_LENGTH && MAGIC == buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN) &&
            TEMPLATE == buffer.getInt(offset + 8, ByteOrder.LITTLE_ENDIAN) &&
            buffer.getInt(offset + 12, ByteOrder.LITTLE_ENDIAN) == length - HEADER_LENGTH &&
            length - HEADER_LENGTH <= AlertRules.MAX_ENCODED_LENGTH;
    }

    private void refuse(final long id, final String reason)
    {
        RuleRequests.refuse(dir, id, reason, errorHandler);
        handledId = id;
        request.compareAndSet(id, 0);
        result.setRelease(-id);
    }

}
