package io.sluice.tools;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandTableTest
{
    /** The operations guide, whose "Commands" section shows {@link Commands#overview()} (tools/ is the test's dir). */
    private static final Path OPERATIONS = Path.of("../docs/operations.md");
    private static final String SECTION = "## Commands";

    @Test
    void shouldRefuseAnUnknownOptionOfEveryCommandWithExitCodeTwoNamingIt()
    {
        for (final Command command : Commands.TABLE)
        {
            if (command.passThrough())
            {
                continue;
            }
            final CommandRun output = CommandRun.of(words(command, "--no-such-option", "1"));
            assertEquals(2, output.exit(), command.name());
            assertEquals("sluice " + command.name() + ": unknown option --no-such-option (sluice " + command.name() +
                " --help: its options)\n", output.err(), command.name());
            assertEquals("", output.out(), command.name());
        }
    }

    @Test
    void shouldPrintEveryCommandsUsageForHelpWithExitCodeZero()
    {
        for (final Command command : Commands.TABLE)
        {
            final CommandRun output = CommandRun.of(words(command, "--help"));
            assertEquals(0, output.exit(), command.name());
            assertEquals(command.usage(), output.out(), command.name());
            assertTrue(output.out().startsWith("usage: sluice " + command.name()), output.out());
            for (final Option option : command.options())
            {
                assertTrue(output.out().contains("\n  " + option.withArgument() + "  "), option.name());
            }
            assertEquals("", output.err(), command.name());
        }
    }

    @Test
    void shouldPrintTheUsageForHelpBeforeCheckingRequiredOptionsAndTheConfiguration()
    {
        final CommandRun replay = CommandRun.of(new String[]{"replay", "--help"});
        assertEquals(0, replay.exit());
        assertEquals(Commands.find("replay").usage(), replay.out());
        assertEquals(0, CommandRun.of(new String[]{"daemon", "--config", "no/such/file.properties", "--help"})
            .exit());
        assertEquals(0, CommandRun.of(new String[]{"stat", "--no-such-option", "--help"}).exit());
        assertEquals(0, CommandRun.of(new String[]{"journal", "export", "--help"}).exit());
        assertEquals(Commands.find("journal export").usage(),
            CommandRun.of(new String[]{"journal", "export", "--help"}).out());
    }

    @Test
    void shouldTakeExportOnlyAsTheWordAfterJournal()
    {
        final CommandRun output = CommandRun.of(new String[]{"journal", "--config", "x.properties", "export", "--out",
            "y.csv"});
        assertEquals(2, output.exit());
        assertEquals("sluice journal: unexpected argument export (sluice journal --help: its options)\n",
            output.err());
    }

    @Test
    void shouldNameAnOptionWhoseValueIsMissing()
    {
        final CommandRun output = CommandRun.of(new String[]{"producer", "--rate"});
        assertEquals(2, output.exit());
        assertEquals("sluice producer: --rate needs a value: --rate N\n", output.err());
    }

    @Test
    void shouldNameAMissingRequiredOption()
    {
        final CommandRun output = CommandRun.of(new String[]{"replay", "--out", "x.csv"});
        assertEquals(2, output.exit());
        assertEquals("sluice: configuration error: --config=(missing) is required: the what-if configuration\n",
            output.err());
        assertEquals("sluice: configuration error: --out=(missing) is required: the file to write\n",
            CommandRun.of(new String[]{"journal", "export"}).err());
    }

    @Test
    void shouldPrintTheOverviewForHelpAndWithoutACommand()
    {
        final CommandRun help = CommandRun.of(new String[]{"help"});
        assertEquals(0, help.exit());
        assertEquals(Commands.overview(), help.out());
        final CommandRun none = CommandRun.of(new String[0]);
        assertEquals(2, none.exit());
        assertEquals(Commands.overview(), none.err());
        assertEquals("", none.out());
        for (final Command command : Commands.TABLE)
        {
            assertEquals(command.listed(), help.out().contains("\n  " + command.name() +
                (command.options().isEmpty() && !command.passThrough() ? "\n" : " ")), command.name());
        }
    }

    @Test
    void shouldRefuseAnUnknownCommandWithExitCodeTwo()
    {
        final CommandRun output = CommandRun.of(new String[]{"stats"});
        assertEquals(2, output.exit());
        assertEquals("sluice: unknown command stats (sluice help: the commands)\n", output.err());
    }

    @Test
    void shouldWrapTheUsageTo112Columns()
    {
        final List<String> texts = new ArrayList<>(List.of(Commands.overview()));
        Commands.TABLE.forEach((command) -> texts.add(command.usage()));
        for (final String text : texts)
        {
            text.lines().forEach((line) -> assertTrue(line.length() <= Command.WIDTH, line));
        }
    }

    @Test
    void shouldShowTheOverviewInTheOperationsGuidesCommandsSection() throws IOException
    {
        final String guide = Files.readString(OPERATIONS);
        final int section = guide.indexOf("\n" + SECTION + "\n");
        assertTrue(section >= 0, "docs/operations.md has a section " + SECTION);
        final int open = guide.indexOf("\n```text\n", section);
        final int close = guide.indexOf("\n```\n", open + 1);
        assertTrue(open > 0 && close > open, "the section holds a ```text block");
        assertEquals(Commands.overview(), guide.substring(open + "\n```text\n".length(), close + 1),
            "docs/operations.md's " + SECTION + " block is what `sluice help` prints (Commands.overview())");
    }

    @Test
    void shouldShowTheReplayCommandsSynopsesInTheReplayGuide() throws IOException
    {
        final String guide = Files.readString(Path.of("../docs/replay.md"));
        final String block = "```text\n" + Commands.find("replay").synopsis("./sluice ") + "\n" +
            Commands.find("journal export").synopsis("./sluice ") + "\n```\n";
        assertTrue(guide.contains(block), "docs/replay.md shows the table's synopses:\n" + block);
    }

    @Test
    void shouldLeaveTheUsageToTheCommandTableInTheLauncher() throws IOException
    {
        final String launcher = Files.readString(Path.of("../sluice"));
        for (final Command command : Commands.TABLE)
        {
            if (command.listed() && !command.options().isEmpty())
            {
                assertFalse(launcher.contains(command.synopsis("")), command.name());
            }
        }
        assertFalse(launcher.contains("[--config FILE]"), "the launcher keeps no copy of the options");
    }

    private static String[] words(final Command command, final String... options)
    {
        final List<String> words = new ArrayList<>(List.of(command.name().split(" ")));
        words.addAll(List.of(options));
        return words.toArray(new String[0]);
    }
}
