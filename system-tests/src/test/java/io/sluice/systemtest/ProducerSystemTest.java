package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.sluice.config.DriverThreading;
import io.sluice.client.SluiceClient;
import io.sluice.tools.demo.DemoProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice producer} names itself: every line that is not a per-second report starts with {@code producer:},
 * its failure to connect included, never with {@code demo:}. The producer runs as the command runs it: a client on
 * an embedded media driver of its own (invoker mode), over UDP loopback.
 */
class ProducerSystemTest
{
    @Test
    @Timeout(60)
    void shouldLabelEveryLineOfARunWithProducer()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int status;
        try (TestDaemon daemon = new TestDaemon().start())
        {
            status = DemoProducer.run(producerContext(daemon), 1000, 2, 1, 10, 20,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }
        final List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, status, String.join("\n", lines));

        final List<String> labelled = new ArrayList<>();
        for (final String line : lines)
        {
            if (!line.startsWith("warm-up ") && !line.startsWith("sent ") && !line.startsWith(" "))
            {
                labelled.add(line);
            }
        }
        assertEquals(5, labelled.size(), String.join("\n", lines));
        assertTrue(labelled.get(0).startsWith("producer: client ") &&
            labelled.get(0).endsWith(" connected; sending 1,000 events/s over 10 keys for 2 s"), labelled.get(0));
        assertTrue(labelled.get(1).startsWith("producer: the first 1 s warm up "), labelled.get(1));
        assertTrue(labelled.get(2).startsWith("producer: steady state (1 s after the 1 s warm-up): rtt p50 "),
            labelled.get(2));
        assertTrue(labelled.get(3).startsWith("producer: whole run (2 s, warm-up included): rtt p50 "),
            labelled.get(3));
        assertEquals("producer: done: 2,000 sent, 1,999 results, 1 rejected, every event answered", labelled.get(4));
    }

    @Test
    @Timeout(60)
    void shouldSayProducerWhenNoDaemonAnswers()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int status;
        try (TestDaemon nobody = new TestDaemon())
        {
            status = DemoProducer.run(producerContext(nobody), 1000, 2, 1, 10, 1,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }
        assertEquals("producer: could not connect to the daemon within 1 s\n",
            bytes.toString(StandardCharsets.UTF_8));
        assertEquals(1, status);
    }

    /**
     * @param daemon whose channels (free loopback ports) the producer uses; it need not be started.
     * @return the client context {@code sluice producer} builds from the daemon's configuration.
     */
    private static SluiceClient.Context producerContext(final TestDaemon daemon)
    {
        return SluiceMain.clientContextFor(daemon.config()).embeddedDriver(true).driverThreading(DriverThreading.INVOKER);
    }
}
