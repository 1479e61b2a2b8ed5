package io.sluice.core.processor;

/**
 * Where a processor's results go. Each processor has its own sink and is its only caller, so an implementation
 * is single-threaded by construction (the transport's is an Aeron {@code ExclusivePublication}).
 * <p>
 * Called on the per-event path: implementations must not allocate, lock or log.
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
     * @param windowStart   start of the window the aggregate covers, epoch ns (0: since the key was first seen).
     * @param count         events in the aggregate.
     * @param sum           sum of values.
     * @param min           smallest value.
     * @param max           largest value.
     * @param first         first value.
     * @param last          last value.
     * @param receiveNanos  when the ingress received the event, {@code System.nanoTime()}.
     */
    void onEventResult(
        long clientId,
        long correlationId,
        long key,
        long timestamp,
        long windowStart,
        long count,
        double sum,
        double min,
        double max,
        double first,
        double last,
        long receiveNanos);

    /**
     * An input that could not be processed.
     *
     * @param clientId      the input's client, 0 when unreadable.
     * @param correlationId the client's id for the input, 0 when unreadable.
     * @param key           the key, 0 when unreadable.
     * @param reason        a {@link io.sluice.core.RejectReason} code.
     */
    void onRejected(long clientId, long correlationId, long key, int reason);
}
