package io.sluice.server.topology;

import io.sluice.config.ConfigurationException;
import io.sluice.config.JournalMode;
import io.sluice.config.SluiceConfig;
import io.sluice.config.topology.Topology;
import io.sluice.core.ring.GroupOwnership;
import io.sluice.server.journal.JournalIdentity;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.BitSet;
import java.util.List;

/**
 * A daemon in topology mode ({@code sluice.topology.file} set): the topology file read at start, which of its
 * appliances this daemon is, and the checks that make the daemon one of them: the appliance is named in the file,
 * the journal is on (ownership is state kept in the journal), and the hash seed and key-group count are the
 * topology's (a different seed given explicitly, or a key-group count other than the default and the topology's,
 * is refused naming both). Start-up only.
 *
 * @param file      the topology file.
 * @param topology  what it says.
 * @param appliance this appliance's name.
 * @param index     its index in the file.
 */
public record ApplianceTopology(Path file, Topology topology, String appliance, int index)
{
    /**
     * File in the journal directory that keeps the ownership the topology file gave at the journal's first start
     * in topology mode: recovery starts from it, then the snapshot's ownership and the journal's OWNERSHIP entries
     * take over, so the appliance never needs the topology file again.
     */
    public static final String START_FILE = "topology-start.properties";

    /** Why a cluster node refuses {@code sluice.topology.file}. */
    public static final String NOT_ON_CLUSTER = "is set: topology mode is for standalone daemons in this version";

    /**
     * Read and check the topology a configuration names.
     *
     * @param config the daemon's configuration.
     * @return the appliance's topology, or null when {@code sluice.topology.file} is empty.
     * @throws ConfigurationException naming the key, the value and what is allowed: a bad or unreadable file, an
     *                                appliance the file does not list, the journal off, a given hash seed or
     *                                key-group count other than the topology's.
     */
    public static ApplianceTopology of(final SluiceConfig config)
    {
        final String fileName = config.value(io.sluice.config.Settings.TOPOLOGY_FILE).trim();
        if (fileName.isEmpty())
        {
            return null;
        }
        final Path file = Path.of(fileName).toAbsolutePath();
        final Topology topology;
        try
        {
            topology = Topology.read(file);
        }
        catch (final IllegalArgumentException | UncheckedIOException ex)
        {
            throw new ConfigurationException(SluiceConfig.TOPOLOGY_FILE, fileName, "cannot be used: " +
                ex.getMessage());
        }
        final String appliance = config.value(io.sluice.config.Settings.TOPOLOGY_APPLIANCE).trim();
        final int index = topology.indexOf(appliance);
        if (index < 0)
        {
            throw new ConfigurationException(SluiceConfig.TOPOLOGY_APPLIANCE, appliance, "is not an appliance of " +
                "the topology file " + file + ": allowed are " + names(topology));
        }
        if (topology.appliances().get(index).isCluster())
        {
            throw new ConfigurationException(SluiceConfig.TOPOLOGY_APPLIANCE, appliance, "is a cluster appliance " +
                "in " + file + " (cluster-ingress): a standalone daemon must be a daemon appliance");
        }
        if (JournalMode.OFF == config.journalMode())
        {
            throw new ConfigurationException(SluiceConfig.JOURNAL_MODE, "off", "cannot be used with " +
                SluiceConfig.TOPOLOGY_FILE + "=" + fileName + ": an appliance keeps its key-group ownership in " +
                "its journal; use async or sync");
        }
        if (!config.hashSeedDrawn() && config.hashSeed() != topology.hashSeed())
        {
            throw new ConfigurationException(SluiceConfig.HASH_SEED, hex(config.hashSeed()), "differs from the " +
                "topology file " + file + ", whose hash-seed is " + hex(topology.hashSeed()) + ": every appliance " +
                "uses the topology's; remove " + SluiceConfig.HASH_SEED + " or set it to " + hex(topology.hashSeed()));
        }
        if (config.keyGroupCount() != io.sluice.config.Settings.KEYGROUP_COUNT.defaultValue() &&
            config.keyGroupCount() != topology.keyGroupCount())
        {
            throw new ConfigurationException(SluiceConfig.KEYGROUP_COUNT, Integer.toString(config.keyGroupCount()),
                "differs from the topology file " + file + ", whose key-groups is " + topology.keyGroupCount() +
                ": every appliance uses the topology's; remove " + SluiceConfig.KEYGROUP_COUNT + " or set it to " +
                topology.keyGroupCount());
        }
        if (topology.keyGroupCount() < config.processorCount())
        {
            throw new ConfigurationException(SluiceConfig.PROCESSOR_COUNT, Integer.toString(config.processorCount()),
                "is more than the topology's key-groups " + topology.keyGroupCount() + " in " + file);
        }
        return new ApplianceTopology(file, topology, appliance, index);
    }

    /**
     * A journal that exists must have been written under the topology's seed and key-group count.
     *
     * @param identity   the journal's identity, or null for a new journal.
     * @param journalDir the journal directory.
     * @throws ConfigurationException naming {@code sluice.topology.file} and both values.
     */
    public void checkJournal(final JournalIdentity identity, final Path journalDir)
    {
        if (null == identity)
        {
            return;
        }
        if (identity.hashSeed() != topology.hashSeed())
        {
            throw new ConfigurationException(SluiceConfig.TOPOLOGY_FILE, file.toString(), "has hash-seed " +
                hex(topology.hashSeed()) + ", but the journal in " + journalDir + " was written with " +
                SluiceConfig.HASH_SEED + "=" + hex(identity.hashSeed()) + ": an appliance's journal must be the " +
                "topology's; move " + journalDir + " away (sluice daemon --fresh-journal) to start fresh");
        }
        final int groups = identity.recorded(SluiceConfig.KEYGROUP_COUNT, topology.keyGroupCount());
        if (groups != topology.keyGroupCount())
        {
            throw new ConfigurationException(SluiceConfig.TOPOLOGY_FILE, file.toString(), "has key-groups " +
                topology.keyGroupCount() + ", but the journal in " + journalDir + " was written with " +
                SluiceConfig.KEYGROUP_COUNT + "=" + groups + "; move " + journalDir +
                " away (sluice daemon --fresh-journal) to start fresh");
        }
    }

    /**
     * Before recovery: the ownership recovery starts from, the one this journal's first start in topology mode took
     * from the topology file ({@link #START_FILE}); epoch 0 and no group owned for a journal without one.
     *
     * @param journalDir the journal directory.
     * @return the producer's ownership before recovery.
     * @throws ConfigurationException naming {@code sluice.journal.dir} when the start file cannot be read.
     */
    public GroupOwnership ownershipBeforeRecovery(final Path journalDir)
    {
        final GroupOwnership ownership = new GroupOwnership(topology.keyGroupCount());
        final Path file = journalDir.resolve(START_FILE);
        if (!Files.isRegularFile(file))
        {
            return ownership;
        }
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file))
        {
            p.load(in);
            final BitSet owned = new BitSet(topology.keyGroupCount());
            for (final String range : p.getProperty("groups", "").split(","))
            {
                if (!range.isBlank())
                {
                    final Topology.GroupRange r = Topology.GroupRange.parse(range, topology.keyGroupCount());
                    owned.set(r.first(), r.last() + 1);
                }
            }
            ownership.assign(Long.parseLong(p.getProperty("epoch", "").trim()), owned);
            return ownership;
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new ConfigurationException(SluiceConfig.JOURNAL_DIR, journalDir.toString(), "holds an unreadable " +
                START_FILE + ": " + ex.getMessage());
        }
    }

    /**
     * After recovery: a journal that left no ownership (its first start in topology mode) takes the file's ranges
     * for this appliance at the file's epoch, and keeps them in {@link #START_FILE}.
     *
     * @param ownership  the producer's ownership after recovery.
     * @param journalDir the journal directory.
     * @return true when the ownership is the file's (first start), false when the journal's.
     * @throws UncheckedIOException when the start file cannot be written.
     */
    public boolean ownershipAfterRecovery(final GroupOwnership ownership, final Path journalDir)
    {
        if (ownership.epoch() > 0)
        {
            return false;
        }
        ownership.assign(topology.epoch(), fileGroups());
        final Properties p = new Properties();
        p.setProperty("epoch", Long.toString(ownership.epoch()));
        p.setProperty("groups", ownership.describeRanges());
        p.setProperty("appliance", appliance);
        final Path file = journalDir.resolve(START_FILE);
        final Path tmp = journalDir.resolve(START_FILE + ".tmp");
        try
        {
            Files.createDirectories(journalDir);
            try (OutputStream out = Files.newOutputStream(tmp))
            {
                p.store(out, "Sluice appliance: the ownership the topology file " + this.file + " gave at this " +
                    "journal's first start; the journal's OWNERSHIP entries and snapshots take over from it");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
        return true;
    }

    /**
     * @return the key groups the file gives this appliance.
     */
    public BitSet fileGroups()
    {
        final BitSet owned = new BitSet(topology.keyGroupCount());
        for (final Topology.GroupRange range : topology.appliances().get(index).ranges())
        {
            owned.set(range.first(), range.last() + 1);
        }
        return owned;
    }

    /**
     * @param journalDir the journal directory.
     * @return where this appliance keeps its slices: {@code <journal dir>/slices}.
     */
    public static Path sliceRoot(final Path journalDir)
    {
        return journalDir.resolve("slices");
    }

    /**
     * @param ownership the producer's ownership.
     * @param fromFile  whether it is the file's (else the journal's).
     * @return the start-up summary line's text after {@code topology: }: {@code appliance a of 2, epoch 3, owns 2048
     * of 4096 key groups (0-2047) from journal} (or {@code from file <topology file>} at the first start).
     */
    public String describe(final GroupOwnership ownership, final boolean fromFile)
    {
        final String ranges = ownership.describeRanges();
        return "appliance " + appliance + " of " + topology.appliances().size() + ", epoch " + ownership.epoch() +
            ", owns " + ownership.ownedCount() + " of " + topology.keyGroupCount() + " key groups (" +
            (ranges.isEmpty() ? "none" : ranges) + ") from " + (fromFile ? "file " + file : "journal");
    }

    private static String names(final Topology topology)
    {
        final List<Topology.Appliance> appliances = topology.appliances();
        final StringBuilder b = new StringBuilder();
        for (final Topology.Appliance appliance : appliances)
        {
            b.append(b.length() == 0 ? "" : ", ").append(appliance.name());
        }
        return b.toString();
    }

    private static String hex(final long value)
    {
        return String.format("0x%016x", value);
    }
}
