package io.sluice.core.ring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatermarkTrackerTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldTickBeforeAnEventThatMovesTheWatermarkIntoANewPane()
    {
        final WatermarkTracker tracker = new WatermarkTracker(100 * MS, 30 * MS, 10 * MS, 0);
        assertTrue(tracker.needsTickBefore(1_000 * MS));
        tracker.onEvent(1_000 * MS, 0);
        assertEquals(970 * MS, tracker.watermark());
        tracker.ticked(0);
        assertFalse(tracker.needsTickBefore(1_020 * MS), "970 -> 990 stays in pane 9");
        tracker.onEvent(1_020 * MS, 1);
        assertTrue(tracker.needsTickBefore(1_031 * MS), "990 -> 1001 enters pane 10");
        assertFalse(tracker.needsTickBefore(900 * MS), "an older event never moves the watermark");
    }

    @Test
    void shouldTickOnTheIntervalOnlyWhenTheWatermarkChanged()
    {
        final WatermarkTracker tracker = new WatermarkTracker(100 * MS, 0, 10 * MS, 0);
        tracker.onEvent(1_000 * MS, 0);
        tracker.ticked(0);
        tracker.onEvent(1_005 * MS, 1 * MS);
        assertFalse(tracker.tickDue(5 * MS), "interval not elapsed");
        assertTrue(tracker.tickDue(10 * MS));
        tracker.ticked(10 * MS);
        assertFalse(tracker.tickDue(50 * MS), "nothing changed");
    }

    @Test
    void shouldAdvanceTheWatermarkWithTheClockOnceTheStreamIsQuiet()
    {
        final WatermarkTracker tracker = new WatermarkTracker(100 * MS, 0, MS, 200 * MS);
        tracker.onEvent(1_050 * MS, 0);
        tracker.ticked(0);
        assertFalse(tracker.tickDue(150 * MS));
        assertEquals(1_050 * MS, tracker.watermark());
        assertTrue(tracker.tickDue(260 * MS));
        assertEquals(1_110 * MS, tracker.watermark(), "quiet for 260 ms, 60 ms past the idle advance");
        tracker.ticked(260 * MS);
        tracker.onEvent(1_060 * MS, 300 * MS);
        assertEquals(1_110 * MS, tracker.watermark(), "never goes back");
    }
}
