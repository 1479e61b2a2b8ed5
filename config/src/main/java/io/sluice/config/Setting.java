package io.sluice.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * One setting, declared once in {@link Settings}: its key, its default, the parser that turns text into a value
 * (checking its range and naming the key in every failure), the renderer that writes a value back the way a user
 * writes it, the allowed range and unit as the configuration reference shows them, its {@link Scope} and its
 * documentation. Everything else is derived from that declaration: the known keys, the parsing and
 * {@link SluiceConfig#effective()}, the key constants of {@link SluiceConfig}, the settings a journal's identity
 * and a cluster snapshot's fingerprint cover, {@code config/defaults.properties} and the table of
 * {@code docs/configuration.md} ({@link ConfigurationReference}).
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
    private final String example;
    private final Parser<T> parser;
    private final Function<T, String> renderer;
    private final String range;
    private final String unit;
    private final String documentation;
    private final Scope scope;
    private final Section section;

    private Setting(
        final String key,
        final String defaultText,
        final Function<Concluded, String> derivedDefault,
        final String example,
        final Parser<T> parser,
        final Function<T, String> renderer,
        final String range,
        final String unit,
        final String documentation,
        final Scope scope,
        final Section section)
    {
        this.key = key;
        this.defaultText = defaultText;
        this.derivedDefault = derivedDefault;
        this.example = example;
        this.parser = parser;
        this.renderer = renderer;
        this.range = range;
        this.unit = unit;
        this.documentation = documentation.strip();
        this.scope = scope;
        this.section = section;
    }

    /**
     * @param key           property name.
     * @param defaultText   the default, as written in the defaults file.
     * @param parser        parses and validates a value.
     * @param renderer      writes a value back as a user writes it; parsing its output gives the value again.
     * @param range         what values are allowed, as the configuration reference shows it.
     * @param unit          the unit of a value, empty when it has none.
     * @param documentation what the setting means, one or more lines as the defaults file prints them above it.
     * @param <T>           type of the value.
     * @return the setting, {@link Scope#LOCAL} until {@link Settings} declares it.
     */
    public static <T> Setting<T> of(
        final String key,
        final String defaultText,
        final Parser<T> parser,
        final Function<T, String> renderer,
        final String range,
        final String unit,
        final String documentation)
    {
        return new Setting<>(
            key, defaultText, null, null, parser, renderer, range, unit, documentation, Scope.LOCAL, null);
    }

    /**
     * @param key           property name.
     * @param defaultText   the default.
     * @param range         what text is allowed.
     * @param documentation what the setting means.
     * @return a free-text setting.
     */
    public static Setting<String> text(
        final String key, final String defaultText, final String range, final String documentation)
    {
        return of(key, defaultText, (k, text) -> text, Function.identity(), range, "", documentation);
    }

    /**
     * @param key           property name.
     * @param defaultText   the default Aeron URI.
     * @param documentation what the channel carries.
     * @return a setting holding an Aeron UDP or IPC channel URI.
     */
    public static Setting<String> channel(final String key, final String defaultText, final String documentation)
    {
        return of(key, defaultText, SettingText::parseChannel, Function.identity(),
            "an Aeron URI starting aeron:udp or aeron:ipc", "", documentation);
    }

    /**
     * @param key           property name.
     * @param defaultValue  the default.
     * @param min           smallest allowed.
     * @param max           largest allowed.
     * @param unit          what the number counts, empty when nothing.
     * @param documentation what the setting means.
     * @return a decimal {@code int} setting.
     */
    public static Setting<Integer> integer(
        final String key,
        final int defaultValue,
        final int min,
        final int max,
        final String unit,
        final String documentation)
    {
        return of(key, Integer.toString(defaultValue), (k, text) -> (int)SettingText.parseLong(k, text, min, max),
            (value) -> Integer.toString(value), "[" + min + ", " + max + "]", unit, documentation);
    }

    /**
     * @param key           property name.
     * @param defaultValue  the default.
     * @param min           smallest allowed.
     * @param max           largest allowed.
     * @param unit          what the number counts or measures.
     * @param documentation what the setting means.
     * @return a decimal {@code long} setting.
     */
    public static Setting<Long> longInteger(
        final String key,
        final long defaultValue,
        final long min,
        final long max,
        final String unit,
        final String documentation)
    {
        final String range = Long.MIN_VALUE == min && Long.MAX_VALUE == max ?
            "any 64-bit integer" : "[" + min + ", " + max + "]";
        return of(key, Long.toString(defaultValue), (k, text) -> SettingText.parseLong(k, text, min, max),
            (value) -> Long.toString(value), range, unit, documentation);
    }

    /**
     * @param key           property name.
     * @param defaultValue  the default, a power of two.
     * @param min           smallest allowed.
     * @param max           largest allowed, at most {@code 2^30}.
     * @param unit          what the number counts.
     * @param documentation what the setting means.
     * @return a count that must be a power of two, written as a size ({@code 65536}, {@code 64k}, {@code 1m}).
     */
    public static Setting<Integer> powerOfTwo(
        final String key,
        final int defaultValue,
        final int min,
        final int max,
        final String unit,
        final String documentation)
    {
        return of(key, Integer.toString(defaultValue), (k, text) -> SettingText.parsePowerOfTwo(k, text, min, max),
            (value) -> Integer.toString(value),
            "a power of two in [" + SettingText.formatSize(min) + ", " + SettingText.formatSize(max) + "]",
            unit + ", k/m/g suffixes", documentation);
    }

    /**
     * @param key           property name.
     * @param defaultText   the default with its unit, e.g. {@code 1s}.
     * @param minNs         shortest allowed, ns.
     * @param maxNs         longest allowed, ns.
     * @param documentation what the duration bounds.
     * @return a duration setting whose value is in nanoseconds.
     */
    public static Setting<Long> duration(
        final String key, final String defaultText, final long minNs, final long maxNs, final String documentation)
    {
        return of(key, defaultText, (k, text) -> SettingText.parseDurationNs(k, text, minNs, maxNs),
            SettingText::formatDuration,
            "[" + SettingText.formatDuration(minNs) + ", " + SettingText.formatDuration(maxNs) + "]",
            "duration: ns, us, ms or s", documentation);
    }

    /**
     * @param key           property name.
     * @param defaultValue  the default, one of the allowed constants.
     * @param allowed       the constants a user may choose; written lower case with '-' for '_'.
     * @param documentation what the choice decides.
     * @param <E>           the enum.
     * @return a setting choosing one of the allowed constants.
     */
    public static <E extends Enum<E>> Setting<E> choice(
        final String key, final E defaultValue, final Set<E> allowed, final String documentation)
    {
        final Set<E> copy = EnumSet.copyOf(allowed);
        return of(key, SettingText.formatEnum(defaultValue), (k, text) -> SettingText.parseEnum(k, text, copy),
            SettingText::formatEnum, "one of: " + SettingText.formatChoices(copy), "", documentation);
    }

    /**
     * @param key           property name.
     * @param documentation what listens there.
     * @return a TCP endpoint {@code host:port} to listen on ({@code [v6-address]:port} for an IPv6 literal), port
     * 0 for any free port; empty (the default) for off.
     */
    public static Setting<String> endpoint(final String key, final String documentation)
    {
        return of(key, "", SettingText::parseEndpoint, Function.identity(),
            "host:port ([address]:port for IPv6; port 0: any free port), or empty", "", documentation);
    }

    /**
     * @param key           property name.
     * @param documentation which threads the CPUs are for.
     * @return a comma-separated list of CPU numbers; default empty (no pinning). Values are fresh arrays.
     */
    public static Setting<int[]> cpuList(final String key, final String documentation)
    {
        return of(key, "", SettingText::parseCpuList, SettingText::formatCpuList,
            "comma-separated CPU numbers >= 0, or empty", "", documentation);
    }

    /**
     * @param key           property name.
     * @param documentation what the seed seeds.
     * @return a 64-bit seed: {@code random} (the default) draws a non-zero seed from {@link java.security.SecureRandom}
     * when the configuration loads; otherwise a decimal or {@code 0x} hexadecimal long. Rendered as 16 hex digits, so
     * the effective value reproduces the run.
     */
    public static Setting<Long> seed(final String key, final String documentation)
    {
        return of(key, "random", SettingText::parseSeed, (value) -> String.format(Locale.ROOT, "0x%016x", value),
            "random, or a 64-bit integer (decimal, or hexadecimal with 0x)", "", documentation);
    }

    /**
     * @param documented how the default is described in the configuration reference, e.g. {@code the window size}.
     * @param example    the value the defaults file shows, commented out.
     * @param rule       computes the default's text when the configuration loads, from the host or from settings
     *                   declared earlier.
     * @return this setting with a derived default instead of a literal one.
     */
    Setting<T> derivedDefault(final String documented, final String example, final Function<Concluded, String> rule)
    {
        return new Setting<>(
            key, documented, rule, example, parser, renderer, range, unit, documentation, scope, section);
    }

    /**
     * @param section where the defaults file and the reference list the setting.
     * @param scope   what the setting decides.
     * @return this setting as {@link Settings} declares it.
     */
    Setting<T> declared(final Section section, final Scope scope)
    {
        return new Setting<>(
            key, defaultText, derivedDefault, example, parser, renderer, range, unit, documentation, scope, section);
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
     * @return for a derived default, the value the defaults file shows commented out; null for a literal default.
     */
    public String example()
    {
        return example;
    }

    /**
     * @return what values are allowed, e.g. {@code [1, 64]} or {@code one of: shared, dedicated}.
     */
    public String range()
    {
        return range;
    }

    /**
     * @return the unit of a value, e.g. {@code duration: ns, us, ms or s}; empty when it has none.
     */
    public String unit()
    {
        return unit;
    }

    /**
     * @return what the setting means, as the lines the defaults file prints above it (without the {@code #}).
     */
    public String documentation()
    {
        return documentation;
    }

    /**
     * @return what the setting decides: state, how the log is applied, or only this process.
     */
    public Scope scope()
    {
        return scope;
    }

    /**
     * @return the section the defaults file and the reference list the setting in; null until declared.
     */
    public Section section()
    {
        return section;
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
        return SettingText.formatDuration(ns);
    }
}
