package io.sluice.client;

import io.sluice.transport.codec.AdminResponseDecoder;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;

/**
 * Receives what the daemon sends a {@link SluiceClient}. The decoders are flyweights over the receive buffer:
 * read them during the call, never keep them. Called on the thread that calls {@link SluiceClient#poll}.
 */
public interface SluiceResultHandler
{
    /**
     * @param result the key's aggregate after one of this client's events.
     */
    void onEventResult(EventResultDecoder result);

    /**
     * One result of an {@code EventResultBatch}: the key's aggregate after one of this client's events sent with
     * {@code ResultMode.BATCHED}. Called once per result of this client in the batch, in order.
     *
     * @param result the result (its {@code eventCount} is the aggregate's count).
     */
    default void onBatchedEventResult(EventResultBatchDecoder.ResultsDecoder result)
    {
    }

    /**
     * @param rejected one of this client's inputs that could not be processed, with the reason.
     */
    void onRejected(RejectedDecoder rejected);

    /**
     * @param result the answer to one of this client's queries.
     */
    default void onQueryResult(QueryResultDecoder result)
    {
    }

    /**
     * @param result a closed window (sent to every client).
     */
    default void onWindowResult(WindowResultDecoder result)
    {
    }

    /**
     * @param alert an alert rule that fired (sent to every client).
     */
    default void onAlert(AlertDecoder alert)
    {
    }

    /**
     * The daemon's answer to one of this client's {@code Resume} requests. {@link SluiceClient#resume} consumes the
     * answer it waits for; this sees any other (e.g. a late answer to an earlier request that was sent again).
     *
     * @param clientId          this client's id.
     * @param correlationId     the {@code Resume}'s correlation id.
     * @param lastCorrelationId the highest Event correlation id of this client the daemon has accepted, or
     *                          {@link Long#MIN_VALUE} when none.
     */
    default void onResumed(long clientId, long correlationId, long lastCorrelationId)
    {
    }

    /**
     * This client's handshake succeeded: after {@link SluiceClient#awaitConnected(long)} and again after each
     * re-authentication the client did by itself (a daemon restart or a lost connection; then call
     * {@link SluiceClient#resume} to resend what the restart lost). A cluster client sees it when the clustered service
     * sends {@code Authenticated} on a new session. Like everything read while {@link SluiceClient#awaitConnected(long)}
     * waits, the first one goes to the handler of the latest {@link SluiceClient#poll} (none before the first poll).
     *
     * @param clientId    this client's id.
     * @param sessionId   the session it authenticated (the Aeron session id of its ingress, or the cluster session).
     * @param permissions its permissions, bits of {@code io.sluice.protocol.auth.Permission}.
     */
    default void onAuthenticated(long clientId, long sessionId, int permissions)
    {
    }

    /**
     * The answer to one of this client's {@link SluiceClient#offerAdminRequest} requests.
     *
     * @param response its correlation id, action, status ({@code OK}, {@code NOT_PERMITTED} without the admin
     *                 permission or without authentication, {@code FAILED}) and message.
     */
    default void onAdminResponse(AdminResponseDecoder response)
    {
    }
}
