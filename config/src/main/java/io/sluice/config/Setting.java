package io.sluice.config;

import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * One setting, declared once: its key, its default as written in {@code config/defaults.properties}, the parser
 * that turns text into a value (checking its range and naming the key in every failure), the renderer that writes
 * a value back the way a user writes it, and one line of documentation. Every setting is declared in
 * {@link Settings}; {@link SluiceConfig} derives the known keys, the parsing and {@link SluiceConfig#effective()}
 * from that table.
 * <p>
 * A default is either literal text, parsed like a value the user wrote, or derived when the configuration is
 * loaded (from the host, or from a setting declared earlier); {@code config/defaults.properties} shows a derived
 * default only as a commented-out example.
 * <p>
 * Immutable; safe to share between threads.
 *
 * @param <T> type of the concluded value.
 */
public final class Setting<T>
{
    /** Nanoseconds in a microsecond. */
    static final long MICROSECOND_NS = 1_000L;
    /** Nanoseconds in a millisecond. */
    static final long MILLISECOND_NS = 1_000_000L;
    /** Nanoseconds in a second. */
    static final long SECOND_NS = 1_000_000_000L;
    /** Nanoseconds in an hour. */
    static final long HOUR_NS = 3_600L * SECOND_NS;
    /** Nanoseconds in a day. */
    static final long DAY_NS = 24L * HOUR_NS;

    private static final String DURATION_FORMAT = "must be a duration with a unit: ns, us, ms or s (e.g. 10ms)";
    private static final String SEED_FORMAT =
        "must be random or a 64-bit integer, decimal or hexadecimal with 0x (e.g. 0x5eed)";

    /**
     * Turns the text of a setting into its value.
     *
     * @param <T> type of the value.
     */
    @FunctionalInterface
    public interface Parser<T>
    {
        /**
         * @param key  the setting's key, for the error message.
         * @param text the text to parse, trimmed; never null.
         * @return the value.
         * @throws ConfigurationException naming the key, the text and what is allowed.
         */
        T parse(String key, String text);
    }

    /**
     * The values concluded so far while a configuration loads, for defaults derived from settings declared earlier.
     */
    interface Concluded
    {
        /**
         * @param setting a setting declared before the one asking.
         * @param <V>     its type.
         * @return its concluded value.
         */
        <V> V value(Setting<V> setting);
    }

    private final String key;
    private final String defaultText;
    private final Function<Concluded, String> derivedDefault;
    private final Parser<T> parser;
    private final Function<T, String> renderer;
    private final String description;

    private Setting(
        final String key,
        final String defaultText,
        final Function<Concluded, String> derivedDefault,
        final Parser<T> parser,
        final Function<T, String> renderer,
        final String description)
    {
        this.key = key;
        this.defaultText = defaultText;
        this.derivedDefault = derivedDefault;
        this.parser = parser;
        this.renderer = renderer;
        this.description = description;
    }

    /**
     * @param key          property name.
     * @param defaultText  the default, as written in the defaults file.
     * @param parser       parses and validates a value.
     * @param renderer     writes a value back as a user writes it; parsing its output gives the value again.
     * @param description  one line: what the setting means and its unit.
     * @param <T>          type of the value.
     * @return the setting.
     */
    public static <T> Setting<T> of(
        final String key,
        final String defaultText,
        final Parser<T> parser,
        final Function<T, String> renderer,
        final String description)
    {
        return new Setting<>(key, defaultText, null, parser, renderer, description);
    }

    /**
     * @param key         property name.
     * @param defaultText the default.
     * @param description one line: what the setting means.
     * @return a free-text setting.
     */
    public static Setting<String> text(final String key, final String defaultText, final String description)
    {
        return of(key, defaultText, (k, text) -> text, Function.identity(), description);
    }

    /**
     * @param key         property name.
     * @param defaultText the default Aeron URI.
     * @param description one line: what the channel carries.
     * @return a setting holding an Aeron UDP or IPC channel URI.
     */
    public static Setting<String> channel(final String key, final String defaultText, final String description)
    {
        return of(key, defaultText, Setting::parseChannel, Function.identity(), description);
    }

    /**
     * @param key          property name.
     * @param defaultValue the default.
     * @param min          smallest allowed.
     * @param max          largest allowed.
     * @param description  one line: what the setting means.
     * @return a decimal {@code int} setting.
     */
    public static Setting<Integer> integer(
        final String key, final int defaultValue, final int min, final int max, final String description)
    {
        return of(key, Integer.toString(defaultValue), (k, text) -> (int)parseLong(k, text, min, max),
            (value) -> Integer.toString(value), description);
    }

    /**
     * @param key          property name.
     * @param defaultValue the default.
     * @param min          smallest allowed.
     * @param max          largest allowed.
     * @param description  one line: what the setting means and its unit.
     * @return a decimal {@code long} setting.
     */
    public static Setting<Long> longInteger(
        final String key, final long defaultValue, final long min, final long max, final String description)
    {
        return of(key, Long.toString(defaultValue), (k, text) -> parseLong(k, text, min, max),
            (value) -> Long.toString(value), description);
    }

    /**
     * @param key          property name.
     * @param defaultValue the default, a power of two.
     * @param min          smallest allowed.
     * @param max          largest allowed, at most {@code 2^30}.
     * @param description  one line: what the setting counts.
     * @return a count that must be a power of two, written as a size ({@code 65536}, {@code 64k}, {@code 1m}).
     */
    public static Setting<Integer> powerOfTwo(
        final String key, final int defaultValue, final int min, final int max, final String description)
    {
        return of(key, Integer.toString(defaultValue), (k, text) -> parsePowerOfTwo(k, text, min, max),
            (value) -> Integer.toString(value), description);
    }

    /**
     * @param key         property name.
     * @param defaultText the default with its unit, e.g. {@code 1s}.
     * @param minNs       shortest allowed, ns.
     * @param maxNs       longest allowed, ns.
     * @param description one line: what the duration bounds.
     * @return a duration setting whose value is in nanoseconds.
     */
    public static Setting<Long> duration(
        final String key, final String defaultText, final long minNs, final long maxNs, final String description)
    {
        return of(key, defaultText, (k, text) -> parseDurationNs(k, text, minNs, maxNs), Setting::formatDuration,
            description);
    }

    /**
     * @param key          property name.
     * @param defaultValue the default, one of the allowed constants.
     * @param allowed      the constants a user may choose; written lower case with '-' for '_'.
     * @param <E>          the enum.
     * @param description  one line: what the choice decides.
     * @return a setting choosing one of the allowed constants.
     */
    public static <E extends Enum<E>> Setting<E> choice(
        final String key, final E defaultValue, final Set<E> allowed, final String description)
    {
        final Set<E> copy = EnumSet.copyOf(allowed);
        return of(key, formatEnum(defaultValue), (k, text) -> parseEnum(k, text, copy), Setting::formatEnum, description);
    }

    /**
     * @param key         property name.
     * @param description one line: what listens there.
     * @return a TCP endpoint {@code host:port} to listen on ({@code [v6-address]:port} for an IPv6 literal), port
     * 0 for any free port; empty (the default) for off.
     */
    public static Setting<String> endpoint(final String key, final String description)
    {
        return of(key, "", Setting::parseEndpoint, Function.identity(), description);
    }

    /**
     * @param key         property name.
     * @param description one line: which threads the CPUs are for.
     * @return a comma-separated list of CPU numbers; default empty (no pinning). Values are fresh arrays.
     */
    public static Setting<int[]> cpuList(final String key, final String description)
    {
        return of(key, "", Setting::parseCpuList, Setting::formatCpuList, description);
    }

    /**
     * @param key         property name.
     * @param description one line: what the seed seeds.
     * @return a 64-bit seed: {@code random} (the default) draws a non-zero seed from {@link java.security.SecureRandom}
     * when the configuration loads; otherwise a decimal or {@code 0x} hexadecimal long. Rendered as 16 hex digits, so
     * the effective value reproduces the run.
     */
    public static Setting<Long> seed(final String key, final String description)
    {
        return of(key, "random", Setting::parseSeed, (value) -> String.format(Locale.ROOT, "0x%016x", value),
            description);
    }

    /**
     * @param documented how the default is described in the defaults file and the accessor's javadoc.
     * @param rule       computes the default's text when the configuration loads, from the host or from settings
     *                   declared earlier.
     * @return this setting with a derived default instead of a literal one.
     */
    Setting<T> derivedDefault(final String documented, final Function<Concluded, String> rule)
    {
        return new Setting<>(key, documented, rule, parser, renderer, description);
    }

    /**
     * @return the property name, e.g. {@code sluice.ring.length}.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return the default as written in {@code config/defaults.properties}; for a derived default, its description.
     */
    public String defaultText()
    {
        return defaultText;
    }

    /**
     * @return true when the default is concluded at load (from the host or another setting), so the defaults file
     * shows it only as a commented-out example.
     */
    public boolean isDerivedDefault()
    {
        return null != derivedDefault;
    }

    /**
     * @return one line: what the setting means and its unit.
     */
    public String description()
    {
        return description;
    }

    /**
     * @param text the text a user wrote, trimmed and not empty.
     * @return the value.
     * @throws ConfigurationException naming the key, the text and what is allowed.
     */
    public T parse(final String text)
    {
        return parser.parse(key, text);
    }

    /**
     * @param value a value of this setting.
     * @return the value as a user writes it; {@link #parse(String)} of it gives the value again.
     */
    public String render(final T value)
    {
        return renderer.apply(value);
    }

    /**
     * The declared default as a value, for a component's context used without a configuration (tests, embedding).
     *
     * @return the literal default parsed, a fresh draw each call for {@code random}.
     * @throws IllegalStateException when the default is derived at load ({@link #isDerivedDefault()}), so only a
     *                               loaded configuration can conclude it.
     */
    public T defaultValue()
    {
        if (isDerivedDefault())
        {
            throw new IllegalStateException(key + " has a default derived at load: " + defaultText);
        }
        return parse(defaultText);
    }

    /**
     * Check a value given in code (a component's context) against the declared parser and range, exactly as if a
     * user had written it.
     *
     * @param value the value to check, not null.
     * @return the value.
     * @throws ConfigurationException naming the key, the value and what is allowed.
     */
    public T check(final T value)
    {
        if (null == value)
        {
            throw new ConfigurationException(key, "null", "must be set");
        }
        parse(render(value));
        return value;
    }

    /**
     * Conclude a value a component's context was given in code: the declared default when none was given, else the
     * value checked by {@link #check(Object)}.
     *
     * @param value the value given, or null for none.
     * @return the concluded value.
     * @throws ConfigurationException naming the key when the value is out of range.
     * @throws IllegalStateException  when none was given and the default is derived at load.
     */
    public T valueOrDefault(final T value)
    {
        return null == value ? defaultValue() : check(value);
    }

    T conclude(final String given, final Concluded earlier)
    {
        if (null != given && !given.isEmpty())
        {
            return parse(given);
        }
        return parse(null == derivedDefault ? defaultText : derivedDefault.apply(earlier));
    }

    @SuppressWarnings("unchecked")
    String renderObject(final Object value)
    {
        return render((T)value);
    }

    /**
     * @param ns a duration in nanoseconds.
     * @return the duration in the largest of s, ms, us and ns that holds it exactly, e.g. {@code 300ms}; 0 is
     * {@code 0s}.
     */
    public static String formatDuration(final long ns)
    {
        if (ns % SECOND_NS == 0)
        {
            return ns / SECOND_NS + "s";
        }
        if (ns % MILLISECOND_NS == 0)
        {
            return ns / MILLISECOND_NS + "ms";
        }
        if (ns % MICROSECOND_NS == 0)
        {
            return ns / MICROSECOND_NS + "us";
        }
        return ns + "ns";
    }

    static String formatEnum(final Enum<?> value)
    {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static <E extends Enum<E>> E parseEnum(final String key, final String text, final Set<E> allowed)
    {
        final String name = text.toUpperCase(Locale.ROOT).replace('-', '_');
        for (final E constant : allowed)
        {
            if (constant.name().equals(name))
            {
                return constant;
            }
        }
        final StringBuilder names = new StringBuilder();
        for (final E constant : allowed)
        {
            names.append(names.length() == 0 ? "" : ", ").append(formatEnum(constant));
        }
        throw new ConfigurationException(key, text, "must be one of: " + names);
    }

    static long parseLong(final String key, final String text, final long min, final long max)
    {
        final long value;
        try
        {
            value = Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(key, text, "must be an integer in [" + min + ", " + max + "]");
        }
        checkRange(key, text, value, min, max);
        return value;
    }

    static int parsePowerOfTwo(final String key, final String text, final int min, final int max)
    {
        final long value = parseSize(key, text, min, max);
        if (Long.bitCount(value) != 1)
        {
            throw new ConfigurationException(key, text, "must be a power of two");
        }
        return (int)value;
    }

    static long parseSize(final String key, final String text, final long min, final long max)
    {
        final String lower = text.toLowerCase(Locale.ROOT);
        long multiplier = 1;
        String digits = lower;
        final char last = lower.charAt(lower.length() - 1);
        if ('k' == last || 'm' == last || 'g' == last)
        {
            multiplier = 'k' == last ? 1024L : 'm' == last ? 1024L * 1024 : 1024L * 1024 * 1024;
            digits = lower.substring(0, lower.length() - 1).trim();
        }
        final long value;
        try
        {
            value = Math.multiplyExact(Long.parseLong(digits), multiplier);
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            throw new ConfigurationException(key, text, "must be a size such as 65536, 64k or 1m");
        }
        checkRange(key, text, value, min, max);
        return value;
    }

    static long parseDurationNs(final String key, final String text, final long minNs, final long maxNs)
    {
        final String lower = text.toLowerCase(Locale.ROOT);
        final long unitNs;
        final int suffix;
        if (lower.endsWith("ns"))
        {
            unitNs = 1;
            suffix = 2;
        }
        else if (lower.endsWith("us"))
        {
            unitNs = MICROSECOND_NS;
            suffix = 2;
        }
        else if (lower.endsWith("ms"))
        {
            unitNs = MILLISECOND_NS;
            suffix = 2;
        }
        else if (lower.endsWith("s"))
        {
            unitNs = SECOND_NS;
            suffix = 1;
        }
        else
        {
            throw new ConfigurationException(key, text, DURATION_FORMAT);
        }
        final long count;
        try
        {
            count = Long.parseLong(lower.substring(0, lower.length() - suffix).trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(key, text, DURATION_FORMAT);
        }
        if (count < minNs / unitNs || count > maxNs / unitNs || count * unitNs < minNs || count * unitNs > maxNs)
        {
            throw new ConfigurationException(
                key, text, "must be between " + formatDuration(minNs) + " and " + formatDuration(maxNs));
        }
        return count * unitNs;
    }

    private static String parseChannel(final String key, final String text)
    {
        if (!text.startsWith("aeron:udp") && !text.startsWith("aeron:ipc"))
        {
            throw new ConfigurationException(key, text, "must be an Aeron URI starting aeron:udp or aeron:ipc");
        }
        return text;
    }

    private static String parseEndpoint(final String key, final String text)
    {
        if (text.isEmpty())
        {
            return text;
        }
        final int colon = text.lastIndexOf(':');
        final String host = colon > 0 ? text.substring(0, colon) : "";
        final boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
        if (host.isEmpty() || (host.indexOf(':') >= 0 && !bracketed) || host.indexOf(' ') >= 0)
        {
            throw new ConfigurationException(key, text,
                "must be host:port, e.g. localhost:9464 ([address]:port for IPv6), or empty for off");
        }
        final String port = text.substring(colon + 1);
        try
        {
            final int value = Integer.parseInt(port);
            if (value < 0 || value > 65535)
            {
                throw new NumberFormatException(port);
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(key, text, "must end in a port in [0, 65535] (0: any free port)");
        }
        return text;
    }

    private static int[] parseCpuList(final String key, final String text)
    {
        if (text.isEmpty())
        {
            return new int[0];
        }
        final String[] parts = text.split(",");
        final int[] result = new int[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            try
            {
                result[i] = Integer.parseInt(parts[i].trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new ConfigurationException(key, text, "must be a comma-separated list of CPU numbers, e.g. 2,3");
            }
            if (result[i] < 0)
            {
                throw new ConfigurationException(key, text, "must list CPU numbers >= 0");
            }
        }
        return result;
    }

    private static String formatCpuList(final int[] cpus)
    {
        final StringBuilder b = new StringBuilder();
        for (final int cpu : cpus)
        {
            b.append(b.length() == 0 ? "" : ",").append(cpu);
        }
        return b.toString();
    }

    private static Long parseSeed(final String key, final String text)
    {
        if ("random".equalsIgnoreCase(text))
        {
            final SecureRandom random = new SecureRandom();
            long seed = 0;
            while (0 == seed)
            {
                seed = random.nextLong();
            }
            return seed;
        }
        try
        {
            if (text.startsWith("0x") || text.startsWith("0X"))
            {
                return Long.parseUnsignedLong(text.substring(2), 16);
            }
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(key, text, SEED_FORMAT);
        }
    }

    private static void checkRange(final String key, final String text, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new ConfigurationException(key, text, "must be in [" + min + ", " + max + "]");
        }
    }
}
