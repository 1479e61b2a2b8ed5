package io.sluice.server.daemon;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DaemonErrorHandlerTest
{
    private static final int THREADS = 4;
    private static final int ERRORS_PER_THREAD = 50_000;

    @Test
    @Timeout(60)
    void shouldCountEveryErrorFromManyThreadsAndRecordEachDistinctErrorWithItsCount() throws Exception
    {
        final UnsafeBuffer logBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
        final DistinctErrorLog log = new DistinctErrorLog(logBuffer, SystemEpochClock.INSTANCE, StandardCharsets.US_ASCII);
        final CountersManager countersManager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)));
        final AtomicCounter errors = countersManager.newCounter("sluice errors");
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final DaemonErrorHandler handler = new DaemonErrorHandler(new PrintStream(printed, true));
        handler.errorLog(log);
        handler.errorCounter(errors);
        handler.startPrinting();

        final IllegalStateException first = new IllegalStateException("first kind");
        final IllegalArgumentException second = new IllegalArgumentException("second kind");
        final CyclicBarrier go = new CyclicBarrier(THREADS);
        final Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++)
        {
            final int id = t;
            threads[t] = new Thread(() ->
            {
                try
                {
                    go.await();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
                for (int i = 0; i < ERRORS_PER_THREAD; i++)
                {
                    handler.onError(0 == (i + id) % 2 ? first : second);
                }
            });
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }

        assertEquals((long)THREADS * ERRORS_PER_THREAD, errors.get(), "no count lost");
        final Map<String, Integer> observations = new TreeMap<>();
        final int distinct = ErrorLogReader.read(logBuffer, (count, firstMs, lastMs, encoded) ->
            observations.put(encoded.substring(0, encoded.indexOf(':')), count));
        assertEquals(2, distinct);
        assertEquals(Map.of(
            "java.lang.IllegalArgumentException", THREADS * ERRORS_PER_THREAD / 2,
            "java.lang.IllegalStateException", THREADS * ERRORS_PER_THREAD / 2), observations);
        final String out = printed.toString(StandardCharsets.US_ASCII);
        assertEquals(1, out.split("sluice: error: java.lang.IllegalStateException: first kind", -1).length - 1, out);
        assertTrue(out.contains("sluice: error: java.lang.IllegalArgumentException: second kind"), out);
    }
}
