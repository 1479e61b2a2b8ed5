package io.sluice.transport.replay;

import io.sluice.core.RejectReason;
import io.sluice.core.shard.ResultSink;
import io.sluice.core.state.Aggregate;
import io.sluice.transport.egress.EgressCodec;
import org.agrona.ExpandableDirectByteBuffer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a what-if run's outputs go: a file in one of two formats, counting what it wrote for the summary.
 * <ul>
 *     <li>{@link Format#CSV}: {@link CsvRows}' header and one row per output, for people;</li>
 *     <li>{@link Format#SBE}: the daemon's own egress messages, each as a little-endian int32 length and then the
 *     message (SBE message header and body) exactly as the daemon encodes it, readable with the shipped schema.
 *     Per-event results are single {@code EventResult} messages whatever mode the client asked for live (how the
 *     daemon grouped them into {@code EventResultBatch} frames depends on timing, not on the input).</li>
 * </ul>
 * A null file counts and writes nothing. One thread.
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

    private final OutputStream out;
    private long windows;
    private long alerts;
    private long eventResults;
    private long queryResults;
    private final long[] rejects = new long[RejectReason.LIMIT];

    ReplayOutput(final OutputStream out)
    {
        this.out = out;
    }

    /**
     * @param file      the file, or null to write nothing.
     * @param format    its format.
     * @param ruleNames the alert rules' names by index.
     * @param header    true to start a CSV file with its header (false for a part appended to another).
     * @return the output.
     */
    static ReplayOutput open(final Path file, final Format format, final List<String> ruleNames, final boolean header)
    {
        final OutputStream out = null == file ? null : newStream(file);
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

    final void write(final byte[] bytes, final int length)
    {
        if (null != out)
        {
            try
            {
                out.write(bytes, 0, length);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    final boolean writing()
    {
        return null != out;
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
    public void close()
    {
        if (null != out)
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

    private static final class Csv extends ReplayOutput
    {
        private final List<String> ruleNames;
        private final StringBuilder row = new StringBuilder(256);
        private byte[] bytes = new byte[256];

        Csv(final OutputStream out, final List<String> ruleNames, final boolean header)
        {
            super(out);
            this.ruleNames = ruleNames;
            if (header)
            {
                row.append(CsvRows.HEADER);
                flushRow();
            }
        }

        private void flushRow()
        {
            row.append('\n');
            final int length = row.length();
            if (bytes.length < length)
            {
                bytes = new byte[Math.max(length, 2 * bytes.length)];
            }
            for (int i = 0; i < length; i++)
            {
                bytes[i] = (byte)row.charAt(i);
            }
            write(bytes, length);
            row.setLength(0);
        }

        void eventResult(
            final long clientId, final long correlationId, final long key, final long timestamp, final Aggregate aggregate)
        {
            if (writing())
            {
                CsvRows.event(row, clientId, correlationId, key, timestamp, aggregate);
                flushRow();
            }
        }

        void queryResult(
            final long clientId,
            final long correlationId,
            final long key,
            final boolean found,
            final Aggregate open,
            final Aggregate closed)
        {
            if (writing())
            {
                CsvRows.query(row, "query", clientId, correlationId, key, found, open);
                flushRow();
                CsvRows.query(row, "query-closed", clientId, correlationId, key, found, closed);
                flushRow();
            }
        }

        void rejected(
            final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
            if (writing())
            {
                CsvRows.reject(row, clientId, correlationId, key, reason, batchIndex);
                flushRow();
            }
        }

        void windowResult(final long key, final long windowEnd, final Aggregate window)
        {
            if (writing())
            {
                CsvRows.window(row, key, windowEnd, window);
                flushRow();
            }
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
            if (writing())
            {
                CsvRows.alert(row, ruleNames.get(ruleIndex), key, windowStart, field, op, observed, threshold);
                flushRow();
            }
        }
    }

    private static final class Sbe extends ReplayOutput
    {
        private static final int LENGTH_PREFIX = Integer.BYTES;

        private final EgressCodec codec;
        private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(512);
        private final byte[] bytes = new byte[64 * 1024];

        Sbe(final OutputStream out, final List<String> ruleNames)
        {
            super(out);
            this.codec = new EgressCodec(ruleNames);
        }

        private void flush(final int length)
        {
            buffer.putInt(0, length, ByteOrder.LITTLE_ENDIAN);
            buffer.getBytes(0, bytes, 0, LENGTH_PREFIX + length);
            write(bytes, LENGTH_PREFIX + length);
        }

        void eventResult(
            final long clientId, final long correlationId, final long key, final long timestamp, final Aggregate aggregate)
        {
            codec.eventResult(buffer, LENGTH_PREFIX, clientId, correlationId, key, timestamp, aggregate);
            flush(EgressCodec.EVENT_RESULT_LENGTH);
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
            flush(EgressCodec.QUERY_RESULT_LENGTH);
        }

        void rejected(
            final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
            codec.rejected(buffer, LENGTH_PREFIX, clientId, correlationId, key, reason, batchIndex);
            flush(EgressCodec.REJECTED_LENGTH);
        }

        void windowResult(final long key, final long windowEnd, final Aggregate window)
        {
            codec.windowResult(buffer, LENGTH_PREFIX, key, windowEnd, window);
            flush(EgressCodec.WINDOW_RESULT_LENGTH);
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
            flush(length);
        }
    }
}
