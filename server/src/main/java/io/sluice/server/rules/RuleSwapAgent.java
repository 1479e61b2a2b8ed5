package io.sluice.server.rules;

import io.sluice.config.AlertRule;
import io.sluice.config.ConfigurationException;
import io.sluice.core.alert.AlertRules;
import io.sluice.core.ring.RingProducer;
import io.sluice.core.shard.ShardProcessor;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Applies {@code sluice rules apply} on the ring producer's thread (in the daemon's composite, before the
 * ingress): when the rules request counter holds a new id it reads that request's rule file
 * ({@link RuleRequests}), validates it again, and offers the set to the ring as the next configuration version
 * ({@link RingProducer#offerRules}); every processor switches at the set's last entry. With the journal on, the
 * change counts as applied once the journaller has written that entry ({@link #onRulesJournaled}), and its
 * journal position goes to the rules position counter; without a journal, once it is in the ring (position -1).
 * The outcome goes to the rules result counter: the id when applied, minus the id when refused (the reason in the
 * request's {@code .refused} file). A file read happens once per request, on this control path; offering a set
 * allocates nothing. When the daemon started with rules from the journal (a live change before), its first duty
 * cycle puts them into the ring again, right after the run's START entry, so a snapshot written at start (a
 * window change rebuilds one) is followed in the journal by the rules in force, as every snapshot marker is.
 */
public final class RuleSwapAgent implements Agent
{
    private static final long REFRESH_SWITCH_COUNTERS_NS = 1_000_000_000L;

    private final RingProducer producer;
    private final ShardProcessor[] processors;
    private final Path dir;
    private final boolean journalOn;
    private final boolean windows;
    private final AtomicCounter request;
    private final AtomicCounter result;
    private final AtomicCounter version;
    private final AtomicCounter position;
    private final AtomicCounter[] maxSwitch;
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final UnsafeBuffer encoded = new UnsafeBuffer(new byte[AlertRules.MAX_ENCODED_LENGTH]);
    private long configVersion;
    private long handledId;
    private long readId;
    private int encodedLength;
    private long pendingId;
    private long pendingVersion;
    private long refreshUntilNs;
    private boolean reoffered;

    /**
     * @param producer     the ring producer (this agent's thread owns it).
     * @param processors   the processors, whose longest switch goes to the counters.
     * @param dir          the daemon's media driver directory, where request files are.
     * @param journalOn    whether a journaller reports each set's position.
     * @param windows      whether the daemon has windows (without, only event rules of field value).
     * @param request      the rules request counter.
     * @param result       the rules result counter.
     * @param version      the configuration version counter.
     * @param position     the rules position counter.
     * @param maxSwitch    per shard, the longest time a RULES entry held its processor.
     * @param clock        the producer's clock.
     * @param errorHandler where a refused request is also reported.
     */
    public RuleSwapAgent(
        final RingProducer producer,
        final ShardProcessor[] processors,
        final Path dir,
        final boolean journalOn,
        final boolean windows,
        final AtomicCounter request,
        final AtomicCounter result,
        final AtomicCounter version,
        final AtomicCounter position,
        final AtomicCounter[] maxSwitch,
        final NanoClock clock,
        final ErrorHandler errorHandler)
    {
        this.producer = producer;
        this.processors = processors;
        this.dir = dir;
        this.journalOn = journalOn;
        this.windows = windows;
        this.request = request;
        this.result = result;
        this.version = version;
        this.position = position;
        this.maxSwitch = maxSwitch;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.configVersion = producer.rules().version();
        version.setRelease(configVersion);
        position.setRelease(-1);
        request.setRelease(0);
    }

    /**
     * After recovery, before the processors start: remember the rule set the journal left in force (its version
     * above 0) so it follows every later snapshot marker. Control thread only.
     *
     * @param processors the recovered processors.
     * @param producer   the ring producer.
     * @return the configuration version in force.
     */
    public static long recovered(final ShardProcessor[] processors, final RingProducer producer)
    {
        final AlertRules alerts = processors[0].alerts();
        if (null == alerts || 0 == alerts.version())
        {
            return 0;
        }
        final UnsafeBuffer encoded = new UnsafeBuffer(new byte[AlertRules.MAX_ENCODED_LENGTH]);
        final int length = AlertRules.encode(alerts.rules(), encoded);
        producer.rules().rulesInForce(alerts.version(), encoded, length);
        return alerts.version();
    }

    /**
     * The journaller wrote a rule set's last entry (same thread).
     *
     * @param setVersion      the set's configuration version.
     * @param journalPosition the end of the message that holds it.
     */
    public void onRulesJournaled(final long setVersion, final long journalPosition)
    {
        if (0 != pendingId && setVersion == pendingVersion)
        {
            position.setRelease(journalPosition);
            version.setRelease(setVersion);
            result.setRelease(pendingId);
            pendingId = 0;
        }
    }

    /**
     * {@inheritDoc}
     */
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        if (!reoffered)
        {
            reoffered = 0 == configVersion || producer.rules().offer(producer.ring(), nowNs);
            return 1;
        }
        if (nowNs - refreshUntilNs < 0)
        {
            for (int i = 0; i < processors.length; i++)
            {
                maxSwitch[i].setRelease(processors[i].longestRulesSwitchNs());
            }
        }
        final long id = request.get();
        if (0 == id || id == handledId || 0 != pendingId)
        {
            return 0;
        }
        if (id != readId && !read(id))
        {
            return 1;
        }
        if (!producer.offerRules(configVersion + 1, encoded, encodedLength, nowNs))
        {
            return 0;
        }
        configVersion++;
        handledId = id;
        request.compareAndSet(id, 0);
        refreshUntilNs = nowNs + REFRESH_SWITCH_COUNTERS_NS;
        RuleRequests.deleteQuietly(RuleRequests.requestFile(dir, id), errorHandler);
        if (journalOn)
        {
            pendingId = id;
            pendingVersion = configVersion;
        }
        else
        {
            version.setRelease(configVersion);
            result.setRelease(id);
        }
        return 1;
    }

    private boolean read(final long id)
    {
        final Path file = RuleRequests.requestFile(dir, id);
        try
        {
            final List<AlertRule> rules = RuleRequests.read(file, windows);
            encodedLength = AlertRules.encode(rules, encoded);
            readId = id;
            return true;
        }
        catch (final ConfigurationException | UncheckedIOException | IllegalArgumentException ex)
        {
            refuse(id, ex.getMessage());
            return false;
        }
    }

    private void refuse(final long id, final String reason)
    {
        RuleRequests.refuse(dir, id, reason, errorHandler);
        handledId = id;
        request.compareAndSet(id, 0);
        result.setRelease(-id);
    }


    /**
     * @return the configuration version last offered.
     */
    public long configVersion()
    {
        return configVersion;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "sluice-rules";
    }
}
