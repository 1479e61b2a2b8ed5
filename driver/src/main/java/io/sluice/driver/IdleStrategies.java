package io.sluice.driver;

import io.sluice.config.IdleStrategyType;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Maps configured idle strategy types to Agrona's.
 */
public final class IdleStrategies
{
    private IdleStrategies()
    {
    }

    /**
     * @param type configured type.
     * @return a new idle strategy (they hold state: one per thread).
     */
    public static IdleStrategy create(final IdleStrategyType type)
    {
        switch (type)
        {
            case BUSY_SPIN:
                return new BusySpinIdleStrategy();
            case YIELDING:
                return new YieldingIdleStrategy();
            case SLEEPING:
                return new SleepingIdleStrategy(TimeUnit.MICROSECONDS.toNanos(50));
            case NOOP:
                return new NoOpIdleStrategy();
            case BACKOFF:
            default:
                return new BackoffIdleStrategy(64, 64, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        }
    }
}
