package io.sluice.tools.rules;

import io.sluice.config.AlertRule;
import io.sluice.server.rules.RuleRequests;
import io.sluice.tools.CommandRun;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code sluice rules apply} before it reaches a daemon: a bad rule exits 2 naming the key, the value and what is
 * allowed, and writes no request; no daemon exits 1; a written request reads back as the rules it holds.
 */
class RulesApplyCommandTest
{
    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-rules-cmd-" + System.nanoTime());

    @AfterEach
    void tearDown()
    {
        IoUtil.delete(dir.toFile(), true);
    }

    @Test
    void shouldExitTwoNamingTheRuleKeyOfABadOperatorAndWriteNoRequest() throws IOException
    {
        final Path rules = write("bad.properties", "sluice.alert.hot.on=event\nsluice.alert.hot.field=value\n" +
            "sluice.alert.hot.op==>\nsluice.alert.hot.threshold=5\n");
        final CommandRun run = CommandRun.of("rules", "apply", "--rules", rules.toString(), "--config", daemonConfig());
        assertEquals(2, run.exit());
        assertEquals("sluice: configuration error: sluice.alert.hot.op==> must be one of: >, >=, <, <=\n", run.err());
        assertFalse(Files.exists(Path.of(driverDir())), "nothing written for the daemon");
    }

    @Test
    void shouldExitTwoOnAWindowRuleForADaemonWithoutWindows() throws IOException
    {
        final Path rules = write("window.properties", "sluice.alert.w.on=window\nsluice.alert.w.field=max\n" +
            "sluice.alert.w.op=>\nsluice.alert.w.threshold=1\n");
        final CommandRun run = CommandRun.of("rules", "apply", "--rules", rules.toString(), "--config", daemonConfig());
        assertEquals(2, run.exit());
        assertEquals("sluice: configuration error: sluice.alert.w.on=window with field max needs windows, and the " +
            "daemon has none (sluice.window.type=none): only on=event rules of field value\n", run.err());
    }

    @Test
    void shouldExitTwoOnAMissingThresholdNamingIt() throws IOException
    {
        final Path rules = write("missing.properties", "sluice.alert.cold.on=event\nsluice.alert.cold.field=value\n" +
            "sluice.alert.cold.op=<\n");
        final CommandRun run = CommandRun.of("rules", "apply", "--rules", rules.toString(), "--config", daemonConfig());
        assertEquals(2, run.exit());
        assertEquals("sluice: configuration error: sluice.alert.cold.threshold= is required: must be a finite " +
            "number\n", run.err());
    }

    @Test
    void shouldExitOneWhenNoDaemonRuns() throws IOException
    {
        final Path rules = write("good.properties", "sluice.alert.hot.on=event\nsluice.alert.hot.field=value\n" +
            "sluice.alert.hot.op=>\nsluice.alert.hot.threshold=5\n");
        final CommandRun run = CommandRun.of("rules", "apply", "--rules", rules.toString(), "--config", daemonConfig());
        assertEquals(1, run.exit(), run.out() + run.err());
        assertEquals(true, run.out().startsWith("sluice rules: "), run.out());
    }

    @Test
    void shouldWriteARequestThatReadsBackAsTheSameRules() throws IOException
    {
        Files.createDirectories(dir);
        final List<AlertRule> rules = List.of(
            new AlertRule("a-rule", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.LE, -0.5),
            new AlertRule("b", 1, AlertRule.On.WINDOW, AlertRule.Field.MEAN, AlertRule.Op.GE, 1e300));
        final Path file = RuleRequests.requestFile(dir, 42);
        RuleRequests.write(file, rules);
        assertEquals(rules, RuleRequests.read(file, true));
    }

    private String daemonConfig() throws IOException
    {
        return write("daemon.properties", "sluice.driver.dir=" + driverDir() + "\n").toString();
    }

    private String driverDir()
    {
        return dir.resolve("driver").toString();
    }

    private Path write(final String name, final String text) throws IOException
    {
        Files.createDirectories(dir);
        final Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
