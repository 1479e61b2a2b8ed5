package io.sluice.transport.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.Settings;
import io.sluice.config.SluiceConfig;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryEncoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;
import io.sluice.transport.driver.EmbeddedDriver;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;

import java.io.File;
import java.security.SecureRandom;

/**
 * A Java application's connection to a Sluice daemon: offers Events and Queries on the ingress channel and polls
 * the results addressed to it (plus the window results and alerts every client gets) from the egress channel.
 * <p>
 * Connects through a running media driver's directory, or launches its own embedded driver and talks to the
 * daemon over UDP. One thread offers, one thread polls (they may be the same); neither {@link #offerEvent} nor
 * {@link #poll} allocates.
 * <pre>{@code
 * try (SluiceClient client = SluiceClient.connect(new SluiceClient.Context().embeddedDriver(true)))
 * {
 *     client.awaitConnected(TimeUnit.SECONDS.toNanos(5));
 *     long id = client.offerEvent(42, System.currentTimeMillis() * 1_000_000, 3.5);  // < 0: see Publication codes
 *     client.poll(handler, 10);
 * }
 * }</pre>
 */
public final class SluiceClient implements AutoCloseable
{
    private static final long EMBEDDED_LIVENESS_TIMEOUT_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private final Context ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final long clientId;
    private final BufferClaim claim = new BufferClaim();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EventEncoder eventEncoder = new EventEncoder();
    private final QueryEncoder queryEncoder = new QueryEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final EventResultDecoder eventResult = new EventResultDecoder();
    private final RejectedDecoder rejected = new RejectedDecoder();
    private final QueryResultDecoder queryResult = new QueryResultDecoder();
    private final WindowResultDecoder windowResult = new WindowResultDecoder();
    private final AlertDecoder alert = new AlertDecoder();
    private final FragmentHandler fragmentHandler = this::onFragment;
    private SluiceResultHandler handler;
    private long nextCorrelationId = 1;
    private long probesSent;

    private SluiceClient(final Context ctx)
    {
        this.ctx = ctx;
        this.clientId = 0 != ctx.clientId ? ctx.clientId : randomClientId();
        MediaDriver launched = null;
        Aeron connected = null;
        try
        {
            String dir = ctx.aeronDirectoryName;
            if (ctx.embeddedDriver)
            {
                dir = SluiceConfig.sharedMemoryDir() + "/sluice-client-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
                launched = EmbeddedDriver.launch(
                    "aeron.dir", dir, ctx.driverThreading, ctx.driverIdleStrategy, Throwable::printStackTrace,
                    EMBEDDED_LIVENESS_TIMEOUT_NS, java.util.Map.of(), null, System.err);
            }
            final AgentInvoker driverInvoker = EmbeddedDriver.invokerOf(launched);
            connected = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(dir)
                .useConductorAgentInvoker(null != driverInvoker)
                .driverAgentInvoker(driverInvoker));
            this.driver = launched;
            this.aeron = connected;
            this.publication = aeron.addExclusivePublication(ctx.ingressChannel, ctx.ingressStreamId);
            this.subscription = aeron.addSubscription(ctx.egressChannel, ctx.egressStreamId);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(connected);
            CloseHelper.quietClose(launched);
            throw ex;
        }
    }

    /**
     * @param ctx how to reach the daemon; concluded here when it is not yet.
     * @return a client; call {@link #awaitConnected(long)} before offering.
     * @throws ConfigurationException naming the {@code sluice.*} key of a channel or stream id that is not valid.
     * @throws IllegalArgumentException when another setting of the context is not valid.
     */
    public static SluiceClient connect(final Context ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        return new SluiceClient(ctx);
    }

    private static long randomClientId()
    {
        long id = 0;
        while (0 == id)
        {
            id = new SecureRandom().nextLong() & Long.MAX_VALUE;
        }
        return id;
    }

    /**
     * @return this client's id, carried in every message it sends and used to pick its results.
     */
    public long clientId()
    {
        return clientId;
    }

    /**
     * Wait until a round trip through every processor works: the daemon receives this client's publication, this
     * client receives the daemon's egress, and each of {@link Context#egressImages(int)} processors (at least one)
     * has answered a probe {@code Query}. Probes use negative correlation ids, so the first event still gets id 1.
     * Results sent before this returns true may have been dropped by the daemon as not connected.
     *
     * @param timeoutNs longest wait.
     * @return true when connected in time.
     */
    public boolean awaitConnected(final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        final int images = Math.max(1, ctx.egressImages);
        final org.agrona.collections.IntHashSet answered = new org.agrona.collections.IntHashSet();
        final FragmentHandler probeHandler = (buffer, offset, length, header) ->
        {
            headerDecoder.wrap(buffer, offset);
            if (headerDecoder.schemaId() == MessageHeaderDecoder.SCHEMA_ID &&
                headerDecoder.templateId() == QueryResultDecoder.TEMPLATE_ID)
            {
                queryResult.wrapAndApplyHeader(buffer, offset, headerDecoder);
                if (queryResult.clientId() == clientId && queryResult.correlationId() < 0)
                {
                    answered.add(header.sessionId());
                }
            }
        };
        long probeKey = 0;
        while (System.nanoTime() < deadline)
        {
            if (publication.isConnected() && subscription.imageCount() >= images)
            {
                if (answered.size() >= images)
                {
                    return true;
                }
                offerProbe(probeKey++);
                subscription.poll(probeHandler, 16);
            }
            invokeDriver();
            sleepBriefly();
        }
        return false;
    }

    /**
     * @return probe queries {@link #awaitConnected(long)} sent; the daemon counts them as accepted input.
     */
    public long probesSent()
    {
        return probesSent;
    }

    private void offerProbe(final long key)
    {
        if (publication.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + QueryEncoder.BLOCK_LENGTH, claim) > 0)
        {
            probesSent++;
            queryEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
                .clientId(clientId)
                .correlationId(-1 - key)
                .key(key);
            claim.commit();
        }
    }

    /**
     * Send one event.
     *
     * @param key       the key.
     * @param timestamp event time, epoch ns.
     * @param value     the value.
     * @return the correlation id (&gt; 0) of the event's result, or a negative {@link Publication} code
     * ({@link Publication#BACK_PRESSURED}, {@link Publication#NOT_CONNECTED}, {@link Publication#ADMIN_ACTION},
     * {@link Publication#CLOSED}, {@link Publication#MAX_POSITION_EXCEEDED}): then nothing was sent, try again.
     */
    public long offerEvent(final long key, final long timestamp, final double value)
    {
        final long result = publication.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + EventEncoder.BLOCK_LENGTH, claim);
        if (result < 0)
        {
            invokeDriver();
            return result;
        }
        final long correlationId = nextCorrelationId++;
        eventEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key)
            .timestamp(timestamp)
            .value(value);
        claim.commit();
        invokeDriver();
        return correlationId;
    }

    /**
     * Ask for a key's current aggregates.
     *
     * @param key the key.
     * @return the correlation id (&gt; 0) of the {@code QueryResult}, or a negative {@link Publication} code.
     */
    public long offerQuery(final long key)
    {
        final long result = publication.tryClaim(MessageHeaderEncoder.ENCODED_LENGTH + QueryEncoder.BLOCK_LENGTH, claim);
        if (result < 0)
        {
            invokeDriver();
            return result;
        }
        final long correlationId = nextCorrelationId++;
        queryEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
            .clientId(clientId)
            .correlationId(correlationId)
            .key(key);
        claim.commit();
        invokeDriver();
        return correlationId;
    }

    /**
     * Deliver received results to the handler: this client's EventResults, QueryResults and Rejected, and every
     * WindowResult and Alert.
     *
     * @param handler        receives the results.
     * @param fragmentLimit  most messages to read.
     * @return messages read, including those addressed to other clients.
     */
    public int poll(final SluiceResultHandler handler, final int fragmentLimit)
    {
        this.handler = handler;
        final int fragments = subscription.poll(fragmentHandler, fragmentLimit);
        invokeDriver();
        return fragments;
    }

    /**
     * @return the publication to the daemon, for inspection (position, connection).
     */
    public ExclusivePublication publication()
    {
        return publication;
    }

    /**
     * @return the subscription to the daemon's egress.
     */
    public Subscription subscription()
    {
        return subscription;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return;
        }
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case EventResultDecoder.TEMPLATE_ID:
                eventResult.wrap(buffer, bodyOffset, blockLength, version);
                if (eventResult.clientId() == clientId)
                {
                    handler.onEventResult(eventResult);
                }
                break;

            case RejectedDecoder.TEMPLATE_ID:
                rejected.wrap(buffer, bodyOffset, blockLength, version);
                if (rejected.clientId() == clientId)
                {
                    handler.onRejected(rejected);
                }
                break;

            case QueryResultDecoder.TEMPLATE_ID:
                queryResult.wrap(buffer, bodyOffset, blockLength, version);
                if (queryResult.clientId() == clientId && queryResult.correlationId() > 0)
                {
                    handler.onQueryResult(queryResult);
                }
                break;

            case WindowResultDecoder.TEMPLATE_ID:
                windowResult.wrap(buffer, bodyOffset, blockLength, version);
                handler.onWindowResult(windowResult);
                break;

            case AlertDecoder.TEMPLATE_ID:
                alert.wrap(buffer, bodyOffset, blockLength, version);
                handler.onAlert(alert);
                break;

            default:
                break;
        }
    }

    private void invokeDriver()
    {
        if (null != driver && null != driver.sharedAgentInvoker())
        {
            driver.sharedAgentInvoker().invoke();
            aeron.conductorAgentInvoker().invoke();
        }
    }

    private void sleepBriefly()
    {
        try
        {
            Thread.sleep(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Close the publication, subscription, client and any embedded driver (deleting its directory).
     */
    public void close()
    {
        CloseHelper.quietClose(aeron);
        if (null != driver)
        {
            final String dir = driver.aeronDirectoryName();
            CloseHelper.quietClose(driver);
            IoUtil.delete(new File(dir), true);
        }
    }

    /**
     * How a client reaches the daemon. Defaults match the daemon's shipped configuration.
     */
    public static final class Context
    {
        private String aeronDirectoryName = io.aeron.CommonContext.getAeronDirectoryName();
        private boolean embeddedDriver;
        private DriverThreading driverThreading = DriverThreading.SHARED;
        private IdleStrategyType driverIdleStrategy = IdleStrategyType.BACKOFF;
        private String ingressChannel = Settings.INGRESS_CHANNEL.defaultValue();
        private int ingressStreamId = Settings.INGRESS_STREAM_ID.defaultValue();
        private String egressChannel = "aeron:udp?endpoint=localhost:0|control=localhost:20121|control-mode=dynamic";
        private int egressStreamId = Settings.EGRESS_STREAM_ID.defaultValue();
        private long clientId;
        private int egressImages;
        private boolean concluded;

        /**
         * Check every setting, naming the daemon's {@code sluice.*} key where one exists: channels are Aeron URIs
         * ({@code aeron:udp} or {@code aeron:ipc}), stream ids in the declared range ({@code > 0}), at least 0
         * egress images, a driver directory unless the driver is embedded, a driver threading and idle strategy.
         * {@link SluiceClient#connect(Context)} calls it when the caller has not. Runs once.
         *
         * @return this.
         * @throws ConfigurationException   naming the key of a channel or stream id that is not valid, e.g.
         *                                  {@code sluice.ingress.stream-id=0 must be in [1, 2147483647]}.
         * @throws IllegalArgumentException when another setting is not valid.
         * @throws IllegalStateException    when called a second time.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("SluiceClient.Context is already concluded");
            }
            Settings.INGRESS_CHANNEL.check(ingressChannel);
            Settings.INGRESS_STREAM_ID.check(ingressStreamId);
            Settings.EGRESS_CHANNEL.check(egressChannel);
            Settings.EGRESS_STREAM_ID.check(egressStreamId);
            if (egressImages < 0)
            {
                throw new IllegalArgumentException("egressImages must be >= 0: " + egressImages);
            }
            if (!embeddedDriver && null == aeronDirectoryName)
            {
                throw new IllegalArgumentException("aeronDirectoryName must be set when the driver is not embedded");
            }
            if (null == driverThreading || null == driverIdleStrategy)
            {
                throw new IllegalArgumentException("driverThreading and driverIdleStrategy must be set");
            }
            concluded = true;
            return this;
        }

        /**
         * @return true once {@link #conclude()} succeeded.
         */
        public boolean isConcluded()
        {
            return concluded;
        }

        /**
         * @return directory of the running media driver to connect through.
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * @return whether the client launches its own media driver.
         */
        public boolean embeddedDriver()
        {
            return embeddedDriver;
        }

        /**
         * @return threading of the embedded driver.
         */
        public DriverThreading driverThreading()
        {
            return driverThreading;
        }

        /**
         * @return idle strategy of the embedded driver's threads.
         */
        public IdleStrategyType driverIdleStrategy()
        {
            return driverIdleStrategy;
        }

        /**
         * @return the daemon's ingress channel.
         */
        public String ingressChannel()
        {
            return ingressChannel;
        }

        /**
         * @return the daemon's ingress stream id.
         */
        public int ingressStreamId()
        {
            return ingressStreamId;
        }

        /**
         * @return the subscription channel for the daemon's egress.
         */
        public String egressChannel()
        {
            return egressChannel;
        }

        /**
         * @return the daemon's egress stream id.
         */
        public int egressStreamId()
        {
            return egressStreamId;
        }

        /**
         * @return this client's id; 0 for a random one drawn at connect.
         */
        public long clientId()
        {
            return clientId;
        }

        /**
         * @return egress images to wait for in {@link SluiceClient#awaitConnected(long)}.
         */
        public int egressImages()
        {
            return egressImages;
        }

        /**
         * @param dir directory of a running media driver to connect through (ignored with an embedded driver).
         * @return this.
         */
        public Context aeronDirectoryName(final String dir)
        {
            this.aeronDirectoryName = dir;
            return this;
        }

        /**
         * @param embedded launch a media driver inside this client (in a fresh directory, deleted on close).
         * @return this.
         */
        public Context embeddedDriver(final boolean embedded)
        {
            this.embeddedDriver = embedded;
            return this;
        }

        /**
         * @param threading threading of the embedded driver; INVOKER runs it on the offering/polling thread.
         * @return this.
         */
        public Context driverThreading(final DriverThreading threading)
        {
            this.driverThreading = threading;
            return this;
        }

        /**
         * @param idle idle strategy of the embedded driver's threads.
         * @return this.
         */
        public Context driverIdleStrategy(final IdleStrategyType idle)
        {
            this.driverIdleStrategy = idle;
            return this;
        }

        /**
         * @param channel the daemon's ingress channel ({@code sluice.ingress.channel}).
         * @param streamId the daemon's ingress stream id.
         * @return this.
         */
        public Context ingress(final String channel, final int streamId)
        {
            this.ingressChannel = channel;
            this.ingressStreamId = streamId;
            return this;
        }

        /**
         * @param channel subscription channel for the daemon's egress: for the default multi-destination egress
         *                {@code aeron:udp?endpoint=<this host>:0|control=<daemon control address>|control-mode=dynamic},
         *                for IPC the daemon's channel itself.
         * @param streamId the daemon's egress stream id.
         * @return this.
         */
        public Context egress(final String channel, final int streamId)
        {
            this.egressChannel = channel;
            this.egressStreamId = streamId;
            return this;
        }

        /**
         * @param clientId this client's id, non-zero; default a random positive id.
         * @return this.
         */
        public Context clientId(final long clientId)
        {
            this.clientId = clientId;
            return this;
        }

        /**
         * @param images egress images to wait for in {@link #awaitConnected(long)}: the daemon's processor count,
         *               so results from every shard are received from the first event. Default 1.
         * @return this.
         */
        public Context egressImages(final int images)
        {
            this.egressImages = images;
            return this;
        }
    }
}
