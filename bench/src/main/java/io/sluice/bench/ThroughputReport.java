package io.sluice.bench;

import java.util.List;
import java.util.Locale;

/**
 * Text of the throughput benchmark: one progress line per step, and the final table of each result mode's highest
 * rate with every event answered beside the raw Aeron one-way baseline of the same run, with the ratio.
 */
final class ThroughputReport
{
    /**
     * The raw Aeron one-way baseline.
     *
     * @param messagesPerSecond messages of {@value RawAeronOneWay#MESSAGE_LENGTH} B received per second while the
     *                          publisher offered flat out.
     * @param sent              messages the publisher sent in its whole run.
     * @param received          messages the subscriber received in the whole run.
     * @param outOfSequence     messages that arrived out of sequence.
     */
    record RawResult(double messagesPerSecond, long sent, long received, long outOfSequence)
    {
        /**
         * @return megabytes (10^6) per second of message payload.
         */
        double megabytesPerSecond()
        {
            return messagesPerSecond * RawAeronOneWay.MESSAGE_LENGTH / 1e6;
        }

        /**
         * @return true when every message sent arrived, in order.
         */
        boolean complete()
        {
            return received == sent && 0 == outOfSequence;
        }
    }

    /**
     * One result mode's outcome.
     *
     * @param mode      the result mode.
     * @param sustained the step at the highest rate that passed, null when none did.
     * @param firstFail the lowest rate that failed twice, 0 when none did.
     * @param flatOut   the flat-out step, null when not run.
     */
    record ModeResult(String mode, StepOutcome sustained, long firstFail, StepOutcome flatOut)
    {
    }

    private ThroughputReport()
    {
    }

    /**
     * @param s        a step's outcome.
     * @param retrying whether a fail will be retried at the same rate.
     * @return its progress line, without a line end.
     */
    static String progress(final StepOutcome s, final boolean retrying)
    {
        final StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-9s %s: achieved %,11.0f ev/s, ", s.mode(),
            0 == s.targetRate() ? "     flat out" : String.format(Locale.ROOT, "%,13d", s.targetRate()),
            s.achievedPerSecond()));
        if ("none".equals(s.mode()))
        {
            b.append(String.format(Locale.ROOT, "accepted %,d, processed %,d of %,d", s.accepted(), s.processed(),
                s.sent()));
            if (0 != s.windowsPerEvent())
            {
                b.append(String.format(Locale.ROOT, ", in windows %,d of %,d", s.windowCount(),
                    s.sent() * s.windowsPerEvent()));
            }
        }
        else
        {
            b.append(String.format(Locale.ROOT, "answered %,d/%,d", s.answered(), s.sent()));
        }
        if (0 != s.rejected())
        {
            b.append(String.format(Locale.ROOT, ", REJECTED %,d (late %,d)", s.rejected(), s.late()));
        }
        if (0 != s.misrouted())
        {
            b.append(String.format(Locale.ROOT, ", %,d results in another mode's form", s.misrouted()));
        }
        b.append(String.format(Locale.ROOT, ", sent in %.2f s, %s, %.1f MB/s in, %.1f MB/s out -> %s",
            s.sendNs() / 1e9, s.allProcessed() ?
            String.format(Locale.ROOT, "processed by %.2f s", s.processedNs() / 1e9) : "NOT all processed",
            s.inMegabytesPerSecond(), s.outMegabytesPerSecond(),
            s.passed() ? "pass" : 0 == s.targetRate() ? (s.allAnswered() ? "all answered" : "NOT all answered") :
            retrying ? "fail, retry" : "FAIL"));
        return b.toString();
    }

    /**
     * @param raw   the baseline, null when not measured.
     * @param modes each mode's outcome.
     * @return a Markdown table: events per second and MB/s for each, and the ratio to the baseline's messages/s.
     */
    static String table(final RawResult raw, final List<ModeResult> modes)
    {
        final StringBuilder b = new StringBuilder();
        b.append("| measured | events/s | MB/s in | MB/s out | x raw Aeron | flat out ev/s | flat out answered |\n");
        b.append("|---|---:|---:|---:|---:|---:|---|\n");
        if (null != raw)
        {
            b.append(String.format(Locale.ROOT,
                "| raw Aeron one-way, %d B messages | %,.0f | %.1f |  | 1.00 |  | %s |%n",
                RawAeronOneWay.MESSAGE_LENGTH, raw.messagesPerSecond(), raw.megabytesPerSecond(),
                raw.complete() ? "all" : String.format(Locale.ROOT, "%,d/%,d, %,d out of sequence",
                raw.received(), raw.sent(), raw.outOfSequence())));
        }
        for (final ModeResult m : modes)
        {
            final StepOutcome s = m.sustained();
            final StepOutcome f = m.flatOut();
            b.append(String.format(Locale.ROOT, "| sluice %s | %s | %s | %s | %s | %s | %s |%n",
                m.mode(),
                null == s ? "none passed" : String.format(Locale.ROOT, "%,.0f", s.achievedPerSecond()),
                null == s ? "" : String.format(Locale.ROOT, "%.1f", s.inMegabytesPerSecond()),
                null == s ? "" : String.format(Locale.ROOT, "%.1f", s.outMegabytesPerSecond()),
                null == s || null == raw ? "" :
                    String.format(Locale.ROOT, "%.2f", s.achievedPerSecond() / raw.messagesPerSecond()),
                null == f ? "" : String.format(Locale.ROOT, "%,.0f", f.achievedPerSecond()),
                null == f ? "" : f.allAnswered() ? "all" : "NOT all"));
        }
        return b.toString();
    }

    /**
     * @param modes each mode's outcome.
     * @return a line per mode: the rate that passed last and the one that failed first.
     */
    static String bounds(final List<ModeResult> modes)
    {
        final StringBuilder b = new StringBuilder();
        for (final ModeResult m : modes)
        {
            b.append(String.format(Locale.ROOT, "%-9s highest target rate passed %,d ev/s, lowest failed %s%n",
                m.mode(), null == m.sustained() ? 0 : m.sustained().targetRate(),
                0 == m.firstFail() ? "none" : String.format(Locale.ROOT, "%,d ev/s", m.firstFail())));
        }
        return b.toString();
    }
}
