package io.sluice.server.topology;

import io.sluice.core.route.ShardRouter;
import io.sluice.core.shard.SliceStore;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;

/**
 * The file side of a move step ({@link SliceStore} underneath): publishing a released slice to the shared slice
 * directory, and fetching and checking a slice to acquire. Runs on the topology agent's file thread; a failure is
 * an exception whose message is the refusal's reason.
 */
public class SliceFiles
{
    private final ShardRouter router;

    /**
     * @param router the daemon's shard router (key groups to shards).
     */
    public SliceFiles(final ShardRouter router)
    {
        this.router = router;
    }

    /**
     * After every processor wrote its part: the manifest naming this appliance, then the move's directory copied
     * to {@code <slice-dir>/move-<id>/}.
     *
     * @param request    the release.
     * @param epoch      the epoch after it.
     * @param keys       keys in the parts.
     * @param bytes      bytes of the parts.
     * @param source     this appliance's name.
     * @param sliceRoot  this appliance's slices.
     * @param shardCount the processors, one part each.
     */
    public void publishRelease(
        final TopologyRequests.Request request,
        final long epoch,
        final long keys,
        final long bytes,
        final String source,
        final Path sliceRoot,
        final int shardCount)
    {
        final Path moveDir = SliceStore.moveDir(sliceRoot, request.moveId());
        SliceStore.writeManifest(moveDir, new SliceStore.SliceManifest(request.moveId(), epoch,
            request.firstGroup(), request.lastGroup(), shardCount, keys, bytes, source));
        SliceStore.copyMove(sliceRoot, Path.of(request.sliceDir()), request.moveId());
    }

    /**
     * Copy {@code <slice-dir>/move-<id>/} into this appliance's slices and check it: the manifest is this move's,
     * of the requested groups and source; every part reads back (checksums, key groups, seed).
     *
     * @param request    the acquire.
     * @param sliceRoot  this appliance's slices.
     * @param shardCount the processors.
     * @return keys each processor would take in.
     * @throws IllegalStateException naming the slice and what is wrong with it.
     */
    public long[] prepareAcquire(final TopologyRequests.Request request, final Path sliceRoot, final int shardCount)
    {
        final Path shared = SliceStore.moveDir(Path.of(request.sliceDir()), request.moveId());
        final Path manifestFile = shared.resolve("slice.properties");
        if (!Files.isRegularFile(manifestFile))
        {
            throw new IllegalStateException("slice missing: " + manifestFile + " does not exist (the release of " +
                "move " + request.moveId() + " did not publish it)");
        }
        final Path local = SliceStore.moveDir(sliceRoot, request.moveId());
        final SliceStore.SliceManifest manifest;
        final long[] keysPerShard;
        try
        {
            if (!shared.toAbsolutePath().normalize().equals(local.toAbsolutePath().normalize()))
            {
                SliceStore.copyMove(Path.of(request.sliceDir()), sliceRoot, request.moveId());
            }
            manifest = SliceStore.readManifest(local);
            keysPerShard = SliceStore.keysPerShard(local, router, shardCount);
        }
        catch (final UncheckedIOException | IllegalArgumentException | IllegalStateException ex)
        {
            throw new IllegalStateException("slice " + shared + " is corrupt or unreadable: " + ex.getMessage(), ex);
        }
        if (manifest.moveId() != request.moveId() || manifest.firstGroup() != request.firstGroup() ||
            manifest.lastGroup() != request.lastGroup() || !manifest.source().equals(request.source()))
        {
            throw new IllegalStateException("slice " + shared + " is move " + manifest.moveId() + " of groups " +
                manifest.firstGroup() + "-" + manifest.lastGroup() + " from appliance " + manifest.source() +
                ", not move " + request.moveId() + " of groups " + request.groups() + " from " + request.source());
        }
        return keysPerShard;
    }

    /**
     * @param ex what the file thread threw.
     * @return its reason, one line.
     */
    static String reason(final Throwable ex)
    {
        final Throwable cause = ex instanceof CompletionException && null != ex.getCause() ? ex.getCause() : ex;
        return String.valueOf(cause.getMessage()).replace('\n', ' ');
    }
}
