package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import io.sluice.client.SluiceClient;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.journal.JournalFiles;
import io.sluice.tools.journal.JournalTool;
import io.sluice.tools.replay.JournalInput;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal's documented outcomes: a torn last message is cut and the rest replayed; an unusable newest snapshot
 * (a part missing, a checksum wrong) gives way to the older one plus replay, to the same state; a journal written
 * under another processor count or hash seed refuses the start, naming the setting; with retention the journal's
 * segments on disk stay bounded and exactly the retained snapshot sets remain.
 */
class JournalOutcomesSystemTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int KEYS = 10;
    private static final long T0 = 1_700_000_000_000_000_000L;

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-outcomes-" + System.nanoTime());
    private final Path journalDir = dir.resolve("journal");
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException
    {
        for (final Process process : processes)
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        IoUtil.delete(dir.toFile(), true);
    }

    @Test
    @Timeout(120)
    void shouldRefuseAJournalWrittenUnderAnotherKeyGroupCountOrHashSeedAndRescaleToAnotherProcessorCount()
    {
        try (TestDaemon first = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "2").start())
        {
            assertTrue(first.log().contains("recovered new journal"), first.log());
        }
        try (TestDaemon other = journaled(new TestDaemon()).set(SluiceConfig.KEYGROUP_COUNT, "1024"))
        {
            final ConfigurationException ex = assertThrows(ConfigurationException.class, other::start);
            assertEquals(SluiceConfig.KEYGROUP_COUNT, ex.key());
            assertTrue(ex.getMessage().startsWith(SluiceConfig.KEYGROUP_COUNT + "=1024 differs from the journal in " +
                journalDir + ", written with " + SluiceConfig.KEYGROUP_COUNT + "=4096"), ex.getMessage());
        }
        try (TestDaemon rescaled = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "4").start())
        {
            assertTrue(rescaled.log().contains("rescaled from 2 to 4 processors: 0 keys moved in "), rescaled.log());
        }
        try (TestDaemon other = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "2")
            .set(SluiceConfig.HASH_SEED, "0x1234"))
        {
            final ConfigurationException ex = assertThrows(ConfigurationException.class, other::start);
            assertEquals(SluiceConfig.HASH_SEED, ex.key());
            assertTrue(ex.getMessage().startsWith(SluiceConfig.HASH_SEED + "=0x0000000000001234 differs from the " +
                "journal in " + journalDir), ex.getMessage());
        }
    }

    @Test
    @Timeout(120)
    void shouldRefuseARescaleIntoACapacityTooSmallNamingBothNumbersAndChangeNothing() throws Exception
    {
        try (TestDaemon daemon = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "2").start();
            SluiceClient client = client(daemon))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
            send(client, new Expected(), 0, 300);
        }
        final SnapshotStore store = new SnapshotStore(journalDir.resolve("snapshots"));
        final List<SnapshotManifest> before = store.complete();
        final String identity = Files.readString(journalDir.resolve("journal.properties"));
        try (TestDaemon rescaled = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "4")
            .set(SluiceConfig.STATE_CAPACITY, "2"))
        {
            final ConfigurationException ex = assertThrows(ConfigurationException.class, rescaled::start);
            assertEquals(SluiceConfig.STATE_CAPACITY, ex.key());
            assertTrue(ex.getMessage().matches("sluice\\.state\\.capacity=2 is too small: after rescaling from 2 " +
                "to 4 processors shard [0-3] would hold [3-9] keys"), ex.getMessage());
        }
        assertEquals(before, store.complete(), "no snapshot written or removed");
        assertEquals(identity, Files.readString(journalDir.resolve("journal.properties")), "the journal's record");
        try (TestDaemon again = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "2").start())
        {
            assertTrue(again.log().contains("recovered snapshot " + before.get(0).snapshotId()), again.log());
            assertFalse(again.log().contains("rescaled"), again.log());
        }
        assertEquals(before.get(0).digest(), store.complete().get(0).digest(), "the same state, at the next stop");
    }

    @Test
    @Timeout(120)
    void shouldRefuseARescaleWhoseReplayFindsATableFullWithoutASnapshot() throws Exception
    {
        try (TestDaemon daemon = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "2").start();
            SluiceClient client = client(daemon))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
            send(client, new Expected(), 0, 300);
        }
        org.agrona.IoUtil.delete(journalDir.resolve("snapshots").toFile(), false);
        try (TestDaemon rescaled = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "4")
            .set(SluiceConfig.STATE_CAPACITY, "2"))
        {
            final ConfigurationException ex = assertThrows(ConfigurationException.class, rescaled::start);
            assertEquals(SluiceConfig.STATE_CAPACITY, ex.key());
            assertTrue(ex.getMessage().matches("sluice\\.state\\.capacity=2 is too small: after rescaling from 2 " +
                "to 4 processors \\(capacity 65536 before\\) [0-9,]+ events of the journal found their shard's " +
                "table full during recovery; .*"), ex.getMessage());
        }
        try (TestDaemon again = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "2").start())
        {
            assertTrue(again.log().contains("recovered no snapshot"), again.log());
        }
    }

    @Test
    @Timeout(120)
    void shouldRestoreAJournalThatRecordsNoKeyGroupCountKeyByKeyAndRecordTheCount() throws Exception
    {
        try (TestDaemon daemon = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "2").start();
            SluiceClient client = client(daemon))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
            send(client, new Expected(), 0, 300);
        }
        final SnapshotStore store = new SnapshotStore(journalDir.resolve("snapshots"));
        final SnapshotManifest before = store.complete().get(0);
        final Path identity = journalDir.resolve("journal.properties");
        final String recorded = Files.readString(identity);
        assertTrue(recorded.contains(SluiceConfig.KEYGROUP_COUNT + "=4096"), recorded);
        Files.writeString(identity, recorded.replace(SluiceConfig.KEYGROUP_COUNT + "=4096", ""));
        try (TestDaemon again = journaled(new TestDaemon()).set(SluiceConfig.PROCESSOR_COUNT, "2").start())
        {
            assertTrue(again.log().contains("regrouped 2 processors by key group: 10 keys moved in "), again.log());
        }
        final String now = Files.readString(identity);
        assertTrue(now.contains(SluiceConfig.KEYGROUP_COUNT + "=4096") &&
            now.contains(io.sluice.server.journal.JournalIdentity.LEGACY_FINGERPRINT + "="), now);
        assertEquals(before.digest(), store.complete().get(0).digest(), "the same state, at the next stop");
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing", "checksum"})
    @Timeout(120)
    void shouldRestoreTheOlderSnapshotAndReplayWhenTheNewestIsNotUsable(final String fault) throws Exception
    {
        final Expected expected = new Expected();
        final SnapshotManifest older;
        final SnapshotManifest newest;
        try (TestDaemon daemon = journaled(new TestDaemon()).start();
            SluiceClient client = client(daemon))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
            send(client, expected, 0, 300);
            assertEquals(0, JournalTool.snapshot(daemon.config(), TIMEOUT_NS, new PrintStream(new ByteArrayOutputStream())));
            send(client, expected, 300, 500);
        }
        final SnapshotStore store = new SnapshotStore(journalDir.resolve("snapshots"));
        final List<SnapshotManifest> complete = store.complete();
        assertEquals(2, complete.size(), "the requested snapshot and the one at stop");
        newest = complete.get(0);
        older = complete.get(1);
        final Path part = store.setDir(newest.snapshotId()).resolve(SnapshotStore.partName(1));
        if ("missing".equals(fault))
        {
            Files.delete(part);
        }
        else
        {
            final byte[] bytes = Files.readAllBytes(part);
            bytes[bytes.length / 2] ^= 0x40;
            Files.write(part, bytes);
        }

        try (TestDaemon daemon = journaled(new TestDaemon()).start();
            SluiceClient client = client(daemon))
        {
            final String log = daemon.log();
            assertTrue(log.contains("sluice: snapshot " + newest.snapshotId() + " is not usable (snapshot part " + part +
                ("missing".equals(fault) ? " is missing" : " fails its checksum")), log);
            assertTrue(log.contains("recovered snapshot " + older.snapshotId() + " at position " +
                older.journalPosition() + ", replayed "), log);
            assertTrue(log.contains(" entries from position " + older.journalPosition() + " in "), log);
            assertTrue(client.awaitConnected(TIMEOUT_NS), log);
            expected.assertState(client);

            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, JournalTool.snapshot(daemon.config(), TIMEOUT_NS, new PrintStream(out)));
            assertEquals(String.format("%016x", newest.digest()),
                String.format("%016x", daemon.counter(SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID, "state digest")),
                "the state after recovery is the uninterrupted one\n" + out);
        }
    }

    @Test
    @Timeout(120)
    void shouldCutATornLastMessageAndReplayTheRestAfterASigkill() throws Exception
    {
        Files.createDirectories(dir);
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.DRIVER_DIR, dir.resolve("driver").toString());
        properties.setProperty(SluiceConfig.JOURNAL_MODE, "sync");
        properties.setProperty(SluiceConfig.JOURNAL_DIR, journalDir.toString());
        properties.setProperty(SluiceConfig.INGRESS_IDLE_STRATEGY, "backoff");
        properties.setProperty(SluiceConfig.STATE_CAPACITY, "4096");
        properties.setProperty("aeron.term.buffer.length", "1m");
        properties.setProperty("aeron.ipc.term.buffer.length", "1m");
        properties.setProperty(SluiceConfig.INGRESS_CHANNEL, "aeron:udp?endpoint=localhost:" + TestDaemon.freeUdpPort());
        properties.setProperty(SluiceConfig.EGRESS_CHANNEL,
            "aeron:udp?control=localhost:" + TestDaemon.freeUdpPort() + "|control-mode=dynamic|fc=min,t:5s");
        final Path configFile = dir.resolve("daemon.properties");
        try (OutputStream out = Files.newOutputStream(configFile))
        {
            properties.store(out, "JournalOutcomesSystemTest");
        }
        final SluiceConfig config = SluiceConfig.of(properties);
        final SluiceClient.Context clientContext = SluiceMain.clientContextFor(config)
            .embeddedDriver(true)
            .driverThreading(DriverThreading.INVOKER)
            .driverIdleStrategy(IdleStrategyType.SLEEPING)
            .egressImages(config.processorCount());

        final DaemonProcessSystemTest.Daemon first = start(configFile);
        assertNotNull(first.await("sluice: ready", 60), first.output());
        try (SluiceClient client = SluiceClient.connect(clientContext))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), first.output());
            for (int i = 0; i < 40; i++)
            {
                send(client, new Expected(), i * 10, i * 10 + 10);
            }
        }
        first.process.destroyForcibly();
        assertEquals(137, first.process.waitFor());

        final Path segment = journalDir.resolve("archive").resolve("0-0.rec");
        final byte[] bytes = Files.readAllBytes(segment);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        int offset = 0;
        int lastFrame = -1;
        int lastLength = 0;
        long entriesBefore = 0;
        final Expected surviving = new Expected();
        final List<int[]> frames = new ArrayList<>();
        while (offset + 32 <= bytes.length && buffer.getInt(offset) > 0)
        {
            final int frameLength = buffer.getInt(offset);
            if (1 == (buffer.getShort(offset + 6) & 0xFFFF))
            {
                frames.add(new int[]{offset, frameLength});
                lastFrame = offset;
                lastLength = frameLength;
            }
            offset += (frameLength + 31) & ~31;
        }
        assertTrue(frames.size() > 2, "frames: " + frames.size());
        for (final int[] frame : frames)
        {
            if (frame[0] == lastFrame)
            {
                break;
            }
            for (int i = frame[0] + 32; i < frame[0] + frame[1]; i += RingEntry.LENGTH)
            {
                entriesBefore++;
                if (RingEntry.TYPE_EVENT == buffer.getInt(i + RingEntry.TYPE_OFFSET))
                {
                    surviving.add(buffer.getLong(i + RingEntry.KEY_OFFSET), buffer.getDouble(i + RingEntry.VALUE_OFFSET));
                }
            }
        }
        final int lastEntry = lastFrame + lastLength - RingEntry.LENGTH;
        assertEquals(RingEntry.TYPE_EVENT, buffer.getInt(lastEntry + RingEntry.TYPE_OFFSET), "the last message ends with an event");
        try (var channel = java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE))
        {
            channel.write(java.nio.ByteBuffer.allocate(4), lastEntry + RingEntry.TYPE_OFFSET);
        }
        final int tornBytes = (lastLength + 31) & ~31;

        final DaemonProcessSystemTest.Daemon second = start(configFile);
        assertNotNull(second.await("sluice: ready", 60), second.output());
        assertTrue(second.output().contains("sluice: the journal's last " + tornBytes + " bytes after position " +
            lastFrame + " are not whole entries (torn by a crash mid-write): cut"), second.output());
        assertTrue(second.output().contains("recovered no snapshot, replayed " + entriesBefore +
            " entries from position 0 in "), second.output());
        assertTrue(second.output().contains("cut a torn tail of " + tornBytes + " bytes, live at position " +
            lastFrame), second.output());
        try (SluiceClient client = SluiceClient.connect(clientContext))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), second.output());
            surviving.assertState(client);
        }
        second.process.toHandle().destroy();
        assertEquals(0, second.process.waitFor(), second.output());
    }

    @Test
    @Timeout(120)
    void shouldKeepTheJournalsSegmentsBoundedAndExactlyTheRetainedSnapshots() throws Exception
    {
        final int segmentLength = 64 * 1024;
        final int rate = 5000;
        final long loadNs = TimeUnit.SECONDS.toNanos(4);
        // 96 bytes per event at most (a 32-byte frame header per 64-byte entry); the oldest of 2 kept snapshots is
        // at most 2 intervals (300 ms) plus 2 writes (< 200 ms each) old: 1 s of journal at most, 480,000 bytes =
        // 8 segments, one more for the partly written one and one for the segment the oldest snapshot lies in.
        final int bound = 10;
        int maxSegments = 0;
        long startPosition;
        final Path archiveDir = journalDir.resolve("archive");
        try (TestDaemon daemon = journaled(new TestDaemon())
            .set(SluiceConfig.SNAPSHOT_INTERVAL, "300ms")
            .set(SluiceConfig.SNAPSHOT_RETAIN, "2")
            .set(SluiceConfig.JOURNAL_SEGMENT_LENGTH, "64k")
            .start();
            SluiceClient client = client(daemon))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
            final RecordingHandler handler = new RecordingHandler();
            final long startNs = System.nanoTime();
            long sent = 0;
            long nextSampleNs = startNs + TimeUnit.SECONDS.toNanos(1);
            long nowNs;
            while ((nowNs = System.nanoTime()) - startNs < loadNs)
            {
                final long due = (nowNs - startNs) * rate / 1_000_000_000L;
                while (sent < due && client.offerEvent(sent % KEYS, T0 + sent, 1.0) > 0)
                {
                    sent++;
                }
                client.poll(handler, 256);
                assertEquals(List.of(), handler.rejects);
                handler.results.clear();
                if (nowNs - nextSampleNs > 0)
                {
                    maxSegments = Math.max(maxSegments, segmentFiles(archiveDir));
                    nextSampleNs = nowNs + TimeUnit.MILLISECONDS.toNanos(100);
                }
                LockSupport.parkNanos(200_000);
            }
            startPosition = daemon.counter(SluiceCounters.JOURNAL_START_POSITION_TYPE_ID, "journal start position");
            System.out.printf("retention: %d events, journal start position %d, at most %d segment files " +
                "of %d bytes%n", sent, startPosition, maxSegments, segmentLength);
        }
        final int segmentsAtStop = segmentFiles(archiveDir);
        assertTrue(maxSegments <= bound && segmentsAtStop <= bound,
            "segment files: at most " + maxSegments + " during the load, " + segmentsAtStop + " at stop");
        assertTrue(startPosition > 0 && 0 == startPosition % segmentLength, "start position " + startPosition);
        final SnapshotStore store = new SnapshotStore(journalDir.resolve("snapshots"));
        assertEquals(2, store.complete().size());
        assertEquals(2, store.allIds().size());
        final ByteArrayOutputStream listing = new ByteArrayOutputStream();
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.JOURNAL_DIR, journalDir.toString());
        assertEquals(0, JournalTool.list(SluiceConfig.of(properties), new PrintStream(listing, true)));
        final String text = listing.toString(StandardCharsets.UTF_8);
        final java.util.regex.Matcher positions = java.util.regex.Pattern.compile("positions (\\d+) to ").matcher(text);
        assertTrue(positions.find(), text);
        final long listedStart = Long.parseLong(positions.group(1));
        assertTrue(listedStart >= startPosition && 0 == listedStart % segmentLength, text);
        assertTrue(text.contains("snapshots: 2 complete"), text);
    }

    /**
     * With {@code sluice.journal.retention} the snapshots no longer decide alone: every segment written within it is
     * kept, so the whole run stays replayable (what-if replay), while snapshots are still taken and retained. Without
     * the setting the same run purges (the test above).
     */
    @Test
    @Timeout(120)
    void shouldKeepEverySegmentWrittenWithinTheRetention() throws Exception
    {
        final Path archiveDir = journalDir.resolve("archive");
        final long events = 10_000;
        long sent = 0;
        try (TestDaemon daemon = journaled(new TestDaemon())
            .set(SluiceConfig.SNAPSHOT_INTERVAL, "200ms")
            .set(SluiceConfig.SNAPSHOT_RETAIN, "2")
            .set(SluiceConfig.JOURNAL_SEGMENT_LENGTH, "64k")
            .set(SluiceConfig.JOURNAL_RETENTION, "3600s")
            .start();
            SluiceClient client = client(daemon))
        {
            assertTrue(client.awaitConnected(TIMEOUT_NS), daemon.log());
            final RecordingHandler handler = new RecordingHandler();
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            long answered = 0;
            while (answered < events && System.nanoTime() - deadlineNs < 0)
            {
                if (sent < events && sent - answered < 500 && client.offerEvent(sent % KEYS, T0 + sent, 1.0) > 0)
                {
                    sent++;
                }
                client.poll(handler, 256);
                answered += handler.results.size();
                handler.results.clear();
                if (sent % 1_000 == 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            }
            assertEquals(events, answered, daemon.log());
            assertEquals(List.of(), handler.rejects);
            final String snapshots = journalDir.resolve("snapshots").toString();
            final long snapshotsBefore = daemon.counter(SluiceCounters.SNAPSHOT_LAST_ID_TYPE_ID, snapshots);
            final long waitUntilNs = System.nanoTime() + TIMEOUT_NS;
            while (daemon.counter(SluiceCounters.SNAPSHOT_LAST_ID_TYPE_ID, snapshots) < snapshotsBefore + 3 &&
                System.nanoTime() - waitUntilNs < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertEquals(0, daemon.counter(SluiceCounters.JOURNAL_START_POSITION_TYPE_ID, "journal start position"),
                "nothing purged while every segment is within the retention");
            final int segments = segmentFiles(archiveDir);
            assertTrue(segments > 10, "the run's segments are all there: " + segments);

            // the first three segments age past the retention: the next snapshots purge them, and only them
            final int aged = 3;
            final long purged = journaledBefore(archiveDir, aged * 65536L);
            final FileTime twoHoursAgo = FileTime.fromMillis(System.currentTimeMillis() - TimeUnit.HOURS.toMillis(2));
            for (int segment = 0; segment < aged; segment++)
            {
                Files.setLastModifiedTime(archiveDir.resolve("0-" + segment * 65536L + ".rec"), twoHoursAgo);
            }
            final long purgeDeadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (0 == daemon.counter(SluiceCounters.JOURNAL_START_POSITION_TYPE_ID, "journal start position") &&
                System.nanoTime() - purgeDeadlineNs < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertEquals(aged * 65536L,
                daemon.counter(SluiceCounters.JOURNAL_START_POSITION_TYPE_ID, "journal start position"),
                "the aged segments purged, the segments within the retention kept");
            for (int segment = 0; segment <= aged; segment++)
            {
                assertEquals(segment == aged, Files.exists(archiveDir.resolve("0-" + segment * 65536L + ".rec")),
                    "only the aged segments are gone: segment " + segment);
            }
            assertTrue(purged > 0, "events in the aged segments: " + purged);
            sent -= purged;
        }
        final SnapshotStore store = new SnapshotStore(journalDir.resolve("snapshots"));
        assertEquals(2, store.complete().size(), "snapshots are still retained as configured");
        final java.util.concurrent.atomic.AtomicLong journaled = new java.util.concurrent.atomic.AtomicLong();
        JournalInput.open(journalDir, "/nonexistent").read(0, Long.MAX_VALUE, 0,
            (buffer, offset, position) ->
            {
                if (RingEntry.TYPE_EVENT == buffer.getInt(offset + RingEntry.TYPE_OFFSET))
                {
                    journaled.incrementAndGet();
                }
            });
        assertEquals(sent, journaled.get(), "every event after the purged segments is in the journal");
    }

    /**
     * @return the client's events in the journal's first segments, before a position: read before they are purged.
     */
    private long journaledBefore(final Path archiveDir, final long position)
    {
        final long[] events = { 0 };
        JournalFiles.read(archiveDir, JournalFiles.find(archiveDir), 0, position,
            (buffer, offset, length, frameStart, endPosition) ->
            {
                for (int i = offset; i < offset + length; i += RingEntry.LENGTH)
                {
                    if (RingEntry.TYPE_EVENT == buffer.getInt(i + RingEntry.TYPE_OFFSET))
                    {
                        events[0]++;
                    }
                }
                return true;
            });
        return events[0];
    }

    private static int segmentFiles(final Path archiveDir) throws IOException
    {
        try (Stream<Path> files = Files.list(archiveDir))
        {
            return (int)files.filter((file) -> file.toString().endsWith(".rec")).count();
        }
    }

    private static SluiceClient client(final TestDaemon daemon)
    {
        return SluiceClient.connect(SluiceMain.clientContextFor(daemon.config())
            .aeronDirectoryName(daemon.driverDir)
            .egressImages(daemon.config().processorCount()));
    }

    private TestDaemon journaled(final TestDaemon daemon)
    {
        return daemon.set(SluiceConfig.JOURNAL_MODE, "sync").set(SluiceConfig.JOURNAL_DIR, journalDir.toString());
    }

    private DaemonProcessSystemTest.Daemon start(final Path configFile) throws IOException
    {
        final File jar = TestDaemon.shadedJar();
        final Process process = new ProcessBuilder(
            new File(System.getProperty("java.home"), "bin/java").getAbsolutePath(), "-Xmx256m", "-jar",
            jar.getAbsolutePath(), "daemon", "--config", configFile.toString())
            .redirectErrorStream(true).start();
        processes.add(process);
        return new DaemonProcessSystemTest.Daemon(process);
    }

    /**
     * Send events {@code from..to-1} (key = index % {@value #KEYS}, value = index / 4) and wait for their results.
     */
    private static void send(final SluiceClient client, final Expected expected, final int from, final int to)
    {
        final RecordingHandler handler = new RecordingHandler();
        for (int i = from; i < to; i++)
        {
            while (client.offerEvent(i % KEYS, T0 + i, i / 4.0) < 0)
            {
                client.poll(handler, 16);
            }
            expected.add(i % KEYS, i / 4.0);
        }
        pollUntil(client, handler, () -> handler.results.size() >= to - from);
        assertEquals(to - from, handler.results.size(), "results of events " + from + ".." + (to - 1));
    }

    private static void pollUntil(final SluiceClient client, final RecordingHandler handler, final BooleanSupplier done)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!done.getAsBoolean() && System.nanoTime() < deadline)
        {
            if (0 == client.poll(handler, 16))
            {
                LockSupport.parkNanos(100_000);
            }
        }
    }

    /**
     * Each key's count and sum (values are multiples of 1/4: sums exact).
     */
    private static final class Expected
    {
        private final long[] count = new long[KEYS];
        private final double[] sum = new double[KEYS];

        void add(final long key, final double value)
        {
            count[(int)key]++;
            sum[(int)key] += value;
        }

        void assertState(final SluiceClient client)
        {
            final RecordingHandler handler = new RecordingHandler();
            for (int key = 0; key < KEYS; key++)
            {
                while (client.offerQuery(key) < 0)
                {
                    client.poll(handler, 16);
                }
            }
            pollUntil(client, handler, () -> handler.queries.size() >= KEYS);
            assertEquals(KEYS, handler.queries.size());
            for (final RecordingHandler.Result query : handler.queries)
            {
                final int key = (int)query.key();
                assertEquals(0 == count[key] ? -1 : count[key], query.count(), "count of key " + key);
                if (count[key] > 0)
                {
                    assertEquals(sum[key], query.sum(), "sum of key " + key);
                }
            }
        }
    }
}
