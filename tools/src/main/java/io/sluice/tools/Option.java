package io.sluice.tools;

/**
 * One option of a {@link Command}: its name, the name of its argument and a line of help.
 *
 * @param name     the option as typed, {@code --config}.
 * @param argument the argument's name in the usage ({@code FILE}); null for a flag; in brackets ({@code [SECONDS]})
 *                 when it may be left out, then the next word is taken only when it does not start with {@code --}.
 * @param required true when the command refuses to run without it.
 * @param help     what it does, for {@code sluice COMMAND --help}.
 */
public record Option(String name, String argument, boolean required, String help)
{
    /**
     * @param name     the option as typed.
     * @param argument the argument's name.
     * @param help     what it does.
     * @return an option that takes a value and may be left out.
     */
    public static Option value(final String name, final String argument, final String help)
    {
        return new Option(name, argument, false, help);
    }

    /**
     * @param name     the option as typed.
     * @param argument the argument's name.
     * @param help     what it does.
     * @return an option that takes a value and must be given.
     */
    public static Option required(final String name, final String argument, final String help)
    {
        return new Option(name, argument, true, help);
    }

    /**
     * @param name the option as typed.
     * @param help what it does.
     * @return an option without a value.
     */
    public static Option flag(final String name, final String help)
    {
        return new Option(name, null, false, help);
    }

    /**
     * @return true when the option takes a value.
     */
    public boolean takesValue()
    {
        return null != argument;
    }

    /**
     * @return true when the value may be left out ({@code --watch [SECONDS]}).
     */
    public boolean valueOptional()
    {
        return null != argument && argument.startsWith("[");
    }

    /**
     * @return the option with its argument, {@code --config FILE}.
     */
    public String withArgument()
    {
        return null == argument ? name : name + " " + argument;
    }

    /**
     * @return how the option shows in the command's synopsis: {@code [--config FILE]}, or without brackets when
     * required.
     */
    public String synopsis()
    {
        return required ? withArgument() : "[" + withArgument() + "]";
    }
}
