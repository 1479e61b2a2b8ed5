package io.sluice.server.journal;

import io.sluice.core.snapshot.SnapshotStore;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotCoordinatorTest
{
    @TempDir
    Path dir;

    private final List<Throwable> errors = new ArrayList<>();

    private SnapshotCoordinator coordinator()
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 1024)));
        return new SnapshotCoordinator(new SnapshotStore(dir.resolve("snapshots")), 2, 2, new io.sluice.core.route.ShardRouter(7), 11,
            counters.newCounter("last id"), counters.newCounter("last position"), counters.newCounter("digest"),
            counters.newCounter("pause"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            errors::add);
    }

    @Test
    void shouldHaveAWriterAgentThatDoesNothingWhileNoSnapshotIsInProgress() throws Exception
    {
        final SnapshotCoordinator coordinator = coordinator();
        final Agent writer = coordinator.writerAgent();

        assertEquals("sluice-snapshot-writer", writer.roleName());
        assertEquals(0, writer.doWork());
        coordinator.onMarkerJournaled(1, 128);
        coordinator.onRecorded(256);
        assertEquals(0, writer.doWork(), "a marker of a snapshot not in progress is ignored");
        assertFalse(coordinator.inProgress());
        assertEquals(1, coordinator.nextId());
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldRunTheWriterOnADaemonThreadNamedForItsRoleUntilClosed() throws Exception
    {
        final SnapshotCoordinator coordinator = coordinator();
        coordinator.start(5, null, null);
        final Thread thread = awaitThread(SnapshotCoordinator.WRITER_ROLE_NAME);
        assertTrue(thread.isDaemon());

        coordinator.close();

        thread.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(thread.isAlive());
        assertEquals(List.of(), errors);
    }

    private static Thread awaitThread(final String name) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (final Thread thread : Thread.getAllStackTraces().keySet())
            {
                if (name.equals(thread.getName()))
                {
                    return thread;
                }
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no thread named " + name);
    }
}
