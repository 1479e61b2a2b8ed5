package io.sluice.server.journal;

import io.sluice.config.ConfigurationException;
import io.sluice.config.Setting;
import io.sluice.config.SluiceConfig;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.replay.WindowRebuild;
import io.sluice.core.ring.ClientMarks;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.WatermarkTracker;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.snapshot.SnapshotException;
import io.sluice.core.snapshot.SnapshotManifest;
import io.sluice.core.snapshot.SnapshotStore;
import io.sluice.core.state.Aggregate;
import io.sluice.core.window.WindowSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A restart whose window size, slide, allowed lateness or eviction ({@link #KEYS}) differs from the journal's
 * ({@code journal.properties}). At {@link Journal#open}, instead of a plain recovery:
 * <ol>
 *     <li>recover as always, under the journal's windows, to the recovery point R (the journal's end);</li>
 *     <li>find the history start P: the newest snapshot whose newest event is older than every window the new
 *     windows have open at R, else the journal's start; when retention purged the journal before P, refuse naming
 *     both positions, unless started with {@code --reset-windows};</li>
 *     <li>rebuild the new windows' processors from the journal [P, R) with the what-if machinery
 *     ({@link WindowRebuild}), carry every key's running figures over from step 1, set the producer's time;</li>
 *     <li>write a snapshot at R under the new settings; {@link Journal#open} rewrites {@code journal.properties}
 *     once everything succeeded.</li>
 * </ol>
 * Turning windows on or off is refused ({@link JournalIdentity#check}). Control thread, start-up only.
 */
public final class WindowChange
{
    /** The settings a restart may change by rebuilding the windows. */
    public static final List<String> KEYS = List.of(SluiceConfig.WINDOW_SIZE, SluiceConfig.WINDOW_SLIDE,
        SluiceConfig.WINDOW_ALLOWED_LATENESS, SluiceConfig.EVICT_AFTER_WINDOWS);

    private static final ResultSink MUTED = new Muted();

    private final ShardContext previous;
    private final JournalIdentity identity;
    private final String changed;
    private final String firstChangedKey;
    private String line;

    private WindowChange(
        final ShardContext previous, final JournalIdentity identity, final String changed, final String firstChangedKey)
    {
        this.previous = previous;
        this.identity = identity;
        this.changed = changed;
        this.firstChangedKey = firstChangedKey;
    }

    /**
     * @param identity the journal's identity, or null for a new journal.
     * @param shards   the daemon's concluded shards' context.
     * @return the change, or null when the windows and eviction are the journal's (or there is no journal).
     */
    public static WindowChange of(final JournalIdentity identity, final ShardContext shards)
    {
        if (null == identity || null == shards.windowSpec())
        {
            return null;
        }
        final Map<String, String> journal = identity.stateSettings();
        final Map<String, String> daemon = shards.stateSettings();
        final StringBuilder changed = new StringBuilder();
        String first = null;
        for (final String key : KEYS)
        {
            if (!daemon.get(key).equals(journal.get(key)))
            {
                first = null == first ? key : first;
                changed.append(changed.length() == 0 ? "" : ", ").append(key).append(' ')
                    .append(describe(key, journal.get(key))).append(" -> ").append(describe(key, daemon.get(key)));
            }
        }
        if (null == first)
        {
            return null;
        }
        final ShardContext previous = new ShardContext()
            .processorCount(shards.processorCount())
            .stateCapacity(shards.stateCapacity())
            .keyGroupCount(shards.keyGroupCount())
            .hashSeed(shards.hashSeed())
            .windowSpec(WindowSpec.of(Long.parseLong(journal.get(SluiceConfig.WINDOW_SIZE)),
                Long.parseLong(journal.get(SluiceConfig.WINDOW_SLIDE)),
                Long.parseLong(journal.get(SluiceConfig.WINDOW_ALLOWED_LATENESS))))
            .tickIntervalNs(shards.tickIntervalNs())
            .idleAdvanceNs(shards.idleAdvanceNs())
            .alertRules(shards.alertRules())
            .evictAfterWindows(Integer.parseInt(journal.get(SluiceConfig.EVICT_AFTER_WINDOWS)))
            .stallThresholdNs(shards.stallThresholdNs())
            .clientCapacity(shards.clientCapacity())
            .batchMaxEvents(shards.batchMaxEvents())
            .placement(shards.router().placement())
            .conclude();
        return new WindowChange(previous, identity, changed.toString(), first);
    }

    private static String describe(final String key, final String value)
    {
        return SluiceConfig.EVICT_AFTER_WINDOWS.equals(key) ? value : Setting.formatDuration(Long.parseLong(value));
    }

    /**
     * @return the journal's shards' context: its windows and eviction, the daemon's other settings.
     */
    public ShardContext previous()
    {
        return previous;
    }

    /**
     * @return the start-up summary's line, after {@link #recover}.
     */
    public String line()
    {
        return line;
    }

    /**
     * Recover under the journal's windows, then rebuild the daemon's processors under the new ones, restore the
     * producer, and write a snapshot at the recovery point under the new settings.
     *
     * @param archive       the journal's archive.
     * @param store         the snapshot sets.
     * @param coordinator   the snapshot coordinator (its parts are used, and an id taken).
     * @param processors    the daemon's processors, not started, their answers muted.
     * @param producer      the ring producer, not yet producing.
     * @param shards        the daemon's concluded shards' context.
     * @param resetWindows  true to start the windows empty when the journal no longer holds the history.
     * @param out           where unusable snapshots are reported.
     * @return what the recovery under the journal's windows did.
     * @throws ConfigurationException naming the first changed key when the history is purged and
     *                                {@code resetWindows} is false, or a key has no room under the state capacity.
     */
    JournalRecovery.Result recover(
        final JournalArchive archive,
        final SnapshotStore store,
        final SnapshotCoordinator coordinator,
        final ShardProcessor[] processors,
        final RingProducer producer,
        final ShardContext shards,
        final boolean resetWindows,
        final PrintStream out)
    {
        final ShardCounters[] counters = ShardCounters.standalone(previous.processorCount());
        final ShardProcessor[] old = previous.newProcessors((shard) -> MUTED, (shard) -> counters[shard], null);
        final WatermarkTracker oldTime = previous.newWatermarkTracker();
        final ClientMarks marks = new ClientMarks(previous.clientCapacity());
        final RingProducer oldProducer = new RingProducer(producer.ring(), previous.router(),
            previous.processorCount(), oldTime, new AtomicCounter(new UnsafeBuffer(new byte[128]), 0), marks);
        final JournalRecovery.Result recovered = JournalRecovery.recover(archive, store, coordinator.parts(), old,
            oldProducer, previous, identity, out);
        if (null == recovered.journal())
        {
            line = "windows changed (" + changed + ") on an empty journal: nothing to rebuild";
            return recovered;
        }
        final long startNs = System.nanoTime();
        final JournalArchive.RecordingDescriptor journal = recovered.journal();
        final WindowSpec spec = shards.windowSpec();
        final long needed = WindowRebuild.firstOpenStart(spec,
            WindowRebuild.watermark(oldTime.maxTimestamp(), oldTime.lastTickWatermark(), spec.latenessNs()));
        final History from = historyStart(store, coordinator, journal, needed, out);
        final long position = null == from ? 0 : from.position();
        final WindowRebuild rebuild = new WindowRebuild(shards, processors);
        final long firstStart;
        if (position < journal.startPosition())
        {
            if (!resetWindows)
            {
                throw new ConfigurationException(firstChangedKey, shards.stateSettings().get(firstChangedKey),
                    "differs from the journal (" + changed + "): rebuilding the open windows needs the journal from " +
                    "position " + position + ", it keeps only from position " + journal.startPosition() +
                    " (older segments purged by " + SluiceConfig.JOURNAL_RETENTION + "); start with sluice daemon " +
                    "--reset-windows to start the windows empty and keep every key's running figures, or with the " +
                    "journal's window settings");
            }
            rebuild.startAt(oldTime.maxTimestamp(), oldTime.lastTickWatermark());
            firstStart = Long.MIN_VALUE == oldTime.maxTimestamp() ? rebuild.firstOpenStart() :
                spec.nextEndAfter(oldTime.maxTimestamp());
        }
        else
        {
            if (null != from)
            {
                rebuild.startAt(from.maxTimestamp(), from.lastTickWatermark());
            }
            archive.read(journal, position, (buffer, offset, length, frameStart, endPosition) ->
            {
                for (int i = offset; i < offset + length; i += RingEntry.LENGTH)
                {
                    rebuild.apply(buffer, i);
                }
                return true;
            });
            firstStart = rebuild.firstOpenStart();
        }
        final long full = rebuild.carry(old);
        for (final ShardProcessor processor : processors)
        {
            processor.installRules(old[0]);
        }
        if (full > 0)
        {
            throw new ConfigurationException(SluiceConfig.STATE_CAPACITY, Integer.toString(shards.stateCapacity()),
                "leaves " + full + " keys of the journal without room under the new windows");
        }
        final long snapshotId = coordinator.claimId();
        final ProducerSnapshot state = rebuild.producerState(snapshotId, marks);
        producer.restore(state, System.nanoTime());
        for (int shard = 0; shard < processors.length; shard++)
        {
            processors[shard].logic().snapshotTo(shard, snapshotId, coordinator.parts()[shard]);
        }
        store.write(coordinator.parts(), state, journal.recordingId(), journal.stopPosition(), shards.router(),
            shards.fingerprint(), System.currentTimeMillis());
        final String window = "window results from window start " + firstStart + " (" + time(firstStart) + ") on";
        line = "windows changed (" + changed + "): " + (position < journal.startPosition() ?
            "--reset-windows: the journal keeps only from position " + journal.startPosition() + ", a rebuild " +
            "needs it from " + position + "; windows start empty, " + window + " hold all their events" :
            "rebuilt from position " + position + (null == from ? " (the journal's start)" : " (a snapshot)") +
            ", " + rebuild.entries() + " entries in " + (System.nanoTime() - startNs) / 1_000_000 + " ms; " + window +
            " are exactly the new windows'") + "; running figures of every key kept; snapshot " + snapshotId +
            " at position " + journal.stopPosition();
        return recovered;
    }

    private static String time(final long epochNs)
    {
        return Instant.ofEpochSecond(Math.floorDiv(epochNs, 1_000_000_000L), Math.floorMod(epochNs, 1_000_000_000L))
            .toString();
    }

    /**
     * Where the history starts: a snapshot's position and the time its producer part recorded there.
     */
    private record History(long position, long maxTimestamp, long lastTickWatermark)
    {
    }

    /**
     * @return the newest usable snapshot of this journal whose newest event is older than {@code needed}; null for
     * the journal's start.
     */
    private History historyStart(
        final SnapshotStore store,
        final SnapshotCoordinator coordinator,
        final JournalArchive.RecordingDescriptor journal,
        final long needed,
        final PrintStream out)
    {
        final ProducerSnapshot part = new ProducerSnapshot();
        for (final SnapshotManifest manifest : store.complete())
        {
            if (manifest.recordingId() != journal.recordingId() || manifest.journalPosition() > journal.stopPosition() ||
                manifest.hashSeed() != previous.hashSeed())
            {
                continue;
            }
            try
            {
                // only the producer's part is needed here, so a snapshot of another processor count serves too
                store.loadProducer(manifest, part);
            }
            catch (final SnapshotException ex)
            {
                out.println("sluice: snapshot " + manifest.snapshotId() + " is not usable (" + ex.getMessage() +
                    "): trying an older one");
                continue;
            }
            if (part.hasWatermark() && part.maxTimestamp() < needed)
            {
                return new History(manifest.journalPosition(), part.maxTimestamp(), part.lastTickWatermark());
            }
        }
        return null;
    }

    /**
     * Drops every answer of the processors recovered under the journal's windows.
     */
    private static final class Muted implements ResultSink
    {
        public void onEventResult(
            final long clientId, final long correlationId, final long key, final long timestamp,
            final Aggregate aggregate, final long receiveNanos, final int resultMode)
        {
        }

        public void onQueryResult(
            final long clientId, final long correlationId, final long key, final boolean found, final Aggregate open,
            final Aggregate closed)
        {
        }

        public void onRejected(
            final long clientId, final long correlationId, final long key, final int reason, final int batchIndex)
        {
        }

        public void onWindowResult(final long key, final long windowEnd, final Aggregate window)
        {
        }

        public void onAlert(
            final int ruleIndex, final long key, final long windowStart, final int field, final int op,
            final double observed, final double threshold)
        {
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
        }
    }
}
