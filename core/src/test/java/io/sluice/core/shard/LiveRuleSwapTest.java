package io.sluice.core.shard;

import io.sluice.config.AlertRule;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.logic.TestCounters;
import io.sluice.core.replay.JournalFeed;
import io.sluice.core.ring.ProducerSnapshot;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.state.Aggregate;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A live change of the alert rules: RULES entries staged by every processor, the switch at a set's last entry
 * between two events, replay of a journal that holds the change, and the set that follows every snapshot marker.
 * Expected alerts come from a plain reference: for each event, the rules of the last whole set before it.
 */
class LiveRuleSwapTest
{
    private static final List<AlertRule> BIG = List.of(
        new AlertRule("big", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.GT, 10));
    private static final List<AlertRule> SMALL_AND_HUGE = List.of(
        new AlertRule("huge", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.GE, 20),
        new AlertRule("small-values-of-a-key-with-a-long-name-that-takes-three-chunks", 1, AlertRule.On.EVENT,
            AlertRule.Field.VALUE, AlertRule.Op.LT, 3),
        new AlertRule("sum", 2, AlertRule.On.EVENT, AlertRule.Field.SUM, AlertRule.Op.GT, 100));

    private final TestCounters counters = new TestCounters();

    @Test
    void shouldJudgeEventsBeforeTheLastRulesEntryByTheOldRulesAndAfterItByTheNew()
    {
        final Daemon daemon = new Daemon(BIG);
        daemon.event(1, 1, 15);
        daemon.event(2, 1, 2);
        final List<byte[]> change = daemon.rules(1, SMALL_AND_HUGE);
        assertTrue(change.size() >= 3, "a set of several chunks: " + change.size());

        // an event between the set's first and last entries is still judged by the old rules
        daemon.deliver(change.get(0));
        daemon.event(3, 2, 12);
        daemon.event(4, 3, 1);
        for (int i = 1; i < change.size(); i++)
        {
            daemon.deliver(change.get(i));
        }
        daemon.event(5, 2, 12);
        daemon.event(6, 3, 1);
        daemon.event(7, 4, 25);
        daemon.event(8, 4, 90);

        assertEquals(List.of(
            "big#0 key 1 observed 15.0",
            "big#0 key 2 observed 12.0",
            "small-values-of-a-key-with-a-long-name-that-takes-three-chunks#1 key 3 observed 1.0",
            "huge#0 key 4 observed 25.0",
            "huge#0 key 4 observed 90.0",
            "sum#2 key 4 observed 115.0"), daemon.alerts());
        for (final ShardProcessor processor : daemon.processors)
        {
            assertEquals(1, processor.alerts().version());
            assertEquals(SMALL_AND_HUGE, processor.alerts().rules());
        }
    }

    @Test
    void shouldReproduceTheSwitchWhenTheJournalIsReplayedAndKeepTheOwnRulesWhenToldTo()
    {
        final Daemon daemon = new Daemon(BIG);
        for (int i = 1; i <= 200; i++)
        {
            if (i % 50 == 0)
            {
                daemon.rules(i / 50, 0 == (i / 50) % 2 ? BIG : SMALL_AND_HUGE).forEach(daemon::deliver);
            }
            daemon.event(i, i % 7, (i * 37) % 31);
        }
        final List<String> live = daemon.alerts();

        final Daemon replay = new Daemon(BIG);
        final JournalFeed feed = new JournalFeed(replay.processors, JournalFeed.JOURNALED_SHARD);
        for (final byte[] entry : daemon.journal)
        {
            feed.apply(new UnsafeBuffer(entry), 0, 0);
        }
        assertEquals(live, replay.alerts());
        assertEquals(4, replay.processors[1].alerts().version());
        for (int shard = 0; shard < 2; shard++)
        {
            assertEquals(daemon.processors[shard].digest(), replay.processors[shard].digest());
        }

        final Daemon ownRules = new Daemon(BIG);
        final JournalFeed whatIf = new JournalFeed(ownRules.processors, JournalFeed.JOURNALED_SHARD).journalRules(false);
        int expected = 0;
        for (final byte[] entry : daemon.journal)
        {
            final RingEntry e = new RingEntry(new UnsafeBuffer(entry), 0);
            expected += RingEntry.TYPE_EVENT == e.type() && e.value() > 10 ? 1 : 0;
            whatIf.apply(new UnsafeBuffer(entry), 0, 0);
        }
        assertEquals(expected, ownRules.alerts().size());
        assertEquals(0, ownRules.processors[0].alerts().version());
    }

    @Test
    void shouldPutTheRulesInForceRightAfterEverySnapshotMarkerOnceTheyChangedLive()
    {
        final Daemon daemon = new Daemon(BIG);
        daemon.producer.offerSnapshot(1, 0, new ProducerSnapshot());
        daemon.drain();
        assertEquals(RingEntry.TYPE_SNAPSHOT, type(daemon.journal.get(daemon.journal.size() - 1)), "no live rules yet");

        daemon.rules(3, SMALL_AND_HUGE).forEach(daemon::deliver);
        final int before = daemon.journal.size();
        daemon.producer.offerSnapshot(2, 0, new ProducerSnapshot());
        daemon.drain();
        assertEquals(RingEntry.TYPE_SNAPSHOT, type(daemon.journal.get(before)));

        // a recovery from that snapshot replays only what follows its marker, and gets the rules back
        final Daemon recovered = new Daemon(BIG);
        final JournalFeed feed = new JournalFeed(recovered.processors, JournalFeed.JOURNALED_SHARD);
        for (int i = before + 1; i < daemon.journal.size(); i++)
        {
            assertEquals(RingEntry.TYPE_RULES, type(daemon.journal.get(i)));
            feed.apply(new UnsafeBuffer(daemon.journal.get(i)), 0, 0);
        }
        assertEquals(3, recovered.processors[0].alerts().version());
        assertEquals(SMALL_AND_HUGE, recovered.processors[1].alerts().rules());
    }

    @Test
    void shouldNotSwitchOnAnInterruptedSetAndSwitchOnTheNextWholeOne()
    {
        final Daemon daemon = new Daemon(BIG);
        final List<byte[]> change = daemon.rules(1, SMALL_AND_HUGE);
        daemon.deliver(change.get(0));
        daemon.deliver(change.get(2));
        daemon.event(1, 1, 50);
        assertEquals(List.of("big#0 key 1 observed 50.0"), daemon.alerts());
        assertEquals(0, daemon.processors[0].alerts().version());

        daemon.rules(2, SMALL_AND_HUGE).forEach(daemon::deliver);
        assertEquals(2, daemon.processors[0].alerts().version());
    }

    @Test
    void shouldSwitchWithoutAllocating()
    {
        final Daemon daemon = new Daemon(BIG);
        final List<byte[]> a = daemon.rules(1, SMALL_AND_HUGE);
        final List<byte[]> b = daemon.rules(2, BIG);
        final ShardProcessor processor = daemon.processors[0];
        final RingEntry[] entriesA = entries(a);
        final RingEntry[] entriesB = entries(b);
        for (int i = 0; i < 20_000; i++)
        {
            swap(processor, entriesA, entriesB);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++)
        {
            swap(processor, entriesA, entriesB);
        }
        assertEquals(0, threads.getCurrentThreadAllocatedBytes() - before);
        assertEquals(2, processor.alerts().version());
        assertTrue(processor.longestRulesSwitchNs() > 0);
    }

    private static void swap(final ShardProcessor processor, final RingEntry[] a, final RingEntry[] b)
    {
        for (final RingEntry entry : a)
        {
            processor.onEntry(entry);
        }
        for (final RingEntry entry : b)
        {
            processor.onEntry(entry);
        }
    }

    private static RingEntry[] entries(final List<byte[]> journal)
    {
        final RingEntry[] entries = new RingEntry[journal.size()];
        for (int i = 0; i < entries.length; i++)
        {
            entries[i] = new RingEntry(new UnsafeBuffer(journal.get(i)), 0);
        }
        return entries;
    }

    private static int type(final byte[] entry)
    {
        return new RingEntry(new UnsafeBuffer(entry), 0).type();
    }

    /**
     * Two processors fed by a producer over a ring, every entry kept as the journal would keep it.
     */
    private final class Daemon
    {
        final SluiceRing ring = new SluiceRing(1024, WaitStrategyType.SLEEPING);
        final ShardProcessor[] processors;
        final RingProducer producer;
        final List<byte[]> journal = new ArrayList<>();
        final AlertLog log = new AlertLog();
        long next;

        Daemon(final List<AlertRule> rules)
        {
            final ShardContext ctx = new ShardContext().processorCount(2).hashSeed(42).stateCapacity(64)
                .alertRules(rules).conclude();
            processors = ctx.newProcessors((shard) -> log, counters::processor, null);
            producer = ctx.newProducer(ring, counters.counter("ticks"));
        }

        void event(final long correlationId, final long key, final double value)
        {
            assertEquals(RingProducer.OFFERED, producer.offerEvent(7, correlationId, key, 0, value, 0));
            drain();
        }

        /** Offer a rule set and take its entries out of the ring without delivering them. */
        List<byte[]> rules(final long version, final List<AlertRule> rules)
        {
            final UnsafeBuffer encoded = new UnsafeBuffer(new byte[AlertRules.MAX_ENCODED_LENGTH]);
            final int length = AlertRules.encode(rules, encoded);
            assertTrue(producer.offerRules(version, encoded, length, 0));
            final List<byte[]> entries = new ArrayList<>();
            while (next <= ring.ringBuffer().getCursor())
            {
                entries.add(copy(ring.entry(next++)));
            }
            return entries;
        }

        void deliver(final byte[] entry)
        {
            journal.add(entry);
            final RingEntry e = new RingEntry(new UnsafeBuffer(entry), 0);
            for (final ShardProcessor processor : processors)
            {
                processor.onEvent(e, 0, true);
            }
        }

        void drain()
        {
            while (next <= ring.ringBuffer().getCursor())
            {
                deliver(copy(ring.entry(next++)));
            }
        }

        List<String> alerts()
        {
            return log.alerts;
        }

        private byte[] copy(final RingEntry entry)
        {
            final byte[] bytes = new byte[RingEntry.LENGTH];
            entry.buffer().getBytes(entry.offset(), bytes);
            return bytes;
        }
    }

    /**
     * Keeps each alert with the name its rule index had when it fired.
     */
    private static final class AlertLog implements ResultSink
    {
        final List<String> alerts = new ArrayList<>();
        private int count;
        private byte[][] names;
        private int[] lengths;

        public void onAlertRules(final int count, final byte[][] names, final int[] nameLengths)
        {
            this.count = count;
            this.names = names;
            this.lengths = nameLengths;
        }

        public void onAlert(
            final int ruleIndex, final long key, final long windowStart, final int field, final int op,
            final double observed, final double threshold)
        {
            assertTrue(ruleIndex < count);
            alerts.add(new String(names[ruleIndex], 0, lengths[ruleIndex], StandardCharsets.US_ASCII) + "#" +
                ruleIndex + " key " + key + " observed " + observed);
        }

        public void onEventResult(
            final long clientId, final long correlationId, final long key, final long timestamp, final Aggregate a,
            final long receiveNanos, final int resultMode)
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

        public void onResumed(final long clientId, final long correlationId, final long lastCorrelationId)
        {
        }

        public void onWindowResult(final long key, final long windowEnd, final Aggregate window)
        {
        }
    }
}
