package io.sluice.config.topology;

/**
 * The seeded 64-bit key hash and the key group it gives: the one placement function that the daemon's router
 * ({@code io.sluice.core.route.ShardRouter}) and a routing client share, so both put a key in the same group.
 * <pre>
 *   hash(key)      = mix(mix(key ^ seed) + seed2),   seed2 = mix(seed + 0x9E3779B97F4A7C15)
 *   keyGroup(hash) = the top log2(G) bits of the hash   (G key groups, a power of two)
 * </pre>
 * Immutable; any thread.
 */
public final class KeyGroupHash
{
    /** Most key groups. */
    public static final int MAX_KEY_GROUPS = 1 << 16;

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final long seed2;
    private final int keyGroupCount;
    private final int groupShift;

    /**
     * @param seed          the hash seed; any value, 0 included, gives a full-quality hash.
     * @param keyGroupCount key groups, a power of two in {@code [1, MAX_KEY_GROUPS]}.
     * @throws IllegalArgumentException when the key-group count is out of range.
     */
    public KeyGroupHash(final long seed, final int keyGroupCount)
    {
        if (keyGroupCount < 1 || keyGroupCount > MAX_KEY_GROUPS || Integer.bitCount(keyGroupCount) != 1)
        {
            throw new IllegalArgumentException("keyGroupCount must be a power of two in [1, " + MAX_KEY_GROUPS +
                "]: " + keyGroupCount);
        }
        this.seed = seed;
        this.seed2 = mix(seed + GOLDEN_GAMMA);
        this.keyGroupCount = keyGroupCount;
        this.groupShift = 64 - Integer.numberOfTrailingZeros(keyGroupCount);
    }

    /**
     * @return the hash seed.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * @return key groups, a power of two.
     */
    public int keyGroupCount()
    {
        return keyGroupCount;
    }

    /**
     * @param key a key.
     * @return its seeded hash.
     */
    public long hash(final long key)
    {
        return mix(mix(key ^ seed) + seed2);
    }

    /**
     * @param hash a key's hash ({@link #hash(long)}).
     * @return its key group in {@code [0, keyGroupCount())}: the hash's top bits.
     */
    public int keyGroupOfHash(final long hash)
    {
        return 64 == groupShift ? 0 : (int)(hash >>> groupShift);
    }

    /**
     * @param key a key.
     * @return its key group.
     */
    public int keyGroup(final long key)
    {
        return keyGroupOfHash(hash(key));
    }

    /**
     * MurmurHash3's 64-bit finaliser, unseeded: every input bit affects every output bit, and it is a bijection.
     * A building block of {@link #hash(long)}; never place keys by it alone.
     *
     * @param key the value to mix.
     * @return the mixed value.
     */
    public static long mix(final long key)
    {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
