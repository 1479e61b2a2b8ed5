package io.sluice.core.window;

import io.sluice.config.SluiceConfig;
import io.sluice.config.WindowType;

/**
 * Window arithmetic. Time is cut into panes of one slide; a window is {@code size / slide} consecutive panes, and
 * windows start at every multiple of the slide (tumbling: slide = size). All times are event time, epoch ns.
 * <pre>
 *   panes     |p0 |p1 |p2 |p3 |p4 |      slide = 1 pane, size = 3 panes
 *   windows   [p0  p1  p2)
 *                 [p1  p2  p3)
 *                     [p2  p3  p4)      an event in p2 is in three windows; the newest starts at p2
 * </pre>
 * A window [s, s + size) closes when the watermark reaches its end: watermark &gt;= s + size.
 *
 * @param sizeNs        window length.
 * @param slideNs       distance between window starts, divides the size.
 * @param latenessNs    the watermark trails the newest event by this much.
 * @param panesPerKey   panes each key keeps: every pane that can still belong to an open window.
 */
public record WindowSpec(long sizeNs, long slideNs, long latenessNs, int panesPerKey)
{
    /**
     * @param config the daemon configuration.
     * @return the spec, or null when windows are off.
     */
    public static WindowSpec of(final SluiceConfig config)
    {
        if (WindowType.NONE == config.windowType())
        {
            return null;
        }
        return new WindowSpec(config.windowSizeNs(), config.windowSlideNs(), config.allowedLatenessNs(), config.panesPerKey());
    }

    /**
     * @param sizeNs     window length.
     * @param slideNs    slide, dividing the size.
     * @param latenessNs allowed lateness.
     * @return the spec with the panes it needs per key.
     * @throws IllegalArgumentException when the slide does not divide the size, or the panes a key needs overflow or
     *                                  exceed {@link SluiceConfig#MAX_PANES_PER_KEY}.
     */
    public static WindowSpec of(final long sizeNs, final long slideNs, final long latenessNs)
    {
        if (sizeNs <= 0 || slideNs <= 0 || latenessNs < 0 || sizeNs % slideNs != 0)
        {
            throw new IllegalArgumentException("size " + sizeNs + "ns must be a positive multiple of the slide " +
                slideNs + "ns, lateness " + latenessNs + "ns must not be negative");
        }
        final long panes;
        try
        {
            panes = Math.addExact(Math.addExact(sizeNs, latenessNs), slideNs - 1) / slideNs + 3;
        }
        catch (final ArithmeticException ex)
        {
            throw new IllegalArgumentException("size " + sizeNs + "ns + lateness " + latenessNs + "ns overflows", ex);
        }
        if (panes > SluiceConfig.MAX_PANES_PER_KEY)
        {
            throw new IllegalArgumentException("size " + sizeNs + "ns, slide " + slideNs + "ns and lateness " +
                latenessNs + "ns need " + panes + " panes per key, more than " + SluiceConfig.MAX_PANES_PER_KEY);
        }
        return new WindowSpec(sizeNs, slideNs, latenessNs, (int)panes);
    }

    /**
     * @param timestamp event time.
     * @return the pane holding it.
     */
    public long pane(final long timestamp)
    {
        return Math.floorDiv(timestamp, slideNs);
    }

    /**
     * @return panes per window.
     */
    public int panesPerWindow()
    {
        return (int)(sizeNs / slideNs);
    }

    /**
     * @param pane a pane.
     * @return end of the newest window holding the pane: after the watermark passes it the pane is closed for good.
     */
    public long newestEnd(final long pane)
    {
        return pane * slideNs + sizeNs;
    }

    /**
     * @param time a time.
     * @return the smallest window end strictly after it.
     */
    public long nextEndAfter(final long time)
    {
        return (Math.floorDiv(time, slideNs) + 1) * slideNs;
    }
}
