package io.sluice.systemtest;

import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.transport.codec.AdminResponseDecoder;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.BooleanType;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link AuthSystemTest}'s clients send and receive: a recorder per client, and a plain reference of tumbling
 * windows computed from the raw events (each key's events in event-time order, values multiples of 1/4 so sums are
 * exact), giving each event's expected result, each closed window and each alert of a "window sum above" rule.
 */
final class AuthTraffic
{
    private AuthTraffic()
    {
    }

    /**
     * One Java client and everything it received, as text that compares with {@link Windows}' expectations.
     */
    static final class Recorder implements SluiceResultHandler
    {
        final SluiceClient client;
        final Map<Long, String> results = new HashMap<>();
        final List<String> duplicates = new ArrayList<>();
        final List<String> foreign = new ArrayList<>();
        final List<String> rejects = new ArrayList<>();
        final List<String> windows = new ArrayList<>();
        final List<String> alerts = new ArrayList<>();
        final List<String> admin = new ArrayList<>();
        final List<String> queries = new ArrayList<>();
        final Map<Long, String> expected = new HashMap<>();
        long messagesRead;

        Recorder(final SluiceClient client)
        {
            this.client = client;
        }

        int poll()
        {
            final int read = client.poll(this, 100);
            messagesRead += read;
            return read;
        }

        /**
         * Offer one event (polling while back-pressured) and note its expected result.
         */
        void send(final Windows reference, final long key, final long timestamp, final double value)
        {
            long id;
            while ((id = client.offerEvent(key, timestamp, value)) < 0)
            {
                poll();
            }
            expected.put(id, reference.apply(key, timestamp, value));
        }

        public void onEventResult(final EventResultDecoder r)
        {
            if (r.clientId() != client.clientId())
            {
                foreign.add(r.clientId() + "/" + r.correlationId());
            }
            final String text = Windows.text(r.key(), r.windowStart(), r.count(), r.sum(), r.min(), r.max(),
                r.first(), r.last());
            if (null != results.put(r.correlationId(), text))
            {
                duplicates.add(r.correlationId() + " " + text);
            }
        }

        public void onRejected(final RejectedDecoder r)
        {
            rejects.add(r.clientId() + "/" + r.correlationId() + " key " + r.key() + " " + r.reason());
        }

        public void onWindowResult(final WindowResultDecoder r)
        {
            windows.add(Windows.text(r.key(), r.windowStart(), r.count(), r.sum(), r.min(), r.max(), r.first(),
                r.last()) + " end " + r.windowEnd());
        }

        public void onAlert(final AlertDecoder a)
        {
            alerts.add(Windows.alert(a.ruleName(), a.key(), a.windowStart(), a.observed()));
        }

        public void onAdminResponse(final AdminResponseDecoder response)
        {
            admin.add(response.correlationId() + " " + response.action() + " " + response.status() + " " +
                response.message());
        }

        public void onQueryResult(final QueryResultDecoder r)
        {
            queries.add(r.correlationId() + " key " + r.key() + " found " + (BooleanType.TRUE == r.found()));
        }
    }

    /**
     * Tumbling windows of one size aligned to the epoch, per key: count, sum, min, max, first, last.
     */
    static final class Windows
    {
        private final long sizeNs;
        private final Map<Long, TreeMap<Long, double[]>> keys = new HashMap<>();

        Windows(final long sizeNs)
        {
            this.sizeNs = sizeNs;
        }

        static String text(
            final long key, final long windowStart, final long count, final double sum, final double min,
            final double max, final double first, final double last)
        {
            return key + " @" + windowStart + " n=" + count + " sum=" + sum + " min=" + min + " max=" + max +
                " first=" + first + " last=" + last;
        }

        static String alert(final String rule, final long key, final long windowStart, final double observed)
        {
            return rule + " key=" + key + " window=" + windowStart + " observed=" + observed;
        }

        /**
         * @return the event's expected result: its key's window aggregate including it (events of a key come in
         * event-time order).
         */
        String apply(final long key, final long timestamp, final double value)
        {
            final long start = timestamp - Math.floorMod(timestamp, sizeNs);
            final double[] w = keys.computeIfAbsent(key, (k) -> new TreeMap<>()).computeIfAbsent(start,
                (s) -> new double[]{0, 0, Double.MAX_VALUE, -Double.MAX_VALUE, value, value});
            w[0]++;
            w[1] += value;
            w[2] = Math.min(w[2], value);
            w[3] = Math.max(w[3], value);
            w[5] = value;
            return text(key, start, (long)w[0], w[1], w[2], w[3], w[4], w[5]);
        }

        /**
         * @return the windows starting in [from, to), as {@link Recorder#windows} holds them, sorted.
         */
        List<String> windows(final long from, final long to)
        {
            final List<String> closed = new ArrayList<>();
            keys.forEach((key, windows) -> windows.subMap(from, to).forEach((start, w) -> closed.add(text(key, start,
                (long)w[0], w[1], w[2], w[3], w[4], w[5]) + " end " + (start + sizeNs))));
            closed.sort(null);
            return closed;
        }

        /**
         * @return the alerts of rule {@code name} (window sum above the threshold) over the windows starting in
         * [from, to), sorted.
         */
        List<String> alerts(final String name, final double threshold, final long from, final long to)
        {
            final List<String> fired = new ArrayList<>();
            keys.forEach((key, windows) -> windows.subMap(from, to).forEach((start, w) ->
            {
                if (w[1] > threshold)
                {
                    fired.add(alert(name, key, start, w[1]));
                }
            }));
            fired.sort(null);
            return fired;
        }
    }
}
