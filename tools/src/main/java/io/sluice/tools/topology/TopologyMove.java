package io.sluice.tools.topology;

import io.sluice.config.topology.Topology;
import io.sluice.server.topology.TopologyRequests;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice topology move}: moves a range of key groups from the appliance that owns it (by the topology file)
 * to another, both on this host (reached through their {@code aeron-dir}):
 * <ol>
 *     <li>the new epoch is one more than the file's and every live appliance's, whichever is greatest; the move id
 *     is that epoch;</li>
 *     <li>release on the owner: it stops serving the groups at a journal position and writes their keys into the
 *     slice {@code <slice-dir>/move-<id>/};</li>
 *     <li>acquire on the target from that slice, at the same epoch;</li>
 *     <li>the file is written at the new epoch with the range moved (atomically).</li>
 * </ol>
 * A refused or timed-out acquire is rolled back: the owner acquires its own slice again at the epoch after, so it
 * keeps the groups, and the file is written at that epoch with the owners unchanged. Exit codes: 0 moved, 1 refused
 * or failed (the owner keeps the groups; what happened is printed), 2 a bad file or option. Main thread.
 */
public final class TopologyMove
{
    private static final String PREFIX = TopologyTool.PREFIX;

    private TopologyMove()
    {
    }

    /**
     * @param file      the topology file.
     * @param groups    the range, {@code 0-1023}.
     * @param toName    the appliance that takes it.
     * @param timeoutNs how long to wait for each step's answer.
     * @param out       where each step is reported.
     * @param err       where a bad file or option is reported.
     * @return 0 moved, 1 refused or failed (the owner keeps the groups), 2 bad file or option (nothing sent).
     */
    public static int move(
        final Path file, final String groups, final String toName, final long timeoutNs, final PrintStream out,
        final PrintStream err)
    {
        final Topology topology;
        final Topology.GroupRange range;
        final Topology moved;
        try
        {
            topology = TopologyTool.load(file);
            range = Topology.GroupRange.parse(groups, topology.keyGroupCount());
            moved = topology.withMove(range, toName);
            if (topology.sliceDir().isEmpty())
            {
                throw new IllegalArgumentException("the topology has no slice-dir: a move writes its slice there");
            }
        }
        catch (final TopologyTool.BadFileException ex)
        {
            err.println(PREFIX + ex.getMessage());
            return 2;
        }
        catch (final IllegalArgumentException ex)
        {
            err.println(PREFIX + "move: " + ex.getMessage() + "; nothing changed");
            return 2;
        }
        final Topology.Appliance from = topology.appliances().get(topology.ownerOf(range.first()));
        final Topology.Appliance to = topology.appliances().get(topology.indexOf(toName));
        for (final Topology.Appliance appliance : new Topology.Appliance[]{ from, to })
        {
            if (appliance.aeronDir().isEmpty())
            {
                err.println(PREFIX + "move: appliance '" + appliance.name() + "' has no aeron-dir in " + file +
                    ": the move reaches each appliance on this host through it; nothing changed");
                return 2;
            }
        }
        long epoch = topology.epoch();
        for (final Topology.Appliance appliance : topology.appliances())
        {
            final ApplianceLink.Live live = ApplianceLink.live(appliance.aeronDir());
            if (null != live)
            {
                epoch = Math.max(epoch, live.epoch());
            }
            else if (appliance == from || appliance == to)
            {
                out.println(PREFIX + "appliance '" + appliance.name() + "' is not running as a topology appliance " +
                    "at " + appliance.aeronDir() + " (sluice topology show --file " + file + "); nothing changed");
                return 1;
            }
        }
        epoch++;
        final long moveId = epoch;
        out.println(PREFIX + "move " + moveId + ": groups " + range + " (" + range.size() + " groups) from " +
            from.name() + " to " + to.name() + ", epoch " + topology.epoch() + " -> " + epoch);

        final ApplianceLink.Prepared releaseStep = ApplianceLink.prepare(from.aeronDir(),
            new TopologyRequests.Request(TopologyRequests.RELEASE, epoch, moveId, range.first(), range.last(),
            topology.sliceDir(), ""));
        final ApplianceLink.Prepared acquireStep = ApplianceLink.prepare(to.aeronDir(),
            new TopologyRequests.Request(TopologyRequests.ACQUIRE, epoch, moveId, range.first(), range.last(),
            topology.sliceDir(), from.name()));
        final long releaseSentNs = System.nanoTime();
        final ApplianceLink.Answer release = ApplianceLink.exchange(releaseStep, timeoutNs);
        if (ApplianceLink.Outcome.DONE != release.outcome())
        {
            acquireStep.discard();
            report("release on " + from.name(), release, timeoutNs, out);
            final ApplianceLink.Live owner = ApplianceLink.live(from.aeronDir());
            if (ApplianceLink.Outcome.TIMED_OUT == release.outcome() && null != owner && owner.epoch() >= epoch)
            {
                return rollBack(file, topology, from, range, epoch + 1, moveId, release.roundTripNs(), timeoutNs,
                    "the release did not answer", out);
            }
            out.println(PREFIX + "nothing moved: " + from.name() + " keeps groups " + range + "; " + file +
                " unchanged at epoch " + topology.epoch());
            return 1;
        }
        final ApplianceLink.Answer acquire = ApplianceLink.exchange(acquireStep, timeoutNs);
        final long unservedNs = System.nanoTime() - releaseSentNs;
        report("release on " + from.name(), release, timeoutNs, out);
        report("acquire on " + to.name(), acquire, timeoutNs, out);
        final ApplianceLink.Live target = ApplianceLink.live(to.aeronDir());
        if (ApplianceLink.Outcome.TIMED_OUT == acquire.outcome() && null != target && target.epoch() >= epoch)
        {
            moved(file, withEpoch(moved, epoch), range, unservedNs, "the acquire was not answered in time, but " +
                to.name() + " is at epoch " + target.epoch() + ": it took them", out);
            return 0;
        }
        if (ApplianceLink.Outcome.DONE != acquire.outcome())
        {
            return rollBack(file, topology, from, range, epoch + 1, moveId, unservedNs, timeoutNs,
                "the acquire on " + to.name() + " failed", out);
        }
        moved(file, withEpoch(moved, epoch), range, unservedNs, "in the daemons " +
            millis(release.result().durationNs()) + " + " + millis(acquire.result().durationNs()), out);
        return 0;
    }

    private static void moved(
        final Path file, final Topology written, final Topology.GroupRange range, final long unservedNs,
        final String note, final PrintStream out)
    {
        written.write(file);
        out.println(PREFIX + "groups " + range + " not served for " + millis(unservedNs) + " (from sending the " +
            "release to the acquire's answer; " + note + ")");
        out.println(PREFIX + "moved: " + file + " is at " + TopologyTool.summary(written));
    }

    /**
     * The owner takes its own slice back at {@code rollbackEpoch}, so it keeps the groups; the file then says that
     * epoch with the owners unchanged.
     */
    private static int rollBack(
        final Path file,
        final Topology topology,
        final Topology.Appliance owner,
        final Topology.GroupRange range,
        final long rollbackEpoch,
        final long moveId,
        final long unservedNs,
        final long timeoutNs,
        final String why,
        final PrintStream out)
    {
        out.println(PREFIX + why + ": " + owner.name() + " takes groups " + range + " back from its own slice at " +
            "epoch " + rollbackEpoch);
        final ApplianceLink.Answer back = ApplianceLink.send(owner.aeronDir(), new TopologyRequests.Request(
            TopologyRequests.ACQUIRE, rollbackEpoch, moveId, range.first(), range.last(), topology.sliceDir(),
            owner.name()), timeoutNs);
        report("acquire back on " + owner.name(), back, timeoutNs, out);
        if (ApplianceLink.Outcome.DONE == back.outcome())
        {
            withEpoch(topology, rollbackEpoch).write(file);
            out.println(PREFIX + "groups " + range + " not served for " + millis(unservedNs + back.roundTripNs()) +
                "; not moved: " + owner.name() + " keeps them; " + file + " is at epoch " + rollbackEpoch +
                " with the owners unchanged");
            return 1;
        }
        final ApplianceLink.Live live = ApplianceLink.live(owner.aeronDir());
        out.println(PREFIX + "not moved, and " + owner.name() + " could not take groups " + range + " back (its " +
            "epoch " + (null == live ? "unknown: not running" : live.epoch() + ", it owns " + live.ownedGroups() +
            " groups") + "): " + file + " unchanged at epoch " + topology.epoch() + "; if " + owner.name() +
            " released them they are in " + topology.sliceDir() + "/move-" + moveId + ": once it runs again, " +
            "sluice topology acquire --file " + file + " --groups " + range + " --on " + owner.name() +
            " --move-id " + moveId + " (docs/scale-out.md: a failed move)");
        return 1;
    }

    /**
     * {@code sluice topology acquire}: an appliance takes a range in from a slice a release left in the slice
     * directory (a move whose owner could not take the range back), at one more than the greatest epoch of the file
     * and the running appliances; the file is then written at that epoch with the range under it.
     *
     * @param file      the topology file.
     * @param groups    the range, as released.
     * @param onName    the appliance that takes it.
     * @param moveId    the id of the move whose slice holds it.
     * @param fromName  the appliance that released it, or null for the file's owner of the range.
     * @param timeoutNs how long to wait for the answer.
     * @param out       where the step is reported.
     * @param err       where a bad file or option is reported.
     * @return 0 acquired, 1 refused or failed (nothing changed), 2 bad file or option (nothing sent).
     */
    public static int acquire(
        final Path file, final String groups, final String onName, final long moveId, final String fromName,
        final long timeoutNs, final PrintStream out, final PrintStream err)
    {
        final Topology topology;
        final Topology.GroupRange range;
        final Topology after;
        final String source;
        try
        {
            topology = TopologyTool.load(file);
            range = Topology.GroupRange.parse(groups, topology.keyGroupCount());
            final int owner = topology.ownerOf(range.first());
            if (topology.indexOf(onName) == owner)
            {
                for (int g = range.first(); g <= range.last(); g++)
                {
                    if (topology.ownerOf(g) != owner)
                    {
                        throw new IllegalArgumentException("groups " + range + " are not owned by one appliance in " +
                            "the file: " + range.first() + " by '" + onName + "', " + g + " by '" +
                            topology.appliances().get(topology.ownerOf(g)).name() + "'");
                    }
                }
                after = topology;
            }
            else
            {
                after = topology.withMove(range, onName);
            }
            source = null == fromName ? topology.appliances().get(owner).name() : fromName;
            if (topology.indexOf(source) < 0)
            {
                throw new IllegalArgumentException("--from " + source + ": no appliance '" + source + "' in the " +
                    "topology (epoch " + topology.epoch() + ")");
            }
            if (topology.sliceDir().isEmpty())
            {
                throw new IllegalArgumentException("the topology has no slice-dir: the slice is read from there");
            }
            if (topology.appliances().get(topology.indexOf(onName)).aeronDir().isEmpty())
            {
                throw new IllegalArgumentException("appliance '" + onName + "' has no aeron-dir in " + file);
            }
        }
        catch (final TopologyTool.BadFileException ex)
        {
            err.println(PREFIX + ex.getMessage());
            return 2;
        }
        catch (final IllegalArgumentException ex)
        {
            err.println(PREFIX + "acquire: " + ex.getMessage() + "; nothing changed");
            return 2;
        }
        final Topology.Appliance on = topology.appliances().get(topology.indexOf(onName));
        long epoch = topology.epoch();
        for (final Topology.Appliance appliance : topology.appliances())
        {
            final ApplianceLink.Live live = ApplianceLink.live(appliance.aeronDir());
            epoch = null == live ? epoch : Math.max(epoch, live.epoch());
        }
        epoch++;
        out.println(PREFIX + "acquire: groups " + range + " (" + range.size() + " groups) on " + on.name() +
            " from the slice of move " + moveId + " (released by " + source + "), epoch " + epoch);
        final ApplianceLink.Answer answer = ApplianceLink.send(on.aeronDir(), new TopologyRequests.Request(
            TopologyRequests.ACQUIRE, epoch, moveId, range.first(), range.last(), topology.sliceDir(), source),
            timeoutNs);
        report("acquire on " + on.name(), answer, timeoutNs, out);
        if (ApplianceLink.Outcome.DONE != answer.outcome())
        {
            out.println(PREFIX + "nothing changed: " + file + " unchanged at epoch " + topology.epoch());
            return 1;
        }
        final Topology written = withEpoch(after, epoch);
        written.write(file);
        out.println(PREFIX + "acquired: " + file + " is at " + TopologyTool.summary(written));
        return 0;
    }

    private static void report(
        final String step, final ApplianceLink.Answer answer, final long timeoutNs, final PrintStream out)
    {
        switch (answer.outcome())
        {
            case DONE ->
            {
                final TopologyRequests.Result r = answer.result();
                out.println(PREFIX + step + ": done at epoch " + r.epoch() + ", " + r.keys() + " keys, " +
                    r.bytes() + " bytes, journal position " + r.position() + ", " + millis(r.durationNs()) +
                    " in the daemon, " + millis(answer.roundTripNs()) + " round trip");
            }
            case REFUSED -> out.println(PREFIX + step + ": refused: " + answer.reason());
            case TIMED_OUT -> out.println(PREFIX + step + ": no answer within " +
                TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s");
            case NOT_RUNNING -> out.println(PREFIX + step + ": not running on this host");
            default -> out.println(PREFIX + step + ": running without topology counters");
        }
    }

    private static Topology withEpoch(final Topology topology, final long epoch)
    {
        return new Topology(epoch, topology.keyGroupCount(), topology.hashSeed(), topology.sliceDir(),
            topology.appliances());
    }

    private static String millis(final long ns)
    {
        return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
    }
}
