package io.sluice.server.counters;

import io.aeron.AeronCounters;
import io.sluice.core.RejectReason;
import org.agrona.DirectBuffer;

import java.util.List;

/**
 * The names by which tools outside the daemon ({@code sluice stat --json}, the Prometheus endpoint) show the
 * counters of a daemon or cluster node: every Sluice counter type and the consensus module's counters a cluster
 * node adds. One entry per counter type; a type with several counters (one per shard, per reject reason, per
 * thread) is told apart by its {@link KeyLabel}. Names are lower case with underscores and carry no prefix;
 * the Prometheus endpoint prefixes {@code sluice_} and, for counters, the client appends {@code _total}.
 * Immutable; any thread.
 */
public final class CounterCatalog
{
    /**
     * Whether a counter only grows (events, errors) or is a reading that can fall (live keys, positions).
     */
    public enum Kind
    {
        /** Grows monotonically from 0 while the process lives. */
        COUNTER,
        /** A reading that can go up and down. */
        GAUGE
    }

    /**
     * What tells apart the counters of one type.
     */
    public enum KeyLabel
    {
        /** One counter of the type per process. */
        NONE("", ""),
        /** One per shard; the key is the shard. */
        SHARD("shard", ""),
        /** One per reject reason; the key is the reason code, shown by its name. */
        REASON("reason", ""),
        /**
         * One per thread; the thread's name is in the counter's label after {@code "sluice agent "}.
         */
        AGENT("agent", "sluice agent "),
        /** One per egress publication; the key starts with the publication's registration id (long). */
        REGISTRATION_ID("registration_id", "");

        private final String labelName;
        private final String labelPrefix;

        KeyLabel(final String labelName, final String labelPrefix)
        {
            this.labelName = labelName;
            this.labelPrefix = labelPrefix;
        }

        /**
         * @return the label's name, empty for {@link #NONE}.
         */
        public String labelName()
        {
            return labelName;
        }

        /**
         * @param keyBuffer the counter's key.
         * @param label     the counter's label.
         * @return the label's value for one counter, empty for {@link #NONE}.
         */
        public String value(final DirectBuffer keyBuffer, final String label)
        {
            switch (this)
            {
                case SHARD:
                    return Integer.toString(keyBuffer.getInt(0));
                case REASON:
                    return RejectReason.name(keyBuffer.getInt(0));
                case AGENT:
                {
                    final int start = label.startsWith(labelPrefix) ? labelPrefix.length() : 0;
                    final int end = label.indexOf(' ', start);
                    return end < 0 ? label.substring(start) : label.substring(start, end);
                }
                case REGISTRATION_ID:
                    return Long.toString(keyBuffer.getLong(0));
                default:
                    return "";
            }
        }
    }

    /**
     * One counter type.
     *
     * @param typeId   the counter's type id in the CnC file.
     * @param name     lower-case name with underscores, no prefix, ending in its unit where it has one.
     * @param kind     counter or gauge.
     * @param keyLabel what tells apart the counters of this type.
     * @param scale    factor from the raw value to the named unit (1e-9 for nanoseconds shown as seconds).
     * @param help     one line for a reader.
     */
    public record Entry(int typeId, String name, Kind kind, KeyLabel keyLabel, double scale, String help)
    {
        /**
         * @param raw a counter's value.
         * @return the value in the entry's unit.
         */
        public double scaled(final long raw)
        {
            return 1.0 == scale ? (double)raw : raw * scale;
        }
    }

    private static final double NANOS_TO_SECONDS = 1e-9;
    private static final double MILLIS_TO_SECONDS = 1e-3;

    private static final List<Entry> ENTRIES = List.of(
        entry(SluiceCounters.INGRESS_RECEIVED_TYPE_ID, "ingress_received", Kind.COUNTER, KeyLabel.NONE,
            "Ingress messages received, valid or not (each event of an EventBatch counts)."),
        entry(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, "ingress_accepted", Kind.COUNTER, KeyLabel.NONE,
            "Ingress messages accepted into the ring."),
        entry(SluiceCounters.INGRESS_BATCHES_TYPE_ID, "ingress_batches", Kind.COUNTER, KeyLabel.NONE,
            "EventBatch messages taken by the ingress."),
        entry(SluiceCounters.REJECTED_TYPE_ID, "rejected", Kind.COUNTER, KeyLabel.REASON,
            "Inputs rejected, by reason."),
        entry(SluiceCounters.RING_FULL_TYPE_ID, "ingress_ring_full", Kind.COUNTER, KeyLabel.NONE,
            "Times the ingress found the ring full and pushed back on publishers."),
        entry(SluiceCounters.TICKS_TYPE_ID, "ingress_ticks", Kind.COUNTER, KeyLabel.NONE,
            "Ticks the ingress put into the ring."),
        entry(SluiceCounters.PROCESSED_TYPE_ID, "processor_processed", Kind.COUNTER, KeyLabel.SHARD,
            "Ring entries handled by a processor."),
        entry(SluiceCounters.STATE_FULL_TYPE_ID, "processor_state_full", Kind.COUNTER, KeyLabel.SHARD,
            "New keys refused because the processor's state table was full."),
        entry(SluiceCounters.LIVE_KEYS_TYPE_ID, "processor_live_keys", Kind.GAUGE, KeyLabel.SHARD,
            "Keys held by a processor."),
        entry(SluiceCounters.LATE_TYPE_ID, "processor_late", Kind.COUNTER, KeyLabel.SHARD,
            "Events refused as late by a processor."),
        entry(SluiceCounters.WINDOWS_CLOSED_TYPE_ID, "processor_windows_closed", Kind.COUNTER, KeyLabel.SHARD,
            "Window results published by a processor."),
        entry(SluiceCounters.EVICTIONS_TYPE_ID, "processor_evictions", Kind.COUNTER, KeyLabel.SHARD,
            "Idle keys evicted by a processor."),
        entry(SluiceCounters.ALERTS_FIRED_TYPE_ID, "processor_alerts_fired", Kind.COUNTER, KeyLabel.SHARD,
            "Alerts fired by a processor."),
        entry(SluiceCounters.EGRESS_BACK_PRESSURE_TYPE_ID, "egress_back_pressure", Kind.COUNTER, KeyLabel.SHARD,
            "Egress offers retried because the publication was back-pressured."),
        entry(SluiceCounters.EGRESS_NOT_CONNECTED_TYPE_ID, "egress_not_connected", Kind.COUNTER, KeyLabel.SHARD,
            "Results not sent because no client subscribed to the egress."),
        entry(SluiceCounters.EGRESS_DROPPED_TYPE_ID, "egress_dropped", Kind.COUNTER, KeyLabel.SHARD,
            "Results dropped because the egress publication was closed or at its end."),
        entry(SluiceCounters.EGRESS_RECEIVER_POSITION_TYPE_ID, "egress_receiver_position_bytes", Kind.GAUGE,
            KeyLabel.REGISTRATION_ID,
            "Least position consumed by the live receivers of an egress publication, -1 while none is live."),
        entry(SluiceCounters.ERRORS_TYPE_ID, "errors", Kind.COUNTER, KeyLabel.NONE,
            "Errors reported to the daemon's error handler (sluice errors lists them)."),
        entry(SluiceCounters.JVM_GC_COUNT_TYPE_ID, "gc_collections", Kind.COUNTER, KeyLabel.NONE,
            "Garbage collections in the daemon's JVM since start."),
        new Entry(SluiceCounters.JVM_GC_TIME_TYPE_ID, "gc_time_seconds", Kind.COUNTER, KeyLabel.NONE,
            MILLIS_TO_SECONDS, "Time spent in garbage collection since start."),
        entry(SluiceCounters.JVM_HEAP_USED_TYPE_ID, "jvm_heap_used_bytes", Kind.GAUGE, KeyLabel.NONE,
            "Heap in use in the daemon's JVM."),
        entry(SluiceCounters.JVM_HEAP_COMMITTED_TYPE_ID, "jvm_heap_committed_bytes", Kind.GAUGE, KeyLabel.NONE,
            "Heap committed by the daemon's JVM."),
        entry(SluiceCounters.JVM_HEAP_MAX_TYPE_ID, "jvm_heap_max_bytes", Kind.GAUGE, KeyLabel.NONE,
            "Largest heap the daemon's JVM may take."),
        entry(SluiceCounters.JVM_DIRECT_USED_TYPE_ID, "jvm_direct_used_bytes", Kind.GAUGE, KeyLabel.NONE,
            "Direct buffer memory in use in the daemon's JVM."),
        entry(SluiceCounters.JVM_THREADS_TYPE_ID, "jvm_threads", Kind.GAUGE, KeyLabel.NONE,
            "Live threads of the daemon's JVM."),
        entry(SluiceCounters.JVM_ALLOCATED_TYPE_ID, "jvm_allocated_bytes", Kind.COUNTER, KeyLabel.NONE,
            "Bytes allocated on the heap by every thread of the daemon's JVM since start."),
        new Entry(SluiceCounters.JVM_CPU_TIME_TYPE_ID, "jvm_cpu_seconds", Kind.COUNTER, KeyLabel.NONE,
            NANOS_TO_SECONDS, "CPU time of the daemon's process since start."),
        new Entry(SluiceCounters.AGENT_MAX_CYCLE_TYPE_ID, "agent_max_cycle_seconds", Kind.GAUGE, KeyLabel.AGENT,
            NANOS_TO_SECONDS, "Longest duty cycle (work plus idling) of a Sluice thread so far."),
        entry(SluiceCounters.AGENT_STALLS_TYPE_ID, "agent_stalls", Kind.COUNTER, KeyLabel.AGENT,
            "Duty cycles of a Sluice thread longer than sluice.agent.stall-threshold."),
        entry(SluiceCounters.JOURNAL_RECORDED_POSITION_TYPE_ID, "journal_recorded_position_bytes", Kind.GAUGE,
            KeyLabel.NONE, "Journal position the Archive has recorded."),
        entry(SluiceCounters.JOURNAL_UNRECORDED_BYTES_TYPE_ID, "journal_unrecorded_bytes", Kind.GAUGE,
            KeyLabel.NONE, "Journal bytes published but not yet recorded (results at risk in async mode)."),
        entry(SluiceCounters.JOURNAL_START_POSITION_TYPE_ID, "journal_start_position_bytes", Kind.GAUGE,
            KeyLabel.NONE, "First journal position still held."),
        entry(SluiceCounters.SNAPSHOT_REQUEST_TYPE_ID, "snapshot_requested", Kind.GAUGE, KeyLabel.NONE,
            "1 while a snapshot asked for by sluice snapshot is pending, else 0."),
        entry(SluiceCounters.SNAPSHOT_LAST_ID_TYPE_ID, "snapshot_last_id", Kind.GAUGE, KeyLabel.NONE,
            "Id of the newest complete snapshot, 0 before the first."),
        entry(SluiceCounters.SNAPSHOT_LAST_POSITION_TYPE_ID, "snapshot_last_position_bytes", Kind.GAUGE,
            KeyLabel.NONE, "Journal position of the newest complete snapshot."),
        entry(SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID, "snapshot_digest", Kind.GAUGE, KeyLabel.NONE,
            "State digest of the newest complete snapshot: 64 bits, exact only as stat shows it in hex."),
        new Entry(SluiceCounters.SNAPSHOT_MAX_PAUSE_TYPE_ID, "snapshot_max_pause_seconds", Kind.GAUGE,
            KeyLabel.NONE, NANOS_TO_SECONDS, "Longest pause a snapshot copy has held a processor."),
        entry(SluiceCounters.CONFIG_VERSION_TYPE_ID, "config_version", Kind.GAUGE, KeyLabel.NONE,
            "Configuration version: 0 for the configuration file's alert rules, one more per live change."),
        entry(SluiceCounters.RULES_REQUEST_TYPE_ID, "rules_requested", Kind.GAUGE, KeyLabel.NONE,
            "Id of the rule file sluice rules apply asked for, 0 when none is pending."),
        entry(SluiceCounters.RULES_RESULT_TYPE_ID, "rules_result", Kind.GAUGE, KeyLabel.NONE,
            "Id of the last rules request when applied, minus it when refused, 0 before any."),
        entry(SluiceCounters.RULES_POSITION_TYPE_ID, "rules_position_bytes", Kind.GAUGE, KeyLabel.NONE,
            "Journal position of the last live change of the alert rules, -1 without one or without a journal."),
        new Entry(SluiceCounters.RULES_MAX_SWITCH_TYPE_ID, "processor_rules_max_switch_seconds", Kind.GAUGE,
            KeyLabel.SHARD, NANOS_TO_SECONDS, "Longest time a RULES entry (live rule change) held a processor."),
        entry(SluiceCounters.AUTH_SUCCEEDED_TYPE_ID, "auth_handshakes_succeeded", Kind.COUNTER, KeyLabel.NONE,
            "Authentication handshakes that ended authenticated."),
        entry(SluiceCounters.AUTH_FAILED_TYPE_ID, "auth_handshakes_failed", Kind.COUNTER, KeyLabel.NONE,
            "Authentication handshakes refused or failed: unknown client, wrong proof, no room, timed out."),
        entry(SluiceCounters.AUTH_THROTTLED_TYPE_ID, "auth_handshakes_throttled", Kind.COUNTER, KeyLabel.NONE,
            "Handshakes refused unchecked while their source host was slowed down after repeated failures."),
        entry(SluiceCounters.AUTH_SESSIONS_TYPE_ID, "auth_sessions", Kind.GAUGE, KeyLabel.NONE,
            "Authenticated sessions now."),
        entry(SluiceCounters.AUTH_CREDENTIALS_VERSION_TYPE_ID, "auth_credentials_version", Kind.GAUGE,
            KeyLabel.NONE, "Credentials version: 1 for the file read at start, one more per applied reload."),
        entry(SluiceCounters.AUTH_RELOAD_REQUEST_TYPE_ID, "auth_reload_requested", Kind.GAUGE, KeyLabel.NONE,
            "Id of the reload sluice auth reload asked for, 0 when none is pending."),
        entry(SluiceCounters.AUTH_RELOAD_RESULT_TYPE_ID, "auth_reload_result", Kind.GAUGE, KeyLabel.NONE,
            "Id of the last reload request when applied, minus it when refused, 0 before any."),
        entry(SluiceCounters.CLUSTER_AUTH_OK_TYPE_ID, "cluster_auth_ok", Kind.COUNTER, KeyLabel.NONE,
            "Cluster sessions authenticated by this node's consensus module (as leader)."),
        entry(SluiceCounters.CLUSTER_AUTH_FAILED_TYPE_ID, "cluster_auth_failed", Kind.COUNTER, KeyLabel.NONE,
            "Cluster handshakes rejected: unknown client id, bad length, wrong proof, or slowed down."),
        entry(SluiceCounters.CLUSTER_AUTH_THROTTLED_TYPE_ID, "cluster_auth_throttled", Kind.COUNTER, KeyLabel.NONE,
            "Cluster connects rejected unchecked: their client id failed 3 times in a row (sluice.auth.failure-delay)."),
        entry(SluiceCounters.TOPOLOGY_REQUEST_TYPE_ID, "topology_requested", Kind.GAUGE, KeyLabel.NONE,
            "Id of the topology move step sluice topology move asked for, 0 when none is pending."),
        entry(SluiceCounters.TOPOLOGY_RESULT_TYPE_ID, "topology_result", Kind.GAUGE, KeyLabel.NONE,
            "Id of the last topology request when done, minus it when refused, 0 before any."),
        entry(SluiceCounters.TOPOLOGY_EPOCH_TYPE_ID, "topology_epoch", Kind.GAUGE, KeyLabel.NONE,
            "Topology epoch of this appliance (sluice.topology.file); grows with every move."),
        entry(SluiceCounters.TOPOLOGY_OWNED_GROUPS_TYPE_ID, "topology_owned_key_groups", Kind.GAUGE, KeyLabel.NONE,
            "Key groups this appliance owns."),
        entry(SluiceCounters.TOPOLOGY_MOVES_RELEASED_TYPE_ID, "topology_moves_released", Kind.COUNTER,
            KeyLabel.NONE, "Moves that released key groups from this appliance."),
        entry(SluiceCounters.TOPOLOGY_MOVES_ACQUIRED_TYPE_ID, "topology_moves_acquired", Kind.COUNTER,
            KeyLabel.NONE, "Moves that brought key groups to this appliance."),
        entry(SluiceCounters.TOPOLOGY_KEYS_OUT_TYPE_ID, "topology_keys_moved_out", Kind.COUNTER, KeyLabel.NONE,
            "Keys written into released slices."),
        entry(SluiceCounters.TOPOLOGY_KEYS_IN_TYPE_ID, "topology_keys_moved_in", Kind.COUNTER, KeyLabel.NONE,
            "Keys taken in from acquired slices."),
        new Entry(SluiceCounters.TOPOLOGY_LAST_MOVE_TYPE_ID, "topology_last_move_seconds", Kind.GAUGE,
            KeyLabel.NONE, NANOS_TO_SECONDS, "Duration of the last move step, from its request to its answer."),
        entry(AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID, "cluster_role", Kind.GAUGE, KeyLabel.NONE,
            "Cluster node role: 0 follower, 1 candidate, 2 leader."),
        entry(AeronCounters.CLUSTER_COMMIT_POSITION_TYPE_ID, "cluster_commit_position_bytes", Kind.GAUGE,
            KeyLabel.NONE, "Position of the cluster log committed by a majority."),
        entry(AeronCounters.CLUSTER_ELECTION_COUNT_TYPE_ID, "cluster_elections", Kind.COUNTER, KeyLabel.NONE,
            "Elections this node has taken part in."),
        entry(AeronCounters.CLUSTER_SNAPSHOT_COUNTER_TYPE_ID, "cluster_snapshots", Kind.COUNTER, KeyLabel.NONE,
            "Snapshots this node has taken."),
        entry(AeronCounters.CLUSTER_LEADERSHIP_TERM_ID_TYPE_ID, "cluster_leadership_term", Kind.GAUGE,
            KeyLabel.NONE, "Current leadership term id."));

    private CounterCatalog()
    {
    }

    private static Entry entry(
        final int typeId, final String name, final Kind kind, final KeyLabel keyLabel, final String help)
    {
        return new Entry(typeId, name, kind, keyLabel, 1.0, help);
    }

    /**
     * @return every entry, in the order tools show them.
     */
    public static List<Entry> entries()
    {
        return ENTRIES;
    }

    /**
     * @param typeId a counter type id.
     * @return its entry, or null for a counter no Sluice tool shows (Aeron's own stream and system counters).
     */
    public static Entry find(final int typeId)
    {
        for (int i = 0, size = ENTRIES.size(); i < size; i++)
        {
            final Entry entry = ENTRIES.get(i);
            if (entry.typeId() == typeId)
            {
                return entry;
            }
        }
        return null;
    }
}
