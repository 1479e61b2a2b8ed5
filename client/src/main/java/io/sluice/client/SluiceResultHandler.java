package io.sluice.client;

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
}
