package io.sluice.core.alert;

import io.sluice.config.AlertRule;
import io.sluice.core.logic.ResultSink;
import io.sluice.core.state.Aggregate;
import org.agrona.concurrent.status.AtomicCounter;

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
    private final boolean eventRulesReadAggregate;

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
        boolean readAggregate = false;
        for (final AlertRule rule : eventRules)
        {
            readAggregate |= rule.field() != AlertRule.Field.VALUE;
        }
        eventRulesReadAggregate = readAggregate;
    }

    /**
     * @return true when an event rule compares the key's aggregate after the event (not only the event's value), so
     * the aggregate must be computed even for an event whose client wants no result.
     */
    public boolean eventRulesReadAggregate()
    {
        return eventRulesReadAggregate;
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
        for (final AlertRule rule : eventRules)
        {
            fireIf(rule, sink, alertsFired, key, 0, observe(rule.field(), value, aggregate));
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
        for (final AlertRule rule : windowRules)
        {
            fireIf(rule, sink, alertsFired, key, window.windowStart(), observe(rule.field(), 0, window));
        }
    }

    private static void fireIf(
        final AlertRule rule,
        final ResultSink sink,
        final AtomicCounter alertsFired,
        final long key,
        final long windowStart,
        final double observed)
    {
        if (rule.op().test(observed, rule.threshold()))
        {
            alertsFired.incrementRelease();
            sink.onAlert(rule.index(), key, windowStart, rule.field().ordinal() + 1, rule.op().ordinal() + 1, observed,
                rule.threshold());
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
}
