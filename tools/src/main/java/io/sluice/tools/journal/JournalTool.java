package io.sluice.tools.journal;

import io.sluice.server.journal.JournalIdentity;
import io.aeron.archive.CatalogView;
import io.sluice.config.AlertRule;
import io.sluice.config.SluiceConfig;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.ring.OwnershipEntry;
import io.sluice.core.ring.RingEntry;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.rules.RuleRequests;
import io.sluice.tools.replay.JournalInput;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import io.sluice.tools.stat.SluiceStat;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The journal's command-line tools: {@code sluice snapshot} asks a running daemon for a snapshot through the
 * request counter in its media driver's CnC file (a control toggle, as Aeron Cluster's {@code ClusterTool} does)
 * and prints where it went; {@code sluice journal} lists the journal's recording, its snapshot sets, positions
 * and sizes, the live changes of the alert rules and the credentials it holds and, for an appliance of a topology,
 * its changes of key-group ownership, reading the files (a running daemon is not needed).
 */
public final class JournalTool
{
    private JournalTool()
    {
    }

    /**
     * Ask a running daemon for a snapshot and wait until it is written.
     *
     * @param config    the daemon's configuration (driver and journal directories).
     * @param timeoutNs how long to wait.
     * @param out       where the result goes.
     * @return 0 when written, 1 when no daemon or no journal runs there or it timed out.
     */
    public static int snapshot(final SluiceConfig config, final long timeoutNs, final PrintStream out)
    {
        final int[] ids = { -1, -1, -1, -1 };
        final boolean running = SluiceStat.read(config.driverDir(), (reader) -> reader.forEach(
            (counterId, typeId, keyBuffer, label) ->
            {
                if (SluiceCounters.SNAPSHOT_REQUEST_TYPE_ID == typeId)
                {
                    ids[0] = counterId;
                }
                else if (SluiceCounters.SNAPSHOT_LAST_ID_TYPE_ID == typeId)
                {
                    ids[1] = counterId;
                }
                else if (SluiceCounters.SNAPSHOT_LAST_POSITION_TYPE_ID == typeId)
                {
                    ids[2] = counterId;
                }
                else if (SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID == typeId)
                {
                    ids[3] = counterId;
                }
            }));
        if (!running)
        {
            out.println("sluice snapshot: no media driver at " + config.driverDir() +
                " (is the daemon running? see sluice.driver.dir)");
            return 1;
        }
        if (-1 == ids[0] || -1 == ids[1])
        {
            out.println("sluice snapshot: the daemon at " + config.driverDir() + " has no journal (" +
                SluiceConfig.JOURNAL_MODE + "=off): nothing to snapshot");
            return 1;
        }
        final long[] result = new long[3];
        final boolean[] written = { false };
        SluiceStat.read(config.driverDir(), (reader) ->
        {
            final long before = reader.getCounterValue(ids[1]);
            new AtomicCounter(reader.valuesBuffer(), ids[0]).setRelease(1);
            final long deadlineNs = System.nanoTime() + timeoutNs;
            while (System.nanoTime() - deadlineNs < 0)
            {
                final long last = reader.getCounterValue(ids[1]);
                if (last > before && CountersReader.RECORD_ALLOCATED == reader.getCounterState(ids[1]))
                {
                    result[0] = last;
                    result[1] = reader.getCounterValue(ids[2]);
                    result[2] = reader.getCounterValue(ids[3]);
                    written[0] = true;
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        });
        if (!written[0])
        {
            out.println("sluice snapshot: no snapshot completed within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNs) +
                " s (see sluice errors)");
            return 1;
        }
        final SnapshotStore store = new SnapshotStore(Path.of(config.journalDir()).toAbsolutePath().resolve("snapshots"));
        out.println("sluice snapshot: snapshot " + result[0] + " at journal position " + result[1] + ", digest " +
            String.format("%016x", result[2]) + ": " + store.setDir(result[0]));
        return 0;
    }

    /**
     * Start fresh ({@code sluice daemon --fresh-journal}): move the journal directory aside, never delete it, so a
     * daemon whose configuration differs from the journal's can start with an empty one.
     *
     * @param config the configuration naming the journal directory.
     * @return the line saying what was done.
     * @throws UncheckedIOException when the directory cannot be moved.
     */
    public static String moveAside(final SluiceConfig config)
    {
        final Path journalDir = Path.of(config.journalDir()).toAbsolutePath();
        if (!Files.exists(journalDir))
        {
            return "sluice: --fresh-journal: no journal in " + journalDir + ", starting with a new one";
        }
        final Path aside = journalDir.resolveSibling(journalDir.getFileName() + ".old-" +
            java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try
        {
            Files.move(journalDir, aside);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot move " + journalDir + " aside to " + aside, ex);
        }
        return "sluice: --fresh-journal: moved the journal " + journalDir + " aside to " + aside +
            "; starting with a new one";
    }

    /**
     * List the journal: its identity, recording (positions and size on disk) and snapshot sets.
     *
     * @param config the configuration naming the journal directory.
     * @param out    where the listing goes.
     * @return 0, or 1 when there is no journal in {@code sluice.journal.dir}.
     */
    public static int list(final SluiceConfig config, final PrintStream out)
    {
        final Path journalDir = Path.of(config.journalDir()).toAbsolutePath();
        final File archiveDir = journalDir.resolve("archive").toFile();
        if (!archiveDir.isDirectory())
        {
            out.println("sluice journal: no journal in " + SluiceConfig.JOURNAL_DIR + "=" + journalDir);
            return 1;
        }
        final JournalIdentity identity = JournalIdentity.read(journalDir);
        out.println("journal " + journalDir);
        if (null != identity)
        {
            out.println("  written under " + SluiceConfig.HASH_SEED + "=" + String.format("0x%016x", identity.hashSeed()) +
                " " + identity.stateSettings());
        }
        CatalogView.listRecordings(archiveDir, (controlSessionId, correlationId, recordingId, startTimestamp,
            stopTimestamp, startPosition, stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength,
            sessionId, streamId, strippedChannel, originalChannel, sourceIdentity) ->
            out.println("  recording " + recordingId + " stream " + streamId + ": positions " + startPosition + " to " +
                (stopPosition < 0 ? "(active, or not yet recovered after a crash)" : Long.toString(stopPosition)) +
                ", started " + Instant.ofEpochMilli(startTimestamp) + ", segment files of " + segmentFileLength +
                " bytes"));
        out.println("  segment files: " + count(archiveDir.toPath(), ".rec") + ", " +
            size(archiveDir.toPath(), ".rec") + " bytes on disk");
        final SnapshotStore store = new SnapshotStore(journalDir.resolve("snapshots"));
        final List<SnapshotManifest> complete = store.complete();
        out.println("  snapshots: " + complete.size() + " complete");
        for (final SnapshotManifest manifest : complete)
        {
            long bytes = 0;
            for (final long length : manifest.lengths())
            {
                bytes += length;
            }
            out.println("    " + manifest.snapshotId() + ": journal position " + manifest.journalPosition() +
                ", digest " + String.format("%016x", manifest.digest()) + ", " + manifest.shardCount() + " shards, " +
                bytes + " bytes, taken " + Instant.ofEpochMilli(manifest.createdEpochMs()) + ", " +
                store.setDir(manifest.snapshotId()));
        }
        for (final long id : store.allIds())
        {
            if (complete.stream().noneMatch((manifest) -> manifest.snapshotId() == id))
            {
                out.println("    " + id + ": incomplete (no manifest): ignored at recovery, " + store.setDir(id));
            }
        }
        if (null != identity)
        {
            listRuleChanges(journalDir, config.driverDir(), out);
            listCredentialChanges(journalDir, config.driverDir(), out);
            listOwnershipChanges(journalDir, config.driverDir(), out);
        }
        return 0;
    }

    /**
     * A live change of the alert rules the journal holds.
     *
     * @param version  its configuration version.
     * @param position where processors switched: the end of the journal message holding the set's last RULES
     *                 entry, as {@code sluice rules apply} printed it.
     * @param rules    the rules it brought in.
     */
    public record RuleChange(long version, long position, List<AlertRule> rules)
    {
    }

    /**
     * Read the live changes of the alert rules a journal holds (the whole journal). A set repeated after a snapshot
     * marker (the rules in force, for a recovery from that snapshot) is not a change and is left out.
     *
     * @param journalDir the journal directory.
     * @param driverDir  the driver directory of a daemon that may be recording it.
     * @return the changes, oldest first.
     */
    public static List<RuleChange> ruleChanges(final Path journalDir, final String driverDir)
    {
        final JournalInput input = JournalInput.open(journalDir, driverDir);
        final List<RuleChange> changes = new ArrayList<>();
        final UnsafeBuffer staged = new UnsafeBuffer(new byte[AlertRules.MAX_CHUNKS * RingEntry.RULES_PAYLOAD_LENGTH]);
        final long[] state = { -1, 0, 0 };
        input.read(input.startPosition(), Long.MAX_VALUE, 0, (buffer, offset, position) ->
        {
            if (position != state[1])
            {
                state[1] = position;
                state[2] = 0;
            }
            state[2]++;
            final RingEntry entry = new RingEntry(new UnsafeBuffer(buffer, offset, RingEntry.LENGTH), 0);
            if (RingEntry.TYPE_RULES != entry.type())
            {
                return;
            }
            final int chunk = entry.rulesChunk();
            staged.putBytes(chunk * RingEntry.RULES_PAYLOAD_LENGTH, buffer, offset + RingEntry.RULES_PAYLOAD_OFFSET,
                RingEntry.RULES_PAYLOAD_LENGTH);
            if (chunk == entry.rulesChunkCount() - 1 && entry.rulesVersion() != state[0])
            {
                state[0] = entry.rulesVersion();
                changes.add(new RuleChange(entry.rulesVersion(),
                    position + DataHeaderFlyweight.HEADER_LENGTH + state[2] * RingEntry.LENGTH,
                    AlertRules.decode(staged, entry.rulesChunkCount() * RingEntry.RULES_PAYLOAD_LENGTH)));
            }
        });
        return changes;
    }

    private static void listRuleChanges(final Path journalDir, final String driverDir, final PrintStream out)
    {
        final List<RuleChange> changes = ruleChanges(journalDir, driverDir);
        out.println("  rule changes: " + changes.size() + (changes.isEmpty() ? " (the configuration file's rules " +
            "throughout)" : ""));
        for (final RuleChange change : changes)
        {
            out.println("    version " + change.version() + ": at journal position " + change.position() + ", " +
                RuleRequests.describe(change.rules()));
        }
    }

    /**
     * The credentials in force as the journal holds them: one per run of a daemon with authentication on (version
     * 1, the file read at start) and one per reload; never a key.
     *
     * @param version     the credentials version.
     * @param position    the journal position of the end of the message that holds it.
     * @param fingerprint the credentials file's fingerprint.
     * @param clientCount clients the file listed.
     */
    public record CredentialChange(long version, long position, long fingerprint, long clientCount)
    {
    }

    /**
     * @param journalDir the journal directory.
     * @param driverDir  the driver directory of a daemon that may be recording it.
     * @return the credential changes (AUTH entries), oldest first.
     */
    public static List<CredentialChange> credentialChanges(final Path journalDir, final String driverDir)
    {
        final JournalInput input = JournalInput.open(journalDir, driverDir);
        final List<CredentialChange> changes = new ArrayList<>();
        final long[] state = { 0, 0 };
        input.read(input.startPosition(), Long.MAX_VALUE, 0, (buffer, offset, position) ->
        {
            if (position != state[0])
            {
                state[0] = position;
                state[1] = 0;
            }
            state[1]++;
            final RingEntry entry = new RingEntry(new UnsafeBuffer(buffer, offset, RingEntry.LENGTH), 0);
            if (RingEntry.TYPE_AUTH == entry.type())
            {
                changes.add(new CredentialChange(entry.clientId(),
                    position + DataHeaderFlyweight.HEADER_LENGTH + state[1] * RingEntry.LENGTH, entry.key(),
                    entry.correlationId()));
            }
        });
        return changes;
    }

    private static void listCredentialChanges(final Path journalDir, final String driverDir, final PrintStream out)
    {
        final List<CredentialChange> changes = credentialChanges(journalDir, driverDir);
        if (changes.isEmpty())
        {
            return;
        }
        out.println("  credential changes: " + changes.size());
        for (final CredentialChange change : changes)
        {
            out.println("    version " + change.version() + ": at journal position " + change.position() +
                ", fingerprint " + String.format("%016x", change.fingerprint()) + ", " + change.clientCount() +
                " clients");
        }
    }

    /**
     * A change of an appliance's key-group ownership as its journal holds it (an OWNERSHIP entry, written by a step
     * of {@code sluice topology move}).
     *
     * @param epoch      the topology epoch it brought in.
     * @param moveId     the move's id (its slice is {@code move-<id>}).
     * @param firstGroup first key group of the range.
     * @param lastGroup  last key group of the range, included.
     * @param release    true when the appliance gave the range up, false when it took it over.
     * @param position   the journal position of the end of the message that holds it: from there the appliance
     *                   served the range no more (release) or served it (acquire).
     */
    public record OwnershipChange(
        long epoch, long moveId, int firstGroup, int lastGroup, boolean release, long position)
    {
        /**
         * @return {@code epoch 3, move 3: released key groups 0-1023 (1024) at journal position 4096}.
         */
        public String describe()
        {
            return "epoch " + epoch + ", move " + moveId + ": " + (release ? "released" : "acquired") +
                " key groups " + firstGroup + "-" + lastGroup + " (" + (lastGroup - firstGroup + 1) + ") at " +
                "journal position " + position;
        }
    }

    /**
     * @param journalDir the journal directory.
     * @param driverDir  the driver directory of a daemon that may be recording it.
     * @return the ownership changes (OWNERSHIP entries), oldest first.
     */
    public static List<OwnershipChange> ownershipChanges(final Path journalDir, final String driverDir)
    {
        final JournalInput input = JournalInput.open(journalDir, driverDir);
        final OwnershipChanges changes = new OwnershipChanges();
        input.read(input.startPosition(), Long.MAX_VALUE, 0, changes);
        return changes.changes();
    }

    /**
     * Collects the OWNERSHIP entries of journal messages fed in journal order.
     */
    public static final class OwnershipChanges implements JournalInput.EntryHandler
    {
        private final List<OwnershipChange> changes = new ArrayList<>();
        private long messagePosition = -1;
        private int entriesInMessage;

        @Override
        public void onEntry(final DirectBuffer buffer, final int offset, final long position)
        {
            if (position != messagePosition)
            {
                messagePosition = position;
                entriesInMessage = 0;
            }
            entriesInMessage++;
            if (RingEntry.TYPE_OWNERSHIP != buffer.getInt(offset + RingEntry.TYPE_OFFSET))
            {
                return;
            }
            final RingEntry entry = new RingEntry(new UnsafeBuffer(buffer, offset, RingEntry.LENGTH), 0);
            changes.add(new OwnershipChange(OwnershipEntry.epoch(entry), OwnershipEntry.moveId(entry),
                OwnershipEntry.firstGroup(entry), OwnershipEntry.lastGroup(entry),
                RingEntry.OWNERSHIP_RELEASE == OwnershipEntry.action(entry),
                position + DataHeaderFlyweight.HEADER_LENGTH + (long)entriesInMessage * RingEntry.LENGTH));
        }

        /**
         * @return the changes collected, oldest first.
         */
        public List<OwnershipChange> changes()
        {
            return List.copyOf(changes);
        }
    }

    private static void listOwnershipChanges(final Path journalDir, final String driverDir, final PrintStream out)
    {
        final List<OwnershipChange> changes = ownershipChanges(journalDir, driverDir);
        if (changes.isEmpty())
        {
            return;
        }
        out.println("  ownership changes (topology): " + changes.size());
        for (final OwnershipChange change : changes)
        {
            out.println("    " + change.describe());
        }
    }

    private static long count(final Path dir, final String suffix)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter((file) -> file.toString().endsWith(suffix)).count();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static long size(final Path dir, final String suffix)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter((file) -> file.toString().endsWith(suffix)).mapToLong((file) -> file.toFile().length())
                .sum();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
