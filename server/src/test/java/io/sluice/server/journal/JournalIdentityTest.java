package io.sluice.server.journal;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.window.WindowSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JournalIdentityTest
{
    private static final long MS = 1_000_000L;
    private static final Path DIR = Path.of("/var/sluice/journal");

    private static ShardContext shards(final WindowSpec spec, final int evictAfterWindows)
    {
        return new ShardContext().processorCount(2).stateCapacity(1024).hashSeed(7).windowSpec(spec)
            .evictAfterWindows(evictAfterWindows).conclude();
    }

    private static JournalIdentity journalOf(final ShardContext shards)
    {
        return new JournalIdentity(shards.hashSeed(), shards.stateSettings());
    }

    @Test
    void shouldLetOtherWindowsAndEvictionThroughAsAWindowChange()
    {
        final JournalIdentity journal = journalOf(shards(WindowSpec.of(100 * MS, 100 * MS, 20 * MS), 0));
        final ShardContext changed = shards(WindowSpec.of(200 * MS, 50 * MS, 30 * MS), 4);

        journal.check(DIR, changed);
        final WindowChange change = WindowChange.of(journal, changed);
        assertNotNull(change);
        assertEquals(journal.stateSettings(), change.previous().stateSettings(), "recovery runs under the journal's");
        assertNull(WindowChange.of(journal, shards(WindowSpec.of(100 * MS, 100 * MS, 20 * MS), 0)));
    }

    @Test
    void shouldRefuseTurningWindowsOnOrOffNamingTheWindowType()
    {
        final JournalIdentity withWindows = journalOf(shards(WindowSpec.of(100 * MS, 100 * MS, 20 * MS), 0));
        final ConfigurationException off = assertThrows(ConfigurationException.class,
            () -> withWindows.check(DIR, shards(null, 0)));
        assertEquals(SluiceConfig.WINDOW_TYPE, off.key());
        assertEquals(SluiceConfig.WINDOW_TYPE + "=none differs from the journal in " + DIR + ", written with " +
            "windows: turning windows on or off at restart is not supported (the state of a key is another kind); " +
            "start with the journal's " + SluiceConfig.WINDOW_TYPE + ", or move " + DIR + " away (sluice daemon " +
            "--fresh-journal) to start fresh", off.getMessage());

        final JournalIdentity without = journalOf(shards(null, 0));
        final ConfigurationException on = assertThrows(ConfigurationException.class,
            () -> without.check(DIR, shards(WindowSpec.of(100 * MS, 50 * MS, 0), 0)));
        assertEquals(SluiceConfig.WINDOW_TYPE + "=sliding differs from the journal in " + DIR + ", written without " +
            "windows: turning windows on or off at restart is not supported (the state of a key is another kind); " +
            "start with the journal's " + SluiceConfig.WINDOW_TYPE + ", or move " + DIR + " away (sluice daemon " +
            "--fresh-journal) to start fresh", on.getMessage());
    }
}
