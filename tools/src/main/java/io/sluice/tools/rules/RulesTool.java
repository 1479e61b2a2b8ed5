package io.sluice.tools.rules;

import io.sluice.config.AlertRule;
import io.sluice.config.SluiceConfig;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.rules.RuleRequests;
import io.sluice.tools.journal.JournalTool;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import io.sluice.tools.stat.CounterRequest;
import io.sluice.tools.stat.SluiceStat;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice rules apply}: hands validated alert rules to a running daemon on this host through its media
 * driver directory and CnC file ({@link RuleRequests}), never over the network, and waits until every processor
 * has the change in its ring (and, with the journal on, the journal holds it):
 * <pre>
 *   sluice rules: rules version 3 applied at journal position 123456 (2 rules: hot: on window max &gt; 100.0, ...)
 * </pre>
 * Without a journal the line ends {@code applied (no journal: no position)}. On a cluster node (run it on the
 * leader's host, with the leader's configuration) the leader puts the rules into the cluster log and every member
 * switches there: {@code rules version 3 applied at cluster log position 123456 (...)}; a follower refuses, naming
 * the leader, and the tool exits 1.
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
     * 1 when no daemon runs there, it timed out, or it is a cluster follower (nothing changed).
     */
    public static int apply(
        final SluiceConfig config, final List<AlertRule> rules, final Path file, final long timeoutNs,
        final PrintStream out)
    {
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
                "daemon or cluster node older than this tool)");
            return 1;
        }
        final Path dir = Path.of(config.driverDir()).toAbsolutePath();
        final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        RuleRequests.write(RuleRequests.requestFile(dir, id), rules);
        final long[] outcome = CounterRequest.exchange(config.driverDir(), ids[REQUEST], ids[RESULT], id, timeoutNs,
            ids[VERSION], ids[POSITION]);
        if (0 == outcome[0])
        {
            deleteQuietly(RuleRequests.requestFile(dir, id));
            out.println("sluice rules: the " + (config.isClustered() ? "cluster node" : "daemon") + " at " +
                config.driverDir() + " did not apply the rules within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNs) +
                " s: " + (config.isClustered() ? "the request is withdrawn (sluice stat shows the configuration " +
                "version in force)" : "nothing changed") + " (see sluice errors)");
            return 1;
        }
        if (outcome[0] < 0)
        {
            final Path refusal = RuleRequests.refusalFile(dir, id);
            final String reason = readQuietly(refusal);
            deleteQuietly(refusal);
            if (RuleRequests.isNotLeader(reason))
            {
                out.println("sluice rules: " + reason + "; nothing changed");
                return 1;
            }
            out.println("sluice rules: the " + (config.isClustered() ? "cluster" : "daemon") + " refused " + file +
                ": " + reason + "; nothing changed");
            return 2;
        }
        final String where = config.isClustered() ? "at cluster log position " + outcome[2] :
            outcome[2] >= 0 ? "at journal position " + outcome[2] : "(no journal: no position)";
        out.println("sluice rules: rules version " + outcome[1] + " applied " + where + " (" + rules.size() +
            " rules: " + RuleRequests.describe(rules) + ")");
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
