package io.sluice.tools;

import io.sluice.config.SluiceConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of the command table ({@link Commands}): the command's name, a line saying what it does, its options
 * and the code that runs it. The usage text of {@code sluice}, of {@code sluice COMMAND --help} and the command
 * reference in docs/operations.md are all rendered from these entries.
 *
 * @param name           the command as typed, {@code journal export} for a sub-command.
 * @param summary        what it does, one sentence without a full stop.
 * @param defaultProfile the profile (relative to the installation) used without {@code --config}; null for none.
 * @param options        every option it takes, in the order its synopsis shows them.
 * @param listed         false for a command only the launcher and the daemon run ({@code direct-memory}).
 * @param passThrough    true when the command's options are checked by the program it starts ({@code bench}).
 * @param handler        runs it.
 */
public record Command(
    String name,
    String summary,
    String defaultProfile,
    List<Option> options,
    boolean listed,
    boolean passThrough,
    Handler handler)
{
    /** Width the usage text is wrapped to. */
    public static final int WIDTH = 112;

    /**
     * Runs a command once its command line has been checked against its options.
     */
    @FunctionalInterface
    public interface Handler
    {
        /**
         * @param args   the checked command line.
         * @param config the configuration of {@code --config} (or the default profile) with the system properties
         *               over it.
         * @return the exit code.
         * @throws Exception reported by {@link SluiceMain#run} as a failure (exit 1), or as a configuration error
         *                   (exit 2) for {@link io.sluice.config.ConfigurationException}.
         */
        int run(Arguments args, SluiceConfig config) throws Exception;
    }

    /**
     * @param name the option as typed.
     * @return the option, or null when the command has none of that name.
     */
    public Option option(final String name)
    {
        for (final Option option : options)
        {
            if (option.name().equals(name))
            {
                return option;
            }
        }
        return null;
    }

    /**
     * @return {@code NAME OPTIONS}, wrapped to {@link #WIDTH} with continuation lines under the first option and
     * preceded by {@code indent}.
     */
    String synopsis(final String indent)
    {
        final List<String> words = new ArrayList<>();
        for (final Option option : options)
        {
            words.add(option.synopsis());
        }
        if (passThrough)
        {
            words.add("[OPTIONS]");
        }
        return wrap(indent + name, words, " ".repeat(indent.length() + name.length() + 1));
    }

    /**
     * @return what {@code sluice NAME --help} prints: the synopsis, the summary, then each option with its help.
     */
    public String usage()
    {
        final StringBuilder text = new StringBuilder();
        text.append(synopsis("usage: sluice ")).append('\n');
        text.append(wrap("", List.of(summary.split(" ")), "")).append('\n');
        int width = "--help".length();
        for (final Option option : options)
        {
            width = Math.max(width, option.withArgument().length());
        }
        if (!options.isEmpty())
        {
            text.append('\n');
        }
        final String hang = " ".repeat(width + 4);
        for (final Option option : options)
        {
            final String head = "  " + option.withArgument() + " ".repeat(width - option.withArgument().length() + 2);
            text.append(wrap(head, List.of(option.help().split(" ")), hang)).append('\n');
        }
        if (null != defaultProfile && null != option("--config"))
        {
            text.append("Without --config: ").append(defaultProfile).append('\n');
        }
        return text.toString();
    }

    /**
     * @return {@code first} followed by the words, each line at most {@link #WIDTH} wide where a word allows,
     * continuation lines starting with {@code hang}.
     */
    static String wrap(final String first, final List<String> words, final String hang)
    {
        final StringBuilder text = new StringBuilder(first);
        int lineStart = 0;
        boolean lineHasWord = !first.isBlank();
        for (final String word : words)
        {
            if (lineHasWord && text.length() - lineStart + 1 + word.length() > WIDTH)
            {
                text.append('\n');
                lineStart = text.length();
                text.append(hang);
            }
            if (text.length() > lineStart && ' ' != text.charAt(text.length() - 1))
            {
                text.append(' ');
            }
            text.append(word);
            lineHasWord = true;
        }
        return text.toString();
    }
}
