package io.sluice.server.cluster;

import io.sluice.config.AlertRule;
import io.sluice.core.alert.AlertRules;
import io.sluice.server.rules.RuleRequests;
import io.sluice.transport.codec.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster's live rule change without a cluster: the request a follower refuses, the leader's service message
 * and its re-offers, the copies every other member offers (Aeron's count of service messages), and the version gate
 * every member applies in log order (a copy of a change in force, or one that skips a version, changes nothing).
 */
class ClusterRuleSwapTest
{
    private static final long MS = 1_000_000L;
    private static final List<AlertRule> HOT = List.of(
        new AlertRule("hot", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.GT, 100));
    private static final List<AlertRule> COLD = List.of(
        new AlertRule("cold", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.LT, -5),
        new AlertRule("hot", 1, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.GE, 250));

    @TempDir
    Path dir;

    private final List<Throwable> errors = new ArrayList<>();

    @Test
    void shouldRefuseARequestOnAFollowerNamingTheLeader() throws Exception
    {
        final Member follower = new Member(dir.resolve("m2"));
        RuleRequests.write(RuleRequests.requestFile(follower.dir, 77), HOT);
        follower.request.set(77);

        assertEquals(0, follower.swap.doBackgroundWork(0, false, 2, -1), "waits until the log named the leader");
        assertEquals(77, follower.request.get());
        assertEquals(1, follower.swap.doBackgroundWork(0, false, 2, 0));

        assertEquals(-77, follower.result.get());
        assertEquals(0, follower.request.get());
        assertEquals("cluster member 2 is a follower: run sluice rules apply on the leader's host (member 0)",
            Files.readString(RuleRequests.refusalFile(follower.dir, 77)).trim());
        assertTrue(RuleRequests.isNotLeader(Files.readString(RuleRequests.refusalFile(follower.dir, 77)).trim()));
        assertFalse(Files.exists(RuleRequests.requestFile(follower.dir, 77)));
        assertFalse(follower.swap.needsOffer());
        assertEquals(0, follower.swap.doBackgroundWork(1, false, 2, 0), "a request is answered once");
    }

    @Test
    void shouldRefuseABadRuleOnTheLeaderNamingTheKey() throws Exception
    {
        final Member leader = new Member(dir.resolve("m0"));
        Files.writeString(RuleRequests.requestFile(leader.dir, 5), "sluice.alert.hot.on=event\n" +
            "sluice.alert.hot.field=value\nsluice.alert.hot.op=>>\nsluice.alert.hot.threshold=1\n");
        leader.request.set(5);

        assertEquals(1, leader.swap.doBackgroundWork(0, true, 0, 0));

        assertEquals(-5, leader.result.get());
        assertTrue(Files.readString(RuleRequests.refusalFile(leader.dir, 5)).contains("sluice.alert.hot.op"),
            Files.readString(RuleRequests.refusalFile(leader.dir, 5)));
        assertFalse(leader.swap.needsOffer());
    }

    @Test
    void shouldApplyTheLeadersChangeOnEveryMemberOnceAtItsLogPosition() throws Exception
    {
        final Member leader = new Member(dir.resolve("m0"));
        final Member follower = new Member(dir.resolve("m1"));
        RuleRequests.write(RuleRequests.requestFile(leader.dir, 41), COLD);
        leader.request.set(41);
        assertEquals(1, leader.swap.doBackgroundWork(1000 * MS, true, 0, 0));
        assertTrue(leader.swap.needsOffer());
        assertFalse(Files.exists(RuleRequests.requestFile(leader.dir, 41)), "the file is read once");

        final List<byte[]> log = new ArrayList<>();
        final ClusterRuleSwap.Offer offer = (buffer, offset, length) ->
        {
            final byte[] message = new byte[length];
            buffer.getBytes(offset, message);
            log.add(message);
            return 1024L * log.size();
        };
        assertTrue(leader.swap.offerPending(offer));
        assertFalse(leader.swap.offerPending(offer), "not again within the re-offer interval");
        leader.swap.doBackgroundWork(1199 * MS, true, 0, 0);
        assertFalse(leader.swap.offerPending(offer));
        leader.swap.doBackgroundWork(1200 * MS, true, 0, 0);
        assertTrue(leader.swap.offerPending(offer), "offered again: the first copy may have been lost");
        assertEquals(2, log.size());

        // a copy of a message from a client is never taken for a change
        final UnsafeBuffer client = new UnsafeBuffer(new byte[64]);
        new MessageHeaderEncoder().wrap(client, 0).blockLength(24).templateId(1).schemaId(MessageHeaderEncoder.SCHEMA_ID)
            .version(MessageHeaderEncoder.SCHEMA_VERSION);
        assertFalse(ClusterRuleSwap.isRulesChange(client, 0, client.capacity()));
        assertFalse(ClusterRuleSwap.isRulesChange(new UnsafeBuffer(log.get(0)), 0, log.get(0).length - 1));

        for (final Member member : List.of(leader, follower))
        {
            assertTrue(member.deliver(log.get(0), 5000));
            assertTrue(member.deliver(log.get(1), 6000), "the copy is a rules change, ignored");
            assertEquals(List.of("1@" + COLD), member.applied, "applied once, the copy ignored");
            assertEquals(1, member.version.get());
            assertEquals(5000, member.position.get());
            assertEquals(1, member.swap.configVersion());
        }
        // every member offers a copy of each change it saw and did not offer (Aeron's count of service messages)
        assertFalse(leader.swap.needsOffer(), "the leader offered both copies it saw");
        assertTrue(follower.swap.needsOffer());
        final List<byte[]> copies = new ArrayList<>();
        assertFalse(follower.swap.offer((buffer, offset, length) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            copies.add(copy);
            return 64;
        }, false));
        assertEquals(2, copies.size());
        assertArrayEquals(log.get(1), copies.get(0));
        assertFalse(follower.swap.needsOffer());
        assertEquals(1, follower.swap.configVersion(), "copies change nothing");
        assertEquals(41, leader.result.get());
        assertEquals(0, leader.request.get());
        assertFalse(leader.swap.needsOffer());
        assertEquals(0, follower.result.get(), "the follower held no request");
        leader.swap.doBackgroundWork(2000 * MS, true, 0, 0);
        assertFalse(leader.swap.offerPending(offer), "nothing pending after it is in force");

        // the next request is version 2; a message that skips a version changes nothing
        RuleRequests.write(RuleRequests.requestFile(leader.dir, 42), HOT);
        leader.request.set(42);
        leader.swap.doBackgroundWork(3000 * MS, true, 0, 0);
        assertTrue(leader.swap.offerPending(offer));
        final byte[] skipping = log.get(2).clone();
        new UnsafeBuffer(skipping).putLong(16, 3, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertTrue(follower.deliver(skipping, 7000));
        assertEquals(1, follower.swap.configVersion());
        assertTrue(follower.deliver(log.get(2), 8000));
        assertEquals(List.of("1@" + COLD, "2@" + HOT), follower.applied);
        assertEquals(8000, follower.position.get());
    }

    @Test
    void shouldWithdrawAPendingRequestTheToolGaveUp() throws Exception
    {
        final Member leader = new Member(dir.resolve("m0"));
        RuleRequests.write(RuleRequests.requestFile(leader.dir, 9), HOT);
        leader.request.set(9);
        leader.swap.doBackgroundWork(0, true, 0, 0);
        assertTrue(leader.swap.needsOffer());
        leader.request.set(0);
        leader.swap.doBackgroundWork(1, true, 0, 0);
        assertFalse(leader.swap.needsOffer());
        assertEquals(0, leader.result.get());
    }

    @Test
    void shouldRefuseAPendingRequestNotInForceBeforeTheTimeout() throws Exception
    {
        final Member leader = new Member(dir.resolve("m0"));
        RuleRequests.write(RuleRequests.requestFile(leader.dir, 9), HOT);
        leader.request.set(9);
        leader.swap.doBackgroundWork(0, true, 0, 0);
        assertEquals(0, leader.swap.doBackgroundWork(ClusterRuleSwap.REQUEST_TIMEOUT_NS, true, 0, 0));
        assertEquals(1, leader.swap.doBackgroundWork(ClusterRuleSwap.REQUEST_TIMEOUT_NS + 1, true, 0, 0));
        assertEquals(-9, leader.result.get());
        assertFalse(leader.swap.needsOffer());
    }

    private final class Member
    {
        final Path dir;
        final AtomicCounter request;
        final AtomicCounter result;
        final AtomicCounter version;
        final AtomicCounter position;
        final ClusterRuleSwap swap;
        final List<String> applied = new ArrayList<>();

        Member(final Path dir) throws Exception
        {
            this.dir = Files.createDirectories(dir);
            final CountersManager counters = new CountersManager(
                new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)),
                new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 1024)));
            request = counters.newCounter("request");
            result = counters.newCounter("result");
            version = counters.newCounter("version");
            position = counters.newCounter("position");
            swap = new ClusterRuleSwap(dir, false, request, result, version, position, errors::add,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        }

        boolean deliver(final byte[] message, final long logPosition)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[message.length + 16]);
            buffer.putBytes(16, message);
            return swap.onServiceMessage(buffer, 16, message.length, logPosition, this::apply);
        }

        private void apply(final long setVersion, final DirectBuffer encoded, final int length)
        {
            applied.add(setVersion + "@" + AlertRules.decode(encoded, length));
        }
    }
}
