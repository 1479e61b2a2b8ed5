package io.sluice.systemtest;

import io.sluice.tools.cluster.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped cluster node profile starts, answers and stops. Shared setup: {@link ClusterTestSupport}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterNodeProfileSystemTest extends ClusterTestSupport
{
    @Test
    void shouldStartAnswerAndStopTheShippedClusterNodeProfile() throws Exception
    {
        workDir = Files.createTempDirectory("sluice-cluster-test");
        final LocalCluster cluster = new LocalCluster(TestDaemon.shadedJar(), Path.of("../config/cluster-node.properties"),
            workDir.resolve("nodes"), 3, 21360, Map.of());
        resources.add(cluster);
        cluster.startAll();
        assertNotEquals(-1, cluster.awaitLeader(SECONDS_60));
        final Client client = client(cluster);
        final long nowNs = System.currentTimeMillis() * 1_000_000L;
        for (int event = 1; event <= 100; event++)
        {
            while (client.client.offerEvent(key(event), nowNs + event, 100.0 + event % 7) <= 0)
            {
                client.client.poll(client, 64);
            }
        }
        client.client.flush();
        client.awaitAnswers(100);
        assertEquals(0, client.duplicateRejects);
        for (int member = 0; member < 3; member++)
        {
            assertEquals(0, cluster.stop(member), cluster.log(member, 0));
            assertTrue(cluster.log(member, 0).contains("sluice: SIGTERM received, stopping"), cluster.log(member, 0));
            assertTrue(!new File(cluster.driverDir(member)).exists(), "member " + member + " deleted its driver dir");
        }
    }
}
