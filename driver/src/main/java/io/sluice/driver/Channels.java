package io.sluice.driver;

import io.aeron.exceptions.RegistrationException;
import io.sluice.config.ConfigurationException;

import java.util.function.Supplier;

/**
 * Opens a configured channel so that a channel the driver refuses (a port in use, a bad address) fails the start
 * in one line naming the configuration key. Start-up path only.
 */
public final class Channels
{
    private Channels()
    {
    }

    /**
     * @param key     the property that named the channel.
     * @param channel the channel.
     * @param open    adds the publication or subscription.
     * @param <T>     publication or subscription.
     * @return what {@code open} returned.
     * @throws ConfigurationException naming the key when the driver refuses the channel.
     */
    public static <T> T open(final String key, final String channel, final Supplier<T> open)
    {
        try
        {
            return open.get();
        }
        catch (final RegistrationException ex)
        {
            throw new ConfigurationException(
                key, channel, "cannot be opened (is another daemon using this port?): " + ex.getMessage());
        }
    }
}
