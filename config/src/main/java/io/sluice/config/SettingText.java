package io.sluice.config;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Set;

/**
 * How a setting's text becomes its value and back: the parsers behind {@link Setting}'s kinds (integers, sizes,
 * durations, choices, channels, endpoints, CPU lists, seeds), each checking its range and naming the key in every
 * failure, their renderers, and the range each kind shows in the configuration reference.
 * <p>
 * Stateless; safe to share between threads.
 */
final class SettingText
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

    private SettingText()
    {
    }

    /**
     * @param value a size in bytes or a count.
     * @return the size with the largest of the suffixes g, m and k that holds it exactly, e.g. {@code 64k}.
     */
    static String formatSize(final long value)
    {
        final long gib = 1024L * 1024 * 1024;
        if (value != 0 && value % gib == 0)
        {
            return value / gib + "g";
        }
        if (value != 0 && value % (1024L * 1024) == 0)
        {
            return value / (1024L * 1024) + "m";
        }
        if (value != 0 && value % 1024 == 0)
        {
            return value / 1024 + "k";
        }
        return Long.toString(value);
    }

    /**
     * @param allowed the constants a user may choose.
     * @return the constants as a user writes them, comma separated.
     */
    static String formatChoices(final Set<? extends Enum<?>> allowed)
    {
        final StringBuilder names = new StringBuilder();
        for (final Enum<?> constant : allowed)
        {
            names.append(names.length() == 0 ? "" : ", ").append(formatEnum(constant));
        }
        return names.toString();
    }

    /**
     * @param ns a duration in nanoseconds.
     * @return the duration in the largest of s, ms, us and ns that holds it exactly, e.g. {@code 300ms}; 0 is
     * {@code 0s}.
     */
    static String formatDuration(final long ns)
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
        throw new ConfigurationException(key, text, "must be one of: " + formatChoices(allowed));
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

    static String parseChannel(final String key, final String text)
    {
        if (!text.startsWith("aeron:udp") && !text.startsWith("aeron:ipc"))
        {
            throw new ConfigurationException(key, text, "must be an Aeron URI starting aeron:udp or aeron:ipc");
        }
        return text;
    }

    static String parseEndpoint(final String key, final String text)
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

    static int[] parseCpuList(final String key, final String text)
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

    static String formatCpuList(final int[] cpus)
    {
        final StringBuilder b = new StringBuilder();
        for (final int cpu : cpus)
        {
            b.append(b.length() == 0 ? "" : ",").append(cpu);
        }
        return b.toString();
    }

    static Long parseSeed(final String key, final String text)
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

    static void checkRange(final String key, final String text, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new ConfigurationException(key, text, "must be in [" + min + ", " + max + "]");
        }
    }
}
