package io.sluice.tools.stat;

import io.sluice.core.RejectReason;
import io.sluice.server.counters.SluiceCounters;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StatRatesTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void shouldGiveTheMovementPerSecondOfTheElapsedNanoseconds()
    {
        assertEquals(10_000.0, StatRates.perSecond(0, 10_000, SECOND_NS));
        assertEquals(10_000.0, StatRates.perSecond(100, 5_100, SECOND_NS / 2));
        assertEquals(2.0, StatRates.perSecond(7, 10, 3 * SECOND_NS / 2));
        assertEquals(1.0 / 3.0, StatRates.perSecond(0, 1, 3 * SECOND_NS));
        assertEquals(0.0, StatRates.perSecond(42, 42, 1));
        assertEquals(1_000_000_000.0, StatRates.perSecond(0, 1, 1));
    }

    @Test
    void shouldCountACounterThatWentDownFromZero()
    {
        assertEquals(300, StatRates.delta(1_000, 300));
        assertEquals(300.0, StatRates.perSecond(1_000, 300, SECOND_NS));
        assertEquals(700, StatRates.delta(300, 1_000));
    }

    @Test
    void shouldRefuseAnElapsedTimeNotAboveZero()
    {
        assertEquals("elapsedNs=0 must be above 0",
            assertThrows(IllegalArgumentException.class, () -> StatRates.perSecond(0, 1, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> StatRates.perSecond(0, 1, -5));
    }

    @Test
    void shouldRateEveryQuantityOfTheLaterReadingInItsOrder()
    {
        final Map<String, Long> before = new LinkedHashMap<>();
        before.put("received", 1_000L);
        before.put("rejected", 10L);
        final Map<String, Long> after = new LinkedHashMap<>();
        after.put("received", 6_000L);
        after.put("rejected", 12L);
        after.put("rejected INVALID_VALUE", 2L);
        assertEquals(List.of(
            new StatRates.Rate("received", 5_000, 2_000.0),
            new StatRates.Rate("rejected", 2, 0.8),
            new StatRates.Rate("rejected INVALID_VALUE", 2, 0.8)),
            StatRates.between(before, after, 5 * SECOND_NS / 2));
    }

    @Test
    void shouldSumShardsAndNameTheRejectReasonsThatHappened()
    {
        final TestCounters counters = new TestCounters();
        counters.add(SluiceCounters.INGRESS_RECEIVED_TYPE_ID, -1, "sluice ingress received", 1_010);
        counters.add(SluiceCounters.INGRESS_ACCEPTED_TYPE_ID, -1, "sluice ingress accepted", 1_000);
        counters.add(SluiceCounters.REJECTED_TYPE_ID, RejectReason.TRUNCATED, "sluice rejected TRUNCATED", 0);
        counters.add(SluiceCounters.REJECTED_TYPE_ID, RejectReason.INVALID_VALUE, "sluice rejected INVALID_VALUE", 7);
        counters.add(SluiceCounters.REJECTED_TYPE_ID, RejectReason.LATE, "sluice rejected LATE", 3);
        counters.add(SluiceCounters.RING_FULL_TYPE_ID, -1, "sluice ingress ring-full back-pressure", 4);
        counters.add(SluiceCounters.EGRESS_BACK_PRESSURE_TYPE_ID, 0, "sluice egress 0 back-pressure", 5);
        counters.add(SluiceCounters.EGRESS_BACK_PRESSURE_TYPE_ID, 1, "sluice egress 1 back-pressure", 6);
        counters.add(SluiceCounters.PROCESSED_TYPE_ID, 0, "sluice processor 0 processed", 600);
        counters.add(SluiceCounters.LIVE_KEYS_TYPE_ID, 0, "sluice processor 0 live-keys", 99);
        counters.add(SluiceCounters.WINDOWS_CLOSED_TYPE_ID, 0, "sluice processor 0 windows-closed", 20);
        counters.add(SluiceCounters.ALERTS_FIRED_TYPE_ID, 0, "sluice processor 0 alerts-fired", 2);
        counters.add(SluiceCounters.PROCESSED_TYPE_ID, 1, "sluice processor 1 processed", 410);
        counters.add(SluiceCounters.WINDOWS_CLOSED_TYPE_ID, 1, "sluice processor 1 windows-closed", 30);
        counters.add(SluiceCounters.ALERTS_FIRED_TYPE_ID, 1, "sluice processor 1 alerts-fired", 1);
        counters.add(SluiceCounters.EGRESS_DROPPED_TYPE_ID, 1, "sluice egress 1 dropped", 8);

        final Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("received", 1_010L);
        expected.put("accepted", 1_000L);
        expected.put("rejected", 10L);
        expected.put("rejected INVALID_VALUE", 7L);
        expected.put("rejected LATE", 3L);
        expected.put("processed", 1_010L);
        expected.put("windows closed", 50L);
        expected.put("alerts fired", 3L);
        expected.put("ingress ring-full", 4L);
        expected.put("egress back-pressure", 11L);
        expected.put("egress not-connected", 0L);
        expected.put("egress dropped", 8L);
        assertEquals(expected, StatRates.quantities(counters.read(Instant.EPOCH, 0)));
        assertEquals(List.copyOf(expected.keySet()),
            List.copyOf(StatRates.quantities(counters.read(Instant.EPOCH, 0)).keySet()), "in the order shown");
    }
}
