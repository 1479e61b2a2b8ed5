package io.sluice.client;

import io.aeron.Publication;
import io.sluice.transport.codec.AlertDecoder;
import io.sluice.transport.codec.EventResultBatchDecoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.QueryResultDecoder;
import io.sluice.transport.codec.RejectReason;
import io.sluice.transport.codec.RejectedDecoder;
import io.sluice.transport.codec.WindowResultDecoder;

/**
 * One appliance of a {@link TopologyClient}: its {@link SluiceClient} (the link, with its own wire correlation ids),
 * the {@link WireMap} from those ids to application ids, and its figures. It is the handler its link's polls deliver
 * to: an answer to one of the client's events or queries goes to the application under the application id
 * ({@link ResultRelay}), once; {@code NOT_OWNER} goes back to the client to be routed again, and
 * {@code RESUME_REQUIRED} (the appliance restarted) or {@code UNAUTHENTICATED} (its session was lost) marks a resume
 * owed (which authenticates again and resends what was not accepted), none reaching the application; window
 * results, alerts and {@code Authenticated} pass through; {@code Resumed} and admin answers (wire-level) do not.
 * <p>
 * The client's thread only; nothing allocated after construction.
 */
final class ApplianceRoute implements SluiceResultHandler
{
    private final TopologyClient owner;
    private final int index;
    private final String name;
    private final SluiceClient client;
    private final WireMap wires;
    private final UnansweredTable table;
    private final ResultRelay relay;
    private long eventsSent;
    private long queriesSent;
    private long answers;
    private long notOwner;
    private long resumes;
    private boolean resumeOwed;
    private long resumedBelow;
    private long autoResumesSeen;

    /**
     * @param owner  the client the route belongs to (its handler, its {@code NOT_OWNER} handling).
     * @param index  the appliance's index in the topology file.
     * @param name   the appliance's name.
     * @param client the appliance's link; this route becomes its handler.
     * @param table  the client's unanswered events and queries.
     * @param relay  re-addresses answers to application ids.
     */
    ApplianceRoute(
        final TopologyClient owner,
        final int index,
        final String name,
        final SluiceClient client,
        final UnansweredTable table,
        final ResultRelay relay)
    {
        this.owner = owner;
        this.index = index;
        this.name = name;
        this.client = client;
        this.wires = new WireMap(table.capacity());
        this.table = table;
        this.relay = relay;
        client.handler(this);
    }

    /** @return the appliance's name in the topology file. */
    String name()
    {
        return name;
    }

    /** @return the appliance's link. */
    SluiceClient client()
    {
        return client;
    }

    /** @return the link's map from wire ids to application ids. */
    WireMap wires()
    {
        return wires;
    }

    /** @return events sent on the link (first sends, routed here again, resent). */
    long eventsSent()
    {
        return eventsSent;
    }

    /** @return queries sent on the link. */
    long queriesSent()
    {
        return queriesSent;
    }

    /** @return answers from the appliance handed to the application. */
    long answers()
    {
        return answers;
    }

    /** @return {@code NOT_OWNER} answers from the appliance. */
    long notOwner()
    {
        return notOwner;
    }

    /** @return resumes of the link done. */
    long resumes()
    {
        return resumes;
    }

    /**
     * @return true when the appliance answered {@code RESUME_REQUIRED} or {@code UNAUTHENTICATED} to something sent
     * after the last resume.
     */
    boolean resumeOwed()
    {
        return resumeOwed;
    }

    /**
     * @return true when the link can carry a resume now: a daemon link's publication is connected (a cluster link
     * works towards its session inside the resume).
     */
    boolean canResume()
    {
        return client.isClusterClient() || client.publication().isConnected();
    }

    /**
     * A resume of this link finished: what was sent before it is covered.
     */
    void resumed()
    {
        resumeOwed = false;
        resumedBelow = client.nextCorrelationId();
        autoResumesSeen = client.autoResumes();
        resumes++;
    }

    /**
     * @return true when the link (a cluster's) resumed by itself since {@link #resumed()} last ran.
     */
    boolean autoResumedSinceSeen()
    {
        return client.autoResumes() != autoResumesSeen;
    }

    /**
     * Send an unanswered entry to this appliance with a fresh wire correlation id.
     *
     * @param slot the entry's slot.
     * @return its wire id, or a negative {@link Publication} code (then nothing changed):
     * {@link Publication#BACK_PRESSURED} also when the wire id's slot of the map is still taken.
     */
    long send(final int slot)
    {
        if (!client.resumeIfOwed())
        {
            return Publication.NOT_CONNECTED;
        }
        if (!wires.canTake(client.nextCorrelationId()))
        {
            return Publication.BACK_PRESSURED;
        }
        final boolean event = UnansweredTable.EVENT == table.kind(slot);
        final long wireId = event ?
            client.offerEvent(table.key(slot), table.timestamp(slot), table.value(slot)) :
            client.offerQuery(table.key(slot));
        if (wireId > 0)
        {
            wires.put(wireId, table.appId(slot));
            table.sentTo(slot, index, wireId);
            if (event)
            {
                eventsSent++;
            }
            else
            {
                queriesSent++;
            }
        }
        return wireId;
    }

    /**
     * Send an unanswered event again with the wire correlation id it has on this appliance (after a restart).
     *
     * @return the new position, or a negative {@link Publication} code.
     */
    long resendWithOriginalId(final int slot)
    {
        final long result = client.offerEventWithId(
            table.wireId(slot), table.key(slot), table.timestamp(slot), table.value(slot));
        if (result > 0)
        {
            eventsSent++;
        }
        return result;
    }

    public void onEventResult(final EventResultDecoder result)
    {
        final int slot = answered(result.correlationId());
        if (slot >= 0)
        {
            final long appId = table.appId(slot);
            table.release(slot);
            owner.handler().onEventResult(relay.eventResult(result, appId));
        }
    }

    public void onBatchedEventResult(final EventResultBatchDecoder.ResultsDecoder result)
    {
        final int slot = answered(result.correlationId());
        if (slot >= 0)
        {
            final long appId = table.appId(slot);
            table.release(slot);
            owner.handler().onBatchedEventResult(relay.batchedResult(result, appId));
        }
    }

    public void onQueryResult(final QueryResultDecoder result)
    {
        final int slot = answered(result.correlationId());
        if (slot >= 0)
        {
            final long appId = table.appId(slot);
            table.release(slot);
            owner.handler().onQueryResult(relay.queryResult(result, appId));
        }
    }

    public void onRejected(final RejectedDecoder rejected)
    {
        final long wireId = rejected.correlationId();
        final short reason = rejected.reasonRaw();
        if (RejectReason.RESUME_REQUIRED.value() == reason || RejectReason.UNAUTHENTICATED.value() == reason)
        {
            if (wireId >= resumedBelow)
            {
                resumeOwed = true;
            }
            return;
        }
        final int slot = slotOf(wireId);
        if (slot < 0)
        {
            return;
        }
        if (RejectReason.NOT_OWNER.value() == reason)
        {
            wires.remove(wireId);
            notOwner++;
            final long epoch = rejected.epoch();
            owner.onNotOwner(slot, index, epoch > 0 ? epoch : 0);
        }
        else
        {
            wires.remove(wireId);
            answers++;
            final long appId = table.appId(slot);
            table.release(slot);
            owner.handler().onRejected(relay.rejected(rejected, appId));
        }
    }

    public void onWindowResult(final WindowResultDecoder result)
    {
        owner.handler().onWindowResult(result);
    }

    public void onAlert(final AlertDecoder alert)
    {
        owner.handler().onAlert(alert);
    }

    public void onAuthenticated(final long clientId, final long sessionId, final int permissions)
    {
        owner.handler().onAuthenticated(clientId, sessionId, permissions);
    }

    /**
     * @return the slot of the unanswered entry this appliance has under the wire id, its mapping removed and the
     * answer counted; -1 when none (a late answer to something answered or moved already).
     */
    private int answered(final long wireId)
    {
        final int slot = slotOf(wireId);
        if (slot >= 0)
        {
            wires.remove(wireId);
            answers++;
        }
        return slot;
    }

    private int slotOf(final long wireId)
    {
        final long appId = wires.appIdOf(wireId);
        if (0 == appId)
        {
            return -1;
        }
        final int slot = table.find(appId);
        if (slot < 0 || table.appliance(slot) != index || table.wireId(slot) != wireId)
        {
            wires.remove(wireId);
            return -1;
        }
        return slot;
    }
}
