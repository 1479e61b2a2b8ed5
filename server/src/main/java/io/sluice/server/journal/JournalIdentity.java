package io.sluice.server.journal;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.route.ShardRouter;
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
 * What a journal was written under: the key hash's seed and the settings that shape state (key-group count,
 * windows, eviction, and the processor count and state capacity it is now written under), kept in
 * {@code <sluice.journal.dir>/journal.properties} from the journal's first start. A daemon whose seed is drawn
 * ({@code sluice.hash.seed=random}) adopts the journal's seed; one that was given another seed, or differs in a
 * setting that shapes state, refuses to start, naming the setting: replaying the journal under it would build
 * other state. The processor count and the state capacity may differ ({@link ShardContext#mayChangeAtRestart}):
 * recovery then moves every key to its shard under the new ones (a rescale) and the file is rewritten with them.
 * A journal written before key groups has no {@code sluice.keygroup.count}: it takes the daemon's and is always
 * restored key by key. The key-group placement ({@link #PLACEMENT}) changes when the daemon is restarted into or
 * out of a topology: recovery restores a snapshot of the other placement key by key. Other windows or eviction
 * are an exception too: the windows are rebuilt from the journal ({@link WindowChange}), and {@link #write} then
 * records the new settings.
 *
 * @param hashSeed      the key hash's seed.
 * @param stateSettings key to value, as {@link ShardContext#stateSettings()} gives them.
 */
public record JournalIdentity(long hashSeed, Map<String, String> stateSettings)
{
    /** File name of the identity in the journal directory. */
    public static final String FILE = "journal.properties";
    /**
     * Key of the fingerprint a journal written before key groups carries in its START entries and manifests, kept
     * when such a journal's file is rewritten so its old entries still replay.
     */
    public static final String LEGACY_FINGERPRINT = "legacy.fingerprint";
    /**
     * Key of the key-group placement the journal is now written under ({@link ShardRouter.Placement#text()}),
     * recorded only when it is not contiguous (an appliance in a topology): a journal without it was written
     * contiguous. Not a setting: topology mode decides it; a snapshot records its own ({@code key.groups.placement}
     * in its manifest), which recovery goes by.
     */
    public static final String PLACEMENT = "keygroup.placement";

    /**
     * @param shards the concluded shards' context of a new journal.
     * @return the identity to record: the seed, the settings that shape state and the placement.
     */
    public static JournalIdentity of(final ShardContext shards)
    {
        return new JournalIdentity(shards.hashSeed(), withPlacement(shards.stateSettings(), shards));
    }

    private static Map<String, String> withPlacement(final Map<String, String> settings, final ShardContext shards)
    {
        final Map<String, String> all = new LinkedHashMap<>(settings);
        if (ShardRouter.Placement.CONTIGUOUS != shards.router().placement())
        {
            all.put(PLACEMENT, shards.router().placement().text());
        }
        return all;
    }

    /**
     * @return the key-group placement the journal was last written under; contiguous when it records none.
     */
    public ShardRouter.Placement placement()
    {
        return ShardRouter.Placement.of(stateSettings.get(PLACEMENT));
    }

    /**
     * @param journalDir the journal directory.
     * @return the identity of the journal there, or null when there is none yet.
     * @throws ConfigurationException naming {@code sluice.journal.dir} when the file cannot be read or records an
     *                                unknown key-group placement.
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
            ShardRouter.Placement.of(properties.getProperty(PLACEMENT));
            return new JournalIdentity(Long.parseUnsignedLong(
                properties.getProperty(SluiceConfig.HASH_SEED, "").replace("0x", ""), 16), settings);
        }
        catch (final IOException | IllegalArgumentException ex)
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
     * Write this identity into a journal directory unless it is the one already there.
     *
     * @param recorded   the identity read from the directory, or null.
     * @param journalDir the journal directory.
     */
    public void writeIfChanged(final JournalIdentity recorded, final Path journalDir)
    {
        if (!equals(recorded))
        {
            write(journalDir);
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
     * After the shards conclude: every setting that shapes state, and the seed, must be the journal's, but the
     * processor count and the state capacity ({@link ShardContext#mayChangeAtRestart}), and the key-group count of
     * a journal written before key groups (which it has not recorded).
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
            if (ShardContext.mayChangeAtRestart(setting.getKey()) ||
                (null == journal && SluiceConfig.KEYGROUP_COUNT.equals(setting.getKey())))
            {
                continue;
            }
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

    /**
     * @return true for a journal written before key groups: no {@code sluice.keygroup.count} recorded.
     */
    public boolean beforeKeyGroups()
    {
        return !stateSettings.containsKey(SluiceConfig.KEYGROUP_COUNT);
    }

    /**
     * @param key      a setting that shapes state.
     * @param fallback what to return when the journal does not record it.
     * @return the journal's value of an integer setting.
     */
    public int recorded(final String key, final int fallback)
    {
        final String value = stateSettings.get(key);
        return null == value ? fallback : Integer.parseInt(value);
    }

    /**
     * @param shards the concluded shards' context.
     * @return the configuration fingerprints the journal's START entries and snapshots may carry for these shards:
     * theirs first, then for a journal written before key groups the fingerprint of that time.
     */
    public long[] fingerprints(final ShardContext shards)
    {
        final String kept = stateSettings.get(LEGACY_FINGERPRINT);
        if (null != kept)
        {
            return new long[]{ shards.fingerprint(), Long.parseUnsignedLong(kept, 16) };
        }
        if (beforeKeyGroups())
        {
            return new long[]{ shards.fingerprint(), shards.legacyFingerprint(stateSettings) };
        }
        return new long[]{ shards.fingerprint() };
    }

    /**
     * After a recovery: the identity the journal is now written under, the shards' settings (their processor count
     * and capacity) and placement, keeping a journal from before key groups replayable ({@link #LEGACY_FINGERPRINT}).
     *
     * @param shards the concluded shards' context.
     * @return the identity to record, equal to this one when nothing changed.
     */
    public JournalIdentity now(final ShardContext shards)
    {
        final Map<String, String> settings = withPlacement(shards.stateSettings(), shards);
        final long[] fingerprints = fingerprints(shards);
        if (fingerprints.length > 1)
        {
            settings.put(LEGACY_FINGERPRINT, String.format(Locale.ROOT, "%016x", fingerprints[1]));
        }
        return new JournalIdentity(hashSeed, settings);
    }
}
