package io.sluice.client;

import io.sluice.config.Settings;
import io.sluice.config.topology.Topology;
import io.sluice.transport.codec.ResultMode;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * How a {@link TopologyClient} reaches the appliances of a topology: the topology file, and the settings every
 * appliance's link shares (client id, result mode, batching, resend buffer, driver, secret). Applications name it
 * {@link TopologyClient.Context}, its one subclass. Holds what a user sets, nothing else; the control path only.
 */
public abstract sealed class TopologyClientContext permits TopologyClient.Context
{
    /** How often, unless told otherwise, the file is read again while an event waits for a newer epoch: 100 ms. */
    public static final long DEFAULT_TOPOLOGY_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private Path topologyFile;
    private long clientId;
    private ResultMode resultMode = ResultMode.PER_EVENT;
    private int maxBatchEvents = Settings.BATCH_MAX_EVENTS.defaultValue();
    private int resendBufferLength = SluiceClientContext.DEFAULT_RESEND_BUFFER_LENGTH;
    private boolean embeddedDriver;
    private String aeronDirectoryName = io.aeron.CommonContext.getAeronDirectoryName();
    private String secret;
    private Path secretFile;
    private int egressImages;
    private long topologyRetryNs = DEFAULT_TOPOLOGY_RETRY_NS;
    private long resumeTimeoutNs = SluiceClientContext.DEFAULT_RESUME_TIMEOUT_NS;
    private boolean concluded;

    TopologyClientContext()
    {
    }

    /**
     * Check the settings that are the topology client's own; each appliance's link checks the rest at
     * {@link TopologyClient#connect} (naming the {@code sluice.*} key, and the appliance).
     *
     * @return this.
     * @throws IllegalArgumentException naming the setting, its value and what is allowed: no topology file;
     *                                  {@code resultMode=NONE} (the routing client needs each event's answer to know
     *                                  it was applied); a resend buffer of fewer than 1 event; a retry interval or a
     *                                  resume timeout not above 0.
     * @throws IllegalStateException    when called a second time.
     */
    public TopologyClient.Context conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("TopologyClient.Context is already concluded");
        }
        if (null == topologyFile)
        {
            throw new IllegalArgumentException("topologyFile must be set: the topology file (" +
                Settings.TOPOLOGY_FILE.key() + ") the client routes by");
        }
        if (null == resultMode || ResultMode.NULL_VAL == resultMode)
        {
            throw new IllegalArgumentException("resultMode must be PER_EVENT or BATCHED: " + resultMode);
        }
        if (ResultMode.NONE == resultMode)
        {
            throw new IllegalArgumentException("resultMode=NONE is not allowed for a TopologyClient: the routing " +
                "client needs each event's answer to know it was applied (or must be sent to another appliance); " +
                "use PER_EVENT or BATCHED");
        }
        if (resendBufferLength < 1)
        {
            throw new IllegalArgumentException("resendBufferLength=" + resendBufferLength + " must be >= 1 for a " +
                "TopologyClient: it bounds the unanswered events the client keeps to route again");
        }
        if (topologyRetryNs <= 0)
        {
            throw new IllegalArgumentException("topologyRetryNs=" + topologyRetryNs + " must be > 0");
        }
        if (resumeTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("resumeTimeoutNs=" + resumeTimeoutNs + " must be > 0");
        }
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
     * The link context of one appliance: this context's shared settings and the appliance's channels (a daemon's
     * ingress and egress, or a cluster's ingress endpoints), concluded.
     *
     * @param appliance the appliance, from the topology file.
     * @param clientId  the client id every link uses.
     * @return the concluded context.
     * @throws IllegalArgumentException naming the appliance and what its link's context refused.
     */
    SluiceClient.Context applianceContext(final Topology.Appliance appliance, final long clientId)
    {
        final SluiceClient.Context ctx = new SluiceClient.Context()
            .clientId(clientId)
            .resultMode(resultMode)
            .maxBatchEvents(maxBatchEvents)
            .resendBufferLength(resendBufferLength)
            .embeddedDriver(embeddedDriver)
            .aeronDirectoryName(aeronDirectoryName)
            .egressImages(egressImages)
            .resumeTimeoutNs(resumeTimeoutNs);
        if (null != secret)
        {
            ctx.secret(secret);
        }
        if (null != secretFile)
        {
            ctx.secretFile(secretFile);
        }
        if (appliance.isCluster())
        {
            ctx.clusterIngressEndpoints(appliance.clusterIngress());
        }
        else
        {
            ctx.ingress(appliance.ingress(), appliance.ingressStream())
                .egress(appliance.egress(), appliance.egressStream());
        }
        try
        {
            return ctx.conclude();
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("topology file " + topologyFile + ", appliance '" +
                appliance.name() + "': " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the topology file.
     */
    public Path topologyFile()
    {
        return topologyFile;
    }

    /**
     * @param file the topology file ({@code sluice.topology.file}, as {@code sluice topology} writes it): which
     *             appliances there are, how to reach each, who owns which key groups. Required.
     * @return this.
     */
    public TopologyClient.Context topologyFile(final Path file)
    {
        this.topologyFile = file;
        return self();
    }

    /**
     * @return the client id; 0 for a random one drawn at connect.
     */
    public long clientId()
    {
        return clientId;
    }

    /**
     * @param clientId this client's id on every appliance, non-zero; default a random positive id (the same on
     *                 every appliance). A fixed id lets a restarted process {@link TopologyClient#resume} each
     *                 appliance and continue above its mark.
     * @return this.
     */
    public TopologyClient.Context clientId(final long clientId)
    {
        this.clientId = clientId;
        return self();
    }

    /**
     * @return the per-event results the events get.
     */
    public ResultMode resultMode()
    {
        return resultMode;
    }

    /**
     * @param mode {@link ResultMode#PER_EVENT} (default) or {@link ResultMode#BATCHED}; {@link ResultMode#NONE} is
     *             refused: the routing client needs each event's answer to know it was applied.
     * @return this.
     */
    public TopologyClient.Context resultMode(final ResultMode mode)
    {
        this.resultMode = mode;
        return self();
    }

    /**
     * @return most events in one batch to one appliance.
     */
    public int maxBatchEvents()
    {
        return maxBatchEvents;
    }

    /**
     * @param events most events in one batch to one appliance (as {@link SluiceClientContext#maxBatchEvents(int)});
     *               1: every event leaves at once.
     * @return this.
     */
    public TopologyClient.Context maxBatchEvents(final int events)
    {
        this.maxBatchEvents = events;
        return self();
    }

    /**
     * @return the resend buffer's length, which also bounds the unanswered events and queries.
     */
    public int resendBufferLength()
    {
        return resendBufferLength;
    }

    /**
     * @param events each appliance link's resend buffer (as {@link SluiceClientContext#resendBufferLength(int)}),
     *               at least 1, default {@value SluiceClientContext#DEFAULT_RESEND_BUFFER_LENGTH}; also the most
     *               events and queries unanswered at once ({@link TopologyClient#offerEvent} returns
     *               {@code BACK_PRESSURED} beyond it). 57 bytes an event, plus 48 per event and appliance
     *               (its link's resend buffer and wire id map), allocated at connect.
     * @return this.
     */
    public TopologyClient.Context resendBufferLength(final int events)
    {
        this.resendBufferLength = events;
        return self();
    }

    /**
     * @return whether the client launches its own media driver.
     */
    public boolean embeddedDriver()
    {
        return embeddedDriver;
    }

    /**
     * @param embedded launch one media driver inside this client, shared by every appliance's link.
     * @return this.
     */
    public TopologyClient.Context embeddedDriver(final boolean embedded)
    {
        this.embeddedDriver = embedded;
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
     * @param dir directory of a running media driver every link goes through (ignored with an embedded driver).
     * @return this.
     */
    public TopologyClient.Context aeronDirectoryName(final String dir)
    {
        this.aeronDirectoryName = dir;
        return self();
    }

    /**
     * @param hex this client's secret, 64 hex digits, given to each appliance's link (each authenticates with it,
     *            as {@link SluiceClientContext#secret(String)}); default none.
     * @return this.
     */
    public TopologyClient.Context secret(final String hex)
    {
        this.secret = hex;
        return self();
    }

    /**
     * @param file a file holding this client's secret (as {@link SluiceClientContext#secretFile(Path)}), given to
     *             each appliance's link.
     * @return this.
     */
    public TopologyClient.Context secretFile(final Path file)
    {
        this.secretFile = file;
        return self();
    }

    /**
     * @return egress images each daemon appliance's link waits for; 0 (default) waits for 1.
     */
    public int egressImages()
    {
        return egressImages;
    }

    /**
     * @return the file the secret is read from, null when none was set.
     */
    public Path secretFile()
    {
        return secretFile;
    }

    /**
     * @param images egress images each daemon appliance's link waits for in {@link TopologyClient#awaitConnected}
     *               (its processor count); default 1.
     * @return this.
     */
    public TopologyClient.Context egressImages(final int images)
    {
        this.egressImages = images;
        return self();
    }

    /**
     * @return how often the file is read again while an event waits for a newer epoch, ns.
     */
    public long topologyRetryNs()
    {
        return topologyRetryNs;
    }

    /**
     * @param intervalNs how often, in ns, {@link TopologyClient#poll} reads the topology file again while an event
     *                   or query refused {@code NOT_OWNER} waits for an epoch the file does not have yet; &gt; 0,
     *                   default {@value #DEFAULT_TOPOLOGY_RETRY_NS} (100 ms).
     * @return this.
     */
    public TopologyClient.Context topologyRetryNs(final long intervalNs)
    {
        this.topologyRetryNs = intervalNs;
        return self();
    }

    /**
     * @return the longest automatic resume of one appliance, ns.
     */
    public long resumeTimeoutNs()
    {
        return resumeTimeoutNs;
    }

    /**
     * @param timeoutNs longest wait, in ns, of the resume {@link TopologyClient#poll} runs by itself when an appliance
     *                  answers {@code RESUME_REQUIRED} (it restarted); also each cluster link's automatic resume;
     *                  &gt; 0, default 10 s.
     * @return this.
     */
    public TopologyClient.Context resumeTimeoutNs(final long timeoutNs)
    {
        this.resumeTimeoutNs = timeoutNs;
        return self();
    }

    private TopologyClient.Context self()
    {
        return (TopologyClient.Context)this;
    }
}
