package io.sluice.bench;

/**
 * What one step of the throughput benchmark measured, summed over every generator thread of every generator
 * process, and whether the step passed: the rate was reached and every event was answered in the way its result
 * mode promises.
 * <ul>
 *     <li>{@code per-event}: an {@code EventResult} for every event;</li>
 *     <li>{@code batched}: every result inside an {@code EventResultBatch};</li>
 *     <li>{@code none}: the daemon accepted and processed every event (its ingress accepted and processors' processed
 *     counters moved by the events sent) and the
 *     counts of the window results of the generators' keys add up to the events sent (times the windows each event
 *     falls in).</li>
 * </ul>
 * In every mode no event may be rejected and no result may come in the form of another mode.
 *
 * @param mode            the result mode: {@code none}, {@code batched} or {@code per-event}.
 * @param targetRate      events per second asked for, 0 for flat out.
 * @param sent            events offered and taken by the clients.
 * @param answered        results received in the form the mode promises.
 * @param misrouted       results received in the form of another mode.
 * @param rejected        rejections received.
 * @param late            how far the daemon's late counters moved during the step (events it refused as late).
 * @param windowCount     sum of {@code count} over the window results of the generators' keys for this step.
 * @param windowsPerEvent windows each event falls in (1 tumbling, size/slide sliding), 0 with no windows.
 * @param accepted        how far the daemon's ingress accepted counter moved during the step.
 * @param processed       how far the daemon's processed counters moved during the step.
 * @param sendNs          longest time a generator thread spent sending, ns.
 * @param processedNs     time from the first send until the daemon had processed as many events as were sent or,
 *                        when it had not within the drain time, until it last made progress, ns.
 * @param outBytes        bytes of the results, window results and alerts for the generators, SBE header included.
 */
record StepOutcome(
    String mode,
    long targetRate,
    long sent,
    long answered,
    long misrouted,
    long rejected,
    long late,
    long windowCount,
    int windowsPerEvent,
    long accepted,
    long processed,
    long sendNs,
    long processedNs,
    long outBytes)
{
    /** Payload bytes in per event: one entry of an {@code EventBatch}. */
    static final int IN_BYTES_PER_EVENT = 32;
    /** Least fraction of the target rate a step must reach. */
    static final double REACHED = 0.95;

    /**
     * @return events per second through the daemon: the events sent and processed over the time from the first send
     * until the last was sent or, when later, until the daemon had processed them (events that sat in a client's
     * publication while the daemon was behind do not count as achieved).
     */
    double achievedPerSecond()
    {
        return Math.min(sent, processed) * 1e9 / elapsedNs();
    }

    /**
     * @return the later of the send time and the processing time, at least 1 ns.
     */
    long elapsedNs()
    {
        return Math.max(1, Math.max(sendNs, processedNs));
    }

    /**
     * @return true when the daemon processed as many events as were sent.
     */
    boolean allProcessed()
    {
        return processed >= sent;
    }

    /**
     * @return megabytes (10^6) per second of event payload in.
     */
    double inMegabytesPerSecond()
    {
        return achievedPerSecond() * IN_BYTES_PER_EVENT / 1e6;
    }

    /**
     * @return megabytes (10^6) per second of results out to the generators.
     */
    double outMegabytesPerSecond()
    {
        return outBytes * 1e3 / elapsedNs();
    }

    /**
     * @return true when no event was rejected, no result came in another mode's form, and the mode's promise held
     * for every event sent.
     */
    boolean allAnswered()
    {
        if (0 != rejected || 0 != misrouted)
        {
            return false;
        }
        if ("none".equals(mode))
        {
            return accepted == sent && processed == sent &&
                (0 == windowsPerEvent || windowCount == sent * windowsPerEvent);
        }
        return answered == sent;
    }

    /**
     * @return true when every event was answered and, unless flat out, at least {@value #REACHED} of the target rate
     * was sent.
     */
    boolean passed()
    {
        return allAnswered() && (0 == targetRate || achievedPerSecond() >= REACHED * targetRate);
    }
}
