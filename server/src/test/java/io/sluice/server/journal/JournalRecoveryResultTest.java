package io.sluice.server.journal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class JournalRecoveryResultTest
{
    private static final JournalArchive.RecordingDescriptor JOURNAL =
        new JournalArchive.RecordingDescriptor(7, 0, 4096, 0, 1 << 27, 1 << 16, 1408);

    @Test
    void shouldSayARescaleWithoutASnapshotPlacedEveryKeyByTheReplay()
    {
        final JournalRecovery.Result result = new JournalRecovery.Result(JOURNAL, null, 0, 64, 0, 1_000_000, null,
            1024, 1024, 2, 4);

        assertEquals("rescaled from 2 to 4 processors: no snapshot, every key placed by the journal's replay from " +
            "its start under the new count", result.describeRescale());
    }

    @Test
    void shouldSayAResizeWithoutASnapshot()
    {
        final JournalRecovery.Result result = new JournalRecovery.Result(JOURNAL, null, 0, 64, 0, 1_000_000, null,
            1024, 4096, 2, 2);

        assertEquals("resized state from 1024 to 4096 keys per processor: no snapshot, every key placed by the " +
            "journal's replay from its start under the new count", result.describeRescale());
    }

    @Test
    void shouldSayNothingWhenTheShapeIsTheJournals()
    {
        assertNull(new JournalRecovery.Result(JOURNAL, null, 0, 64, 0, 1_000_000, null, 1024, 1024, 2, 2)
            .describeRescale());
        assertNull(new JournalRecovery.Result(null, null, 0, 0, 0, 1_000, null, 1024, 4096, 2, 4)
            .describeRescale());
    }
}
