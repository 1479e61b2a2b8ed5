package io.sluice.server.daemon;

import io.aeron.Aeron;
import io.sluice.config.AlertRule;
import io.sluice.config.SluiceConfig;
import io.sluice.config.WindowType;
import io.sluice.server.auth.AdminActions;
import io.sluice.server.auth.Authentication;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.rules.RuleRequests;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The daemon's {@link AdminActions}: an AdminRequest goes through the same hand-overs as the daemon's commands, the
 * counters in its CnC file ({@code sluice snapshot}'s snapshot request, {@code sluice rules apply}'s rules request
 * and file, {@code sluice auth reload}'s reload request), so the agents that serve those serve it unchanged; a
 * shutdown raises the flag the daemon's waiting thread checks ({@link SluiceDaemon#stopRequested()}).
 * Ingress thread.
 */
final class DaemonAdmin implements AdminActions
{
    private final SluiceConfig config;
    private final Path driverDir;
    private final CountersReader counters;
    private final Runnable shutdown;
    private final ErrorHandler errorHandler;

    DaemonAdmin(final SluiceConfig config, final Aeron aeron, final Runnable shutdown, final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        this.config = config;
        this.driverDir = Path.of(config.driverDir()).toAbsolutePath();
        this.counters = aeron.countersReader();
        this.shutdown = shutdown;
    }

    /**
     * {@inheritDoc}
     */
    public String snapshot()
    {
        final AtomicCounter request = counter(SluiceCounters.SNAPSHOT_REQUEST_TYPE_ID);
        if (null == request)
        {
            return "no journal (sluice.journal.mode=off): no snapshot to take";
        }
        request.setRelease(1);
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public long applyRules(final String properties)
    {
        final Properties keys = new Properties();
        try
        {
            keys.load(new StringReader(properties));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        final Path file = RuleRequests.requestFile(driverDir, id);
        final Properties rules = new Properties();
        keys.stringPropertyNames().stream().filter((key) -> key.startsWith(AlertRule.PREFIX))
            .forEach((key) -> rules.setProperty(key, keys.getProperty(key)));
        final List<AlertRule> parsed = AlertRule.parse(rules);
        RuleRequests.write(file, parsed);
        try
        {
            RuleRequests.read(file, WindowType.NONE != config.windowType());
        }
        catch (final RuntimeException ex)
        {
            RuleRequests.deleteQuietly(file, errorHandler);
            throw ex;
        }
        final AtomicCounter request = counter(SluiceCounters.RULES_REQUEST_TYPE_ID);
        if (null == request || !request.compareAndSet(0, id))
        {
            RuleRequests.deleteQuietly(file, errorHandler);
            throw new IllegalStateException("another rules request is in progress; nothing changed");
        }
        return id;
    }

    /**
     * {@inheritDoc}
     */
    public long reloadCredentials()
    {
        final AtomicCounter request = counter(SluiceCounters.AUTH_RELOAD_REQUEST_TYPE_ID);
        final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        if (null == request || !request.compareAndSet(0, id))
        {
            throw new IllegalStateException("another credentials reload is in progress");
        }
        return -id;
    }

    /**
     * {@inheritDoc}
     */
    public String outcome(final long requestId)
    {
        final boolean credentials = requestId < 0;
        final long id = Math.abs(requestId);
        final AtomicCounter result = counter(credentials ? SluiceCounters.AUTH_RELOAD_RESULT_TYPE_ID :
            SluiceCounters.RULES_RESULT_TYPE_ID);
        final long value = null == result ? 0 : result.get();
        if (value == id)
        {
            final AtomicCounter version = counter(credentials ? SluiceCounters.AUTH_CREDENTIALS_VERSION_TYPE_ID :
                SluiceCounters.CONFIG_VERSION_TYPE_ID);
            return "OK " + (credentials ? "credentials" : "rules") + " version " +
                (null == version ? "?" : Long.toString(version.get())) + " in force";
        }
        if (value == -id)
        {
            final Path refusal = credentials ? Authentication.refusalFile(driverDir, id) :
                RuleRequests.refusalFile(driverDir, id);
            try
            {
                final String reason = Files.readString(refusal).trim();
                Files.deleteIfExists(refusal);
                return reason;
            }
            catch (final IOException ex)
            {
                return "refused (no reason given: " + ex.getMessage() + ")";
            }
        }
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public void shutdown()
    {
        shutdown.run();
    }

    private AtomicCounter counter(final int typeId)
    {
        final int[] found = { -1 };
        counters.forEach((counterId, type, keyBuffer, label) ->
        {
            if (type == typeId && CountersReader.RECORD_ALLOCATED == counters.getCounterState(counterId))
            {
                found[0] = counterId;
            }
        });
        return found[0] < 0 ? null : new AtomicCounter(counters.valuesBuffer(), found[0]);
    }
}
