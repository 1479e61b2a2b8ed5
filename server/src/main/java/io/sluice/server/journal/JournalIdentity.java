package io.sluice.server.journal;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.shard.ShardContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * What a journal was written under: the key hash's seed and the settings that shape state (processor count, state
 * capacity, windows, eviction), kept in {@code <sluice.journal.dir>/journal.properties} from the journal's first
 * start. A daemon whose seed is drawn ({@code sluice.hash.seed=random}) adopts the journal's seed; one that was
 * given another seed, or differs in a setting that shapes state, refuses to start, naming the setting: replaying
 * the journal under it would build other state. Other windows or eviction are the exception: the windows are rebuilt
 * from the journal ({@link WindowChange}), and {@link #write} then records the new settings.
 *
 * @param hashSeed      the key hash's seed.
 * @param stateSettings key to value, as {@link ShardContext#stateSettings()} gives them.
 */
public record JournalIdentity(long hashSeed, Map<String, String> stateSettings)
{
    /** File name of the identity in the journal directory. */
    public static final String FILE = "journal.properties";

    /**
     * @param journalDir the journal directory.
     * @return the identity of the journal there, or null when there is none yet.
     * @throws ConfigurationException naming {@code sluice.journal.dir} when the file cannot be read.
     */
    public static JournalIdentity read(final Path journalDir)
    {
        final Path file = journalDir.resolve(FILE);
        if (!Files.isRegularFile(file))
        {
            return null;
        }
        final Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file))
        {
            properties.load(in);
            final Map<String, String> settings = new LinkedHashMap<>();
            for (final String key : properties.stringPropertyNames())
            {
                if (!SluiceConfig.HASH_SEED.equals(key))
                {
                    settings.put(key, properties.getProperty(key));
                }
            }
            return new JournalIdentity(Long.parseUnsignedLong(
                properties.getProperty(SluiceConfig.HASH_SEED, "").replace("0x", ""), 16), settings);
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw new ConfigurationException(SluiceConfig.JOURNAL_DIR, journalDir.toString(),
                "holds an unreadable " + FILE + ": " + ex.getMessage());
        }
    }

    /**
     * Write this identity into a journal directory (a new journal, or the new settings after a window change),
     * atomically.
     *
     * @param journalDir the journal directory, created when missing.
     */
    public void write(final Path journalDir)
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.HASH_SEED, String.format(Locale.ROOT, "0x%016x", hashSeed));
        stateSettings.forEach(properties::setProperty);
        try
        {
            Files.createDirectories(journalDir);
            final Path tmp = journalDir.resolve(FILE + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp))
            {
                properties.store(out, "Sluice journal: the settings it was written under; a daemon must match them");
            }
            Files.move(tmp, journalDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + journalDir.resolve(FILE), ex);
        }
    }

    /**
     * Before the shards conclude: a drawn seed gives way to the journal's.
     *
     * @param config the daemon's configuration.
     * @param shards the shards' context, not yet concluded.
     * @return the identity of the journal in {@code sluice.journal.dir}, or null when there is none yet.
     */
    public static JournalIdentity adoptSeed(final SluiceConfig config, final ShardContext shards)
    {
        final JournalIdentity identity = read(Path.of(config.journalDir()));
        if (null != identity && config.hashSeedDrawn())
        {
            shards.hashSeed(identity.hashSeed());
        }
        return identity;
    }

    /**
     * After the shards conclude: every setting that shapes state, and the seed, must be the journal's.
     *
     * @param journalDir the journal directory.
     * @param shards     the concluded shards' context.
     * @throws ConfigurationException naming the first setting that differs, its value here and the journal's.
     */
    public void check(final Path journalDir, final ShardContext shards)
    {
        if (hashSeed != shards.hashSeed())
        {
            throw new ConfigurationException(SluiceConfig.HASH_SEED, String.format("0x%016x", shards.hashSeed()),
                "differs from the journal in " + journalDir + ", written with " + SluiceConfig.HASH_SEED + "=" +
                String.format("0x%016x", hashSeed) + "; leave the seed random to adopt the journal's, or move " +
                journalDir + " away (sluice daemon --fresh-journal) to start fresh");
        }
        for (final Map.Entry<String, String> setting : shards.stateSettings().entrySet())
        {
            final String journal = stateSettings.get(setting.getKey());
            if (WindowChange.KEYS.contains(setting.getKey()) && null != journal && !setting.getValue().equals(journal))
            {
                if ("none".equals(journal) || "none".equals(setting.getValue()))
                {
                    throw new ConfigurationException(SluiceConfig.WINDOW_TYPE, null == shards.windowSpec() ? "none" :
                        shards.windowSpec().slideNs() == shards.windowSpec().sizeNs() ? "tumbling" : "sliding", "differs from the journal in " + journalDir + ", written " +
                        ("none".equals(journal) ? "without" : "with") + " windows: turning windows on or off at " +
                        "restart is not supported (the state of a key is another kind); start with the journal's " +
                        SluiceConfig.WINDOW_TYPE + ", or move " + journalDir +
                        " away (sluice daemon --fresh-journal) to start fresh");
                }
                continue;
            }
            if (!setting.getValue().equals(journal))
            {
                throw new ConfigurationException(setting.getKey(), setting.getValue(),
                    "differs from the journal in " + journalDir + ", written with " + setting.getKey() + "=" +
                    journal + " (window durations in ns); start with the journal's settings, or move " + journalDir +
                    " away (sluice daemon --fresh-journal) to start fresh");
            }
        }
    }
}
