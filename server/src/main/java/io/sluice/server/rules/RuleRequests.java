package io.sluice.server.rules;

import io.sluice.config.AlertRule;
import io.sluice.config.ConfigurationException;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;

/**
 * How {@code sluice rules apply} hands a rule file to a running daemon on the same host, never over the network:
 * the tool writes the validated file as {@code sluice-rules-<id>.properties} into the daemon's media driver
 * directory (whose CnC file only the daemon's user and the operator can write), then raises the daemon's rules
 * request counter to the id; the daemon reads the file on its control path, validates it again, and answers in its
 * rules result counter ({@code id} applied, {@code -id} refused, the reason then in
 * {@code sluice-rules-<id>.refused}). Any thread.
 */
public final class RuleRequests
{
    private RuleRequests()
    {
    }

    /**
     * @param dir the daemon's media driver directory.
     * @param id  the request id.
     * @return where the rule file of the request is.
     */
    public static Path requestFile(final Path dir, final long id)
    {
        return dir.resolve("sluice-rules-" + id + ".properties");
    }

    /**
     * @param dir the daemon's media driver directory.
     * @param id  the request id.
     * @return where the daemon says why it refused the request.
     */
    public static Path refusalFile(final Path dir, final long id)
    {
        return dir.resolve("sluice-rules-" + id + ".refused");
    }

    /**
     * @param memberId this member's id.
     * @param leaderId the leader's member id, -1 when not known.
     * @return why a follower refuses a request: live changes go through the leader's log.
     */
    public static String notLeader(final int memberId, final int leaderId)
    {
        return "cluster member " + memberId + " is a follower: run sluice rules apply on the leader's host (" +
            (leaderId < 0 ? "no leader is known yet" : "member " + leaderId) + ")";
    }

    /**
     * @param reason a refusal's reason.
     * @return whether it is a follower's ({@link #notLeader}): the rules may be good, the host is not.
     */
    public static boolean isNotLeader(final String reason)
    {
        return reason.startsWith("cluster member ") && reason.contains(" is a follower: run sluice rules apply on ");
    }

    /**
     * Read a rule file for a daemon: every key under {@code sluice.alert.}; other keys are not rules and are
     * ignored. Checked as the daemon's own configuration would be: without windows only {@code on=event} rules of
     * field {@code value}.
     *
     * @param file    the file.
     * @param windows whether the daemon has windows.
     * @return the rules, in name order.
     * @throws ConfigurationException naming the key and value of the first bad attribute.
     * @throws UncheckedIOException   when the file cannot be read.
     */
    public static List<AlertRule> read(final Path file, final boolean windows)
    {
        final List<AlertRule> rules = AlertRule.parse(alertKeys(file));
        if (!windows)
        {
            for (final AlertRule rule : rules)
            {
                if (rule.on() == AlertRule.On.WINDOW || rule.field() != AlertRule.Field.VALUE)
                {
                    throw new ConfigurationException(AlertRule.PREFIX + rule.name() + ".on",
                        rule.on().name().toLowerCase(java.util.Locale.ROOT), "with field " +
                        rule.field().name().toLowerCase(java.util.Locale.ROOT) + " needs windows, and the daemon " +
                        "has none (sluice.window.type=none): only on=event rules of field value");
                }
            }
        }
        return rules;
    }

    /**
     * @param file a rule file.
     * @return its {@code sluice.alert.*} keys and values.
     * @throws UncheckedIOException when the file cannot be read.
     */
    public static Properties alertKeys(final Path file)
    {
        final Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file))
        {
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read rule file " + file, ex);
        }
        final Properties rules = new Properties();
        for (final String key : properties.stringPropertyNames())
        {
            if (key.startsWith(AlertRule.PREFIX))
            {
                rules.setProperty(key, properties.getProperty(key));
            }
        }
        return rules;
    }

    /**
     * Write rules as a rule file, atomically (a temporary file moved into place).
     *
     * @param file  where.
     * @param rules the rules.
     * @throws UncheckedIOException when it cannot be written.
     */
    public static void write(final Path file, final List<AlertRule> rules)
    {
        final StringBuilder text = new StringBuilder();
        for (final AlertRule rule : rules)
        {
            final String base = AlertRule.PREFIX + rule.name() + ".";
            text.append(base).append("on=").append(rule.on().name().toLowerCase(java.util.Locale.ROOT)).append('\n')
                .append(base).append("field=").append(rule.field().name().toLowerCase(java.util.Locale.ROOT))
                .append('\n')
                .append(base).append("op=").append(rule.op().symbol()).append('\n')
                .append(base).append("threshold=").append(rule.threshold()).append('\n');
        }
        final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try
        {
            Files.writeString(temporary, text);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write rule file " + file, ex);
        }
    }

    /**
     * @param rules rules.
     * @return them on one line, as the start-up summary and the tools print them:
     * {@code hot: on window max > 100.0, cold: ...}, or {@code none}.
     */
    public static String describe(final List<AlertRule> rules)
    {
        if (rules.isEmpty())
        {
            return "none";
        }
        final StringBuilder b = new StringBuilder();
        for (final AlertRule rule : rules)
        {
            b.append(b.length() == 0 ? "" : ", ").append(rule.name()).append(": on ")
                .append(rule.on().name().toLowerCase(java.util.Locale.ROOT)).append(' ')
                .append(rule.field().name().toLowerCase(java.util.Locale.ROOT)).append(' ')
                .append(rule.op().symbol()).append(' ').append(rule.threshold());
        }
        return b.toString();
    }

    /**
     * Refuse a request on the control path: its reason into its refusal file (which the tool prints), reported to
     * the error handler, and its request file deleted. The caller publishes the outcome in its counters.
     *
     * @param dir          the daemon's (or node's) media driver directory.
     * @param id           the request.
     * @param reason       why, naming the rule, key or member.
     * @param errorHandler where the refusal and any file error are reported.
     */
    public static void refuse(final Path dir, final long id, final String reason, final ErrorHandler errorHandler)
    {
        try
        {
            Files.writeString(refusalFile(dir, id), reason + "\n");
        }
        catch (final IOException ex)
        {
            errorHandler.onError(ex);
        }
        errorHandler.onError(new IllegalArgumentException("sluice rules apply refused: " + reason));
        deleteQuietly(requestFile(dir, id), errorHandler);
    }

    /**
     * Delete a request's file, reporting (not throwing) a failure.
     *
     * @param file         the file.
     * @param errorHandler where a failure is reported.
     */
    public static void deleteQuietly(final Path file, final ErrorHandler errorHandler)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            errorHandler.onError(ex);
        }
    }
}
