package io.sluice.systemtest;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.AdminRequestType;
import io.aeron.cluster.codecs.AdminResponseCode;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.aeron.security.AuthenticationException;
import io.aeron.security.CredentialsSupplier;
import io.sluice.core.RejectReason;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.ClusterCredentials;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.cluster.LocalCluster;
import io.sluice.transport.codec.AdminAction;
import io.sluice.transport.codec.AdminRequestEncoder;
import io.sluice.transport.codec.AdminResponseDecoder;
import io.sluice.transport.codec.AdminStatus;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryEncoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authentication on a three-node cluster ({@code sluice.auth.file}): plain {@link AeronCluster} clients with a
 * {@link CredentialsSupplier} built here from {@link ClusterCredentials} and {@link AuthProof}, as the Java client's:
 * <ul>
 *     <li>a wrong secret does not connect ({@link AuthenticationException}) and is counted on the leader;</li>
 *     <li>an authenticated sender's events are answered; an alert reaches only the session with {@code subscribe};</li>
 *     <li>a message naming another client's id is refused {@code UNAUTHENTICATED} on the session it came on, a query
 *     without {@code query} {@code NOT_PERMITTED}, and neither reaches the other client;</li>
 *     <li>Aeron's admin request for a snapshot is refused to a client without {@code admin} and taken for one with
 *     it (every member prints the snapshot); Sluice's AdminRequest RELOAD_CREDENTIALS needs {@code admin}.</li>
 * </ul>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterAuthSystemTest extends ClusterTestSupport
{
    private static final long SENDER = 11;
    private static final long SUBSCRIBER = 12;
    private static final long ADMIN = 13;
    private static final long LATE = 14;
    private static final long KEY = 5;

    private final SecureRandom random = new SecureRandom();
    private final byte[] senderSecret = AuthProof.newSecret(random);
    private final byte[] subscriberSecret = AuthProof.newSecret(random);
    private final byte[] adminSecret = AuthProof.newSecret(random);
    private MediaDriver driver;

    @Test
    void shouldAuthenticateAndEnforcePermissionsOnEveryMessage() throws Exception
    {
        final Path credentials = Files.createTempFile("sluice-cluster-auth", ".credentials");
        resources.add(() -> Files.deleteIfExists(credentials));
        Files.writeString(credentials, String.join("\n",
            "# test clients",
            SENDER + " " + AuthProof.toHex(AuthProof.storedKey(senderSecret)) + " send,query",
            SUBSCRIBER + " " + AuthProof.toHex(AuthProof.storedKey(subscriberSecret)) + " send,subscribe",
            ADMIN + " " + AuthProof.toHex(AuthProof.storedKey(adminSecret)) + " send,admin", ""));
        final LocalCluster cluster = cluster(21620, String.join("\n",
            "sluice.auth.file=" + credentials,
            "sluice.alert.hot.on=event", "sluice.alert.hot.field=value", "sluice.alert.hot.op=>",
            "sluice.alert.hot.threshold=100", ""));
        cluster.startAll();
        final int leader = cluster.awaitLeader(SECONDS_60);
        assertTrue(cluster.log(leader, 0).contains("  auth      3 clients from " + credentials), cluster.log(leader, 0));
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(io.sluice.config.SluiceConfig.sharedMemoryDir() + "/sluice-cluster-auth-test-" +
                ProcessHandle.current().pid())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        resources.add(driver);

        final AuthenticationException refused = assertThrows(AuthenticationException.class,
            () -> connect(cluster, SENDER, subscriberSecret, new Listener()));
        assertTrue(refused.getMessage().contains("session failed authentication"), refused.getMessage());
        assertEquals(1, cluster.counter(leader, SluiceCounters.CLUSTER_AUTH_FAILED_TYPE_ID));

        final Listener senderOut = new Listener();
        final Listener subscriberOut = new Listener();
        final Listener adminOut = new Listener();
        final AeronCluster sender = connect(cluster, SENDER, senderSecret, senderOut);
        final AeronCluster subscriber = connect(cluster, SUBSCRIBER, subscriberSecret, subscriberOut);
        final AeronCluster admin = connect(cluster, ADMIN, adminSecret, adminOut);
        assertEquals(3, cluster.counter(leader, SluiceCounters.CLUSTER_AUTH_OK_TYPE_ID));

        offer(sender, event(SENDER, 1, 200));
        await(() -> 1 == senderOut.results.size(), sender, subscriber, admin);
        offer(subscriber, event(SUBSCRIBER, 1, 300));
        await(() -> 1 == subscriberOut.results.size() && 2 == subscriberOut.alerts.size(), sender, subscriber, admin);
        assertEquals(List.of("11/1 count 1", "12/1 count 2"), List.of(senderOut.results.get(0),
            subscriberOut.results.get(0)));

        offer(sender, event(SUBSCRIBER, 2, 400));
        offer(subscriber, query(SUBSCRIBER, 3));
        offer(sender, query(SENDER, 4));
        await(() -> 1 == senderOut.queries.size() && 1 == subscriberOut.rejects.size(), sender, subscriber, admin);
        assertEquals(List.of("12/2 reason " + RejectReason.UNAUTHENTICATED), senderOut.rejects,
            "refused on the session it came on, naming the id it carried");
        assertEquals(List.of("12/3 reason " + RejectReason.NOT_PERMITTED), subscriberOut.rejects);
        assertEquals(List.of("11/4 count 2"), senderOut.queries, "the refused event changed nothing");
        assertEquals(0, senderOut.alerts.size(), "no subscribe: no alert");
        assertEquals(2, subscriberOut.alerts.size());
        assertEquals(1, subscriberOut.results.size(), "nothing of another's message");

        assertTrue(sender.sendAdminRequestToTakeASnapshot(1));
        await(() -> 1 == senderOut.adminResponses.size(), sender, subscriber, admin);
        assertEquals(List.of("SNAPSHOT " + AdminResponseCode.UNAUTHORISED_ACCESS), senderOut.adminResponses);
        assertTrue(admin.sendAdminRequestToTakeASnapshot(2));
        await(() -> 1 == adminOut.adminResponses.size(), sender, subscriber, admin);
        assertEquals(List.of("SNAPSHOT " + AdminResponseCode.OK), adminOut.adminResponses);
        for (int member = 0; member < 3; member++)
        {
            final int m = member;
            await(() -> cluster.log(m, 0).contains("sluice: cluster snapshot at log position"), sender, subscriber,
                admin);
        }

        offer(sender, adminRequest(SENDER, 5, AdminAction.RELOAD_CREDENTIALS));
        offer(admin, adminRequest(ADMIN, 6, AdminAction.RELOAD_CREDENTIALS));
        offer(admin, adminRequest(ADMIN, 7, AdminAction.SHUTDOWN));
        await(() -> 2 == senderOut.rejects.size() && 2 == adminOut.sluiceAdmin.size(), sender, subscriber, admin);
        assertEquals("11/5 reason " + RejectReason.NOT_PERMITTED, senderOut.rejects.get(1));
        assertEquals("13/6 RELOAD_CREDENTIALS OK credentials reloaded from " + credentials + ": 3 clients",
            adminOut.sluiceAdmin.get(0));
        assertTrue(adminOut.sluiceAdmin.get(1).startsWith("13/7 SHUTDOWN FAILED on a cluster use sluice " +
            "cluster-shutdown"), adminOut.sluiceAdmin.get(1));

        // SIGHUP: every node re-reads the file; a client added to it connects
        final byte[] lateSecret = AuthProof.newSecret(random);
        Files.writeString(credentials, LATE + " " + AuthProof.toHex(AuthProof.storedKey(lateSecret)) + " send\n",
            java.nio.file.StandardOpenOption.APPEND);
        final long[] logFrom = new long[3];
        for (int member = 0; member < 3; member++)
        {
            logFrom[member] = cluster.log(member, 0).length();
            assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(cluster.process(member).pid()))
                .start().waitFor());
        }
        for (int member = 0; member < 3; member++)
        {
            final int m = member;
            await(() -> cluster.log(m, logFrom[m]).contains("sluice: SIGHUP: credentials reloaded from " +
                credentials + ": 4 clients (open sessions keep theirs)"), sender, subscriber, admin);
        }
        final Listener lateOut = new Listener();
        final AeronCluster late = connect(cluster, LATE, lateSecret, lateOut);
        offer(late, event(LATE, 1, 1));
        await(() -> 1 == lateOut.results.size(), sender, subscriber, admin, late);
        assertEquals("14/1 count 3", lateOut.results.get(0));
        late.close();

        // a follower restarted from a snapshot decides as the others: the principals come back with the sessions
        final long[] before = cluster.snapshotDigests(SECONDS_60);
        assertEquals(before[0], before[1]);
        assertEquals(before[0], before[2]);
        final int follower = (leader + 1) % 3;
        cluster.kill(follower);
        cluster.start(follower);
        await(() -> cluster.log(follower, 0).contains("sluice: restored cluster snapshot of log position " +
            before[3]), sender, subscriber, admin);
        offer(sender, event(SUBSCRIBER, 8, 500));
        offer(sender, event(SENDER, 9, 50));
        await(() -> 3 == senderOut.rejects.size() && 2 == senderOut.results.size(), sender, subscriber, admin);
        assertEquals("12/8 reason " + RejectReason.UNAUTHENTICATED, senderOut.rejects.get(2));
        assertEquals("11/9 count 4", senderOut.results.get(1));
        final long[] after = cluster.snapshotDigests(SECONDS_60);
        assertTrue(before[0] != after[0]);
        assertEquals(after[0], after[1], "a member that lost the principals would have applied event 12/8");
        assertEquals(after[0], after[2]);

        // a new leader: the service still has every principal, Aeron's consensus module has none for open sessions
        cluster.kill(leader);
        final int newLeader = cluster.awaitLeader(SECONDS_60);
        assertTrue(newLeader != leader && newLeader >= 0);
        await(() -> senderOut.newLeaders > 0 && adminOut.newLeaders > 0 && subscriberOut.newLeaders > 0, sender,
            subscriber, admin);
        offer(sender, event(SUBSCRIBER, 10, 600));
        offer(sender, event(SENDER, 11, 60));
        await(() -> 4 == senderOut.rejects.size() && 3 == senderOut.results.size(), sender, subscriber, admin);
        assertEquals("12/10 reason " + RejectReason.UNAUTHENTICATED, senderOut.rejects.get(3));
        assertEquals("11/11 count 5", senderOut.results.get(2));
        assertTrue(admin.sendAdminRequestToTakeASnapshot(3));
        await(() -> 2 == adminOut.adminResponses.size(), sender, subscriber, admin);
        assertEquals("SNAPSHOT " + AdminResponseCode.UNAUTHORISED_ACCESS, adminOut.adminResponses.get(1),
            "Aeron 1.51 keeps no principal for a session it did not authenticate itself");
        final Listener againOut = new Listener();
        final AeronCluster again = connect(cluster, ADMIN, adminSecret, againOut);
        assertTrue(again.sendAdminRequestToTakeASnapshot(4));
        await(() -> 1 == againOut.adminResponses.size(), sender, subscriber, admin, again);
        assertEquals(List.of("SNAPSHOT " + AdminResponseCode.OK), againOut.adminResponses, "after reconnecting");
        assertEquals(2, subscriberOut.alerts.size(), "the refused events raised no alert");
        CloseHelper.closeAll(again, sender, subscriber, admin);
    }

    private AeronCluster connect(final LocalCluster cluster, final long clientId, final byte[] secret,
        final Listener listener)
    {
        final AeronCluster client = AeronCluster.connect(new AeronCluster.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .ingressChannel("aeron:udp")
            .ingressEndpoints(cluster.ingressEndpoints())
            .egressChannel("aeron:udp?endpoint=localhost:0")
            .egressListener(listener)
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(20))
            .credentialsSupplier(new Credentials(clientId, secret)));
        resources.add(client);
        return client;
    }

    private static void offer(final AeronCluster client, final UnsafeBuffer message)
    {
        final long deadlineNs = System.nanoTime() + SECONDS_60;
        while (client.offer(message, 0, message.capacity()) < 0)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "offer");
            client.pollEgress();
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static void await(final BooleanSupplier condition, final AeronCluster... clients)
    {
        final long deadlineNs = System.nanoTime() + SECONDS_60;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "timed out waiting for " + condition);
            int work = 0;
            for (final AeronCluster client : clients)
            {
                work += client.pollEgress();
                client.sendKeepAlive();
            }
            if (0 == work)
            {
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private static UnsafeBuffer event(final long clientId, final long correlationId, final double value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH +
            EventEncoder.BLOCK_LENGTH]);
        new EventEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clientId(clientId).correlationId(correlationId).key(KEY).timestamp(BASE_TIME_NS + correlationId)
            .value(value);
        return buffer;
    }

    private static UnsafeBuffer query(final long clientId, final long correlationId)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH +
            QueryEncoder.BLOCK_LENGTH]);
        new QueryEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clientId(clientId).correlationId(correlationId).key(KEY);
        return buffer;
    }

    private static UnsafeBuffer adminRequest(final long clientId, final long correlationId, final AdminAction action)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        final AdminRequestEncoder encoder = new AdminRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clientId(clientId).correlationId(correlationId).action(action).payload("");
        return new UnsafeBuffer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * The client's side of the handshake, as a {@link CredentialsSupplier}.
     */
    static final class Credentials implements CredentialsSupplier
    {
        private final long clientId;
        private final byte[] secret;
        private final byte[] clientNonce = AuthProof.newNonce(new SecureRandom());

        Credentials(final long clientId, final byte[] secret)
        {
            this.clientId = clientId;
            this.secret = secret;
        }

        public byte[] encodedCredentials()
        {
            return ClusterCredentials.credentials(clientId, clientNonce);
        }

        public byte[] onChallenge(final byte[] encodedChallenge)
        {
            return ClusterCredentials.response(clientId, AuthProof.proof(secret, clientId, clientNonce,
                ClusterCredentials.serverNonce(encodedChallenge), ClusterCredentials.sessionId(encodedChallenge)));
        }
    }

    /**
     * Keeps what one session receives, as text.
     */
    static final class Listener implements EgressListener
    {
        final List<String> results = new ArrayList<>();
        final List<String> queries = new ArrayList<>();
        final List<String> rejects = new ArrayList<>();
        final List<String> alerts = new ArrayList<>();
        final List<String> adminResponses = new ArrayList<>();
        final List<String> sluiceAdmin = new ArrayList<>();
        int newLeaders;
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final EventResultDecoder result = new EventResultDecoder();
        private final QueryResultDecoder query = new QueryResultDecoder();
        private final RejectedDecoder rejected = new RejectedDecoder();
        private final AlertDecoder alert = new AlertDecoder();
        private final AdminResponseDecoder adminResponse = new AdminResponseDecoder();

        public void onMessage(final long clusterSessionId, final long timestamp, final DirectBuffer buffer,
            final int offset, final int length, final Header frame)
        {
            header.wrap(buffer, offset);
            switch (header.templateId())
            {
                case EventResultDecoder.TEMPLATE_ID -> results.add(describe(
                    result.wrapAndApplyHeader(buffer, offset, header).clientId(), result.correlationId(),
                    "count " + result.count()));
                case QueryResultDecoder.TEMPLATE_ID -> queries.add(describe(
                    query.wrapAndApplyHeader(buffer, offset, header).clientId(), query.correlationId(),
                    "count " + query.openCount()));
                case RejectedDecoder.TEMPLATE_ID -> rejects.add(describe(
                    rejected.wrapAndApplyHeader(buffer, offset, header).clientId(), rejected.correlationId(),
                    "reason " + rejected.reasonRaw()));
                case AlertDecoder.TEMPLATE_ID -> alerts.add("key " + alert.wrapAndApplyHeader(buffer, offset, header)
                    .key());
                case AdminResponseDecoder.TEMPLATE_ID ->
                {
                    adminResponse.wrapAndApplyHeader(buffer, offset, header);
                    final long clientId = adminResponse.clientId();
                    final long correlationId = adminResponse.correlationId();
                    final AdminAction action = adminResponse.action();
                    final AdminStatus status = adminResponse.status();
                    sluiceAdmin.add(describe(clientId, correlationId, action + " " + status + " " +
                        adminResponse.message()));
                }
                default -> results.add("template " + header.templateId());
            }
        }

        public void onNewLeader(final long clusterSessionId, final long leadershipTermId, final int leaderMemberId,
            final String ingressEndpoints)
        {
            newLeaders++;
        }

        public void onAdminResponse(final long clusterSessionId, final long correlationId,
            final AdminRequestType requestType, final AdminResponseCode responseCode, final String message,
            final DirectBuffer payload, final int payloadOffset, final int payloadLength)
        {
            adminResponses.add(requestType + " " + responseCode);
        }

        private static String describe(final long clientId, final long correlationId, final String what)
        {
            return clientId + "/" + correlationId + " " + what;
        }
    }
}
