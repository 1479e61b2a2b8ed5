package io.sluice.server.daemon;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DutyCycleAgentTest
{
    private long nowNs;
    private int work;

    @Test
    void shouldKeepTheLongestCycleAndCountCyclesOverTheThresholdAsStalls() throws Exception
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 1024)));
        final AtomicCounter maxCycle = counters.newCounter("max cycle");
        final AtomicCounter stalls = counters.newCounter("stalls");
        final Agent inner = new Agent()
        {
            public int doWork()
            {
                return ++work;
            }

            public String roleName()
            {
                return "inner";
            }
        };
        final DutyCycleAgent agent = new DutyCycleAgent(inner, () -> nowNs, 1_000_000, maxCycle, stalls);

        nowNs = 10_000;
        agent.onStart();
        final long[] cyclesNs = {100_000, 5_000_000, 200_000, 1_000_000, 1_000_001, 3_000};
        for (final long cycleNs : cyclesNs)
        {
            nowNs += cycleNs;
            agent.doWork();
        }

        assertEquals(5_000_000, maxCycle.get());
        assertEquals(2, stalls.get(), "5 ms and 1 ms + 1 ns are over the 1 ms threshold; exactly 1 ms is not");
        assertEquals(6, work, "every cycle ran the thread's work");
        assertEquals("inner", agent.roleName());
    }
}
