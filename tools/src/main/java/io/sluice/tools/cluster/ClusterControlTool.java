package io.sluice.tools.cluster;

import io.aeron.AeronCounters;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.service.Cluster;
import io.sluice.config.SluiceConfig;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.stat.SluiceStat;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sluice snapshot} and {@code sluice cluster-shutdown} against a running cluster node, through the consensus
 * module's control toggle in the node's CnC file (as Aeron's {@code ClusterTool} does). Only the leader acts on a
 * toggle: run against a follower, the tool says so and changes nothing. A snapshot is taken by every node at the
 * same log position; the tool waits until this node's snapshot count moves and prints its log position and Sluice
 * state digest (every node's is the same).
 */
public final class ClusterControlTool
{
    private static final int NONE = -1;

    private ClusterControlTool()
    {
    }

    /**
     * What a node's counters say.
     *
     * @param role         the node's role, or null when it has no consensus module.
     * @param toggleId     the control toggle's counter id.
     * @param snapshotsId  the snapshot count's counter id.
     * @param positionId   Sluice's last snapshot position counter id.
     * @param digestId     Sluice's snapshot digest counter id.
     */
    record Node(Cluster.Role role, int toggleId, int snapshotsId, int positionId, int digestId)
    {
    }

    /**
     * Ask the leader for a snapshot and wait until this node took it.
     *
     * @param config    the node's configuration (its driver directory).
     * @param timeoutNs longest wait.
     * @param out       where the result goes.
     * @return 0 when taken; 1 when no node runs there, it is not the leader, or it timed out.
     */
    public static int snapshot(final SluiceConfig config, final long timeoutNs, final PrintStream out)
    {
        final Node node = find(config, out);
        if (null == node)
        {
            return 1;
        }
        final long[] result = { NONE, NONE, NONE };
        SluiceStat.read(config.driverDir(), (reader) ->
        {
            final long before = reader.getCounterValue(node.snapshotsId());
            if (!ClusterControl.ToggleState.SNAPSHOT.toggle(new AtomicCounter(reader.valuesBuffer(), node.toggleId())))
            {
                return;
            }
            final long deadlineNs = System.nanoTime() + timeoutNs;
            while (System.nanoTime() - deadlineNs < 0)
            {
                if (reader.getCounterValue(node.snapshotsId()) > before)
                {
                    result[0] = reader.getCounterValue(node.snapshotsId());
                    result[1] = reader.getCounterValue(node.positionId());
                    result[2] = reader.getCounterValue(node.digestId());
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        });
        if (NONE == result[0])
        {
            out.println("sluice snapshot: the cluster took no snapshot within " +
                TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s (another control action in progress? see sluice errors)");
            return 1;
        }
        out.println("sluice snapshot: cluster snapshot " + result[0] + " of member " + config.clusterMemberId() +
            " at log position " + result[1] + ", digest " + String.format("%016x", result[2]) +
            " (every member takes it at the same log position)");
        return 0;
    }

    /**
     * Ask the leader to stop the whole cluster: every node takes a snapshot at the same log position and terminates
     * (its process exits 0); a later start of the nodes recovers from those snapshots.
     *
     * @param config the node's configuration (its driver directory).
     * @param out    where the result goes.
     * @return 0 when the request was made; 1 when no node runs there or it is not the leader.
     */
    public static int shutdown(final SluiceConfig config, final PrintStream out)
    {
        final Node node = find(config, out);
        if (null == node)
        {
            return 1;
        }
        final boolean toggled = toggle(config.driverDir(), ClusterControl.ToggleState.SHUTDOWN);
        out.println(toggled ? "sluice cluster-shutdown: every member snapshots and stops" :
            "sluice cluster-shutdown: another control action is in progress; try again");
        return toggled ? 0 : 1;
    }

    private static Node find(final SluiceConfig config, final PrintStream out)
    {
        final Node[] found = { null };
        final boolean running = SluiceStat.read(config.driverDir(), (reader) -> found[0] = node(reader));
        if (!running || null == found[0] || null == found[0].role())
        {
            out.println("sluice: no cluster node runs at " + config.driverDir() + " (member " +
                config.clusterMemberId() + "; see sluice.cluster.member-id and sluice.driver.dir)");
            return null;
        }
        if (Cluster.Role.LEADER != found[0].role())
        {
            out.println("sluice: member " + config.clusterMemberId() + " is a " +
                found[0].role().name().toLowerCase() + ": only the leader acts on a control request; run this " +
                "against the leader (sluice stat shows each node's role)");
            return null;
        }
        return found[0];
    }

    /**
     * Set a node's control toggle, as its leader then acts on it.
     *
     * @param driverDir the node's driver directory.
     * @param state     what to ask.
     * @return true when the toggle was set (the node runs a consensus module and no other request is pending).
     */
    static boolean toggle(final String driverDir, final ClusterControl.ToggleState state)
    {
        final boolean[] toggled = { false };
        SluiceStat.read(driverDir, (reader) ->
        {
            final Node node = node(reader);
            toggled[0] = null != node && state.toggle(new AtomicCounter(reader.valuesBuffer(), node.toggleId()));
        });
        return toggled[0];
    }

    static Node node(final CountersReader reader)
    {
        final int[] ids = { NONE, NONE, NONE, NONE, NONE };
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID == typeId)
            {
                ids[0] = counterId;
            }
            else if (AeronCounters.CLUSTER_CONTROL_TOGGLE_TYPE_ID == typeId)
            {
                ids[1] = counterId;
            }
            else if (AeronCounters.CLUSTER_SNAPSHOT_COUNTER_TYPE_ID == typeId)
            {
                ids[2] = counterId;
            }
            else if (SluiceCounters.SNAPSHOT_LAST_POSITION_TYPE_ID == typeId)
            {
                ids[3] = counterId;
            }
            else if (SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID == typeId)
            {
                ids[4] = counterId;
            }
        });
        for (final int id : ids)
        {
            if (NONE == id)
            {
                return null;
            }
        }
        return new Node(Cluster.Role.get(reader.getCounterValue(ids[0])), ids[1], ids[2], ids[3], ids[4]);
    }
}
