package io.sluice.core.shard;

import io.sluice.config.WaitStrategyType;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.ring.GroupOwnership;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.state.Aggregate;
import io.sluice.core.state.StateDigest;
import io.sluice.core.window.WindowSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A key-group move in the core: appliance A (2 processors) releases groups 0-7 into a slice, appliance B (3
 * processors) acquires them, and the events go on to their owners; per-event results, window results and the state
 * digest of A and B together equal those of one appliance that never moved (windows and eviction on). A release
 * replayed from A's journal ({@link io.sluice.core.replay.JournalFeed}) writes the same parts; windows of moved keys that
 * the acquirer's watermark has passed close on the acquire; a corrupted or misplaced slice is refused with nothing inserted.
 */
class SliceMoveTest
{
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;
    private static final long SEED = 0x5EED_0024L;
    private static final int GROUPS = 16;
    private static final WindowSpec SPEC = WindowSpec.of(100 * MS, 50 * MS, 20 * MS);
    private static final long MOVE = 5;
    private static final long CLIENT = 1;

    private final Path dir = tempDir();

    private static Path tempDir()
    {
        try
        {
            return Files.createTempDirectory("sluice-slice-move");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @AfterEach
    void deleteDir() throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(file);
            }
        }
    }

    /**
     * Results of one appliance, as text: per event (by correlation id), per window (sorted), rejects.
     */
    private static final class Results implements ResultSink
    {
        final TreeMap<Long, String> events = new TreeMap<>();
        final TreeSet<String> windows = new TreeSet<>();
        final List<String> rejects = new ArrayList<>();

        public void onEventResult(
            final long clientId, final long correlationId, final long key, final long timestamp, final Aggregate a,
            final long receiveNanos, final int resultMode)
        {
            events.put(correlationId, key + ":" + a.count() + ":" + a.sum() + ":" + a.min() + ":" + a.max() + ":" +
                a.first() + ":" + a.last());
        }

        public void onQueryResult(
            final long clientId, final long correlationId, final long key, final boolean found, final Aggregate open,
            final Aggregate closed)
        {
            throw new IllegalStateException("no queries");
        }

        public void onRejected(
            final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
            rejects.add(correlationId + ":" + key + ":" + reason);
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
            throw new IllegalStateException("no resumes");
        }

        public void onWindowResult(final long key, final long windowEnd, final Aggregate w)
        {
            windows.add(key + ":" + windowEnd + ":" + w.count() + ":" + w.sum() + ":" + w.min() + ":" + w.max() +
                ":" + w.first() + ":" + w.last());
        }

        public void onAlert(
            final int ruleIndex, final long key, final long windowStart, final int field, final int op,
            final double observed, final double threshold)
        {
            throw new IllegalStateException("no alerts");
        }
    }

    /**
     * What a processor told the listener.
     */
    private static final class Moves implements OwnershipListener
    {
        final List<String> released = new ArrayList<>();
        final List<String> acquired = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        long keysOut;
        long bytesOut;
        long keysIn;

        public void onReleased(
            final int shard, final long moveId, final long keys, final long bytes, final Throwable failure)
        {
            released.add(shard + ":" + moveId + ":" + (null == failure));
            keysOut += keys;
            bytesOut += bytes;
            if (null != failure)
            {
                failures.add(failure);
            }
        }

        public void onAcquired(final int shard, final long moveId, final long keys, final Throwable failure)
        {
            acquired.add(shard + ":" + moveId + ":" + (null == failure));
            keysIn += keys;
            if (null != failure)
            {
                failures.add(failure);
            }
        }
    }

    /**
     * One appliance: a producer and its processors, each entry handed to every processor as soon as it is offered.
     */
    private static final class Appliance
    {
        final Results results = new Results();
        final Moves moves = new Moves();
        final ShardContext ctx;
        final SluiceRing ring = new SluiceRing(256, WaitStrategyType.SLEEPING);
        final RingProducer producer;
        final ShardProcessor[] processors;
        final List<byte[]> journal = new ArrayList<>();
        final ShardCounters[] counters;
        long next;

        Appliance(final int processorCount, final long seed, final Path sliceRoot, final BitSet owned)
        {
            this(processorCount, seed, sliceRoot, owned, true);
        }

        Appliance(
            final int processorCount, final long seed, final Path sliceRoot, final BitSet owned, final boolean windows)
        {
            ctx = new ShardContext().processorCount(processorCount).stateCapacity(1024).keyGroupCount(GROUPS)
                .hashSeed(seed).windowSpec(windows ? SPEC : null).evictAfterWindows(windows ? 2 : 0)
                .sliceRoot(sliceRoot).ownershipListener(moves).conclude();
            counters = ShardCounters.standalone(processorCount);
            processors = ctx.newProcessors((shard) -> results, (shard) -> counters[shard], null);
            producer = ctx.newProducer(ring, new TestCounters().counter("ticks"));
            if (null != owned)
            {
                final GroupOwnership ownership = new GroupOwnership(GROUPS);
                ownership.assign(1, owned);
                producer.ownership(ownership);
            }
        }

        void drain()
        {
            final long cursor = ring.ringBuffer().getCursor();
            for (; next <= cursor; next++)
            {
                final RingEntry entry = ring.entry(next);
                final byte[] copy = new byte[RingEntry.LENGTH];
                entry.buffer().getBytes(entry.offset(), copy);
                journal.add(copy);
                for (final ShardProcessor processor : processors)
                {
                    processor.onEvent(entry, next, next == cursor);
                }
            }
        }

        void event(final long id, final long key, final long timestamp, final double value)
        {
            assertEquals(RingProducer.OFFERED, producer.offerEvent(CLIENT, id, key, timestamp, value, 0));
            drain();
        }

        void ownership(final long epoch, final int action)
        {
            assertEquals(RingProducer.OFFERED, producer.offerOwnership(epoch, MOVE, 0, 7, action, 0));
            drain();
        }

        void watermark(final long watermark)
        {
            assertTrue(producer.offerWatermark(watermark, 0));
            drain();
        }

        long digest()
        {
            final long[] digests = new long[processors.length];
            for (int i = 0; i < processors.length; i++)
            {
                digests[i] = processors[i].digest();
            }
            return StateDigest.combine(digests);
        }

        int keys()
        {
            int keys = 0;
            for (final ShardProcessor processor : processors)
            {
                keys += processor.logic().keys();
            }
            return keys;
        }

        long evictions()
        {
            long evictions = 0;
            for (final ShardCounters shard : counters)
            {
                evictions += shard.evictions().get();
            }
            return evictions;
        }

        int group(final long key)
        {
            return ctx.router().keyGroup(ctx.router().hash(key));
        }
    }

    private static BitSet groups(final int first, final int last)
    {
        final BitSet bits = new BitSet();
        bits.set(first, last + 1);
        return bits;
    }

    private static boolean active(final int k, final int round)
    {
        return k < 2 || (k % 5 != 0 || round < 42 || round > 75) && (k % 7 != 1 || round < 3 || round > 36);
    }

    /**
     * 40 keys over 80 rounds of 10 ms, all events of a round at the same time; keys 0 and 1 (one of each side of
     * the move) in every round; keys 8, 15, 22, 29, 36 quiet long enough to be evicted before the move, keys 5, 10,
     * ..., 35 after it.
     */
    private static long[] keys(final Appliance a)
    {
        final long[] keys = new long[40];
        long candidate = -20_000;
        int low = 0;
        int high = 0;
        int n = 2;
        while (n < keys.length || 0 == low || 0 == high)
        {
            candidate += 7_919;
            final boolean isLow = a.group(candidate) < 8;
            if (0 == low && isLow)
            {
                keys[0] = candidate;
                low = 1;
            }
            else if (0 == high && !isLow)
            {
                keys[1] = candidate;
                high = 1;
            }
            else if (n < keys.length)
            {
                keys[n++] = candidate;
            }
        }
        return keys;
    }

    @Test
    void shouldGiveTheResultsAndDigestOfAnApplianceThatNeverMovedAfterAReleaseAndAcquire() throws IOException
    {
        final Path rootA = dir.resolve("a");
        final Path rootB = dir.resolve("b");
        final Appliance a = new Appliance(2, SEED, rootA, groups(0, 15));
        final Appliance b = new Appliance(3, SEED, rootB, new BitSet());
        final Appliance reference = new Appliance(2, SEED, null, null);
        final long[] keys = keys(a);
        final Random random = new Random(24);
        long id = 0;
        for (int round = 0; round < 80; round++)
        {
            if (40 == round)
            {
                assertEquals(a.digest(), reference.digest());
                final long before = a.digest();
                final int keysBefore = a.keys();
                a.ownership(2, RingEntry.OWNERSHIP_RELEASE);
                assertEquals(List.of("0:5:true", "1:5:true"), a.moves.released);
                assertTrue(a.moves.keysOut > 5, "keys moved out: " + a.moves.keysOut);
                assertEquals(keysBefore - a.moves.keysOut, a.keys());
                final Path moveA = SliceStore.moveDir(rootA, MOVE);
                assertEquals(a.moves.bytesOut, Files.size(SliceStore.partFile(moveA, 0)) +
                    Files.size(SliceStore.partFile(moveA, 1)));
                SliceStore.writeManifest(moveA, new SliceStore.SliceManifest(
                    MOVE, 2, 0, 7, 2, a.moves.keysOut, a.moves.bytesOut, "a"));
                SliceStore.copyMove(rootA, rootB, MOVE);
                final SliceStore.SliceManifest manifest = SliceStore.readManifest(SliceStore.moveDir(rootB, MOVE));
                assertEquals(new SliceStore.SliceManifest(MOVE, 2, 0, 7, 2, a.moves.keysOut, a.moves.bytesOut, "a"),
                    manifest);
                final long[] perShard = SliceStore.keysPerShard(SliceStore.moveDir(rootB, MOVE), b.ctx.router(), 3);
                assertEquals(a.moves.keysOut, perShard[0] + perShard[1] + perShard[2]);

                b.ownership(2, RingEntry.OWNERSHIP_ACQUIRE);
                assertEquals(List.of("0:5:true", "1:5:true", "2:5:true"), b.moves.acquired);
                assertEquals(a.moves.keysOut, b.moves.keysIn);
                for (int shard = 0; shard < 3; shard++)
                {
                    assertEquals(perShard[shard], b.processors[shard].logic().keys(), "shard " + shard);
                }
                assertEquals(keysBefore, a.keys() + b.keys());
                assertEquals(before, StateDigest.combine(a.digest(), b.digest()), "A + B after = A before");
                assertNotEquals(before, a.digest());
            }
            final long timestamp = T0 + round * 10 * MS;
            for (int k = 0; k < keys.length; k++)
            {
                if (!active(k, round))
                {
                    continue;
                }
                final double value = random.nextInt(4096) / 1024.0;
                id++;
                reference.event(id, keys[k], timestamp, value);
                (round >= 40 && a.group(keys[k]) < 8 ? b : a).event(id, keys[k], timestamp, value);
            }
        }
        for (final Appliance appliance : List.of(a, b, reference))
        {
            appliance.watermark(T0 + 950 * MS);
        }

        final TreeMap<Long, String> events = new TreeMap<>(a.results.events);
        events.putAll(b.results.events);
        assertEquals(id, reference.results.events.size());
        assertEquals(reference.results.events, events);
        final TreeSet<String> windows = new TreeSet<>(a.results.windows);
        windows.addAll(b.results.windows);
        assertTrue(reference.results.windows.size() > 500, "windows: " + reference.results.windows.size());
        assertEquals(reference.results.windows, windows);
        assertEquals(List.of(), reference.results.rejects);
        assertEquals(List.of(), a.results.rejects);
        assertEquals(List.of(), b.results.rejects);
        assertEquals(reference.keys(), a.keys() + b.keys());
        assertEquals(12, reference.evictions());
        assertEquals(reference.evictions(), a.evictions() + b.evictions());
        assertTrue(b.evictions() > 0, "evictions of moved keys: " + b.evictions());
        assertEquals(reference.digest(), StateDigest.combine(a.digest(), b.digest()));
        assertEquals(List.of(), a.moves.failures);
        assertEquals(List.of(), b.moves.failures);

        final byte[] part0 = Files.readAllBytes(SliceStore.partFile(SliceStore.moveDir(rootA, MOVE), 0));
        final byte[] part1 = Files.readAllBytes(SliceStore.partFile(SliceStore.moveDir(rootA, MOVE), 1));
        final Appliance replay = new Appliance(2, SEED, rootA, groups(0, 15));
        final io.sluice.core.replay.JournalFeed feed =
            new io.sluice.core.replay.JournalFeed(replay.processors, io.sluice.core.replay.JournalFeed.JOURNALED_SHARD)
            .producer(replay.producer);
        for (final byte[] journaled : a.journal)
        {
            feed.apply(new org.agrona.concurrent.UnsafeBuffer(journaled), 0, 0);
        }
        assertEquals(List.of("0:5:true", "1:5:true"), replay.moves.released);
        assertEquals(2, replay.producer.ownership().epoch());
        assertEquals("8-15", replay.producer.ownership().describeRanges());
        assertEquals(a.producer.marks().mark(CLIENT), replay.producer.marks().mark(CLIENT));
        assertArrayEquals(part0, Files.readAllBytes(SliceStore.partFile(SliceStore.moveDir(rootA, MOVE), 0)));
        assertArrayEquals(part1, Files.readAllBytes(SliceStore.partFile(SliceStore.moveDir(rootA, MOVE), 1)));
        assertEquals(a.digest(), replay.digest());
    }

    private Appliance releasedHalf(final Path rootA)
    {
        final Appliance a = new Appliance(2, SEED, rootA, groups(0, 15));
        final long[] keys = keys(a);
        for (int round = 0; round < 10; round++)
        {
            for (int k = 0; k < keys.length; k++)
            {
                a.event(1 + round * keys.length + k, keys[k], T0 + round * 10 * MS, k);
            }
        }
        a.ownership(2, RingEntry.OWNERSHIP_RELEASE);
        final Path moveA = SliceStore.moveDir(rootA, MOVE);
        SliceStore.writeManifest(moveA, new SliceStore.SliceManifest(
            MOVE, 2, 0, 7, 2, a.moves.keysOut, a.moves.bytesOut, "a"));
        return a;
    }

    @Test
    void shouldCloseAtOnceTheWindowsOfAcquiredKeysThatTheAcquirersWatermarkHasPassed()
    {
        final Path rootA = dir.resolve("a");
        final Path rootB = dir.resolve("b");
        final Appliance a = releasedHalf(rootA);
        final Appliance reference = new Appliance(2, SEED, null, null);
        final long[] keys = keys(a);
        for (int round = 0; round < 10; round++)
        {
            for (int k = 0; k < keys.length; k++)
            {
                reference.event(1 + round * keys.length + k, keys[k], T0 + round * 10 * MS, k);
            }
        }
        SliceStore.copyMove(rootA, rootB, MOVE);
        final Appliance b = new Appliance(3, SEED, rootB, new BitSet());
        b.watermark(T0 + 300 * MS);
        assertTrue(b.results.windows.isEmpty());

        b.ownership(2, RingEntry.OWNERSHIP_ACQUIRE);
        reference.watermark(T0 + 300 * MS);

        final TreeSet<String> moved = new TreeSet<>();
        for (final String window : reference.results.windows)
        {
            if (a.group(Long.parseLong(window.substring(0, window.indexOf(':')))) < 8)
            {
                moved.add(window);
            }
        }
        final TreeSet<String> closed = new TreeSet<>(b.results.windows);
        for (final String window : a.results.windows)
        {
            if (a.group(Long.parseLong(window.substring(0, window.indexOf(':')))) < 8)
            {
                closed.add(window);
            }
        }
        assertTrue(b.results.windows.size() > 10, "closed on acquire: " + b.results.windows.size());
        assertEquals(moved, closed);
        assertEquals(a.moves.keysOut, b.keys());
        assertEquals(a.moves.keysOut, b.moves.keysIn);
    }

    @Test
    void shouldMoveRunningAggregatesAndRefuseThemIntoWindows()
    {
        final Path rootA = dir.resolve("a");
        final Path rootB = dir.resolve("b");
        final Appliance a = new Appliance(2, SEED, rootA, groups(0, 15), false);
        final Appliance b = new Appliance(3, SEED, rootB, new BitSet(), false);
        final Appliance reference = new Appliance(2, SEED, null, null, false);
        final long[] keys = keys(a);
        long id = 0;
        for (int round = 0; round < 20; round++)
        {
            if (10 == round)
            {
                a.ownership(2, RingEntry.OWNERSHIP_RELEASE);
                SliceStore.writeManifest(SliceStore.moveDir(rootA, MOVE), new SliceStore.SliceManifest(
                    MOVE, 2, 0, 7, 2, a.moves.keysOut, a.moves.bytesOut, "a"));
                SliceStore.copyMove(rootA, rootB, MOVE);
                b.ownership(2, RingEntry.OWNERSHIP_ACQUIRE);
                assertEquals(reference.digest(), StateDigest.combine(a.digest(), b.digest()));
            }
            for (int k = 0; k < keys.length; k++)
            {
                id++;
                reference.event(id, keys[k], T0 + round * MS, round * 0.25 + k);
                (round >= 10 && a.group(keys[k]) < 8 ? b : a).event(id, keys[k], T0 + round * MS, round * 0.25 + k);
            }
        }
        final TreeMap<Long, String> events = new TreeMap<>(a.results.events);
        events.putAll(b.results.events);
        assertEquals(reference.results.events, events);
        assertEquals(reference.digest(), StateDigest.combine(a.digest(), b.digest()));
        assertTrue(b.keys() > 5, "keys moved: " + b.keys());
        assertEquals(List.of(), b.moves.failures);

        final Appliance windowed = new Appliance(3, SEED, rootB, new BitSet());
        windowed.ownership(2, RingEntry.OWNERSHIP_ACQUIRE);
        assertEquals(0, windowed.keys());
        assertTrue(windowed.moves.failures.get(0).getMessage().endsWith(
            "does not fit move 5 into processor 0's state"), windowed.moves.failures.get(0).getMessage());
    }

    @Test
    void shouldCarryOutAReleaseOnEveryProcessorOfTheSharedLayout() throws Exception
    {
        final Appliance a = new Appliance(2, SEED, dir.resolve("a"), groups(0, 15));
        final List<Throwable> errors = new ArrayList<>();
        final org.agrona.concurrent.Agent poller = new ProcessorGroup(
            a.ring, a.processors, io.sluice.config.ThreadingMode.SHARED, errors::add).pollAgent();
        final long[] keys = keys(a);
        for (int k = 0; k < keys.length; k++)
        {
            assertEquals(RingProducer.OFFERED, a.producer.offerEvent(CLIENT, 1 + k, keys[k], T0, k, 0));
        }
        assertEquals(RingProducer.OFFERED, a.producer.offerOwnership(2, MOVE, 0, 7, RingEntry.OWNERSHIP_RELEASE, 0));
        while (poller.doWork() > 0)
        {
            assertEquals(List.of(), errors);
        }

        assertEquals(List.of("0:5:true", "1:5:true"), a.moves.released);
        int low = 0;
        for (final long key : keys)
        {
            low += a.group(key) < 8 ? 1 : 0;
        }
        assertEquals(low, a.moves.keysOut);
        assertEquals(keys.length - low, a.keys());
    }

    @Test
    void shouldRefuseACorruptedSlicePartAndInsertNothing() throws IOException
    {
        final Path rootA = dir.resolve("a");
        final Path rootB = dir.resolve("b");
        releasedHalf(rootA);
        SliceStore.copyMove(rootA, rootB, MOVE);
        final Path part = SliceStore.partFile(SliceStore.moveDir(rootB, MOVE), 1);
        final byte[] bytes = Files.readAllBytes(part);
        bytes[SliceStore.HEADER_LENGTH + 3] ^= 0x10;
        Files.write(part, bytes);

        final Appliance b = new Appliance(3, SEED, rootB, new BitSet());
        b.ownership(2, RingEntry.OWNERSHIP_ACQUIRE);

        assertEquals(List.of("0:5:false", "1:5:false", "2:5:false"), b.moves.acquired);
        assertEquals(0, b.keys());
        assertEquals(0, b.moves.keysIn);
        assertTrue(b.moves.failures.get(0).getMessage().startsWith("slice part " + part + " fails its checksum"),
            b.moves.failures.get(0).getMessage());
    }

    @Test
    void shouldRefuseASliceOfAnotherHashSeedAndReportAMoveWithoutSliceDirectory()
    {
        final Path rootA = dir.resolve("a");
        final Appliance a = releasedHalf(rootA);
        assertEquals(List.of(), a.moves.failures);

        final Appliance other = new Appliance(3, SEED + 1, rootA, new BitSet());
        other.ownership(2, RingEntry.OWNERSHIP_ACQUIRE);
        assertEquals(0, other.keys());
        assertEquals(3, other.moves.failures.size());
        assertEquals(SliceStore.partFile(SliceStore.moveDir(rootA, MOVE), 0) + " was written with 16 key groups and " +
            "hash seed " + SEED + ", this appliance has 16 and " + (SEED + 1), other.moves.failures.get(0).getMessage());

        final Appliance noSlices = new Appliance(2, SEED, null, groups(0, 15));
        noSlices.event(1, 42, T0, 1.0);
        noSlices.ownership(2, RingEntry.OWNERSHIP_RELEASE);
        assertEquals(List.of("0:5:false", "1:5:false"), noSlices.moves.released);
        assertEquals(1, noSlices.keys(), "nothing dropped");
        assertEquals("move 5: processor 0 has no slice directory", noSlices.moves.failures.get(0).getMessage());
    }
}
