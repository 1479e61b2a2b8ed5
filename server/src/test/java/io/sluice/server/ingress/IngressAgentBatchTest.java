package io.sluice.server.ingress;

import com.lmax.disruptor.Sequence;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.RejectReason;
import io.sluice.core.ResultMode;
import io.sluice.core.ring.ClientMarks;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.route.ShardRouter;
import io.sluice.server.ingress.BatchFrame;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.driver.EmbeddedDriver;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ingress agent's handling of {@code EventBatch} frames, called directly: the checks that refuse a batch whole
 * (one REJECT naming its first event, batch index -1), the per-event checks that refuse one event by its index while
 * the others go in, and the counters each moves. Nothing consumes the ring here, so what went in stays to be read.
 */
class IngressAgentBatchTest
{
    private static final long CLIENT = 77;
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final int BATCH_CAPACITY = 8;
    private static final ShardRouter ROUTER = new ShardRouter(5);

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final Header aeronHeader = new Header(0, 16);
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private String driverDir;
    private MediaDriver driver;
    private Aeron aeron;
    private SluiceCounters counters;
    private SluiceRing ring;
    private Sequence consumed;
    private RingProducer producer;
    private IngressAgent agent;

    @BeforeEach
    void before()
    {
        driverDir = new File(System.getProperty("java.io.tmpdir"), "sluice-ingress-batch-test-" + System.nanoTime())
            .getAbsolutePath();
        driver = EmbeddedDriver.launch(new EmbeddedDriver.Context().dirKey("aeron.dir").dir(driverDir)
            .threading(DriverThreading.INVOKER).idleStrategy(IdleStrategyType.SLEEPING)
            .errorHandler(Throwable::printStackTrace).livenessTimeoutNs(TimeUnit.SECONDS.toNanos(10)).log(System.err));
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(driverDir)
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(EmbeddedDriver.invokerOf(driver)));
        counters = new SluiceCounters(aeron);
        ring = new SluiceRing(64, WaitStrategyType.SLEEPING);
        consumed = new Sequence(-1);
        ring.ringBuffer().addGatingSequences(consumed);
        producer = new RingProducer(ring, ROUTER, 2, null, counters.ticks(), new ClientMarks(16), BATCH_CAPACITY);
        agent = new IngressAgent(
            new IngressAgent.Context().log(new PrintStream(log, true)).conclude(), aeron.addSubscription("aeron:ipc", 1),
            producer, counters);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
        frame.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, 4321);
        aeronHeader.buffer(frame);
        aeronHeader.offset(0);
    }

    @AfterEach
    void after()
    {
        CloseHelper.closeAll(counters, aeron, driver);
        IoUtil.delete(new File(driverDir), true);
    }

    private static BatchFrame batch(final int resultMode, final long firstCorrelationId, final int events)
    {
        final BatchFrame frame = new BatchFrame(CLIENT, resultMode);
        for (int i = 0; i < events; i++)
        {
            frame.add(firstCorrelationId + i, 10 + i, T0 + i, 0.5 + i);
        }
        return frame;
    }

    private Action send(final BatchFrame frame)
    {
        return agent.onFragment(buffer, 0, frame.writeTo(buffer), aeronHeader);
    }

    private String describe(final long sequence)
    {
        final RingEntry entry = ring.entry(sequence);
        return entry.type() + ":" + entry.shard() + ":" + entry.clientId() + ":" + entry.correlationId() + ":" +
            entry.key() + ":" + entry.timestamp() + ":" + entry.value() + ":" + entry.reason() + ":m" +
            entry.resultMode() + ":i" + entry.batchIndex();
    }

    private List<String> entriesFrom(final long from)
    {
        final List<String> entries = new ArrayList<>();
        for (long sequence = from; sequence <= ring.ringBuffer().getCursor(); sequence++)
        {
            entries.add(describe(sequence));
        }
        return entries;
    }

    private String event(final long correlationId, final long key, final long timestamp, final double value,
        final int mode, final int index)
    {
        return RingEntry.TYPE_EVENT + ":" + producer.shardOf(key) + ":" + CLIENT + ":" + correlationId + ":" + key +
            ":" + timestamp + ":" + value + ":0:m" + mode + ":i" + index;
    }

    private String reject(final long correlationId, final long key, final int reason, final int index)
    {
        return RingEntry.TYPE_REJECT + ":" + producer.shardOf(key) + ":" + CLIENT + ":" + correlationId + ":" + key +
            ":0:0.0:" + reason + ":m0:i" + index;
    }

    private String wholeBatchReject(final long correlationId, final int reason)
    {
        return reject(correlationId, 0, reason, -1);
    }

    private void assertCounters(
        final long received, final long accepted, final long batches, final Map<Integer, Long> rejectedByReason)
    {
        assertEquals(received, counters.received().get(), "received");
        assertEquals(accepted, counters.accepted().get(), "accepted");
        assertEquals(batches, counters.batches().get(), "batches");
        for (int reason = 1; reason < RejectReason.LIMIT; reason++)
        {
            assertEquals(rejectedByReason.getOrDefault(reason, 0L).longValue(), counters.rejected(reason).get(),
                "rejected " + RejectReason.name(reason));
        }
        assertEquals(0, counters.ringFull().get(), "ring full");
    }

    @Test
    void shouldRejectABatchOfMoreEventsThanTheCapacityWholeNamingItsFirstEventAndTakeOneOfExactlyTheCapacity()
    {
        assertEquals(Action.CONTINUE, send(batch(ResultMode.BATCHED, 101, BATCH_CAPACITY + 1)));

        assertEquals(0, ring.ringBuffer().getCursor(), "one entry for the whole batch");
        assertEquals(List.of(wholeBatchReject(101, RejectReason.BATCH_TOO_LARGE)), entriesFrom(0));
        assertEquals(ClientMarks.NONE, producer.marks().mark(CLIENT), "none of its events counts");
        assertCounters(1, 0, 0, Map.of(RejectReason.BATCH_TOO_LARGE, 1L));

        assertEquals(Action.CONTINUE, send(batch(ResultMode.BATCHED, 101, BATCH_CAPACITY)));
        assertEquals(BATCH_CAPACITY, ring.ringBuffer().getCursor());
        assertEquals(event(101, 10, T0, 0.5, ResultMode.BATCHED, 0), describe(1));
        assertEquals(event(108, 17, T0 + 7, 7.5, ResultMode.BATCHED, 7), describe(BATCH_CAPACITY));
        assertEquals(108, producer.marks().mark(CLIENT));
        assertCounters(1 + BATCH_CAPACITY, BATCH_CAPACITY, 1, Map.of(RejectReason.BATCH_TOO_LARGE, 1L));
    }

    @Test
    void shouldRejectABatchWhoseCountDoesNotMatchItsLengthWholeAsMalformed()
    {
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 1, 2).declaredCount(3)));
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 4, 3).declaredCount(2)));
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 7, 2).trailingBytes(1)));
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 9, 0).declaredCount(1)));

        assertEquals(List.of(
            wholeBatchReject(1, RejectReason.BATCH_MALFORMED),
            wholeBatchReject(4, RejectReason.BATCH_MALFORMED),
            wholeBatchReject(7, RejectReason.BATCH_MALFORMED),
            wholeBatchReject(0, RejectReason.BATCH_MALFORMED)), entriesFrom(0),
            "named by the first event when the frame holds one");
        assertEquals(ClientMarks.NONE, producer.marks().mark(CLIENT));
        assertCounters(4, 0, 0, Map.of(RejectReason.BATCH_MALFORMED, 4L));
    }

    @Test
    void shouldRejectABatchWithShortEventsOrAnUnknownResultModeWholeAsMalformed()
    {
        assertEquals(Action.CONTINUE, send(batch(ResultMode.NONE, 1, 3).entryLength(24)));
        assertEquals(Action.CONTINUE, send(batch(ResultMode.NONE, 2, 3).entryLength(31)));
        assertEquals(Action.CONTINUE, send(batch(ResultMode.LIMIT, 3, 3)));
        assertEquals(Action.CONTINUE, send(batch(255, 4, 1)));

        assertEquals(List.of(
            wholeBatchReject(1, RejectReason.BATCH_MALFORMED),
            wholeBatchReject(2, RejectReason.BATCH_MALFORMED),
            wholeBatchReject(3, RejectReason.BATCH_MALFORMED),
            wholeBatchReject(4, RejectReason.BATCH_MALFORMED)), entriesFrom(0));
        assertCounters(4, 0, 0, Map.of(RejectReason.BATCH_MALFORMED, 4L));
    }

    @Test
    void shouldRejectABatchWithABlockShorterThanItsFieldsAsBadBlockLengthAndOneCutShortAsTruncated()
    {
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 1, 2).blockLength(8)));
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 1, 2).blockLength(15)));
        final int length = batch(ResultMode.PER_EVENT, 5, 1).writeTo(buffer);
        assertEquals(Action.CONTINUE, agent.onFragment(
            buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + 16 + 2, aeronHeader), "cut inside the group header");
        assertEquals(Action.CONTINUE, agent.onFragment(buffer, 0, 12, aeronHeader), "cut inside the client id");
        assertEquals(Action.CONTINUE, agent.onFragment(buffer, 0, length - 1, aeronHeader), "cut inside the event");

        assertEquals(List.of(
            wholeBatchReject(0, RejectReason.BAD_BLOCK_LENGTH),
            wholeBatchReject(0, RejectReason.BAD_BLOCK_LENGTH),
            wholeBatchReject(0, RejectReason.TRUNCATED),
            RingEntry.TYPE_REJECT + ":" + producer.shardOf(0) + ":0:0:0:0:0.0:" + RejectReason.TRUNCATED + ":m0:i-1",
            wholeBatchReject(5, RejectReason.BATCH_MALFORMED)), entriesFrom(0));
        assertCounters(5, 0, 0, Map.of(
            RejectReason.BAD_BLOCK_LENGTH, 2L, RejectReason.TRUNCATED, 2L, RejectReason.BATCH_MALFORMED, 1L));
    }

    @Test
    void shouldRejectEachBadEventOfABatchAloneByItsIndexAndPutTheOthersIn()
    {
        final BatchFrame frame = new BatchFrame(CLIENT, ResultMode.BATCHED)
            .add(1, 20, T0, 1.0)
            .add(2, 21, T0, Double.NaN)
            .add(3, 22, SluiceConfig.YEAR_2000_NS, 2.0)
            .add(4, 23, T0, Double.POSITIVE_INFINITY)
            .add(5, 24, SluiceConfig.YEAR_2000_NS - 1, 3.0)
            .add(6, 25, SluiceConfig.YEAR_2200_NS, Double.NEGATIVE_INFINITY)
            .add(7, 26, SluiceConfig.YEAR_2200_NS + 1, 4.0)
            .add(8, 27, SluiceConfig.YEAR_2200_NS, -5.0);

        assertEquals(Action.CONTINUE, send(frame));

        assertEquals(List.of(
            event(1, 20, T0, 1.0, ResultMode.BATCHED, 0),
            reject(2, 21, RejectReason.INVALID_VALUE, 1),
            event(3, 22, SluiceConfig.YEAR_2000_NS, 2.0, ResultMode.BATCHED, 2),
            reject(4, 23, RejectReason.INVALID_VALUE, 3),
            reject(5, 24, RejectReason.TIMESTAMP_OUT_OF_RANGE, 4),
            reject(6, 25, RejectReason.INVALID_VALUE, 5),
            reject(7, 26, RejectReason.TIMESTAMP_OUT_OF_RANGE, 6),
            event(8, 27, SluiceConfig.YEAR_2200_NS, -5.0, ResultMode.BATCHED, 7)), entriesFrom(0),
            "the range's ends are inside it");
        assertEquals(8, producer.marks().mark(CLIENT));
        assertCounters(8, 3, 1, Map.of(RejectReason.INVALID_VALUE, 3L, RejectReason.TIMESTAMP_OUT_OF_RANGE, 2L));
    }

    @Test
    void shouldRejectDuplicatesInsideABatchAndAcrossBatchesAndSingleEventsByTheClientsMark()
    {
        assertEquals(Action.CONTINUE, send(new BatchFrame(CLIENT, ResultMode.NONE)
            .add(3, 30, T0, 1.0).add(3, 31, T0, 1.0).add(5, 32, T0, 1.0).add(4, 33, T0, 1.0)));
        new EventEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clientId(CLIENT).correlationId(5).key(34).timestamp(T0).value(1.0);
        assertEquals(Action.CONTINUE, agent.onFragment(
            buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH, aeronHeader));
        assertEquals(Action.CONTINUE, send(new BatchFrame(CLIENT, ResultMode.NONE).add(5, 35, T0, 1.0).add(6, 36, T0, 1.0)));

        assertEquals(List.of(
            event(3, 30, T0, 1.0, ResultMode.NONE, 0),
            reject(3, 31, RejectReason.DUPLICATE, 1),
            event(5, 32, T0, 1.0, ResultMode.NONE, 2),
            reject(4, 33, RejectReason.DUPLICATE, 3),
            reject(5, 34, RejectReason.DUPLICATE, -1),
            reject(5, 35, RejectReason.DUPLICATE, 0),
            event(6, 36, T0, 1.0, ResultMode.NONE, 1)), entriesFrom(0));
        assertCounters(7, 3, 2, Map.of(RejectReason.DUPLICATE, 4L));
    }

    @Test
    void shouldReadABatchOfANewerVersionWithALongerBlockLongerEventsAndTrailingBytes()
    {
        assertEquals(Action.CONTINUE, send(batch(ResultMode.BATCHED, 1, 3)
            .version(MessageHeaderEncoder.SCHEMA_VERSION + 1).blockLength(24).entryLength(40).trailingBytes(6)));
        assertEquals(Action.CONTINUE, send(batch(ResultMode.BATCHED, 4, 2).entryLength(48)));

        assertEquals(List.of(
            event(1, 10, T0, 0.5, ResultMode.BATCHED, 0),
            event(2, 11, T0 + 1, 1.5, ResultMode.BATCHED, 1),
            event(3, 12, T0 + 2, 2.5, ResultMode.BATCHED, 2),
            event(4, 10, T0, 0.5, ResultMode.BATCHED, 0),
            event(5, 11, T0 + 1, 1.5, ResultMode.BATCHED, 1)), entriesFrom(0));
        assertCounters(5, 5, 2, Map.of());
    }

    @Test
    void shouldTakeAnEmptyBatchWithoutWritingTheRing()
    {
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 1, 0)));

        assertEquals(-1, ring.ringBuffer().getCursor());
        assertEquals(0, counters.received().get());
        assertEquals(0, counters.accepted().get());
    }

    @Test
    void shouldAbortABatchWithoutSideEffectsWhenTheRingLacksRoomForTwiceItsEvents()
    {
        for (int i = 0; i < 7; i++)
        {
            assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 1 + 8L * i, 8)));
        }
        assertEquals(55, ring.ringBuffer().getCursor(), "8 slots free");
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 57, 4)));
        assertEquals(59, ring.ringBuffer().getCursor(), "4 slots free");

        assertEquals(Action.ABORT, send(batch(ResultMode.PER_EVENT, 61, 3)), "3 events need 6 slots");
        assertEquals(59, ring.ringBuffer().getCursor());
        assertEquals(60, producer.marks().mark(CLIENT));
        assertEquals(1, counters.ringFull().get());
        assertEquals(60, counters.received().get());
        assertEquals(60, counters.accepted().get());
        assertEquals(8, counters.batches().get());

        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 61, 2)), "2 events need 4 slots");
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 63, 1)), "1 event needs 2 slots");
        new EventEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clientId(CLIENT).correlationId(64).key(9).timestamp(T0).value(1.0);
        assertEquals(Action.CONTINUE, agent.onFragment(
            buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH, aeronHeader), "a single event");
        assertEquals(63, ring.ringBuffer().getCursor(), "the ring is full");
        assertEquals(Action.ABORT, send(batch(ResultMode.PER_EVENT, 65, 9)), "a whole-batch reject needs a slot too");
        assertEquals(2, counters.ringFull().get());
        assertEquals(0, counters.rejected(RejectReason.BATCH_TOO_LARGE).get());

        consumed.set(61);
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 65, 9)), "the same frame, offered again");
        assertEquals(Action.CONTINUE, send(batch(ResultMode.PER_EVENT, 65, 3)));
        assertEquals(List.of(
            wholeBatchReject(65, RejectReason.BATCH_TOO_LARGE),
            event(65, 10, T0, 0.5, ResultMode.PER_EVENT, 0),
            event(66, 11, T0 + 1, 1.5, ResultMode.PER_EVENT, 1),
            event(67, 12, T0 + 2, 2.5, ResultMode.PER_EVENT, 2)), entriesFrom(64));
        assertEquals(2, counters.ringFull().get());
        assertEquals(68, counters.received().get());
        assertEquals(67, counters.accepted().get());
        assertEquals(1, counters.rejected(RejectReason.BATCH_TOO_LARGE).get());
        assertEquals(11, counters.batches().get());
    }
}
