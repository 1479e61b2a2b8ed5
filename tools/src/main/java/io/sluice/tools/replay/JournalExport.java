package io.sluice.tools.replay;

import io.sluice.core.ring.RingEntry;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code sluice journal export}: the recorded input itself, the events the daemon accepted in the order it
 * sequenced them, to a file that takes history elsewhere:
 * <ul>
 *     <li>CSV: {@code seq,position,client_id,correlation_id,key,timestamp,value}: {@code seq} counts the exported
 *     events from 0 in ingress order, {@code position} is the journal position of the message holding the event,
 *     {@code timestamp} its event time in epoch ns;</li>
 *     <li>SBE: each event as the schema's {@code Event} message (header and body), after a little-endian int32
 *     length, in ingress order: a client can offer the file's messages to another daemon as they are.</li>
 * </ul>
 * Rejected input, queries and ticks are not exported (the summary counts them).
 */
public final class JournalExport
{
    /** The CSV header. */
    public static final String CSV_HEADER = "seq,position,client_id,correlation_id,key,timestamp,value";

    private JournalExport()
    {
    }

    /**
     * Export.
     *
     * @param journalDir            the journal.
     * @param driverDir             where a live daemon's counters are read.
     * @param fromBound             {@code --from}, or null.
     * @param toBound               {@code --to}, or null.
     * @param out                   the file.
     * @param format                its format.
     * @param maxReadMibPerSecond   bound on journal reads in MiB/s, 0 for none, -1 for the default.
     * @param log                   where the summary goes.
     * @return events exported.
     */
    public static long export(
        final Path journalDir,
        final String driverDir,
        final String fromBound,
        final String toBound,
        final Path out,
        final ReplayOutput.Format format,
        final long maxReadMibPerSecond,
        final PrintStream log)
    {
        final JournalInput input = JournalInput.open(journalDir, driverDir);
        final long readBound = input.readBound(maxReadMibPerSecond);
        final long[] range = input.range("--from", fromBound, "--to", toBound, readBound);
        final long from = range[0];
        final long to = range[1];
        final long[] counts = new long[2];
        final UnsafeBuffer message = new UnsafeBuffer(new byte[Integer.BYTES + MessageHeaderEncoder.ENCODED_LENGTH +
            EventEncoder.BLOCK_LENGTH]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final EventEncoder event = new EventEncoder();
        final long startNs = System.nanoTime();
        final long end;
        try (OutputStream file = ReplayOutput.newStream(out))
        {
            final CsvWriter csv = ReplayOutput.Format.CSV == format ? new CsvWriter(file, CSV_HEADER) : null;
            end = input.read(from, to, readBound, (buffer, offset, position) ->
            {
                if (RingEntry.TYPE_EVENT != buffer.getInt(offset + RingEntry.TYPE_OFFSET))
                {
                    counts[1]++;
                    return;
                }
                final long clientId = buffer.getLong(offset + RingEntry.CLIENT_ID_OFFSET);
                final long correlationId = buffer.getLong(offset + RingEntry.CORRELATION_ID_OFFSET);
                final long key = buffer.getLong(offset + RingEntry.KEY_OFFSET);
                final long timestamp = buffer.getLong(offset + RingEntry.TIMESTAMP_OFFSET);
                final double value = buffer.getDouble(offset + RingEntry.VALUE_OFFSET);
                try
                {
                    if (ReplayOutput.Format.CSV == format)
                    {
                        final StringBuilder row = csv.row().append(counts[0]).append(',').append(position).append(',')
                            .append(clientId).append(',').append(correlationId).append(',').append(key).append(',')
                            .append(timestamp).append(',');
                        CsvRows.appendDouble(row, value);
                        csv.endRow();
                    }
                    else
                    {
                        event.wrapAndApplyHeader(message, Integer.BYTES, header)
                            .clientId(clientId)
                            .correlationId(correlationId)
                            .key(key)
                            .timestamp(timestamp)
                            .value(value);
                        final int length = MessageHeaderEncoder.ENCODED_LENGTH + event.encodedLength();
                        message.putInt(0, length, ByteOrder.LITTLE_ENDIAN);
                        file.write(message.byteArray(), 0, Integer.BYTES + length);
                    }
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
                counts[0]++;
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + out, ex);
        }
        log.println(String.format(Locale.ROOT, "sluice journal export: %,d events from journal position %,d to %,d " +
            "in %.2f s to %s (%s); %,d other entries (rejected input, queries, ticks, markers) not exported",
            counts[0], from, end, (System.nanoTime() - startNs) / 1e9, out, format.name().toLowerCase(Locale.ROOT),
            counts[1]));
        return counts[0];
    }
}
