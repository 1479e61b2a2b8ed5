package io.sluice.tools.journal;

import io.sluice.server.journal.JournalIdentity;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ring.RingEntry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalToolTest
{
    @Test
    void shouldMoveTheJournalAsideWithEverythingInItForAFreshStart(@TempDir final Path dir) throws IOException
    {
        final Path journal = dir.resolve("journal");
        Files.createDirectories(journal.resolve("archive"));
        Files.writeString(journal.resolve(JournalIdentity.FILE), "sluice.processor.count=2\n");

        final String line = JournalTool.moveAside(config(journal));

        assertFalse(Files.exists(journal));
        final List<Path> aside;
        try (Stream<Path> files = Files.list(dir))
        {
            aside = files.toList();
        }
        assertEquals(1, aside.size());
        final Path moved = aside.get(0);
        assertTrue(moved.getFileName().toString().matches("journal\\.old-\\d{8}-\\d{6}"), moved.toString());
        assertEquals("sluice.processor.count=2\n", Files.readString(moved.resolve(JournalIdentity.FILE)));
        assertTrue(Files.isDirectory(moved.resolve("archive")));
        assertEquals("sluice: --fresh-journal: moved the journal " + journal + " aside to " + moved +
            "; starting with a new one", line);
    }

    @Test
    void shouldSayThereIsNothingToMoveWithoutAJournal(@TempDir final Path dir)
    {
        final Path journal = dir.resolve("none");

        assertEquals("sluice: --fresh-journal: no journal in " + journal + ", starting with a new one",
            JournalTool.moveAside(config(journal)));
        assertFalse(Files.exists(journal));
    }

    @Test
    void shouldCollectOwnershipEntriesWithEpochMoveRangeActionAndThePositionAfterTheirMessage()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4 * RingEntry.LENGTH]);
        new RingEntry(buffer, 0).tick(1_000, 5);
        new RingEntry(buffer, RingEntry.LENGTH).ownership(2, 2, 0, 1023, RingEntry.OWNERSHIP_RELEASE, 5);
        new RingEntry(buffer, 2 * RingEntry.LENGTH).tick(2_000, 5);
        new RingEntry(buffer, 3 * RingEntry.LENGTH).ownership(3, 7, 4096, 65535, RingEntry.OWNERSHIP_ACQUIRE, 5);
        final JournalTool.OwnershipChanges changes = new JournalTool.OwnershipChanges();
        changes.onEntry(buffer, 0, 1024);
        changes.onEntry(buffer, RingEntry.LENGTH, 1024);
        changes.onEntry(buffer, 2 * RingEntry.LENGTH, 4096);
        changes.onEntry(buffer, 3 * RingEntry.LENGTH, 8192);

        assertEquals(List.of(new JournalTool.OwnershipChange(2, 2, 0, 1023, true, 1024 + 32 + 2 * 64),
            new JournalTool.OwnershipChange(3, 7, 4096, 65535, false, 8192 + 32 + 64)), changes.changes());
        assertEquals("epoch 2, move 2: released key groups 0-1023 (1024) at journal position 1184",
            changes.changes().get(0).describe());
        assertEquals("epoch 3, move 7: acquired key groups 4096-65535 (61440) at journal position 8288",
            changes.changes().get(1).describe());
    }

    private static SluiceConfig config(final Path journal)
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.JOURNAL_DIR, journal.toString());
        return SluiceConfig.of(properties);
    }
}
