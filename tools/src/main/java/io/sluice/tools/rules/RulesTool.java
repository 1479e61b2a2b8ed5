package io.sluice.tools.rules;

import io.sluice.config.AlertRule;
import io.sluice.config.SluiceConfig;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.rules.RuleRequests;
import io.sluice.tools.journal.JournalTool;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import io.sluice.tools.stat.SluiceStat;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sluice rules apply}: hands validated alert rules to a running daemon on this host through its media
 * driver directory and CnC file ({@link RuleRequests}), never over the network, and waits until every processor
 * has the change in its ring (and, with the journal on, the journal holds it):
 * <pre>
 *   sluice rules: rules version 3 applied at journal position 123456 (2 rules: hot: on window max &gt; 100.0, ...)
 * </pre>
 * Without a journal the line ends {@code applied (no journal: no position)}.
 */
public final class RulesTool
{
    private static final int REQUEST = 0;
    private static final int RESULT = 1;
    private static final int VERSION = 2;
    private static final int POSITION = 3;

    private RulesTool()
    {
    }

    /**
     * Check a rule file as the daemon will: its rules, and the daemon's configuration with them in place of its
     * own (a window rule needs windows).
     *
     * @param rules  the rule file.
     * @param config the daemon's configuration.
     * @return the rules, in name order.
     * @throws io.sluice.config.ConfigurationException naming the key, value and rule of the first bad rule.
     */
    public static List<AlertRule> validate(final Path rules, final SluiceConfig config)
    {
        return RuleRequests.read(rules, io.sluice.config.WindowType.NONE != config.windowType());
    }

    /**
     * Apply validated alert rules to the daemon a configuration names.
     *
     * @param config    the daemon's configuration (its driver directory).
     * @param rules     the rules ({@link #validate}).
     * @param file      the rule file they came from.
     * @param timeoutNs how long to wait for the daemon.
     * @param out       where the result goes.
     * @return 0 when applied; 2 when the daemon refused the rules (a bad rule for it: the reason is printed);
     * 1 when no daemon runs there or it timed out (nothing changed).
     */
    public static int apply(
        final SluiceConfig config, final List<AlertRule> rules, final Path file, final long timeoutNs,
        final PrintStream out)
    {
        if (config.isClustered())
        {
            out.println("sluice rules: " + config.driverDir() + " is a cluster node's: live rule changes are for a " +
                "standalone daemon in this version (a cluster takes new rules at a restart of every node)");
            return 1;
        }
        final int[] ids = { -1, -1, -1, -1 };
        final boolean running = SluiceStat.read(config.driverDir(), (reader) -> reader.forEach(
            (counterId, typeId, keyBuffer, label) ->
            {
                switch (typeId)
                {
                    case SluiceCounters.RULES_REQUEST_TYPE_ID -> ids[REQUEST] = counterId;
                    case SluiceCounters.RULES_RESULT_TYPE_ID -> ids[RESULT] = counterId;
                    case SluiceCounters.CONFIG_VERSION_TYPE_ID -> ids[VERSION] = counterId;
                    case SluiceCounters.RULES_POSITION_TYPE_ID -> ids[POSITION] = counterId;
                    default -> { }
                }
            }));
        if (!running)
        {
            out.println("sluice rules: " + SluiceStat.noDriverMessage(config.driverDir()));
            return 1;
        }
        if (-1 == ids[REQUEST] || -1 == ids[RESULT] || -1 == ids[VERSION] || -1 == ids[POSITION])
        {
            out.println("sluice rules: the process at " + config.driverDir() + " takes no live rule change (a " +
                "cluster node, or a daemon older than this tool)");
            return 1;
        }
        final Path dir = Path.of(config.driverDir()).toAbsolutePath();
        final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        RuleRequests.write(RuleRequests.requestFile(dir, id), rules);
        final long[] outcome = { 0, 0, 0 };
        SluiceStat.read(config.driverDir(), (reader) ->
        {
            final AtomicCounter request = new AtomicCounter(reader.valuesBuffer(), ids[REQUEST]);
            final long deadlineNs = System.nanoTime() + timeoutNs;
            while (!request.compareAndSet(0, id))
            {
                if (System.nanoTime() - deadlineNs >= 0)
                {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            while (System.nanoTime() - deadlineNs < 0)
            {
                final long result = reader.getCounterValue(ids[RESULT]);
                if (id == result || -id == result)
                {
                    outcome[0] = result;
                    outcome[1] = reader.getCounterValue(ids[VERSION]);
                    outcome[2] = reader.getCounterValue(ids[POSITION]);
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            request.compareAndSet(id, 0);
        });
        if (0 == outcome[0])
        {
            deleteQuietly(RuleRequests.requestFile(dir, id));
            out.println("sluice rules: the daemon at " + config.driverDir() + " did not apply the rules within " +
                TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s: nothing changed (see sluice errors)");
            return 1;
        }
        if (outcome[0] < 0)
        {
            final Path refusal = RuleRequests.refusalFile(dir, id);
            out.println("sluice rules: the daemon refused " + file + ": " + readQuietly(refusal) + "; nothing changed");
            deleteQuietly(refusal);
            return 2;
        }
        out.println("sluice rules: rules version " + outcome[1] + " applied " +
            (outcome[2] >= 0 ? "at journal position " + outcome[2] : "(no journal: no position)") + " (" +
            rules.size() + " rules: " + RuleRequests.describe(rules) + ")");
        return 0;
    }

    /**
     * {@code --dry-run}: replay the journal's recent history under the proposed rules beside the rules in force now
     * (the journal's last live change, or the configuration's rules without one), each side keeping its rules
     * throughout, and print the comparison's summary ({@code sluice replay --compare}: alerts that would appear or
     * disappear; the differences stay in a CSV file in the temporary directory, named in the summary). Applies
     * nothing and needs no running daemon.
     *
     * @param configFile the daemon's configuration file, or null for the defaults.
     * @param config     the daemon's configuration.
     * @param proposed   the proposed rules ({@link #validate}).
     * @param from       where history starts: a journal position or an ISO-8601 time ({@code --from}).
     * @param out        where the summary goes.
     * @return 0.
     * @throws IOException when the comparison's scratch file cannot be written.
     */
    public static int dryRun(
        final Path configFile,
        final SluiceConfig config,
        final List<AlertRule> proposed,
        final String from,
        final PrintStream out) throws IOException
    {
        final Path journalDir = Path.of(config.journalDir());
        final List<JournalTool.RuleChange> changes = JournalTool.ruleChanges(journalDir, config.driverDir());
        final List<AlertRule> current = changes.isEmpty() ? config.alertRules() :
            changes.get(changes.size() - 1).rules();
        final long version = changes.isEmpty() ? 0 : changes.get(changes.size() - 1).version();
        out.println("sluice rules: dry run from " + from + ": proposed " + RuleRequests.describe(proposed) +
            " against version " + version + " in force: " + RuleRequests.describe(current));
        final Path differences = Files.createTempFile("sluice-rules-dry-run-", ".csv");
        WhatIfReplay.run(new WhatIfReplay.Request(withRules(configFile, proposed), withRules(configFile, current),
            journalDir, config.driverDir(), from, null, null, differences, ReplayOutput.Format.CSV, false, false, -1,
            -1, true), out);
        out.println("sluice rules: dry run only: nothing applied (sluice rules apply without --dry-run applies them)");
        return 0;
    }

    /**
     * @param since a duration back from now: a number and {@code s}, {@code m}, {@code h} or {@code d}.
     * @return the ISO-8601 time that long ago.
     * @throws io.sluice.config.ConfigurationException naming {@code --since} when it is not such a duration.
     */
    public static String since(final String since)
    {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})([smhd])").matcher(since);
        if (!m.matches())
        {
            throw new io.sluice.config.ConfigurationException("--since", since,
                "must be a duration back from now: a number and s, m, h or d, e.g. 10m");
        }
        final long n = Long.parseLong(m.group(1));
        final java.time.Duration back = switch (m.group(2))
        {
            case "s" -> java.time.Duration.ofSeconds(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofDays(n);
        };
        return java.time.Instant.now().minus(back).toString();
    }

    private static SluiceConfig withRules(final Path configFile, final List<AlertRule> rules) throws IOException
    {
        final Properties properties = new Properties();
        if (null != configFile)
        {
            try (java.io.InputStream in = Files.newInputStream(configFile))
            {
                properties.load(in);
            }
        }
        properties.putAll(System.getProperties());
        properties.stringPropertyNames().stream().filter((key) -> key.startsWith(AlertRule.PREFIX))
            .forEach(properties::remove);
        final Path rulesFile = Files.createTempFile("sluice-rules-", ".properties");
        try
        {
            RuleRequests.write(rulesFile, rules);
            properties.putAll(RuleRequests.alertKeys(rulesFile));
        }
        finally
        {
            Files.deleteIfExists(rulesFile);
        }
        return SluiceConfig.of(properties);
    }

    private static String readQuietly(final Path file)
    {
        try
        {
            return Files.readString(file).trim();
        }
        catch (final IOException ex)
        {
            return "(no reason given: " + ex.getMessage() + ")";
        }
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
