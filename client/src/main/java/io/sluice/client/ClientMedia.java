package io.sluice.client;

import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;

/**
 * What a client talks through: an Aeron client connected to a running media driver's directory, or to an embedded
 * driver it launched ({@link SluiceClientContext#embeddedDriver(boolean)}). A {@link SluiceClient} owns its own; a
 * {@link TopologyClient} shares one among the {@link SluiceClient}s of its appliances. Control path only.
 */
final class ClientMedia implements AutoCloseable
{
    private final EmbeddedClientDriver driver;
    private final Aeron aeron;
    private final AgentInvoker driverInvoker;

    private ClientMedia(final EmbeddedClientDriver driver, final Aeron aeron, final AgentInvoker driverInvoker)
    {
        this.driver = driver;
        this.aeron = aeron;
        this.driverInvoker = driverInvoker;
    }

    /**
     * Launch the embedded driver when the context asks for one, and connect an Aeron client.
     *
     * @param ctx the concluded context (embedded driver, threading, directory).
     * @return the media; close it to release the client and the driver.
     * @throws IllegalStateException when an embedded driver is asked for and {@value SluiceClient#DRIVER_ARTIFACT}
     *                               is not on the class path.
     */
    static ClientMedia launch(final SluiceClientContext ctx)
    {
        if (ctx.embeddedDriver())
        {
            requireOnClassPath(SluiceClient.DRIVER_ARTIFACT, "Context.embeddedDriver(true)",
                "; or connect through a running media driver with Context.aeronDirectoryName(dir)",
                "io.sluice.driver.EmbeddedDriver", "io.aeron.driver.MediaDriver");
        }
        EmbeddedClientDriver launched = null;
        try
        {
            launched = ctx.embeddedDriver() ? new EmbeddedClientDriver(ctx) : null;
            final AgentInvoker driverInvoker = null != launched ? launched.invoker() : null;
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(null != launched ? launched.directory() : ctx.aeronDirectoryName())
                .useConductorAgentInvoker(null != driverInvoker)
                .driverAgentInvoker(driverInvoker));
            return new ClientMedia(launched, aeron, driverInvoker);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(launched);
            throw ex;
        }
    }

    /**
     * Fail, naming the dependency to add, when a class of an optional dependency is missing: checked before anything
     * starts, so the application sees which artifact it lacks instead of a {@link NoClassDefFoundError} from inside.
     */
    static void requireOnClassPath(
        final String artifact, final String feature, final String remedy, final String... classNames)
    {
        for (final String className : classNames)
        {
            try
            {
                Class.forName(className, false, SluiceClient.class.getClassLoader());
            }
            catch (final ClassNotFoundException ex)
            {
                throw new IllegalStateException(feature + " needs " + artifact + " on the class path, an optional " +
                    "dependency of io.sluice:sluice-client: add it to the application's dependencies" + remedy +
                    " (class " + className + " not found)");
            }
        }
    }

    /**
     * @return the Aeron client.
     */
    Aeron aeron()
    {
        return aeron;
    }

    /**
     * @return the embedded driver's invoker when it runs on the client's thread (INVOKER threading), else null.
     */
    AgentInvoker driverInvoker()
    {
        return driverInvoker;
    }

    /**
     * Close the Aeron client and any embedded driver (deleting its directory).
     */
    public void close()
    {
        CloseHelper.quietClose(aeron);
        CloseHelper.quietClose(driver);
    }
}
