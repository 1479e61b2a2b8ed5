package io.sluice.server.journal;

import io.sluice.config.ConfigurationException;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.JournalMode;
import io.sluice.config.SluiceConfig;
import org.junit.jupiter.api.Test;

import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalContextTest
{
    @Test
    void shouldTakeEveryJournalSettingFromTheConfiguration()
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.JOURNAL_MODE, "sync");
        properties.setProperty(SluiceConfig.JOURNAL_DIR, "/tmp/j");
        properties.setProperty(SluiceConfig.JOURNAL_FILE_SYNC, "1");
        properties.setProperty(SluiceConfig.JOURNAL_SEGMENT_LENGTH, "1m");
        properties.setProperty(SluiceConfig.JOURNAL_RETENTION, "2s");
        properties.setProperty(SluiceConfig.SNAPSHOT_INTERVAL, "30s");
        properties.setProperty(SluiceConfig.SNAPSHOT_RETAIN, "3");
        properties.setProperty(SluiceConfig.DRIVER_DIR, "/tmp/d");
        properties.setProperty(SluiceConfig.DRIVER_IDLE_STRATEGY, "sleeping");

        final Journal.Context ctx = Journal.Context.from(SluiceConfig.of(properties)).conclude();

        assertEquals(JournalMode.SYNC, ctx.mode());
        assertEquals("/tmp/j", ctx.dir());
        assertEquals(1, ctx.fileSync());
        assertEquals(1024 * 1024, ctx.segmentLength());
        assertEquals(TimeUnit.SECONDS.toNanos(2), ctx.retentionNs());
        assertEquals(TimeUnit.SECONDS.toNanos(30), ctx.snapshotIntervalNs());
        assertEquals(3, ctx.snapshotRetain());
        assertEquals("/tmp/d", ctx.driverDir());
        assertEquals(IdleStrategyType.SLEEPING, ctx.idleStrategy());
        assertSame(System.out, ctx.log());
    }

    @Test
    void shouldFillTheDeclaredDefaultsWhenOnlyTheDirectoriesAreSet()
    {
        final Journal.Context ctx = new Journal.Context().dir("/tmp/j").driverDir("/tmp/d").conclude();

        assertEquals(JournalMode.OFF, ctx.mode());
        assertEquals(0, ctx.fileSync());
        assertEquals(128 * 1024 * 1024, ctx.segmentLength());
        assertEquals(0L, ctx.retentionNs());
        assertEquals(0L, ctx.snapshotIntervalNs());
        assertEquals(2, ctx.snapshotRetain());
        assertEquals(IdleStrategyType.BACKOFF, ctx.idleStrategy());
    }

    @Test
    void shouldRejectAValueOutOfRangeNamingTheKey()
    {
        final ConfigurationException segment = assertThrows(ConfigurationException.class, () ->
            new Journal.Context().dir("/tmp/j").driverDir("/tmp/d").segmentLength(1000).conclude());
        assertTrue(segment.getMessage().startsWith("sluice.journal.segment-length=1000 "), segment.getMessage());

        final ConfigurationException retain = assertThrows(ConfigurationException.class, () ->
            new Journal.Context().dir("/tmp/j").driverDir("/tmp/d").snapshotRetain(0).conclude());
        assertTrue(retain.getMessage().startsWith("sluice.snapshot.retain=0 "), retain.getMessage());

        final ConfigurationException dir = assertThrows(ConfigurationException.class, () ->
            new Journal.Context().driverDir("/tmp/d").conclude());
        assertEquals("sluice.journal.dir=null must be set", dir.getMessage());
    }

    @Test
    void shouldConcludeOnlyOnceAndOpenOnlyWhenConcludedWithItsCollaborators()
    {
        final Journal.Context ctx = new Journal.Context().dir("/tmp/j").driverDir("/tmp/d");

        assertThrows(IllegalStateException.class, ctx::checkReady);
        ctx.conclude();
        assertThrows(IllegalStateException.class, ctx::conclude);
        assertThrows(IllegalStateException.class, ctx::checkReady, "no Aeron client, no error handler");
    }
}
