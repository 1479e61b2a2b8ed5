package io.sluice.config;

/**
 * How events are grouped in time per key.
 */
public enum WindowType
{
    /** No windows: each key's aggregate runs from its first event; no ticks, no window results. */
    NONE,
    /** Fixed, non-overlapping windows of {@code sluice.window.size}, aligned to the epoch. */
    TUMBLING,
    /** Windows of {@code sluice.window.size} starting every {@code sluice.window.slide}, which divides the size. */
    SLIDING
}
