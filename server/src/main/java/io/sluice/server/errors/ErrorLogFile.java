package io.sluice.server.errors;

import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Sluice's own distinct error log, a memory-mapped file {@value #FILE_NAME} in the driver directory, for a daemon
 * that uses an external media driver (whose CnC error log belongs to that driver). {@code ./sluice errors} reads
 * it from another process; it is created afresh at each start and left in place at stop for a post-mortem.
 */
public final class ErrorLogFile implements AutoCloseable
{
    /** Name of the file in the driver directory. */
    public static final String FILE_NAME = "sluice-errors.dat";
    /** Bytes of the file. */
    public static final int LENGTH = 1024 * 1024;

    private final MappedByteBuffer mapped;
    private final DistinctErrorLog log;

    private ErrorLogFile(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        this.log = new DistinctErrorLog(new UnsafeBuffer(mapped), SystemEpochClock.INSTANCE, StandardCharsets.US_ASCII);
    }

    /**
     * @param driverDir the driver directory.
     * @return a fresh, empty log in it.
     */
    public static ErrorLogFile create(final String driverDir)
    {
        final File file = new File(driverDir, FILE_NAME);
        IoUtil.deleteIfExists(file);
        return new ErrorLogFile(IoUtil.mapNewFile(file, LENGTH));
    }

    /**
     * @return the log.
     */
    public DistinctErrorLog log()
    {
        return log;
    }

    /**
     * Unmap the file; it stays on disk.
     */
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
