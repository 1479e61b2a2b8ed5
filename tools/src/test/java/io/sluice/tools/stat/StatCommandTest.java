package io.sluice.tools.stat;

import io.sluice.config.ConfigurationException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StatCommandTest
{
    private static final String ALLOWED =
        " must be a number of seconds from 0.1 to 3600 with at most three decimals (default 1)";

    @Test
    void shouldPrintTheTableWithoutOptions()
    {
        assertEquals(new StatCommand.Options(false, 0), StatCommand.parse(new String[]{"stat"}));
        assertEquals(new StatCommand.Options(false, 0),
            StatCommand.parse(new String[]{"stat", "--config", "config/small-host.properties"}));
    }

    @Test
    void shouldTakeJson()
    {
        assertEquals(new StatCommand.Options(true, 0),
            StatCommand.parse(new String[]{"stat", "--config", "x.properties", "--json"}));
    }

    @Test
    void shouldWatchEverySecondByDefaultOrEveryGivenSeconds()
    {
        assertEquals(new StatCommand.Options(false, 1_000_000_000L), StatCommand.parse(new String[]{"stat", "--watch"}));
        assertEquals(new StatCommand.Options(false, 1_000_000_000L),
            StatCommand.parse(new String[]{"stat", "--watch", "--config", "x.properties"}));
        assertEquals(new StatCommand.Options(false, 5_000_000_000L),
            StatCommand.parse(new String[]{"stat", "--config", "x.properties", "--watch", "5"}));
        assertEquals(2_500_000_000L, StatCommand.parse(new String[]{"stat", "--watch", "2.5"}).watchIntervalNs());
        assertEquals(100_000_000L, StatCommand.parse(new String[]{"stat", "--watch", "0.1"}).watchIntervalNs());
        assertEquals(250_000_000L, StatCommand.parse(new String[]{"stat", "--watch", "0.25"}).watchIntervalNs());
        assertEquals(3_600_000_000_000L, StatCommand.parse(new String[]{"stat", "--watch", "3600"}).watchIntervalNs());
    }

    @Test
    void shouldRefuseWatchSecondsOutOfRangeOrNotANumberNamingTheOptionAndTheValue()
    {
        for (final String bad : new String[]{"0", "0.05", "0.099", "3600.001", "3601", "-1", "abc", "1e2", "NaN",
            "1.2345", "1,5", ".5", "5."})
        {
            assertEquals("--watch=" + bad + ALLOWED, assertThrows(ConfigurationException.class,
                () -> StatCommand.parse(new String[]{"stat", "--watch", bad}), bad).getMessage());
        }
    }

    @Test
    void shouldRefuseJsonWithWatch()
    {
        assertEquals("--watch=2 cannot be combined with --json: --json prints one reading",
            assertThrows(ConfigurationException.class,
                () -> StatCommand.parse(new String[]{"stat", "--json", "--watch", "2"})).getMessage());
        assertEquals("--watch=1 cannot be combined with --json: --json prints one reading",
            assertThrows(ConfigurationException.class,
                () -> StatCommand.parse(new String[]{"stat", "--watch", "--json"})).getMessage());
    }
}
