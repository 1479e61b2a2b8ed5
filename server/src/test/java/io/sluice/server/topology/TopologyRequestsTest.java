package io.sluice.server.topology;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TopologyRequestsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadBackARequestAndAResultAsWritten()
    {
        final TopologyRequests.Request request = new TopologyRequests.Request(
            TopologyRequests.ACQUIRE, 4, 9, 0, 1023, "/shared/slices", "a");
        final Path file = TopologyRequests.writeRequest(dir, 7, request);
        assertEquals(dir.resolve("sluice-topology-7.properties"), file);
        assertEquals(request, TopologyRequests.readRequest(file));

        final TopologyRequests.Result result = new TopologyRequests.Result("acquire", 4, 9, 1200, 98_304, 4096, 5_000);
        TopologyRequests.writeResult(dir, 7, result);
        assertEquals(result, TopologyRequests.readResult(dir, 7));
        assertEquals(dir.resolve("sluice-topology-7.result"), TopologyRequests.resultFile(dir, 7));
    }

    @Test
    void shouldRefuseWithOneLineAndDeleteTheRequest() throws Exception
    {
        TopologyRequests.writeRequest(dir, 3,
            new TopologyRequests.Request(TopologyRequests.RELEASE, 2, 1, 5, 5, "/s", ""));
        final StringBuilder reported = new StringBuilder();
        TopologyRequests.refuse(dir, 3, "stale epoch 2: the appliance is at epoch 3", (ex) -> reported.append(ex.getMessage()));
        assertEquals("stale epoch 2: the appliance is at epoch 3", TopologyRequests.readRefusal(dir, 3));
        assertEquals("topology request 3 refused: stale epoch 2: the appliance is at epoch 3", reported.toString());
        assertFalse(Files.exists(TopologyRequests.requestFile(dir, 3)));
    }

    @Test
    void shouldNameTheBadEntryOfARequest() throws Exception
    {
        final Path file = TopologyRequests.requestFile(dir, 1);
        Files.writeString(file, "action=move\nepoch=2\nmove-id=1\ngroups=0-1\nslice-dir=/s\n");
        assertEquals("action=move is not allowed: release or acquire",
            assertThrows(IllegalArgumentException.class, () -> TopologyRequests.readRequest(file)).getMessage());
        Files.writeString(file, "action=release\nepoch=2\nmove-id=1\ngroups=9-1\nslice-dir=/s\n");
        assertEquals("groups=9-1 is not a range with 0 <= first <= last",
            assertThrows(IllegalArgumentException.class, () -> TopologyRequests.readRequest(file)).getMessage());
        Files.writeString(file, "action=acquire\nepoch=2\nmove-id=1\ngroups=0-1\nslice-dir=/s\n");
        assertEquals("source is missing: an acquire names the appliance that released the slice",
            assertThrows(IllegalArgumentException.class, () -> TopologyRequests.readRequest(file)).getMessage());
        Files.writeString(file, "action=release\nepoch=0\nmove-id=1\ngroups=0-1\nslice-dir=/s\n");
        assertEquals("epoch=0 must be at least 1",
            assertThrows(IllegalArgumentException.class, () -> TopologyRequests.readRequest(file)).getMessage());
    }
}
