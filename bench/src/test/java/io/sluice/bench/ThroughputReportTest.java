package io.sluice.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThroughputReportTest
{
    private static final long TWO_SECONDS = 2_000_000_000L;

    private static StepOutcome none(final long target, final long sent, final long processed, final long windowCount)
    {
        return new StepOutcome(
            "none", target, sent, 0, 0, 0, 0, windowCount, 1, sent, processed, TWO_SECONDS, 1_000_000_000L, 8_000);
    }

    private static StepOutcome batched(
        final long target, final long sent, final long answered, final long sendNs, final long completeNs)
    {
        return new StepOutcome(
            "batched", target, sent, answered, 0, 0, 0, 0, 1, sent, sent, sendNs, completeNs, answered * 88);
    }

    @Test
    void shouldPassNoneModeOnlyWhenTheDaemonCountedEveryEventAndTheWindowsAddUp()
    {
        assertTrue(none(1_000_000, 2_000_000, 2_000_000, 2_000_000).passed());
        assertFalse(none(1_000_000, 2_000_000, 1_999_999, 2_000_000).passed());
        assertFalse(none(1_000_000, 2_000_000, 2_000_000, 1_999_999).passed());
        final StepOutcome noWindows = new StepOutcome(
            "none", 1_000_000, 2_000_000, 0, 0, 0, 0, 0, 0, 2_000_000, 2_000_000, TWO_SECONDS, TWO_SECONDS, 0);
        assertTrue(noWindows.passed());
        final StepOutcome notAccepted = new StepOutcome(
            "none", 1_000_000, 2_000_000, 0, 0, 0, 0, 0, 0, 1_999_999, 2_000_000, TWO_SECONDS, TWO_SECONDS, 0);
        assertFalse(notAccepted.passed());
    }

    @Test
    void shouldFailAStepThatMissedTheRateOrGotAnswersInAnotherForm()
    {
        assertTrue(batched(1_000_000, 1_900_000, 1_900_000, TWO_SECONDS, TWO_SECONDS).passed());
        assertFalse(batched(1_000_000, 1_899_998, 1_899_998, TWO_SECONDS, TWO_SECONDS).passed());
        assertTrue(batched(0, 10, 10, TWO_SECONDS, TWO_SECONDS).passed());
        assertFalse(new StepOutcome("batched", 0, 10, 9, 1, 0, 0, 0, 1, 10, 10, 1_000, 1_000, 0).passed());
        assertFalse(new StepOutcome("per-event", 0, 10, 9, 0, 1, 0, 0, 1, 10, 10, 1_000, 1_000, 0).passed());
    }

    @Test
    void shouldCountTheRateUntilTheDaemonProcessedTheLastEventWhenThatIsLater()
    {
        final StepOutcome keptUp = batched(1_000_000, 2_000_000, 2_000_000, TWO_SECONDS, 1_990_000_000L);
        assertEquals(1_000_000.0, keptUp.achievedPerSecond(), 1e-6);
        final StepOutcome fellBehind = batched(1_000_000, 2_000_000, 2_000_000, TWO_SECONDS, 2_500_000_000L);
        assertEquals(800_000.0, fellBehind.achievedPerSecond(), 1e-6);
        assertFalse(fellBehind.passed());
        final StepOutcome neverDone = new StepOutcome(
            "none", 0, 2_000_000, 0, 0, 0, 0, 0, 0, 1_500_000, 1_200_000, TWO_SECONDS, 4_000_000_000L, 0);
        assertEquals(300_000.0, neverDone.achievedPerSecond(), 1e-6);
        assertFalse(neverDone.allProcessed());
    }

    @Test
    void shouldPrintAProgressLinePerStep()
    {
        assertEquals("none          1,000,000: achieved   1,000,000 ev/s, accepted 2,000,000, processed 2,000,000 " +
            "of 2,000,000, in windows 1,999,999 of 2,000,000, sent in 2.00 s, processed by 1.00 s, " +
            "32.0 MB/s in, 0.0 MB/s out -> fail, retry",
            ThroughputReport.progress(none(1_000_000, 2_000_000, 2_000_000, 1_999_999), true));
        assertEquals("batched        flat out: achieved   2,000,000 ev/s, answered 5,000,000/5,000,000, " +
            "sent in 2.00 s, processed by 2.50 s, 64.0 MB/s in, 176.0 MB/s out -> pass",
            ThroughputReport.progress(batched(0, 5_000_000, 5_000_000, TWO_SECONDS, 2_500_000_000L), false));
        assertEquals("per-event        10,000: achieved       9,500 ev/s, answered 19,000/20,000, sent in 2.00 s, " +
            "NOT all processed, 0.3 MB/s in, 0.9 MB/s out -> FAIL",
            ThroughputReport.progress(new StepOutcome("per-event", 10_000, 20_000, 19_000, 0, 0, 0, 0, 1, 20_000,
                19_000, TWO_SECONDS, 1_900_000_000L, 19_000 * 96), false));
        assertEquals("per-event        10,000: achieved      10,000 ev/s, answered 19,990/20,000, REJECTED 10 (late 10), " +
            "sent in 2.00 s, processed by 2.00 s, 0.3 MB/s in, 1.0 MB/s out -> fail, retry",
            ThroughputReport.progress(new StepOutcome("per-event", 10_000, 20_000, 19_990, 0, 10, 10, 0, 1, 20_000,
                20_000, TWO_SECONDS, TWO_SECONDS, 19_990 * 96), true));
    }

    @Test
    void shouldPutEachModeBesideTheRawBaselineWithTheRatio()
    {
        final ThroughputReport.RawResult raw = new ThroughputReport.RawResult(2_500_000, 7_000_000, 7_000_000, 0);
        final List<ThroughputReport.ModeResult> modes = List.of(
            new ThroughputReport.ModeResult("none", none(3_000_000, 6_000_000, 6_000_000, 6_000_000), 3_150_000,
                none(0, 6_400_000, 6_400_000, 6_400_000)),
            new ThroughputReport.ModeResult("batched", null, 1_000, null));
        assertEquals(
            "| measured | events/s | MB/s in | MB/s out | x raw Aeron | flat out ev/s | flat out answered |\n" +
            "|---|---:|---:|---:|---:|---:|---|\n" +
            "| raw Aeron one-way, 32 B messages | 2,500,000 | 80.0 |  | 1.00 |  | all |\n" +
            "| sluice none | 3,000,000 | 96.0 | 0.0 | 1.20 | 3,200,000 | all |\n" +
            "| sluice batched | none passed |  |  |  |  |  |\n",
            ThroughputReport.table(raw, modes));
        assertEquals(
            "none      highest target rate passed 3,000,000 ev/s, lowest failed 3,150,000 ev/s\n" +
            "batched   highest target rate passed 0 ev/s, lowest failed 1,000 ev/s\n",
            ThroughputReport.bounds(modes));
    }

    @Test
    void shouldCarryGeneratorTotalsThroughTheProcessProtocolAndSumThem()
    {
        final BurstGenerator.Totals a = new BurstGenerator.Totals(10, 9, 1, 0, 10, 960, 500, 3_000, 2);
        final BurstGenerator.Totals b = new BurstGenerator.Totals(5, 5, 0, 1, 4, 480, 400, 4_000, 0);
        assertEquals("result 10 9 1 0 10 960 500 3000 2", a.toLine());
        assertEquals(a, BurstGenerator.Totals.parse(a.toLine()));
        assertEquals(new BurstGenerator.Totals(15, 14, 1, 1, 14, 1_440, 400, 4_000, 2), a.plus(b));
    }
}
