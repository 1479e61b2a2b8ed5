package io.sluice.bench;

import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.replay.JournalFeed;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.shard.KeyGroupRestore;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import io.sluice.core.state.Aggregate;
import io.sluice.core.state.StateDigest;
import io.sluice.core.window.WindowSpec;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The restore part of a restart that rescales, in one process over the daemon's own classes: for each key count a
 * state of that many keys is built in 2 processors (one event per key, running aggregates, or windows with
 * {@code --windows}), written as a snapshot set ({@link SnapshotStore}, as the daemon's writer does), then restored
 * from the files
 * <pre>
 *   as written  : 2 parts  --byte copy of each table-->            2 processors   (a restart without rescale)
 *   rescaled    : 2 parts  --key by key, by key group-->           4 processors   ({@link KeyGroupRestore})
 * </pre>
 * each {@code --repeat} times; every restore's state digest is checked against the snapshot's. The times include
 * reading and checking the part files (page cache warm after the first). Journal replay after the snapshot is the
 * same for both and not included.
 * <p>
 * Run: {@code java -XX:MaxDirectMemorySize=2g -cp bench/target/benchmarks.jar io.sluice.bench.RescaleBench
 * [--keys 100k,1m] [--repeat 3] [--windows] [--dir /tmp]}. Control thread only.
 */
public final class RescaleBench
{
    private static final long SEED = 0x5EED_0022L;
    private static final long T0 = 1_700_000_000_000_000_000L;

    private RescaleBench()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception when a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final StateBenchOptions options = StateBenchOptions.parse(args, "100k,1m", 3);
        final String keysArg = options.keys();
        final int repeat = options.repeat();
        final boolean windows = options.windows();
        final String dirArg = options.dir();
        System.out.printf(Locale.ROOT, "RescaleBench: %s, %d cores, max heap %d MiB, %s%n",
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
            windows ? "windows (1 s tumbling)" : "running aggregates");
        for (final String keyText : keysArg.split(","))
        {
            final int keys = (int)parseCount(keyText);
            final Path dir = Files.createTempDirectory(Path.of(dirArg), "sluice-rescale-bench-");
            try
            {
                run(keys, repeat, windows, dir);
            }
            finally
            {
                IoUtil.delete(dir.toFile(), true);
            }
        }
    }

    private static void run(final int keys, final int repeat, final boolean windows, final Path dir)
    {
        final int sourceCapacity = capacityFor(keys / 2);
        final int targetCapacity = capacityFor(keys / 4);
        final ShardContext source = context(2, sourceCapacity, windows);
        final ShardProcessor[] filled = processors(source);
        final JournalFeed feed = new JournalFeed(filled, JournalFeed.rehash(source.router()));
        final RingEntry entry = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0);
        if (windows)
        {
            feed.apply(entry.clear().tick(T0 - 1, 0).buffer(), 0, 0);
        }
        for (int i = 0; i < keys; i++)
        {
            feed.apply(entry.clear().event(0, 1, i, i * 0x9E37_79B9L, T0 + i, (i & 1023) / 1024.0, 0).buffer(), 0, 0);
        }
        final ShardSnapshot[] parts = new ShardSnapshot[filled.length];
        for (int shard = 0; shard < filled.length; shard++)
        {
            parts[shard] = new ShardSnapshot();
            filled[shard].logic().snapshotTo(shard, 1, parts[shard]);
        }
        final SnapshotStore store = new SnapshotStore(dir);
        final long writeStartNs = System.nanoTime();
        final SnapshotManifest manifest = store.write(parts, new ProducerSnapshot().set(1, windows, T0 + keys, T0, T0),
            1, 0, source.router(), source.fingerprint(), System.currentTimeMillis());
        final long writeNs = System.nanoTime() - writeStartNs;
        long partBytes = 0;
        for (int i = 0; i < manifest.shardCount(); i++)
        {
            partBytes += manifest.lengths()[i];
        }
        System.out.printf(Locale.ROOT, "%,d keys: 2 tables of capacity %,d -> 4 of %,d; snapshot of %,d bytes " +
            "written (with its key-group index) in %d ms, digest %016x%n", keys, sourceCapacity, targetCapacity,
            partBytes, writeNs / 1_000_000, manifest.digest());

        for (int r = 1; r <= repeat; r++)
        {
            final ShardProcessor[] same = processors(source);
            final ShardSnapshot[] loaded = { new ShardSnapshot(), new ShardSnapshot() };
            final long sameStartNs = System.nanoTime();
            store.load(manifest, loaded, new ProducerSnapshot());
            for (int shard = 0; shard < same.length; shard++)
            {
                same[shard].logic().restoreFrom(loaded[shard]);
            }
            final long sameNs = System.nanoTime() - sameStartNs;
            check(manifest, same, "as written");

            final ShardContext target = context(4, targetCapacity, windows);
            final ShardProcessor[] rescaled = processors(target);
            final KeyGroupRestore.Result result = KeyGroupRestore.restore(
                (shard, into) -> store.loadShard(manifest, shard, into), manifest.shardCount(), new ShardSnapshot(),
                target.router(), rescaled, targetCapacity);
            check(manifest, rescaled, "rescaled");
            System.out.printf(Locale.ROOT, "  run %d: as written (2 -> 2, byte copy) %d ms; rescaled from 2 to 4 " +
                "processors: %,d keys moved in %d ms (%,.0f keys/s)%n", r, sameNs / 1_000_000, result.keys(),
                result.durationNs() / 1_000_000, result.keys() * 1e9 / result.durationNs());
        }
    }

    private static void check(final SnapshotManifest manifest, final ShardProcessor[] processors, final String what)
    {
        final long[] digests = new long[processors.length];
        for (int i = 0; i < processors.length; i++)
        {
            digests[i] = processors[i].digest();
        }
        if (StateDigest.combine(digests) != manifest.digest())
        {
            throw new IllegalStateException(what + ": digest " + Long.toHexString(StateDigest.combine(digests)) +
                ", the snapshot's " + Long.toHexString(manifest.digest()));
        }
    }

    private static int capacityFor(final int keys)
    {
        return Integer.highestOneBit(Math.max(2, keys) * 2 - 1);
    }

    private static ShardContext context(final int processors, final int capacity, final boolean windows)
    {
        return new ShardContext().processorCount(processors).stateCapacity(capacity).hashSeed(SEED)
            .windowSpec(windows ? WindowSpec.of(1_000_000_000L, 1_000_000_000L, 0) : null).conclude();
    }

    private static ShardProcessor[] processors(final ShardContext ctx)
    {
        final ShardCounters[] counters = ShardCounters.standalone(ctx.processorCount());
        final ResultSink sink = new Discard();
        return ctx.newProcessors((shard) -> sink, (shard) -> counters[shard], null);
    }

    private static long parseCount(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        final long unit = t.endsWith("k") ? 1_000 : t.endsWith("m") ? 1_000_000 : 1;
        return Long.parseLong(1 == unit ? t : t.substring(0, t.length() - 1)) * unit;
    }

    static final class Discard implements ResultSink
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
            throw new IllegalStateException("key " + key + " rejected, reason " + reason);
        }

        public void onWindowResult(final long key, final long windowEnd, final Aggregate window)
        {
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
