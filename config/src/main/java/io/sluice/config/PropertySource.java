package io.sluice.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads typed values out of layered properties: a file, overridden by system properties. Every parse failure
 * names the key, the value and what is allowed.
 * <p>
 * Sizes accept the suffixes {@code k}, {@code m}, {@code g} (powers of 1024); durations accept {@code ns},
 * {@code us}, {@code ms}, {@code s} and are returned in nanoseconds.
 */
public final class PropertySource
{
    private final Map<String, String> values = new TreeMap<>();

    private PropertySource()
    {
    }

    /**
     * @param file      properties file to read, or null for none.
     * @param overrides properties that win over the file (normally {@link System#getProperties()}).
     * @return the layered source.
     */
    public static PropertySource load(final Path file, final Properties overrides)
    {
        final PropertySource source = new PropertySource();
        if (null != file)
        {
            final Properties fromFile = new Properties();
            try (InputStream in = Files.newInputStream(file))
            {
                fromFile.load(in);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read configuration file " + file, ex);
            }
            fromFile.stringPropertyNames().forEach((k) -> source.values.put(k, fromFile.getProperty(k).trim()));
        }
        if (null != overrides)
        {
            overrides.stringPropertyNames().forEach((k) -> source.values.put(k, overrides.getProperty(k).trim()));
        }
        return source;
    }

    /**
     * @param properties the only layer.
     * @return a source over a copy of the properties.
     */
    public static PropertySource of(final Properties properties)
    {
        return load(null, properties);
    }

    /**
     * @return every key and value, sorted by key.
     */
    public Map<String, String> all()
    {
        return values;
    }

    /**
     * @param prefix key prefix, e.g. {@code "aeron."}.
     * @return the keys and values starting with it.
     */
    public Map<String, String> withPrefix(final String prefix)
    {
        final Map<String, String> result = new TreeMap<>();
        values.forEach((k, v) ->
        {
            if (k.startsWith(prefix))
            {
                result.put(k, v);
            }
        });
        return result;
    }

    /**
     * @param key          property name.
     * @param defaultValue value when the key is absent or blank.
     * @return the value.
     */
    public String string(final String key, final String defaultValue)
    {
        final String value = values.get(key);
        return null == value || value.isEmpty() ? defaultValue : value;
    }

    /**
     * @param key          property name.
     * @param defaultValue value when absent.
     * @param min          smallest allowed.
     * @param max          largest allowed.
     * @return the value.
     */
    public int intValue(final String key, final int defaultValue, final int min, final int max)
    {
        final long value = longValue(key, defaultValue, min, max);
        return (int)value;
    }

    /**
     * @param key          property name.
     * @param defaultValue value when absent.
     * @param min          smallest allowed.
     * @param max          largest allowed.
     * @return the value.
     */
    public long longValue(final String key, final long defaultValue, final long min, final long max)
    {
        final String text = values.get(key);
        if (null == text || text.isEmpty())
        {
            return defaultValue;
        }
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

    /**
     * @param key          property name.
     * @param defaultValue value in bytes when absent.
     * @param min          smallest allowed, bytes.
     * @param max          largest allowed, bytes.
     * @return the size in bytes.
     */
    public long size(final String key, final long defaultValue, final long min, final long max)
    {
        final String text = values.get(key);
        if (null == text || text.isEmpty())
        {
            return defaultValue;
        }
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

    /**
     * @param key            property name.
     * @param defaultValueNs value in nanoseconds when absent.
     * @param minNs          smallest allowed, nanoseconds.
     * @param maxNs          largest allowed, nanoseconds.
     * @return the duration in nanoseconds.
     */
    public long durationNs(final String key, final long defaultValueNs, final long minNs, final long maxNs)
    {
        final String text = values.get(key);
        if (null == text || text.isEmpty())
        {
            return defaultValueNs;
        }
        final String lower = text.toLowerCase(Locale.ROOT).trim();
        final TimeUnit unit;
        final String digits;
        if (lower.endsWith("ns"))
        {
            unit = TimeUnit.NANOSECONDS;
            digits = lower.substring(0, lower.length() - 2);
        }
        else if (lower.endsWith("us"))
        {
            unit = TimeUnit.MICROSECONDS;
            digits = lower.substring(0, lower.length() - 2);
        }
        else if (lower.endsWith("ms"))
        {
            unit = TimeUnit.MILLISECONDS;
            digits = lower.substring(0, lower.length() - 2);
        }
        else if (lower.endsWith("s"))
        {
            unit = TimeUnit.SECONDS;
            digits = lower.substring(0, lower.length() - 1);
        }
        else
        {
            throw new ConfigurationException(key, text, "must be a duration with a unit: ns, us, ms or s (e.g. 10ms)");
        }
        final long value;
        try
        {
            value = unit.toNanos(Long.parseLong(digits.trim()));
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException(key, text, "must be a duration with a unit: ns, us, ms or s (e.g. 10ms)");
        }
        if (value < minNs || value > maxNs)
        {
            throw new ConfigurationException(
                key, text, "must be between " + minNs + "ns and " + maxNs + "ns");
        }
        return value;
    }

    /**
     * @param key          property name.
     * @param defaultValue value when absent.
     * @return the value.
     */
    public boolean bool(final String key, final boolean defaultValue)
    {
        final String text = values.get(key);
        if (null == text || text.isEmpty())
        {
            return defaultValue;
        }
        if ("true".equalsIgnoreCase(text))
        {
            return true;
        }
        if ("false".equalsIgnoreCase(text))
        {
            return false;
        }
        throw new ConfigurationException(key, text, "must be true or false");
    }

    /**
     * @param key          property name.
     * @param defaultValue value when absent.
     * @param type         the enum whose constant names (case-insensitive, '-' for '_') are allowed.
     * @param <E>          enum type.
     * @return the constant.
     */
    public <E extends Enum<E>> E enumValue(final String key, final E defaultValue, final Class<E> type)
    {
        final String text = values.get(key);
        if (null == text || text.isEmpty())
        {
            return defaultValue;
        }
        final String name = text.toUpperCase(Locale.ROOT).replace('-', '_');
        for (final E constant : type.getEnumConstants())
        {
            if (constant.name().equals(name))
            {
                return constant;
            }
        }
        final StringBuilder allowed = new StringBuilder();
        for (final E constant : type.getEnumConstants())
        {
            if (allowed.length() > 0)
            {
                allowed.append(", ");
            }
            allowed.append(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new ConfigurationException(key, text, "must be one of: " + allowed);
    }

    /**
     * @param key property name.
     * @return comma-separated non-negative integers, empty array when absent.
     */
    public int[] intList(final String key)
    {
        final String text = values.get(key);
        if (null == text || text.isEmpty())
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

    private static void checkRange(final String key, final String text, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new ConfigurationException(key, text, "must be in [" + min + ", " + max + "]");
        }
    }
}
