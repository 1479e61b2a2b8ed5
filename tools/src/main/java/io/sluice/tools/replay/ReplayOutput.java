package io.sluice.tools.replay;

import io.sluice.core.RejectReason;
import io.sluice.core.ResultMode;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.state.Aggregate;
import io.sluice.client.SluiceClient;
import io.sluice.server.egress.EgressCodec;
import org.agrona.ExpandableArrayBuffer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a what-if run's outputs go: a file in one of two formats, counting what it wrote for the summary. The answers
 * to clients' connection probes ({@link SluiceClient#isProbe}: Queries with negative correlation ids, which the
 * journal holds like any query) are left out: they say a client was connecting, nothing about the data. So are
 * per-event results tagged {@link ResultMode#NONE}, as the daemon's egress leaves them out: the run tags every event
 * so without {@code --event-results}, but the processors still hand on the aggregate they computed (always without
 * windows, and with windows when an event alert rule reads the aggregate).
 * <ul>
 *     <li>{@link Format#CSV}: {@link CsvRows}' header and one row per output, for people;</li>
 *     <li>{@link Format#SBE}: the daemon's own egress messages, each as a little-endian int32 length and then the
 *     message (SBE message header and body) exactly as the daemon encodes it, readable with the shipped schema.
 *     Per-event results are single {@code EventResult} messages whatever mode the client asked for live (how the
 *     daemon grouped them into {@code EventResultBatch} frames depends on timing, not on the input).</li>
 * </ul>
 * One thread.
 */
public abstract class ReplayOutput implements ResultSink, AutoCloseable
{
    /** The output file formats. */
    public enum Format
    {
        /** Comma-separated values with a header. */
        CSV,
        /** Length-prefixed SBE messages. */
        SBE
    }

    private long windows;
    private long alerts;
    private long eventResults;
    private long queryResults;
    private final long[] rejects = new long[RejectReason.LIMIT];

    /**
     * @param file      the file.
     * @param format    its format.
     * @param ruleNames the alert rules' names by index.
     * @param header    true to start a CSV file with its header (false for a part appended to another).
     * @return the output.
     */
    static ReplayOutput open(final Path file, final Format format, final List<String> ruleNames, final boolean header)
    {
        final OutputStream out = newStream(file);
        return Format.CSV == format ? new Csv(out, ruleNames, header) : new Sbe(out, ruleNames);
    }

    static OutputStream newStream(final Path file)
    {
        try
        {
            final Path parent = file.toAbsolutePath().getParent();
            if (null != parent)
            {
                Files.createDirectories(parent);
            }
            return new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    public final void onEventResult(
        final long clientId,
        final long correlationId,
        final long key,
        final long timestamp,
        final Aggregate aggregate,
        final long receiveNanos,
        final int resultMode)
    {
        if (ResultMode.NONE == resultMode)
        {
            return;
        }
        eventResults++;
        eventResult(clientId, correlationId, key, timestamp, aggregate);
    }

    public final void onQueryResult(
        final long clientId,
        final long correlationId,
        final long key,
        final boolean found,
        final Aggregate open,
        final Aggregate closed)
    {
        if (SluiceClient.isProbe(correlationId))
        {
            return;
        }
        queryResults++;
        queryResult(clientId, correlationId, key, found, open, closed);
    }

    public final void onRejected(
        final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
    {
        rejects[reason]++;
        rejected(clientId, correlationId, key, reason, batchIndex);
    }

    public final void onWindowResult(final long key, final long windowEnd, final Aggregate window)
    {
        windows++;
        windowResult(key, windowEnd, window);
    }

    public void onAlertRules(final int count, final byte[][] names, final int[] nameLengths)
    {
        rulesChanged(names(count, names, nameLengths), names, nameLengths);
    }

    /**
     * @param count       rules.
     * @param names       name bytes by rule index, US-ASCII.
     * @param nameLengths name lengths by rule index.
     * @return the names as strings (allocates: a replay tool, once per rule change).
     */
    static List<String> names(final int count, final byte[][] names, final int[] nameLengths)
    {
        final List<String> list = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            list.add(new String(names[i], 0, nameLengths[i], java.nio.charset.StandardCharsets.US_ASCII));
        }
        return list;
    }

    abstract void rulesChanged(List<String> ruleNames, byte[][] names, int[] nameLengths);

    /**
     * {@inheritDoc}
     */
    public final void onAlert(
        final int ruleIndex,
        final long key,
        final long windowStart,
        final int field,
        final int op,
        final double observed,
        final double threshold)
    {
        alerts++;
        alert(ruleIndex, key, windowStart, field, op, observed, threshold);
    }

    public final void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
    {
        // resume requests are not journaled: a replay never sees one
    }

    abstract void eventResult(long clientId, long correlationId, long key, long timestamp, Aggregate aggregate);

    abstract void queryResult(
        long clientId, long correlationId, long key, boolean found, Aggregate open, Aggregate closed);

    abstract void rejected(long clientId, long correlationId, long key, int reason, int batchIndex);

    abstract void windowResult(long key, long windowEnd, Aggregate window);

    abstract void alert(
        int ruleIndex, long key, long windowStart, int field, int op, double observed, double threshold);

    /**
     * @param outputs the outputs of one replay's threads.
     * @return one line counting what they wrote: windows, alerts, per-event and query results, rejects by reason.
     */
    static String describe(final List<ReplayOutput> outputs)
    {
        long windows = 0;
        long alerts = 0;
        long eventResults = 0;
        long queryResults = 0;
        final long[] rejects = new long[RejectReason.LIMIT];
        for (final ReplayOutput output : outputs)
        {
            windows += output.windows;
            alerts += output.alerts;
            eventResults += output.eventResults;
            queryResults += output.queryResults;
            for (int reason = 0; reason < rejects.length; reason++)
            {
                rejects[reason] += output.rejects[reason];
            }
        }
        final StringBuilder line = new StringBuilder()
            .append(windows).append(" window results, ")
            .append(alerts).append(" alerts, ")
            .append(eventResults).append(" event results, ")
            .append(queryResults).append(" query results, rejects: ");
        boolean any = false;
        for (int reason = 0; reason < rejects.length; reason++)
        {
            if (rejects[reason] > 0)
            {
                line.append(any ? ", " : "").append(RejectReason.name(reason)).append(' ').append(rejects[reason]);
                any = true;
            }
        }
        return line.append(any ? "" : "none").toString();
    }

    /**
     * Flush and close the file.
     */
    public abstract void close();

    private static final class Csv extends ReplayOutput
    {
        private List<String> ruleNames;
        private final CsvWriter out;

        Csv(final OutputStream out, final List<String> ruleNames, final boolean header)
        {
            this.ruleNames = ruleNames;
            this.out = new CsvWriter(out, header ? CsvRows.HEADER : null);
        }

        void eventResult(
            final long clientId,
            final long correlationId,
            final long key,
            final long timestamp,
            final Aggregate aggregate)
        {
            CsvRows.event(out.row(), clientId, correlationId, key, timestamp, aggregate);
            out.endRow();
        }

        void queryResult(
            final long clientId,
            final long correlationId,
            final long key,
            final boolean found,
            final Aggregate open,
            final Aggregate closed)
        {
            CsvRows.query(out.row(), "query", clientId, correlationId, key, found, open);
            out.endRow();
            CsvRows.query(out.row(), "query-closed", clientId, correlationId, key, found, closed);
            out.endRow();
        }

        void rejected(
            final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
            CsvRows.reject(out.row(), clientId, correlationId, key, reason, batchIndex);
            out.endRow();
        }

        void windowResult(final long key, final long windowEnd, final Aggregate window)
        {
            CsvRows.window(out.row(), key, windowEnd, window);
            out.endRow();
        }

        void alert(
            final int ruleIndex,
            final long key,
            final long windowStart,
            final int field,
            final int op,
            final double observed,
            final double threshold)
        {
            CsvRows.alert(out.row(), ruleNames.get(ruleIndex), key, windowStart, field, op, observed, threshold);
            out.endRow();
        }

        void rulesChanged(final List<String> ruleNames, final byte[][] names, final int[] nameLengths)
        {
            this.ruleNames = ruleNames;
        }

        public void close()
        {
            out.close();
        }
    }

    private static final class Sbe extends ReplayOutput
    {
        private static final int LENGTH_PREFIX = Integer.BYTES;

        private final OutputStream out;
        private final EgressCodec codec;
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(512);

        Sbe(final OutputStream out, final List<String> ruleNames)
        {
            this.out = out;
            this.codec = new EgressCodec(ruleNames);
        }

        void rulesChanged(final List<String> ruleNames, final byte[][] names, final int[] nameLengths)
        {
            codec.ruleNames(names, nameLengths);
        }

        private void write(final int length)
        {
            buffer.putInt(0, length, ByteOrder.LITTLE_ENDIAN);
            try
            {
                out.write(buffer.byteArray(), 0, LENGTH_PREFIX + length);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        void eventResult(
            final long clientId,
            final long correlationId,
            final long key,
            final long timestamp,
            final Aggregate aggregate)
        {
            codec.eventResult(buffer, LENGTH_PREFIX, clientId, correlationId, key, timestamp, aggregate);
            write(EgressCodec.EVENT_RESULT_LENGTH);
        }

        void queryResult(
            final long clientId,
            final long correlationId,
            final long key,
            final boolean found,
            final Aggregate open,
            final Aggregate closed)
        {
            codec.queryResult(buffer, LENGTH_PREFIX, clientId, correlationId, key, found, open, closed);
            write(EgressCodec.QUERY_RESULT_LENGTH);
        }

        void rejected(
            final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
            codec.rejected(buffer, LENGTH_PREFIX, clientId, correlationId, key, reason, batchIndex, 0);
            write(EgressCodec.REJECTED_LENGTH);
        }

        void windowResult(final long key, final long windowEnd, final Aggregate window)
        {
            codec.windowResult(buffer, LENGTH_PREFIX, key, windowEnd, window);
            write(EgressCodec.WINDOW_RESULT_LENGTH);
        }

        void alert(
            final int ruleIndex,
            final long key,
            final long windowStart,
            final int field,
            final int op,
            final double observed,
            final double threshold)
        {
            final int length = codec.alertLength(ruleIndex);
            buffer.checkLimit(LENGTH_PREFIX + length);
            codec.alert(buffer, LENGTH_PREFIX, ruleIndex, key, windowStart, field, op, observed, threshold);
            write(length);
        }

        public void close()
        {
            try
            {
                out.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
