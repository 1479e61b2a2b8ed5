package io.sluice.tools;

import io.sluice.config.ConfigurationException;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command line checked against its {@link Command}'s options: every word is an option of the command or the
 * value of the option before it, else {@link UsageException}. Main thread only.
 */
public final class Arguments
{
    /** The option that prints the command's usage. */
    public static final String HELP = "--help";
    /**
     * System property the launcher sets to the installation (the checkout or the unpacked distribution): a
     * command's default profile is looked up under it.
     */
    public static final String HOME_PROPERTY = "io.sluice.tools.home";

    private final Command command;
    private final String[] words;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, List<String>> repeated = new LinkedHashMap<>();
    private boolean help;

    private Arguments(final Command command, final String[] words)
    {
        this.command = command;
        this.words = words;
    }

    /**
     * @param command the command's table entry.
     * @param words   the whole command line, the command's name (one or two words) first.
     * @return the options given; with {@value #HELP} anywhere after the command's name, only that.
     * @throws UsageException naming the word when it is not an option of the command, or an option's value is
     *                        missing.
     */
    public static Arguments parse(final Command command, final String[] words)
    {
        final Arguments args = new Arguments(command, words);
        final int first = command.name().split(" ").length;
        for (int i = first; i < words.length; i++)
        {
            if (HELP.equals(words[i]))
            {
                args.help = true;
                return args;
            }
        }
        for (int i = first; i < words.length; i++)
        {
            final String word = words[i];
            if (command.passThrough())
            {
                continue;
            }
            final Option option = command.option(word);
            if (null == option)
            {
                throw new UsageException("sluice " + command.name() + ": " + (word.startsWith("-") ?
                    "unknown option " : "unexpected argument ") + word + " (sluice " + command.name() +
                    " --help: its options)");
            }
            String value = "";
            if (option.valueOptional())
            {
                if (i + 1 < words.length && !words[i + 1].startsWith("--"))
                {
                    value = words[++i];
                }
            }
            else if (option.takesValue())
            {
                if (i + 1 >= words.length)
                {
                    throw new UsageException("sluice " + command.name() + ": " + word + " needs a value: " +
                        option.withArgument());
                }
                value = words[++i];
            }
            args.values.putIfAbsent(word, value);
            args.repeated.computeIfAbsent(word, (name) -> new ArrayList<>()).add(value);
        }
        for (final Option option : command.options())
        {
            if (option.required() && !args.values.containsKey(option.name()))
            {
                throw new ConfigurationException(option.name(), "(missing)", "is required: " + option.help());
            }
        }
        return args;
    }

    /**
     * @return the command.
     */
    public Command command()
    {
        return command;
    }

    /**
     * @return the whole command line as given, the command's name first.
     */
    public String[] words()
    {
        return words.clone();
    }

    /**
     * @return true when {@code --help} was given.
     */
    public boolean help()
    {
        return help;
    }

    /**
     * @param name the option.
     * @return true when it was given.
     */
    public boolean has(final String name)
    {
        return values.containsKey(name);
    }

    /**
     * @param name         the option.
     * @param defaultValue what to answer when it was not given.
     * @return its value (the first when given twice; empty for a flag or an optional value left out).
     */
    public String value(final String name, final String defaultValue)
    {
        return values.getOrDefault(name, defaultValue);
    }

    /**
     * @param name an option that may be given more than once ({@code topology init --appliance}).
     * @return its values in the order given, empty when it was not given.
     */
    public List<String> values(final String name)
    {
        return List.copyOf(repeated.getOrDefault(name, List.of()));
    }

    /**
     * @param name the option.
     * @return its value, or null when it was not given.
     */
    public String value(final String name)
    {
        return values.get(name);
    }

    /**
     * @param name         the option.
     * @param defaultValue what to answer when it was not given.
     * @param min          the least value taken.
     * @param max          the greatest value taken.
     * @return the option's number, or the default when it was not given.
     * @throws ConfigurationException naming the option when it is not a number from min to max.
     */
    public long number(final String name, final long defaultValue, final long min, final long max)
    {
        final String value = value(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            final long number = Long.parseLong(value.trim());
            if (number >= min && number <= max)
            {
                return number;
            }
        }
        catch (final NumberFormatException ex)
        {
            // answered below
        }
        throw new ConfigurationException(name, value, "must be a number from " + min + " to " + max);
    }

    /**
     * @param name the option.
     * @return its value as a path, or null when it was not given.
     */
    public Path path(final String name)
    {
        final String value = value(name);
        return null == value ? null : Paths.get(value);
    }

    /**
     * @return {@code --config}, else the command's default profile under {@value #HOME_PROPERTY} when the launcher
     * set it, else null (the built-in defaults).
     */
    public Path configFile()
    {
        final String given = value("--config");
        if (null != given)
        {
            return Paths.get(given);
        }
        final String home = System.getProperty(HOME_PROPERTY);
        if (null != command.defaultProfile() && null != home && null != command.option("--config"))
        {
            return Paths.get(home).resolve(command.defaultProfile());
        }
        return null;
    }
}
