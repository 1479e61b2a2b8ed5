package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.sluice.config.DriverThreading;
import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.demo.DemoProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final long CLIENT = 42;

    @TempDir
    Path dir;

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
        assertEquals("producer: could not connect to the daemon within 1 s (a daemon with sluice.auth.file set " +
            "answers only authenticated clients: give --client-id and --secret-file)\n",
            bytes.toString(StandardCharsets.UTF_8));
        assertEquals(1, status);
    }

    @Test
    @Timeout(60)
    void shouldAuthenticateWithClientIdAndSecretFileAndHaveEveryEventAnswered() throws Exception
    {
        final byte[] secret = new byte[AuthProof.SECRET_LENGTH];
        secret[0] = 5;
        final Path credentials = Files.writeString(dir.resolve("credentials"),
            CLIENT + " " + AuthProof.toHex(AuthProof.storedKey(secret)) + " send,query,subscribe\n");
        final Path secretFile = Files.writeString(dir.resolve("secret"), AuthProof.toHex(secret) + "\n");
        try (TestDaemon daemon = new TestDaemon().set(SluiceConfig.AUTH_FILE, credentials.toString()).start())
        {
            final String[] run = producerRun(daemon, secretFile);
            assertEquals("0", run[0], run[1] + run[2]);
            final List<String> lines = run[1].lines().toList();
            assertTrue(lines.get(0).equals("producer: client 42 connected; sending 1,000 events/s over 10 keys for " +
                "2 s"), run[1]);
            assertEquals("producer: done: 2,000 sent, 1,999 results, 1 rejected, every event answered",
                lines.get(lines.size() - 1), run[1]);
            assertEquals(1, daemon.counter(SluiceCounters.AUTH_SUCCEEDED_TYPE_ID, "handshakes succeeded"));
            assertEquals(0, daemon.counter(SluiceCounters.AUTH_FAILED_TYPE_ID, "handshakes failed"));
            assertEquals(0, daemon.counter(SluiceCounters.REJECTED_TYPE_ID, "rejected UNAUTHENTICATED"));
        }
    }

    @Test
    @Timeout(60)
    void shouldEndWithExitOneNamingTheClientWhenTheSecretIsWrong() throws Exception
    {
        final byte[] secret = new byte[AuthProof.SECRET_LENGTH];
        secret[0] = 5;
        final byte[] wrong = new byte[AuthProof.SECRET_LENGTH];
        wrong[0] = 6;
        final Path credentials = Files.writeString(dir.resolve("credentials"),
            CLIENT + " " + AuthProof.toHex(AuthProof.storedKey(secret)) + " send\n");
        final Path secretFile = Files.writeString(dir.resolve("secret"), AuthProof.toHex(wrong));
        try (TestDaemon daemon = new TestDaemon().set(SluiceConfig.AUTH_FILE, credentials.toString()).start())
        {
            final String[] run = producerRun(daemon, secretFile);
            assertEquals("1", run[0], run[1] + run[2]);
            assertTrue(run[2].contains("client 42 was refused authentication: "), run[2]);
            assertTrue(!run[1].contains(AuthProof.toHex(wrong)) && !run[2].contains(AuthProof.toHex(wrong)),
                "the secret is never printed");
            assertEquals(0, daemon.counter(SluiceCounters.AUTH_SUCCEEDED_TYPE_ID, "handshakes succeeded"));
            assertEquals(1, daemon.counter(SluiceCounters.AUTH_FAILED_TYPE_ID, "handshakes failed"));
        }
    }

    @Test
    void shouldRefuseAClientIdWithoutASecretFile()
    {
        final String[] run = capture(() -> SluiceMain.run(new String[]{"producer", "--client-id", "42"}));
        assertEquals("2", run[0]);
        assertEquals("sluice producer: --client-id and --secret-file go together (an authenticating client needs " +
            "both)\n", run[2]);
    }

    /**
     * {@code sluice producer --config F --rate 1000 --seconds 2 --warmup-seconds 1 --keys 10 --client-id 42
     * --secret-file S}, in process, with the daemon's configuration in F.
     *
     * @return exit code, standard output, standard error.
     */
    private String[] producerRun(final TestDaemon daemon, final Path secretFile) throws Exception
    {
        final SluiceConfig daemonConfig = daemon.config();
        final Path config = Files.writeString(dir.resolve("daemon.properties"),
            SluiceConfig.INGRESS_CHANNEL + "=" + daemonConfig.ingressChannel() + "\n" +
            SluiceConfig.EGRESS_CHANNEL + "=" + daemonConfig.egressChannel() + "\n" +
            SluiceConfig.PROCESSOR_COUNT + "=" + daemonConfig.processorCount() + "\n");
        return capture(() -> SluiceMain.run(new String[]{"producer", "--config", config.toString(), "--rate", "1000",
            "--seconds", "2", "--warmup-seconds", "1", "--keys", "10", "--client-id", Long.toString(CLIENT),
            "--secret-file", secretFile.toString()}));
    }

    private static synchronized String[] capture(final java.util.function.IntSupplier command)
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final int status;
        try
        {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            status = command.getAsInt();
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
        return new String[]{Integer.toString(status), outBytes.toString(StandardCharsets.UTF_8),
            errBytes.toString(StandardCharsets.UTF_8)};
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
