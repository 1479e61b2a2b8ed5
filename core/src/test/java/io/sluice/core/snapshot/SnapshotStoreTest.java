package io.sluice.core.snapshot;

import io.sluice.core.route.ShardRouter;

import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.logic.RecordingSink;
import io.sluice.core.logic.ShardLogic;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.window.WindowSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot sets as files: what is written is read back equal, an incomplete set is not offered, and a missing,
 * corrupted or cut part is refused with a message naming the file.
 */
class SnapshotStoreTest
{
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;
    private static final int SHARDS = 2;

    @TempDir
    Path dir;

    private final ShardContext ctx = new ShardContext()
        .processorCount(SHARDS)
        .stateCapacity(64)
        .hashSeed(77)
        .windowSpec(WindowSpec.of(100 * MS, 50 * MS, 20 * MS))
        .conclude();
    private final TestCounters counters = new TestCounters();
    private final ShardLogic[] logic = new ShardLogic[SHARDS];

    SnapshotStoreTest()
    {
        for (int i = 0; i < SHARDS; i++)
        {
            logic[i] = ctx.newLogic(new RecordingSink(), counters.processor(i));
        }
        for (final ShardLogic shard : logic)
        {
            shard.onTick(T0);
        }
        final RingEntry entry = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0);
        for (int i = 0; i < 40; i++)
        {
            final long key = i % 13;
            entry.event(0, 1, i, key, T0 + 60 * MS + i * MS, i * 0.5, 0);
            logic[ctx.router().shard(key, SHARDS)].onEvent(entry);
        }
        for (final ShardLogic shard : logic)
        {
            shard.onTick(T0 + 10 * MS);
        }
    }

    private ShardSnapshot[] parts(final long snapshotId)
    {
        final ShardSnapshot[] parts = new ShardSnapshot[SHARDS];
        for (int i = 0; i < SHARDS; i++)
        {
            parts[i] = new ShardSnapshot();
            logic[i].snapshotTo(i, snapshotId, parts[i]);
        }
        return parts;
    }

    private static ProducerSnapshot producer(final long snapshotId)
    {
        return new ProducerSnapshot().set(snapshotId, true, T0 + 99 * MS, T0 + 79 * MS, T0 + 50 * MS)
            .addMark(1, 39).addMark(5, Long.MAX_VALUE).addMark(-3, Long.MIN_VALUE + 1);
    }

    private SnapshotManifest write(final SnapshotStore store, final long snapshotId)
    {
        return store.write(parts(snapshotId), producer(snapshotId), 4, 1_024 * snapshotId, new ShardRouter(77), ctx.fingerprint(),
            5_000 + snapshotId);
    }

    private static ShardSnapshot[] emptyParts()
    {
        final ShardSnapshot[] parts = new ShardSnapshot[SHARDS];
        for (int i = 0; i < SHARDS; i++)
        {
            parts[i] = new ShardSnapshot();
        }
        return parts;
    }

    @Test
    void shouldReadBackASetEqualToTheOneWritten() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir);
        final ShardSnapshot[] written = parts(21);
        final ProducerSnapshot producer = producer(21);
        final SnapshotManifest manifest =
            store.write(written, producer, 4, 21_504, new ShardRouter(77), ctx.fingerprint(), 5_021);

        assertEquals(21, manifest.snapshotId());
        assertEquals(4, manifest.recordingId());
        assertEquals(21_504, manifest.journalPosition());
        assertEquals(77, manifest.hashSeed());
        assertEquals(ctx.fingerprint(), manifest.fingerprint());
        assertEquals(5_021, manifest.createdEpochMs());
        assertEquals(SHARDS, manifest.shardCount());
        assertArrayEquals(new long[]{written[0].digest(), written[1].digest()}, manifest.digests());
        assertEquals(SnapshotManifest.combined(manifest.digests()), manifest.digest());
        final Path setDir = dir.resolve("00000000000000000021");
        assertEquals(setDir, store.setDir(21));
        assertEquals(Files.size(setDir.resolve("shard-0.part")), manifest.lengths()[0]);
        assertEquals(Files.size(setDir.resolve("shard-1.part")), manifest.lengths()[1]);
        assertEquals(Files.size(setDir.resolve(SnapshotStore.PRODUCER_PART)), manifest.lengths()[2]);
        assertEquals(List.of(manifest), store.complete());
        assertEquals(manifest, SnapshotStore.readManifest(setDir.resolve(SnapshotStore.MANIFEST)));

        final ShardSnapshot[] loaded = emptyParts();
        final ProducerSnapshot loadedProducer = new ProducerSnapshot();
        store.load(store.complete().get(0), loaded, loadedProducer);
        for (int i = 0; i < SHARDS; i++)
        {
            final ShardSnapshot w = written[i];
            final ShardSnapshot r = loaded[i];
            assertEquals(w.digest(), r.digest());
            assertEquals(i, r.shard());
            assertEquals(21, r.snapshotId());
            assertEquals(ShardSnapshot.KIND_WINDOWS, r.kind());
            assertEquals(w.capacity(), r.capacity());
            assertEquals(w.slotLength(), r.slotLength());
            assertEquals(w.tableLength(), r.tableLength());
            assertEquals(w.freeCount(), r.freeCount());
            assertTrue(w.freeCount() < 64, "keys held");
            assertEquals(T0 + 10 * MS, r.watermark());
            assertEquals(T0, r.closedUpTo());
            assertArrayEquals(w.bucketSizes(), r.bucketSizes());
            assertTrue(Arrays.stream(r.bucketSizes()).sum() > 0, "windows scheduled");

            final ShardLogic fresh = ctx.newLogic(new RecordingSink(), counters.processor(i));
            fresh.restoreFrom(r);
            final ShardSnapshot again = new ShardSnapshot();
            fresh.snapshotTo(i, 21, again);
            assertEquals(w.digest(), again.digest(), "restored logic");
        }
        assertEquals(21, loadedProducer.snapshotId());
        assertTrue(loadedProducer.hasWatermark());
        assertEquals(T0 + 99 * MS, loadedProducer.maxTimestamp());
        assertEquals(T0 + 79 * MS, loadedProducer.watermark());
        assertEquals(T0 + 50 * MS, loadedProducer.lastTickWatermark());
        assertEquals(3, loadedProducer.markCount());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(producer.clientId(i), loadedProducer.clientId(i));
            assertEquals(producer.mark(i), loadedProducer.mark(i));
        }
    }

    @Test
    void shouldRefuseToRestoreAWindowsPartIntoRunningAggregates()
    {
        final ShardContext running = new ShardContext()
            .processorCount(SHARDS)
            .stateCapacity(64)
            .hashSeed(77)
            .conclude();
        final ShardLogic logic = running.newLogic(new RecordingSink(), counters.processor(0));
        final ShardSnapshot part = parts(1)[0];

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> logic.restoreFrom(part));
        assertEquals("snapshot part of shard 0 is kind 2, capacity 64, slot length " + part.slotLength() +
            "; this shard is kind 1, capacity 64, slot length 64", ex.getMessage());
    }

    @Test
    void shouldNotListASetWithoutItsManifest() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir);
        final SnapshotManifest first = write(store, 1);
        write(store, 2);
        Files.delete(store.setDir(2).resolve(SnapshotStore.MANIFEST));

        assertEquals(List.of(first), store.complete());
        assertEquals(List.of(1L, 2L), store.allIds());
    }

    @Test
    void shouldListCompleteSetsNewestFirstAndDeleteASet()
    {
        final SnapshotStore store = new SnapshotStore(dir);
        final SnapshotManifest three = write(store, 3);
        final SnapshotManifest ten = write(store, 10);
        final SnapshotManifest seven = write(store, 7);
        assertEquals(List.of(ten, seven, three), store.complete());

        store.delete(7);
        assertFalse(Files.exists(store.setDir(7)));
        assertEquals(List.of(ten, three), store.complete());
        assertEquals(List.of(3L, 10L), store.allIds());
        store.delete(7);
        assertEquals(List.of(ten, three), new SnapshotStore(dir).complete());
    }

    @Test
    void shouldRefuseASetWithAMissingPartNamingTheFile() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir);
        final SnapshotManifest manifest = write(store, 5);
        final Path part = store.setDir(5).resolve(SnapshotStore.partName(1));
        Files.delete(part);

        final SnapshotException ex = assertThrows(
            SnapshotException.class, () -> store.load(manifest, emptyParts(), new ProducerSnapshot()));
        assertEquals("snapshot part " + part + " is missing", ex.getMessage());
    }

    @Test
    void shouldRefuseAPartWithAFlippedByteAsFailingItsChecksum() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir);
        final SnapshotManifest manifest = write(store, 5);
        final Path part = store.setDir(5).resolve(SnapshotStore.partName(0));
        final byte[] bytes = Files.readAllBytes(part);
        bytes[100] ^= 0x10;
        Files.write(part, bytes);

        final SnapshotException ex = assertThrows(
            SnapshotException.class, () -> store.load(manifest, emptyParts(), new ProducerSnapshot()));
        assertTrue(ex.getMessage().startsWith("snapshot part " + part + " fails its checksum: "), ex.getMessage());
    }

    @Test
    void shouldRefuseATruncatedPartGivingItsSizeAndTheManifests() throws IOException
    {
        final SnapshotStore store = new SnapshotStore(dir);
        final SnapshotManifest manifest = write(store, 5);
        final Path part = store.setDir(5).resolve(SnapshotStore.PRODUCER_PART);
        final byte[] bytes = Files.readAllBytes(part);
        Files.write(part, Arrays.copyOf(bytes, bytes.length - 9));

        final SnapshotException ex = assertThrows(
            SnapshotException.class, () -> store.load(manifest, emptyParts(), new ProducerSnapshot()));
        assertEquals("snapshot part " + part + " has " + (bytes.length - 9) + " bytes, the manifest says " +
            bytes.length, ex.getMessage());
        assertEquals(56 + 3 * 16 + 4, bytes.length);
    }
}
