package io.sluice.driver;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.PrintStream;
import java.nio.MappedByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Launches the media driver a daemon (or a client) embeds, after making sure no live driver owns the directory.
 * <p>
 * A directory whose CnC file names an owner process that is gone (a daemon killed with SIGKILL) is taken over at
 * once; one whose owner process is alive is refused unless its driver has not heartbeated for the liveness
 * timeout. So a supervisor can restart a crashed daemon immediately, while a second daemon pointed at a running
 * one's directory refuses to start instead of wiping the first one's files.
 */
public final class EmbeddedDriver
{
    private EmbeddedDriver()
    {
    }

    /**
     * What launching found in the directory.
     */
    public enum Previous
    {
        /** No CnC file: a fresh directory. */
        NONE,
        /** A CnC file whose owner process is gone: taken over. */
        OWNER_GONE,
        /** A CnC file whose owner lives but whose driver stopped heartbeating: taken over. */
        HEARTBEAT_STALE
    }

    /**
     * @param dirKey            the property that named the directory, for the failure message.
     * @param dir               the driver directory.
     * @param threading         driver threading mode.
     * @param idle              idle strategy of the driver's own threads.
     * @param errorHandler      where driver errors go (besides the driver's own error log in its CnC file).
     * @param livenessTimeoutNs how old a live owner's driver heartbeat may be before the directory is taken over.
     * @param aeronProperties   {@code aeron.*} settings for the driver, applied only while it is built.
     * @param customise         further settings of the driver's context, or null.
     * @param log               where a take-over is reported.
     * @return the running driver; with INVOKER threading the caller must run {@link MediaDriver#sharedAgentInvoker()}.
     * @throws ConfigurationException when a live driver already uses the directory.
     */
    public static MediaDriver launch(
        final String dirKey,
        final String dir,
        final DriverThreading threading,
        final IdleStrategyType idle,
        final ErrorHandler errorHandler,
        final long livenessTimeoutNs,
        final Map<String, String> aeronProperties,
        final Consumer<MediaDriver.Context> customise,
        final PrintStream log)
    {
        final Previous previous = checkDirectory(dirKey, dir, livenessTimeoutNs);
        if (Previous.NONE != previous)
        {
            log.println("sluice: taking over " + dirKey + "=" + dir + ": " + (Previous.OWNER_GONE == previous ?
                "the process that owned it is gone" : "its driver has not heartbeated for " +
                TimeUnit.NANOSECONDS.toMillis(livenessTimeoutNs) + " ms"));
        }
        return AeronProperties.applyWhile(aeronProperties, () ->
        {
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
            if (null != customise)
            {
                customise.accept(context);
            }
            return MediaDriver.launch(context);
        });
    }

    /**
     * Decide whether a driver directory may be used.
     *
     * @param dirKey            the property that named the directory, for the failure message.
     * @param dir               the driver directory.
     * @param livenessTimeoutNs how old a live owner's driver heartbeat may be before the directory is taken over.
     * @return what was there, when it may be used.
     * @throws ConfigurationException when a live driver uses the directory.
     */
    public static Previous checkDirectory(final String dirKey, final String dir, final long livenessTimeoutNs)
    {
        final File cncFile = CommonContext.newCncFile(dir);
        if (!cncFile.exists())
        {
            return Previous.NONE;
        }
        final long ownerPid = ownerPid(cncFile);
        if (ownerPid > 0 && ProcessHandle.of(ownerPid).map((p) -> !p.isAlive()).orElse(true))
        {
            return Previous.OWNER_GONE;
        }
        if (CommonContext.isDriverActive(new File(dir), TimeUnit.NANOSECONDS.toMillis(livenessTimeoutNs), (m) -> {}))
        {
            throw new ConfigurationException(dirKey, dir, "is in use by a running media driver" +
                (ownerPid > 0 ? " (process " + ownerPid + ", another Sluice daemon?)" : "") +
                ": stop it or choose another directory");
        }
        return Previous.HEARTBEAT_STALE;
    }

    /**
     * @param cncFile a driver's CnC file.
     * @return the process id of the driver that wrote it, or 0 when the file does not say (yet).
     */
    static long ownerPid(final File cncFile)
    {
        final MappedByteBuffer cnc;
        try
        {
            cnc = IoUtil.mapExistingFile(cncFile, "cnc");
        }
        catch (final RuntimeException ex)
        {
            return 0;
        }
        try
        {
            if (cnc.capacity() < CncFileDescriptor.META_DATA_LENGTH)
            {
                return 0;
            }
            final UnsafeBuffer meta = CncFileDescriptor.createMetaDataBuffer(cnc);
            if (0 == meta.getIntVolatile(CncFileDescriptor.cncVersionOffset(0)))
            {
                return 0;
            }
            return meta.getLong(CncFileDescriptor.PID_FIELD_OFFSET);
        }
        finally
        {
            IoUtil.unmap(cnc);
        }
    }

    /**
     * Give every network publication of a driver its usual flow control plus receiver tracking, so a stop can wait
     * until egress receivers consumed everything ({@link ReceiverTrackingFlowControlSupplier}).
     *
     * @param context the driver's context.
     */
    public static void trackReceivers(final MediaDriver.Context context)
    {
        context
            .unicastFlowControlSupplier(new ReceiverTrackingFlowControlSupplier())
            .multicastFlowControlSupplier(new ReceiverTrackingFlowControlSupplier());
    }

    /**
     * @param driver a driver from {@link #launch}, or null.
     * @return its invoker when it runs in INVOKER mode, else null.
     */
    public static AgentInvoker invokerOf(final MediaDriver driver)
    {
        return null == driver ? null : driver.sharedAgentInvoker();
    }
}
