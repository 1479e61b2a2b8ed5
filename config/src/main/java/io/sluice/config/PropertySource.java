package io.sluice.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Layered properties: a file, overridden by system properties, values trimmed. Typed parsing belongs to each
 * declared {@link Setting}; every parse failure names the key, the value and what is allowed.
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
        return SettingText.parseEnum(key, text, EnumSet.allOf(type));
    }
}
