package io.sluice.server.topology;

import io.sluice.config.ConfigurationException;
import io.sluice.config.JournalMode;
import io.sluice.config.SluiceConfig;
import io.sluice.config.topology.Topology;
import io.sluice.server.journal.JournalIdentity;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

/**
 * A daemon in topology mode ({@code sluice.topology.file} set): the topology file read at start, which of its
 * appliances this daemon is, and the checks that make the daemon one of them: the appliance is named in the file,
 * the journal is on (ownership is state kept in the journal), and the hash seed and key-group count are the
 * topology's (a different one given explicitly is refused naming both). Start-up only.
 *
 * @param file      the topology file.
 * @param topology  what it says.
 * @param appliance this appliance's name.
 * @param index     its index in the file.
 */
public record ApplianceTopology(Path file, Topology topology, String appliance, int index)
{
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
        if (config.keyGroupCountGiven() && config.keyGroupCount() != topology.keyGroupCount())
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
     * @param epoch     the epoch in force.
     * @param owned     groups owned.
     * @param ranges    the owned ranges as text.
     * @param fromFile  whether the ownership is the file's (else the journal's).
     * @return the start-up summary line's text after {@code topology }.
     */
    public String describe(final long epoch, final int owned, final String ranges, final boolean fromFile)
    {
        return "appliance " + appliance + " of " + topology.appliances().size() + ", epoch " + epoch + ", owns " +
            owned + " of " + topology.keyGroupCount() + " key groups (" + (ranges.isEmpty() ? "none" : ranges) +
            ") from " + (fromFile ? "the file " + file : "the journal");
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
