package io.sluice.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateSearchTest
{
    private static void pass(final RateSearch search, final long expectedRate)
    {
        assertEquals(expectedRate, search.rate());
        assertFalse(search.retrying());
        search.record(true);
    }

    private static void failTwice(final RateSearch search, final long expectedRate)
    {
        assertEquals(expectedRate, search.rate());
        assertFalse(search.retrying());
        search.record(false);
        assertEquals(expectedRate, search.rate());
        assertTrue(search.retrying());
        search.record(false);
    }

    @Test
    void shouldGrowUntilAFailThenBisectToThePrecision()
    {
        final RateSearch search = new RateSearch(100_000, 1.25, 0.05, 1_000, 100_000_000);
        pass(search, 100_000);
        pass(search, 125_000);
        pass(search, 156_000);
        failTwice(search, 195_000);
        pass(search, 174_000);
        failTwice(search, 184_000);
        pass(search, 179_000);
        assertEquals(0, search.rate());
        assertEquals(179_000, search.lastPass());
        assertEquals(184_000, search.firstFail());
    }

    @Test
    void shouldCountAFailThatPassesOnRetryAsAPass()
    {
        final RateSearch search = new RateSearch(1_000_000, 2, 0.05, 1_000, 100_000_000);
        search.record(false);
        assertTrue(search.retrying());
        assertEquals(1_000_000, search.rate());
        search.record(true);
        assertEquals(1_000_000, search.lastPass());
        assertEquals(0, search.firstFail());
        pass(search, 2_000_000);
    }

    @Test
    void shouldStepDownWhenTheStartRateFails()
    {
        final RateSearch search = new RateSearch(100_000, 1.25, 0.05, 1_000, 100_000_000);
        failTwice(search, 100_000);
        failTwice(search, 80_000);
        pass(search, 64_000);
        pass(search, 71_600);
        failTwice(search, 75_700);
        assertEquals(73_600, search.rate());
        assertEquals(71_600, search.lastPass());
        assertEquals(75_700, search.firstFail());
    }

    @Test
    void shouldStopAtTheFloorAndTheCeiling()
    {
        final RateSearch down = new RateSearch(2_000, 2, 0.05, 1_000, 10_000);
        failTwice(down, 2_000);
        failTwice(down, 1_000);
        assertEquals(0, down.rate());
        assertEquals(0, down.lastPass());
        assertEquals(1_000, down.firstFail());

        final RateSearch up = new RateSearch(1_000, 2, 0.05, 1_000, 3_000);
        pass(up, 1_000);
        pass(up, 2_000);
        pass(up, 3_000);
        assertEquals(0, up.rate());
        assertEquals(3_000, up.lastPass());
        assertThrows(IllegalStateException.class, () -> up.record(true));
    }

    @Test
    void shouldRoundRatesToThreeSignificantDigits()
    {
        assertEquals(1_230_000, RateSearch.round(1_234_567));
        assertEquals(78_100, RateSearch.round(78_125));
        assertEquals(62_500, RateSearch.round(62_500));
        assertEquals(100_000, RateSearch.round(99_950));
        assertEquals(1_000, RateSearch.round(999.6));
        assertEquals(999, RateSearch.round(999.4));
        assertEquals(1, RateSearch.round(0.3));
    }

    @Test
    void shouldRefuseAGrowthOfOneOrLess()
    {
        assertThrows(IllegalArgumentException.class, () -> new RateSearch(1_000, 1, 0.05, 1, 10_000));
        assertThrows(IllegalArgumentException.class, () -> new RateSearch(0, 2, 0.05, 1, 10_000));
    }
}
