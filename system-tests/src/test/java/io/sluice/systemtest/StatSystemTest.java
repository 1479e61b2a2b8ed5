package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.SluiceConfig;
import io.sluice.core.RejectReason;
import io.sluice.client.SluiceClient;
import io.sluice.server.counters.CounterCatalog;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.stat.StatCommand;
import io.sluice.tools.stat.StatWatch;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice stat --json} and {@code --watch} against a live daemon (its own driver directory and free loopback
 * ports, as {@link TestDaemon} chooses them): the JSON's values are the counters', and the counters are what was
 * sent.
 */
class StatSystemTest
{
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final int VALID = 1_000;
    private static final int NAN_EVERY = 100;
    private static final int OUT_OF_RANGE = 3;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldPrintTheCountersAsJsonWithTheValuesOfWhatWasSent() throws Exception
    {
        try (TestDaemon daemon = new TestDaemon().start(); SluiceClient client = daemon.client())
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            final int invalid = send(client);
            final long probes = client.probesSent();
            final long received = VALID + invalid + OUT_OF_RANGE + probes;

            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final Instant before = Instant.now();
            assertEquals(0, StatCommand.run(new String[]{"stat", "--json"}, daemon.config(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
            final Instant after = Instant.now();
            assertEquals("", err.toString(StandardCharsets.UTF_8));
            final JsonNode root = new ObjectMapper().readTree(out.toByteArray());

            assertEquals(daemon.driverDir, root.get("driver_dir").asText());
            final Instant timestamp = Instant.parse(root.get("timestamp").asText());
            assertFalse(timestamp.isBefore(before) || timestamp.isAfter(after), timestamp.toString());

            final JsonNode totals = root.get("totals");
            assertEquals(received, totals.get("ingress_received").asLong());
            assertEquals(VALID + probes, totals.get("ingress_accepted").asLong());
            assertEquals(invalid + OUT_OF_RANGE, totals.get("rejected").asLong());
            assertEquals(received, totals.get("processor_processed").asLong(), "each input handled by one processor");
            assertEquals(0, totals.get("ingress_ring_full").asLong());
            assertEquals(0, totals.get("errors").asLong());

            final Map<String, Long> rejected = new HashMap<>();
            final CountersReader reader = daemon.daemon.aeron().countersReader();
            int shards = 0;
            for (final JsonNode counter : root.get("counters"))
            {
                final int id = counter.get("id").asInt();
                final int typeId = counter.get("type_id").asInt();
                final CounterCatalog.Entry entry = CounterCatalog.find(typeId);
                assertEquals(reader.getCounterTypeId(id), typeId, "counter " + id);
                assertEquals(reader.getCounterLabel(id), counter.get("label").asText());
                assertEquals(entry.name(), counter.get("name").asText());
                assertEquals(entry.kind().name().toLowerCase(), counter.get("kind").asText());
                assertEquals(entry.scale(), counter.get("scale").asDouble());
                if (SluiceCounters.REJECTED_TYPE_ID == typeId)
                {
                    rejected.put(counter.get("labels").get("reason").asText(), counter.get("value").asLong());
                }
                if (SluiceCounters.PROCESSED_TYPE_ID == typeId)
                {
                    assertEquals(Integer.toString(shards++), counter.get("labels").get("shard").asText());
                }
                final boolean settled = typeId >= SluiceCounters.INGRESS_RECEIVED_TYPE_ID &&
                    typeId <= SluiceCounters.RING_FULL_TYPE_ID || SluiceCounters.PROCESSED_TYPE_ID == typeId ||
                    SluiceCounters.LIVE_KEYS_TYPE_ID == typeId || SluiceCounters.ERRORS_TYPE_ID == typeId;
                if (settled)
                {
                    assertEquals(reader.getCounterValue(id), counter.get("value").asLong(), counter.toString());
                }
            }
            assertEquals(daemon.config().processorCount(), shards);
            assertEquals(RejectReason.LIMIT - 1, rejected.size(), "one counter per reason: " + rejected);
            assertEquals(invalid, rejected.get("INVALID_VALUE"));
            assertEquals(OUT_OF_RANGE, rejected.get("TIMESTAMP_OUT_OF_RANGE"));
            assertEquals(invalid + OUT_OF_RANGE, rejected.values().stream().mapToLong(Long::longValue).sum());
        }
    }

    @Test
    @Timeout(60)
    void shouldWatchUntilStoppedAndEndWithOneWhenTheDaemonGoes() throws Exception
    {
        try (TestDaemon daemon = new TestDaemon().start())
        {
            try (SluiceClient client = daemon.client())
            {
                assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
                send(client);
            }
            final SluiceConfig config = daemon.config();
            final long intervalNs = TimeUnit.MILLISECONDS.toNanos(100);

            final ByteArrayOutputStream stopped = new ByteArrayOutputStream();
            final ByteArrayOutputStream stoppedErr = new ByteArrayOutputStream();
            assertEquals(0, StatWatch.run(config.driverDir(), config.driverLivenessTimeoutNs(), intervalNs,
                new PrintStream(stopped, true, StandardCharsets.UTF_8), new PrintStream(stoppedErr, true),
                () -> screens(stopped) >= 2));
            assertEquals(0, stoppedErr.size());
            final String[] shown = stopped.toString(StandardCharsets.UTF_8).split(Pattern.quote(StatWatch.CLEAR_SCREEN), -1);
            assertEquals(3, shown.length, "two screens");
            assertTrue(shown[1].contains("rates from the next reading, in 0.1 s"), shown[1]);
            assertTrue(shown[2].contains("  rejected INVALID_VALUE "), shown[2]);
            assertTrue(shown[2].contains("sluice rejected INVALID_VALUE"), shown[2]);

            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteArrayOutputStream err = new ByteArrayOutputStream();
            final AtomicInteger exit = new AtomicInteger(-1);
            final Thread watch = new Thread(() -> exit.set(StatWatch.run(config.driverDir(),
                config.driverLivenessTimeoutNs(), intervalNs, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> false)), "stat-watch");
            watch.start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (screens(out) < 1 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertTrue(screens(out) >= 1, "a first screen");
            daemon.daemon.close();
            daemon.daemon = null;
            watch.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(watch.isAlive());
            assertEquals(1, exit.get());
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(
                "sluice stat: the daemon at " + config.driverDir() + " has gone: "), err.toString());
        }
    }

    @Test
    @Timeout(60)
    void shouldAnswerNoDriverWithOneAndABadOptionWithTwo() throws Exception
    {
        final Path config = dir.resolve("stat.properties");
        Files.writeString(config, SluiceConfig.DRIVER_DIR + "=" + dir.resolve("no-driver") + "\n");
        assertEquals(1, SluiceMain.run(new String[]{"stat", "--json", "--config", config.toString()}));
        assertEquals(1, SluiceMain.run(new String[]{"stat", "--config", config.toString()}));
        assertEquals(2, SluiceMain.run(new String[]{"stat", "--watch", "0", "--config", config.toString()}));
        assertEquals(2, SluiceMain.run(new String[]{"stat", "--watch", "soon", "--config", config.toString()}));
        assertEquals(2, SluiceMain.run(new String[]{"stat", "--json", "--watch", "--config", config.toString()}));
    }

    /**
     * Send {@link #VALID} events, a NaN after every {@link #NAN_EVERY}th, and {@link #OUT_OF_RANGE} events with a
     * timestamp below the range, and wait for every answer.
     *
     * @return how many NaN events were sent.
     */
    private static int send(final SluiceClient client)
    {
        final RecordingHandler handler = new RecordingHandler();
        int invalid = 0;
        int sent = 0;
        for (int i = 0; i < VALID; i++)
        {
            offer(client, handler, i % 100, T0 + i, i / 8.0);
            sent++;
            if (0 == (i + 1) % NAN_EVERY)
            {
                offer(client, handler, i % 100, T0 + i, Double.NaN);
                sent++;
                invalid++;
            }
        }
        for (int i = 0; i < OUT_OF_RANGE; i++)
        {
            offer(client, handler, 7, 5, 1.0);
            sent++;
        }
        client.flush();
        SluiceSystemTest.awaitTotal(client, handler, sent);
        assertEquals(VALID, handler.results.size());
        assertEquals(invalid + OUT_OF_RANGE, handler.rejects.size());
        assertEquals(invalid, handler.rejects.stream().filter((r) -> RejectReason.INVALID_VALUE == r.reason()).count());
        return invalid;
    }

    private static void offer(
        final SluiceClient client, final RecordingHandler handler, final long key, final long timestamp,
        final double value)
    {
        while (client.offerEvent(key, timestamp, value) < 0)
        {
            client.poll(handler, 100);
            Thread.yield();
        }
        client.poll(handler, 100);
    }

    private static int screens(final ByteArrayOutputStream out)
    {
        return out.toString(StandardCharsets.UTF_8).split(Pattern.quote(StatWatch.CLEAR_SCREEN), -1).length - 1;
    }
}
