package io.sluice.tools.stat;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Counters in on-heap buffers laid out as in a CnC file, for readings with known values.
 */
final class TestCounters
{
    private final CountersManager manager = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * CountersReader.METADATA_LENGTH)),
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * CountersReader.COUNTER_LENGTH)));

    /**
     * @return the new counter's id.
     */
    int add(final int typeId, final int key, final String label, final long value)
    {
        final int id = manager.allocate(label, typeId, (buffer) -> buffer.putInt(0, key));
        manager.setCounterValue(id, value);
        return id;
    }

    void set(final int counterId, final long value)
    {
        manager.setCounterValue(counterId, value);
    }

    StatReading read(final Instant timestamp, final long nanoTime)
    {
        return StatReading.of(manager, timestamp, nanoTime);
    }
}
