package io.sluice.tools.stat;

import org.agrona.concurrent.status.AtomicCounter;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A request handed to a running daemon through two counters in its CnC file, never the network: the tool puts its
 * request id into the request counter (when it is 0, i.e. no other request is pending), and the daemon answers by
 * setting the result counter to the id (done) or minus the id (refused). Used by {@code sluice rules apply},
 * {@code sluice auth reload} and each step of {@code sluice topology move}.
 */
public final class CounterRequest
{
    /**
     * How often the result counter is read while waiting: a tenth of a millisecond, so that the answer's wait adds
     * little to a step whose duration matters (a topology move's groups are not served until its acquire answers).
     */
    private static final long RESULT_POLL_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private CounterRequest()
    {
    }

    /**
     * @param driverDir       the daemon's media driver directory.
     * @param requestCounter  id of the request counter.
     * @param resultCounter   id of the result counter.
     * @param id              this request's id, not 0.
     * @param timeoutNs       how long to wait for the request counter to be free and for the result.
     * @param readAfter       ids of counters to read once the result is there.
     * @return the result ({@code id}, {@code -id}, or 0 when none came in time: then the request is withdrawn),
     * followed by the values of {@code readAfter} in order (0 when no result came).
     */
    public static long[] exchange(
        final String driverDir, final int requestCounter, final int resultCounter, final long id, final long timeoutNs,
        final int... readAfter)
    {
        final long[] outcome = new long[1 + readAfter.length];
        SluiceStat.read(driverDir, (reader) ->
        {
            final AtomicCounter request = new AtomicCounter(reader.valuesBuffer(), requestCounter);
            final long deadlineNs = System.nanoTime() + timeoutNs;
            while (!request.compareAndSet(0, id))
            {
                if (System.nanoTime() - deadlineNs >= 0)
                {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            while (System.nanoTime() - deadlineNs < 0)
            {
                final long result = reader.getCounterValue(resultCounter);
                if (id == result || -id == result)
                {
                    outcome[0] = result;
                    for (int i = 0; i < readAfter.length; i++)
                    {
                        outcome[1 + i] = reader.getCounterValue(readAfter[i]);
                    }
                    return;
                }
                LockSupport.parkNanos(RESULT_POLL_NS);
            }
            request.compareAndSet(id, 0);
        });
        return outcome;
    }
}
