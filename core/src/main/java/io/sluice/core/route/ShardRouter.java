package io.sluice.core.route;

/**
 * Maps a key to its shard and to its home position in a shard's table. Both come from one 64-bit mix of the
 * key: the shard from the high 32 bits (multiply-shift range reduction, no division), the table position from
 * the low bits, so keys of one shard still spread over its whole table.
 */
public final class ShardRouter
{
    private ShardRouter()
    {
    }

    /**
     * MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
     *
     * @param key the key.
     * @return the mixed hash.
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

    /**
     * @param key        the key.
     * @param shardCount number of shards, at least 1.
     * @return the shard in {@code [0, shardCount)} that owns the key.
     */
    public static int shard(final long key, final int shardCount)
    {
        return (int)(((mix(key) >>> 32) * shardCount) >>> 32);
    }
}
