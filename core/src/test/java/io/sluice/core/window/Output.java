package io.sluice.core.window;

/**
 * One thing a processor said, in a form both the engine's sink and the reference produce.
 *
 * @param kind  E (event result), R (rejected), W (window result), A (alert).
 * @param key   the key.
 * @param a     correlation id (E, R), window start (W, A).
 * @param b     window start (E), window end (W), reason (R), rule index (A).
 * @param count events aggregated (E, W).
 * @param sum   sum (E, W), observed (A).
 * @param min   min (E, W).
 * @param max   max (E, W).
 * @param first first (E, W).
 * @param last  last (E, W).
 */
record Output(char kind, long key, long a, long b, long count, double sum, double min, double max, double first,
    double last)
{
}
