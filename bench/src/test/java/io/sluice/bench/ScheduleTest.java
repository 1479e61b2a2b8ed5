package io.sluice.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScheduleTest
{
    @Test
    void shouldSpaceEventsEvenlyAtTheRate()
    {
        final Schedule schedule = new Schedule(1_000, 1_000, 1);
        assertEquals(1_000, schedule.intendedNs(0));
        assertEquals(1_000 + 1_000_000, schedule.intendedNs(1));
        assertEquals(1_000 + 999_000_000, schedule.intendedNs(999));
        assertEquals(1_000, schedule.eventsIn(1_000_000_000));
    }

    @Test
    void shouldSendBurstsBackToBackAtTheSameIntendedTime()
    {
        final Schedule schedule = new Schedule(0, 100_000, 4);
        assertEquals(0, schedule.intendedNs(0));
        assertEquals(0, schedule.intendedNs(3));
        assertEquals(40_000, schedule.intendedNs(4));
        assertEquals(40_000, schedule.intendedNs(7));
        assertEquals(80_000, schedule.intendedNs(8));
        assertEquals(100_000, schedule.eventsIn(1_000_000_000));
    }

    @Test
    void shouldNotDependOnWhenEarlierEventsWereSent()
    {
        final Schedule schedule = new Schedule(500, 10_000, 1);
        final long late = schedule.intendedNs(10);
        schedule.intendedNs(11);
        assertEquals(late, schedule.intendedNs(10));
        assertEquals(500 + 10 * 100_000, late);
    }

    @Test
    void shouldRefuseZeroRateOrBurst()
    {
        assertThrows(IllegalArgumentException.class, () -> new Schedule(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Schedule(0, 10, 0));
    }
}
