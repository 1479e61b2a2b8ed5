package io.sluice.client;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.transport.codec.AdminResponseDecoder;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.AuthenticatedDecoder;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectReason;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.ResumedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.IntHashSet;

/**
 * Decodes what a link receives and hands it to the handler of the latest poll: this client's EventResults (single or
 * batched), QueryResults, Rejected, Resumed, Authenticated and AdminResponses, and every WindowResult and Alert
 * (with authentication, only a client with {@code subscribe} gets those). A probe refused {@code NOT_PERMITTED} (a
 * client without {@code query}) or {@code NOT_OWNER} (an appliance of a topology that does not own the probe key's
 * group) counts as answered: the round trip worked. Messages of other schemas and
 * results addressed to other clients are skipped. On the way it notes what the connection and resume protocols wait
 * for: the images that answered a probe while probing, and the {@code Resumed} of the awaited resume request.
 * <p>
 * The client's polling thread only; flyweight decoders re-wrapped per message, nothing allocated (the probe answers'
 * set holds at most the processor count's session ids, sized on the control path).
 */
final class ResultDecoder implements FragmentHandler
{
    /** Receives what arrives while nobody polled yet, and drops it. */
    static final SluiceResultHandler DISCARD = new SluiceResultHandler()
    {
        public void onEventResult(final EventResultDecoder result)
        {
        }

        public void onRejected(final RejectedDecoder rejected)
        {
        }
    };

    private final long clientId;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final EventResultDecoder eventResult = new EventResultDecoder();
    private final EventResultBatchDecoder resultBatch = new EventResultBatchDecoder();
    private final RejectedDecoder rejected = new RejectedDecoder();
    private final QueryResultDecoder queryResult = new QueryResultDecoder();
    private final WindowResultDecoder windowResult = new WindowResultDecoder();
    private final AlertDecoder alert = new AlertDecoder();
    private final ResumedDecoder resumed = new ResumedDecoder();
    private final AuthenticatedDecoder authenticated = new AuthenticatedDecoder();
    private final AdminResponseDecoder adminResponse = new AdminResponseDecoder();
    private final IntHashSet probeAnswers = new IntHashSet();
    private SluiceResultHandler handler;
    private boolean probing;
    private long awaitedResumeId;
    private boolean resumeAnswered;
    private long resumedMark;
    private int permissions = SluiceClient.PERMISSIONS_UNKNOWN;

    /**
     * @param clientId the client whose results are handed on.
     */
    ResultDecoder(final long clientId)
    {
        this.clientId = clientId;
    }

    /**
     * @param handler receives what the following polls read.
     */
    void handler(final SluiceResultHandler handler)
    {
        this.handler = handler;
    }

    /**
     * @return the handler of the latest poll, or {@link #DISCARD} when there was none.
     */
    SluiceResultHandler handlerOrDiscard()
    {
        return null != handler ? handler : DISCARD;
    }

    /**
     * @return whether probe answers are being collected.
     */
    boolean probing()
    {
        return probing;
    }

    /**
     * @param probing whether to collect the session ids of the images that answer a probe.
     */
    void probing(final boolean probing)
    {
        this.probing = probing;
    }

    /**
     * Forget the probe answers collected so far.
     */
    void clearProbeAnswers()
    {
        probeAnswers.clear();
    }

    /**
     * @return distinct egress images (processors) that answered a probe since {@link #clearProbeAnswers()}.
     */
    int probeAnswers()
    {
        return probeAnswers.size();
    }

    /**
     * Wait for the {@code Resumed} that answers this request; an earlier answer no longer counts.
     *
     * @param requestId the {@code Resume}'s correlation id.
     */
    void awaitResumed(final long requestId)
    {
        awaitedResumeId = requestId;
        resumeAnswered = false;
    }

    /**
     * @return true once the awaited {@code Resumed} arrived.
     */
    boolean resumeAnswered()
    {
        return resumeAnswered;
    }

    /**
     * @return the daemon's mark from the awaited {@code Resumed}: the highest Event correlation id it accepted from
     * this client.
     */
    long resumedMark()
    {
        return resumedMark;
    }

    /**
     * @return the permissions of the latest {@code Authenticated} for this client, or
     * {@link SluiceClient#PERMISSIONS_UNKNOWN} when none arrived.
     */
    int permissions()
    {
        return permissions;
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
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

            case EventResultBatchDecoder.TEMPLATE_ID:
                resultBatch.wrap(buffer, bodyOffset, blockLength, version);
                for (final EventResultBatchDecoder.ResultsDecoder result : resultBatch.results())
                {
                    if (result.clientId() == clientId)
                    {
                        handler.onBatchedEventResult(result);
                    }
                }
                break;

            case RejectedDecoder.TEMPLATE_ID:
                rejected.wrap(buffer, bodyOffset, blockLength, version);
                if (rejected.clientId() == clientId)
                {
                    final RejectReason reason = rejected.reason();
                    if (SluiceClient.isProbe(rejected.correlationId()) &&
                        (RejectReason.NOT_PERMITTED == reason || RejectReason.NOT_OWNER == reason))
                    {
                        if (probing)
                        {
                            probeAnswers.add(header.sessionId());
                        }
                    }
                    else
                    {
                        handler.onRejected(rejected);
                    }
                }
                break;

            case QueryResultDecoder.TEMPLATE_ID:
                queryResult.wrap(buffer, bodyOffset, blockLength, version);
                if (queryResult.clientId() == clientId)
                {
                    if (!SluiceClient.isProbe(queryResult.correlationId()))
                    {
                        handler.onQueryResult(queryResult);
                    }
                    else if (probing)
                    {
                        probeAnswers.add(header.sessionId());
                    }
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

            case ResumedDecoder.TEMPLATE_ID:
                resumed.wrap(buffer, bodyOffset, blockLength, version);
                if (resumed.clientId() == clientId)
                {
                    final long lastCorrelationId = resumed.lastCorrelationId();
                    if (!resumeAnswered && resumed.correlationId() == awaitedResumeId)
                    {
                        resumedMark = lastCorrelationId;
                        resumeAnswered = true;
                    }
                    handler.onResumed(clientId, resumed.correlationId(), lastCorrelationId);
                }
                break;

            case AuthenticatedDecoder.TEMPLATE_ID:
                authenticated.wrap(buffer, bodyOffset, blockLength, version);
                if (authenticated.clientId() == clientId)
                {
                    permissions = authenticated.permissions().getRaw();
                    handler.onAuthenticated(clientId, authenticated.sessionId(), permissions);
                }
                break;

            case AdminResponseDecoder.TEMPLATE_ID:
                adminResponse.wrap(buffer, bodyOffset, blockLength, version);
                if (adminResponse.clientId() == clientId)
                {
                    handler.onAdminResponse(adminResponse);
                }
                break;

            default:
                break;
        }
    }
}
