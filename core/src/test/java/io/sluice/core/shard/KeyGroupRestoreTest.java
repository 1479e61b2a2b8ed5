package io.sluice.core.shard;

import io.sluice.config.ConfigurationException;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.replay.JournalFeed;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.route.ShardRouter;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.snapshot.SnapshotParts;
import io.sluice.core.state.Aggregate;
import io.sluice.core.window.WindowSpec;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Key groups and the rescale at restart, in the core: the state digest of the same journal is the same through 1, 2,
 * 3 or 4 processors and any capacity (windows, eviction and running aggregates alike); a snapshot taken under one
 * processor count restores key by key into another ({@link KeyGroupRestore}) with its digest, and the journal after
 * it then gives exactly the state and the window results of a run under the new count from the start; a capacity
 * too small is refused naming both numbers; a part's key-group index (and a version 1 part without one) finds every
 * key of a group.
 */
class KeyGroupRestoreTest
{
    private static final long MS = 1_000_000L;
    private static final long SEED = 0x5EED_0022L;
    private static final long T0 = 1_700_000_000_000L * MS;
    private static final WindowSpec SPEC = WindowSpec.of(100 * MS, 50 * MS, 20 * MS);
    private static final int EVENTS = 24_000;
    private static final Journal JOURNAL = journal();

    private record Journal(ExpandableArrayBuffer entries, int count, int half)
    {
    }

    /**
     * Events of 3,000 keys (negative keys included) over about 2.4 s of event time, out of order by up to 10 ms,
     * values multiples of 1/1024; a tick first, then one every 40 events 20 ms behind the newest time (as the
     * producer ticks). A third of the keys stop after
     * the first quarter (others take their place), so with eviction they are removed.
     */
    private static Journal journal()
    {
        final Random random = new Random(22);
        final ExpandableArrayBuffer entries = new ExpandableArrayBuffer(1 << 22);
        final RingEntry entry = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0);
        long newest = T0;
        int count = 0;
        int half = 0;
        entry.clear().tick(T0 - 20 * MS, 0);
        entries.putBytes(count++ * RingEntry.LENGTH, entry.buffer(), 0, RingEntry.LENGTH);
        for (int i = 0; i < EVENTS; i++)
        {
            newest += random.nextInt(200_000);
            final int k = random.nextInt(3_000);
            final long key = i > EVENTS / 4 && k < 1_000 ? 1_000 + k * 2L : (k * 7_919L) - 4_000_000L;
            final long timestamp = newest - random.nextInt(10) * MS;
            entry.clear().event(0, 1, i, key, timestamp, random.nextInt(4096) / 1024.0, 0);
            entries.putBytes(count++ * RingEntry.LENGTH, entry.buffer(), 0, RingEntry.LENGTH);
            if (i % 40 == 39)
            {
                entry.clear().tick(newest - 20 * MS, 0);
                entries.putBytes(count++ * RingEntry.LENGTH, entry.buffer(), 0, RingEntry.LENGTH);
            }
            if (i == EVENTS / 2)
            {
                half = count;
            }
        }
        return new Journal(entries, count, half);
    }

    private static ShardContext context(final int processors, final int capacity, final boolean windows)
    {
        return new ShardContext()
            .processorCount(processors)
            .stateCapacity(capacity)
            .hashSeed(SEED)
            .windowSpec(windows ? SPEC : null)
            .evictAfterWindows(windows ? 2 : 0)
            .conclude();
    }

    /**
     * Processors of one configuration, fed journal entries routed by key group.
     */
    private static final class Run
    {
        final ShardContext ctx;
        final ShardCounters[] counters;
        final ShardProcessor[] processors;
        final JournalFeed feed;
        final TreeSet<String> windows = new TreeSet<>();

        Run(final int processorCount, final int capacity, final boolean withWindows)
        {
            ctx = context(processorCount, capacity, withWindows);
            counters = ShardCounters.standalone(processorCount);
            final ResultSink sink = new WindowCollector(windows);
            processors = ctx.newProcessors((shard) -> sink, (shard) -> counters[shard], null);
            feed = new JournalFeed(processors, JournalFeed.rehash(ctx.router()));
        }

        Run feed(final int from, final int to)
        {
            for (int i = from; i < to; i++)
            {
                feed.apply(JOURNAL.entries(), i * RingEntry.LENGTH, 0);
            }
            return this;
        }

        long digest()
        {
            final long[] digests = new long[processors.length];
            for (int i = 0; i < processors.length; i++)
            {
                digests[i] = processors[i].digest();
            }
            return io.sluice.core.state.StateDigest.combine(digests);
        }

        long keys()
        {
            long keys = 0;
            for (final ShardProcessor processor : processors)
            {
                keys += processor.logic().keys();
            }
            return keys;
        }

        long evictions()
        {
            long evictions = 0;
            for (final ShardCounters counter : counters)
            {
                evictions += counter.evictions().get();
            }
            return evictions;
        }

        /**
         * @return each shard's part as its bytes (version 2, indexed by key group), shard i at index i.
         */
        ByteBuffer[] parts()
        {
            final ByteBuffer[] parts = new ByteBuffer[processors.length];
            for (int i = 0; i < processors.length; i++)
            {
                final ShardSnapshot part = new ShardSnapshot();
                processors[i].logic().snapshotTo(i, 7, part);
                part.indexGroups(ctx.router());
                parts[i] = concatenate(SnapshotParts.shardPart(part));
            }
            return parts;
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void shouldGiveTheSameStateDigestWhateverTheProcessorCountAndCapacity(final boolean windows)
    {
        final Run reference = new Run(2, 4096, windows).feed(0, JOURNAL.count());
        assertNotEquals(0, reference.digest());
        assertTrue(reference.keys() > 1_000, "keys held at the end: " + reference.keys());
        if (windows)
        {
            assertTrue(reference.evictions() >= 1_000, "the keys that went quiet were evicted: " +
                reference.evictions());
        }
        for (int processors = 1; processors <= 4; processors++)
        {
            for (final int capacity : new int[]{ 4096, 16384 })
            {
                final Run run = new Run(processors, capacity, windows).feed(0, JOURNAL.count());
                assertEquals(reference.digest(), run.digest(), processors + " processors, capacity " + capacity);
                assertEquals(reference.windows, run.windows, "window results");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 3, 4 })
    void shouldRestoreASnapshotIntoAnotherProcessorCountAndReplayToTheStateOfARunUnderIt(final int processorCount)
    {
        final Run before = new Run(2, 4096, true).feed(0, JOURNAL.half());
        final long digestAtSnapshot = before.digest();
        final ByteBuffer[] parts = before.parts();

        final Run after = new Run(processorCount, 4096, true);
        final KeyGroupRestore.Result result = KeyGroupRestore.restore(
            (shard, into) -> SnapshotParts.readShardPart(parts[shard].duplicate(), into, "part " + shard),
            parts.length, new ShardSnapshot(), after.ctx.router(), after.processors, 4096);
        assertEquals(new KeyGroupRestore.Result(2, processorCount, ShardRouter.Placement.CONTIGUOUS,
            ShardRouter.Placement.CONTIGUOUS, before.keys(), result.durationNs()), result);
        assertEquals(digestAtSnapshot, after.digest(), "the restore keeps every key's slot");
        for (int shard = 0; shard < processorCount; shard++)
        {
            assertEquals(((io.sluice.core.window.WindowEngine)before.processors[0].logic()).watermark(),
                ((io.sluice.core.window.WindowEngine)after.processors[shard].logic()).watermark());
        }

        after.feed(JOURNAL.half(), JOURNAL.count());
        final Run straight = new Run(processorCount, 4096, true).feed(0, JOURNAL.half());
        straight.windows.clear();
        straight.feed(JOURNAL.half(), JOURNAL.count());
        assertEquals(straight.digest(), after.digest(), "the journal after the snapshot, routed by key group now");
        assertEquals(straight.windows, after.windows, "the window results after the snapshot");
        assertTrue(after.windows.size() > 1_000, "windows closed after the restore: " + after.windows.size());
    }

    @Test
    void shouldRefuseACapacityTooSmallForAShardNamingBothNumbers()
    {
        final Run before = new Run(2, 4096, false).feed(0, JOURNAL.count());
        final ByteBuffer[] parts = before.parts();
        final ShardRouter router = before.ctx.router();
        final int[] perShard = new int[4];
        for (final ShardProcessor processor : before.processors)
        {
            final ShardSnapshot part = new ShardSnapshot();
            processor.logic().snapshotTo(0, 0, part);
            part.indexGroups(router);
            for (int group = 0; group < router.keyGroupCount(); group++)
            {
                perShard[router.owner(group, 4)] += part.groupSize(group);
            }
        }
        assertTrue(perShard[0] > 512);

        final Run after = new Run(4, 512, false);
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> KeyGroupRestore.restore(
            (shard, into) -> SnapshotParts.readShardPart(parts[shard].duplicate(), into, "part " + shard),
            parts.length, new ShardSnapshot(), router, after.processors, 512));
        assertEquals(String.format(Locale.ROOT, "sluice.state.capacity=512 is too small: after rescaling from 2 to " +
            "4 processors shard 0 would hold %,d keys", perShard[0]), ex.getMessage());
    }

    @Test
    void shouldIndexEveryKeyOfAPartByItsGroupAndReadAVersionOnePartByWalkingItsTable()
    {
        final Run run = new Run(3, 4096, true).feed(0, JOURNAL.count());
        final ShardRouter router = run.ctx.router();
        for (int shard = 0; shard < 3; shard++)
        {
            final ShardSnapshot part = new ShardSnapshot();
            run.processors[shard].logic().snapshotTo(shard, 7, part);
            part.indexGroups(router);
            final ByteBuffer[] sections = SnapshotParts.shardPart(part);
            final ShardSnapshot v2 = new ShardSnapshot();
            SnapshotParts.readShardPart(concatenate(sections), v2, "v2");
            final ShardSnapshot v1 = new ShardSnapshot();
            SnapshotParts.readShardPart(versionOne(sections), v1, "v1");
            assertEquals(0, v1.keyGroupCount(), "a version 1 part has no index");
            v1.indexGroups(router);
            assertEquals(part.digest(), v1.digest());

            int keys = 0;
            for (int group = 0; group < router.keyGroupCount(); group++)
            {
                final List<Long> fromV2 = keysOf(v2, group);
                assertEquals(keysOf(v1, group), fromV2, "group " + group);
                for (final long key : fromV2)
                {
                    assertEquals(group, router.keyGroup(router.hash(key)));
                    assertEquals(shard, router.shard(key, 3));
                }
                keys += fromV2.size();
            }
            assertEquals(run.processors[shard].logic().keys(), keys);
            assertEquals(keys, v2.indexedKeys());
        }
    }

    @Test
    void shouldReadOneKeyGroupFromAPartFileWithoutTheRest(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
    {
        final Run run = new Run(2, 4096, true).feed(0, JOURNAL.count());
        final ShardRouter router = run.ctx.router();
        final ShardSnapshot[] parts = new ShardSnapshot[2];
        for (int shard = 0; shard < 2; shard++)
        {
            parts[shard] = new ShardSnapshot();
            run.processors[shard].logic().snapshotTo(shard, 9, parts[shard]);
        }
        final io.sluice.core.snapshot.SnapshotStore store = new io.sluice.core.snapshot.SnapshotStore(dir);
        final io.sluice.core.snapshot.SnapshotManifest manifest = store.write(parts,
            new io.sluice.core.ring.ProducerSnapshot().set(9, true, T0, T0, T0), 1, 0, router, run.ctx.fingerprint(),
            1);
        assertEquals(router.keyGroupCount(), manifest.keyGroupCount());
        assertEquals(4096, manifest.capacity());
        assertEquals(run.digest(), manifest.digest());
        int groupsWithKeys = 0;
        for (int group = 0; group < router.keyGroupCount(); group += 97)
        {
            final int shard = router.owner(group, 2);
            final ByteBuffer read = store.readGroup(manifest, shard, group);
            final int slotLength = parts[shard].slotLength();
            assertEquals(parts[shard].groupSize(group) * slotLength, read.remaining(), "group " + group);
            for (int i = 0; i < parts[shard].groupSize(group); i++)
            {
                final byte[] expected = new byte[slotLength];
                parts[shard].table().getBytes(parts[shard].groupSlotOffset(group, i), expected);
                final byte[] actual = new byte[slotLength];
                read.get(i * slotLength, actual);
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, "group " + group + " key " + i);
            }
            assertEquals(0, store.readGroup(manifest, 1 - shard, group).remaining(), "the other shard");
            groupsWithKeys += parts[shard].groupSize(group) > 0 ? 1 : 0;
        }
        assertTrue(groupsWithKeys > 10, "groups read: " + groupsWithKeys);
        assertEquals(dir + "/00000000000000000009/shard-0.part has key groups [0, 4096), not 4096",
            assertThrows(io.sluice.core.snapshot.SnapshotException.class,
            () -> store.readGroup(manifest, 0, 4096)).getMessage());
    }

    private static List<Long> keysOf(final ShardSnapshot part, final int group)
    {
        final List<Long> keys = new ArrayList<>();
        for (int i = 0; i < part.groupSize(group); i++)
        {
            keys.add(part.table().getLong(part.groupSlotOffset(group, i) + 56));
        }
        return keys;
    }

    /**
     * The part as a version 1 writer laid it out: the same without the key-group count, key count and index.
     */
    private static ByteBuffer versionOne(final ByteBuffer[] sections)
    {
        final ByteBuffer header = sections[0].duplicate().order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer v1Header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        v1Header.put(header.limit(64)).putInt(8, 1).flip();
        final ByteBuffer body = concatenate(new ByteBuffer[]{ v1Header, sections[1].duplicate(),
            sections[2].duplicate() });
        final CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        final ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int)crc.getValue()).flip();
        return concatenate(new ByteBuffer[]{ body, trailer });
    }

    private static ByteBuffer concatenate(final ByteBuffer[] sections)
    {
        int length = 0;
        for (final ByteBuffer section : sections)
        {
            length += section.remaining();
        }
        final ByteBuffer all = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        for (final ByteBuffer section : sections)
        {
            all.put(section.duplicate());
        }
        return all.flip();
    }

    /**
     * Keeps every window result as text, so two runs' results compare as sets.
     */
    private record WindowCollector(TreeSet<String> windows) implements ResultSink
    {
        public void onEventResult(
            final long clientId, final long correlationId, final long key, final long timestamp,
            final Aggregate aggregate, final long receiveNanos, final int resultMode)
        {
        }

        public void onQueryResult(
            final long clientId, final long correlationId, final long key, final boolean found, final Aggregate open,
            final Aggregate closed)
        {
        }

        public void onRejected(
            final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
            throw new AssertionError("rejected key " + key + " reason " + reason);
        }

        public void onWindowResult(final long key, final long windowEnd, final Aggregate window)
        {
            windows.add(key + "@" + windowEnd + ": " + window.count() + " " + window.sum() + " " + window.min() +
                " " + window.max() + " " + window.first() + " " + window.last());
        }

        public void onAlert(
            final int ruleIndex, final long key, final long windowStart, final int field, final int op,
            final double observed, final double threshold)
        {
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
        }
    }
}
