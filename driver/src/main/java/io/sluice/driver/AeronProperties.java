package io.sluice.driver;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Hands a configuration's {@code aeron.*} settings to Aeron's contexts, which read system properties when they
 * are built and concluded, without leaving them set: the properties are set only while the action runs and the
 * previous values are restored after, so one daemon's settings never leak into another started later in the
 * same JVM (a test, an embedding application).
 * <p>
 * Start-up path only; serialised on one lock so two starts in one JVM do not see each other's settings.
 */
public final class AeronProperties
{
    private static final Object LOCK = new Object();

    private AeronProperties()
    {
    }

    /**
     * @param properties the {@code aeron.*} settings to apply.
     * @param action     builds and concludes Aeron contexts (launching a driver, connecting a client).
     * @param <T>        what the action makes.
     * @return what the action made.
     */
    public static <T> T applyWhile(final Map<String, String> properties, final Supplier<T> action)
    {
        synchronized (LOCK)
        {
            final Map<String, String> previous = new HashMap<>();
            properties.forEach((key, value) -> previous.put(key, System.setProperty(key, value)));
            try
            {
                return action.get();
            }
            finally
            {
                previous.forEach((key, value) ->
                {
                    if (null == value)
                    {
                        System.clearProperty(key);
                    }
                    else
                    {
                        System.setProperty(key, value);
                    }
                });
            }
        }
    }
}
