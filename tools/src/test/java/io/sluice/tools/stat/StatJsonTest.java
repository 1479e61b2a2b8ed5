package io.sluice.tools.stat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aeron.AeronCounters;
import io.sluice.core.RejectReason;
import io.sluice.server.counters.SluiceCounters;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class StatJsonTest
{
    private static final Instant AT = Instant.parse("2026-05-01T10:00:00.123456Z");

    @Test
    void shouldWriteTheDocumentedLayout() throws IOException
    {
        final TestCounters counters = new TestCounters();
        counters.add(SluiceCounters.INGRESS_RECEIVED_TYPE_ID, -1, "sluice ingress received", 100);
        counters.add(SluiceCounters.PROCESSED_TYPE_ID, 1, "sluice processor 1 processed", 100);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StatJson.write("/tmp/d", counters.read(AT, 0), bytes);
        assertEquals("""
            {
              "driver_dir": "/tmp/d",
              "timestamp": "2026-05-01T10:00:00.123456Z",
              "counters": [
                {
                  "id": 0,
                  "type_id": 1001,
                  "name": "ingress_received",
                  "kind": "counter",
                  "labels": {},
                  "label": "sluice ingress received",
                  "value": 100,
                  "scale": 1.0
                },
                {
                  "id": 1,
                  "type_id": 1005,
                  "name": "processor_processed",
                  "kind": "counter",
                  "labels": {
                    "shard": "1"
                  },
                  "label": "sluice processor 1 processed",
                  "value": 100,
                  "scale": 1.0
                }
              ],
              "totals": {
                "ingress_received": 100,
                "processor_processed": 100
              }
            }
            """, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldGiveRawValuesLabelsScalesTheDigestInHexAndTotalsOfCountersOnly() throws IOException
    {
        final TestCounters counters = new TestCounters();
        counters.add(1, -1, "Bytes sent", 4096);
        counters.add(SluiceCounters.REJECTED_TYPE_ID, RejectReason.INVALID_VALUE, "sluice rejected INVALID_VALUE", 7);
        counters.add(SluiceCounters.REJECTED_TYPE_ID, RejectReason.LATE, "sluice rejected LATE", 3);
        counters.add(SluiceCounters.LIVE_KEYS_TYPE_ID, 0, "sluice processor 0 live-keys", 40);
        counters.add(SluiceCounters.LIVE_KEYS_TYPE_ID, 1, "sluice processor 1 live-keys", 2);
        counters.add(SluiceCounters.AGENT_MAX_CYCLE_TYPE_ID, -1, "sluice agent sluice-shared max cycle ns", 1_500_000);
        counters.add(SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID, -1, "sluice snapshot digest", 0xcb4d1e8de52cb089L);
        counters.add(AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID, -1, "Cluster node role", 2);

        final JsonNode root = parse(counters.read(AT, 0));
        final JsonNode all = root.get("counters");
        assertEquals(7, all.size(), "Aeron's own counter (type 1) left out");
        final List<String> names = new ArrayList<>();
        all.forEach((counter) -> names.add(counter.get("name").asText()));
        assertEquals(List.of("rejected", "rejected", "processor_live_keys", "processor_live_keys",
            "agent_max_cycle_seconds", "snapshot_digest", "cluster_role"), names);

        assertEquals("INVALID_VALUE", all.get(0).get("labels").get("reason").asText());
        assertEquals(7, all.get(0).get("value").asLong());
        assertEquals(1, all.get(0).get("id").asInt());
        assertEquals(SluiceCounters.REJECTED_TYPE_ID, all.get(0).get("type_id").asInt());
        assertEquals("gauge", all.get(3).get("kind").asText());
        assertEquals("1", all.get(3).get("labels").get("shard").asText());
        assertEquals("sluice-shared", all.get(4).get("labels").get("agent").asText());
        assertEquals(1_500_000, all.get(4).get("value").asLong(), "raw nanoseconds, not scaled");
        assertEquals(1e-9, all.get(4).get("scale").asDouble());
        assertEquals(0xcb4d1e8de52cb089L, all.get(5).get("value").asLong());
        assertEquals("cb4d1e8de52cb089", all.get(5).get("value_hex").asText());
        assertEquals("leader", all.get(6).get("role").asText());
        assertEquals(0, all.get(6).get("labels").size());

        final JsonNode totals = root.get("totals");
        assertEquals(1, totals.size(), "gauges are not summed: " + totals);
        assertEquals(10, totals.get("rejected").asLong());
        assertEquals(AT.toString(), root.get("timestamp").asText());
        assertEquals("/dev/shm/x", root.get("driver_dir").asText());
    }

    @Test
    void shouldPrintNothingOnOutputAndTheNoDriverLineOnErrorWhenNoDriverRuns() throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final String dir = System.getProperty("java.io.tmpdir") + "/sluice-no-driver-" + System.nanoTime();
        assertEquals(1, StatJson.print(dir, new PrintStream(out, true), new PrintStream(err, true)));
        assertEquals(0, out.size());
        assertEquals("sluice stat: no media driver at " + dir + " (is the daemon running? see sluice.driver.dir)" +
            System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
        assertFalse(new java.io.File(dir).exists());
    }

    private static JsonNode parse(final StatReading reading) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StatJson.write("/dev/shm/x", reading, bytes);
        return new ObjectMapper().readTree(bytes.toByteArray());
    }
}
