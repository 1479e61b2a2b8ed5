package io.sluice.tools.stat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rates {@code sluice stat --watch} shows: what moved between two readings, per second. The quantities are
 * sums over every counter of a name (all shards, all egress publications), in the order shown:
 * <pre>
 *   received                ingress_received
 *   accepted                ingress_accepted
 *   rejected                rejected, every reason
 *   rejected REASON         rejected{reason}, for each reason with a non-zero count in the later reading
 *   processed               processor_processed: ring entries the processors handled (events, queries, rejects)
 *   windows closed          processor_windows_closed
 *   alerts fired            processor_alerts_fired
 *   ingress ring-full       ingress_ring_full
 *   egress back-pressure    egress_back_pressure
 *   egress not-connected    egress_not_connected
 *   egress dropped          egress_dropped
 * </pre>
 * Pure functions of their arguments; any thread.
 */
public final class StatRates
{
    private static final double NANOS_PER_SECOND = 1_000_000_000.0;

    /**
     * One quantity's movement between two readings.
     *
     * @param name      what moved, e.g. {@code received} or {@code rejected INVALID_VALUE}.
     * @param delta     how much it moved.
     * @param perSecond {@code delta} per second of the elapsed time.
     */
    public record Rate(String name, long delta, double perSecond)
    {
    }

    private StatRates()
    {
    }

    /**
     * @param reading the counters.
     * @return the quantities rated, by name, in the order shown.
     */
    public static Map<String, Long> quantities(final StatReading reading)
    {
        final Map<String, Long> quantities = new LinkedHashMap<>();
        quantities.put("received", reading.total("ingress_received"));
        quantities.put("accepted", reading.total("ingress_accepted"));
        quantities.put("rejected", reading.total("rejected"));
        for (final Map.Entry<String, Long> reason : reading.byLabel("rejected").entrySet())
        {
            if (0 != reason.getValue())
            {
                quantities.put("rejected " + reason.getKey(), reason.getValue());
            }
        }
        quantities.put("processed", reading.total("processor_processed"));
        quantities.put("windows closed", reading.total("processor_windows_closed"));
        quantities.put("alerts fired", reading.total("processor_alerts_fired"));
        quantities.put("ingress ring-full", reading.total("ingress_ring_full"));
        quantities.put("egress back-pressure", reading.total("egress_back_pressure"));
        quantities.put("egress not-connected", reading.total("egress_not_connected"));
        quantities.put("egress dropped", reading.total("egress_dropped"));
        return quantities;
    }

    /**
     * @param before    the earlier reading's quantities ({@link #quantities}).
     * @param after     the later reading's.
     * @param elapsedNs nanoseconds between the two readings, above 0.
     * @return a rate for every quantity of the later reading, in its order; one absent from the earlier reading
     * counts from 0.
     */
    public static List<Rate> between(final Map<String, Long> before, final Map<String, Long> after, final long elapsedNs)
    {
        final List<Rate> rates = new ArrayList<>(after.size());
        for (final Map.Entry<String, Long> quantity : after.entrySet())
        {
            final long earlier = before.getOrDefault(quantity.getKey(), 0L);
            final long delta = delta(earlier, quantity.getValue());
            rates.add(new Rate(quantity.getKey(), delta, perSecond(earlier, quantity.getValue(), elapsedNs)));
        }
        return rates;
    }

    /**
     * @param before    a counter's earlier value.
     * @param after     its later value.
     * @param elapsedNs nanoseconds between the two readings, above 0.
     * @return how much it moved per second; a counter that went down (its daemon restarted between the readings)
     * counts from 0.
     * @throws IllegalArgumentException when {@code elapsedNs} is not above 0.
     */
    public static double perSecond(final long before, final long after, final long elapsedNs)
    {
        if (elapsedNs <= 0)
        {
            throw new IllegalArgumentException("elapsedNs=" + elapsedNs + " must be above 0");
        }
        return delta(before, after) * NANOS_PER_SECOND / elapsedNs;
    }

    /**
     * @param before a counter's earlier value.
     * @param after  its later value.
     * @return {@code after - before}, or {@code after} when the counter went down (restarted from 0).
     */
    public static long delta(final long before, final long after)
    {
        return after >= before ? after - before : after;
    }
}
