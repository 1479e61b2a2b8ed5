package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.RandomLossGenerator;
import io.sluice.client.SluiceClient;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A daemon stopped while a producer offers flat out answers every event it accepted, each exactly once, even when
 * the client's receiver loses frames (as a full socket buffer does under load) and needs them retransmitted after
 * the daemon has sent everything. The client's media driver drops 20 % of the data frames it receives, so the
 * last frames before a stop are often among them.
 * <p>
 * {@code -Dsluice.test.stop.iterations=N} runs it N times (default 20).
 */
class GracefulStopSystemTest
{
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final double LOSS_RATE = 0.2;
    private static final Pattern STOPPED = Pattern.compile("sluice: stopped after accepting (\\d+) input");

    @Test
    @Timeout(600)
    void shouldAnswerEveryAcceptedEventWhenStoppedUnderFlatOutLoad() throws Exception
    {
        final int iterations = Integer.getInteger("sluice.test.stop.iterations", 20);
        for (int i = 0; i < iterations; i++)
        {
            stopUnderLoadOnce(i);
        }
    }

    private static void stopUnderLoadOnce(final int iteration) throws Exception
    {
        final String clientDir = new File(
            System.getProperty("java.io.tmpdir"), "sluice-lossy-client-" + System.nanoTime()).getAbsolutePath();
        final MediaDriver clientDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(clientDir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 100_000))
            .receiveChannelEndpointSupplier((channel, dispatcher, status, context) -> new DebugReceiveChannelEndpoint(
                channel, dispatcher, status, context, new RandomLossGenerator(LOSS_RATE, iteration),
                new RandomLossGenerator(0, iteration))));
        final TestDaemon daemon = new TestDaemon().set("aeron.term.buffer.length", "64k");
        try
        {
            daemon.start();
            final RecordingHandler handler = new RecordingHandler();
            final BitSet answered = new BitSet();
            try (SluiceClient client = SluiceClient.connect(
                SluiceMain.clientContextFor(daemon.config()).aeronDirectoryName(clientDir)))
            {
                assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(10)), "connected");
                final Thread stopper = new Thread(daemon::close, "stopper");
                final long stopAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100 + 10 * (iteration % 10));
                long offered = 0;
                while (stopper.getState() != Thread.State.TERMINATED)
                {
                    if (stopper.getState() == Thread.State.NEW && System.nanoTime() - stopAt >= 0)
                    {
                        stopper.start();
                    }
                    if (client.offerEvent(offered % 64, T0 + offered, 1.0) > 0)
                    {
                        offered++;
                    }
                    drain(client, handler, answered);
                }

                System.out.printf("iteration %d: stop took %d ms%n", iteration, (System.nanoTime() - stopAt) / 1_000_000);
                final Matcher stopped = STOPPED.matcher(daemon.log());
                assertTrue(stopped.find(), daemon.log());
                final long acceptedEvents = Long.parseLong(stopped.group(1)) - client.probesSent();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (answered.cardinality() < acceptedEvents && System.nanoTime() < deadline)
                {
                    drain(client, handler, answered);
                }
                assertTrue(acceptedEvents > 0, "the producer was running when the daemon stopped");
                assertEquals(acceptedEvents, handler.results.size(), "iteration " + iteration + ": every accepted " +
                    "event answered exactly once (offered " + offered + ")\n" + daemon.log());
                assertEquals(acceptedEvents, answered.cardinality());
                assertEquals(acceptedEvents, answered.nextClearBit(1) - 1, "answers are events 1.." + acceptedEvents);
            }
        }
        finally
        {
            daemon.close();
            CloseHelper.quietClose(clientDriver);
            IoUtil.delete(new File(clientDir), true);
        }
    }

    private static void drain(final SluiceClient client, final RecordingHandler handler, final BitSet answered)
    {
        final int before = handler.results.size();
        client.poll(handler, 256);
        for (int i = before; i < handler.results.size(); i++)
        {
            answered.set((int)handler.results.get(i).correlationId());
        }
    }
}
