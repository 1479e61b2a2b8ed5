package io.sluice.core.route;

import io.sluice.config.topology.KeyGroupHash;

/**
 * Maps a key to its key group, its shard and its home position in a shard's table, through one seeded 64-bit hash
 * of the key:
 * <pre>
 *   keyGroup(hash) = the top log2(G) bits of the hash              (G key groups, a power of two)
 *   owner(group)   = group * N / G    CONTIGUOUS placement         (N shards: contiguous ranges of groups)
 *                  = group % N        INTERLEAVED placement        (shard p owns groups p, p + N, p + 2N, ...)
 *   shard(key)     = owner(keyGroup(hash(key)))
 * </pre>
 * the table position from the low bits, so keys of one shard still spread over its whole table. A key group is the
 * unit that moves when the shard count changes (rescale at restart): the key-group count is fixed for a journal's
 * life, the shard count is not. {@link Placement#CONTIGUOUS} is the standalone daemon's: when N is a power of two
 * (it divides G) the shard is the top log2(N) bits of the hash, the same as the multiply-shift
 * {@code ((hash >>> 32) * N) >>> 32} of the routing before key groups. {@link Placement#INTERLEAVED} is an
 * appliance's in a topology: an appliance owns only some ranges of the key groups, and interleaving spreads any
 * range of at least N groups over all N shards (contiguous placement would leave a shard whose range the appliance
 * does not own idle). The placement is fixed at construction and is part of the state's identity: a snapshot's
 * parts are each one shard's keys under the placement they were written with.
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
    /** Key groups when none is given: {@code sluice.keygroup.count}'s default. */
    public static final int DEFAULT_KEY_GROUPS = 4096;
    /** Most key groups. */
    public static final int MAX_KEY_GROUPS = KeyGroupHash.MAX_KEY_GROUPS;

    /**
     * How the key groups are divided between the shards.
     */
    public enum Placement
    {
        /** Shard p owns groups {@code [ceil(p * G / N), ceil((p + 1) * G / N))}: outside a topology. */
        CONTIGUOUS,
        /** Shard p owns the groups g with {@code g % N == p}: an appliance in a topology. */
        INTERLEAVED;

        /**
         * @return the name the journal and the snapshots record: {@code contiguous} or {@code interleaved}.
         */
        public String text()
        {
            return CONTIGUOUS == this ? "contiguous" : "interleaved";
        }

        /**
         * @param text what {@link #text()} gave, or null for a journal or snapshot that records none.
         * @return the placement; {@link #CONTIGUOUS} for null (written before placements existed).
         * @throws IllegalArgumentException for any other text.
         */
        public static Placement of(final String text)
        {
            if (null == text || "contiguous".equals(text))
            {
                return CONTIGUOUS;
            }
            if ("interleaved".equals(text))
            {
                return INTERLEAVED;
            }
            throw new IllegalArgumentException("key-group placement " + text + " is not contiguous or interleaved");
        }
    }

    private final KeyGroupHash hash;
    private final int keyGroupCount;
    private final int groupBits;
    private final boolean interleaved;
    private final Placement placement;

    /**
     * @param seed the hash seed; any value, 0 included, gives a full-quality hash.
     */
    public ShardRouter(final long seed)
    {
        this(seed, DEFAULT_KEY_GROUPS);
    }

    /**
     * @param seed          the hash seed; any value, 0 included, gives a full-quality hash.
     * @param keyGroupCount key groups, a power of two in {@code [1, MAX_KEY_GROUPS]}.
     * @throws IllegalArgumentException when the key-group count is out of range.
     */
    public ShardRouter(final long seed, final int keyGroupCount)
    {
        this(seed, keyGroupCount, Placement.CONTIGUOUS);
    }

    /**
     * @param seed          the hash seed; any value, 0 included, gives a full-quality hash.
     * @param keyGroupCount key groups, a power of two in {@code [1, MAX_KEY_GROUPS]}.
     * @param placement     how the key groups are divided between the shards.
     * @throws IllegalArgumentException when the key-group count is out of range.
     */
    public ShardRouter(final long seed, final int keyGroupCount, final Placement placement)
    {
        this.hash = new KeyGroupHash(seed, keyGroupCount);
        this.keyGroupCount = keyGroupCount;
        this.groupBits = Integer.numberOfTrailingZeros(keyGroupCount);
        this.placement = java.util.Objects.requireNonNull(placement, "placement");
        this.interleaved = Placement.INTERLEAVED == placement;
    }

    /**
     * @return how the key groups are divided between the shards.
     */
    public Placement placement()
    {
        return placement;
    }

    /**
     * @return key groups, a power of two.
     */
    public int keyGroupCount()
    {
        return keyGroupCount;
    }

    /**
     * @param hash a key's hash ({@link #hash(long)}).
     * @return its key group in {@code [0, keyGroupCount())}: the hash's top bits.
     */
    public int keyGroup(final long hash)
    {
        return this.hash.keyGroupOfHash(hash);
    }

    /**
     * @param group      a key group.
     * @param shardCount number of shards, in {@code [1, keyGroupCount()]}.
     * @return the shard owning the group: contiguous, {@code group * N / G} (shard p owns groups
     * {@code [ceil(p * G / N), ceil((p + 1) * G / N))}); interleaved, {@code group % N} ({@code group & (N - 1)}
     * for N a power of two). Any thread; no allocation; one well-predicted branch on the placement (a final field)
     * and, interleaved, one on N being a power of two.
     */
    public int owner(final int group, final int shardCount)
    {
        if (interleaved)
        {
            return 0 == (shardCount & (shardCount - 1)) ? group & (shardCount - 1) : group % shardCount;
        }
        return (int)(((long)group * shardCount) >>> groupBits);
    }

    /**
     * @param shard      a shard.
     * @param shardCount number of shards, in {@code [1, keyGroupCount()]}.
     * @return the lowest key group the shard owns: contiguous, {@code ceil(shard * G / N)}; interleaved, the shard
     * itself.
     */
    public int firstGroup(final int shard, final int shardCount)
    {
        return interleaved ? shard : (int)(((long)shard * keyGroupCount + shardCount - 1) / shardCount);
    }

    /**
     * @return the hash seed.
     */
    public long seed()
    {
        return hash.seed();
    }

    /**
     * @return the hash and key-group function this router places by, shared with routing clients.
     */
    public KeyGroupHash keyGroupHash()
    {
        return hash;
    }

    /**
     * @param key a key.
     * @return its seeded hash: the key group (and so the shard) comes from the top bits, the home slot of a table
     * from the low bits.
     */
    public long hash(final long key)
    {
        return hash.hash(key);
    }

    /**
     * @param key        the key.
     * @param shardCount number of shards, in {@code [1, keyGroupCount()]}.
     * @return the shard in {@code [0, shardCount)} that owns the key: the owner of its key group.
     */
    public int shard(final long key, final int shardCount)
    {
        return owner(keyGroup(hash(key)), shardCount);
    }

    /**
     * @param key the value to mix.
     * @return {@link KeyGroupHash#mix(long)} of it: MurmurHash3's finaliser, unseeded.
     */
    public static long mix(final long key)
    {
        return KeyGroupHash.mix(key);
    }
}
