package io.sluice.server.topology;

import io.sluice.core.ring.GroupOwnership;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.shard.ShardProcessor;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Carries out {@code sluice topology move}'s steps on the ring producer's thread (in the daemon's composite, next to
 * the rule swap agent): when the topology request counter holds a new id it reads that request
 * ({@link TopologyRequests}) and
 * <ul>
 *     <li>release: offers the OWNERSHIP RELEASE entry to the ring ({@link RingProducer#offerOwnership}), waits until
 *     every processor wrote its part of the slice ({@link #onReleased}) and the journaller wrote the entry, then
 *     writes the slice's manifest naming this appliance and copies the slice into the shared slice directory;</li>
 *     <li>acquire: copies the slice from the shared slice directory into this appliance's slices, checks it
 *     (manifest, parts) and that its keys fit each processor's free slots, offers the OWNERSHIP ACQUIRE entry and
 *     waits until every processor took its keys in ({@link #onAcquired}) and the journaller wrote the entry.</li>
 * </ul>
 * The answer goes to the topology result counter (the id when done, minus the id when refused) and the request's
 * {@code .result} or {@code .refused} file. A processor that fails its part refuses the step with its reason; the
 * ownership the entry changed stays changed (the tool rolls back by an acquire on the source). File copies run on
 * a thread of their own, so the ingress keeps going while a slice is copied. Control path only: reading a request
 * allocates; the per-event path is untouched.
 */
public final class TopologyAgent implements Agent
{
    private static final int IDLE = 0;
    private static final int PREPARING = 1;
    private static final int OFFERING = 2;
    private static final int WAITING = 3;
    private static final int PUBLISHING = 4;

    private final RingProducer producer;
    private final ShardProcessor[] processors;
    private final Path dir;
    private final Path sliceRoot;
    private final String appliance;
    private final int stateCapacity;
    private final TopologyCounters counters;
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final SliceFiles files;
    private final MoveAnswers answers;
    private ExecutorService fileThread;
    private CompletableFuture<long[]> fileWork;
    private TopologyRequests.Request request;
    private long requestId;
    private long handledId;
    private long startNs;
    private long position;
    private long keys;
    private long bytes;
    private int phase = IDLE;

    /**
     * @param producer      the ring producer (this agent's thread owns it), in topology mode or not.
     * @param processors    the processors; each reports its part of a step to this agent.
     * @param dir           the daemon's media driver directory, where request files are.
     * @param sliceRoot     this appliance's slices ({@code <journal dir>/slices}).
     * @param appliance     this appliance's name, or empty when not in topology mode.
     * @param stateCapacity keys each processor's table holds.
     * @param counters      the topology counters.
     * @param answers       where the processors answer each step's OWNERSHIP entry.
     * @param files         the slice files (manifest, copies, checks).
     * @param clock         the producer's clock.
     * @param errorHandler  where refusals and failures are also reported.
     */
    public TopologyAgent(
        final RingProducer producer,
        final ShardProcessor[] processors,
        final Path dir,
        final Path sliceRoot,
        final String appliance,
        final int stateCapacity,
        final TopologyCounters counters,
        final MoveAnswers answers,
        final SliceFiles files,
        final NanoClock clock,
        final ErrorHandler errorHandler)
    {
        this.producer = producer;
        this.processors = processors;
        this.dir = dir;
        this.sliceRoot = sliceRoot;
        this.appliance = appliance;
        this.stateCapacity = stateCapacity;
        this.counters = counters;
        this.answers = answers;
        this.files = files;
        this.clock = clock;
        this.errorHandler = errorHandler;
        counters.request().setRelease(0);
        counters.ownership(producer.ownership());
    }

    /**
     * The journaller wrote an OWNERSHIP entry (same thread).
     *
     * @param moveId          the entry's move id.
     * @param journalPosition the end of the message that holds it.
     */
    public void onOwnershipJournaled(final long moveId, final long journalPosition)
    {
        if (WAITING == phase && moveId == request.moveId())
        {
            position = journalPosition;
        }
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        switch (phase)
        {
            case IDLE:
                return take();
            case PREPARING:
                return prepared();
            case OFFERING:
                return offer();
            case WAITING:
                return waiting();
            case PUBLISHING:
                return published();
            default:
                return 0;
        }
    }

    private int take()
    {
        final long id = counters.request().get();
        if (0 == id || id == handledId)
        {
            return 0;
        }
        requestId = id;
        startNs = clock.nanoTime();
        try
        {
            request = TopologyRequests.readRequest(TopologyRequests.requestFile(dir, id));
        }
        catch (final RuntimeException ex)
        {
            return refuse("bad request " + TopologyRequests.requestFile(dir, id) + ": " + ex.getMessage());
        }
        final GroupOwnership ownership = producer.ownership();
        if (null == ownership)
        {
            return refuse("this daemon is not in topology mode: sluice.topology.file is empty");
        }
        if (request.epoch() <= ownership.epoch())
        {
            return refuse("stale epoch " + request.epoch() + ": appliance " + appliance + " is at epoch " +
                ownership.epoch() + ", a step needs a greater one");
        }
        if (request.lastGroup() >= ownership.keyGroupCount())
        {
            return refuse("groups " + request.groups() + " go beyond the last key group " +
                (ownership.keyGroupCount() - 1));
        }
        final boolean release = TopologyRequests.RELEASE.equals(request.action());
        if (release && !ownership.ownsAll(request.firstGroup(), request.lastGroup()))
        {
            return refuse("range " + request.groups() + " is not owned by appliance " + appliance + " (it owns " +
                owned(ownership) + ")");
        }
        if (!release && !ownership.ownsNone(request.firstGroup(), request.lastGroup()))
        {
            return refuse("range " + request.groups() + " is already partly owned by appliance " + appliance +
                " (it owns " + owned(ownership) + ")");
        }
        TopologyRequests.deleteQuietly(TopologyRequests.requestFile(dir, id), errorHandler);
        if (release)
        {
            phase = OFFERING;
        }
        else
        {
            final TopologyRequests.Request acquire = request;
            fileWork = CompletableFuture.supplyAsync(() -> files.prepareAcquire(acquire, sliceRoot,
                processors.length), fileThread());
            phase = PREPARING;
        }
        return 1;
    }

    private int prepared()
    {
        if (!fileWork.isDone())
        {
            return 0;
        }
        final long[] keysPerShard;
        try
        {
            keysPerShard = fileWork.join();
        }
        catch (final RuntimeException ex)
        {
            return refuse(SliceFiles.reason(ex));
        }
        for (int shard = 0; shard < keysPerShard.length; shard++)
        {
            final long live = processors[shard].counters().liveKeys().get();
            final long free = Math.max(0, stateCapacity - live);
            if (keysPerShard[shard] > free)
            {
                return refuse("the slice of move " + request.moveId() + " does not fit: processor " + shard +
                    " would take " + keysPerShard[shard] + " keys and has " + free + " free of " + stateCapacity +
                    " (sluice.state.capacity, " + live + " live keys)");
            }
        }
        phase = OFFERING;
        return 1;
    }

    private int offer()
    {
        final boolean release = TopologyRequests.RELEASE.equals(request.action());
        position = -1;
        keys = 0;
        bytes = 0;
        answers.listen(request.moveId());
        final int code = producer.offerOwnership(request.epoch(), request.moveId(), request.firstGroup(),
            request.lastGroup(), release ? RingEntry.OWNERSHIP_RELEASE : RingEntry.OWNERSHIP_ACQUIRE, clock.nanoTime());
        if (RingProducer.RING_FULL == code)
        {
            answers.listen(0);
            return 0;
        }
        if (RingProducer.OFFERED != code)
        {
            answers.listen(0);
            return refuse(request.action() + " of groups " + request.groups() + " at epoch " + request.epoch() +
                " refused: " + RingProducer.describeOwnershipRefusal(code));
        }
        counters.ownership(producer.ownership());
        phase = WAITING;
        return 1;
    }

    private int waiting()
    {
        if (answers.answered() < processors.length || position < 0)
        {
            return 0;
        }
        keys = answers.keys();
        bytes = answers.bytes();
        final String failed = answers.failure();
        answers.listen(0);
        if (null != failed)
        {
            return refuse(failed + "; the ownership changed at epoch " + request.epoch() + " stays changed");
        }
        if (TopologyRequests.ACQUIRE.equals(request.action()))
        {
            counters.acquired(keys);
            return done();
        }
        final TopologyRequests.Request release = request;
        final long epoch = producer.ownership().epoch();
        final long releasedKeys = keys;
        final long releasedBytes = bytes;
        fileWork = CompletableFuture.supplyAsync(() ->
        {
            files.publishRelease(release, epoch, releasedKeys, releasedBytes, appliance, sliceRoot, processors.length);
            return null;
        }, fileThread());
        phase = PUBLISHING;
        return 1;
    }

    private int published()
    {
        if (!fileWork.isDone())
        {
            return 0;
        }
        try
        {
            fileWork.join();
        }
        catch (final RuntimeException ex)
        {
            return refuse("the slice of move " + request.moveId() + " was written but not published: " +
                SliceFiles.reason(ex) + "; the groups stay released at epoch " + request.epoch());
        }
        counters.released(keys);
        return done();
    }

    private int done()
    {
        final long durationNs = clock.nanoTime() - startNs;
        try
        {
            TopologyRequests.writeResult(dir, requestId, new TopologyRequests.Result(request.action(),
                producer.ownership().epoch(), request.moveId(), keys, bytes, position,
                durationNs));
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
        counters.lastMoveNs(durationNs);
        counters.ownership(producer.ownership());
        finish();
        counters.result().setRelease(requestId);
        return 1;
    }

    private int refuse(final String reason)
    {
        TopologyRequests.refuse(dir, requestId, reason, errorHandler);
        counters.lastMoveNs(clock.nanoTime() - startNs);
        counters.ownership(producer.ownership());
        finish();
        counters.result().setRelease(-requestId);
        return 1;
    }

    private void finish()
    {
        handledId = requestId;
        counters.request().compareAndSet(requestId, 0);
        phase = IDLE;
        fileWork = null;
    }

    private ExecutorService fileThread()
    {
        if (null == fileThread)
        {
            fileThread = Executors.newSingleThreadExecutor((task) ->
            {
                final Thread thread = new Thread(task, "sluice-topology-files");
                thread.setDaemon(true);
                return thread;
            });
        }
        return fileThread;
    }

    private static String owned(final GroupOwnership ownership)
    {
        final String ranges = ownership.describeRanges();
        return ranges.isEmpty() ? "none" : ranges;
    }

    /**
     * {@inheritDoc}
     */
    public void onClose()
    {
        if (null != fileThread)
        {
            fileThread.shutdownNow();
        }
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "sluice-topology";
    }
}
