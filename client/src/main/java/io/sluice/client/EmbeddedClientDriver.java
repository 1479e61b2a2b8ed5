package io.sluice.client;

import io.aeron.driver.MediaDriver;
import io.sluice.config.SluiceConfig;
import io.sluice.driver.EmbeddedDriver;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * The media driver a client launches for itself ({@link SluiceClientContext#embeddedDriver(boolean)}), in a fresh
 * directory of its own that closing deletes. The only class of the client that uses {@code sluice-driver} (and
 * through it {@code aeron-driver}), an optional dependency: it is loaded only when an embedded driver is asked for,
 * after {@link SluiceClient#connect} checked that the jars are there, so a client that connects through a
 * running driver needs neither.
 */
final class EmbeddedClientDriver implements AutoCloseable
{
    private static final long LIVENESS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final MediaDriver driver;
    private final String directory;

    /**
     * Launch the driver.
     *
     * @param ctx the concluded client context (driver threading and idle strategy).
     */
    EmbeddedClientDriver(final SluiceClientContext ctx)
    {
        directory = SluiceConfig.sharedMemoryDir() + "/sluice-client-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(System.nanoTime());
        driver = EmbeddedDriver.launch(new EmbeddedDriver.Context()
            .dirKey("aeron.dir").dir(directory).threading(ctx.driverThreading()).idleStrategy(ctx.driverIdleStrategy())
            .errorHandler(Throwable::printStackTrace).livenessTimeoutNs(LIVENESS_TIMEOUT_NS).log(System.err));
    }

    /**
     * @return the driver's directory, for the client's Aeron context.
     */
    String directory()
    {
        return directory;
    }

    /**
     * @return the driver's invoker when it runs on the client's thread (INVOKER threading), else null.
     */
    AgentInvoker invoker()
    {
        return EmbeddedDriver.invokerOf(driver);
    }

    /**
     * Stop the driver and delete its directory.
     */
    public void close()
    {
        CloseHelper.quietClose(driver);
        IoUtil.delete(new File(directory), true);
    }
}
