package io.sluice.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.config.topology.KeyGroupHash;
import io.sluice.transport.codec.EventBatchDecoder;
import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.EventResultBatchEncoder;
import io.sluice.transport.codec.EventResultEncoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import io.sluice.transport.codec.QueryDecoder;
import io.sluice.transport.codec.QueryResultEncoder;
import io.sluice.transport.codec.RejectReason;
import io.sluice.transport.codec.RejectedEncoder;
import io.sluice.transport.codec.ResultMode;
import io.sluice.transport.codec.ResumeDecoder;
import io.sluice.transport.codec.ResumedEncoder;
import io.sluice.transport.codec.BooleanType;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted stand-in for one appliance of a topology, made of plain Aeron (an ingress subscription, an egress
 * publication): it owns a set of key groups at an epoch and decides each event as the ingress of an appliance in
 * topology mode does (docs of issue 24): a new event (wire id above the client's mark) raises the mark and is applied
 * (EventResult, or one EventResultBatch per BATCHED batch) when its group is owned, else refused NOT_OWNER with the
 * epoch; a resent one (at or below the mark) is DUPLICATE when it was applied here, else NOT_OWNER. Queries:
 * QueryResult when owned, else NOT_OWNER. Resume: Resumed with the mark. {@link #silent} applies but answers
 * nothing (answers lost in a crash); {@link #mustResume} refuses events RESUME_REQUIRED until a Resume (a restarted
 * appliance that recovered its marks). Runs on its own thread, sleeping 1 ms when idle; what it saw is read by the
 * test thread.
 */
final class FakeAppliance implements FragmentHandler, AutoCloseable
{
    /** One event or query the appliance received: its wire id, key, value, whether a query, and what it answered. */
    record Received(long wireId, long key, double value, boolean query, String answer)
    {
    }

    /** Results in one EventResultBatch message, so that it fits one frame (the subscription reads frames whole). */
    private static final int RESULTS_PER_FRAME = 14;

    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile boolean silent;
    volatile boolean mustResume;
    /** What {@link #mustResume} answers events: RESUME_REQUIRED (a restart), or UNAUTHENTICATED (a lost session). */
    volatile String resumeAnswer = "RESUME_REQUIRED";
    volatile long epoch;

    private final KeyGroupHash hash;
    private final boolean[] owned;
    private final Subscription ingress;
    private final ExclusivePublication egress;
    private final Set<Long> applied = new HashSet<>();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[64 * 1024]);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final EventDecoder event = new EventDecoder();
    private final EventBatchDecoder batch = new EventBatchDecoder();
    private final QueryDecoder query = new QueryDecoder();
    private final ResumeDecoder resume = new ResumeDecoder();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long mark;
    private long clientId;
    private double sum;
    private long count;

    FakeAppliance(
        final Aeron aeron, final String name, final String channel, final int ingressStream, final int egressStream,
        final KeyGroupHash hash, final long epoch, final int firstOwned, final int lastOwned)
    {
        this.hash = hash;
        this.epoch = epoch;
        this.owned = new boolean[hash.keyGroupCount()];
        own(firstOwned, lastOwned, true);
        this.ingress = aeron.addSubscription(channel, ingressStream);
        this.egress = aeron.addExclusivePublication(channel, egressStream);
        this.thread = new Thread(this::run, "fake-appliance-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Take or give up groups (a move's acquire or release), as of the epoch.
     */
    synchronized void own(final int first, final int last, final boolean own)
    {
        for (int g = first; g <= last; g++)
        {
            owned[g] = own;
        }
    }

    long mark()
    {
        return mark;
    }

    private void run()
    {
        while (running)
        {
            final int work;
            synchronized (this)
            {
                work = ingress.poll(this, 10);
            }
            if (0 == work)
            {
                try
                {
                    Thread.sleep(1);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header frame)
    {
        header.wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        switch (header.templateId())
        {
            case EventDecoder.TEMPLATE_ID ->
            {
                event.wrap(buffer, body, header.blockLength(), header.version());
                clientId = event.clientId();
                final String answer = decide(event.correlationId(), event.key(), event.value());
                if (answer.equals("RESULT"))
                {
                    sendResult(event.correlationId(), event.key(), event.timestamp());
                }
                else
                {
                    reject(event.correlationId(), event.key(), answer, -1);
                }
            }
            case EventBatchDecoder.TEMPLATE_ID -> onBatch(buffer, body);
            case QueryDecoder.TEMPLATE_ID ->
            {
                query.wrap(buffer, body, header.blockLength(), header.version());
                clientId = query.clientId();
                final boolean mine = owned[hash.keyGroup(query.key())];
                if (query.correlationId() > 0)
                {
                    received.add(new Received(query.correlationId(), query.key(), 0, true, mine ? "RESULT" : "NOT_OWNER"));
                }
                if (mine)
                {
                    send(new QueryResultEncoder().wrapAndApplyHeader(out, 0, headerEncoder).clientId(clientId)
                        .correlationId(query.correlationId()).key(query.key()).found(BooleanType.TRUE)
                        .openCount(count).encodedLength());
                }
                else
                {
                    reject(query.correlationId(), query.key(), "NOT_OWNER", -1);
                }
            }
            case ResumeDecoder.TEMPLATE_ID ->
            {
                resume.wrap(buffer, body, header.blockLength(), header.version());
                clientId = resume.clientId();
                mustResume = false;
                send(new ResumedEncoder().wrapAndApplyHeader(out, 0, headerEncoder).clientId(clientId)
                    .correlationId(resume.correlationId()).lastCorrelationId(0 == mark ? Long.MIN_VALUE : mark)
                    .encodedLength());
            }
            default ->
            {
            }
        }
    }

    private void onBatch(final DirectBuffer buffer, final int body)
    {
        batch.wrap(buffer, body, header.blockLength(), header.version());
        clientId = batch.clientId();
        final boolean batched = ResultMode.BATCHED == batch.resultMode();
        final EventResultBatchEncoder results = new EventResultBatchEncoder();
        final UnsafeBuffer resultBuffer = new UnsafeBuffer(new byte[64 * 1024]);
        final EventBatchDecoder.EventsDecoder events = batch.events();
        final int count = events.count();
        final long[] ids = new long[count];
        final long[] keys = new long[count];
        final long[] times = new long[count];
        final String[] answers = new String[count];
        int i = 0;
        for (final EventBatchDecoder.EventsDecoder e : events)
        {
            ids[i] = e.correlationId();
            keys[i] = e.key();
            times[i] = e.timestamp();
            answers[i] = decide(e.correlationId(), e.key(), e.value());
            i++;
        }
        for (int j = 0; j < count; j++)
        {
            if (!answers[j].equals("RESULT"))
            {
                reject(ids[j], keys[j], answers[j], j);
            }
            else if (!batched)
            {
                sendResult(ids[j], keys[j], times[j]);
            }
        }
        if (batched && !silent)
        {
            int j = 0;
            while (j < count)
            {
                int inMessage = 0;
                for (int k = j; k < count && inMessage < RESULTS_PER_FRAME; k++)
                {
                    inMessage += answers[k].equals("RESULT") ? 1 : 0;
                }
                if (0 == inMessage)
                {
                    break;
                }
                final EventResultBatchEncoder.ResultsEncoder group =
                    results.wrapAndApplyHeader(resultBuffer, 0, headerEncoder).resultsCount(inMessage);
                for (int added = 0; added < inMessage; j++)
                {
                    if (answers[j].equals("RESULT"))
                    {
                        group.next().clientId(clientId).correlationId(ids[j]).key(keys[j]).timestamp(times[j])
                            .eventCount(1).sum(1);
                        added++;
                    }
                }
                offer(resultBuffer, MessageHeaderEncoder.ENCODED_LENGTH + results.encodedLength());
            }
        }
    }

    /**
     * @return RESULT, NOT_OWNER, DUPLICATE or RESUME_REQUIRED, as an appliance in topology mode decides.
     */
    private String decide(final long wireId, final long key, final double value)
    {
        final String answer;
        if (mustResume)
        {
            answer = resumeAnswer;
        }
        else if (wireId > mark)
        {
            mark = wireId;
            if (owned[hash.keyGroup(key)])
            {
                applied.add(wireId);
                sum += value;
                count++;
                answer = "RESULT";
            }
            else
            {
                answer = "NOT_OWNER";
            }
        }
        else
        {
            answer = applied.contains(wireId) ? "DUPLICATE" : "NOT_OWNER";
        }
        received.add(new Received(wireId, key, value, false, answer));
        return answer;
    }

    private void sendResult(final long wireId, final long key, final long timestamp)
    {
        send(new EventResultEncoder().wrapAndApplyHeader(out, 0, headerEncoder).clientId(clientId)
            .correlationId(wireId).key(key).timestamp(timestamp).count(1).sum(1).encodedLength());
    }

    private void reject(final long wireId, final long key, final String reason, final int batchIndex)
    {
        send(new RejectedEncoder().wrapAndApplyHeader(out, 0, headerEncoder).clientId(clientId)
            .correlationId(wireId).key(key).reason(RejectReason.valueOf(reason)).batchIndex(batchIndex)
            .epoch(reason.equals("NOT_OWNER") ? epoch : 0).encodedLength());
    }

    private void send(final int bodyLength)
    {
        if (!silent)
        {
            offer(out, MessageHeaderEncoder.ENCODED_LENGTH + bodyLength);
        }
    }

    private void offer(final UnsafeBuffer buffer, final int length)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (egress.offer(buffer, 0, length) < 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("fake appliance could not send to its egress");
            }
            Thread.yield();
        }
    }

    public void close()
    {
        running = false;
        try
        {
            thread.join(5000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        CloseHelper.quietCloseAll(egress, ingress);
    }
}
