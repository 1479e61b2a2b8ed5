package io.sluice.tools;

import io.sluice.tools.demo.DemoProducer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProducerOptionsTest
{
    @Test
    void shouldWarmUpThreeSecondsOrHalfAShorterRun()
    {
        assertEquals(3, DemoProducer.defaultWarmupSeconds(10));
        assertEquals(3, DemoProducer.defaultWarmupSeconds(6));
        assertEquals(2, DemoProducer.defaultWarmupSeconds(5));
        assertEquals(1, DemoProducer.defaultWarmupSeconds(2));
        assertEquals(0, DemoProducer.defaultWarmupSeconds(1));
    }

    @Test
    void shouldRefuseAWarmUpThatLeavesNoSteadyStateWithExitCodeTwo()
    {
        assertEquals(2, SluiceMain.run(new String[]{"producer", "--seconds", "10", "--warmup-seconds", "10"}));
        assertEquals(2, SluiceMain.run(new String[]{"producer", "--seconds", "10", "--warmup-seconds", "-1"}));
        assertEquals(2, SluiceMain.run(new String[]{"producer", "--seconds", "10", "--warmup-seconds", "soon"}));
        assertEquals(2, SluiceMain.run(new String[]{"producer", "--seconds", "1", "--warmup-seconds", "1"}));
    }
}
