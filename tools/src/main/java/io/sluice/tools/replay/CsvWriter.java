package io.sluice.tools.replay;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes CSV rows of US-ASCII text to a stream: a row is built in a reused {@link StringBuilder} ({@link #row()}),
 * then {@link #endRow()} writes it with its newline through a reused byte array. One thread.
 */
final class CsvWriter implements AutoCloseable
{
    private final OutputStream out;
    private final StringBuilder row = new StringBuilder(256);
    private byte[] bytes = new byte[256];

    /**
     * @param out    where the rows go; closed by {@link #close()}.
     * @param header the header row, or null for none (a part appended to another file).
     */
    CsvWriter(final OutputStream out, final String header)
    {
        this.out = out;
        if (null != header)
        {
            row.append(header);
            endRow();
        }
    }

    /**
     * @return the row being built, empty after each {@link #endRow()}.
     */
    StringBuilder row()
    {
        return row;
    }

    /**
     * Write the row built so far, with a newline, and start an empty one.
     */
    void endRow()
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
        try
        {
            out.write(bytes, 0, length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        row.setLength(0);
    }

    /**
     * Flush and close the stream.
     */
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
