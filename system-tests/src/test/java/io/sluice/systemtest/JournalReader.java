package io.sluice.systemtest;

import io.aeron.Aeron;
import io.aeron.RethrowingErrorHandler;
import io.aeron.driver.MediaDriver;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.SluiceConfig;
import io.sluice.core.replay.JournalFeed;
import io.sluice.core.shard.ShardContext;
import io.sluice.core.shard.ShardProcessor;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.ShardCounters;
import io.sluice.core.state.Aggregate;
import io.sluice.driver.EmbeddedDriver;
import io.sluice.server.journal.JournalArchive;
import io.sluice.server.journal.JournalIdentity;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Reads a stopped daemon's journal in the test JVM, through the Aeron Archive the daemon wrote it with: an embedded
 * invoker-mode media driver of its own and {@link JournalArchive#launch} on the journal directory. Also rebuilds
 * state from journaled entries the way one uninterrupted run would: fresh processors from the journal's settings and
 * hash seed, every entry applied in order through {@link JournalFeed}.
 */
final class JournalReader
{
    private JournalReader()
    {
    }

    /**
     * Receives each journaled entry, in journal order.
     */
    @FunctionalInterface
    interface EntryHandler
    {
        /**
         * @param buffer      holds the entry in {@link RingEntry}'s layout.
         * @param offset      where it starts.
         * @param endPosition journal position after the message that holds it.
         */
        void onEntry(DirectBuffer buffer, int offset, long endPosition);
    }

    /**
     * Read a whole journal whose daemon has stopped.
     *
     * @param journalDir    the journal directory ({@code sluice.journal.dir}).
     * @param segmentLength the daemon's {@code sluice.journal.segment-length}.
     * @param handler       receives every entry.
     * @return the journal's recording as the catalog describes it after the read.
     */
    static JournalArchive.RecordingDescriptor read(
        final Path journalDir, final int segmentLength, final EntryHandler handler)
    {
        final String driverDir = new File(System.getProperty("java.io.tmpdir"),
            "sluice-journal-reader-" + System.nanoTime()).getAbsolutePath();
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.DRIVER_DIR, driverDir);
        properties.setProperty(SluiceConfig.JOURNAL_DIR, journalDir.toString());
        final SluiceConfig config = SluiceConfig.of(properties);
        MediaDriver driver = null;
        Aeron aeron = null;
        JournalArchive archive = null;
        try
        {
            driver = EmbeddedDriver.launch(new EmbeddedDriver.Context().dir(driverDir)
                .threading(DriverThreading.INVOKER).idleStrategy(IdleStrategyType.SLEEPING)
                .errorHandler(Throwable::printStackTrace).livenessTimeoutNs(TimeUnit.SECONDS.toNanos(10))
                .aeronProperties(Map.of("aeron.term.buffer.length", "1m", "aeron.ipc.term.buffer.length", "1m")));
            final AgentInvoker invoker = EmbeddedDriver.invokerOf(driver);
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driverDir)
                .useConductorAgentInvoker(true)
                .driverAgentInvoker(invoker)
                .subscriberErrorHandler(RethrowingErrorHandler.INSTANCE));
            archive = JournalArchive.launch(config, aeron, invoker, Throwable::printStackTrace, segmentLength);
            final JournalArchive.RecordingDescriptor journal = archive.findJournal();
            assertNotNull(journal, "a journal in " + journalDir);
            final long end = archive.read(journal, journal.startPosition(),
                (buffer, offset, length, frameStart, endPosition) ->
                {
                    assertEquals(0, length % RingEntry.LENGTH, "whole entries in the message at " + frameStart);
                    for (int i = offset; i < offset + length; i += RingEntry.LENGTH)
                    {
                        handler.onEntry(buffer, i, endPosition);
                    }
                    return true;
                });
            assertEquals(journal.stopPosition(), end, "read to the journal's end");
            return journal;
        }
        finally
        {
            CloseHelper.quietCloseAll(archive, aeron, driver);
            IoUtil.delete(new File(driverDir), true);
        }
    }

    /**
     * One uninterrupted in-process run: fresh processors built from a configuration with the journal's hash seed,
     * fed journaled entries in order, each routed by its key's group under the configuration's processor count;
     * their answers are dropped.
     */
    static final class Replica
    {
        private final ShardProcessor[] processors;
        private final JournalFeed replay;

        /**
         * @param config     the daemon's configuration (the settings that shape state).
         * @param journalDir the journal directory: its identity gives the hash seed.
         */
        Replica(final SluiceConfig config, final Path journalDir)
        {
            final JournalIdentity identity = JournalIdentity.read(journalDir);
            assertNotNull(identity, "the journal's identity in " + journalDir);
            final ShardContext shards = ShardContext.from(config)
                .hashSeed(identity.hashSeed())
                .conclude();
            assertEquals(identity.stateSettings(), shards.stateSettings(), "the replica has the journal's settings");
            final ResultSink sink = new DiscardingSink();
            final ShardCounters[] counters = ShardCounters.standalone(shards.processorCount());
            processors = shards.newProcessors((shard) -> sink, (shard) -> counters[shard], null);
            // by key group under this replica's processor count, as recovery routes: the journal may have been
            // written under other counts (a rescale at restart)
            replay = new JournalFeed(processors, JournalFeed.rehash(shards.router()));
        }

        void apply(final DirectBuffer buffer, final int offset)
        {
            replay.apply(buffer, offset, System.nanoTime());
        }

        long entries()
        {
            return replay.entries();
        }

        /**
         * @return each shard's digest, shard i at index i.
         */
        long[] digests()
        {
            final long[] digests = new long[processors.length];
            for (int i = 0; i < processors.length; i++)
            {
                digests[i] = processors[i].digest();
            }
            return digests;
        }
    }

    private static final class DiscardingSink implements ResultSink
    {
        public void onEventResult(
            final long clientId,
            final long correlationId,
            final long key,
            final long timestamp,
            final Aggregate aggregate,
            final long receiveNanos,
            final int resultMode)
        {
        }

        public void onQueryResult(
            final long clientId,
            final long correlationId,
            final long key,
            final boolean found,
            final Aggregate open,
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
            final int ruleIndex,
            final long key,
            final long windowStart,
            final int field,
            final int op,
            final double observed,
            final double threshold)
        {
        }

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
        }
    }
}
