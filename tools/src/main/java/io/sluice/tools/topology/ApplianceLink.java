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
     * @param roundTripNs from writing the request to reading the answer (or giving up), ns.
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
     * Hand one move step to an appliance and wait for its answer.
     *
     * @param aeronDir  the appliance's media driver directory.
     * @param request   the step.
     * @param timeoutNs how long to wait for the request counter to be free and for the answer.
     * @return the answer; the request's, result's and refusal's files are gone afterwards.
     */
    static Answer send(final String aeronDir, final TopologyRequests.Request request, final long timeoutNs)
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
        if (!running)
        {
            return new Answer(Outcome.NOT_RUNNING, null, "", 0);
        }
        if (-1 == ids[0] || -1 == ids[1])
        {
            return new Answer(Outcome.NO_TOPOLOGY, null, "", 0);
        }
        final Path dir = Path.of(aeronDir).toAbsolutePath();
        final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        final long startNs = System.nanoTime();
        TopologyRequests.writeRequest(dir, id, request);
        final long outcome = CounterRequest.exchange(aeronDir, ids[0], ids[1], id, timeoutNs)[0];
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
