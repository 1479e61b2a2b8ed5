package io.sluice.tools.stat;

import io.aeron.CncFileDescriptor;
import io.aeron.AeronCounters;
import io.aeron.CommonContext;
import io.aeron.cluster.service.Cluster;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.errors.ErrorLogFile;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.PrintStream;
import java.nio.MappedByteBuffer;
import java.time.Instant;
import java.util.Locale;

/**
 * Prints a running daemon's Sluice counters (type ids from {@value SluiceCounters#TYPE_ID_BASE}) by reading its
 * media driver's CnC file, as AeronStat does for Aeron's own counters; on a cluster node also the consensus
 * module's role (follower, candidate, leader), commit position, election count, snapshot count and leadership term.
 */
public final class SluiceStat
{
    private SluiceStat()
    {
    }

    /**
     * @param driverDir the daemon's media driver directory.
     * @param out       where to print.
     * @return the number of Sluice counters printed, or -1 when no driver runs there.
     */
    public static int print(final String driverDir, final PrintStream out)
    {
        final StatReading reading = StatReading.read(driverDir);
        if (null == reading)
        {
            out.println(noDriverMessage(driverDir));
            return -1;
        }
        return printTable(reading, out);
    }

    /**
     * @param driverDir the daemon's media driver directory.
     * @return the line {@code sluice stat} prints when no media driver (CnC file) is there.
     */
    public static String noDriverMessage(final String driverDir)
    {
        return "sluice stat: no media driver at " + driverDir + " (is the daemon running? see sluice.driver.dir)";
    }

    /**
     * Print a reading as {@code sluice stat} does: a header, then one line per counter with its id, type id, value
     * (grouped digits; the snapshot digest in hex, a cluster node's role by name) and label.
     *
     * @param reading the counters.
     * @param out     where to print.
     * @return the number of Sluice counters printed (the consensus module's not counted).
     */
    public static int printTable(final StatReading reading, final PrintStream out)
    {
        int printed = 0;
        out.printf("%-5s %-6s %20s  %s%n", "id", "type", "value", "label");
        for (final StatReading.Value value : reading.values())
        {
            final int typeId = value.entry().typeId();
            if (SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID == typeId)
            {
                out.printf("%-5d %-6d %20s  %s%n", value.counterId(), typeId, hex(value.value()), value.label());
            }
            else if (AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID == typeId)
            {
                out.printf("%-5d %-6d %20s  %s%n", value.counterId(), typeId,
                    roleName(value.value()) + " (" + value.value() + ")", value.label());
            }
            else
            {
                out.printf("%-5d %-6d %,20d  %s%n", value.counterId(), typeId, value.value(), value.label());
            }
            if (typeId >= SluiceCounters.TYPE_ID_BASE)
            {
                printed++;
            }
        }
        return printed;
    }

    /**
     * @param value a 64-bit value such as the snapshot digest.
     * @return its 16 hex digits, as {@code sluice snapshot} prints a digest.
     */
    public static String hex(final long value)
    {
        return String.format("%016x", value);
    }

    /**
     * @param role the value of a cluster node's role counter.
     * @return follower, candidate or leader.
     */
    public static String roleName(final long role)
    {
        return Cluster.Role.get(role).name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param driverDir the daemon's media driver directory.
     * @param typeId    a counter type id.
     * @return the sum of the values of the counters of that type, or -1 when no driver runs there.
     */
    public static long sum(final String driverDir, final int typeId)
    {
        final long[] total = {0};
        final boolean found = read(driverDir, (reader) -> reader.forEach((counterId, type, keyBuffer, label) ->
        {
            if (type == typeId)
            {
                total[0] += reader.getCounterValue(counterId);
            }
        }));
        return found ? total[0] : -1;
    }

    /**
     * Print the distinct errors a daemon recorded, with how often each occurred and when first and last: the
     * embedded media driver's error log (Sluice's errors and the driver's), and Sluice's own
     * {@value ErrorLogFile#FILE_NAME} when the daemon used an external driver.
     *
     * @param driverDir the daemon's media driver directory.
     * @param out       where to print.
     * @return the number of distinct errors printed, or -1 when neither log exists.
     */
    public static int printErrors(final String driverDir, final PrintStream out)
    {
        int distinct = -1;
        final File cncFile = CommonContext.newCncFile(driverDir);
        if (cncFile.exists())
        {
            final MappedByteBuffer cnc = IoUtil.mapExistingFile(cncFile, "cnc");
            try
            {
                out.println("media driver error log (" + cncFile + "):");
                distinct = CommonContext.printErrorLog(CommonContext.errorLogBuffer(cnc), out);
            }
            finally
            {
                IoUtil.unmap(cnc);
            }
        }
        final File sluiceFile = new File(driverDir, ErrorLogFile.FILE_NAME);
        if (sluiceFile.exists())
        {
            final MappedByteBuffer mapped = IoUtil.mapExistingFile(sluiceFile, "sluice errors");
            try
            {
                out.println("sluice error log (" + sluiceFile + "):");
                final int count = ErrorLogReader.read(new UnsafeBuffer(mapped), (observations, first, last, encoded) ->
                    out.printf("%,d observations from %s to %s for:%n %s%n", observations,
                        Instant.ofEpochMilli(first), Instant.ofEpochMilli(last), encoded));
                out.println(count + " distinct errors observed.");
                distinct = Math.max(0, distinct) + count;
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
        if (distinct < 0)
        {
            out.println("sluice errors: no media driver or error log at " + driverDir +
                " (is the daemon running? see sluice.driver.dir)");
        }
        return distinct;
    }

    /**
     * Run an action over a running daemon's counters (read, and write for control toggles).
     *
     * @param driverDir the daemon's media driver directory.
     * @param action    gets the counters while the CnC file is mapped.
     * @return false when no driver runs there.
     */
    public static boolean read(final String driverDir, final java.util.function.Consumer<CountersReader> action)
    {
        final File cncFile = CommonContext.newCncFile(driverDir);
        if (!cncFile.exists())
        {
            return false;
        }
        final MappedByteBuffer cnc = IoUtil.mapExistingFile(cncFile, "cnc");
        try
        {
            final UnsafeBuffer meta = CncFileDescriptor.createMetaDataBuffer(cnc);
            action.accept(new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(cnc, meta),
                CncFileDescriptor.createCountersValuesBuffer(cnc, meta)));
            return true;
        }
        finally
        {
            IoUtil.unmap(cnc);
        }
    }
}
