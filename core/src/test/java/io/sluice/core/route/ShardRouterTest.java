package io.sluice.core.route;

import io.sluice.core.state.KeyStateTable;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardRouterTest
{
    private static final int SHARDS = 4;
    private static final int CAPACITY = 2048;
    private static final int SLOTS = 2 * CAPACITY;
    private static final int HOME = 0x5A5;

    /**
     * What a client who knows the unseeded function does: pick 1,000 hashes with the same top bits (shard 0 of 4)
     * and the same low 12 bits (one home slot of a 4096-slot table), and invert MurmurHash3's finaliser to get keys.
     */
    private static long[] craftedKeys()
    {
        final long[] keys = new long[1_000];
        for (int i = 0; i < keys.length; i++)
        {
            final long hash = ((long)(i + 1) << 20) | HOME;
            keys[i] = unmix(hash);
            assertEquals(hash, ShardRouter.mix(keys[i]));
        }
        return keys;
    }

    private static long unmix(final long hash)
    {
        long h = unshift(hash);
        h *= inverse(0xc4ceb9fe1a85ec53L);
        h = unshift(h);
        h *= inverse(0xff51afd7ed558ccdL);
        return unshift(h);
    }

    private static long unshift(final long h)
    {
        return h ^ (h >>> 33);
    }

    private static long inverse(final long odd)
    {
        long x = odd;
        for (int i = 0; i < 6; i++)
        {
            x *= 2 - odd * x;
        }
        assertEquals(1L, odd * x);
        return x;
    }

    @Test
    void shouldSpreadKeysCraftedToCollideUnderTheUnseededHashOverShardsAndShortProbeRuns()
    {
        final long[] keys = craftedKeys();
        assertEquals(keys.length, Set.of(java.util.Arrays.stream(keys).boxed().toArray()).size(), "distinct keys");

        // unseeded, as placement was before: one shard, one home slot, so one probe run as long as the keys
        final boolean[] occupied = new boolean[SLOTS];
        int longestUnseeded = 0;
        for (final long key : keys)
        {
            final long hash = ShardRouter.mix(key);
            assertEquals(0, new ShardRouter(0).owner(new ShardRouter(0).keyGroup(hash), SHARDS));
            int slot = (int)hash & (SLOTS - 1);
            assertEquals(HOME, slot);
            int distance = 0;
            while (occupied[slot])
            {
                slot = (slot + 1) & (SLOTS - 1);
                distance++;
            }
            occupied[slot] = true;
            longestUnseeded = Math.max(longestUnseeded, distance);
        }
        assertEquals(keys.length - 1, longestUnseeded);

        // seeded: the same keys spread over the shards and the table
        final ShardRouter router = new ShardRouter(0x5EED_1234_ABCD_0001L);
        final int[] perShard = new int[SHARDS];
        final KeyStateTable table = new KeyStateTable(CAPACITY, 0, router);
        for (final long key : keys)
        {
            perShard[router.shard(key, SHARDS)]++;
            table.apply(table.findOrInsert(key), 1.0, 1);
        }
        int longestSeeded = 0;
        for (final long key : keys)
        {
            longestSeeded = Math.max(longestSeeded, table.probeDistance(key));
        }
        for (int shard = 0; shard < SHARDS; shard++)
        {
            assertTrue(perShard[shard] >= 150 && perShard[shard] <= 350, "shard " + shard + ": " + perShard[shard]);
        }
        assertTrue(longestSeeded <= 32, "longest probe distance " + longestSeeded);
        assertEquals(keys.length, table.size());
    }

    @Test
    void shouldPlaceTheSameKeyTheSameWayForTheSameSeedAndDifferentlyForAnother()
    {
        final ShardRouter a = new ShardRouter(7);
        final ShardRouter b = new ShardRouter(7);
        final ShardRouter c = new ShardRouter(8);
        final Set<Integer> differences = new HashSet<>();
        for (long key = -500; key < 500; key++)
        {
            assertEquals(a.hash(key), b.hash(key));
            assertNotEquals(a.hash(key), c.hash(key));
            differences.add(a.shard(key, 16) - c.shard(key, 16));
        }
        assertTrue(differences.size() > 16, "another seed places keys on other shards");
        assertEquals(7, a.seed());
    }

    @Test
    void shouldGiveEachShardAContiguousRangeOfKeyGroupsOfEqualSizeWithinOne()
    {
        final ShardRouter router = new ShardRouter(11, 4096);
        for (int shards = 1; shards <= 64; shards++)
        {
            int previous = 0;
            for (int group = 0; group < 4096; group++)
            {
                final int owner = router.owner(group, shards);
                assertTrue(owner == previous || owner == previous + 1, "contiguous: group " + group);
                previous = owner;
            }
            assertEquals(shards - 1, previous);
            for (int shard = 0; shard < shards; shard++)
            {
                final int first = router.firstGroup(shard, shards);
                final int end = shard + 1 == shards ? 4096 : router.firstGroup(shard + 1, shards);
                assertEquals(shard, router.owner(first, shards));
                assertEquals(shard, router.owner(end - 1, shards));
                assertTrue(end - first == 4096 / shards || end - first == 4096 / shards + 1, "range of " + shard);
            }
        }
        assertEquals(0, new ShardRouter(11, 1).keyGroup(-1L), "one group holds every key");
        assertEquals(65_535, new ShardRouter(11, 65_536).keyGroup(-1L));
        assertEquals(1, new ShardRouter(11, 2).keyGroup(Long.MIN_VALUE));
    }

    @Test
    void shouldRouteAsBeforeKeyGroupsWhenTheProcessorCountIsAPowerOfTwo()
    {
        final ShardRouter router = new ShardRouter(0x5EED_22L);
        final java.util.Random random = new java.util.Random(22);
        for (int i = 0; i < 100_000; i++)
        {
            final long key = random.nextLong();
            final long hash = router.hash(key);
            for (final int shards : new int[]{ 1, 2, 4, 8, 16, 32, 64 })
            {
                final int before = (int)(((hash >>> 32) * shards) >>> 32);
                assertEquals(before, router.shard(key, shards), "key " + key + ", " + shards + " shards");
            }
        }
    }

    @Test
    void shouldMoveOnlyTheGroupsWhoseOwnerChangesAndKeepEveryKeyOfAGroupTogether()
    {
        final ShardRouter router = new ShardRouter(3);
        final java.util.Random random = new java.util.Random(5);
        int moved = 0;
        for (int i = 0; i < 10_000; i++)
        {
            final long key = random.nextLong();
            final int group = router.keyGroup(router.hash(key));
            assertEquals(router.owner(group, 3), router.shard(key, 3));
            if (router.shard(key, 2) != router.shard(key, 4) / 2)
            {
                moved++;
            }
        }
        assertEquals(0, moved, "from 2 to 4 processors each old shard splits in two, no key crosses");
    }

    @Test
    void shouldInterleaveKeyGroupsOverTheShardsForPowerOfTwoAndOtherCounts()
    {
        final ShardRouter router = new ShardRouter(11, 4096, ShardRouter.Placement.INTERLEAVED);
        assertEquals(ShardRouter.Placement.INTERLEAVED, router.placement());
        assertEquals(ShardRouter.Placement.CONTIGUOUS, new ShardRouter(11, 4096).placement());
        assertEquals(0, router.owner(0, 4));
        assertEquals(1, router.owner(1, 4));
        assertEquals(3, router.owner(4095, 4));
        assertEquals(0, router.owner(2048, 2));
        assertEquals(1, router.owner(2047, 2));
        assertEquals(0, router.owner(4095, 3), "4095 = 3 * 1365");
        assertEquals(2, router.owner(4094, 3));
        assertEquals(0, router.owner(4095, 5), "4095 = 5 * 819");
        assertEquals(5, router.owner(4093, 7), "4093 = 7 * 584 + 5");
        for (int shards = 1; shards <= 64; shards++)
        {
            final int[] owned = new int[shards];
            final int[] ownedOfFirstHalf = new int[shards];
            for (int group = 0; group < 4096; group++)
            {
                final int owner = router.owner(group, shards);
                assertEquals(group % shards, owner, "group " + group + ", " + shards + " shards");
                owned[owner]++;
                ownedOfFirstHalf[owner] += group < 2048 ? 1 : 0;
            }
            for (int shard = 0; shard < shards; shard++)
            {
                assertEquals(shard, router.firstGroup(shard, shards));
                assertEquals(shard, router.owner(router.firstGroup(shard, shards), shards));
                assertTrue(owned[shard] == 4096 / shards || owned[shard] == 4096 / shards + 1, "shard " + shard);
                assertTrue(ownedOfFirstHalf[shard] == 2048 / shards || ownedOfFirstHalf[shard] == 2048 / shards + 1,
                    "any range spreads over every shard: shard " + shard + " of " + shards);
            }
        }
        final java.util.Random random = new java.util.Random(9);
        for (int i = 0; i < 10_000; i++)
        {
            final long key = random.nextLong();
            assertEquals(router.keyGroup(router.hash(key)) % 6, router.shard(key, 6));
            assertEquals(new ShardRouter(11, 4096).hash(key), router.hash(key), "the placement leaves the hash");
        }
    }

    @Test
    void shouldNameThePlacementAsTheJournalRecordsIt()
    {
        assertEquals("contiguous", ShardRouter.Placement.CONTIGUOUS.text());
        assertEquals("interleaved", ShardRouter.Placement.INTERLEAVED.text());
        assertEquals(ShardRouter.Placement.CONTIGUOUS, ShardRouter.Placement.of(null));
        assertEquals(ShardRouter.Placement.CONTIGUOUS, ShardRouter.Placement.of("contiguous"));
        assertEquals(ShardRouter.Placement.INTERLEAVED, ShardRouter.Placement.of("interleaved"));
        assertEquals("key-group placement striped is not contiguous or interleaved", org.junit.jupiter.api.Assertions
            .assertThrows(IllegalArgumentException.class, () -> ShardRouter.Placement.of("striped")).getMessage());
    }
}
