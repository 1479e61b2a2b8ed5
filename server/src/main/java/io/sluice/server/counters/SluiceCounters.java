package io.sluice.server.counters;

import io.sluice.driver.ReceiverTrackingFlowControl;
import io.aeron.Aeron;
import io.aeron.Counter;
import io.sluice.core.RejectReason;
import io.sluice.core.logic.ShardCounters;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's Aeron counters, allocated in the media driver's CnC file so AeronStat, {@code sluice stat} and the
 * metrics exporter read them from outside. Type ids start at {@value #TYPE_ID_BASE}, above Aeron's own. Every
 * counter's key starts with one int ({@value #KEY_LENGTH} bytes): the shard of a per-processor or per-egress
 * counter, the reason code of a {@code rejected} counter, else {@value #NO_KEY}; so a tool finds a shard's counter
 * by type and key, not by parsing its label. A latency bucket's key adds the bucket's bound
 * ({@link LatencyCounters}). (The egress receiver counter, type {@value #EGRESS_RECEIVER_POSITION_TYPE_ID}, is the
 * driver's and keyed like Aeron's stream counters.)
 */
public final class SluiceCounters implements AutoCloseable
{
    /** First type id of Sluice's counters. */
    public static final int TYPE_ID_BASE = 1000;
    /** Ingress messages received (valid or not). */
    public static final int INGRESS_RECEIVED_TYPE_ID = 1001;
    /** Ingress messages accepted into the ring. */
    public static final int INGRESS_ACCEPTED_TYPE_ID = 1002;
    /** Inputs rejected, one counter per reason. */
    public static final int REJECTED_TYPE_ID = 1003;
    /** Times the ingress found the ring full and pushed back on publishers. */
    public static final int RING_FULL_TYPE_ID = 1004;
    /** Ring entries handled by a processor. */
    public static final int PROCESSED_TYPE_ID = 1005;
    /** Egress offers retried because the publication was back-pressured. */
    public static final int EGRESS_BACK_PRESSURE_TYPE_ID = 1006;
    /** Results not sent because no client subscribed to the egress. */
    public static final int EGRESS_NOT_CONNECTED_TYPE_ID = 1007;
    /** New keys refused because a processor's state table was full. */
    public static final int STATE_FULL_TYPE_ID = 1008;
    /** Keys held by a processor. */
    public static final int LIVE_KEYS_TYPE_ID = 1009;
    /** Errors reported to the daemon's error handler. */
    public static final int ERRORS_TYPE_ID = 1010;
    /** Results dropped because the egress publication was closed or at its end. */
    public static final int EGRESS_DROPPED_TYPE_ID = 1011;

    /** Garbage collections in the daemon's JVM since start. */
    public static final int JVM_GC_COUNT_TYPE_ID = 1012;
    /** Milliseconds spent in garbage collection since start. */
    public static final int JVM_GC_TIME_TYPE_ID = 1013;

    /** Events refused as late by a processor. */
    public static final int LATE_TYPE_ID = 1014;
    /** Window results published by a processor. */
    public static final int WINDOWS_CLOSED_TYPE_ID = 1015;
    /** Idle keys evicted by a processor. */
    public static final int EVICTIONS_TYPE_ID = 1016;
    /** Alerts fired by a processor. */
    public static final int ALERTS_FIRED_TYPE_ID = 1017;
    /** Ticks the ingress put into the ring. */
    public static final int TICKS_TYPE_ID = 1018;
    /**
     * Least position consumed by the live receivers of one egress publication, -1 while none is live; kept by the
     * media driver's flow control ({@link ReceiverTrackingFlowControl}, which declares it), key: the publication's
     * registration id.
     */
    public static final int EGRESS_RECEIVER_POSITION_TYPE_ID = ReceiverTrackingFlowControl.EGRESS_RECEIVER_POSITION_TYPE_ID;
    /** Longest duty cycle (work plus idling) of a Sluice thread so far, ns. */
    public static final int AGENT_MAX_CYCLE_TYPE_ID = 1020;
    /** Duty cycles of a Sluice thread longer than {@code sluice.agent.stall-threshold}. */
    public static final int AGENT_STALLS_TYPE_ID = 1021;

    /** Journal position the Archive has recorded (written to its files). */
    public static final int JOURNAL_RECORDED_POSITION_TYPE_ID = 1022;
    /** Journal bytes published but not yet recorded: the results at risk in async mode. */
    public static final int JOURNAL_UNRECORDED_BYTES_TYPE_ID = 1023;
    /** Control toggle: set to 1 to ask for a snapshot ({@code sluice snapshot}); the daemon sets it back to 0. */
    public static final int SNAPSHOT_REQUEST_TYPE_ID = 1024;
    /** Id of the newest complete snapshot, 0 before the first. */
    public static final int SNAPSHOT_LAST_ID_TYPE_ID = 1025;
    /** Journal position of the newest complete snapshot. */
    public static final int SNAPSHOT_LAST_POSITION_TYPE_ID = 1026;
    /** State digest of the newest complete snapshot (all shards combined). */
    public static final int SNAPSHOT_DIGEST_TYPE_ID = 1027;
    /** Longest pause a snapshot copy has held a processor, ns. */
    public static final int SNAPSHOT_MAX_PAUSE_TYPE_ID = 1028;
    /** First journal position still held (moves when segments are purged). */
    public static final int JOURNAL_START_POSITION_TYPE_ID = 1029;
    /** EventBatch messages taken by the ingress (each of their events counts in received too). */
    public static final int INGRESS_BATCHES_TYPE_ID = 1030;
    /** One bucket of a processor's internal latency histogram; key: shard and upper bound ({@link LatencyCounters}). */
    public static final int LATENCY_BUCKET_TYPE_ID = 1031;
    /** Sum of a processor's internal latencies, ns; key: the shard. */
    public static final int LATENCY_SUM_TYPE_ID = 1032;
    /** Heap in use, bytes ({@link JvmCounters}). */
    public static final int JVM_HEAP_USED_TYPE_ID = 1033;
    /** Heap committed, bytes. */
    public static final int JVM_HEAP_COMMITTED_TYPE_ID = 1034;
    /** Largest heap the JVM may take, bytes. */
    public static final int JVM_HEAP_MAX_TYPE_ID = 1035;
    /** Direct buffer memory in use, bytes. */
    public static final int JVM_DIRECT_USED_TYPE_ID = 1036;
    /** Live threads of the JVM. */
    public static final int JVM_THREADS_TYPE_ID = 1037;
    /** Bytes allocated on the heap by every thread since start. */
    public static final int JVM_ALLOCATED_TYPE_ID = 1038;
    /** CPU time of the process, ns. */
    public static final int JVM_CPU_TIME_TYPE_ID = 1039;

    /** Configuration version: 0 for the configuration file's alert rules, then one more per live change. */
    public static final int CONFIG_VERSION_TYPE_ID = 1050;
    /** Request of {@code sluice rules apply}: the id of the rule file to apply, 0 when none is pending. */
    public static final int RULES_REQUEST_TYPE_ID = 1051;
    /** Outcome of the last rules request: its id when applied, minus its id when refused, 0 before any. */
    public static final int RULES_RESULT_TYPE_ID = 1052;
    /** Journal position of the last live change of the alert rules, -1 without one or without a journal. */
    public static final int RULES_POSITION_TYPE_ID = 1053;
    /** Longest time a processor spent on a RULES entry (staging or switching), ns; one per shard. */
    public static final int RULES_MAX_SWITCH_TYPE_ID = 1054;

    /** Authentication handshakes that ended authenticated. */
    public static final int AUTH_SUCCEEDED_TYPE_ID = 1060;
    /** Authentication handshakes refused or failed (unknown client, wrong proof, no room, timed out). */
    public static final int AUTH_FAILED_TYPE_ID = 1061;
    /** Handshakes refused unchecked while their source host was slowed down after repeated failures. */
    public static final int AUTH_THROTTLED_TYPE_ID = 1062;
    /** Authenticated sessions now. */
    public static final int AUTH_SESSIONS_TYPE_ID = 1063;
    /** Credentials version: 1 for the file read at start, one more per applied reload; absent with auth off. */
    public static final int AUTH_CREDENTIALS_VERSION_TYPE_ID = 1064;
    /** Request of {@code sluice auth reload}: its id, 0 when none is pending. */
    public static final int AUTH_RELOAD_REQUEST_TYPE_ID = 1065;
    /** Outcome of the last reload request: its id when applied, minus its id when refused, 0 before any. */
    public static final int AUTH_RELOAD_RESULT_TYPE_ID = 1066;
    /** Cluster sessions the consensus module authenticated ({@code sluice.auth.file} on a cluster node). */
    public static final int CLUSTER_AUTH_OK_TYPE_ID = 1067;
    /** Cluster handshakes rejected: unknown client id, bad length, wrong proof, or slowed down. */
    public static final int CLUSTER_AUTH_FAILED_TYPE_ID = 1068;
    /** Cluster connects rejected unchecked because their client id failed 3 times in a row (slowed down). */
    public static final int CLUSTER_AUTH_THROTTLED_TYPE_ID = 1069;

    /** Request of a topology move step ({@code sluice topology move}): its id, 0 when none is pending. */
    public static final int TOPOLOGY_REQUEST_TYPE_ID = 1070;
    /** Outcome of the last topology request: its id when done, minus its id when refused, 0 before any. */
    public static final int TOPOLOGY_RESULT_TYPE_ID = 1071;
    /** The appliance's topology epoch; absent when not in topology mode. */
    public static final int TOPOLOGY_EPOCH_TYPE_ID = 1072;
    /** Key groups this appliance owns. */
    public static final int TOPOLOGY_OWNED_GROUPS_TYPE_ID = 1073;
    /** Moves this appliance released (key groups handed to another appliance). */
    public static final int TOPOLOGY_MOVES_RELEASED_TYPE_ID = 1074;
    /** Moves this appliance acquired. */
    public static final int TOPOLOGY_MOVES_ACQUIRED_TYPE_ID = 1075;
    /** Keys written into released slices. */
    public static final int TOPOLOGY_KEYS_OUT_TYPE_ID = 1076;
    /** Keys taken in from acquired slices. */
    public static final int TOPOLOGY_KEYS_IN_TYPE_ID = 1077;
    /** Duration of the last move step, from taking its request to answering it, ns. */
    public static final int TOPOLOGY_LAST_MOVE_TYPE_ID = 1078;

    /** Key of a counter that is not per shard or per reason. */
    public static final int NO_KEY = -1;
    /** Bytes of every Sluice counter's key: one int, the shard (per-shard counters), the reason code (rejected) or -1. */
    public static final int KEY_LENGTH = 4;

    private final UnsafeBuffer keyBuffer = new UnsafeBuffer(new byte[KEY_LENGTH]);
    private final UnsafeBuffer labelBuffer = new UnsafeBuffer(new byte[512]);
    private final List<Counter> all = new ArrayList<>();
    private final Counter received;
    private final Counter accepted;
    private final Counter[] rejected = new Counter[RejectReason.LIMIT];
    private final Counter ringFull;
    private final Counter batches;
    private final Counter errors;
    private final Counter ticks;
    private final JvmCounters jvm;

    /**
     * @param aeron the daemon's client, connected to its media driver.
     */
    public SluiceCounters(final Aeron aeron)
    {
        received = add(aeron, INGRESS_RECEIVED_TYPE_ID, NO_KEY, "sluice ingress received");
        accepted = add(aeron, INGRESS_ACCEPTED_TYPE_ID, NO_KEY, "sluice ingress accepted");
        for (int reason = 1; reason < RejectReason.LIMIT; reason++)
        {
            rejected[reason] = add(aeron, REJECTED_TYPE_ID, reason, "sluice rejected " + RejectReason.name(reason));
        }
        ringFull = add(aeron, RING_FULL_TYPE_ID, NO_KEY, "sluice ingress ring-full back-pressure");
        errors = add(aeron, ERRORS_TYPE_ID, NO_KEY, "sluice errors");
        jvm = new JvmCounters((typeId, label) -> add(aeron, typeId, NO_KEY, label));
        ticks = add(aeron, TICKS_TYPE_ID, NO_KEY, "sluice ingress ticks");
        batches = add(aeron, INGRESS_BATCHES_TYPE_ID, NO_KEY, "sluice ingress batches");
    }

    /**
     * @return ticks put into the ring.
     */
    public Counter ticks()
    {
        return ticks;
    }

    /**
     * @return the JVM's counters (GC, heap, direct memory, threads, allocation, CPU).
     */
    public JvmCounters jvm()
    {
        return jvm;
    }

    /**
     * Allocate one more counter of the daemon's (the journal's), closed with the others.
     *
     * @param aeron  the daemon's client.
     * @param typeId one of this class's type ids.
     * @param label  the label, for AeronStat.
     * @return the counter, keyed {@value #NO_KEY}.
     */
    public Counter newCounter(final Aeron aeron, final int typeId, final String label)
    {
        return add(aeron, typeId, NO_KEY, label);
    }

    /**
     * Allocate one more per-shard counter, closed with the others.
     *
     * @param aeron  the daemon's client.
     * @param typeId one of this class's type ids.
     * @param shard  the shard, the counter's key.
     * @param label  the label, for AeronStat.
     * @return the counter.
     */
    public Counter newCounter(final Aeron aeron, final int typeId, final int shard, final String label)
    {
        return add(aeron, typeId, shard, label);
    }

    private Counter add(final Aeron aeron, final int typeId, final int key, final String label)
    {
        keyBuffer.putInt(0, key);
        final int labelLength = labelBuffer.putStringWithoutLengthAscii(0, label);
        final Counter counter = aeron.addCounter(typeId, keyBuffer, 0, KEY_LENGTH, labelBuffer, 0, labelLength);
        all.add(counter);
        return counter;
    }

    /**
     * Refresh the JVM counters ({@link JvmCounters#update()}). Control thread only; allocates nothing.
     */
    public void updateJvm()
    {
        jvm.update();
    }

    /**
     * @param aeron the daemon's client.
     * @param shard a processor's shard.
     * @return the processor's latency histogram counters, registered for closing with the rest.
     */
    public LatencyCounters latency(final Aeron aeron, final int shard)
    {
        return LatencyCounters.allocate((typeId, key, keyLength, label) ->
        {
            final int labelLength = labelBuffer.putStringWithoutLengthAscii(0, label);
            final Counter counter = aeron.addCounter(typeId, key, 0, keyLength, labelBuffer, 0, labelLength);
            all.add(counter);
            return counter;
        }, shard);
    }

    /**
     * @param aeron the daemon's client.
     * @param shard processor's shard.
     * @return the processor's counters, registered for closing with the rest; they share the daemon's
     * {@code rejected STATE_FULL} and {@code rejected LATE} counters, which the processors decide.
     */
    public ShardCounters processor(final Aeron aeron, final int shard)
    {
        return new ShardCounters(
            add(aeron, PROCESSED_TYPE_ID, shard, "sluice processor " + shard + " processed"),
            add(aeron, STATE_FULL_TYPE_ID, shard, "sluice processor " + shard + " state-full"),
            add(aeron, LIVE_KEYS_TYPE_ID, shard, "sluice processor " + shard + " live-keys"),
            add(aeron, LATE_TYPE_ID, shard, "sluice processor " + shard + " late"),
            add(aeron, WINDOWS_CLOSED_TYPE_ID, shard, "sluice processor " + shard + " windows-closed"),
            add(aeron, EVICTIONS_TYPE_ID, shard, "sluice processor " + shard + " evictions"),
            add(aeron, ALERTS_FIRED_TYPE_ID, shard, "sluice processor " + shard + " alerts-fired"),
            rejected[RejectReason.STATE_FULL],
            rejected[RejectReason.LATE],
            add(aeron, AGENT_MAX_CYCLE_TYPE_ID, shard, "sluice agent sluice-processor-" + shard + " max cycle ns"),
            add(aeron, AGENT_STALLS_TYPE_ID, shard, "sluice agent sluice-processor-" + shard + " stalls"));
    }

    /**
     * @param aeron the daemon's client.
     * @param shard processor's shard.
     * @return the egress counters of that processor's publication: back-pressure, not-connected, dropped.
     */
    public Counter[] egress(final Aeron aeron, final int shard)
    {
        return new Counter[]{
            add(aeron, EGRESS_BACK_PRESSURE_TYPE_ID, shard, "sluice egress " + shard + " back-pressure"),
            add(aeron, EGRESS_NOT_CONNECTED_TYPE_ID, shard, "sluice egress " + shard + " not-connected"),
            add(aeron, EGRESS_DROPPED_TYPE_ID, shard, "sluice egress " + shard + " dropped")};
    }

    /**
     * @return ingress messages received.
     */
    public Counter received()
    {
        return received;
    }

    /**
     * @return ingress messages accepted into the ring.
     */
    public Counter accepted()
    {
        return accepted;
    }

    /**
     * @return EventBatch messages the ingress took into the ring (events or rejections of each of its events).
     */
    public Counter batches()
    {
        return batches;
    }

    /**
     * @param reason a reason code.
     * @return the counter of inputs rejected for it.
     */
    public Counter rejected(final int reason)
    {
        return rejected[reason];
    }

    /**
     * @return times the ring was full.
     */
    public Counter ringFull()
    {
        return ringFull;
    }

    /**
     * @return errors reported.
     */
    public Counter errors()
    {
        return errors;
    }

    /**
     * @param aeron    the daemon's client.
     * @param roleName the thread's name.
     * @return the thread's duty-cycle counters: longest cycle in ns, and stalls.
     */
    public Counter[] agent(final Aeron aeron, final String roleName)
    {
        return new Counter[]{
            add(aeron, AGENT_MAX_CYCLE_TYPE_ID, NO_KEY, "sluice agent " + roleName + " max cycle ns"),
            add(aeron, AGENT_STALLS_TYPE_ID, NO_KEY, "sluice agent " + roleName + " stalls")};
    }

    /**
     * Free every counter.
     */
    public void close()
    {
        CloseHelper.closeAll(all);
    }
}
