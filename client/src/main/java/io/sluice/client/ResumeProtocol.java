package io.sluice.client;

import java.util.concurrent.TimeUnit;

/**
 * The client's side of connecting and resuming, as {@link SluiceClient#awaitConnected(long)} and
 * {@link SluiceClient#resume(SluiceResultHandler, long)} document it: probe round trips through every processor,
 * then {@code Resume} until the matching {@code Resumed} gives the daemon's mark, then the buffered events above the
 * mark again, in order, with their original correlation ids. It also keeps which link epoch (cluster leader or
 * session) the last resume covered: while a newer one is {@link #owed()}, nothing new may be sent.
 * <p>
 * The client's offering and polling thread only; nothing allocated.
 */
final class ResumeProtocol
{
    private static final long RESUME_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ClientLink link;
    private final MessageSender sender;
    private final EventBatch batch;
    private final ResultDecoder decoder;
    private final ResendBuffer resendBuffer;
    private final int images;
    private final long autoResumeTimeoutNs;
    private boolean resuming;
    private long resumedEpoch;
    private long autoResumes;

    /**
     * @param link                where messages go and come from.
     * @param sender              sends probes, resumes and the resent events.
     * @param batch               the pending batch, dropped by a resume and sent by polls when no resume is owed.
     * @param decoder             collects probe answers and the awaited {@code Resumed}.
     * @param resendBuffer        the events offered last.
     * @param images              egress images (processors) that must answer a probe: a daemon's count, 1 for a
     *                            cluster.
     * @param autoResumeTimeoutNs longest automatic resume after a leader change, ns.
     */
    ResumeProtocol(
        final ClientLink link,
        final MessageSender sender,
        final EventBatch batch,
        final ResultDecoder decoder,
        final ResendBuffer resendBuffer,
        final int images,
        final long autoResumeTimeoutNs)
    {
        this.link = link;
        this.sender = sender;
        this.batch = batch;
        this.decoder = decoder;
        this.resendBuffer = resendBuffer;
        this.images = images;
        this.autoResumeTimeoutNs = autoResumeTimeoutNs;
    }

    /**
     * @return true while the link moved to a new epoch (a new cluster leader or session) that no resume covered yet.
     */
    boolean owed()
    {
        return resumedEpoch != link.epoch();
    }

    /**
     * @return automatic resumes completed.
     */
    long autoResumes()
    {
        return autoResumes;
    }

    /**
     * Wait until the link is connected and each image answered a probe, polling into the handler meanwhile. A
     * handshake completed during the wait proves the round trip by itself (its {@code Authenticated} came on the one
     * publication results take), so an authenticating client sends no probe then; a session authenticated before the
     * wait may be stale (the daemon restarted and the client does not know yet), so it is probed as before.
     *
     * @param handler  receives what is polled meanwhile.
     * @param deadline {@link System#nanoTime()} to give up at.
     * @return true when connected in time.
     */
    boolean awaitConnected(final SluiceResultHandler handler, final long deadline)
    {
        final boolean wasProbing = decoder.probing();
        final long authenticationsBefore = link.authentications();
        decoder.handler(handler);
        decoder.clearProbeAnswers();
        decoder.probing(true);
        try
        {
            long probeKey = 0;
            while (System.nanoTime() - deadline < 0)
            {
                if (link.isConnected(images))
                {
                    if (link.authentications() > authenticationsBefore || decoder.probeAnswers() >= images)
                    {
                        return true;
                    }
                    sender.offerProbe(probeKey++);
                    pollWithin(handler, 16);
                }
                else
                {
                    link.connect(16);
                }
                sender.invokeDriver();
                sleepBriefly();
            }
            return false;
        }
        finally
        {
            decoder.probing(wasProbing);
        }
    }

    /**
     * Resume: see {@link SluiceClient#resume(SluiceResultHandler, long)}.
     *
     * @param handler   receives what is polled meanwhile.
     * @param timeoutNs longest wait for the connection, the answer and the resends together.
     * @return events offered again; -1 when the time ran out first.
     * @throws IllegalStateException when the resend buffer lost events above the mark, or a resume is running.
     */
    long resume(final SluiceResultHandler handler, final long timeoutNs)
    {
        if (resuming)
        {
            throw new IllegalStateException("a resume is already running on this client (called from its handler?)");
        }
        resuming = true;
        try
        {
            return runResume(handler, System.nanoTime() + timeoutNs);
        }
        finally
        {
            resuming = false;
        }
    }

    /**
     * Run the resume owed since a new cluster leader (or a new cluster session) was reported, unless one is running.
     *
     * @return true when the resume is done and nothing newer is owed, so sending may go on.
     */
    boolean resumeAfterLeaderChange()
    {
        if (resuming)
        {
            return false;
        }
        if (resume(decoder.handlerOrDiscard(), autoResumeTimeoutNs) >= 0)
        {
            autoResumes++;
        }
        return resumedEpoch == link.epoch();
    }

    /**
     * Poll from inside {@link #awaitConnected} and {@link #resume}: sends the pending batch only when no resume is
     * owed (it would overtake the resends) and never starts a resume.
     */
    private int pollWithin(final SluiceResultHandler handler, final int fragmentLimit)
    {
        decoder.handler(handler);
        if (!resuming && resumedEpoch == link.epoch())
        {
            batch.send();
        }
        final int fragments = link.poll(fragmentLimit);
        sender.invokeDriver();
        return fragments;
    }

    private long runResume(final SluiceResultHandler handler, final long deadline)
    {
        decoder.handler(handler);
        batch.clear();
        while (true)
        {
            final long epoch = link.epoch();
            if (!awaitConnected(handler, deadline))
            {
                return -1;
            }
            if (epoch != link.epoch())
            {
                continue;
            }
            if (!awaitMark(handler, deadline, epoch))
            {
                if (epoch != link.epoch())
                {
                    continue;
                }
                return -1;
            }

            final long mark = decoder.resumedMark();
            sender.moveAbove(mark);
            if (!resendBuffer.holdsAllAbove(mark))
            {
                resumedEpoch = epoch;
                throw new IllegalStateException("resend buffer lost correlation ids " +
                    resendBuffer.firstLostAbove(mark) + ".." + resendBuffer.evictedUpTo() +
                    " (sluice.client resendBufferLength=" + resendBuffer.capacity() + ")");
            }
            final int first = resendBuffer.firstAbove(mark);
            final int size = resendBuffer.size();
            if (!resendAbove(handler, deadline, epoch, first, size))
            {
                return -1;
            }
            if (epoch != link.epoch())
            {
                continue;
            }
            resumedEpoch = epoch;
            return size - first;
        }
    }

    /**
     * Send {@code Resume} every 100 ms until its {@code Resumed} arrives.
     *
     * @return true when answered; false when the time ran out or the epoch moved on (the caller tells which: both
     * end in -1 once the time is out).
     */
    private boolean awaitMark(final SluiceResultHandler handler, final long deadline, final long epoch)
    {
        final long requestId = sender.takeCorrelationId();
        decoder.awaitResumed(requestId);
        long nextRequestNs = System.nanoTime();
        while (!decoder.resumeAnswered() && epoch == link.epoch())
        {
            final long nowNs = System.nanoTime();
            if (nowNs - deadline >= 0)
            {
                return false;
            }
            if (nowNs - nextRequestNs >= 0 && link.isConnected(1) && sender.offerResume(requestId))
            {
                nextRequestNs = nowNs + RESUME_RETRY_NS;
            }
            if (0 == pollWithin(handler, 16))
            {
                sleepBriefly();
            }
        }
        return epoch == link.epoch();
    }

    /**
     * Offer the buffered events {@code first} to {@code size - 1} again, polling while one is back-pressured.
     *
     * @return false when the time ran out; true when all went or the epoch moved on (the caller checks).
     */
    private boolean resendAbove(
        final SluiceResultHandler handler, final long deadline, final long epoch, final int first, final int size)
    {
        for (int i = first; i < size && epoch == link.epoch(); i++)
        {
            while (sender.offerEvent(
                resendBuffer.correlationId(i), resendBuffer.key(i), resendBuffer.timestamp(i), resendBuffer.value(i)) < 0)
            {
                if (System.nanoTime() - deadline >= 0)
                {
                    return false;
                }
                if (0 == pollWithin(handler, 16))
                {
                    sleepBriefly();
                }
                if (epoch != link.epoch())
                {
                    break;
                }
            }
        }
        return true;
    }

    private static void sleepBriefly()
    {
        try
        {
            Thread.sleep(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
