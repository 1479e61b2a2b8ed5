package io.sluice.core.route;

/**
 * Maps a key to its shard and to its home position in a shard's table, through one seeded 64-bit hash of the key:
 * the shard from the high 32 bits (multiply-shift range reduction, no division), the table position from the low
 * bits, so keys of one shard still spread over its whole table.
 * <p>
 * Why a seed: MurmurHash3's finaliser {@link #mix(long)} alone is a public bijection that anyone can invert, so a
 * client could choose keys that all land on one shard and in one probe run of its table, turning every lookup into
 * a scan of the run. The daemon draws a seed per start ({@code sluice.hash.seed}, printed in the start-up summary
 * so a run can be reproduced) and hashes
 * <pre>
 *   hash(key) = mix(mix(key ^ seed) + seed2),   seed2 = mix(seed + 0x9E3779B97F4A7C15)
 * </pre>
 * Two rounds keyed differently: xor before the first, add (with its carries) between the two, so neither a chosen
 * value of the key nor a chosen difference between keys survives into the output without knowing the seed. This
 * is not a cryptographic MAC (an attacker who learns the seed, or many placements, can still aim); it makes
 * collisions a matter of chance for anyone who does not know the seed. The same seed always gives the same
 * placement: replays and tests are exact.
 * <p>
 * Immutable; any thread.
 */
public final class ShardRouter
{
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final long seed2;

    /**
     * @param seed the hash seed; any value, 0 included, gives a full-quality hash.
     */
    public ShardRouter(final long seed)
    {
        this.seed = seed;
        this.seed2 = mix(seed + GOLDEN_GAMMA);
    }

    /**
     * @return the hash seed.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * @param key a key.
     * @return its seeded hash: the shard comes from the high 32 bits, the home slot of a table from the low bits.
     */
    public long hash(final long key)
    {
        return mix(mix(key ^ seed) + seed2);
    }

    /**
     * @param key        the key.
     * @param shardCount number of shards, at least 1.
     * @return the shard in {@code [0, shardCount)} that owns the key.
     */
    public int shard(final long key, final int shardCount)
    {
        return shardOfHash(hash(key), shardCount);
    }

    /**
     * @param hash       a key's hash.
     * @param shardCount number of shards, at least 1.
     * @return the shard in {@code [0, shardCount)} for that hash: its high 32 bits scaled to the shard count.
     */
    public static int shardOfHash(final long hash, final int shardCount)
    {
        return (int)(((hash >>> 32) * shardCount) >>> 32);
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
