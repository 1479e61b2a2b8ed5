package io.sluice.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.sluice.config.SettingsTest.shipped;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShippedProfilesTest
{
    @Test
    void shouldLoadEveryPropertiesFileShippedInTheConfigDirectory() throws IOException
    {
        final List<String> names;
        try (Stream<Path> files = Files.list(shipped("defaults.properties").toAbsolutePath().getParent()))
        {
            names = files.map((p) -> p.getFileName().toString()).filter((n) -> n.endsWith(".properties")).sorted().toList();
        }
        assertEquals(List.of("cluster-node.properties", "defaults.properties", "demo.properties", "durable.properties",
            "pinned-host.properties", "small-host.properties"),
            names);
        for (final String name : names)
        {
            assertFalse(SluiceConfig.load(shipped(name), null).effective().isEmpty(), name);
        }
    }

    @Test
    void shouldPutNoDirectoryOfAnyShippedProfileInTheDirectoryTheDaemonStartsIn() throws IOException
    {
        final Path configDir = shipped("defaults.properties").toAbsolutePath().normalize().getParent();
        final Path checkout = configDir.getParent();
        final List<Path> files;
        try (Stream<Path> list = Files.list(configDir))
        {
            files = list.filter((p) -> p.getFileName().toString().endsWith(".properties")).sorted().toList();
        }
        final Set<String> problems = new LinkedHashSet<>();
        for (final Path file : files)
        {
            final List<SluiceConfig> configs = new ArrayList<>();
            configs.add(SluiceConfig.load(file, null));
            if (configs.get(0).isClustered())
            {
                for (int member = 0; member < 3; member++)
                {
                    final Properties id = new Properties();
                    id.setProperty(SluiceConfig.CLUSTER_MEMBER_ID, Integer.toString(member));
                    configs.add(SluiceConfig.load(file, id));
                }
            }
            for (final SluiceConfig config : configs)
            {
                final Map<String, String> paths = new TreeMap<>();
                paths.put(SluiceConfig.JOURNAL_DIR, config.journalDir());
                paths.put(SluiceConfig.DRIVER_DIR, config.driverDir());
                paths.put(SluiceConfig.LATENCY_HISTOGRAM_FILE, config.latencyHistogramFile());
                if (config.clusterMemberId() >= 0)
                {
                    paths.put(SluiceConfig.CLUSTER_DIR, config.clusterDir());
                }
                paths.forEach((key, value) ->
                {
                    if (!value.isEmpty() && !Path.of(value).isAbsolute())
                    {
                        problems.add(file.getFileName() + ": " + key + "=" + value +
                            " is relative: it lands in the directory the daemon starts in");
                    }
                    else if (!value.isEmpty() && Path.of(value).normalize().startsWith(checkout))
                    {
                        problems.add(file.getFileName() + ": " + key + "=" + value + " is inside the checkout");
                    }
                });
            }
        }
        assertEquals(List.of(), List.copyOf(problems));
    }

    @Test
    void shouldConcludeTheDefaultsFileToTheBuiltInDefaults()
    {
        final Map<String, String> fromFile = new TreeMap<>(SluiceConfig.load(shipped("defaults.properties"), null).effective());
        final Map<String, String> builtIn = new TreeMap<>(SluiceConfig.of(new Properties()).effective());
        fromFile.remove(SluiceConfig.HASH_SEED);
        builtIn.remove(SluiceConfig.HASH_SEED);
        assertEquals(builtIn, fromFile);
    }

    @Test
    void shouldLoadTheClusterNodeProfileForAnyOfItsMembersAndForAClient()
    {
        final SluiceConfig client = SluiceConfig.load(shipped("cluster-node.properties"), null);
        assertTrue(client.isClustered());
        assertEquals(-1, client.clusterMemberId());
        assertEquals("0,localhost:20310,localhost:20311,localhost:20312,localhost:20313,localhost:20314|" +
            "1,localhost:20320,localhost:20321,localhost:20322,localhost:20323,localhost:20324|" +
            "2,localhost:20330,localhost:20331,localhost:20332,localhost:20333,localhost:20334", client.clusterMembers());
        assertEquals(0x5eed5eed5eed5eedL, client.hashSeed());
        assertEquals(JournalMode.OFF, client.journalMode());
        assertEquals(DriverThreading.SHARED, client.driverThreading());
        assertEquals(1_000_000_000L, client.clusterHeartbeatTimeoutNs());
        assertEquals(500_000_000L, client.clusterElectionTimeoutNs());
        assertEquals(IdleStrategyType.BACKOFF, client.clusterIdleStrategy());
        assertEquals(WindowType.TUMBLING, client.windowType());
        for (int member = 0; member < 3; member++)
        {
            final Properties id = new Properties();
            id.setProperty(SluiceConfig.CLUSTER_MEMBER_ID, Integer.toString(member));
            final SluiceConfig node = SluiceConfig.load(shipped("cluster-node.properties"), id);
            assertEquals(member, node.clusterMemberId());
            assertEquals(Path.of(System.getProperty("user.home"), "sluice-cluster-" + member).toString(),
                node.clusterDir());
            assertTrue(node.driverDir().endsWith("-node-" + member + "-driver"), node.driverDir());
        }
    }

    @Test
    void shouldLoadTheSmallHostProfile()
    {
        final SluiceConfig config = SluiceConfig.load(shipped("small-host.properties"), null);
        assertEquals(ThreadingMode.SHARED, config.threading());
        assertEquals(2, config.processorCount());
        assertEquals(DriverMode.EMBEDDED, config.driverMode());
        assertEquals(DriverThreading.INVOKER, config.driverThreading());
        assertEquals(IdleStrategyType.BACKOFF, config.ingressIdleStrategy());
        assertEquals(16384, config.ringLength());
        assertEquals(65536, config.stateCapacity());
        assertEquals(WindowType.NONE, config.windowType());
        assertEquals(0, config.panesPerKey());
        assertEquals(Map.of("aeron.term.buffer.length", "4m", "aeron.ipc.term.buffer.length", "4m"),
            config.aeronProperties());
    }

    @Test
    void shouldLoadThePinnedHostProfile()
    {
        final SluiceConfig config = SluiceConfig.load(shipped("pinned-host.properties"), null);
        assertEquals(ThreadingMode.DEDICATED, config.threading());
        assertEquals(4, config.processorCount());
        assertArrayEquals(new int[]{3, 4, 5, 6}, config.processorCpus());
        assertEquals(2, config.ingressCpu());
        assertEquals(WaitStrategyType.BUSY_SPIN, config.processorWaitStrategy());
        assertEquals(IdleStrategyType.BUSY_SPIN, config.ingressIdleStrategy());
        assertEquals(DriverThreading.INVOKER, config.driverThreading());
        assertEquals(65536, config.ringLength());
        assertEquals(1 << 20, config.stateCapacity());
        assertEquals("3,4,5,6", config.effective().get(SluiceConfig.PROCESSOR_CPUS));
    }

    @Test
    void shouldLoadTheDurableProfileAsSmallHostWithASyncJournal()
    {
        final SluiceConfig durable = SluiceConfig.load(shipped("durable.properties"), null);
        final SluiceConfig smallHost = SluiceConfig.load(shipped("small-host.properties"), null);
        assertEquals(JournalMode.SYNC, durable.journalMode());
        assertEquals(JournalMode.OFF, smallHost.journalMode());
        assertEquals(Path.of(System.getProperty("user.home"), "sluice-journal").toString(), durable.journalDir());
        assertEquals(0, durable.journalFileSync());
        assertEquals(60_000_000_000L, durable.snapshotIntervalNs());
        assertEquals(2, durable.snapshotRetain());
        assertEquals(smallHost.threading(), durable.threading());
        assertEquals(smallHost.driverThreading(), durable.driverThreading());
        assertEquals(smallHost.stateCapacity(), durable.stateCapacity());
    }

    @Test
    void shouldLoadTheDemoProfile()
    {
        final SluiceConfig config = SluiceConfig.load(shipped("demo.properties"), null);
        assertEquals(ThreadingMode.SHARED, config.threading());
        assertEquals(WindowType.TUMBLING, config.windowType());
        assertEquals(1_000_000_000L, config.windowSizeNs());
        assertEquals(1_000_000_000L, config.windowSlideNs());
        assertEquals(50_000_000L, config.allowedLatenessNs());
        assertEquals(200_000_000L, config.idleAdvanceNs());
        assertEquals(5, config.evictAfterWindows());
        assertEquals(5, config.panesPerKey());
        assertEquals(List.of(
            new AlertRule("dip", 0, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.LT, 90),
            new AlertRule("hot", 1, AlertRule.On.WINDOW, AlertRule.Field.MAX, AlertRule.Op.GT, 108)),
            config.alertRules());
        assertEquals("50ms", config.effective().get(SluiceConfig.WINDOW_ALLOWED_LATENESS));
        assertEquals("200ms", config.effective().get(SluiceConfig.WINDOW_IDLE_ADVANCE));
    }
}
