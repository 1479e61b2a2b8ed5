package io.sluice.transport.stat;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.sluice.transport.daemon.SluiceCounters;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.PrintStream;
import java.nio.MappedByteBuffer;

/**
 * Prints a running daemon's Sluice counters (type ids from {@value SluiceCounters#TYPE_ID_BASE}) by reading its
 * media driver's CnC file, as AeronStat does for Aeron's own counters.
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
        final int[] printed = {0};
        final boolean found = read(driverDir, (reader) ->
        {
            out.printf("%-5s %-6s %20s  %s%n", "id", "type", "value", "label");
            reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (typeId >= SluiceCounters.TYPE_ID_BASE)
                {
                    out.printf("%-5d %-6d %,20d  %s%n", counterId, typeId, reader.getCounterValue(counterId), label);
                    printed[0]++;
                }
            });
        });
        if (!found)
        {
            out.println("sluice stat: no media driver at " + driverDir + " (is the daemon running? see sluice.driver.dir)");
            return -1;
        }
        return printed[0];
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

    private static boolean read(final String driverDir, final java.util.function.Consumer<CountersReader> action)
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
