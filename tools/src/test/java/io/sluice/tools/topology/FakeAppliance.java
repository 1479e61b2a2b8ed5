package io.sluice.tools.topology;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.topology.TopologyRequests;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A topology appliance as {@code sluice topology} sees it on this host: a CnC file in a temporary driver directory
 * with the daemon's topology counters, and a thread that answers move steps as the daemon does (the request file,
 * the result counter, the result or refusal file) and keeps the daemon's rules: an epoch not above its own is
 * refused, a release of a range not wholly owned, an acquire of a range not wholly unowned.
 */
final class FakeAppliance implements AutoCloseable
{
    private static final int COUNTERS = 32;

    private final Path dir;
    private final MappedByteBuffer cnc;
    private final CountersManager counters;
    private final int request;
    private final int result;
    private final int epoch;
    private final int owned;
    private final int released;
    private final int acquired;
    private final BitSet groups = new BitSet();
    private final List<TopologyRequests.Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile String refuseAcquire;
    private volatile boolean silentAcquires;
    private volatile boolean applyAcquiresSilently;
    private long handled;
    private volatile boolean running = true;

    /**
     * @param dir   the driver directory (created).
     * @param epoch the appliance's epoch.
     * @param first first group it owns.
     * @param last  last group it owns.
     */
    FakeAppliance(final Path dir, final long epoch, final int first, final int last)
    {
        this.dir = dir;
        final int metaLength = COUNTERS * CountersReader.METADATA_LENGTH;
        final int valuesLength = COUNTERS * CountersReader.COUNTER_LENGTH;
        final int other = 4096;
        final File file = CommonContext.newCncFile(dir.toString());
        IoUtil.ensureDirectoryExists(dir.toFile(), "driver dir");
        cnc = IoUtil.mapNewFile(file,
            CncFileDescriptor.computeCncFileLength(3 * other + metaLength + valuesLength, 4096));
        final UnsafeBuffer meta = CncFileDescriptor.createMetaDataBuffer(cnc);
        CncFileDescriptor.fillMetaData(meta, other, other, metaLength, valuesLength,
            TimeUnit.SECONDS.toNanos(10), other, System.currentTimeMillis(), ProcessHandle.current().pid(), 4096);
        CncFileDescriptor.signalCncReady(meta);
        counters = new CountersManager(CncFileDescriptor.createCountersMetaDataBuffer(cnc, meta),
            CncFileDescriptor.createCountersValuesBuffer(cnc, meta));
        request = add(SluiceCounters.TOPOLOGY_REQUEST_TYPE_ID, "sluice topology request");
        result = add(SluiceCounters.TOPOLOGY_RESULT_TYPE_ID, "sluice topology result");
        this.epoch = add(SluiceCounters.TOPOLOGY_EPOCH_TYPE_ID, "sluice topology epoch");
        owned = add(SluiceCounters.TOPOLOGY_OWNED_GROUPS_TYPE_ID, "sluice topology owned key groups");
        released = add(SluiceCounters.TOPOLOGY_MOVES_RELEASED_TYPE_ID, "sluice topology moves released");
        acquired = add(SluiceCounters.TOPOLOGY_MOVES_ACQUIRED_TYPE_ID, "sluice topology moves acquired");
        counters.setCounterValue(this.epoch, epoch);
        groups.set(first, last + 1);
        counters.setCounterValue(owned, groups.cardinality());
        thread = new Thread(this::answer, "fake-appliance-" + dir.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @param dir where the appliances' driver directories ({@code a}, {@code b}) and the slice directory
     *            ({@code slices}) are.
     * @return a topology file at epoch 1 of two appliances on this host, a owning 0-2047 and b 2048-4095 of 4096
     * key groups.
     */
    static String twoAppliances(final Path dir)
    {
        return "epoch=1\nkey-groups=4096\nhash-seed=0x5eed\nslice-dir=" + dir.resolve("slices") + "\n" +
            "appliances=a,b\n" +
            "appliance.a.ingress=aeron:udp?endpoint=localhost:20120\n" +
            "appliance.a.egress=aeron:udp?endpoint=localhost:20121\n" +
            "appliance.a.aeron-dir=" + dir.resolve("a") + "\n" +
            "appliance.a.groups=0-2047\n" +
            "appliance.b.ingress=aeron:udp?endpoint=localhost:20220\n" +
            "appliance.b.egress=aeron:udp?endpoint=localhost:20221\n" +
            "appliance.b.aeron-dir=" + dir.resolve("b") + "\n" +
            "appliance.b.groups=2048-4095\n";
    }

    /**
     * @param reason from now on every acquire is refused with this reason.
     */
    void refuseAcquires(final String reason)
    {
        refuseAcquire = reason;
    }

    /**
     * From now on an acquire is never taken: its request stays pending until the tool withdraws it.
     */
    void ignoreAcquires()
    {
        silentAcquires = true;
    }

    /**
     * From now on an acquire is applied (epoch, groups) but never answered, as by a daemon that took it and then
     * stalled.
     */
    void applyAcquiresWithoutAnswer()
    {
        applyAcquiresSilently = true;
    }

    List<TopologyRequests.Request> requests()
    {
        return List.copyOf(requests);
    }

    long epoch()
    {
        return counters.getCounterValue(epoch);
    }

    int ownedGroups()
    {
        return groups.cardinality();
    }

    @Override
    public void close() throws InterruptedException
    {
        running = false;
        thread.join();
        IoUtil.unmap(cnc);
    }

    private int add(final int typeId, final String label)
    {
        return counters.allocate(label, typeId, (buffer) -> buffer.putInt(0, SluiceCounters.NO_KEY));
    }

    private void answer()
    {
        while (running)
        {
            final long id = counters.getCounterValue(request);
            if (0 == id || id == handled)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            final TopologyRequests.Request step;
            try
            {
                step = TopologyRequests.readRequest(TopologyRequests.requestFile(dir, id));
            }
            catch (final java.io.UncheckedIOException ex)
            {
                continue; // a request the tool withdrew (and deleted) while an ignored one stayed pending
            }
            final boolean acquire = TopologyRequests.ACQUIRE.equals(step.action());
            if (acquire && silentAcquires)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            handled = id;
            requests.add(step);
            final String refusal = refusal(step);
            if (null != refusal)
            {
                TopologyRequests.refuse(dir, id, refusal, (ex) -> { });
                counters.setCounterValue(request, 0);
                counters.setCounterValue(result, -id);
                continue;
            }
            final boolean release = TopologyRequests.RELEASE.equals(step.action());
            if (release)
            {
                groups.clear(step.firstGroup(), step.lastGroup() + 1);
            }
            else
            {
                groups.set(step.firstGroup(), step.lastGroup() + 1);
            }
            counters.setCounterValue(epoch, step.epoch());
            counters.setCounterValue(owned, groups.cardinality());
            counters.setCounterValue(release ? released : acquired, counters.getCounterValue(
                release ? released : acquired) + 1);
            if (acquire && applyAcquiresSilently)
            {
                continue;
            }
            final int size = step.lastGroup() - step.firstGroup() + 1;
            TopologyRequests.writeResult(dir, id, new TopologyRequests.Result(step.action(), step.epoch(),
                step.moveId(), 10L * size, 1000L * size, release ? 4096 : 8192, 2_500_000));
            counters.setCounterValue(request, 0);
            counters.setCounterValue(result, id);
        }
    }

    private String refusal(final TopologyRequests.Request step)
    {
        if (step.epoch() <= counters.getCounterValue(epoch))
        {
            return "epoch " + step.epoch() + " is not above this appliance's " + counters.getCounterValue(epoch);
        }
        final int clear = groups.nextClearBit(step.firstGroup());
        final int set = groups.nextSetBit(step.firstGroup());
        if (TopologyRequests.RELEASE.equals(step.action()) && clear <= step.lastGroup())
        {
            return "groups " + step.groups() + " are not all owned here: " + clear + " is not";
        }
        if (TopologyRequests.ACQUIRE.equals(step.action()))
        {
            if (set >= 0 && set <= step.lastGroup())
            {
                return "groups " + step.groups() + " are not all unowned here: " + set + " is owned";
            }
            if (null != refuseAcquire)
            {
                return refuseAcquire;
            }
        }
        return null;
    }
}
