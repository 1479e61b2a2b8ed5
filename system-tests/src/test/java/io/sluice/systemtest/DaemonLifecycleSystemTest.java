package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.RejectReason;
import io.sluice.client.SluiceClient;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.daemon.SluiceDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DaemonLifecycleSystemTest
{
    @Test
    @Timeout(60)
    void shouldRefuseASecondDaemonOnTheSameDriverDirectory()
    {
        try (TestDaemon first = new TestDaemon().start())
        {
            final TestDaemon second = new TestDaemon().set(SluiceConfig.DRIVER_DIR, first.driverDir);
            final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceDaemon.start(
                second.config(), new PrintStream(new ByteArrayOutputStream())));
            assertEquals(SluiceConfig.DRIVER_DIR, ex.key());
            assertTrue(ex.getMessage().contains("in use by a running media driver"), ex.getMessage());
            assertTrue(new File(first.driverDir, "cnc.dat").exists(), "first daemon's driver directory intact");
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseASecondDaemonOnTheSameIngressPort()
    {
        try (TestDaemon first = new TestDaemon().start();
            TestDaemon second = new TestDaemon().set(SluiceConfig.INGRESS_CHANNEL, first.config().ingressChannel()))
        {
            final ConfigurationException ex = assertThrows(ConfigurationException.class, second::start);
            assertEquals(SluiceConfig.INGRESS_CHANNEL, ex.key());
            assertFalse(new File(second.driverDir).exists(), "failed daemon cleaned up its driver directory");
        }
    }

    @Test
    @Timeout(60)
    void shouldAnswerStateFullForNewKeysAndKeepServingKnownKeysOverTheWire() throws Exception
    {
        try (TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.PROCESSOR_COUNT, "1")
            .set(SluiceConfig.STATE_CAPACITY, "4")
            .start();
            SluiceClient client = daemon.client())
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            final RecordingHandler handler = new RecordingHandler();
            SluiceSystemTest.sendAll(client, handler, new long[]{1, 2, 3, 4, 5, 1}, new double[]{1, 1, 1, 1, 1, 1});
            assertEquals(5, handler.results.size());
            assertEquals(1, handler.rejects.size());
            assertEquals(new RecordingHandler.Reject(client.clientId(), 5, 5, RejectReason.STATE_FULL), handler.rejects.get(0));
            assertEquals(2, handler.results.get(4).count());
            assertEquals(1, daemon.counter(SluiceCounters.STATE_FULL_TYPE_ID, "processor 0 state-full"));
            assertEquals(1, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected STATE_FULL"),
                "a processor's reject counts in its reason's counter too");
        }
    }

    @Test
    @Timeout(60)
    void shouldDeliverTheResultOfEveryAcceptedEventWhenStoppedWhileBusy() throws Exception
    {
        final TestDaemon daemon = new TestDaemon().set("aeron.term.buffer.length", "64k").start();
        final RecordingHandler handler = new RecordingHandler();
        try (SluiceClient client = SluiceClient.connect(
            SluiceMain.clientContextFor(daemon.config()).embeddedDriver(true)))
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            final int events = 3_000;
            for (int i = 0; i < events; i++)
            {
                while (client.offerEvent(i % 10, 1_700_000_000_000_000_000L + i, 1.0) < 0)
                {
                    client.poll(handler, 100);
                }
            }
            final long accepted = events + client.probesSent();
            while (daemon.counter(io.sluice.server.counters.SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, "accepted") < accepted)
            {
                client.poll(handler, 100);
            }
            final Thread stopper = new Thread(daemon::close, "stopper");
            stopper.start();
            while (stopper.isAlive())
            {
                client.poll(handler, 100);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (handler.results.size() < events && System.nanoTime() < deadline)
            {
                client.poll(handler, 100);
            }
            assertEquals(events, handler.results.size(), "results published before shutdown reach the client");
        }
        finally
        {
            daemon.close();
        }
    }

    @Test
    @Timeout(60)
    void shouldGiveAeronSettingsToItsDriverWithoutLeavingThemInSystemProperties() throws Exception
    {
        assertEquals(null, System.getProperty("aeron.term.buffer.length"), "clean before");
        try (TestDaemon daemon = new TestDaemon().set("aeron.term.buffer.length", "128k").start();
            SluiceClient client = daemon.client())
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            assertEquals(null, System.getProperty("aeron.term.buffer.length"), "not left set while running");
            assertEquals(128 * 1024, client.subscription().imageAtIndex(0).termBufferLength(),
                "the driver used the setting for the egress");
        }
        assertEquals(null, System.getProperty("aeron.term.buffer.length"), "not left set after the stop");
    }

    @Test
    @Timeout(60)
    void shouldKeyEveryPerShardCounterByItsShardAndEveryRejectCounterByItsReason()
    {
        try (TestDaemon daemon = new TestDaemon().set(SluiceConfig.PROCESSOR_COUNT, "3").start())
        {
            final java.util.Map<Integer, java.util.Set<Integer>> keysByType = new java.util.TreeMap<>();
            daemon.daemon.aeron().countersReader().forEach((id, type, key, label) ->
            {
                if (type >= SluiceCounters.TYPE_ID_BASE && type != SluiceCounters.EGRESS_RECEIVER_POSITION_TYPE_ID)
                {
                    keysByType.computeIfAbsent(type, (t) -> new java.util.TreeSet<>()).add(key.getInt(0));
                }
            });
            final java.util.Set<Integer> shards = java.util.Set.of(0, 1, 2);
            for (final int type : new int[]{SluiceCounters.PROCESSED_TYPE_ID, SluiceCounters.STATE_FULL_TYPE_ID,
                SluiceCounters.LIVE_KEYS_TYPE_ID, SluiceCounters.LATE_TYPE_ID, SluiceCounters.WINDOWS_CLOSED_TYPE_ID,
                SluiceCounters.EVICTIONS_TYPE_ID, SluiceCounters.ALERTS_FIRED_TYPE_ID,
                SluiceCounters.EGRESS_BACK_PRESSURE_TYPE_ID, SluiceCounters.EGRESS_NOT_CONNECTED_TYPE_ID,
                SluiceCounters.EGRESS_DROPPED_TYPE_ID})
            {
                assertEquals(shards, keysByType.get(type), "type " + type);
            }
            assertEquals(java.util.Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18),
                keysByType.get(SluiceCounters.REJECTED_TYPE_ID), "one rejected counter per reason, 15-18 included");
            assertEquals(java.util.Set.of(SluiceCounters.NO_KEY),
                keysByType.get(SluiceCounters.INGRESS_RECEIVED_TYPE_ID));
            assertEquals(java.util.Set.of(SluiceCounters.NO_KEY, 0, 1, 2),
                keysByType.get(SluiceCounters.AGENT_STALLS_TYPE_ID), "the daemon's thread, and one per processor");
        }
    }

    @Test
    @Timeout(60)
    void shouldDrainAndDeleteItsDriverDirectoryOnClose() throws Exception
    {
        final TestDaemon daemon = new TestDaemon().start();
        final RecordingHandler handler = new RecordingHandler();
        try (SluiceClient client = daemon.client())
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            SluiceSystemTest.sendAll(client, handler, new long[]{9, 9, 9}, new double[]{1, 2, 3});
        }
        daemon.close();
        assertEquals(3, handler.results.size());
        assertFalse(new File(daemon.driverDir).exists());
        assertTrue(daemon.log().contains("sluice: stopped"));
        assertTrue(daemon.log().contains("loopback only"), daemon.log());
    }
}
