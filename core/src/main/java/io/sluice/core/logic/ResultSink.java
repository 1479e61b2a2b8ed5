package io.sluice.core.logic;

import io.sluice.core.state.Aggregate;

/**
 * Where a processor's results go. Each processor has its own sink and is its only caller, so an implementation
 * is single-threaded by construction (the transport's writes to one Aeron {@code ExclusivePublication}).
 * <p>
 * Called on the per-event path: implementations must not allocate, lock or log. The {@link Aggregate} arguments
 * are the processor's reusable holders: read them during the call, never keep them.
 */
public interface ResultSink
{
    /**
     * The key's aggregate after applying one event.
     *
     * @param clientId      the event's client.
     * @param correlationId the client's id for the event.
     * @param key           the key.
     * @param timestamp     the event's time, epoch ns.
     * @param aggregate     the key's aggregate including the event.
     * @param receiveNanos  when the ingress received the event, {@code System.nanoTime()}.
     * @param resultMode    the {@link io.sluice.core.ResultMode} the event's client asked for: the sink sends an
     *                      {@code EventResult}, adds the result to the batch it sends at {@link #onBatchEnd()}, or
     *                      sends nothing.
     */
    void onEventResult(
        long clientId,
        long correlationId,
        long key,
        long timestamp,
        Aggregate aggregate,
        long receiveNanos,
        int resultMode);

    /**
     * The answer to a query.
     *
     * @param clientId      the query's client.
     * @param correlationId the client's id for the query.
     * @param key           the key.
     * @param found         whether the processor holds the key.
     * @param open          the key's current aggregate (empty when not found).
     * @param closed        the key's last closed window (count 0 when none has closed).
     */
    void onQueryResult(long clientId, long correlationId, long key, boolean found, Aggregate open, Aggregate closed);

    /**
     * An input that could not be processed.
     *
     * @param clientId      the input's client, 0 when unreadable.
     * @param correlationId the client's id for the input, 0 when unreadable.
     * @param key           the key, 0 when unreadable.
     * @param reason        a {@link io.sluice.core.RejectReason} code.
     * @param batchIndex    the event's index in its client's {@code EventBatch}, -1 when the input was not an event
     *                      of a batch (or was the whole batch).
     */
    void onRejected(long clientId, long correlationId, long key, int reason, int batchIndex);

    /**
     * An input refused {@code NOT_OWNER} (topology mode): its key group is not this appliance's. By default the
     * plain {@link #onRejected}, without the epoch.
     *
     * @param clientId      the input's client.
     * @param correlationId the client's id for the input.
     * @param key           the key.
     * @param batchIndex    the event's index in its batch, -1 when none.
     * @param epoch         the appliance's topology epoch when it refused.
     */
    default void onNotOwner(long clientId, long correlationId, long key, int batchIndex, long epoch)
    {
        onRejected(clientId, correlationId, key, io.sluice.core.RejectReason.NOT_OWNER, batchIndex);
    }

    /**
     * A key's window closed with at least one event; exactly once per key and window.
     *
     * @param key       the key.
     * @param windowEnd end of the window, exclusive, epoch ns.
     * @param window    the window's aggregate; its start is {@link Aggregate#windowStart()}.
     */
    void onWindowResult(long key, long windowEnd, Aggregate window);

    /**
     * An alert rule fired.
     *
     * @param ruleIndex   the rule's index in the configuration (name order).
     * @param key         the key.
     * @param windowStart the window's start for a window rule, 0 for an event rule.
     * @param field       what was compared: {@code AlertRule.Field} ordinal + 1.
     * @param op          how: {@code AlertRule.Op} ordinal + 1.
     * @param observed    the observed value.
     * @param threshold   the rule's threshold.
     */
    void onAlert(int ruleIndex, long key, long windowStart, int field, int op, double observed, double threshold);

    /**
     * The answer to a client's resume request: the highest event correlation id of the client that was accepted
     * before the request (journaled, when the journal is on).
     *
     * @param clientId          the client.
     * @param correlationId     the request's correlation id.
     * @param lastCorrelationId the client's highest accepted event correlation id, {@link Long#MIN_VALUE} for none.
     */
    void onResumed(long clientId, long correlationId, long lastCorrelationId);

    /**
     * The processor reached the end of a batch of ring entries (what the ring had ready when it looked): a sink that
     * holds batched results sends them now. Called once per processor batch, also when the batch held nothing for
     * this sink.
     */
    default void onBatchEnd()
    {
    }

    /**
     * The alert rules in force changed (a live change reached the processor, between two events; also once when a
     * processor that can take live changes is built): from now on an alert's {@code ruleIndex} i names the rule
     * {@code names[i][0 .. nameLengths[i])}, US-ASCII. The arrays are the processor's and keep these contents until
     * the next call; processor thread only. A sink that prints no names ignores it.
     *
     * @param count       rules in force.
     * @param names       name bytes by rule index.
     * @param nameLengths name lengths by rule index.
     */
    default void onAlertRules(final int count, final byte[][] names, final int[] nameLengths)
    {
    }
}
