package io.sluice.systemtest;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnreachableClientSystemTest
{
    @Test
    @Timeout(60)
    void shouldKeepServingOtherClientsAfterOneClientsEgressBecomesUnreachable() throws Exception
    {
        final int egressPort = TestDaemon.freeUdpPort();
        try (TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.EGRESS_CHANNEL,
                "aeron:udp?control=localhost:" + egressPort + "|control-mode=dynamic|fc=min,t:500ms")
            .set("aeron.term.buffer.length", "64k")
            .start())
        {
            // A subscriber with its own media driver joins the egress, then its driver dies without leaving:
            // its receiver stops answering, like a crashed or partitioned process.
            final String deadDir = daemon.driverDir + "-dead-client";
            final MediaDriver deadDriver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(deadDir)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            final Aeron deadAeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(deadDir)
                .errorHandler((ex) -> {}));
            final Subscription deadSubscription = deadAeron.addSubscription(
                "aeron:udp?endpoint=localhost:0|control=localhost:" + egressPort + "|control-mode=dynamic",
                daemon.config().egressStreamId());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (deadSubscription.imageCount() < daemon.config().processorCount() && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            assertEquals(daemon.config().processorCount(), deadSubscription.imageCount());
            deadDriver.close();

            try (SluiceClient alive = daemon.client())
            {
                assertTrue(alive.awaitConnected(TimeUnit.SECONDS.toNanos(10)));
                final RecordingHandler handler = new RecordingHandler();
                final int events = 5_000;
                final long[] keys = new long[events];
                final double[] values = new double[events];
                for (int i = 0; i < events; i++)
                {
                    keys[i] = i % 50;
                    values[i] = 1;
                }
                SluiceSystemTest.sendAll(alive, handler, keys, values);
                assertEquals(events, handler.results.size(), "every result reached the live client");
                assertEquals(events / 50, handler.results.get(events - 1).count());
                assertEquals(0, daemon.counter(SluiceCounters.EGRESS_DROPPED_TYPE_ID, "0 dropped") +
                    daemon.counter(SluiceCounters.EGRESS_DROPPED_TYPE_ID, "1 dropped"));
            }
            finally
            {
                CloseHelper.quietClose(deadAeron);
                IoUtil.delete(new java.io.File(deadDir), true);
            }
        }
    }
}
