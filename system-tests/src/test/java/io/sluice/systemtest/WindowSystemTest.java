package io.sluice.systemtest;

import io.sluice.config.SluiceConfig;
import io.sluice.core.RejectReason;
import io.sluice.client.SluiceClient;
import io.sluice.server.counters.SluiceCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowSystemTest
{
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;

    @Test
    @Timeout(60)
    void shouldSendExactlyTheScriptedWindowResultsAlertsAndLateRejection() throws Exception
    {
        try (TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.WINDOW_TYPE, "tumbling")
            .set(SluiceConfig.WINDOW_SIZE, "100ms")
            .set(SluiceConfig.WINDOW_IDLE_ADVANCE, "300ms")
            .set(SluiceConfig.TICK_INTERVAL, "1ms")
            .set("sluice.alert.hot.on", "window")
            .set("sluice.alert.hot.field", "max")
            .set("sluice.alert.hot.op", ">")
            .set("sluice.alert.hot.threshold", "10")
            .set("sluice.alert.spike.on", "event")
            .set("sluice.alert.spike.field", "value")
            .set("sluice.alert.spike.op", ">=")
            .set("sluice.alert.spike.threshold", "50")
            .start();
            SluiceClient client = daemon.client())
        {
            assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
            final RecordingHandler handler = new RecordingHandler();
            final long[] keys = {1, 1, 2, 1, 2};
            final long[] times = {T0 + 10 * MS, T0 + 20 * MS, T0 + 30 * MS, T0 + 150 * MS, T0 + 40 * MS};
            final double[] values = {5, 12, 3, 60, 1};
            for (int i = 0; i < keys.length; i++)
            {
                while (client.offerEvent(keys[i], times[i], values[i]) < 0)
                {
                    client.poll(handler, 10);
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((handler.windows.size() < 3 || handler.alerts.size() < 3 || handler.total() < 5) &&
                System.nanoTime() < deadline)
            {
                if (0 == client.poll(handler, 10))
                {
                    Thread.sleep(1);
                }
            }
            while (client.offerQuery(1) < 0)
            {
                client.poll(handler, 10);
            }
            SluiceSystemTest.awaitTotal(client, handler, 6);

            handler.windows.sort(null);
            assertEquals(List.of(
                "1 [" + T0 + "," + (T0 + 100 * MS) + ") n=2 sum=17.0 min=5.0 max=12.0 first=5.0 last=12.0",
                "1 [" + (T0 + 100 * MS) + "," + (T0 + 200 * MS) + ") n=1 sum=60.0 min=60.0 max=60.0 first=60.0 last=60.0",
                "2 [" + T0 + "," + (T0 + 100 * MS) + ") n=1 sum=3.0 min=3.0 max=3.0 first=3.0 last=3.0"),
                handler.windows);
            handler.alerts.sort(null);
            assertEquals(List.of(
                "hot 0 key=1 window=" + T0 + " MAX GT observed=12.0 threshold=10.0",
                "hot 0 key=1 window=" + (T0 + 100 * MS) + " MAX GT observed=60.0 threshold=10.0",
                "spike 1 key=1 window=0 VALUE GE observed=60.0 threshold=50.0"),
                handler.alerts);
            assertEquals(List.of(new RecordingHandler.Reject(client.clientId(), 5, 2, RejectReason.LATE)), handler.rejects);
            assertEquals(4, handler.results.size());
            handler.results.sort(java.util.Comparator.comparingLong(RecordingHandler.Result::correlationId));
            assertEquals(new RecordingHandler.Result(client.clientId(), 2, 1, 2, 17, 5, 12, 5, 12), handler.results.get(1));
            assertEquals(1, handler.queries.size());
            assertEquals(0, handler.queries.get(0).count(), "the key's newest window has closed: nothing open");
            assertArrayEquals(new long[]{T0 + 100 * MS, 1, 60}, handler.queryClosed.get(0));

            long late = 0;
            long windowsClosed = 0;
            long alertsFired = 0;
            for (int p = 0; p < 2; p++)
            {
                late += daemon.counter(SluiceCounters.LATE_TYPE_ID, "processor " + p + " late");
                windowsClosed += daemon.counter(SluiceCounters.WINDOWS_CLOSED_TYPE_ID, p + " windows-closed");
                alertsFired += daemon.counter(SluiceCounters.ALERTS_FIRED_TYPE_ID, p + " alerts-fired");
            }
            assertEquals(1, late);
            assertEquals(1, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected LATE"),
                "a processor's reject counts in its reason's counter too");
            assertEquals(3, windowsClosed);
            assertEquals(3, alertsFired);
        }
    }
}
