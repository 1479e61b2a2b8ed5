package io.sluice.tools.stat;

import io.sluice.core.RejectReason;
import io.sluice.server.counters.SluiceCounters;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatWatchTest
{
    private static final String NL = System.lineSeparator();

    @Test
    void shouldShowRatesOverTheLastIntervalAboveTheCounters()
    {
        final TestCounters counters = new TestCounters();
        final int received = counters.add(SluiceCounters.INGRESS_RECEIVED_TYPE_ID, -1, "sluice ingress received", 1_000);
        final int accepted = counters.add(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, -1, "sluice ingress accepted", 1_000);
        final int invalid = counters.add(SluiceCounters.REJECTED_TYPE_ID, RejectReason.INVALID_VALUE,
            "sluice rejected INVALID_VALUE", 0);
        final int processed = counters.add(SluiceCounters.PROCESSED_TYPE_ID, 0, "sluice processor 0 processed", 1_000);
        final StatReading first = counters.read(Instant.parse("2026-05-01T10:00:00Z"), 5_000_000_000L);
        counters.set(received, 3_000);
        counters.set(accepted, 2_996);
        counters.set(invalid, 4);
        counters.set(processed, 3_000);
        final StatReading second = counters.read(Instant.parse("2026-05-01T10:00:02Z"), 7_000_000_000L);
        final long intervalNs = TimeUnit.SECONDS.toNanos(2);

        assertEquals(
            "sluice stat --watch: /tmp/d at 2026-05-01T10:00:00Z, every 2 s (Ctrl-C ends)" + NL + NL +
            "rates from the next reading, in 2 s" + NL + NL +
            "id    type                  value  label" + NL +
            "0     1001                  1,000  sluice ingress received" + NL +
            "1     1002                  1,000  sluice ingress accepted" + NL +
            "2     1003                      0  sluice rejected INVALID_VALUE" + NL +
            "3     1005                  1,000  sluice processor 0 processed" + NL,
            StatWatch.frame("/tmp/d", intervalNs, null, first));
        assertEquals(
            "sluice stat --watch: /tmp/d at 2026-05-01T10:00:02Z, every 2 s (Ctrl-C ends)" + NL + NL +
            "rates over the last 2.00 s           per second         change" + NL +
            "  received                              1,000.0          2,000" + NL +
            "  accepted                                998.0          1,996" + NL +
            "  rejected                                  2.0              4" + NL +
            "  rejected INVALID_VALUE                    2.0              4" + NL +
            "  processed                             1,000.0          2,000" + NL +
            "  windows closed                            0.0              0" + NL +
            "  alerts fired                              0.0              0" + NL +
            "  ingress ring-full                         0.0              0" + NL +
            "  egress back-pressure                      0.0              0" + NL +
            "  egress not-connected                      0.0              0" + NL +
            "  egress dropped                            0.0              0" + NL + NL +
            "id    type                  value  label" + NL +
            "0     1001                  3,000  sluice ingress received" + NL +
            "1     1002                  2,996  sluice ingress accepted" + NL +
            "2     1003                      4  sluice rejected INVALID_VALUE" + NL +
            "3     1005                  3,000  sluice processor 0 processed" + NL,
            StatWatch.frame("/tmp/d", intervalNs, first, second));
    }

    @Test
    void shouldWriteSecondsWithoutTrailingZeros()
    {
        assertEquals("1", StatWatch.seconds(1_000_000_000L));
        assertEquals("0.5", StatWatch.seconds(500_000_000L));
        assertEquals("2.25", StatWatch.seconds(2_250_000_000L));
        assertEquals("3600", StatWatch.seconds(3_600_000_000_000L));
    }

    @Test
    void shouldEndWithOneSayingSoWhenNoDriverRuns()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final String dir = System.getProperty("java.io.tmpdir") + "/sluice-no-driver-" + System.nanoTime();
        assertEquals(1, StatWatch.run(dir, TimeUnit.SECONDS.toNanos(3), TimeUnit.SECONDS.toNanos(1),
            new PrintStream(out, true), new PrintStream(err, true), () -> false));
        assertEquals(0, out.size());
        assertEquals(SluiceStat.noDriverMessage(dir) + NL, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldEndWithZeroWhenStopped()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final String dir = System.getProperty("java.io.tmpdir") + "/sluice-no-driver-" + System.nanoTime();
        assertEquals(0, StatWatch.run(dir, TimeUnit.SECONDS.toNanos(3), TimeUnit.SECONDS.toNanos(1),
            new PrintStream(out, true), new PrintStream(out, true), () -> true));
        assertEquals(0, out.size());
    }
}
