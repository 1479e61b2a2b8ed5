package io.sluice.systemtest;

import io.sluice.driver.ReceiverTrackingFlowControlSupplier;
import io.aeron.driver.FlowControl;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.media.UdpChannel;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.stat.SluiceStat;
import io.sluice.tools.stat.StatReading;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReceiverTrackingFlowControlTest
{
    private static final String EGRESS = "aeron:udp?control=localhost:20121|control-mode=dynamic|fc=min,t:5s";
    private static final int STREAM_ID = 1002;
    private static final int SESSION_ID = -1935461304;
    private static final long REGISTRATION_ID = 25;

    @Test
    void shouldLabelItsCounterWithTheRegistrationIdItsKeyHoldsSoStatAndStatJsonAgree()
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(4 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(4 * CountersReader.COUNTER_LENGTH)));
        final UdpChannel channel = UdpChannel.parse(EGRESS);
        final FlowControl flowControl =
            new ReceiverTrackingFlowControlSupplier().newInstance(channel, STREAM_ID, REGISTRATION_ID);
        final MediaDriver.Context context =
            new MediaDriver.Context().tempBuffer(new UnsafeBuffer(new byte[CountersReader.METADATA_LENGTH]));
        flowControl.initialize(
            context, counters, channel, STREAM_ID, SESSION_ID, REGISTRATION_ID, 0, 64 * 1024);

        final StatReading reading = StatReading.of(counters, Instant.EPOCH, 0);
        assertEquals(1, reading.values().size());
        final StatReading.Value value = reading.values().get(0);
        assertEquals(SluiceCounters.EGRESS_RECEIVER_POSITION_TYPE_ID, value.entry().typeId());
        assertEquals("25", value.labelValue(), "stat --json's registration_id");
        assertEquals("sluice egress receivers consumed: 25 -1935461304 1002 " + EGRESS, value.label(),
            "the label, as Aeron labels a publication's counters: registration id, session id, stream id, channel");

        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SluiceStat.printTable(reading, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(String.format("%-5s %-6s %20s  %s%n", "id", "type", "value", "label") +
            String.format("%-5d %-6s %20s  %s%n", value.counterId(), "1019", "-1",
            "sluice egress receivers consumed: 25 -1935461304 1002 " + EGRESS), bytes.toString(StandardCharsets.UTF_8));
    }
}
