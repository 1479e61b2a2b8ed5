package io.sluice.core.alert;

import io.sluice.config.AlertRule;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.ring.RingEntry;
import io.sluice.core.state.Aggregate;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One processor's alert rules, split by when they are tested and flattened into arrays for the per-event path, and
 * the staging of a live change: the RULES entries of a new set ({@link #onRulesEntry(RingEntry)}) are copied into
 * pre-allocated storage as they come, and at the set's last entry the new rules are decoded into the spare half
 * of a double buffer and take the place of the old, between two events, without allocating. With no rules of a
 * kind the test is a loop over an empty range.
 * <p>
 * A rule set travels encoded (at most {@link #MAX_RULES} rules, {@link #MAX_ENCODED_LENGTH} bytes), split into
 * {@link RingEntry#RULES_PAYLOAD_LENGTH}-byte chunks, one per RULES entry:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+
 *  |          Rule count           |  0  then, for each rule in name order (its index):
 *  +---------------+---------------+---------------+---------------+
 *  |  On ordinal   | Field ordinal |  Op ordinal   |  Name length  |
 *  +---------------+---------------+---------------+---------------+
 *  |                  Threshold, IEEE 754 double (64 bits)          |
 *  +---------------------------------------------------------------+
 *  |                   Name, US-ASCII, name length bytes          ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Processor thread only, but for the constructor and the control-path reads ({@link #rules()}, {@link #version()})
 * made while the processor does not run.
 */
public final class AlertRules
{
    /** Most rules in one set. */
    public static final int MAX_RULES = AlertRule.MAX_RULES;
    /** Longest rule name, bytes (as {@link AlertRule} allows). */
    public static final int MAX_NAME_LENGTH = 64;
    /** Bytes of one rule's fixed part in an encoded set. */
    static final int RULE_HEADER_LENGTH = 12;
    /** Most bytes of an encoded set. */
    public static final int MAX_ENCODED_LENGTH = 2 + MAX_RULES * (RULE_HEADER_LENGTH + MAX_NAME_LENGTH);
    /** Most RULES entries one set takes. */
    public static final int MAX_CHUNKS =
        (MAX_ENCODED_LENGTH + RingEntry.RULES_PAYLOAD_LENGTH - 1) / RingEntry.RULES_PAYLOAD_LENGTH;

    private static final AlertRule.On[] ONS = AlertRule.On.values();
    private static final AlertRule.Field[] FIELDS = AlertRule.Field.values();
    private static final AlertRule.Op[] OPS = AlertRule.Op.values();

    private static boolean warmedUp;

    private final UnsafeBuffer staging =
        new UnsafeBuffer(new byte[MAX_CHUNKS * RingEntry.RULES_PAYLOAD_LENGTH]);
    private RuleSlot active = new RuleSlot();
    private RuleSlot spare = new RuleSlot();
    private long stagingVersion = -1;
    private int nextChunk = -1;

    /**
     * @param rules the configured rules, in name order: configuration version 0.
     * @throws IllegalArgumentException when there are more than {@link #MAX_RULES} rules.
     */
    public AlertRules(final List<AlertRule> rules)
    {
        final UnsafeBuffer encoded = new UnsafeBuffer(new byte[MAX_ENCODED_LENGTH]);
        final int length = encode(rules, encoded);
        if (!decode(encoded, length, active))
        {
            throw new IllegalStateException("the configured rules did not decode");
        }
    }

    /**
     * Run the staging and switch code until the JIT has compiled it, once per JVM (the daemon's start calls it
     * before its processors start): without it the first live change runs cold, interpreted code on every
     * processor and holds each for hundreds of microseconds; after it a switch takes well under a microsecond.
     * Allocates a little, on the start-up path only.
     *
     * @param swaps how many switches to run (the JIT compiles after some ten thousand calls).
     */
    public static synchronized void warmUp(final int swaps)
    {
        if (warmedUp)
        {
            return;
        }
        warmedUp = true;
        final AlertRule.On[] ons = AlertRule.On.values();
        final List<AlertRule> a = List.of(new AlertRule("warm-up-a", 0, ons[0], AlertRule.Field.VALUE,
            AlertRule.Op.GT, 1));
        final List<AlertRule> b = List.of(
            new AlertRule("warm-up-b", 0, ons[0], AlertRule.Field.SUM, AlertRule.Op.LE, 2),
            new AlertRule("warm-up-c", 1, ons[1], AlertRule.Field.MAX, AlertRule.Op.GE, 3));
        final RingEntry[][] sets = { entries(a, 1), entries(b, 2) };
        final AlertRules rules = new AlertRules(List.of());
        for (int i = 0; i < swaps; i++)
        {
            for (final RingEntry entry : sets[i & 1])
            {
                rules.onRulesEntry(entry);
            }
        }
    }

    private static RingEntry[] entries(final List<AlertRule> rules, final long version)
    {
        final UnsafeBuffer encoded = new UnsafeBuffer(new byte[MAX_ENCODED_LENGTH]);
        final int length = encode(rules, encoded);
        final int chunks = (length + RingEntry.RULES_PAYLOAD_LENGTH - 1) / RingEntry.RULES_PAYLOAD_LENGTH;
        final RingEntry[] entries = new RingEntry[chunks];
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            final int from = chunk * RingEntry.RULES_PAYLOAD_LENGTH;
            entries[chunk] = new RingEntry(new UnsafeBuffer(new byte[RingEntry.LENGTH]), 0).rules(version, chunk,
                chunks, encoded, from, Math.min(RingEntry.RULES_PAYLOAD_LENGTH, length - from), 0);
        }
        return entries;
    }

    /**
     * Encode a rule set for the ring.
     *
     * @param rules the rules, in name order (each one's index is its position).
     * @param into  at least {@link #MAX_ENCODED_LENGTH} bytes.
     * @return bytes written.
     * @throws IllegalArgumentException when there are more than {@link #MAX_RULES} rules or a name is longer than
     *                                  {@link #MAX_NAME_LENGTH} bytes.
     */
    public static int encode(final List<AlertRule> rules, final MutableDirectBuffer into)
    {
        if (rules.size() > MAX_RULES)
        {
            throw new IllegalArgumentException(rules.size() + " alert rules: at most " + MAX_RULES + " are allowed");
        }
        into.putShort(0, (short)rules.size());
        int offset = 2;
        for (final AlertRule rule : rules)
        {
            final byte[] name = rule.name().getBytes(StandardCharsets.US_ASCII);
            if (name.length < 1 || name.length > MAX_NAME_LENGTH)
            {
                throw new IllegalArgumentException("alert rule name '" + rule.name() + "' must be 1-" +
                    MAX_NAME_LENGTH + " characters");
            }
            into.putByte(offset, (byte)rule.on().ordinal());
            into.putByte(offset + 1, (byte)rule.field().ordinal());
            into.putByte(offset + 2, (byte)rule.op().ordinal());
            into.putByte(offset + 3, (byte)name.length);
            into.putDouble(offset + 4, rule.threshold());
            into.putBytes(offset + RULE_HEADER_LENGTH, name);
            offset += RULE_HEADER_LENGTH + name.length;
        }
        return offset;
    }

    /**
     * Decode an encoded set (control path: tools, start-up).
     *
     * @param encoded the set.
     * @param length  its bytes.
     * @return the rules, in name order.
     * @throws IllegalArgumentException when the bytes are not a valid set.
     */
    public static List<AlertRule> decode(final DirectBuffer encoded, final int length)
    {
        final RuleSlot slot = new RuleSlot();
        if (!decode(encoded, length, slot))
        {
            throw new IllegalArgumentException("not an encoded alert rule set (" + length + " bytes)");
        }
        return slot.rules();
    }

    /**
     * Stage one RULES entry; at the last entry of a whole set switch to it. A chunk that does not follow the one
     * before (an interrupted set) drops what was staged; a set that does not decode is not switched to.
     *
     * @param entry a RULES entry.
     * @return true when this entry switched the rules.
     */
    public boolean onRulesEntry(final RingEntry entry)
    {
        final long version = entry.rulesVersion();
        final int chunk = entry.rulesChunk();
        final int count = entry.rulesChunkCount();
        if (0 == chunk)
        {
            stagingVersion = version;
            nextChunk = 0;
        }
        if (version != stagingVersion || chunk != nextChunk || count < 1 || count > MAX_CHUNKS)
        {
            nextChunk = -1;
            return false;
        }
        staging.putBytes(chunk * RingEntry.RULES_PAYLOAD_LENGTH, entry.buffer(),
            entry.offset() + RingEntry.RULES_PAYLOAD_OFFSET, RingEntry.RULES_PAYLOAD_LENGTH);
        if (++nextChunk < count)
        {
            return false;
        }
        nextChunk = -1;
        final RuleSlot next = spare;
        if (!decode(staging, count * RingEntry.RULES_PAYLOAD_LENGTH, next))
        {
            return false;
        }
        next.version = version;
        spare = active;
        active = next;
        return true;
    }

    /**
     * Take another processor's rules in force, with their version (control path, before the processor starts: a
     * restart that rebuilt the processors from part of the journal keeps the rules the whole journal left).
     *
     * @param other the rules to take.
     */
    public void install(final AlertRules other)
    {
        final UnsafeBuffer encoded = new UnsafeBuffer(new byte[MAX_ENCODED_LENGTH]);
        final int length = encode(other.rules(), encoded);
        final RuleSlot next = spare;
        decode(encoded, length, next);
        next.version = other.version();
        spare = active;
        active = next;
    }

    /**
     * @return the configuration version of the rules in force: 0 for the configured ones, else the version of the
     * last live change.
     */
    public long version()
    {
        return active.version;
    }

    /**
     * @return the rules in force, in name order (allocates: control path).
     */
    public List<AlertRule> rules()
    {
        return active.rules();
    }

    /**
     * Tell a sink the names of the rules in force (at start and after each switch), by rule index.
     *
     * @param sink the sink.
     */
    public void nameRules(final ResultSink sink)
    {
        sink.onAlertRules(active.count, active.names, active.nameLengths);
    }

    /**
     * @return true when an event rule compares the key's aggregate after the event (not only the event's value), so
     * the aggregate must be computed even for an event whose client wants no result.
     */
    public boolean eventRulesReadAggregate()
    {
        return active.readAggregate;
    }

    /**
     * Test the event rules and publish an alert for each that fires.
     *
     * @param sink        where alerts go.
     * @param alertsFired counts them.
     * @param key         the event's key.
     * @param value       the event's value.
     * @param aggregate   the key's aggregate after the event.
     */
    public void testEvent(
        final ResultSink sink, final AtomicCounter alertsFired, final long key, final double value, final Aggregate aggregate)
    {
        final RuleSlot rules = active;
        for (int i = 0; i < rules.eventCount; i++)
        {
            final int rule = rules.eventRules[i];
            fireIf(rules, rule, sink, alertsFired, key, 0, observe(rules.fields[rule], value, aggregate));
        }
    }

    /**
     * Test the window rules against a closed window and publish an alert for each that fires.
     *
     * @param sink        where alerts go.
     * @param alertsFired counts them.
     * @param key         the window's key.
     * @param window      the closed window.
     */
    public void testWindow(final ResultSink sink, final AtomicCounter alertsFired, final long key, final Aggregate window)
    {
        final RuleSlot rules = active;
        for (int i = 0; i < rules.windowCount; i++)
        {
            final int rule = rules.windowRules[i];
            fireIf(rules, rule, sink, alertsFired, key, window.windowStart(), observe(rules.fields[rule], 0, window));
        }
    }

    private static void fireIf(
        final RuleSlot rules,
        final int rule,
        final ResultSink sink,
        final AtomicCounter alertsFired,
        final long key,
        final long windowStart,
        final double observed)
    {
        final AlertRule.Op op = rules.ops[rule];
        final double threshold = rules.thresholds[rule];
        if (op.test(observed, threshold))
        {
            alertsFired.incrementRelease();
            sink.onAlert(rule, key, windowStart, rules.fields[rule].ordinal() + 1, op.ordinal() + 1, observed,
                threshold);
        }
    }

    /**
     * @param field     what to read.
     * @param value     the event's value (for {@code VALUE}).
     * @param aggregate the window (for the others).
     * @return the observed value.
     */
    public static double observe(final AlertRule.Field field, final double value, final Aggregate aggregate)
    {
        switch (field)
        {
            case VALUE: return value;
            case COUNT: return aggregate.count();
            case SUM: return aggregate.sum();
            case MIN: return aggregate.min();
            case MAX: return aggregate.max();
            default: return aggregate.mean();
        }
    }

    private static boolean decode(final DirectBuffer encoded, final int length, final RuleSlot into)
    {
        if (length < 2)
        {
            return false;
        }
        final int count = encoded.getShort(0) & 0xFFFF;
        if (count > MAX_RULES)
        {
            return false;
        }
        int offset = 2;
        for (int i = 0; i < count; i++)
        {
            if (offset + RULE_HEADER_LENGTH > length)
            {
                return false;
            }
            final int on = encoded.getByte(offset);
            final int field = encoded.getByte(offset + 1);
            final int op = encoded.getByte(offset + 2);
            final int nameLength = encoded.getByte(offset + 3);
            if (on < 0 || on >= ONS.length || field < 0 || field >= FIELDS.length || op < 0 || op >= OPS.length ||
                nameLength < 1 || nameLength > MAX_NAME_LENGTH || offset + RULE_HEADER_LENGTH + nameLength > length)
            {
                return false;
            }
            into.ons[i] = ONS[on];
            into.fields[i] = FIELDS[field];
            into.ops[i] = OPS[op];
            into.thresholds[i] = encoded.getDouble(offset + 4);
            into.nameLengths[i] = nameLength;
            encoded.getBytes(offset + RULE_HEADER_LENGTH, into.names[i], 0, nameLength);
            offset += RULE_HEADER_LENGTH + nameLength;
        }
        into.count = count;
        into.eventCount = 0;
        into.windowCount = 0;
        into.readAggregate = false;
        for (int i = 0; i < count; i++)
        {
            if (AlertRule.On.EVENT == into.ons[i])
            {
                into.eventRules[into.eventCount++] = i;
                into.readAggregate |= AlertRule.Field.VALUE != into.fields[i];
            }
            else
            {
                into.windowRules[into.windowCount++] = i;
            }
        }
        into.version = 0;
        return true;
    }

    /**
     * One half of the double buffer: a whole decoded rule set.
     */
    private static final class RuleSlot
    {
        final AlertRule.On[] ons = new AlertRule.On[MAX_RULES];
        final AlertRule.Field[] fields = new AlertRule.Field[MAX_RULES];
        final AlertRule.Op[] ops = new AlertRule.Op[MAX_RULES];
        final double[] thresholds = new double[MAX_RULES];
        final byte[][] names = new byte[MAX_RULES][MAX_NAME_LENGTH];
        final int[] nameLengths = new int[MAX_RULES];
        final int[] eventRules = new int[MAX_RULES];
        final int[] windowRules = new int[MAX_RULES];
        int count;
        int eventCount;
        int windowCount;
        boolean readAggregate;
        long version;

        List<AlertRule> rules()
        {
            final List<AlertRule> rules = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                rules.add(new AlertRule(new String(names[i], 0, nameLengths[i], StandardCharsets.US_ASCII), i, ons[i],
                    fields[i], ops[i], thresholds[i]));
            }
            return rules;
        }
    }
}
