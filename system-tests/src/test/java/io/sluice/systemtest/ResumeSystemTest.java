package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.sluice.config.DriverThreading;
import io.sluice.core.RejectReason;
import io.sluice.client.SluiceClient;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client with a fixed id resumes: against a daemon that has all its events (nothing resent; a raw resend of an
 * applied event is answered {@code DUPLICATE} and not applied), and against a new daemon on the same ports after a
 * stop without a journal (the new daemon has no mark, so every buffered event is resent with its original id and
 * applied to fresh state). The client runs its own media driver, so it outlives the daemon's.
 */
class ResumeSystemTest
{
    private static final long CLIENT = 0x5eed_c11e_47L;
    private static final long KEY = 7;
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final int EVENTS = 200;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @Test
    @Timeout(120)
    void shouldResendNothingToADaemonThatHasEveryEventAndEveryBufferedEventToARestartedOne() throws Exception
    {
        try (TestDaemon daemon = new TestDaemon().start();
            SluiceClient client = SluiceClient.connect(SluiceMain.clientContextFor(daemon.config())
                .embeddedDriver(true)
                .driverThreading(DriverThreading.INVOKER)
                .clientId(CLIENT)
                .egressImages(daemon.config().processorCount())))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
            final RecordingHandler handler = new RecordingHandler();
            for (int i = 1; i <= EVENTS; i++)
            {
                while (client.offerEvent(KEY, T0 + i, i) < 0)
                {
                    client.poll(handler, 16);
                }
            }
            pollUntil(client, handler, () -> handler.results.size() >= EVENTS);
            assertEventResults(handler);

            assertEquals(0, client.resume(handler, TIMEOUT_NS));
            assertEquals(new RecordingHandler.Resumed(CLIENT, EVENTS + 1, EVENTS), handler.resumed.get(0));
            assertEquals(EVENTS, client.resendBufferSize(), "events leave the buffer only by eviction");

            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(daemon.driverDir));
                ExclusivePublication raw = aeron.addExclusivePublication(
                    daemon.config().ingressChannel(), daemon.config().ingressStreamId()))
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
                new EventEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                    .clientId(CLIENT)
                    .correlationId(150)
                    .key(KEY)
                    .timestamp(T0 + 150)
                    .value(1000);
                final long deadline = System.nanoTime() + TIMEOUT_NS;
                while (raw.offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH) < 0 &&
                    System.nanoTime() < deadline)
                {
                    client.poll(handler, 16);
                }
                pollUntil(client, handler, () -> !handler.rejects.isEmpty());
            }
            assertEquals(List.of(new RecordingHandler.Reject(CLIENT, 150, KEY, RejectReason.DUPLICATE)), handler.rejects);
            assertEquals(1, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected DUPLICATE"));
            assertEquals(EVENTS, handler.results.size(), "the duplicate was not applied");

            daemon.restart();

            final RecordingHandler afterRestart = new RecordingHandler();
            assertEquals(EVENTS, client.resume(afterRestart, TIMEOUT_NS), daemon.log());
            assertEquals(new RecordingHandler.Resumed(CLIENT, EVENTS + 2, Long.MIN_VALUE),
                afterRestart.resumed.get(0), "the new daemon (journal off) has no mark for the client");
            pollUntil(client, afterRestart, () -> afterRestart.results.size() >= EVENTS);
            assertEquals(EVENTS, afterRestart.results.size());
            for (int i = 0; i < EVENTS; i++)
            {
                final RecordingHandler.Result result = afterRestart.results.get(i);
                assertEquals(i + 1, result.correlationId(), "resent with its original correlation id");
                assertEquals(i + 1, result.count(), "applied to the new daemon's empty state");
                assertEquals(i + 1, result.last());
            }
            assertEquals(List.of(), afterRestart.rejects);
            assertEquals(0, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected DUPLICATE"));

            long next;
            while ((next = client.offerEvent(KEY, T0 + EVENTS + 1, 0.5)) < 0)
            {
                client.poll(afterRestart, 16);
            }
            assertEquals(EVENTS + 3, next, "after the events, the first Resume and the second");
            pollUntil(client, afterRestart, () -> afterRestart.results.size() > EVENTS);
            assertEquals(EVENTS + 1, afterRestart.results.get(EVENTS).count());
        }
    }

    private static void assertEventResults(final RecordingHandler handler)
    {
        assertEquals(EVENTS, handler.results.size());
        for (int i = 0; i < EVENTS; i++)
        {
            final RecordingHandler.Result result = handler.results.get(i);
            assertEquals(i + 1, result.correlationId());
            assertEquals(i + 1, result.count());
        }
        assertEquals(List.of(), handler.rejects);
    }

    private static void pollUntil(final SluiceClient client, final RecordingHandler handler, final BooleanSupplier done)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!done.getAsBoolean() && System.nanoTime() < deadline)
        {
            if (0 == client.poll(handler, 16))
            {
                Thread.yield();
            }
        }
    }
}
