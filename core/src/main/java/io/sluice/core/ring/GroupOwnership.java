package io.sluice.core.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Which key groups this appliance owns in a topology (scale-out), at which topology epoch, and the bounded history
 * of the last {@link #HISTORY} transitions: each the epoch it brought in, its range, its action and a copy of every
 * client's high-water mark ({@link ClientMarks}) at that moment. The history answers, for a resent event (at or
 * below its client's mark), whether its group was owned here when the event was sequenced
 * ({@link #ownedWhenSequenced}): then it was applied here (DUPLICATE), else it never was (NOT_OWNER).
 * <p>
 * {@link #owns(int)} reads one bit of a {@code long[]}: no allocation. A transition allocates its copy of the
 * marks (control path). Producer thread only ({@link RingProducer}); its state goes into the producer part of a
 * snapshot ({@link ProducerSnapshot}).
 */
public final class GroupOwnership
{
    /** Transitions kept in the history. */
    public static final int HISTORY = 64;

    private final int keyGroupCount;
    private final long[] words;
    private final Transition[] history = new Transition[HISTORY];
    private int historyCount;
    private int historyNext;
    private long epoch;
    private int ownedCount;

    /**
     * One change of ownership, as the history keeps it.
     *
     * @param epoch      the epoch it brought in.
     * @param firstGroup first key group of its range.
     * @param lastGroup  last key group of its range, inclusive.
     * @param action     {@link RingEntry#OWNERSHIP_RELEASE} or {@link RingEntry#OWNERSHIP_ACQUIRE}.
     * @param clientIds  the clients with a mark at that moment, ascending.
     * @param marks      their marks, index for index.
     */
    public record Transition(long epoch, int firstGroup, int lastGroup, int action, long[] clientIds, long[] marks)
    {
        /**
         * @param clientId a client.
         * @return its mark at the transition, {@link ClientMarks#NONE} when it had none.
         */
        public long mark(final long clientId)
        {
            final int i = Arrays.binarySearch(clientIds, clientId);
            return i < 0 ? ClientMarks.NONE : marks[i];
        }

        /**
         * @param group a key group.
         * @return true when the transition's range holds it.
         */
        public boolean covers(final int group)
        {
            return group >= firstGroup && group <= lastGroup;
        }
    }

    /**
     * @param keyGroupCount key groups of the topology, at least 1; none owned, epoch 0.
     */
    public GroupOwnership(final int keyGroupCount)
    {
        if (keyGroupCount < 1)
        {
            throw new IllegalArgumentException("keyGroupCount must be >= 1: " + keyGroupCount);
        }
        this.keyGroupCount = keyGroupCount;
        this.words = new long[(keyGroupCount + 63) >>> 6];
    }

    /**
     * Set the ownership at start-up (from the topology file), forgetting the history.
     *
     * @param epoch the topology epoch.
     * @param owned the key groups owned; bits at or above {@link #keyGroupCount()} are ignored.
     */
    public void assign(final long epoch, final BitSet owned)
    {
        Arrays.fill(words, 0);
        final long[] bits = owned.toLongArray();
        System.arraycopy(bits, 0, words, 0, Math.min(bits.length, words.length));
        clearAbove();
        this.epoch = epoch;
        recount();
        Arrays.fill(history, null);
        historyCount = 0;
        historyNext = 0;
    }

    /**
     * @return the topology epoch in force here.
     */
    public long epoch()
    {
        return epoch;
    }

    /**
     * @param group a key group in {@code [0, keyGroupCount())}.
     * @return true when this appliance owns it.
     */
    public boolean owns(final int group)
    {
        return 0 != (words[group >>> 6] & (1L << group));
    }

    /**
     * @return key groups owned.
     */
    public int ownedCount()
    {
        return ownedCount;
    }

    /**
     * @return key groups of the topology.
     */
    public int keyGroupCount()
    {
        return keyGroupCount;
    }

    /**
     * @return the owned groups as ascending ranges, {@code 0-2047,4000}; empty when none.
     */
    public String describeRanges()
    {
        final StringBuilder text = new StringBuilder();
        int group = 0;
        while (group < keyGroupCount)
        {
            if (!owns(group))
            {
                group++;
                continue;
            }
            int last = group;
            while (last + 1 < keyGroupCount && owns(last + 1))
            {
                last++;
            }
            text.append(text.length() > 0 ? "," : "").append(group);
            if (last > group)
            {
                text.append('-').append(last);
            }
            group = last + 1;
        }
        return text.toString();
    }

    /**
     * @param firstGroup first key group.
     * @param lastGroup  last key group, inclusive.
     * @return true when every group of the range is owned.
     */
    public boolean ownsAll(final int firstGroup, final int lastGroup)
    {
        for (int group = firstGroup; group <= lastGroup; group++)
        {
            if (!owns(group))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param firstGroup first key group.
     * @param lastGroup  last key group, inclusive.
     * @return true when no group of the range is owned.
     */
    public boolean ownsNone(final int firstGroup, final int lastGroup)
    {
        for (int group = firstGroup; group <= lastGroup; group++)
        {
            if (owns(group))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Check a transition before it is applied ({@link RingProducer#offerOwnership}).
     *
     * @param epoch      the epoch it brings in.
     * @param firstGroup first key group.
     * @param lastGroup  last key group, inclusive.
     * @param action     {@link RingEntry#OWNERSHIP_RELEASE} or {@link RingEntry#OWNERSHIP_ACQUIRE}.
     * @return {@link RingProducer#OFFERED} when it may be applied, else the {@code RingProducer.OWNERSHIP_} refusal.
     */
    public int check(final long epoch, final int firstGroup, final int lastGroup, final int action)
    {
        if (epoch <= this.epoch)
        {
            return RingProducer.OWNERSHIP_STALE_EPOCH;
        }
        if (firstGroup < 0 || lastGroup >= keyGroupCount || firstGroup > lastGroup ||
            (RingEntry.OWNERSHIP_RELEASE != action && RingEntry.OWNERSHIP_ACQUIRE != action))
        {
            return RingProducer.OWNERSHIP_BAD_RANGE;
        }
        if (RingEntry.OWNERSHIP_RELEASE == action)
        {
            return ownsAll(firstGroup, lastGroup) ? RingProducer.OFFERED : RingProducer.OWNERSHIP_NOT_OWNED;
        }
        return ownsNone(firstGroup, lastGroup) ? RingProducer.OFFERED : RingProducer.OWNERSHIP_ALREADY_OWNED;
    }

    /**
     * Apply a transition: set (acquire) or clear (release) the range's bits, record it in the history with a copy of
     * the marks as they stand, and take its epoch when above the one in force. The live path checked it
     * ({@link RingProducer#offerOwnership}); a journal replay applies it as journaled, so the end state does not
     * depend on the bits it started from for the ranges the journal moved.
     *
     * @param epoch      the epoch it brings in.
     * @param firstGroup first key group.
     * @param lastGroup  last key group, inclusive.
     * @param action     {@link RingEntry#OWNERSHIP_RELEASE} or {@link RingEntry#OWNERSHIP_ACQUIRE}.
     * @param marks      the clients' marks now.
     */
    public void apply(
        final long epoch, final int firstGroup, final int lastGroup, final int action, final ClientMarks marks)
    {
        final long[] clientIds = new long[marks.size()];
        final int[] count = {0};
        marks.forEach((clientId, mark) -> clientIds[count[0]++] = clientId);
        Arrays.sort(clientIds);
        final long[] copy = new long[clientIds.length];
        for (int i = 0; i < clientIds.length; i++)
        {
            copy[i] = marks.mark(clientIds[i]);
        }
        setRange(firstGroup, lastGroup, RingEntry.OWNERSHIP_ACQUIRE == action);
        record(new Transition(epoch, firstGroup, lastGroup, action, clientIds, copy));
        this.epoch = Math.max(this.epoch, epoch);
    }

    /**
     * Was the group owned here when the client's event was sequenced? Walk the history newest to oldest: a
     * transition covering the group whose copy of the client's mark is at or above the correlation id came after
     * the event, so the state at the event is the one before that transition; the first transition covering the
     * group whose copy of the mark is below the id came before the event: stop there.
     *
     * @param clientId      the event's client.
     * @param correlationId its correlation id, at or below the client's mark.
     * @param group         its key group.
     * @return true when the group was owned when the event was sequenced (it was applied here).
     */
    public boolean ownedWhenSequenced(final long clientId, final long correlationId, final int group)
    {
        boolean owned = owns(group);
        for (int n = 0; n < historyCount; n++)
        {
            final Transition transition = history[Math.floorMod(historyNext - 1 - n, HISTORY)];
            if (transition.covers(group))
            {
                if (correlationId > transition.mark(clientId))
                {
                    break;
                }
                owned = RingEntry.OWNERSHIP_RELEASE == transition.action();
            }
        }
        return owned;
    }

    /**
     * @return the history, oldest first (snapshots; allocates).
     */
    public List<Transition> history()
    {
        final List<Transition> list = new ArrayList<>(historyCount);
        for (int n = historyCount - 1; n >= 0; n--)
        {
            list.add(history[Math.floorMod(historyNext - 1 - n, HISTORY)]);
        }
        return list;
    }

    /**
     * @return the owned groups, one bit each (a copy).
     */
    public BitSet owned()
    {
        return BitSet.valueOf(words);
    }

    /**
     * Replace the whole state (recovery from a snapshot).
     *
     * @param epoch       the epoch.
     * @param owned       the owned groups.
     * @param transitions the history, oldest first; only the newest {@link #HISTORY} are kept.
     */
    public void restore(final long epoch, final BitSet owned, final List<Transition> transitions)
    {
        assign(epoch, owned);
        for (final Transition transition : transitions)
        {
            record(transition);
        }
    }

    private void record(final Transition transition)
    {
        history[historyNext] = transition;
        historyNext = (historyNext + 1) % HISTORY;
        historyCount = Math.min(historyCount + 1, HISTORY);
    }

    private void setRange(final int firstGroup, final int lastGroup, final boolean owned)
    {
        for (int group = firstGroup; group <= lastGroup; group++)
        {
            if (owned)
            {
                words[group >>> 6] |= 1L << group;
            }
            else
            {
                words[group >>> 6] &= ~(1L << group);
            }
        }
        recount();
    }

    private void clearAbove()
    {
        for (int group = keyGroupCount; group < words.length * 64; group++)
        {
            words[group >>> 6] &= ~(1L << group);
        }
    }

    private void recount()
    {
        int count = 0;
        for (final long word : words)
        {
            count += Long.bitCount(word);
        }
        ownedCount = count;
    }
}
