package io.sluice.bench;

import io.sluice.core.logic.ShardCounters;
import io.sluice.core.replay.JournalFeed;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.shard.SliceStore;
import io.sluice.core.snapshot.ShardSnapshot;
import io.sluice.core.window.WindowSpec;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Where a move's time goes, step by step, in one process over the daemon's own classes (what
 * {@link MoveBench} measures end to end between two daemon processes): a source of 2 processors holding K keys
 * (one event each, running aggregates or 1 s windows), groups 0-2047 released and acquired by a target of 2
 * processors through the slice files, {@code --repeat} times back and forth, each step timed:
 * <pre>
 *   release, on each source processor : table copy + key-group index | part write (CRC, write, force) | keys dropped
 *   publish, the daemon's file thread : manifest (force) | copy into the shared slice dir (each file forced)
 *   acquire, the file thread           : copy into the target's slices (forced) | read + check every part
 *   acquire, on each target processor  : read + check every part again | insert the keys of its shard
 * </pre>
 * The processors' part of each step is timed as a whole (the OWNERSHIP entry through {@link JournalFeed});
 * its sub-steps are timed by doing the same work again beside it (copy + index, a forced write of the same bytes).
 * Control thread only; figures only.
 * <p>
 * Run: {@code java -XX:MaxDirectMemorySize=2g -cp bench/target/benchmarks.jar io.sluice.bench.MoveSteps
 * [--keys 10k,100k,1m] [--repeat 5] [--windows] [--dir /tmp]}.
 */
public final class MoveSteps
{
    private static final long SEED = 0x5EED_0024L;
    private static final RescaleBench.Discard SINK = new RescaleBench.Discard();

    private MoveSteps()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception when a step fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final StateBenchOptions options = StateBenchOptions.parse(args, "10k,100k,1m", 5);
        final String keysArg = options.keys();
        final int repeat = options.repeat();
        final boolean windows = options.windows();
        final String dirArg = options.dir();
        System.out.printf(Locale.ROOT, "MoveSteps: %s, %d cores, %s, slices in %s%n",
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(), windows ? "1 s tumbling windows" : "running aggregates",
            dirArg);
        System.out.println("| keys | move | keys moved | part bytes | release: processors ms (copy+index ms, " +
            "part write+force ms) | publish: manifest + copy ms | acquire: copy in ms | acquire: read+check ms | " +
            "acquire: processors ms | sum ms |");
        System.out.println("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        for (final String keyText : keysArg.split(","))
        {
            final int keys = (int)LatencyBench.Options.parseCount(keyText);
            final Path dir = Files.createTempDirectory(Path.of(dirArg), "sluice-move-steps-");
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

    private static void run(final int keys, final int repeat, final boolean windows, final Path dir) throws Exception
    {
        final int capacity = Integer.highestOneBit(Math.max(1024, keys / 2 + keys / 16) * 2 - 1);
        final Path[] roots = { dir.resolve("a"), dir.resolve("b") };
        final Path shared = dir.resolve("shared");
        final ShardContext[] contexts = { context(capacity, windows, roots[0]), context(capacity, windows, roots[1]) };
        final ShardProcessor[][] sides = { processors(contexts[0]), processors(contexts[1]) };
        final JournalFeed[] feeds = {
            new JournalFeed(sides[0], JournalFeed.rehash(contexts[0].router())),
            new JournalFeed(sides[1], JournalFeed.rehash(contexts[1].router())) };
        final RingEntry entry = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0);
        if (windows)
        {
            feeds[0].apply(entry.clear().tick(MoveBench.T0 - 1, 0).buffer(), 0, 0);
            feeds[1].apply(entry.clear().tick(MoveBench.T0 - 1, 0).buffer(), 0, 0);
        }
        for (int i = 0; i < keys; i++)
        {
            feeds[0].apply(entry.clear().event(0, 1, i, i, MoveBench.T0 + i, 1.0, 0).buffer(), 0, 0);
        }
        for (int m = 1; m <= 2 * repeat; m++)
        {
            final int from = (m - 1) & 1;
            final int to = 1 - from;
            final long moveId = 100 + m;
            final long epoch = moveId;
            final Path fromDir = SliceStore.moveDir(roots[from], moveId);

            // the release's first sub-step again beside it: the table copy with its key-group index
            final long copyStart = System.nanoTime();
            for (final ShardProcessor processor : sides[from])
            {
                final ShardSnapshot copy = new ShardSnapshot();
                processor.logic().snapshotTo(processor.shard(), moveId, copy);
                copy.indexGroups(contexts[from].router());
            }
            final long copyNs = System.nanoTime() - copyStart;
            final long releaseStart = System.nanoTime();
            feeds[from].apply(entry.clear().ownership(epoch, moveId, 0, 2047, RingEntry.OWNERSHIP_RELEASE, 0)
                .buffer(), 0, 0);
            final long releaseNs = System.nanoTime() - releaseStart;

            long movedKeys = 0;
            long partBytes = 0;
            for (int p = 0; p < 2; p++)
            {
                final SliceStore.SlicePart part = SliceStore.readPart(SliceStore.partFile(fromDir, p));
                movedKeys += part.keys();
                partBytes += Files.size(SliceStore.partFile(fromDir, p));
            }
            // and a forced write of the same part bytes
            final long writeStart = System.nanoTime();
            for (int p = 0; p < 2; p++)
            {
                forcedWrite(dir.resolve("probe-" + p), Files.readAllBytes(SliceStore.partFile(fromDir, p)));
            }
            final long writeNs = System.nanoTime() - writeStart;

            final long publishStart = System.nanoTime();
            SliceStore.writeManifest(fromDir, new SliceStore.SliceManifest(moveId, epoch, 0, 2047, 2, movedKeys,
                partBytes, from == 0 ? "a" : "b"));
            SliceStore.copyMove(roots[from], shared, moveId);
            final long publishNs = System.nanoTime() - publishStart;

            final long copyInStart = System.nanoTime();
            SliceStore.copyMove(shared, roots[to], moveId);
            final long copyInNs = System.nanoTime() - copyInStart;
            final long checkStart = System.nanoTime();
            SliceStore.keysPerShard(SliceStore.moveDir(roots[to], moveId), contexts[to].router(), 2);
            final long checkNs = System.nanoTime() - checkStart;

            final long acquireStart = System.nanoTime();
            feeds[to].apply(entry.clear().ownership(epoch, moveId, 0, 2047, RingEntry.OWNERSHIP_ACQUIRE, 0)
                .buffer(), 0, 0);
            final long acquireNs = System.nanoTime() - acquireStart;

            final double sum = (releaseNs + publishNs + copyInNs + checkNs + acquireNs) / 1e6;
            System.out.printf(Locale.ROOT, "| %,d | %d %s | %,d | %,d | %.2f (%.2f, %.2f) | %.2f | %.2f | %.2f " +
                "| %.2f | %.2f |%n", keys, m, from == 0 ? "a->b" : "b->a", movedKeys, partBytes, releaseNs / 1e6,
                copyNs / 1e6, writeNs / 1e6, publishNs / 1e6, copyInNs / 1e6, checkNs / 1e6, acquireNs / 1e6, sum);
        }
    }

    private static void forcedWrite(final Path file, final byte[] bytes) throws Exception
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static ShardContext context(final int capacity, final boolean windows, final Path sliceRoot)
    {
        return new ShardContext().processorCount(2).stateCapacity(capacity).hashSeed(SEED)
            .windowSpec(windows ? WindowSpec.of(1_000_000_000L, 1_000_000_000L, 0) : null).sliceRoot(sliceRoot)
            .conclude();
    }

    private static ShardProcessor[] processors(final ShardContext ctx)
    {
        final ShardCounters[] counters = ShardCounters.standalone(ctx.processorCount());
        return ctx.newProcessors((shard) -> SINK, (shard) -> counters[shard], null);
    }
}
