package io.sluice.tools.stat;

import io.sluice.server.counters.CounterCatalog;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.concurrent.status.CountersReader;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reading of a daemon's (or cluster node's) counters as the tools outside it show them: every allocated counter
 * whose type {@link CounterCatalog} names, in counter id order, with its raw value. Aeron's own stream and system
 * counters are left out. Immutable once read; any thread.
 */
public final class StatReading
{
    /**
     * One counter's value.
     *
     * @param counterId  the counter's id in the CnC file.
     * @param entry      its type's catalogue entry (name, kind, label name, scale).
     * @param labelValue what tells it apart from the other counters of its type (shard, reason name, thread,
     *                   registration id), empty for a type with one counter.
     * @param label      the counter's label as AeronStat shows it.
     * @param value      the raw value, not scaled.
     */
    public record Value(int counterId, CounterCatalog.Entry entry, String labelValue, String label, long value)
    {
    }

    private final Instant timestamp;
    private final long nanoTime;
    private final List<Value> values;

    private StatReading(final Instant timestamp, final long nanoTime, final List<Value> values)
    {
        this.timestamp = timestamp;
        this.nanoTime = nanoTime;
        this.values = Collections.unmodifiableList(values);
    }

    /**
     * Read a running daemon's counters from its media driver's CnC file.
     *
     * @param driverDir the daemon's media driver directory.
     * @return the reading, taken now, or null when no driver (CnC file) is there.
     */
    public static StatReading read(final String driverDir)
    {
        final StatReading[] reading = {null};
        final Instant timestamp = Instant.now();
        final long nanoTime = System.nanoTime();
        final boolean found = SluiceStat.read(driverDir, (reader) -> reading[0] = of(reader, timestamp, nanoTime));
        return found ? reading[0] : null;
    }

    /**
     * @param reader    counters to read.
     * @param timestamp wall-clock time of the reading.
     * @param nanoTime  {@link System#nanoTime()} of the reading, for rates.
     * @return the values of the counters the catalogue names, in counter id order.
     */
    public static StatReading of(final CountersReader reader, final Instant timestamp, final long nanoTime)
    {
        final List<Value> values = new ArrayList<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final CounterCatalog.Entry entry = CounterCatalog.find(typeId);
            if (null != entry)
            {
                values.add(new Value(counterId, entry, entry.keyLabel().value(keyBuffer, label), label,
                    reader.getCounterValue(counterId)));
            }
        });
        return new StatReading(timestamp, nanoTime, values);
    }

    /**
     * @return wall-clock time of the reading.
     */
    public Instant timestamp()
    {
        return timestamp;
    }

    /**
     * @return {@link System#nanoTime()} of the reading.
     */
    public long nanoTime()
    {
        return nanoTime;
    }

    /**
     * @return every value, in counter id order.
     */
    public List<Value> values()
    {
        return values;
    }

    /**
     * @param name a catalogue name, e.g. {@code ingress_received}.
     * @return the sum of the raw values of the counters of that name, 0 when there are none.
     */
    public long total(final String name)
    {
        long total = 0;
        for (int i = 0, size = values.size(); i < size; i++)
        {
            final Value value = values.get(i);
            if (value.entry().name().equals(name))
            {
                total += value.value();
            }
        }
        return total;
    }

    /**
     * @param name a catalogue name, e.g. {@code rejected}.
     * @return each counter of that name by its label value (e.g. reason name), in counter id order.
     */
    public Map<String, Long> byLabel(final String name)
    {
        final Map<String, Long> byLabel = new LinkedHashMap<>();
        for (final Value value : values)
        {
            if (value.entry().name().equals(name))
            {
                byLabel.merge(value.labelValue(), value.value(), Long::sum);
            }
        }
        return byLabel;
    }

    /**
     * @return for every counter name of kind {@link CounterCatalog.Kind#COUNTER} present in the reading, the sum of
     * its counters' raw values, in catalogue order. Gauges (live keys, positions, longest cycles) are not summed.
     */
    public Map<String, Long> totals()
    {
        final Map<String, Long> totals = new LinkedHashMap<>();
        for (final CounterCatalog.Entry entry : CounterCatalog.entries())
        {
            if (CounterCatalog.Kind.COUNTER == entry.kind() && has(entry.name()))
            {
                totals.put(entry.name(), total(entry.name()));
            }
        }
        return totals;
    }

    /**
     * @param name a catalogue name.
     * @return true when the reading holds at least one counter of that name.
     */
    public boolean has(final String name)
    {
        for (int i = 0, size = values.size(); i < size; i++)
        {
            if (values.get(i).entry().name().equals(name))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true when the reading holds at least one of Sluice's own counters (not only the consensus module's).
     */
    public boolean hasSluiceCounters()
    {
        for (int i = 0, size = values.size(); i < size; i++)
        {
            if (values.get(i).entry().typeId() >= SluiceCounters.TYPE_ID_BASE)
            {
                return true;
            }
        }
        return false;
    }
}
