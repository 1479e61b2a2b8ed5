package io.sluice.config.topology;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A scale-out deployment: which appliances exist, how to reach each, which key-group ranges each owns, and the
 * epoch that grows with every change. Every appliance and every routing client reads the same file; a move
 * (({@code sluice topology move}) writes the next epoch. The key-group count and the hash seed are the topology's,
 * so every appliance and every client place a key in the same group ({@link KeyGroupHash}).
 * <pre>
 *   epoch=3
 *   key-groups=4096
 *   hash-seed=0x5eed
 *   slice-dir=/var/lib/sluice/slices
 *   appliances=a,b
 *   appliance.a.ingress=aeron:udp?endpoint=10.0.0.1:40123
 *   appliance.a.ingress-stream=1001
 *   appliance.a.egress=aeron:udp?endpoint=10.0.0.9:40124
 *   appliance.a.egress-stream=1002
 *   appliance.a.aeron-dir=/dev/shm/sluice-a
 *   appliance.a.groups=0-2047
 *   appliance.b....
 *   appliance.b.groups=2048-4095
 * </pre>
 * A file names every key group's owner exactly once. {@code cluster-ingress} (an Aeron Cluster's ingress endpoints)
 * instead of {@code ingress}/{@code egress} names a three-node cluster appliance. Immutable; any thread.
 */
public final class Topology
{
    /** A name: letters, digits, '-' and '_', at most 32. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    /**
     * A range of key groups, both ends included.
     *
     * @param first first group.
     * @param last  last group, at least {@code first}.
     */
    public record GroupRange(int first, int last)
    {
        /**
         * @return groups in the range.
         */
        public int size()
        {
            return last - first + 1;
        }

        /**
         * @param group a key group.
         * @return true when the range holds it.
         */
        public boolean contains(final int group)
        {
            return group >= first && group <= last;
        }

        @Override
        public String toString()
        {
            return first == last ? Integer.toString(first) : first + "-" + last;
        }

        /**
         * @param text       {@code 7} or {@code 0-1023}.
         * @param groupCount key groups there are.
         * @return the range.
         * @throws IllegalArgumentException naming the text and what is allowed.
         */
        public static GroupRange parse(final String text, final int groupCount)
        {
            final String t = text.trim();
            final int dash = t.indexOf('-');
            final int first;
            final int last;
            try
            {
                first = Integer.parseInt(dash < 0 ? t : t.substring(0, dash).trim());
                last = dash < 0 ? first : Integer.parseInt(t.substring(dash + 1).trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("'" + text + "' is not a group range: allowed are N or N-M");
            }
            if (first < 0 || last < first || last >= groupCount)
            {
                throw new IllegalArgumentException("'" + text + "' is not a group range within [0, " +
                    (groupCount - 1) + "] with first <= last");
            }
            return new GroupRange(first, last);
        }
    }

    /**
     * One appliance: a standalone daemon or a three-node cluster.
     *
     * @param name             its name.
     * @param ingress          the daemon's ingress channel (empty for a cluster).
     * @param ingressStream    its stream id.
     * @param egress           the daemon's egress channel (empty for a cluster).
     * @param egressStream     its stream id.
     * @param clusterIngress   an Aeron Cluster's ingress endpoints ({@code 0=host:port,1=...}), empty for a daemon.
     * @param aeronDir         the appliance's media driver directory, for host-local control; may be empty.
     * @param ranges           the key-group ranges it owns, in order.
     */
    public record Appliance(
        String name,
        String ingress,
        int ingressStream,
        String egress,
        int egressStream,
        String clusterIngress,
        String aeronDir,
        List<GroupRange> ranges)
    {
        /**
         * @return true for a cluster appliance.
         */
        public boolean isCluster()
        {
            return !clusterIngress.isEmpty();
        }

        /**
         * @param group a key group.
         * @return true when this appliance owns it.
         */
        public boolean owns(final int group)
        {
            for (final GroupRange range : ranges)
            {
                if (range.contains(group))
                {
                    return true;
                }
            }
            return false;
        }

        /**
         * @return groups it owns.
         */
        public int groupCount()
        {
            int n = 0;
            for (final GroupRange range : ranges)
            {
                n += range.size();
            }
            return n;
        }
    }

    private final long epoch;
    private final int keyGroupCount;
    private final long hashSeed;
    private final String sliceDir;
    private final List<Appliance> appliances;
    private final short[] owners;

    /**
     * @param epoch         at least 1.
     * @param keyGroupCount a power of two.
     * @param hashSeed      the shared hash seed.
     * @param sliceDir      where moves write their slices.
     * @param appliances    the appliances, whose ranges together name every group exactly once.
     * @throws IllegalArgumentException when the topology is not valid, naming what is wrong.
     */
    public Topology(
        final long epoch,
        final int keyGroupCount,
        final long hashSeed,
        final String sliceDir,
        final List<Appliance> appliances)
    {
        if (epoch < 1)
        {
            throw new IllegalArgumentException("epoch must be >= 1: " + epoch);
        }
        new KeyGroupHash(hashSeed, keyGroupCount);
        if (appliances.isEmpty() || appliances.size() > Short.MAX_VALUE)
        {
            throw new IllegalArgumentException("a topology needs at least one appliance");
        }
        this.epoch = epoch;
        this.keyGroupCount = keyGroupCount;
        this.hashSeed = hashSeed;
        this.sliceDir = sliceDir;
        this.appliances = List.copyOf(appliances);
        this.owners = new short[keyGroupCount];
        Arrays.fill(owners, (short)-1);
        for (int i = 0; i < appliances.size(); i++)
        {
            final Appliance appliance = appliances.get(i);
            if (!NAME.matcher(appliance.name()).matches())
            {
                throw new IllegalArgumentException("appliance name '" + appliance.name() +
                    "' is not allowed: letters, digits, '-' and '_', at most 32");
            }
            for (int j = 0; j < i; j++)
            {
                if (appliances.get(j).name().equals(appliance.name()))
                {
                    throw new IllegalArgumentException("appliance '" + appliance.name() + "' is named twice");
                }
            }
            for (final GroupRange range : appliance.ranges())
            {
                if (range.last() >= keyGroupCount)
                {
                    throw new IllegalArgumentException("appliance '" + appliance.name() + "' range " + range +
                        " is beyond the last key group " + (keyGroupCount - 1));
                }
                for (int g = range.first(); g <= range.last(); g++)
                {
                    if (owners[g] >= 0)
                    {
                        throw new IllegalArgumentException("key group " + g + " is owned by both '" +
                            appliances.get(owners[g]).name() + "' and '" + appliance.name() + "'");
                    }
                    owners[g] = (short)i;
                }
            }
        }
        for (int g = 0; g < keyGroupCount; g++)
        {
            if (owners[g] < 0)
            {
                throw new IllegalArgumentException("key group " + g + " has no owner: every group of [0, " +
                    (keyGroupCount - 1) + "] must be in exactly one appliance's groups");
            }
        }
    }

    /**
     * @return the epoch, at least 1; every change makes it greater.
     */
    public long epoch()
    {
        return epoch;
    }

    /**
     * @return key groups, a power of two.
     */
    public int keyGroupCount()
    {
        return keyGroupCount;
    }

    /**
     * @return the hash seed every appliance and client places keys by.
     */
    public long hashSeed()
    {
        return hashSeed;
    }

    /**
     * @return the placement function of this topology.
     */
    public KeyGroupHash keyGroupHash()
    {
        return new KeyGroupHash(hashSeed, keyGroupCount);
    }

    /**
     * @return where moves write their slices (a directory every appliance of a move can read and write).
     */
    public String sliceDir()
    {
        return sliceDir;
    }

    /**
     * @return the appliances, in the file's order (the index is {@link #ownerOf}'s answer).
     */
    public List<Appliance> appliances()
    {
        return appliances;
    }

    /**
     * @param name an appliance's name.
     * @return its index, -1 when there is none of that name.
     */
    public int indexOf(final String name)
    {
        for (int i = 0; i < appliances.size(); i++)
        {
            if (appliances.get(i).name().equals(name))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param group a key group.
     * @return the index of the appliance that owns it.
     */
    public int ownerOf(final int group)
    {
        return owners[group];
    }

    /**
     * @param range     the groups to move, all owned by one appliance today.
     * @param toName    the appliance that takes them.
     * @return the topology after the move: the next epoch, the range taken from its owner and given to {@code to}.
     * @throws IllegalArgumentException when the target is unknown, or the range is not owned by one other appliance.
     */
    public Topology withMove(final GroupRange range, final String toName)
    {
        final int to = indexOf(toName);
        if (to < 0)
        {
            throw new IllegalArgumentException("no appliance '" + toName + "' in the topology (epoch " + epoch + ")");
        }
        final int from = owners[range.first()];
        for (int g = range.first(); g <= range.last(); g++)
        {
            if (owners[g] != from)
            {
                throw new IllegalArgumentException("groups " + range + " are not owned by one appliance: " +
                    range.first() + " by '" + appliances.get(from).name() + "', " + g + " by '" +
                    appliances.get(owners[g]).name() + "'");
            }
        }
        if (from == to)
        {
            throw new IllegalArgumentException("groups " + range + " are already owned by '" + toName + "'");
        }
        final short[] next = owners.clone();
        Arrays.fill(next, range.first(), range.last() + 1, (short)to);
        final List<Appliance> moved = new ArrayList<>(appliances.size());
        for (int i = 0; i < appliances.size(); i++)
        {
            final Appliance a = appliances.get(i);
            moved.add(new Appliance(a.name(), a.ingress(), a.ingressStream(), a.egress(), a.egressStream(),
                a.clusterIngress(), a.aeronDir(), rangesOf(next, (short)i)));
        }
        return new Topology(epoch + 1, keyGroupCount, hashSeed, sliceDir, moved);
    }

    /**
     * @param file a topology file.
     * @return what it says.
     * @throws IllegalArgumentException naming the file, the key and what is allowed, when it is not valid.
     * @throws UncheckedIOException when it cannot be read.
     */
    public static Topology read(final Path file)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read topology file " + file + ": " + ex.getMessage(), ex);
        }
        try
        {
            return parse(properties);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("topology file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @param p a topology's properties.
     * @return the topology.
     * @throws IllegalArgumentException naming the key and what is allowed.
     */
    public static Topology parse(final Properties p)
    {
        final long epoch = number(p, "epoch", null);
        final int groups = (int)number(p, "key-groups", null);
        final long seed = number(p, "hash-seed", null);
        final String sliceDir = p.getProperty("slice-dir", "").trim();
        final String names = required(p, "appliances");
        final List<Appliance> list = new ArrayList<>();
        for (final String raw : names.split(","))
        {
            final String name = raw.trim();
            final String prefix = "appliance." + name + ".";
            final String cluster = p.getProperty(prefix + "cluster-ingress", "").trim();
            final String ingress = p.getProperty(prefix + "ingress", "").trim();
            final String egress = p.getProperty(prefix + "egress", "").trim();
            if (cluster.isEmpty() && (ingress.isEmpty() || egress.isEmpty()))
            {
                throw new IllegalArgumentException(prefix + "ingress and " + prefix + "egress (a daemon) or " +
                    prefix + "cluster-ingress (a cluster) must be set");
            }
            final List<GroupRange> ranges = new ArrayList<>();
            for (final String r : p.getProperty(prefix + "groups", "").split(","))
            {
                if (!r.isBlank())
                {
                    try
                    {
                        ranges.add(GroupRange.parse(r, groups));
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw new IllegalArgumentException(prefix + "groups: " + ex.getMessage(), ex);
                    }
                }
            }
            list.add(new Appliance(name, ingress, (int)number(p, prefix + "ingress-stream", 1001L), egress,
                (int)number(p, prefix + "egress-stream", 1002L), cluster,
                p.getProperty(prefix + "aeron-dir", "").trim(), List.copyOf(ranges)));
        }
        for (final String key : p.stringPropertyNames())
        {
            if (!key.equals("epoch") && !key.equals("key-groups") && !key.equals("hash-seed") &&
                !key.equals("slice-dir") && !key.equals("appliances") && !key.startsWith("appliance."))
            {
                throw new IllegalArgumentException("unknown key '" + key + "': allowed are epoch, key-groups, " +
                    "hash-seed, slice-dir, appliances and appliance.<name>.*");
            }
        }
        return new Topology(epoch, groups, seed, sliceDir, list);
    }

    /**
     * @return the file text of this topology, readable by {@link #parse}.
     */
    public String toText()
    {
        final StringBuilder b = new StringBuilder(256)
            .append("# Sluice topology (docs/scale-out.md); written by sluice topology, epoch ").append(epoch).append('\n')
            .append("epoch=").append(epoch).append('\n')
            .append("key-groups=").append(keyGroupCount).append('\n')
            .append("hash-seed=0x").append(Long.toHexString(hashSeed)).append('\n')
            .append("slice-dir=").append(sliceDir).append('\n')
            .append("appliances=");
        for (int i = 0; i < appliances.size(); i++)
        {
            b.append(i > 0 ? "," : "").append(appliances.get(i).name());
        }
        b.append('\n');
        for (final Appliance a : appliances)
        {
            final String prefix = "appliance." + a.name() + ".";
            if (a.isCluster())
            {
                b.append(prefix).append("cluster-ingress=").append(a.clusterIngress()).append('\n');
            }
            else
            {
                b.append(prefix).append("ingress=").append(a.ingress()).append('\n')
                    .append(prefix).append("ingress-stream=").append(a.ingressStream()).append('\n')
                    .append(prefix).append("egress=").append(a.egress()).append('\n')
                    .append(prefix).append("egress-stream=").append(a.egressStream()).append('\n');
            }
            if (!a.aeronDir().isEmpty())
            {
                b.append(prefix).append("aeron-dir=").append(a.aeronDir()).append('\n');
            }
            b.append(prefix).append("groups=").append(joinRanges(a.ranges())).append('\n');
        }
        return b.toString();
    }

    /**
     * Write this topology to a file atomically: a reader sees the old file or the new one, never a part.
     *
     * @param file where.
     * @throws UncheckedIOException when it cannot be written.
     */
    public void write(final Path file)
    {
        final Path parent = file.toAbsolutePath().getParent();
        try
        {
            final Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, toText(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write topology file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @param ranges ranges.
     * @return them as {@code 0-1023,2048}.
     */
    public static String joinRanges(final List<GroupRange> ranges)
    {
        final StringBuilder b = new StringBuilder();
        for (final GroupRange r : ranges)
        {
            b.append(b.length() > 0 ? "," : "").append(r);
        }
        return b.toString();
    }

    @Override
    public String toString()
    {
        final StringBuilder b = new StringBuilder("epoch ").append(epoch).append(':');
        for (final Appliance a : appliances)
        {
            b.append(' ').append(a.name()).append('=').append(joinRanges(a.ranges()));
        }
        return b.toString();
    }

    private static List<GroupRange> rangesOf(final short[] owners, final short owner)
    {
        final List<GroupRange> ranges = new ArrayList<>();
        int start = -1;
        for (int g = 0; g <= owners.length; g++)
        {
            final boolean mine = g < owners.length && owners[g] == owner;
            if (mine && start < 0)
            {
                start = g;
            }
            else if (!mine && start >= 0)
            {
                ranges.add(new GroupRange(start, g - 1));
                start = -1;
            }
        }
        return Collections.unmodifiableList(ranges);
    }

    private static String required(final Properties p, final String key)
    {
        final String value = p.getProperty(key);
        if (null == value || value.isBlank())
        {
            throw new IllegalArgumentException(key + " must be set");
        }
        return value.trim();
    }

    private static long number(final Properties p, final String key, final Long defaultValue)
    {
        final String text = null == defaultValue ? required(p, key) : p.getProperty(key, defaultValue.toString());
        final String t = text.trim().toLowerCase(Locale.ROOT);
        try
        {
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + "='" + text.trim() + "' is not a number (decimal or 0x hex)");
        }
    }
}
