package io.sluice.core.alert;

import io.sluice.config.AlertRule;
import io.sluice.core.state.Aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * The configured alert rules, split by when they are tested and flattened into arrays for the per-event path.
 * With no rules of a kind the test is a loop over an empty array.
 */
public final class AlertRules
{
    /** No rules. */
    public static final AlertRules NONE = new AlertRules(List.of());

    private final AlertRule[] eventRules;
    private final AlertRule[] windowRules;

    /**
     * @param rules the configured rules.
     */
    public AlertRules(final List<AlertRule> rules)
    {
        final List<AlertRule> onEvent = new ArrayList<>();
        final List<AlertRule> onWindow = new ArrayList<>();
        for (final AlertRule rule : rules)
        {
            (rule.on() == AlertRule.On.EVENT ? onEvent : onWindow).add(rule);
        }
        eventRules = onEvent.toArray(new AlertRule[0]);
        windowRules = onWindow.toArray(new AlertRule[0]);
    }

    /**
     * @return rules tested on every event.
     */
    public AlertRule[] eventRules()
    {
        return eventRules;
    }

    /**
     * @return rules tested on every closed window.
     */
    public AlertRule[] windowRules()
    {
        return windowRules;
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
}
