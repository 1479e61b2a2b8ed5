package io.sluice.core.shard;

import io.sluice.config.WaitStrategyType;
import io.sluice.core.logic.RecordingSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.ring.GroupOwnership;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.route.ShardRouter.Placement;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import io.sluice.core.state.StateDigest;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key-group placement of an appliance's processors: an appliance owning half the key groups keeps both its
 * processors busy only when they own key groups interleaved, and a snapshot written contiguous (a daemon before it
 * joined a topology) restores into interleaved processors key by key with the same state.
 */
class KeyGroupPlacementTest
{
    private static final long SEED = 0x5eedL;
    private static final int GROUPS = 4096;
    private static final int CAPACITY = 8192;
    private static final long T0 = 1_700_000_000_000_000_000L;

    private static ShardContext context(final Placement placement)
    {
        return new ShardContext().processorCount(2).stateCapacity(CAPACITY).keyGroupCount(GROUPS).hashSeed(SEED)
            .placement(placement).conclude();
    }

    @ParameterizedTest
    @EnumSource(Placement.class)
    void shouldPutTheEventsOfAnApplianceOwningGroups0To2047OnBothProcessorsOnlyWhenInterleaved(final Placement placement)
    {
        final ShardContext ctx = context(placement);
        assertEquals(placement, ctx.router().placement());
        final SluiceRing ring = new SluiceRing(16_384, WaitStrategyType.SLEEPING);
        final RingProducer producer = ctx.newProducer(ring, new TestCounters().counter("ticks"));
        final BitSet owned = new BitSet(GROUPS);
        owned.set(0, 2048);
        final GroupOwnership ownership = new GroupOwnership(GROUPS);
        ownership.assign(1, owned);
        producer.ownership(ownership);
        final ShardCounters[] counters = ShardCounters.standalone(2);
        final RecordingSink sink = new RecordingSink();
        final ShardProcessor[] processors = ctx.newProcessors((shard) -> sink, (shard) -> counters[shard], null);

        final ShardRouter router = ctx.router();
        int offered = 0;
        for (long key = 0; key < 6_000; key++)
        {
            final int group = router.keyGroup(router.hash(key));
            final int code = producer.offerEvent(1, key + 1, key, T0, 1.0, 0);
            assertEquals(group < 2048 ? RingProducer.OFFERED : io.sluice.core.RejectReason.NOT_OWNER, code);
            offered += RingProducer.OFFERED == code ? 1 : 0;
        }
        final long[] events = new long[2];
        final long cursor = ring.ringBuffer().getCursor();
        for (long sequence = 0; sequence <= cursor; sequence++)
        {
            final RingEntry entry = ring.entry(sequence);
            if (RingEntry.TYPE_EVENT == entry.type())
            {
                final int group = router.keyGroup(router.hash(entry.key()));
                assertEquals(Placement.INTERLEAVED == placement ? group % 2 : group * 2 / GROUPS, entry.shard());
                events[entry.shard()]++;
            }
            for (final ShardProcessor processor : processors)
            {
                processor.onEvent(entry, sequence, sequence == cursor);
            }
        }
        assertTrue(offered > 2_500 && offered < 3_500, "events of owned groups: " + offered);
        assertEquals(offered, events[0] + events[1]);
        assertEquals(events[0], processors[0].logic().keys(), "one event per key");
        assertEquals(events[1], processors[1].logic().keys());
        if (Placement.INTERLEAVED == placement)
        {
            assertTrue(events[0] > 0 && events[1] > 0, "both processors busy: " + events[0] + ", " + events[1]);
            assertTrue(Math.abs(events[0] - events[1]) < offered / 10, events[0] + " vs " + events[1]);
        }
        else
        {
            assertEquals(offered, events[0], "contiguous: processor 0 owns groups 0-2047, the appliance's all");
            assertEquals(0, events[1], "contiguous: processor 1 owns groups 2048-4095 and sits idle");
        }
    }

    @Test
    void shouldRestoreASnapshotWrittenContiguousIntoInterleavedProcessorsWithTheSameDigestAndAggregates(
        @TempDir final Path dir)
    {
        final ShardContext before = context(Placement.CONTIGUOUS);
        final RecordingSink expected = new RecordingSink();
        final ShardProcessor[] written = processors(before, expected);
        final RingEntry entry = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0);
        final Random random = new Random(24);
        for (int i = 0; i < 20_000; i++)
        {
            final long key = (i % 3_000) * 7_919L - 1_000_000L;
            entry.clear().event(before.router().shard(key, 2), 1, i + 1, key, T0 + i, random.nextInt(1000) / 8.0, 0);
            written[entry.shard()].onEntry(entry);
        }
        final ShardSnapshot[] parts = { new ShardSnapshot(), new ShardSnapshot() };
        for (int shard = 0; shard < 2; shard++)
        {
            written[shard].logic().snapshotTo(shard, 9, parts[shard]);
        }
        final SnapshotStore store = new SnapshotStore(dir);
        final SnapshotManifest manifest = store.write(parts, new ProducerSnapshot().set(9, false, T0, T0, T0), 1, 0,
            before.router(), before.fingerprint(), 1);
        assertEquals(Placement.CONTIGUOUS, manifest.placement());
        assertEquals(List.of(manifest), store.complete(), "the manifest reads back with its placement");

        final ShardContext after = context(Placement.INTERLEAVED);
        assertEquals(before.fingerprint(), after.fingerprint(), "the placement is not a setting that shapes state");
        final RecordingSink actual = new RecordingSink();
        final ShardProcessor[] restored = processors(after, actual);
        final KeyGroupRestore.Result result = KeyGroupRestore.restore(
            (shard, into) -> store.loadShard(manifest, shard, into), manifest.shardCount(), manifest.placement(),
            new ShardSnapshot(), after.router(), restored, CAPACITY);
        final long keys = written[0].logic().keys() + written[1].logic().keys();
        assertEquals(3_000, keys);
        assertEquals(new KeyGroupRestore.Result(2, 2, Placement.CONTIGUOUS, Placement.INTERLEAVED, keys,
            result.durationNs()), result);
        assertEquals("placed key groups interleaved over 2 processors (the snapshot's were contiguous): 3,000 keys " +
            "moved in " + result.durationNs() / 1_000_000 + " ms", result.describe(CAPACITY, CAPACITY));
        assertEquals(manifest.digest(), StateDigest.combine(restored[0].digest(), restored[1].digest()));
        assertTrue(restored[0].logic().keys() > 1_000 && restored[1].logic().keys() > 1_000);

        expected.results.clear();
        assertEquals(List.of(), actual.results);
        for (int k = 0; k < 3_000; k++)
        {
            final long key = k * 7_919L - 1_000_000L;
            entry.clear().query(before.router().shard(key, 2), 1, 100_000 + k, key, 0);
            written[entry.shard()].onEntry(entry);
            entry.clear().query(after.router().shard(key, 2), 1, 100_000 + k, key, 0);
            restored[entry.shard()].onEntry(entry);
        }
        assertEquals(3_000, expected.results.size());
        assertTrue(expected.results.stream().allMatch((r) -> r.count() > 0), "every key found");
        assertEquals(expected.results, actual.results, "every key's aggregate, in its interleaved owner");

        final ShardSnapshot[] again = { new ShardSnapshot(), new ShardSnapshot() };
        for (int shard = 0; shard < 2; shard++)
        {
            restored[shard].logic().snapshotTo(shard, 10, again[shard]);
        }
        final SnapshotManifest interleaved = store.write(again, new ProducerSnapshot().set(10, false, T0, T0, T0), 1,
            0, after.router(), after.fingerprint(), 2);
        assertEquals(Placement.INTERLEAVED, interleaved.placement());
        assertEquals(Placement.INTERLEAVED, store.complete().get(0).placement());
        assertEquals(manifest.digest(), interleaved.digest());
    }

    private static ShardProcessor[] processors(final ShardContext ctx, final RecordingSink sink)
    {
        final ShardCounters[] counters = ShardCounters.standalone(2);
        return ctx.newProcessors((shard) -> sink, (shard) -> counters[shard], null);
    }
}
