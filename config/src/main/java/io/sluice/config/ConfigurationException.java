package io.sluice.config;

/**
 * A setting that cannot be used. The message always names the property, the value given and what is allowed,
 * e.g. {@code sluice.ring.length=1000 must be a power of two}.
 */
public final class ConfigurationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key    the property name at fault.
     * @param value  the value that was given, as text.
     * @param reason what is allowed, phrased to follow the value, e.g. "must be a power of two".
     */
    public ConfigurationException(final String key, final String value, final String reason)
    {
        super(key + "=" + value + " " + reason);
        this.key = key;
    }

    /**
     * @return the property name at fault.
     */
    public String key()
    {
        return key;
    }
}
