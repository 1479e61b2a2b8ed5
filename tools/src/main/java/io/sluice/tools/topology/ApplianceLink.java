package io.sluice.tools.topology;

import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.topology.TopologyRequests;
import io.sluice.tools.stat.CounterRequest;
import io.sluice.tools.stat.SluiceStat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The host-local control of one appliance of a topology, through its media driver directory (the topology file's
 * {@code aeron-dir}): its live topology counters, and one move step handed over as {@code sluice rules apply}
 * hands a rule file ({@link TopologyRequests}, {@link CounterRequest#exchange}). Never the network. Main thread.
 */
final class ApplianceLink
{
    private ApplianceLink()
    {
    }

    /**
     * An appliance's topology counters as read now.
     *
     * @param epoch         its topology epoch.
     * @param ownedGroups   key groups it owns.
     * @param movesReleased moves it released.
     * @param movesAcquired moves it acquired.
     * @param keysOut       keys it wrote into released slices.
     * @param keysIn        keys it took in from acquired slices.
     * @param lastMoveNs    its last move step's duration, ns.
     */
    record Live(
        long epoch, long ownedGroups, long movesReleased, long movesAcquired, long keysOut, long keysIn,
        long lastMoveNs)
    {
    }

    /** How a step ended. */
    enum Outcome
    {
        /** The appliance did it: {@link Answer#result()}. */
        DONE,
        /** The appliance refused it and changed nothing: {@link Answer#reason()}. */
        REFUSED,
        /** No answer within the timeout; the request was withdrawn unless the appliance had taken it. */
        TIMED_OUT,
        /** No media driver runs at the appliance's aeron-dir. */
        NOT_RUNNING,
        /** A process runs there without topology counters (not an appliance of a topology, or older). */
        NO_TOPOLOGY
    }

    /**
     * @param outcome     how it ended.
     * @param result      what the appliance reported, for {@link Outcome#DONE}; else null.
     * @param reason      why, for {@link Outcome#REFUSED}; else empty.
     * @param roundTripNs from raising the request counter to reading the answer (or giving up), ns.
     */
    record Answer(Outcome outcome, TopologyRequests.Result result, String reason, long roundTripNs)
    {
    }

    /**
     * @param aeronDir an appliance's media driver directory.
     * @return its topology counters, or null when nothing runs there or it has none.
     */
    static Live live(final String aeronDir)
    {
        if (aeronDir.isEmpty())
        {
            return null;
        }
        final long[] values = { -1, -1, 0, 0, 0, 0, 0 };
        final boolean running = SluiceStat.read(aeronDir, (reader) -> reader.forEach(
            (counterId, typeId, keyBuffer, label) ->
            {
                final int index = switch (typeId)
                {
                    case SluiceCounters.TOPOLOGY_EPOCH_TYPE_ID -> 0;
                    case SluiceCounters.TOPOLOGY_OWNED_GROUPS_TYPE_ID -> 1;
                    case SluiceCounters.TOPOLOGY_MOVES_RELEASED_TYPE_ID -> 2;
                    case SluiceCounters.TOPOLOGY_MOVES_ACQUIRED_TYPE_ID -> 3;
                    case SluiceCounters.TOPOLOGY_KEYS_OUT_TYPE_ID -> 4;
                    case SluiceCounters.TOPOLOGY_KEYS_IN_TYPE_ID -> 5;
                    case SluiceCounters.TOPOLOGY_LAST_MOVE_TYPE_ID -> 6;
                    default -> -1;
                };
                if (index >= 0)
                {
                    values[index] = reader.getCounterValue(counterId);
                }
            }));
        if (!running || values[0] < 0)
        {
            return null;
        }
        return new Live(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
    }

    /**
     * @param aeronDir an appliance's media driver directory.
     * @return true when a media driver's CnC file is there.
     */
    static boolean running(final String aeronDir)
    {
        return !aeronDir.isEmpty() && SluiceStat.read(aeronDir, (reader) -> { });
    }

    /**
     * A step ready to hand over: the appliance's request and result counters found and the request file written
     * (the appliance reads it only once the request counter names it), so that handing it over costs no more than
     * the counters' exchange.
     *
     * @param aeronDir       the appliance's media driver directory.
     * @param requestCounter id of its topology request counter, -1 when it has none.
     * @param resultCounter  id of its topology result counter, -1 when it has none.
     * @param id             the request id.
     * @param missing        why it cannot be handed over ({@link Outcome#NOT_RUNNING}, {@link Outcome#NO_TOPOLOGY}),
     *                       or null when it can.
     */
    record Prepared(String aeronDir, int requestCounter, int resultCounter, long id, Outcome missing)
    {
        /**
         * Withdraw a step that will not be handed over: its request file goes.
         */
        void discard()
        {
            if (null == missing)
            {
                delete(TopologyRequests.requestFile(Path.of(aeronDir).toAbsolutePath(), id));
            }
        }
    }

    /**
     * @param aeronDir the appliance's media driver directory.
     * @param request  the step.
     * @return the step, ready for {@link #exchange}.
     */
    static Prepared prepare(final String aeronDir, final TopologyRequests.Request request)
    {
        final int[] ids = { -1, -1 };
        final boolean running = !aeronDir.isEmpty() && SluiceStat.read(aeronDir, (reader) -> reader.forEach(
            (counterId, typeId, keyBuffer, label) ->
            {
                if (SluiceCounters.TOPOLOGY_REQUEST_TYPE_ID == typeId)
                {
                    ids[0] = counterId;
                }
                else if (SluiceCounters.TOPOLOGY_RESULT_TYPE_ID == typeId)
                {
                    ids[1] = counterId;
                }
            }));
        final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        if (!running)
        {
            return new Prepared(aeronDir, -1, -1, id, Outcome.NOT_RUNNING);
        }
        if (-1 == ids[0] || -1 == ids[1])
        {
            return new Prepared(aeronDir, -1, -1, id, Outcome.NO_TOPOLOGY);
        }
        TopologyRequests.writeRequest(Path.of(aeronDir).toAbsolutePath(), id, request);
        return new Prepared(aeronDir, ids[0], ids[1], id, null);
    }

    /**
     * Hand a prepared step to its appliance and wait for the answer.
     *
     * @param step      the step ({@link #prepare}).
     * @param timeoutNs how long to wait for the request counter to be free and for the answer.
     * @return the answer; the request's, result's and refusal's files are gone afterwards.
     */
    static Answer exchange(final Prepared step, final long timeoutNs)
    {
        if (null != step.missing())
        {
            return new Answer(step.missing(), null, "", 0);
        }
        final Path dir = Path.of(step.aeronDir()).toAbsolutePath();
        final long id = step.id();
        final long startNs = System.nanoTime();
        final long outcome = CounterRequest.exchange(step.aeronDir(), step.requestCounter(), step.resultCounter(), id,
            timeoutNs)[0];
        final long roundTripNs = System.nanoTime() - startNs;
        if (0 == outcome)
        {
            delete(TopologyRequests.requestFile(dir, id));
            return new Answer(Outcome.TIMED_OUT, null, "", roundTripNs);
        }
        if (outcome < 0)
        {
            final String reason = TopologyRequests.readRefusal(dir, id);
            delete(TopologyRequests.refusalFile(dir, id));
            delete(TopologyRequests.requestFile(dir, id));
            return new Answer(Outcome.REFUSED, null, reason, roundTripNs);
        }
        final TopologyRequests.Result result = TopologyRequests.readResult(dir, id);
        delete(TopologyRequests.resultFile(dir, id));
        delete(TopologyRequests.requestFile(dir, id));
        return new Answer(Outcome.DONE, result, "", roundTripNs);
    }

    /**
     * Hand one step to an appliance and wait for its answer: {@link #prepare} then {@link #exchange}.
     *
     * @param aeronDir  the appliance's media driver directory.
     * @param request   the step.
     * @param timeoutNs how long to wait for the request counter to be free and for the answer.
     * @return the answer.
     */
    static Answer send(final String aeronDir, final TopologyRequests.Request request, final long timeoutNs)
    {
        return exchange(prepare(aeronDir, request), timeoutNs);
    }

    private static void delete(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + file, ex);
        }
    }
}
