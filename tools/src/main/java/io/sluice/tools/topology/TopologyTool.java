package io.sluice.tools.topology;

import io.sluice.config.topology.KeyGroupHash;
import io.sluice.config.topology.Topology;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * {@code sluice topology init}, {@code check} and {@code show}: write a new topology file (epoch 1, the key groups
 * split evenly), check one as the daemons and clients read it and more strictly (every {@code appliance.<name>.*}
 * key must name a listed appliance and a known field: a misspelt key would otherwise be left out silently), and
 * print one beside the live figures of the appliances running on this host. Exit codes: 0 done, 2 a bad file or
 * option (one line on standard error naming it). Main thread.
 */
public final class TopologyTool
{
    /** Prefix of every line the topology commands print. */
    static final String PREFIX = "sluice topology: ";
    /** The fields an appliance may have in a topology file, {@code appliance.<name>.<field>}. */
    static final List<String> FIELDS = List.of(
        "ingress", "ingress-stream", "egress", "egress-stream", "cluster-ingress", "aeron-dir", "groups");
    private static final Set<String> INIT_FIELDS = Set.of(
        "ingress", "ingress-stream", "egress", "egress-stream", "cluster-ingress", "aeron-dir");

    private TopologyTool()
    {
    }

    /**
     * A topology file that {@link #load} refused.
     */
    static final class BadFileException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        BadFileException(final String message)
        {
            super(message);
        }
    }

    /**
     * Read a topology file as {@link Topology#read} does, and refuse besides every {@code appliance.<name>.<field>}
     * key whose name the file's {@code appliances} does not list or whose field is not one of {@link #FIELDS}.
     *
     * @param file the topology file.
     * @return the topology.
     * @throws BadFileException naming the file and the problem.
     */
    static Topology load(final Path file)
    {
        final Properties p = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            p.load(reader);
        }
        catch (final IOException ex)
        {
            throw new BadFileException("cannot read topology file " + file + ": " + ex);
        }
        try
        {
            return parse(p);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadFileException("topology file " + file + ": " + ex.getMessage());
        }
    }

    /**
     * @param p a topology's properties.
     * @return the topology ({@link Topology#parse}) after the stricter checks of {@link #load}.
     * @throws IllegalArgumentException naming the key and what is allowed.
     */
    static Topology parse(final Properties p)
    {
        final List<String> names = new ArrayList<>();
        for (final String name : p.getProperty("appliances", "").split(","))
        {
            names.add(name.trim());
        }
        for (final String key : new java.util.TreeSet<>(p.stringPropertyNames()))
        {
            if (!key.startsWith("appliance.") || p.getProperty("appliances", "").isBlank())
            {
                continue;
            }
            final int dot = key.lastIndexOf('.');
            final String name = key.substring("appliance.".length(), Math.max(dot, "appliance.".length()));
            final String field = key.substring(dot + 1);
            if (!names.contains(name))
            {
                throw new IllegalArgumentException(key + " names appliance '" + name + "', which appliances=" +
                    p.getProperty("appliances", "").trim() + " does not list");
            }
            if (!FIELDS.contains(field))
            {
                throw new IllegalArgumentException("unknown key '" + key + "': allowed per appliance are " +
                    String.join(", ", FIELDS));
            }
        }
        final String groups = p.getProperty("key-groups", "").trim();
        if (groups.matches("[0-9]{1,9}"))
        {
            final int count = Integer.parseInt(groups);
            if (count < 1 || count > KeyGroupHash.MAX_KEY_GROUPS || 0 != (count & (count - 1)))
            {
                throw new IllegalArgumentException("key-groups=" + groups + " must be a power of two from 1 to " +
                    KeyGroupHash.MAX_KEY_GROUPS);
            }
        }
        return Topology.parse(p);
    }

    /**
     * {@code sluice topology check}.
     *
     * @param file the topology file.
     * @param out  where the summary goes.
     * @param err  where a problem goes.
     * @return 0 valid, 2 not (the problem printed).
     */
    public static int check(final Path file, final PrintStream out, final PrintStream err)
    {
        try
        {
            final Topology topology = load(file);
            out.println(PREFIX + file + " is valid: " + summary(topology));
            return 0;
        }
        catch (final BadFileException ex)
        {
            err.println(PREFIX + ex.getMessage());
            return 2;
        }
    }

    /**
     * {@code sluice topology init}: a new topology at epoch 1, appliance {@code i} of {@code n} owning groups
     * {@code [i x groups / n, (i + 1) x groups / n)}.
     *
     * @param file       where to write it; must not exist.
     * @param names      the appliances' names, in order ({@code --appliances a,b}).
     * @param specs      one {@code NAME:FIELD=VALUE;FIELD=VALUE...} per appliance ({@code --appliance}).
     * @param keyGroups  key groups, a power of two.
     * @param hashSeed   the hash seed, or null for a random non-zero one.
     * @param sliceDir   the shared slice directory.
     * @param out        where the result goes.
     * @param err        where a problem goes.
     * @return 0 written, 2 a bad option or an existing file (nothing written).
     */
    public static int init(
        final Path file,
        final String names,
        final List<String> specs,
        final long keyGroups,
        final String hashSeed,
        final String sliceDir,
        final PrintStream out,
        final PrintStream err)
    {
        if (Files.exists(file))
        {
            err.println(PREFIX + file + " exists: init writes a new topology only (sluice topology move changes " +
                "one; delete the file first to start over)");
            return 2;
        }
        final Properties p = new Properties();
        p.setProperty("epoch", "1");
        p.setProperty("key-groups", Long.toString(keyGroups));
        p.setProperty("hash-seed", null != hashSeed ? hashSeed : "0x" + Long.toHexString(randomSeed()));
        p.setProperty("slice-dir", sliceDir);
        p.setProperty("appliances", names);
        final List<String> list = new ArrayList<>();
        for (final String name : names.split(","))
        {
            list.add(name.trim());
        }
        try
        {
            for (final String spec : specs)
            {
                applianceSpec(spec, list, p);
            }
            for (final String name : list)
            {
                if (!p.containsKey("appliance." + name + ".ingress") &&
                    !p.containsKey("appliance." + name + ".cluster-ingress"))
                {
                    throw new IllegalArgumentException("--appliances names '" + name + "' and no --appliance " +
                        name + ":ingress=...;egress=... gives its channels");
                }
            }
            if (keyGroups < list.size())
            {
                throw new IllegalArgumentException("--key-groups " + keyGroups + " is fewer than the " + list.size() +
                    " appliances");
            }
            for (int i = 0; i < list.size(); i++)
            {
                final long first = i * keyGroups / list.size();
                final long last = (i + 1) * keyGroups / list.size() - 1;
                p.setProperty("appliance." + list.get(i) + ".groups", first + "-" + last);
            }
            final Topology topology = parse(p);
            topology.write(file);
            out.println(PREFIX + "wrote " + file + ": " + summary(topology));
            return 0;
        }
        catch (final IllegalArgumentException ex)
        {
            err.println(PREFIX + "init: " + ex.getMessage() + "; nothing written");
            return 2;
        }
    }

    /**
     * {@code sluice topology show}: the file, and for each appliance whose aeron-dir is on this host its live epoch,
     * owned key groups and moves; an appliance whose epoch is ahead of the file's is flagged.
     *
     * @param file the topology file.
     * @param out  where it goes.
     * @param err  where a problem goes.
     * @return 0, or 2 for a bad file.
     */
    public static int show(final Path file, final PrintStream out, final PrintStream err)
    {
        final Topology topology;
        try
        {
            topology = load(file);
        }
        catch (final BadFileException ex)
        {
            err.println(PREFIX + ex.getMessage());
            return 2;
        }
        out.println("topology " + file + ": epoch " + topology.epoch() + ", " + topology.keyGroupCount() +
            " key groups, hash seed 0x" + Long.toHexString(topology.hashSeed()) + ", slice dir " +
            (topology.sliceDir().isEmpty() ? "(none: no move possible)" : topology.sliceDir()));
        for (final Topology.Appliance appliance : topology.appliances())
        {
            out.println("  " + appliance.name() + ": groups " + ranges(appliance) + " (" + appliance.groupCount() +
                " groups); " + liveFigures(topology, appliance));
        }
        return 0;
    }

    /**
     * @return what the appliance's counters on this host say, as {@code show} prints it.
     */
    private static String liveFigures(final Topology topology, final Topology.Appliance appliance)
    {
        if (appliance.aeronDir().isEmpty())
        {
            return "no aeron-dir: no live figures";
        }
        final String where = "aeron dir " + appliance.aeronDir() + ": ";
        final ApplianceLink.Live live = ApplianceLink.live(appliance.aeronDir());
        if (null == live)
        {
            return where + (ApplianceLink.running(appliance.aeronDir()) ? "running without topology counters " +
                "(not started with sluice.topology.file?)" : "not running on this host");
        }
        final StringBuilder b = new StringBuilder(where).append("live epoch ").append(live.epoch());
        if (live.epoch() > topology.epoch())
        {
            b.append(" AHEAD of the file (a move did not finish writing it, or this is an old copy)");
        }
        b.append(", owns ").append(live.ownedGroups()).append(" groups");
        if (live.epoch() == topology.epoch() && live.ownedGroups() != appliance.groupCount())
        {
            b.append(" (the file says ").append(appliance.groupCount()).append(')');
        }
        return b.append(", moves ").append(live.movesReleased()).append(" released / ").append(live.movesAcquired())
            .append(" acquired, keys ").append(live.keysOut()).append(" out / ").append(live.keysIn()).append(" in")
            .toString();
    }

    /**
     * @param topology a topology.
     * @return {@code epoch 1, 4096 key groups, a: 0-2047, b: 2048-4095}.
     */
    static String summary(final Topology topology)
    {
        final StringBuilder b = new StringBuilder("epoch ").append(topology.epoch()).append(", ")
            .append(topology.keyGroupCount()).append(" key groups");
        for (final Topology.Appliance appliance : topology.appliances())
        {
            b.append(", ").append(appliance.name()).append(": ").append(ranges(appliance));
        }
        return b.toString();
    }

    /**
     * @param appliance an appliance.
     * @return its ranges, {@code 0-1023,2048-4095}, or {@code none}.
     */
    static String ranges(final Topology.Appliance appliance)
    {
        return appliance.ranges().isEmpty() ? "none" : Topology.joinRanges(appliance.ranges());
    }

    private static void applianceSpec(final String spec, final List<String> names, final Properties p)
    {
        final int colon = spec.indexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException("--appliance " + spec + " must be NAME:FIELD=VALUE;FIELD=VALUE... " +
                "(fields " + String.join(", ", INIT_FIELDS.stream().sorted().toList()) + ")");
        }
        final String name = spec.substring(0, colon).trim();
        if (!names.contains(name))
        {
            throw new IllegalArgumentException("--appliance " + spec + " names appliance '" + name + "', which " +
                "--appliances does not list");
        }
        if (p.stringPropertyNames().stream().anyMatch((key) -> key.startsWith("appliance." + name + ".")))
        {
            throw new IllegalArgumentException("--appliance " + name + ":... is given twice");
        }
        for (final String part : spec.substring(colon + 1).split(";"))
        {
            if (part.isBlank())
            {
                continue;
            }
            final int eq = part.indexOf('=');
            final String field = eq < 0 ? part.trim() : part.substring(0, eq).trim();
            if (eq < 0 || !INIT_FIELDS.contains(field))
            {
                throw new IllegalArgumentException("--appliance " + name + ": '" + part + "' is not FIELD=VALUE " +
                    "with a field of " + String.join(", ", INIT_FIELDS.stream().sorted().toList()));
            }
            p.setProperty("appliance." + name + "." + field, part.substring(eq + 1).trim());
        }
    }

    private static long randomSeed()
    {
        final SecureRandom random = new SecureRandom();
        long seed = 0;
        while (0 == seed)
        {
            seed = random.nextLong();
        }
        return seed;
    }
}
