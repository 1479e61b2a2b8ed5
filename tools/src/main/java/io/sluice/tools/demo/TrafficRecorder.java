package io.sluice.tools.demo;

import io.sluice.client.SluiceResultHandler;
import io.sluice.core.RejectReason;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.BooleanType;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;
import org.agrona.collections.Long2LongHashMap;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What one side of a {@link TopologyTraffic} answered: an answer per event (by the correlation id it was offered
 * with), refusals by reason, every window result and alert, and each key's state as a query returned it. The routing
 * client delivers every appliance's answers under the application's correlation ids, so one recorder holds both
 * appliances'. The poll thread only.
 */
public final class TrafficRecorder implements SluiceResultHandler
{
    private final TopologyTraffic traffic;
    private final Long2LongHashMap indexOfId = new Long2LongHashMap(-1);
    private final BitSet answered = new BitSet();
    private final long[] rejects = new long[RejectReason.LIMIT];
    final Map<String, TopologyTraffic.WindowFigures> windows = new HashMap<>();
    private final Map<String, Integer> alerts = new HashMap<>();
    final Map<Long, TopologyTraffic.KeyState> states = new HashMap<>();
    private long results;
    private long answeredTwice;
    private long unknownAnswers;
    private long wrongKey;
    private long windowsTwice;
    private long alertsTwice;
    private long windowEventCount;

    void offered(final long id, final int index)
    {
        indexOfId.put(id, index);
    }

    /**
     * @param traffic the events whose answers this checks (their keys).
     */
    public TrafficRecorder(final TopologyTraffic traffic)
    {
        this.traffic = traffic;
    }

    /**
     * Poll until events {@code from} to {@code to} (exclusive) each have an answer.
     *
     * @param link      what to poll.
     * @param from      first event.
     * @param to        end.
     * @param timeoutNs longest wait.
     * @return true when all were answered in time.
     */
    public boolean awaitAll(final TopologyTraffic.Link link, final int from, final int to, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (answered(from, to) < to - from)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            if (0 == link.poll(this, 256))
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
        }
        return true;
    }

    /**
     * @param from first event.
     * @param to   end.
     * @return how many of those events have an answer.
     */
    public int answered(final int from, final int to)
    {
        return answered.get(from, to).cardinality();
    }

    /**
     * @param reason a {@link RejectReason}.
     * @return inputs answered {@code Rejected} with it.
     */
    public long rejects(final int reason)
    {
        return rejects[reason];
    }

    /**
     * @return rejects of every reason, by reason code (empty ones left out).
     */
    public String rejectsByReason()
    {
        final StringBuilder b = new StringBuilder();
        for (int r = 0; r < rejects.length; r++)
        {
            if (rejects[r] > 0)
            {
                b.append(b.length() > 0 ? ", " : "").append(RejectReason.name(r)).append(' ').append(rejects[r]);
            }
        }
        return b.length() == 0 ? "none" : b.toString();
    }

    /** @return event results received. */
    public long results()
    {
        return results;
    }

    /** @return events answered more than once. */
    public long answeredTwice()
    {
        return answeredTwice;
    }

    /** @return answers under a correlation id no event was offered with. */
    public long unknownAnswers()
    {
        return unknownAnswers;
    }

    /** @return event results whose key is not the event's. */
    public long wrongKey()
    {
        return wrongKey;
    }

    /** @return distinct windows (key and start) with a result. */
    public int windows()
    {
        return windows.size();
    }

    /** @return window results received for a window that already had one. */
    public long windowsTwice()
    {
        return windowsTwice;
    }

    /** @return the events the received window results count, summed. */
    public long windowEventCount()
    {
        return windowEventCount;
    }

    /** @return distinct alerts received. */
    public int alerts()
    {
        return alerts.size();
    }

    /** @return alerts received again. */
    public long alertsTwice()
    {
        return alertsTwice;
    }

    /** @return the distinct alerts, each as text. */
    public Set<String> alertSet()
    {
        return alerts.keySet();
    }

    /** @return keys with a query answer. */
    public int states()
    {
        return states.size();
    }

    /**
     * @param key a key.
     * @return its state as the query answered, or null.
     */
    public TopologyTraffic.KeyState state(final long key)
    {
        return states.get(key);
    }

    /** @return the sum of the open windows' counts over the queried keys. */
    public long openEventCount()
    {
        return states.values().stream().mapToLong(TopologyTraffic.KeyState::openCount).sum();
    }

    private void answer(final long id, final long key)
    {
        final int index = (int)indexOfId.get(id);
        if (index < 0)
        {
            unknownAnswers++;
            return;
        }
        if (answered.get(index))
        {
            answeredTwice++;
        }
        answered.set(index);
        if (key != traffic.key(index))
        {
            wrongKey++;
        }
    }

    public void onEventResult(final EventResultDecoder result)
    {
        results++;
        answer(result.correlationId(), result.key());
    }

    public void onBatchedEventResult(final EventResultBatchDecoder.ResultsDecoder result)
    {
        results++;
        answer(result.correlationId(), result.key());
    }

    public void onRejected(final RejectedDecoder rejected)
    {
        final int reason = rejected.reasonRaw();
        rejects[reason > 0 && reason < rejects.length ? reason : 0]++;
        if (indexOfId.containsKey(rejected.correlationId()))
        {
            answer(rejected.correlationId(), rejected.key());
        }
    }

    public void onQueryResult(final QueryResultDecoder q)
    {
        states.put(q.key(), new TopologyTraffic.KeyState(BooleanType.TRUE == q.found(),
            q.openWindowStart(), q.openCount(), q.openSum(), q.openMin(), q.openMax(), q.openFirst(), q.openLast(),
            q.closedWindowStart(), q.closedCount(), q.closedSum(), q.closedMin(), q.closedMax(), q.closedFirst(),
            q.closedLast()));
    }

    public void onWindowResult(final WindowResultDecoder w)
    {
        final TopologyTraffic.WindowFigures figures = new TopologyTraffic.WindowFigures(
            w.windowEnd(), w.count(), w.sum(), w.min(), w.max(), w.first(), w.last());
        if (null != windows.put(w.key() + "@" + w.windowStart(), figures))
        {
            windowsTwice++;
        }
        else
        {
            windowEventCount += w.count();
        }
    }

    public void onAlert(final AlertDecoder alert)
    {
        final String text = alert.ruleIndex() + " key " + alert.key() + " window " + alert.windowStart() + " " +
            alert.field() + " " + alert.op() + " observed " + alert.observed() + " threshold " + alert.threshold();
        if (alerts.merge(text, 1, Integer::sum) > 1)
        {
            alertsTwice++;
        }
    }
}
