package io.sluice.tools.journal;

import io.sluice.server.journal.JournalIdentity;
import io.sluice.config.SluiceConfig;
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

    private static SluiceConfig config(final Path journal)
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.JOURNAL_DIR, journal.toString());
        return SluiceConfig.of(properties);
    }
}
