package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.sluice.server.ingress.BatchFrame;
import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResultMode;
import io.sluice.transport.codec.WindowResultDecoder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;


/**
 * What the batch system tests share: the timing constants, what a client received ({@link Outcomes}), clients,
 * batch frames and the waits. The tests: {@link BatchSystemTest} (every outcome, window and
 * alert of batches and single events from two clients in every result mode) and {@link BatchRefusalSystemTest}
 * (whole batches refused, back-pressure with batches).
 */
abstract class BatchTestSupport
{
    static final long MS = 1_000_000L;
    static final long T0 = 1_700_000_000_000L * MS;
    static final long WINDOW_NS = 100 * MS;
    static final int MAX_BATCH = 128;

    record Result(char kind, long clientId, long id, long key, long timestamp, long windowStart, long count, double sum,
        double min, double max, double first, double last)
    {
    }

    record Reject(long clientId, long id, long key, int reason, int batchIndex)
    {
    }

    /**
     * What a client received, in order: per-event results ({@code E} from EventResult, {@code B} from an
     * EventResultBatch), rejections with their batch index, query answers, and every window result.
     */
    static final class Outcomes implements SluiceResultHandler
    {
        final List<Result> results = new ArrayList<>();
        final List<Reject> rejects = new ArrayList<>();
        final List<long[]> arrivals = new ArrayList<>();
        final List<long[]> queries = new ArrayList<>();
        final List<String> windows = new ArrayList<>();
        final List<String> alerts = new ArrayList<>();

        public void onEventResult(final EventResultDecoder r)
        {
            results.add(new Result('E', r.clientId(), r.correlationId(), r.key(), r.timestamp(), r.windowStart(),
                r.count(), r.sum(), r.min(), r.max(), r.first(), r.last()));
            arrivals.add(new long[]{r.key(), r.correlationId()});
        }

        public void onBatchedEventResult(final EventResultBatchDecoder.ResultsDecoder r)
        {
            results.add(new Result('B', r.clientId(), r.correlationId(), r.key(), r.timestamp(), r.windowStart(),
                r.eventCount(), r.sum(), r.min(), r.max(), r.first(), r.last()));
            arrivals.add(new long[]{r.key(), r.correlationId()});
        }

        public void onRejected(final RejectedDecoder r)
        {
            rejects.add(new Reject(r.clientId(), r.correlationId(), r.key(), r.reason().value(), r.batchIndex()));
            arrivals.add(new long[]{r.key(), r.correlationId()});
        }

        public void onQueryResult(final QueryResultDecoder r)
        {
            queries.add(new long[]{r.correlationId(), r.key(), r.openCount(), (long)r.openSum()});
        }

        public void onWindowResult(final WindowResultDecoder r)
        {
            windows.add(window(r.key(), r.windowStart(), r.windowEnd(), r.count(), r.sum(), r.min(), r.max(),
                r.first(), r.last()));
        }

        public void onAlert(final AlertDecoder a)
        {
            final String fields = a.ruleIndex() + " key=" + a.key() + " window=" + a.windowStart() + " " + a.field() +
                " " + a.op() + " observed=" + a.observed() + " threshold=" + a.threshold();
            alerts.add(a.ruleName() + " " + fields);
        }

        int perEventOutcomes()
        {
            return results.size() + rejects.size();
        }
    }

    static String window(
        final long key, final long start, final long end, final long count, final double sum, final double min,
        final double max, final double first, final double last)
    {
        return key + " [" + start + "," + end + ") n=" + count + " sum=" + sum + " min=" + min + " max=" + max +
            " first=" + first + " last=" + last;
    }

    static SluiceClient client(final TestDaemon daemon, final ResultMode mode, final String ingressParams)
    {
        final SluiceConfig config = daemon.config();
        return SluiceClient.connect(SluiceMain.clientContextFor(config)
            .aeronDirectoryName(daemon.driverDir)
            .ingress(config.ingressChannel() + ingressParams, config.ingressStreamId())
            .resultMode(mode));
    }

    static void flush(final SluiceClient client, final Outcomes outcomes)
    {
        while (!client.flush())
        {
            client.poll(outcomes, 100);
            Thread.yield();
        }
    }

    static void pollUntil(final BooleanSupplier done, final SluiceClient[] clients, final Outcomes[] outcomes)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean() && System.nanoTime() < deadline)
        {
            int read = 0;
            for (int c = 0; c < clients.length; c++)
            {
                read += clients[c].poll(outcomes[c], 100);
            }
            if (0 == read)
            {
                Thread.yield();
            }
        }
        // anything beyond what was awaited would be a duplicate: give it a moment to show
        final long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        while (System.nanoTime() < settle)
        {
            for (int c = 0; c < clients.length; c++)
            {
                clients[c].poll(outcomes[c], 100);
            }
            Thread.yield();
        }
    }

    static BatchFrame events(final long clientId, final ResultMode mode, final long firstId, final int count)
    {
        final BatchFrame frame = new BatchFrame(clientId, mode.value());
        for (int i = 0; i < count; i++)
        {
            frame.add(firstId + i, 5, T0 + i, 1.0 + i);
        }
        return frame;
    }
}
