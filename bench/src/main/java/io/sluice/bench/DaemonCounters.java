package io.sluice.bench;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import org.agrona.IoUtil;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * A running daemon's counters, read from its media driver's CnC file mapped once for the whole run (the benchmark
 * samples them every millisecond during a step). Sums every counter of a type, e.g. the processed counters of all
 * processors. Control thread only.
 */
final class DaemonCounters implements AutoCloseable
{
    private final MappedByteBuffer cnc;
    private final CountersReader reader;
    private final Int2ObjectHashMap<int[]> idsByType = new Int2ObjectHashMap<>();

    /**
     * @param driverDir the daemon's media driver directory; its CnC file must exist.
     */
    DaemonCounters(final String driverDir)
    {
        final File cncFile = CommonContext.newCncFile(driverDir);
        if (!cncFile.exists())
        {
            throw new IllegalStateException("no media driver at " + driverDir);
        }
        cnc = IoUtil.mapExistingFile(cncFile, "cnc");
        final UnsafeBuffer meta = CncFileDescriptor.createMetaDataBuffer(cnc);
        reader = new CountersReader(
            CncFileDescriptor.createCountersMetaDataBuffer(cnc, meta),
            CncFileDescriptor.createCountersValuesBuffer(cnc, meta));
    }

    /**
     * @param typeId a counter type id.
     * @return the sum of the values of the counters of that type; which counters those are is looked up on the
     * first call for the type (the daemon allocates its counters at start-up).
     */
    long sum(final int typeId)
    {
        final int[] ids = idsByType.computeIfAbsent(typeId, this::lookUp);
        long total = 0;
        for (final int id : ids)
        {
            total += reader.getCounterValue(id);
        }
        return total;
    }

    private int[] lookUp(final int typeId)
    {
        final IntArrayList ids = new IntArrayList();
        reader.forEach((counterId, type, keyBuffer, label) ->
        {
            if (type == typeId)
            {
                ids.addInt(counterId);
            }
        });
        return ids.toIntArray();
    }

    /**
     * Unmap the CnC file.
     */
    public void close()
    {
        IoUtil.unmap(cnc);
    }
}
