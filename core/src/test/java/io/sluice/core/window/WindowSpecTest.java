package io.sluice.core.window;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowSpecTest
{
    private static final long MS = 1_000_000L;
    private static final long DAY = 86_400_000L * MS;

    @Test
    void shouldKeepEveryPaneThatCanStillBelongToAnOpenWindow()
    {
        assertEquals(1003, WindowSpec.of(1_000 * MS, MS, 0).panesPerKey());
        assertEquals(4096, WindowSpec.of(4093 * MS, MS, 0).panesPerKey(), "the largest allowed");
        assertEquals(6, WindowSpec.of(100 * MS, 100 * MS, 150 * MS).panesPerKey());
    }

    @Test
    void shouldRefusePaneCountsThatDoNotFitInsteadOfWrappingAround()
    {
        final IllegalArgumentException tooMany = assertThrows(
            IllegalArgumentException.class, () -> WindowSpec.of(366 * DAY, 1_000, 0));
        assertTrue(tooMany.getMessage().contains("need 31622400000003 panes per key, more than 4096"),
            tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.of(4094 * MS, MS, 0), "one pane too many");
        assertThrows(IllegalArgumentException.class,
            () -> WindowSpec.of(Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE / 2), "overflow");
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.of(100 * MS, 30 * MS, 0), "slide divides");
    }
}
