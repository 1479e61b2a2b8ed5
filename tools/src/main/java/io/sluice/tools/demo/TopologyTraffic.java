package io.sluice.tools.demo;

import io.sluice.client.SluiceResultHandler;
import io.sluice.config.topology.KeyGroupHash;
import io.sluice.config.topology.Topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The traffic of {@code sluice topology-demo} and of the topology system test: one fixed sequence of events (keys
 * drawn from a seeded random, values multiples of 1/1024 so every sum is exact in any order, event times
 * {@code t0 + i * step}, strictly increasing), sent once through the routing client to the appliances and once to a
 * single reference daemon, and what each side answered ({@link TrafficRecorder}): an answer per event, the window results,
 * the alerts, and every key's state as a query returns it. Both sides must end equal. One thread.
 */
public final class TopologyTraffic
{
    /** What the traffic is sent through: a routing client or a plain client. */
    public interface Link
    {
        /**
         * @return the event's correlation id (&gt; 0), or a negative code when it was not taken (try again).
         */
        long offerEvent(long key, long timestamp, double value);

        /**
         * @return the query's correlation id (&gt; 0), or a negative code when it was not taken (try again).
         */
        long offerQuery(long key);

        /**
         * @return messages handled.
         */
        int poll(SluiceResultHandler handler, int limit);
    }

    /**
     * A closed window as a {@code WindowResult} said it.
     */
    public record WindowFigures(long end, long count, double sum, double min, double max, double first, double last)
    {
    }

    /**
     * A key's state as a {@code QueryResult} said it: the open window and the last closed one.
     */
    public record KeyState(
        boolean found,
        long openStart, long openCount, double openSum, double openMin, double openMax, double openFirst,
        double openLast,
        long closedStart, long closedCount, double closedSum, double closedMin, double closedMax, double closedFirst,
        double closedLast)
    {
        /**
         * @return a 64-bit digest of every field (doubles by their bits).
         */
        public long digest()
        {
            long h = found ? 1 : 2;
            for (final long field : new long[]{ openStart, openCount, bits(openSum), bits(openMin), bits(openMax),
                bits(openFirst), bits(openLast), closedStart, closedCount, bits(closedSum), bits(closedMin),
                bits(closedMax), bits(closedFirst), bits(closedLast) })
            {
                h = KeyGroupHash.mix(h * 31 + field);
            }
            return h;
        }

        private static long bits(final double value)
        {
            return Double.doubleToLongBits(value);
        }
    }

    private final int keyCount;
    private long[] keys;
    private double[] values;
    private long[] times;
    private int size;

    /**
     * @param seed     the random's seed.
     * @param keyCount keys 1 to keyCount.
     * @param events   events to draw.
     * @param t0Ns     the first event's time, epoch ns.
     * @param stepNs   event time between two events.
     */
    public TopologyTraffic(final long seed, final int keyCount, final int events, final long t0Ns, final long stepNs)
    {
        this.keyCount = keyCount;
        keys = new long[events + 16];
        values = new double[events + 16];
        times = new long[events + 16];
        final Random random = new Random(seed);
        for (int i = 0; i < events; i++)
        {
            append(1 + random.nextInt(keyCount), t0Ns + i * stepNs, (1 + random.nextInt(4096)) / 1024.0);
        }
    }

    /**
     * Add one event after the others (a closing event, which moves every watermark past the windows before it).
     *
     * @param key       its key.
     * @param timestamp its time, after every other event's.
     * @param value     its value.
     */
    public void append(final long key, final long timestamp, final double value)
    {
        if (size == keys.length)
        {
            keys = Arrays.copyOf(keys, 2 * size);
            values = Arrays.copyOf(values, 2 * size);
            times = Arrays.copyOf(times, 2 * size);
        }
        keys[size] = key;
        values[size] = value;
        times[size] = timestamp;
        size++;
    }

    /**
     * Keep only the first events (those that were sent); events appended later follow them.
     *
     * @param events how many to keep.
     */
    public void truncate(final int events)
    {
        size = events;
    }

    /**
     * Poll until nothing has arrived for {@code quietNs} (the window results and alerts still on their way).
     *
     * @param link     what to poll.
     * @param recorder where it goes.
     * @param quietNs  how long nothing must arrive.
     */
    public static void pollQuietly(final Link link, final TrafficRecorder recorder, final long quietNs)
    {
        long lastNs = System.nanoTime();
        while (System.nanoTime() - lastNs < quietNs)
        {
            if (link.poll(recorder, 256) > 0)
            {
                lastNs = System.nanoTime();
            }
            else
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    /**
     * One closing event per appliance of the topology, on the first key above {@link #keyCount()} that it owns, at
     * a time past every window of the events so far plus the lateness: every appliance's watermark (and a reference
     * daemon's fed the same events) then closes every window of the run, so all sides can be compared.
     *
     * @param topology   the topology the closing events are routed by.
     * @param windowNs   the window size.
     * @param latenessNs the allowed lateness.
     */
    public void appendClosingEvents(final Topology topology, final long windowNs, final long latenessNs)
    {
        final long time = (lastTime() / windowNs + 2) * windowNs + latenessNs;
        final KeyGroupHash hash = topology.keyGroupHash();
        for (int owner = 0; owner < topology.appliances().size(); owner++)
        {
            if (topology.appliances().get(owner).groupCount() > 0)
            {
                long key = keyCount + 1;
                while (topology.ownerOf(hash.keyGroup(key)) != owner)
                {
                    key++;
                }
                append(key, time, 1.0);
            }
        }
    }

    /**
     * @return the keys the events were drawn from, 1 to this.
     */
    public int keyCount()
    {
        return keyCount;
    }

    /**
     * @return events, closing events included.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param i an event's index.
     * @return its key.
     */
    public long key(final int i)
    {
        return keys[i];
    }

    /**
     * @return the time of the last event.
     */
    public long lastTime()
    {
        return times[size - 1];
    }

    /**
     * @return every key the events hold, ascending.
     */
    public long[] distinctKeys()
    {
        return Arrays.stream(keys, 0, size).distinct().sorted().toArray();
    }

    /**
     * Offer event {@code i} once.
     *
     * @param i        the event.
     * @param link     where to.
     * @param recorder notes the correlation id.
     * @return true when it was taken.
     */
    public boolean offer(final int i, final Link link, final TrafficRecorder recorder)
    {
        final long id = link.offerEvent(keys[i], times[i], values[i]);
        if (id > 0)
        {
            recorder.offered(id, i);
            return true;
        }
        return false;
    }

    /**
     * Offer events {@code from} (inclusive) to {@code to} (exclusive) as fast as the link takes them, polling between,
     * and wait until each has its answer.
     *
     * @param from      first event.
     * @param to        end.
     * @param link      where to.
     * @param recorder  what the link answers.
     * @param timeoutNs longest wait for the answers once all are offered.
     * @return true when every event was answered in time.
     */
    public boolean sendAll(final int from, final int to, final Link link, final TrafficRecorder recorder, final long timeoutNs)
    {
        int next = from;
        while (next < to)
        {
            int burst = 0;
            while (next < to && burst < 256 && offer(next, link, recorder))
            {
                next++;
                burst++;
            }
            if (0 == link.poll(recorder, 256) && 0 == burst)
            {
                LockSupport.parkNanos(100_000);
            }
        }
        return recorder.awaitAll(link, from, to, timeoutNs);
    }

    /**
     * Query each key once and wait for every answer.
     *
     * @param keys      the keys.
     * @param link      where to.
     * @param recorder  keeps the answers.
     * @param timeoutNs longest wait.
     * @return true when each key was answered in time.
     */
    public static boolean queryAll(final long[] keys, final Link link, final TrafficRecorder recorder, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        int next = 0;
        while (next < keys.length || recorder.states.size() < keys.length)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            int burst = 0;
            while (next < keys.length && burst < 64 && link.offerQuery(keys[next]) > 0)
            {
                next++;
                burst++;
            }
            if (0 == link.poll(recorder, 256) && 0 == burst)
            {
                LockSupport.parkNanos(100_000);
            }
        }
        return true;
    }

    /**
     * @param keys      the keys to compare.
     * @param routed    the appliances' side.
     * @param reference the reference daemon's side.
     * @param limit     differences to name at most.
     * @return the keys whose states differ, each with both states, at most {@code limit}; empty when all are equal.
     */
    public static List<String> stateDifferences(
        final long[] keys, final TrafficRecorder routed, final TrafficRecorder reference, final int limit)
    {
        final List<String> differences = new ArrayList<>();
        for (final long key : keys)
        {
            final KeyState mine = routed.states.get(key);
            final KeyState theirs = reference.states.get(key);
            if ((null == mine || !mine.equals(theirs)) && differences.size() < limit)
            {
                differences.add("key " + key + ": appliances " + mine + ", reference " + theirs);
            }
        }
        return differences;
    }

    /**
     * @param keys     the keys, in the order they are folded.
     * @param recorder one side.
     * @return one digest over every key's state digest.
     */
    public static long stateDigest(final long[] keys, final TrafficRecorder recorder)
    {
        long h = keys.length;
        for (final long key : keys)
        {
            final KeyState state = recorder.states.get(key);
            h = KeyGroupHash.mix(h * 31 + key) ^ (null == state ? 0 : state.digest());
        }
        return h;
    }

    /**
     * @param routed    the appliances' side.
     * @param reference the reference daemon's side.
     * @param limit     differences to name at most.
     * @return the windows (key and start) whose result differs or is only on one side, at most {@code limit}.
     */
    public static List<String> windowDifferences(final TrafficRecorder routed, final TrafficRecorder reference, final int limit)
    {
        final List<String> differences = new ArrayList<>();
        final TreeMap<String, String> all = new TreeMap<>();
        routed.windows.forEach((k, v) -> all.put(k, "appliances " + v + ", reference " + reference.windows.get(k)));
        reference.windows.forEach((k, v) -> all.putIfAbsent(k, "appliances null, reference " + v));
        for (final Map.Entry<String, String> e : all.entrySet())
        {
            if (!Objects.equals(routed.windows.get(e.getKey()), reference.windows.get(e.getKey())) &&
                differences.size() < limit)
            {
                differences.add("window " + e.getKey() + ": " + e.getValue());
            }
        }
        return differences;
    }
}
