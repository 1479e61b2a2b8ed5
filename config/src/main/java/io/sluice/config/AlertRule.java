package io.sluice.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One alert rule from the configuration:
 * <pre>
 *   sluice.alert.hot.on=window          event | window
 *   sluice.alert.hot.field=max          value | count | sum | min | max | mean (value only with on=event)
 *   sluice.alert.hot.op=&gt;               &gt; | &gt;= | &lt; | &lt;=
 *   sluice.alert.hot.threshold=100.0
 * </pre>
 * An {@code event} rule tests every accepted event (field {@code value} is the event's value, the others the
 * key's current window after the event); a {@code window} rule tests every closed window.
 *
 * @param name      the rule's name, the part between {@code sluice.alert.} and the attribute.
 * @param index     position of the rule in name order, carried on the wire as {@code ruleIndex}.
 * @param on        when the rule is tested.
 * @param field     what is compared.
 * @param op        how it is compared.
 * @param threshold what it is compared with.
 */
public record AlertRule(String name, int index, On on, Field field, Op op, double threshold)
{
    /** Most alert rules a configuration (or a live change) may hold. */
    public static final int MAX_RULES = 64;

    /** Prefix of every alert key. */
    public static final String PREFIX = "sluice.alert.";

    /**
     * The alert keys as {@code config/defaults.properties} and the configuration reference document them.
     */
    public static final String DOCUMENTATION = """
        sluice.alert.<name>.on=event|window     event: test every accepted event; window: every closed window
        sluice.alert.<name>.field=value|count|sum|min|max|mean   (value: the event's value, event rules only;
                                                 the others: the window, after the event for event rules)
        sluice.alert.<name>.op=>|>=|<|<=
        sluice.alert.<name>.threshold=<finite number>
        A rule that fires publishes Alert{ruleIndex (rules in name order), key, windowStart (0 for event
        rules), field, op, observed, threshold, ruleName} to every client. No rules: nothing is tested.
        At most 64 rules. Changed live by `sluice rules apply --rules FILE` (docs/operations.md), at one
        journal position for every processor; once changed live, the journal's rules stay in force across
        restarts and these apply to a fresh journal (the start-up summary's rules line says which).
        """;

    /** An example rule, as the defaults file shows it commented out. */
    public static final String EXAMPLE = """
        sluice.alert.hot.on=window
        sluice.alert.hot.field=max
        sluice.alert.hot.op=>
        sluice.alert.hot.threshold=100.0
        """;

    /**
     * When a rule is tested.
     */
    public enum On
    {
        /** Every accepted event. */
        EVENT,
        /** Every closed window. */
        WINDOW
    }

    /**
     * What a rule compares. The ordinal + 1 is the wire value of {@code AlertField}.
     */
    public enum Field
    {
        /** The event's value (event rules only). */
        VALUE,
        /** Events in the window. */
        COUNT,
        /** Sum of the window. */
        SUM,
        /** Smallest value of the window. */
        MIN,
        /** Largest value of the window. */
        MAX,
        /** Sum / count of the window. */
        MEAN
    }

    /**
     * How a rule compares. The ordinal + 1 is the wire value of {@code AlertOp}.
     */
    public enum Op
    {
        /** Greater than. */
        GT(">"),
        /** Greater than or equal. */
        GE(">="),
        /** Less than. */
        LT("<"),
        /** Less than or equal. */
        LE("<=");

        private final String symbol;

        Op(final String symbol)
        {
            this.symbol = symbol;
        }

        /**
         * @return the operator as written in the configuration.
         */
        public String symbol()
        {
            return symbol;
        }

        /**
         * @param observed  the observed value.
         * @param threshold the threshold.
         * @return whether the rule fires.
         */
        public boolean test(final double observed, final double threshold)
        {
            switch (this)
            {
                case GT: return observed > threshold;
                case GE: return observed >= threshold;
                case LT: return observed < threshold;
                default: return observed <= threshold;
            }
        }
    }

    /**
     * Parse every rule under {@link #PREFIX} of a rule file ({@code sluice rules apply --config FILE}); keys outside
     * the prefix are not rules and are left to the caller.
     *
     * @param properties the file's properties.
     * @return the rules in name order; empty when none are given.
     * @throws ConfigurationException naming the key, the value and what is allowed, for the first invalid attribute.
     */
    public static List<AlertRule> parse(final java.util.Properties properties)
    {
        return parse(PropertySource.of(properties));
    }

    /**
     * Parse every rule under {@link #PREFIX}.
     *
     * @param source the configuration.
     * @return the rules in name order; empty when none are configured.
     * @throws ConfigurationException naming the key of the first invalid attribute.
     */
    static List<AlertRule> parse(final PropertySource source)
    {
        final Map<String, Map<String, String>> byName = new TreeMap<>();
        for (final Map.Entry<String, String> e : source.withPrefix(PREFIX).entrySet())
        {
            final String rest = e.getKey().substring(PREFIX.length());
            final int dot = rest.lastIndexOf('.');
            if (dot <= 0)
            {
                throw new ConfigurationException(
                    e.getKey(), e.getValue(), "is not an alert attribute: use sluice.alert.<name>.on|field|op|threshold");
            }
            final String attribute = rest.substring(dot + 1);
            if (!List.of("on", "field", "op", "threshold").contains(attribute))
            {
                throw new ConfigurationException(
                    e.getKey(), e.getValue(), "is not an alert attribute: must be one of on, field, op, threshold");
            }
            byName.computeIfAbsent(rest.substring(0, dot), (n) -> new TreeMap<>()).put(attribute, e.getValue());
        }

        if (byName.size() > MAX_RULES)
        {
            final String first = new ArrayList<>(byName.keySet()).get(MAX_RULES);
            throw new ConfigurationException(PREFIX + first + ".on", String.valueOf(byName.get(first).get("on")),
                "belongs to rule " + (MAX_RULES + 1) + " of " + byName.size() + ": at most " + MAX_RULES +
                " alert rules are allowed");
        }
        final List<AlertRule> rules = new ArrayList<>();
        for (final Map.Entry<String, Map<String, String>> rule : byName.entrySet())
        {
            final String name = rule.getKey();
            final Map<String, String> a = rule.getValue();
            final String base = PREFIX + name + ".";
            final On on = source.enumValue(base + "on", required(base + "on", a.get("on"), On.class), On.class);
            final Field field = source.enumValue(
                base + "field", required(base + "field", a.get("field"), Field.class), Field.class);
            final String opText = require(base + "op", a.get("op"), "must be one of: >, >=, <, <=");
            Op op = null;
            for (final Op candidate : Op.values())
            {
                if (candidate.symbol.equals(opText))
                {
                    op = candidate;
                }
            }
            if (null == op)
            {
                throw new ConfigurationException(base + "op", opText, "must be one of: >, >=, <, <=");
            }
            final String thresholdText = require(base + "threshold", a.get("threshold"), "must be a finite number");
            final double threshold;
            try
            {
                threshold = Double.parseDouble(thresholdText);
            }
            catch (final NumberFormatException ex)
            {
                throw new ConfigurationException(base + "threshold", thresholdText, "must be a finite number");
            }
            if (!Double.isFinite(threshold))
            {
                throw new ConfigurationException(base + "threshold", thresholdText, "must be a finite number");
            }
            if (on == On.WINDOW && field == Field.VALUE)
            {
                throw new ConfigurationException(
                    base + "field", "value", "is only for on=event rules; a window rule takes count, sum, min, max or mean");
            }
            if (name.length() > 64 || !name.matches("[A-Za-z0-9_-]+"))
            {
                throw new ConfigurationException(
                    base + "on", a.get("on"), "belongs to rule name '" + name + "', which must be 1-64 of A-Z a-z 0-9 _ -");
            }
            rules.add(new AlertRule(name, rules.size(), on, field, op, threshold));
        }
        return rules;
    }

    private static <E extends Enum<E>> E required(final String key, final String value, final Class<E> type)
    {
        if (null == value || value.isEmpty())
        {
            final StringBuilder allowed = new StringBuilder();
            for (final E c : type.getEnumConstants())
            {
                allowed.append(allowed.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
            }
            throw new ConfigurationException(key, "", "is required: one of " + allowed);
        }
        return null;
    }

    private static String require(final String key, final String value, final String allowed)
    {
        if (null == value || value.isEmpty())
        {
            throw new ConfigurationException(key, "", "is required: " + allowed);
        }
        return value;
    }
}
