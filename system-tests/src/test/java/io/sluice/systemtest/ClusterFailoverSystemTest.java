package io.sluice.systemtest;

import io.sluice.tools.cluster.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A three-node cluster under load loses its leader (K times in turn, {@code -Dsluice.test.cluster.kills=K}) or a
 * follower: every event is applied exactly once and the killed node catches up. Shared setup: {@link ClusterTestSupport}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterFailoverSystemTest extends ClusterTestSupport
{
    @Test
    void shouldApplyEveryEventOnceWhenTheLeaderIsKilledUnderLoadAndTheKilledNodeCatchesUp() throws Exception
    {
        final LocalCluster cluster = cluster(21200);
        cluster.startAll();
        final int firstLeader = cluster.awaitLeader(SECONDS_60);
        final Client client = client(cluster);

        final List<Integer> killed = new ArrayList<>();
        final int step = EVENTS / (2 * KILLS + 1);
        int sent = 0;
        for (int kill = 0; kill < KILLS; kill++)
        {
            client.send(sent, sent + step);
            sent += step;
            final int leader = cluster.awaitLeader(SECONDS_60);
            cluster.kill(leader);
            killed.add(leader);
            client.send(sent, sent + step);
            sent += step;
            final int next = cluster.awaitLeader(SECONDS_60);
            assertNotEquals(-1, next, "a new leader is elected");
            assertNotEquals(leader, next);
            cluster.start(leader);
        }
        client.send(sent, EVENTS);
        client.awaitAnswers(EVENTS - 2_000);
        client.awaitAllApplied();

        assertTrue(client.client.leaderChanges() >= KILLS, "the client followed every new leader (an extra election " +
            "on a starved host is allowed): " + client.client.leaderChanges());
        assertEquals(0, client.duplicateRejects, "no event was resent after the cluster applied it");
        assertEquals(0, client.answeredTwice);
        final long[] digests = cluster.snapshotDigests(SECONDS_60);
        final long reference = referenceDigest(EVENTS);
        for (int member = 0; member < 3; member++)
        {
            assertEquals(hex(reference), hex(digests[member]), "member " + member + " (first leader " + firstLeader +
                ", killed " + killed + ", digests " + hex(digests[0]) + " " + hex(digests[1]) + " " + hex(digests[2]) +
                ", answered " + client.answered.cardinality() + ", leader changes " + client.client.leaderChanges() +
                ", resumes " + client.client.autoResumes() + ") has every event once");
        }
    }

    @Test
    void shouldGoOnWithoutPauseWhenAFollowerIsKilledAndCatchItUpWhenItRestarts() throws Exception
    {
        final LocalCluster cluster = cluster(21240);
        cluster.startAll();
        final int leader = cluster.awaitLeader(SECONDS_60);
        final int follower = (leader + 1) % 3;
        final Client client = client(cluster);

        client.send(0, EVENTS / 3);
        cluster.kill(follower);
        client.send(EVENTS / 3, 2 * EVENTS / 3);
        client.awaitAnswers(2 * EVENTS / 3);
        final long[] withTwo = cluster.snapshotDigests(SECONDS_60);
        assertEquals(hex(referenceDigest(2 * EVENTS / 3)), hex(withTwo[leader]), "two nodes are a quorum");
        cluster.start(follower);
        client.send(2 * EVENTS / 3, EVENTS);
        client.awaitAnswers(EVENTS);

        assertEquals(EVENTS, client.answered.cardinality(), "every event answered");
        final long[] digests = cluster.snapshotDigests(SECONDS_60);
        final long reference = referenceDigest(EVENTS);
        for (int member = 0; member < 3; member++)
        {
            assertEquals(hex(reference), hex(digests[member]), "member " + member);
        }
    }

    private static final int KILLS = Integer.getInteger("sluice.test.cluster.kills", 1);
}
