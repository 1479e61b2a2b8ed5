package io.sluice.systemtest;

import io.aeron.Publication;
import io.sluice.client.SluiceAuthenticationException;
import io.sluice.client.SluiceClient;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.SluiceConfig;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.Permission;
import io.sluice.server.auth.Credentials;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.SluiceMain;
import io.sluice.tools.stat.SluiceStat;
import io.sluice.transport.codec.AdminAction;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.systemtest.AuthTraffic.Recorder;
import static io.sluice.systemtest.AuthTraffic.Windows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 23's proof against a real daemon process (the shaded jar, journal on, tumbling windows and one alert rule,
 * credentials written by {@code sluice auth add-client}): three Java clients, A (send), B (send, subscribe) and C
 * (send, query, admin), each with its own embedded driver and response channel, and an {@link AuthIntruder} of raw
 * Aeron publications and SBE codecs on a driver of its own.
 * <ul>
 *     <li>the intruder's events, batch and query under A's id without a handshake change nothing and count
 *     {@code UNAUTHENTICATED}; its wrong proof and its replay of a proof made for an earlier challenge are answered
 *     {@code AUTHENTICATION_FAILED}; its brute force is slowed down after the host's third failure (the rest refused
 *     unchecked and unanswered); it receives nothing on the shared egress channel, and A's response endpoint cannot
 *     be bound a second time;</li>
 *     <li>A's and B's events are answered exactly once, with the aggregates a plain reference computes from the raw
 *     events; B alone gets the window results and alerts, exactly those the events imply;</li>
 *     <li>only C's SNAPSHOT is carried out;</li>
 *     <li>a reload that takes B's subscribe stops its window results; one that removes A ends A's session;
 *     {@code sluice journal} lists the three credential versions;</li>
 *     <li>after SIGTERM and a restart with the same file and journal, B and C re-authenticate by themselves, resume
 *     with nothing to resend, and their next events continue the recovered windows exactly.</li>
 * </ul>
 */
class AuthSystemTest
{
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;
    private static final long CLOSER_1 = T0 + 30_000 * MS;
    private static final long CLOSER_2 = T0 + 60_000 * MS;
    private static final long PHASE_R = T0 + 90_000 * MS;
    private static final long WINDOW_NS = 100 * MS;
    private static final int N = 2_000;
    private static final int R = 550;
    private static final double THRESHOLD = 20;
    private static final int BRUTE_FORCE = 20;
    private static final Pattern SECRET = Pattern.compile("^secret ([0-9a-f]{64})\n");

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-auth-" + System.nanoTime());
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Windows reference = new Windows(WINDOW_NS);
    private final List<Recorder> recorders = new ArrayList<>();
    private AuthIntruder intruder;
    private String driverDir;

    @AfterEach
    void tearDown() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            closeables.get(i).close();
        }
        processes.forEach(Process::destroyForcibly);
        for (final Process process : processes)
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        IoUtil.delete(dir.toFile(), true);
    }

    @Test
    @Timeout(240)
    void shouldLetOnlyAuthenticatedClientsSendAndSeeWhatTheirPermissionsAllowAcrossReloadsAndARestart()
        throws Exception
    {
        Files.createDirectories(dir);
        final Path credentials = dir.resolve("credentials");
        final String secretA = addClient(credentials, 101, "send");
        final String secretB = addClient(credentials, 102, "send,subscribe");
        final String secretC = addClient(credentials, 103, "send,query,admin");
        final Path configFile = writeConfig(credentials);
        final SluiceConfig config = SluiceConfig.load(configFile, new Properties());
        driverDir = config.driverDir();
        final List<String> command = CrashRecoverySystemTest.daemonCommand(configFile);

        DaemonProcessSystemTest.Daemon daemon = start(command);
        assertNotNull(daemon.await("sluice: ready", 60), daemon.output());
        assertNotNull(daemon.await("  auth      on (3 clients from " + credentials + ", fingerprint ", 1),
            daemon.output());

        intruder = closing(new AuthIntruder(dir.resolve("intruder").toString(), config.ingressChannel(),
            config.ingressStreamId()));
        final String egress = SluiceMain.clientContextFor(config).egressChannel();
        assertNull(intruder.listen(egress, config.egressStreamId()), "the intruder joins the shared egress");

        final Recorder a = client(config, 101, secretA);
        final Recorder b = client(config, 102, secretB);
        final Recorder c = client(config, 103, secretC);
        assertEquals(Permission.SEND, a.client.permissions());
        assertEquals(Permission.SEND | Permission.SUBSCRIBE, b.client.permissions());
        assertEquals(Permission.SEND | Permission.QUERY | Permission.ADMIN, c.client.permissions());
        assertEquals(3, counter(SluiceCounters.AUTH_SUCCEEDED_TYPE_ID));
        assertEquals(3, counter(SluiceCounters.AUTH_SESSIONS_TYPE_ID));

        final String aChannel = a.client.subscription().tryResolveChannelEndpointPort();
        final String bound = intruder.listen(aChannel, config.egressStreamId());
        assertNotNull(bound, "A's response endpoint " + aChannel + " cannot be bound a second time");
        assertTrue(bound.contains("Address already in use"), bound);

        // 1. Under A's id without a handshake: three events on A's own keys, a batch and a query: none counts.
        for (int i = 0; i < 3; i++)
        {
            intruder.sendEvent(101, 1 + i, 1 + i, T0, 1000.0);
        }
        intruder.sendBatch(101, 4, new long[]{9001, 9002, 9003, 9004, 9005}, T0);
        intruder.sendQuery(101, 9, 1);
        await(() -> 5 == rejected("UNAUTHENTICATED"), "5 UNAUTHENTICATED");

        // A and B send N events each, interleaved; B closes the windows with one event per key 30 s of event time on.
        for (int i = 0; i < N; i++)
        {
            a.send(reference, 1 + i % 10, T0 + i * MS, ((i * 7) % 16) / 4.0);
            b.send(reference, 1001 + i % 10, T0 + i * MS, 1 + ((i * 5) % 16) / 4.0);
            if (0 == i % 50)
            {
                pollAll();
            }
        }
        awaitResults(a, N);
        awaitResults(b, N);
        for (int j = 0; j < 10; j++)
        {
            b.send(reference, 1 + j, CLOSER_1 + j * MS, 100);
            b.send(reference, 1001 + j, CLOSER_1 + (10 + j) * MS, 100);
        }
        awaitResults(b, N + 20);
        final List<String> windows = reference.windows(T0, CLOSER_1);
        final List<String> alerts = reference.alerts("hot", THRESHOLD, T0, CLOSER_1);
        assertEquals(400, windows.size(), "10 keys of A and 10 of B, 20 windows each");
        assertTrue(alerts.size() > 0 && alerts.size() < 400, alerts.size() + " alerts");
        await(() -> b.windows.size() >= 400 && b.alerts.size() >= alerts.size(), "B's window results and alerts");
        b.windows.sort(null);
        b.alerts.sort(null);
        assertEquals(windows, b.windows);
        assertEquals(alerts, b.alerts);
        assertEquals(400, total(SluiceCounters.WINDOWS_CLOSED_TYPE_ID));
        assertEquals(alerts.size(), total(SluiceCounters.ALERTS_FIRED_TYPE_ID));
        assertReadOnly(a, N);
        assertReadOnly(b, N + 20 + 400 + alerts.size());
        assertAnsweredExactlyOnce(a, b);

        // 2. Connect as A and a wrong proof; 3. a whole handshake replayed: the same Connect, then a proof that was
        // right for the earlier challenge; 4. brute force: the third failure slows the host down.
        final byte[] nonce = intruder.nonce();
        intruder.connect(101, nonce);
        final byte[] firstChallenge = intruder.challenge(101, 5_000);
        assertNotNull(firstChallenge);
        intruder.authenticate(101, intruder.randomProof());
        assertEquals("101 AUTHENTICATION_FAILED", intruder.rejected());
        final byte[] captured = AuthProof.proof(AuthProof.fromHex(secretA, AuthProof.SECRET_LENGTH), 101, nonce,
            firstChallenge, intruder.sessionId());
        assertTrue(AuthProof.verify(Credentials.read(credentials).client(101).storedKey(), 101, nonce, firstChallenge,
            intruder.sessionId(), captured), "a proof A would have sent for the first challenge");
        intruder.connect(101, nonce);
        assertNotNull(intruder.challenge(101, 5_000));
        intruder.authenticate(101, captured);
        assertEquals("101 AUTHENTICATION_FAILED", intruder.rejected());
        assertEquals(2, counter(SluiceCounters.AUTH_FAILED_TYPE_ID));
        int answered = 0;
        for (int i = 0; i < BRUTE_FORCE; i++)
        {
            final long before = counter(SluiceCounters.AUTH_FAILED_TYPE_ID) +
                counter(SluiceCounters.AUTH_THROTTLED_TYPE_ID);
            intruder.connect(101, intruder.nonce());
            final byte[] challenge = intruder.challenge(101, 300);
            if (null != challenge)
            {
                answered++;
                intruder.authenticate(101, intruder.randomProof());
                assertEquals("101 AUTHENTICATION_FAILED", intruder.rejected());
            }
            await(() -> counter(SluiceCounters.AUTH_FAILED_TYPE_ID) +
                counter(SluiceCounters.AUTH_THROTTLED_TYPE_ID) == before + 1, "attempt " + i + " counted");
        }
        assertEquals(1, answered, "only the first attempt was checked");
        assertEquals(3, counter(SluiceCounters.AUTH_FAILED_TYPE_ID));
        assertEquals(BRUTE_FORCE - 1, counter(SluiceCounters.AUTH_THROTTLED_TYPE_ID));
        assertEquals(3 + BRUTE_FORCE - 1, rejected("AUTHENTICATION_FAILED"));
        assertEquals(3, counter(SluiceCounters.AUTH_SUCCEEDED_TYPE_ID));
        assertEquals(3, counter(SluiceCounters.AUTH_SESSIONS_TYPE_ID), "A's own session untouched");

        // The admin alone takes a snapshot. A, B and C authenticated inside awaitConnected, which then needs no
        // connection probe (integrating.md), so nothing was refused NOT_PERMITTED before A's and B's requests.
        assertEquals("0 0 0", a.client.probesSent() + " " + b.client.probesSent() + " " + c.client.probesSent());
        final long probesRefused = 0;
        assertEquals(probesRefused, rejected("NOT_PERMITTED"));
        assertEquals(0, counter(SluiceCounters.SNAPSHOT_LAST_ID_TYPE_ID));
        final long aRequest = a.client.offerAdminRequest(AdminAction.SNAPSHOT, "");
        final long bRequest = b.client.offerAdminRequest(AdminAction.SNAPSHOT, "");
        await(() -> 1 == a.admin.size() && 1 == b.admin.size(), "A's and B's admin responses");
        assertEquals(aRequest + " SNAPSHOT NOT_PERMITTED client 101 lacks the admin permission", a.admin.get(0));
        assertEquals(bRequest + " SNAPSHOT NOT_PERMITTED client 102 lacks the admin permission", b.admin.get(0));
        Thread.sleep(500);
        assertEquals(probesRefused + 2, rejected("NOT_PERMITTED"));
        assertEquals(0, counter(SluiceCounters.SNAPSHOT_REQUEST_TYPE_ID));
        assertEquals(0, counter(SluiceCounters.SNAPSHOT_LAST_ID_TYPE_ID), "no snapshot for A or B");
        final long cRequest = c.client.offerAdminRequest(AdminAction.SNAPSHOT, "");
        await(() -> 1 == c.admin.size(), "C's admin response");
        assertEquals(cRequest + " SNAPSHOT OK snapshot requested", c.admin.get(0));
        await(() -> counter(SluiceCounters.SNAPSHOT_LAST_ID_TYPE_ID) > 0, "C's snapshot");
        final long queryId = c.client.offerQuery(9001);
        await(() -> 1 == c.queries.size(), "C's query");
        assertEquals(queryId + " key 9001 found false", c.queries.get(0), "the intruder's batch left no key");

        // A reload takes B's subscribe: the windows the next closers close (with alerts) go to no one.
        assertEquals("", tool("auth", "set-permissions", "--file", credentials.toString(), "--id", "102",
            "--permissions", "send").err());
        assertEquals("sluice auth: credentials version 2 in force\n", tool("auth", "reload", "--config",
            configFile.toString()).out());
        for (int j = 0; j < 10; j++)
        {
            b.send(reference, 1 + j, CLOSER_2 + j * MS, 100);
            b.send(reference, 1001 + j, CLOSER_2 + (10 + j) * MS, 100);
        }
        awaitResults(b, N + 40);
        await(() -> 420 == total(SluiceCounters.WINDOWS_CLOSED_TYPE_ID), "the first closers' windows closed");
        assertEquals(alerts.size() + 20, total(SluiceCounters.ALERTS_FIRED_TYPE_ID), "each closer window fired");
        Thread.sleep(300);
        pollAll();
        assertEquals(400, b.windows.size(), "no window result after B lost subscribe");
        assertEquals(alerts.size(), b.alerts.size(), "no alert after B lost subscribe");

        // A reload removes A: its session ends, its next handshake is refused.
        assertEquals("", tool("auth", "remove-client", "--file", credentials.toString(), "--id", "101").err());
        assertEquals("sluice auth: credentials version 3 in force\n", tool("auth", "reload", "--config",
            configFile.toString()).out());
        assertEquals(2, counter(SluiceCounters.AUTH_SESSIONS_TYPE_ID));
        final long unauthenticated = rejected("UNAUTHENTICATED");
        final long sent = a.client.offerEvent(1, T0 + 5_000 * MS, 1.0);
        a.client.flush();
        if (sent > 0)
        {
            await(() -> unauthenticated + 1 == rejected("UNAUTHENTICATED"), "A's event refused");
        }
        else
        {
            assertEquals(Publication.NOT_CONNECTED, sent);
        }
        recorders.remove(a);
        await(() -> 0 == a.client.subscription().imageCount(), "A's response image gone");
        final long throttled = counter(SluiceCounters.AUTH_THROTTLED_TYPE_ID);
        assertFalse(awaitConnected(a, TimeUnit.SECONDS.toNanos(1)), "A cannot authenticate any more");
        await(() -> throttled + 1 == counter(SluiceCounters.AUTH_THROTTLED_TYPE_ID), "A's Connect refused");
        assertEquals(3, counter(SluiceCounters.AUTH_SUCCEEDED_TYPE_ID));
        assertEquals(N, a.results.size(), "A got nothing more");
        closeables.remove(a.client);
        a.client.close();

        final String journal = tool("journal", "--config", configFile.toString()).out();
        assertTrue(journal.contains("  snapshots: 1 complete\n"), journal);
        assertTrue(journal.contains("  credential changes: 3\n"), journal);
        assertTrue(Pattern.compile("    version 1: at journal position \\d+, fingerprint [0-9a-f]{16}, 3 clients\n" +
            "    version 2: at journal position \\d+, fingerprint [0-9a-f]{16}, 3 clients\n" +
            "    version 3: at journal position \\d+, fingerprint [0-9a-f]{16}, 2 clients\n").matcher(journal).find(),
            journal);

        // B and C send; the daemon restarts (SIGTERM) mid-way; they re-authenticate and resume by themselves.
        sendPhaseR(b, c, 0, R);
        awaitResults(b, N + 40 + R);
        awaitResults(c, R);
        assertEquals(5 + (sent > 0 ? 1 : 0), rejected("UNAUTHENTICATED"));
        final long bProbes = b.client.probesSent();
        CrashRecoverySystemTest.stopCleanly(daemon);
        assertTrue(daemon.output().contains("sluice: SIGTERM received, draining"), daemon.output());
        daemon = start(command);
        assertNotNull(daemon.await("sluice: ready", 60), daemon.output());
        assertNotNull(daemon.await("  auth      on (2 clients from " + credentials + ", fingerprint ", 1),
            daemon.output());
        await(() -> 2 == b.client.authentications() && 2 == c.client.authentications(), "B and C re-authenticate");
        assertEquals(0, b.client.resume(b, TimeUnit.SECONDS.toNanos(20)), "B: nothing lost");
        assertEquals(0, c.client.resume(c, TimeUnit.SECONDS.toNanos(20)), "C: nothing lost");
        sendPhaseR(b, c, R, 2 * R);
        awaitResults(b, N + 40 + 2 * R);
        awaitResults(c, 2 * R);
        assertAnsweredExactlyOnce(b, c);
        assertEquals(List.of(), b.rejects);
        assertEquals(List.of(), c.rejects);
        assertEquals(List.of(), c.windows);
        assertEquals(List.of(), c.alerts);
        assertEquals(List.of(), a.windows);
        assertEquals(List.of(), a.alerts);
        assertEquals(List.of(), a.rejects);
        assertEquals("0 0 " + (b.client.probesSent() - bProbes) + " 0 0 2", rejected("UNAUTHENTICATED") + " " +
            rejected("AUTHENTICATION_FAILED") + " " + rejected("NOT_PERMITTED") + " " +
            counter(SluiceCounters.AUTH_FAILED_TYPE_ID) + " " + counter(SluiceCounters.AUTH_THROTTLED_TYPE_ID) + " " +
            counter(SluiceCounters.AUTH_SUCCEEDED_TYPE_ID), "the restarted daemon refused only B's probes\n" +
            daemon.output());

        intruder.pollListening();
        assertEquals(0, intruder.listenedFragments(), "the intruder read nothing on " + intruder.listened);
        assertEquals(0, intruder.listeningImages(), "no publication to join");
        CrashRecoverySystemTest.stopCleanly(daemon);
        assertTrue(daemon.output().contains("sluice: stopped after accepting "), daemon.output());
        System.out.printf("auth system test: %d results to A, %d to B, %d to C; %d window results and %d alerts to B; " +
            "%d probes of A and B refused NOT_PERMITTED before the restart, %d of B after%n", a.results.size(),
            b.results.size(), c.results.size(), b.windows.size(), b.alerts.size(), probesRefused,
            b.client.probesSent() - bProbes);
    }

    private void sendPhaseR(final Recorder b, final Recorder c, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            b.send(reference, 1001 + i % 10, PHASE_R + i * MS, ((i * 3) % 16) / 4.0);
            c.send(reference, 3001 + i % 10, PHASE_R + i * MS, ((i * 11) % 16) / 4.0);
            if (0 == i % 50)
            {
                pollAll();
            }
        }
    }

    private static void assertAnsweredExactlyOnce(final Recorder... clients)
    {
        for (final Recorder client : clients)
        {
            assertEquals(List.of(), client.duplicates, "client " + client.client.clientId());
            assertEquals(List.of(), client.foreign, "client " + client.client.clientId());
            assertEquals(client.expected, client.results, "client " + client.client.clientId());
        }
    }

    /**
     * What a client read from its response channel is its own: the messages it expects, plus at most the late
     * answers to its own connection probes (awaitConnected probes until the first answer, the rest come later;
     * none before a restart, when each handshake completed inside awaitConnected).
     */
    private static void assertReadOnly(final Recorder recorder, final long expected)
    {
        final long probes = recorder.client.probesSent();
        assertTrue(recorder.messagesRead >= expected && recorder.messagesRead <= expected + Math.max(0, probes - 1),
            "client " + recorder.client.clientId() + " read " + recorder.messagesRead + " messages: " + expected +
            " expected and " + probes + " probes sent");
    }

    private boolean awaitConnected(final Recorder recorder, final long timeoutNs)
    {
        try
        {
            return recorder.client.awaitConnected(timeoutNs);
        }
        catch (final SluiceAuthenticationException ex)
        {
            throw new AssertionError("the daemon answered a Connect of a removed client", ex);
        }
    }

    private Recorder client(final SluiceConfig config, final long clientId, final String secret)
    {
        final SluiceClient client = closing(SluiceClient.connect(SluiceMain.clientContextFor(config)
            .embeddedDriver(true)
            .driverThreading(DriverThreading.SHARED)
            .driverIdleStrategy(IdleStrategyType.SLEEPING)
            .clientId(clientId)
            .secret(secret)));
        final Recorder recorder = new Recorder(client);
        recorders.add(recorder);
        assertTrue(client.awaitConnected(TimeUnit.SECONDS.toNanos(20)), "client " + clientId + " connects");
        return recorder;
    }

    private void awaitResults(final Recorder recorder, final int count)
    {
        await(() -> recorder.results.size() + recorder.rejects.size() >= count,
            "client " + recorder.client.clientId() + ": " + count + " results");
        assertEquals(count, recorder.results.size(), "client " + recorder.client.clientId() + " " + recorder.rejects);
    }

    private void pollAll()
    {
        for (final Recorder recorder : recorders)
        {
            recorder.poll();
        }
        if (null != intruder)
        {
            intruder.pollListening();
        }
    }

    private void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out: " + what);
            pollAll();
            Thread.yield();
        }
    }

    private long rejected(final String reason)
    {
        return counterLabelled(SluiceCounters.REJECTED_TYPE_ID, "sluice rejected " + reason);
    }

    private long counter(final int typeId)
    {
        return counterLabelled(typeId, null);
    }

    private long total(final int typeId)
    {
        final long[] sum = {0};
        assertTrue(SluiceStat.read(driverDir, (reader) -> reader.forEach((id, type, key, label) ->
        {
            if (type == typeId)
            {
                sum[0] += reader.getCounterValue(id);
            }
        })));
        return sum[0];
    }

    private long counterLabelled(final int typeId, final String label)
    {
        final long[] value = {Long.MIN_VALUE};
        assertTrue(SluiceStat.read(driverDir, (reader) -> reader.forEach((id, type, key, text) ->
        {
            if (type == typeId && (null == label || label.equals(text)))
            {
                value[0] = reader.getCounterValue(id);
            }
        })));
        assertTrue(Long.MIN_VALUE != value[0], "counter " + typeId + " " + label);
        return value[0];
    }

    private <T extends AutoCloseable> T closing(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    private DaemonProcessSystemTest.Daemon start(final List<String> command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        return new DaemonProcessSystemTest.Daemon(process);
    }

    private Path writeConfig(final Path credentials) throws Exception
    {
        final Properties properties = new Properties();
        properties.setProperty(SluiceConfig.THREADING, "shared");
        properties.setProperty(SluiceConfig.PROCESSOR_COUNT, "2");
        properties.setProperty(SluiceConfig.DRIVER_MODE, "embedded");
        properties.setProperty(SluiceConfig.DRIVER_THREADING, "invoker");
        properties.setProperty(SluiceConfig.INGRESS_IDLE_STRATEGY, "backoff");
        properties.setProperty(SluiceConfig.PROCESSOR_WAIT_STRATEGY, "sleeping");
        properties.setProperty(SluiceConfig.RING_LENGTH, "16384");
        properties.setProperty(SluiceConfig.STATE_CAPACITY, "4096");
        properties.setProperty("aeron.term.buffer.length", "1m");
        properties.setProperty("aeron.ipc.term.buffer.length", "1m");
        properties.setProperty(SluiceConfig.DRIVER_DIR, dir.resolve("driver").toString());
        properties.setProperty(SluiceConfig.JOURNAL_MODE, "sync");
        properties.setProperty(SluiceConfig.JOURNAL_DIR, dir.resolve("journal").toString());
        properties.setProperty(SluiceConfig.INGRESS_CHANNEL, "aeron:udp?endpoint=localhost:" +
            TestDaemon.freeUdpPort());
        properties.setProperty(SluiceConfig.EGRESS_CHANNEL, "aeron:udp?control=localhost:" +
            TestDaemon.freeUdpPort() + "|control-mode=dynamic|fc=min,t:5s");
        properties.setProperty(SluiceConfig.WINDOW_TYPE, "tumbling");
        properties.setProperty(SluiceConfig.WINDOW_SIZE, "100ms");
        properties.setProperty(SluiceConfig.WINDOW_ALLOWED_LATENESS, "10s");
        properties.setProperty("sluice.alert.hot.on", "window");
        properties.setProperty("sluice.alert.hot.field", "sum");
        properties.setProperty("sluice.alert.hot.op", ">");
        properties.setProperty("sluice.alert.hot.threshold", Double.toString(THRESHOLD));
        properties.setProperty(SluiceConfig.AUTH_FILE, credentials.toString());
        properties.setProperty(SluiceConfig.AUTH_FAILURE_DELAY, "600s");
        properties.setProperty(SluiceConfig.REJECT_LOG_INTERVAL, "100ms");
        final Path file = dir.resolve("daemon.properties");
        try (OutputStream out = Files.newOutputStream(file))
        {
            properties.store(out, "AuthSystemTest");
        }
        return file;
    }

    private static String addClient(final Path credentials, final long id, final String permissions)
    {
        final ToolRun run = tool("auth", "add-client", "--file", credentials.toString(), "--id", Long.toString(id),
            "--permissions", permissions);
        assertEquals(0, run.exit(), run.err());
        final Matcher secret = SECRET.matcher(run.out());
        assertTrue(secret.lookingAt(), run.out());
        return secret.group(1);
    }

    /**
     * A {@code sluice} command in this JVM that must succeed.
     */
    private static ToolRun tool(final String... args)
    {
        final ToolRun run = ToolRun.of(args);
        assertEquals(0, run.exit(), String.join(" ", args) + ": " + run);
        return run;
    }
}
