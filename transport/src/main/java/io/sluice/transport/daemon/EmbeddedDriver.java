package io.sluice.transport.daemon;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.SluiceConfig;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * Launches the media driver a daemon (or a client) embeds, after making sure no live driver owns the directory:
 * a second daemon pointed at the same directory refuses to start instead of wiping the first one's files.
 */
public final class EmbeddedDriver
{
    private EmbeddedDriver()
    {
    }

    /**
     * @param dirKey        the property that named the directory, for the failure message.
     * @param dir           the driver directory.
     * @param threading     driver threading mode.
     * @param idle          idle strategy of the driver's own threads.
     * @param errorHandler  where driver errors go.
     * @return the running driver; with INVOKER threading the caller must run {@link MediaDriver#sharedAgentInvoker()}.
     * @throws ConfigurationException when a live driver already uses the directory.
     */
    public static MediaDriver launch(
        final String dirKey,
        final String dir,
        final DriverThreading threading,
        final IdleStrategyType idle,
        final ErrorHandler errorHandler)
    {
        if (CommonContext.isDriverActive(new File(dir), TimeUnit.SECONDS.toMillis(10), (message) -> {}))
        {
            throw new ConfigurationException(
                dirKey, dir, "is in use by a running media driver (another Sluice daemon?): stop it or choose another directory");
        }

        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.valueOf(threading.name()))
            .errorHandler(errorHandler)
            .conductorIdleStrategy(IdleStrategies.create(idle))
            .senderIdleStrategy(IdleStrategies.create(idle))
            .receiverIdleStrategy(IdleStrategies.create(idle))
            .sharedNetworkIdleStrategy(IdleStrategies.create(idle))
            .sharedIdleStrategy(IdleStrategies.create(idle));
        return MediaDriver.launch(context);
    }

    /**
     * @param driver a driver from {@link #launch}, or null.
     * @return its invoker when it runs in INVOKER mode, else null.
     */
    public static AgentInvoker invokerOf(final MediaDriver driver)
    {
        return null == driver ? null : driver.sharedAgentInvoker();
    }

    /**
     * @param config the daemon configuration.
     * @return a driver as the configuration asks.
     */
    public static MediaDriver launch(final SluiceConfig config, final ErrorHandler errorHandler)
    {
        return launch(
            SluiceConfig.DRIVER_DIR, config.driverDir(), config.driverThreading(), config.driverIdleStrategy(), errorHandler);
    }
}
