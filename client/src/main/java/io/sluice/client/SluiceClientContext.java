package io.sluice.client;

import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverThreading;
import io.sluice.config.IdleStrategyType;
import io.sluice.config.Settings;
import io.sluice.transport.codec.ResultMode;

/**
 * How a client reaches the daemon (or a cluster): every setting of a {@link SluiceClient}, with the daemon's shipped
 * defaults, and the {@link #conclude()} that checks them. Applications name it {@link SluiceClient.Context}, its one
 * subclass (so {@code new SluiceClient.Context().egressImages(2)} and {@code SluiceClient.connect(ctx)} read as
 * before); every fluent setter returns that type. The authentication settings (secret, response channel) are
 * declared in {@link ClientAuthSettings}. Holds what a user sets, nothing else; the control path only.
 */
public abstract sealed class SluiceClientContext extends ClientAuthSettings permits SluiceClient.Context
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
    private int resendBufferLength = DEFAULT_RESEND_BUFFER_LENGTH;
    private ResultMode resultMode = ResultMode.PER_EVENT;
    private int maxBatchEvents = Settings.BATCH_MAX_EVENTS.defaultValue();
    private String clusterIngressEndpoints;
    private String clusterIngressChannel = DEFAULT_CLUSTER_INGRESS_CHANNEL;
    private String clusterEgressChannel = DEFAULT_CLUSTER_EGRESS_CHANNEL;
    private long resumeTimeoutNs = DEFAULT_RESUME_TIMEOUT_NS;
    private boolean concluded;

    /** Events a client keeps for {@link SluiceClient#resume} unless told otherwise. */
    public static final int DEFAULT_RESEND_BUFFER_LENGTH = 65536;

    /** Channel of the cluster ingress unless told otherwise; each member's endpoint is added to it. */
    public static final String DEFAULT_CLUSTER_INGRESS_CHANNEL = "aeron:udp";

    /** Channel on which a cluster client receives the cluster's egress unless told otherwise. */
    public static final String DEFAULT_CLUSTER_EGRESS_CHANNEL = "aeron:udp?endpoint=localhost:0";

    /** Longest automatic resume after a cluster leader change unless told otherwise: 10 s. */
    public static final long DEFAULT_RESUME_TIMEOUT_NS = 10_000_000_000L;

    /**
     * Turn an Aeron Cluster members string, {@code id,ingress,consensus,log,catchup,archive|...} (as the cluster
     * nodes are configured with; 6 to 8 endpoints a member), into the ingress endpoints a client connects to,
     * {@code id=ingress,...}, in the same order.
     *
     * @param clusterMembers the members string.
     * @return the ingress endpoints, for {@link #clusterIngressEndpoints(String)}.
     * @throws IllegalArgumentException naming the member that is not {@code id,ingress,consensus,log,catchup,
     *                                  archive} with an integer id and a non-empty ingress endpoint.
     */
    public static String ingressEndpointsOf(final String clusterMembers)
    {
        if (null == clusterMembers || clusterMembers.isBlank())
        {
            throw new IllegalArgumentException("cluster members must be set: " + clusterMembers);
        }
        final StringBuilder endpoints = new StringBuilder();
        for (final String member : clusterMembers.split("\\|", -1))
        {
            final String[] fields = member.split(",", -1);
            if (fields.length < 6 || fields.length > 8 || !isMemberId(fields[0].trim()) || fields[1].isBlank())
            {
                throw new IllegalArgumentException("cluster member '" + member + "' must be " +
                    "id,ingress,consensus,log,catchup,archive (in " + clusterMembers + ")");
            }
            if (endpoints.length() > 0)
            {
                endpoints.append(',');
            }
            endpoints.append(fields[0].trim()).append('=').append(fields[1].trim());
        }
        return endpoints.toString();
    }

    private static boolean isMemberId(final String id)
    {
        if (id.isEmpty() || id.length() > 9)
        {
            return false;
        }
        for (int i = 0; i < id.length(); i++)
        {
            if (!Character.isDigit(id.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    private static void checkIngressEndpoints(final String endpoints)
    {
        for (final String endpoint : endpoints.split(",", -1))
        {
            final int equals = endpoint.indexOf('=');
            if (equals < 0 || !isMemberId(endpoint.substring(0, equals)) || equals == endpoint.length() - 1)
            {
                throw new IllegalArgumentException("clusterIngressEndpoints=" + endpoints +
                    " must be id=host:port,... (e.g. 0=localhost:9002,1=localhost:9102), not '" + endpoint + "'");
            }
        }
    }

    /**
     * Check every setting, naming the daemon's {@code sluice.*} key where one exists: channels are Aeron URIs
     * ({@code aeron:udp} or {@code aeron:ipc}), stream ids in the declared range ({@code > 0}), at least 0
     * egress images, a driver directory unless the driver is embedded, a driver threading and idle strategy, and
     * the authentication settings of {@link ClientAuthSettings} (reading the secret file).
     * {@link SluiceClient#connect(SluiceClient.Context)} calls it when the caller has not. Runs once.
     *
     * @return this.
     * @throws ConfigurationException   naming the key of a channel or stream id that is not valid, e.g.
     *                                  {@code sluice.ingress.stream-id=0 must be in [1, 2147483647]}.
     * @throws IllegalArgumentException when another setting is not valid.
     * @throws IllegalStateException    when called a second time.
     */
    public SluiceClient.Context conclude()
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
        Settings.BATCH_MAX_EVENTS.check(maxBatchEvents);
        if (null == resultMode || ResultMode.NULL_VAL == resultMode)
        {
            throw new IllegalArgumentException("resultMode must be PER_EVENT, BATCHED or NONE: " + resultMode);
        }
        if (resendBufferLength < 0)
        {
            throw new IllegalArgumentException("resendBufferLength must be >= 0: " + resendBufferLength);
        }
        if (!embeddedDriver && null == aeronDirectoryName)
        {
            throw new IllegalArgumentException("aeronDirectoryName must be set when the driver is not embedded");
        }
        if (null == driverThreading || null == driverIdleStrategy)
        {
            throw new IllegalArgumentException("driverThreading and driverIdleStrategy must be set");
        }
        if (null != clusterIngressEndpoints)
        {
            checkIngressEndpoints(clusterIngressEndpoints);
            if (null == clusterIngressChannel || !clusterIngressChannel.startsWith("aeron:udp"))
            {
                throw new IllegalArgumentException(
                    "clusterIngressChannel=" + clusterIngressChannel + " must be an aeron:udp channel");
            }
            if (null == clusterEgressChannel ||
                !(clusterEgressChannel.startsWith("aeron:udp") || clusterEgressChannel.startsWith("aeron:ipc")))
            {
                throw new IllegalArgumentException(
                    "clusterEgressChannel=" + clusterEgressChannel + " must be an aeron:udp or aeron:ipc channel");
            }
        }
        if (resumeTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("resumeTimeoutNs=" + resumeTimeoutNs + " must be > 0");
        }
        concludeAuth(clientId, egressStreamId);
        concluded = true;
        return self();
    }

    /**
     * @return true once {@link #conclude()} succeeded.
     */
    public boolean isConcluded()
    {
        return concluded;
    }

    /**
     * @return true when {@link #clusterIngressEndpoints(String)} is set: the client connects to a cluster.
     */
    public boolean isClusterClient()
    {
        return null != clusterIngressEndpoints;
    }

    /**
     * @return the cluster members' ingress endpoints, {@code id=host:port,...}; null for a daemon client.
     */
    public String clusterIngressEndpoints()
    {
        return clusterIngressEndpoints;
    }

    /**
     * @param endpoints the cluster members' ingress endpoints in Aeron's form {@code 0=host:port,1=host:port,
     *                  2=host:port} ({@link #ingressEndpointsOf(String)} makes it from the members string). When
     *                  set, the client opens a session with an Aeron Cluster running Sluice's clustered service
     *                  instead of using the daemon's ingress and egress channels; null (default) for a daemon.
     * @return this.
     */
    public SluiceClient.Context clusterIngressEndpoints(final String endpoints)
    {
        this.clusterIngressEndpoints = endpoints;
        return self();
    }

    /**
     * @return the channel of the cluster ingress.
     */
    public String clusterIngressChannel()
    {
        return clusterIngressChannel;
    }

    /**
     * @param channel the channel of the cluster ingress, an {@code aeron:udp} channel to which each member's
     *                endpoint is added (e.g. {@code aeron:udp?term-length=1m|mtu=8k}); default
     *                {@value #DEFAULT_CLUSTER_INGRESS_CHANNEL}. Its {@code mtu} bounds a batch's events as for a
     *                daemon.
     * @return this.
     */
    public SluiceClient.Context clusterIngressChannel(final String channel)
    {
        this.clusterIngressChannel = channel;
        return self();
    }

    /**
     * @return the channel on which the cluster's egress reaches this client.
     */
    public String clusterEgressChannel()
    {
        return clusterEgressChannel;
    }

    /**
     * @param channel the channel on which the cluster's egress reaches this client: {@code aeron:udp?endpoint=
     *                <this host's address the cluster can reach>:0} (port 0: any free port); default
     *                {@value #DEFAULT_CLUSTER_EGRESS_CHANNEL}, which only a cluster on this host reaches.
     * @return this.
     */
    public SluiceClient.Context clusterEgressChannel(final String channel)
    {
        this.clusterEgressChannel = channel;
        return self();
    }

    /**
     * @return longest automatic resume after a cluster leader change, ns.
     */
    public long resumeTimeoutNs()
    {
        return resumeTimeoutNs;
    }

    /**
     * @param timeoutNs longest wait, in ns, of the automatic resume that the first {@link SluiceClient#poll},
     *                  {@link SluiceClient#offerEvent}, {@link SluiceClient#flush()} or query after a cluster
     *                  leader change runs (connection, answer and resends together); &gt; 0, default
     *                  {@value #DEFAULT_RESUME_TIMEOUT_NS} (10 s).
     * @return this.
     */
    public SluiceClient.Context resumeTimeoutNs(final long timeoutNs)
    {
        this.resumeTimeoutNs = timeoutNs;
        return self();
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
     * @return events kept for {@link SluiceClient#resume}; 0 keeps none.
     */
    public int resendBufferLength()
    {
        return resendBufferLength;
    }

    /**
     * @return the per-event results this client's events get.
     */
    public ResultMode resultMode()
    {
        return resultMode;
    }

    /**
     * @param resultMode the per-event results this client's events get: {@link ResultMode#PER_EVENT} (default, an
     *                   {@code EventResult} each), {@link ResultMode#BATCHED} ({@code EventResultBatch}, to
     *                   {@link SluiceResultHandler#onBatchedEventResult}) or {@link ResultMode#NONE} (only window
     *                   results, alerts, query results and rejections). Sent on every batch.
     * @return this.
     */
    public SluiceClient.Context resultMode(final ResultMode resultMode)
    {
        this.resultMode = resultMode;
        return self();
    }

    /**
     * @return most events in one batch.
     */
    public int maxBatchEvents()
    {
        return maxBatchEvents;
    }

    /**
     * @param events most events in one batch ({@code sluice.batch.max-events}: the daemon's, default 1024, or
     *               fewer); a batch also never exceeds one frame of the ingress publication (42 events at the
     *               default MTU of 1408; raise the channel's {@code mtu} for larger batches). 1: no batching, every
     *               event leaves at once as an {@code Event}.
     * @return this.
     */
    public SluiceClient.Context maxBatchEvents(final int events)
    {
        this.maxBatchEvents = events;
        return self();
    }

    /**
     * @param events most recently offered events kept for {@link SluiceClient#resume}, at least 0 (0 keeps none:
     *               a resume then fails if the daemon lacks any event offered); default
     *               {@value #DEFAULT_RESEND_BUFFER_LENGTH}. Each costs 32 bytes, allocated at connect. Keep at
     *               least the events that can be in flight plus those a daemon in {@code async} journal mode
     *               may lose at a crash.
     * @return this.
     */
    public SluiceClient.Context resendBufferLength(final int events)
    {
        this.resendBufferLength = events;
        return self();
    }

    /**
     * @param dir directory of a running media driver to connect through (ignored with an embedded driver).
     * @return this.
     */
    public SluiceClient.Context aeronDirectoryName(final String dir)
    {
        this.aeronDirectoryName = dir;
        return self();
    }

    /**
     * @param embedded launch a media driver inside this client (in a fresh directory, deleted on close).
     * @return this.
     */
    public SluiceClient.Context embeddedDriver(final boolean embedded)
    {
        this.embeddedDriver = embedded;
        return self();
    }

    /**
     * @param threading threading of the embedded driver; INVOKER runs it on the offering/polling thread.
     * @return this.
     */
    public SluiceClient.Context driverThreading(final DriverThreading threading)
    {
        this.driverThreading = threading;
        return self();
    }

    /**
     * @param idle idle strategy of the embedded driver's threads.
     * @return this.
     */
    public SluiceClient.Context driverIdleStrategy(final IdleStrategyType idle)
    {
        this.driverIdleStrategy = idle;
        return self();
    }

    /**
     * @param channel the daemon's ingress channel ({@code sluice.ingress.channel}).
     * @param streamId the daemon's ingress stream id.
     * @return this.
     */
    public SluiceClient.Context ingress(final String channel, final int streamId)
    {
        this.ingressChannel = channel;
        this.ingressStreamId = streamId;
        return self();
    }

    /**
     * @param channel subscription channel for the daemon's egress: for the default multi-destination egress
     *                {@code aeron:udp?endpoint=<this host>:0|control=<daemon control address>|control-mode=dynamic},
     *                for IPC the daemon's channel itself.
     * @param streamId the daemon's egress stream id.
     * @return this.
     */
    public SluiceClient.Context egress(final String channel, final int streamId)
    {
        this.egressChannel = channel;
        this.egressStreamId = streamId;
        return self();
    }

    /**
     * @param clientId this client's id, non-zero; default a random positive id. Set a fixed id to
     *                 {@link SluiceClient#resume} across restarts of the client process: the daemon keeps each
     *                 client id's highest accepted event correlation id, and a random id starts afresh.
     * @return this.
     */
    public SluiceClient.Context clientId(final long clientId)
    {
        this.clientId = clientId;
        return self();
    }

    /**
     * @param images egress images to wait for in {@link SluiceClient#awaitConnected(long)}: the daemon's processor count,
     *               so results from every shard are received from the first event. Default 1.
     * @return this.
     */
    public SluiceClient.Context egressImages(final int images)
    {
        this.egressImages = images;
        return self();
    }

    SluiceClientContext()
    {
    }

    private SluiceClient.Context self()
    {
        return (SluiceClient.Context)this;
    }
}
