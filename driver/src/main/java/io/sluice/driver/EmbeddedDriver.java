package io.sluice.driver;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
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
     * Launch a driver: conclude the context when it is not yet concluded, check the directory
     * ({@link #checkDirectory}), report a take-over to the context's log, then launch with the context's threading,
     * idle strategy, error handler and {@code aeron.*} properties (applied only while the driver is built).
     *
     * @param ctx what to launch.
     * @return the running driver; with INVOKER threading the caller must run {@link MediaDriver#sharedAgentInvoker()}.
     * @throws ConfigurationException naming the context's directory key when a live driver already uses the directory,
     *                                or the first setting out of range.
     */
    public static MediaDriver launch(final Context ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        final String dirKey = ctx.dirKey();
        final String dir = ctx.dir();
        final long livenessTimeoutNs = ctx.livenessTimeoutNs();
        final Previous previous = checkDirectory(dirKey, dir, livenessTimeoutNs);
        if (Previous.NONE != previous)
        {
            ctx.log().println("sluice: taking over " + dirKey + "=" + dir + ": " + (Previous.OWNER_GONE == previous ?
                "the process that owned it is gone" : "its driver has not heartbeated for " +
                TimeUnit.NANOSECONDS.toMillis(livenessTimeoutNs) + " ms"));
        }
        final IdleStrategyType idle = ctx.idleStrategy();
        return AeronProperties.applyWhile(ctx.aeronProperties(), () ->
        {
            final MediaDriver.Context context = new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .threadingMode(ThreadingMode.valueOf(ctx.threading().name()))
                .conductorIdleStrategy(IdleStrategies.create(idle))
                .senderIdleStrategy(IdleStrategies.create(idle))
                .receiverIdleStrategy(IdleStrategies.create(idle))
                .sharedNetworkIdleStrategy(IdleStrategies.create(idle))
                .sharedIdleStrategy(IdleStrategies.create(idle));
            if (null != ctx.errorHandler())
            {
                context.errorHandler(ctx.errorHandler());
            }
            if (null != ctx.customise())
            {
                ctx.customise().accept(context);
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

    /**
     * What an embedded driver is launched with: its directory and the key that named it (for failure messages), its
     * threading and idle strategy, how old a live owner's heartbeat may be before the directory is taken over, the
     * {@code aeron.*} properties applied while it is built, where driver errors go, further settings of Aeron's own
     * context, and where a take-over is reported. Set what differs from the declared defaults ({@link Settings}), or
     * take every setting from a configuration with {@link #from(SluiceConfig)}, then {@link #conclude()} once.
     * <p>
     * Start-up only; not thread safe.
     */
    public static final class Context
    {
        private String dirKey;
        private String dir;
        private DriverThreading threading;
        private IdleStrategyType idleStrategy;
        private Long livenessTimeoutNs;
        private Map<String, String> aeronProperties;
        private ErrorHandler errorHandler;
        private Consumer<MediaDriver.Context> customise;
        private PrintStream log;
        private boolean concluded;

        /**
         * @param config a configuration, the one place a daemon's or node's driver settings are read.
         * @return a context holding the driver directory (named by {@link SluiceConfig#DRIVER_DIR}), threading,
         * idle strategy, liveness timeout and {@code aeron.*} properties, not yet concluded.
         */
        public static Context from(final SluiceConfig config)
        {
            return new Context()
                .dirKey(SluiceConfig.DRIVER_DIR)
                .dir(config.driverDir())
                .threading(config.driverThreading())
                .idleStrategy(config.driverIdleStrategy())
                .livenessTimeoutNs(config.driverLivenessTimeoutNs())
                .aeronProperties(config.aeronProperties());
        }

        /**
         * Fill defaults from the declarations in {@link Settings} (the directory key {@link SluiceConfig#DRIVER_DIR},
         * no {@code aeron.*} properties, Aeron's own error handler, the log {@link System#out}) and check the liveness
         * timeout against its declared range. Runs once.
         *
         * @return this.
         * @throws ConfigurationException naming the key of the first value out of range, or the directory key when no
         *                                directory is set.
         * @throws IllegalStateException  when called a second time.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("EmbeddedDriver.Context is already concluded");
            }
            dirKey = null == dirKey ? SluiceConfig.DRIVER_DIR : dirKey;
            if (null == dir || dir.isEmpty())
            {
                throw new ConfigurationException(dirKey, null == dir ? "null" : dir, "must be set");
            }
            // any threading and idle strategy runs a driver: a client's embedded driver may use one a daemon's may not
            threading = null == threading ? Settings.DRIVER_THREADING.defaultValue() : threading;
            idleStrategy = null == idleStrategy ? Settings.DRIVER_IDLE_STRATEGY.defaultValue() : idleStrategy;
            livenessTimeoutNs = Settings.DRIVER_LIVENESS_TIMEOUT.valueOrDefault(livenessTimeoutNs);
            aeronProperties = null == aeronProperties ? Map.of() : Map.copyOf(aeronProperties);
            log = null == log ? System.out : log;
            concluded = true;
            return this;
        }

        /**
         * @param dirKey the property that named the directory, for failure messages ({@link SluiceConfig#DRIVER_DIR}
         *               when not set).
         * @return this.
         */
        public Context dirKey(final String dirKey)
        {
            this.dirKey = dirKey;
            return this;
        }

        /**
         * @return the property that named the directory.
         */
        public String dirKey()
        {
            return dirKey;
        }

        /**
         * @param dir the driver directory ({@link SluiceConfig#DRIVER_DIR}); must be set.
         * @return this.
         */
        public Context dir(final String dir)
        {
            this.dir = dir;
            return this;
        }

        /**
         * @return the driver directory.
         */
        public String dir()
        {
            return dir;
        }

        /**
         * @param threading the driver's threading mode ({@link SluiceConfig#DRIVER_THREADING}).
         * @return this.
         */
        public Context threading(final DriverThreading threading)
        {
            this.threading = threading;
            return this;
        }

        /**
         * @return the driver's threading mode.
         */
        public DriverThreading threading()
        {
            return threading;
        }

        /**
         * @param idleStrategy idle strategy of the driver's own threads ({@link SluiceConfig#DRIVER_IDLE_STRATEGY}).
         * @return this.
         */
        public Context idleStrategy(final IdleStrategyType idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * @return idle strategy of the driver's own threads.
         */
        public IdleStrategyType idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * @param livenessTimeoutNs how old a live owner's driver heartbeat may be before the directory is taken over,
         *                          ns ({@link SluiceConfig#DRIVER_LIVENESS_TIMEOUT}).
         * @return this.
         */
        public Context livenessTimeoutNs(final long livenessTimeoutNs)
        {
            this.livenessTimeoutNs = livenessTimeoutNs;
            return this;
        }

        /**
         * @return how old a live owner's driver heartbeat may be before the directory is taken over, ns.
         */
        public Long livenessTimeoutNs()
        {
            return livenessTimeoutNs;
        }

        /**
         * @param aeronProperties {@code aeron.*} settings for the driver, applied only while it is built; none when
         *                        not set.
         * @return this.
         */
        public Context aeronProperties(final Map<String, String> aeronProperties)
        {
            this.aeronProperties = aeronProperties;
            return this;
        }

        /**
         * @return {@code aeron.*} settings for the driver.
         */
        public Map<String, String> aeronProperties()
        {
            return aeronProperties;
        }

        /**
         * @param errorHandler where driver errors go, besides the driver's own error log in its CnC file; Aeron's
         *                     default when not set.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * @return where driver errors go, or null for Aeron's default.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * @param customise further settings of Aeron's driver context (e.g. {@link #trackReceivers}), or null.
         * @return this.
         */
        public Context customise(final Consumer<MediaDriver.Context> customise)
        {
            this.customise = customise;
            return this;
        }

        /**
         * @return further settings of Aeron's driver context, or null.
         */
        public Consumer<MediaDriver.Context> customise()
        {
            return customise;
        }

        /**
         * @param log where a take-over of the directory is reported ({@link System#out} when not set).
         * @return this.
         */
        public Context log(final PrintStream log)
        {
            this.log = log;
            return this;
        }

        /**
         * @return where a take-over of the directory is reported.
         */
        public PrintStream log()
        {
            return log;
        }

        /**
         * @return true once {@link #conclude()} succeeded.
         */
        public boolean isConcluded()
        {
            return concluded;
        }
    }
}
