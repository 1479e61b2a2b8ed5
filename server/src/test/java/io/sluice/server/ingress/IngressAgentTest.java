package io.sluice.server.ingress;

import com.lmax.disruptor.Sequence;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.WaitStrategyType;
import io.sluice.core.RejectReason;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.ring.SluiceRing;
import io.sluice.core.route.ShardRouter;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.AdminRequestEncoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.ResumeEncoder;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ingress agent's handling of single messages, called directly (no subscription): what each puts in the ring
 * and which counters move. The counters (and an idle IPC subscription) live in an invoker-mode media driver run on
 * the test thread.
 */
class IngressAgentTest
{
    private static final long CLIENT = 77;
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final int EVENT_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH;
    private static final int RESUME_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + ResumeEncoder.BLOCK_LENGTH;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EventEncoder eventEncoder = new EventEncoder();
    private final ResumeEncoder resumeEncoder = new ResumeEncoder();
    private final Header aeronHeader = new Header(0, 16);
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private String driverDir;
    private MediaDriver driver;
    private Aeron aeron;
    private SluiceCounters counters;
    private SluiceRing ring;
    private IngressAgent agent;

    @BeforeEach
    void before()
    {
        driverDir = new File(System.getProperty("java.io.tmpdir"), "sluice-ingress-test-" + System.nanoTime())
            .getAbsolutePath();
        driver = EmbeddedDriver.launch(new EmbeddedDriver.Context().dirKey("aeron.dir").dir(driverDir)
            .threading(DriverThreading.INVOKER).idleStrategy(IdleStrategyType.SLEEPING)
            .errorHandler(Throwable::printStackTrace).livenessTimeoutNs(TimeUnit.SECONDS.toNanos(10)).log(System.err));
        aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(driverDir)
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(EmbeddedDriver.invokerOf(driver)));
        counters = new SluiceCounters(aeron);
        ring = new SluiceRing(4, WaitStrategyType.SLEEPING);
        ring.ringBuffer().addGatingSequences(new Sequence());
        final RingProducer producer = new RingProducer(ring, new ShardRouter(1), 1, null, counters.ticks());
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

    @Test
    void shouldPutAResumeIntoTheRingAsAResumeEntryCarryingTheClientsMark()
    {
        assertEquals(Action.CONTINUE, agent.onFragment(encodeEvent(CLIENT, 5, 9), 0, EVENT_LENGTH, aeronHeader));
        assertEquals(Action.CONTINUE, agent.onFragment(encodeResume(CLIENT, 6), 0, RESUME_LENGTH, aeronHeader));
        assertEquals(Action.CONTINUE, agent.onFragment(encodeResume(CLIENT + 1, 1), 0, RESUME_LENGTH, aeronHeader));

        final RingEntry resume = ring.entry(1);
        assertEquals(RingEntry.TYPE_RESUME, resume.type());
        assertEquals(0, resume.shard());
        assertEquals(CLIENT, resume.clientId());
        assertEquals(6, resume.correlationId());
        assertEquals(5, resume.timestamp(), "the mark: the client's highest accepted event correlation id");
        final RingEntry unknown = ring.entry(2);
        assertEquals(RingEntry.TYPE_RESUME, unknown.type());
        assertEquals(CLIENT + 1, unknown.clientId());
        assertEquals(1, unknown.correlationId());
        assertEquals(Long.MIN_VALUE, unknown.timestamp(), "a client with no accepted event has no mark");
        assertEquals(3, counters.received().get());
        assertEquals(3, counters.accepted().get());
    }

    @Test
    void shouldWriteAResentEventAsARejectDuplicateAndCountIt()
    {
        assertEquals(Action.CONTINUE, agent.onFragment(encodeEvent(CLIENT, 1, 9), 0, EVENT_LENGTH, aeronHeader));
        assertEquals(Action.CONTINUE, agent.onFragment(encodeEvent(CLIENT, 2, 9), 0, EVENT_LENGTH, aeronHeader));
        assertEquals(Action.CONTINUE, agent.onFragment(encodeEvent(CLIENT, 2, 9), 0, EVENT_LENGTH, aeronHeader));

        final RingEntry reject = ring.entry(2);
        assertEquals(RingEntry.TYPE_REJECT, reject.type());
        assertEquals(RejectReason.DUPLICATE, reject.reason());
        assertEquals(CLIENT, reject.clientId());
        assertEquals(2, reject.correlationId());
        assertEquals(9, reject.key());
        assertEquals(3, counters.received().get());
        assertEquals(2, counters.accepted().get());
        assertEquals(1, counters.rejected(RejectReason.DUPLICATE).get());
        assertEquals(0, counters.rejected(RejectReason.CLIENTS_FULL).get());

        agent.doWork();
        assertEquals("sluice: rejected 1 input(s) in the last", log.toString().substring(0, 39));
        assertEquals("last: DUPLICATE from session 4321", log.toString().substring(log.toString().indexOf("last: ")).trim());
    }

    @Test
    void shouldRejectAResumeWithAShortBlockNamingItsClientAndCorrelationId()
    {
        encodeResume(CLIENT, 8);
        buffer.putShort(0, (short)(ResumeEncoder.BLOCK_LENGTH - 8));

        assertEquals(Action.CONTINUE, agent.onFragment(buffer, 0, RESUME_LENGTH, aeronHeader));

        final RingEntry reject = ring.entry(0);
        assertEquals(RingEntry.TYPE_REJECT, reject.type());
        assertEquals(RejectReason.BAD_BLOCK_LENGTH, reject.reason());
        assertEquals(CLIENT, reject.clientId());
        assertEquals(8, reject.correlationId());
        assertEquals(0, reject.key(), "a Resume has no key");
        assertEquals(1, counters.rejected(RejectReason.BAD_BLOCK_LENGTH).get());
    }

    @Test
    void shouldRefuseAnAdminRequestNotPermittedWhenAuthenticationIsOff()
    {
        final AdminRequestEncoder admin = new AdminRequestEncoder();
        admin.wrapAndApplyHeader(buffer, 0, headerEncoder).clientId(CLIENT).correlationId(77)
            .action(AdminAction.SHUTDOWN).payload("");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + admin.encodedLength();

        assertEquals(Action.CONTINUE, agent.onFragment(buffer, 0, length, aeronHeader));

        final RingEntry reject = ring.entry(0);
        assertEquals(RingEntry.TYPE_REJECT, reject.type());
        assertEquals(RejectReason.NOT_PERMITTED, reject.reason());
        assertEquals(CLIENT, reject.clientId());
        assertEquals(77, reject.correlationId());
        assertEquals(0, reject.key(), "an AdminRequest has no key");
        assertEquals(1, counters.rejected(RejectReason.NOT_PERMITTED).get());
        assertEquals(0, counters.accepted().get());
    }

    @Test
    void shouldAbortAResumeWhenTheRingIsFull()
    {
        for (int i = 1; i <= ring.length(); i++)
        {
            assertEquals(Action.CONTINUE, agent.onFragment(encodeEvent(CLIENT, i, 9), 0, EVENT_LENGTH, aeronHeader));
        }

        assertEquals(Action.ABORT, agent.onFragment(encodeResume(CLIENT, 99), 0, RESUME_LENGTH, aeronHeader));
        assertEquals(1, counters.ringFull().get());
        assertEquals(4, counters.received().get());
    }

    private UnsafeBuffer encodeEvent(final long clientId, final long correlationId, final long key)
    {
        eventEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key)
            .timestamp(T0)
            .value(1.5);
        return buffer;
    }

    private UnsafeBuffer encodeResume(final long clientId, final long correlationId)
    {
        resumeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId);
        return buffer;
    }
}
