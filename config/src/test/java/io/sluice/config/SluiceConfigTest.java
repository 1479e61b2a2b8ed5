package io.sluice.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SluiceConfigTest
{
    private static Properties props(final String... keyValues)
    {
        final Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = ';', value = {
        "sluice.ring.length;1000;sluice.ring.length=1000 must be a power of two",
        "sluice.ring.length;lots;sluice.ring.length=lots must be a size such as 65536, 64k or 1m",
        "sluice.ring.slot-length;64;sluice.ring.slot-length=64 is not a known setting",
        "sluice.state.capacity;1000;sluice.state.capacity=1000 must be a power of two",
        "sluice.processor.count;0;sluice.processor.count=0 must be in [1, 64]",
        "sluice.ingress.idle-strategy;spinny;sluice.ingress.idle-strategy=spinny must be one of: busy-spin, yielding, backoff, sleeping",
        "sluice.ingress.idle-strategy;noop;sluice.ingress.idle-strategy=noop must be one of: busy-spin, yielding, backoff, sleeping",
        "sluice.processor.wait-strategy;blocking;sluice.processor.wait-strategy=blocking must be one of: busy-spin, yielding, sleeping",
        "sluice.threading;many;sluice.threading=many must be one of: dedicated, shared",
        "sluice.reject.log-interval;10;sluice.reject.log-interval=10 must be a duration with a unit",
        "sluice.ingress.channel;udp://localhost:1;sluice.ingress.channel=udp://localhost:1 must be an Aeron URI",
        "sluice.ingress.stream-id;-3;sluice.ingress.stream-id=-3 must be in [1, 2147483647]",
        "sluice.ring.lenght;1024;sluice.ring.lenght=1024 is not a known setting",
        "sluice.driver.mode;remote;sluice.driver.mode=remote must be one of: embedded, external",
        "sluice.hash.seed;lucky;sluice.hash.seed=lucky must be random or a 64-bit integer, decimal or hexadecimal with 0x (e.g. 0x5eed)",
        "sluice.hash.seed;0x1ffffffffffffffff;sluice.hash.seed=0x1ffffffffffffffff must be random or a 64-bit integer",
        "sluice.shutdown.timeout;3601s;sluice.shutdown.timeout=3601s must be between 0s and 3600s",
        "sluice.shutdown.timeout;-1ms;sluice.shutdown.timeout=-1ms must be between 0s and 3600s",
        "sluice.driver.liveness-timeout;99ms;sluice.driver.liveness-timeout=99ms must be between 100ms and 60s",
        "sluice.driver.liveness-timeout;61s;sluice.driver.liveness-timeout=61s must be between 100ms and 60s",
        "sluice.driver.liveness-timeout;3;sluice.driver.liveness-timeout=3 must be a duration with a unit: ns, us, ms or s (e.g. 10ms)",
        "sluice.metrics.endpoint;9464;sluice.metrics.endpoint=9464 must be host:port, e.g. localhost:9464 ([address]:port for IPv6), or empty for off",
        "sluice.metrics.endpoint;::1:9464;sluice.metrics.endpoint=::1:9464 must be host:port, e.g. localhost:9464",
        "sluice.metrics.endpoint;localhost:65536;sluice.metrics.endpoint=localhost:65536 must end in a port in [0, 65535] (0: any free port)",
        "sluice.metrics.endpoint;localhost:http;sluice.metrics.endpoint=localhost:http must end in a port in [0, 65535]"})
    void shouldFailNamingTheKeyTheValueAndWhatIsAllowed(final String key, final String value, final String message)
    {
        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(key, value)));
        assertEquals(key, ex.key());
        assertEquals(message, ex.getMessage().substring(0, Math.min(ex.getMessage().length(), message.length())));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = ';', value = {
        "sluice.window.type;hopping;sluice.window.type=hopping must be one of: none, tumbling, sliding",
        "sluice.window.size;10;sluice.window.size=10 must be a duration with a unit",
        "sluice.alert.hot.op;=>;sluice.alert.hot.op==> must be one of: >, >=, <, <=",
        "sluice.alert.hot.threshold;lots;sluice.alert.hot.threshold=lots must be a finite number",
        "sluice.alert.hot.threshold;NaN;sluice.alert.hot.threshold=NaN must be a finite number",
        "sluice.alert.hot.field;median;sluice.alert.hot.field=median must be one of: value, count, sum, min, max, mean",
        "sluice.alert.hot.on;sometimes;sluice.alert.hot.on=sometimes must be one of: event, window",
        "sluice.alert.hot.colour;red;sluice.alert.hot.colour=red is not an alert attribute"})
    void shouldRejectInvalidWindowAndAlertSettingsNamingTheKey(final String key, final String value, final String message)
    {
        final Properties p = props(
            "sluice.window.type", "tumbling",
            "sluice.alert.hot.on", "window", "sluice.alert.hot.field", "max", "sluice.alert.hot.op", ">",
            "sluice.alert.hot.threshold", "100");
        p.setProperty(key, value);
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(p));
        assertEquals(key, ex.key());
        assertEquals(message, ex.getMessage().substring(0, Math.min(ex.getMessage().length(), message.length())));
    }

    @Test
    void shouldRequireEveryAlertAttribute()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.window.type", "tumbling", "sluice.alert.hot.on", "window", "sluice.alert.hot.field", "max",
            "sluice.alert.hot.op", ">")));
        assertEquals("sluice.alert.hot.threshold", ex.key());
        assertEquals("sluice.alert.hot.threshold= is required: must be a finite number", ex.getMessage());
    }

    @Test
    void shouldRejectWindowFieldOnValueAndWindowRulesWithoutWindows()
    {
        ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.window.type", "tumbling", "sluice.alert.a.on", "window", "sluice.alert.a.field", "value",
            "sluice.alert.a.op", ">", "sluice.alert.a.threshold", "1")));
        assertEquals("sluice.alert.a.field", ex.key());
        ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.alert.a.on", "window", "sluice.alert.a.field", "max",
            "sluice.alert.a.op", ">", "sluice.alert.a.threshold", "1")));
        assertEquals("sluice.alert.a.on", ex.key());
        ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.window.type", "tumbling", "sluice.window.size", "100ms", "sluice.window.slide", "50ms")));
        assertEquals(SluiceConfig.WINDOW_SLIDE, ex.key());
    }

    @Test
    void shouldParseAlertRulesInNameOrder()
    {
        final SluiceConfig config = SluiceConfig.of(props(
            "sluice.window.type", "sliding", "sluice.window.size", "1s", "sluice.window.slide", "250ms",
            "sluice.alert.zeta.on", "event", "sluice.alert.zeta.field", "value", "sluice.alert.zeta.op", "<=",
            "sluice.alert.zeta.threshold", "-5",
            "sluice.alert.alpha.on", "window", "sluice.alert.alpha.field", "mean", "sluice.alert.alpha.op", ">",
            "sluice.alert.alpha.threshold", "2.5"));
        assertEquals(java.util.List.of(
            new AlertRule("alpha", 0, AlertRule.On.WINDOW, AlertRule.Field.MEAN, AlertRule.Op.GT, 2.5),
            new AlertRule("zeta", 1, AlertRule.On.EVENT, AlertRule.Field.VALUE, AlertRule.Op.LE, -5)),
            config.alertRules());
        assertEquals(250_000_000L, config.windowSlideNs());
        assertEquals(7, config.panesPerKey());
    }

    @Test
    void shouldDrawADifferentNonZeroHashSeedAtEveryLoadAndShowIt()
    {
        final SluiceConfig first = SluiceConfig.of(new Properties());
        final SluiceConfig second = SluiceConfig.of(props("sluice.hash.seed", "random"));
        assertNotEquals(0L, first.hashSeed());
        assertNotEquals(0L, second.hashSeed());
        assertNotEquals(first.hashSeed(), second.hashSeed());
        assertEquals(String.format("0x%016x", first.hashSeed()), first.effective().get(SluiceConfig.HASH_SEED));
        final SluiceConfig again = SluiceConfig.of(props("sluice.hash.seed", first.effective().get(SluiceConfig.HASH_SEED)));
        assertEquals(first.hashSeed(), again.hashSeed());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "12345;12345;0x0000000000003039",
        "-7;-7;0xfffffffffffffff9",
        "0;0;0x0000000000000000",
        "0x5eed;24301;0x0000000000005eed",
        "0XFFFFFFFFFFFFFFFF;-1;0xffffffffffffffff",
        "9223372036854775807;9223372036854775807;0x7fffffffffffffff"})
    void shouldParseAGivenHashSeedAsDecimalOrHex(final String text, final long seed, final String effective)
    {
        final SluiceConfig config = SluiceConfig.of(props("sluice.hash.seed", text));
        assertEquals(seed, config.hashSeed());
        assertEquals(effective, config.effective().get(SluiceConfig.HASH_SEED));
    }

    @Test
    void shouldDefaultAndParseShutdownAndLivenessTimeouts()
    {
        final SluiceConfig defaults = SluiceConfig.of(new Properties());
        assertEquals(10_000_000_000L, defaults.shutdownTimeoutNs());
        assertEquals(3_000_000_000L, defaults.driverLivenessTimeoutNs());
        final SluiceConfig config = SluiceConfig.of(props(
            "sluice.shutdown.timeout", "0s", "sluice.driver.liveness-timeout", "250ms"));
        assertEquals(0L, config.shutdownTimeoutNs());
        assertEquals(250_000_000L, config.driverLivenessTimeoutNs());
        assertEquals("0s", config.effective().get(SluiceConfig.SHUTDOWN_TIMEOUT));
        assertEquals("250ms", config.effective().get(SluiceConfig.DRIVER_LIVENESS_TIMEOUT));
    }

    @ParameterizedTest(name = "size={0} slide={1} lateness={2}")
    @CsvSource(delimiter = ';', value = {
        "366d;1us;0s;sluice.window.slide=1us is too small: (sluice.window.size=31622400s + " +
            "sluice.window.allowed-lateness=0s) / slide is 31622400000000 panes, more than the 4093 a key can keep",
        "4096ms;1ms;1ms;sluice.window.slide=1ms is too small: (sluice.window.size=4096ms + " +
            "sluice.window.allowed-lateness=1ms) / slide is 4097 panes, more than the 4093 a key can keep",
        "1s;1us;366d;sluice.window.slide=1us is too small: (sluice.window.size=1s + " +
            "sluice.window.allowed-lateness=31622400s) / slide is 31622401000000 panes, more than the 4093 a key can keep"})
    void shouldRejectASlideTooSmallForThePanesAKeyCanKeepWithoutOverflow(
        final String size, final String slide, final String lateness, final String message)
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.window.type", "sliding", "sluice.window.size", days(size), "sluice.window.slide", slide,
            "sluice.window.allowed-lateness", days(lateness))));
        assertEquals(SluiceConfig.WINDOW_SLIDE, ex.key());
        assertEquals(message, ex.getMessage());
    }

    @Test
    void shouldKeepAtMost4093PanesOfWindowAndLatenessPerKey()
    {
        final SluiceConfig largest = SluiceConfig.of(props(
            "sluice.window.type", "sliding", "sluice.window.size", "4093ms", "sluice.window.slide", "1ms"));
        assertEquals(4096, largest.panesPerKey());
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.window.type", "sliding", "sluice.window.size", "4094ms", "sluice.window.slide", "1ms")));
        assertEquals("sluice.window.slide=1ms is too small: (sluice.window.size=4094ms + " +
            "sluice.window.allowed-lateness=0s) / slide is 4094 panes, more than the 4093 a key can keep", ex.getMessage());
        assertEquals(0, SluiceConfig.of(props("sluice.window.size", "31622400s", "sluice.window.slide", "1us"))
            .panesPerKey());
    }

    @Test
    void shouldRejectAnEvictionHorizonBeyondOneHundredYearsWithoutOverflow()
    {
        ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.window.type", "tumbling", "sluice.window.size", "31622400s",
            "sluice.state.evict-after-windows", "1000000")));
        assertEquals(SluiceConfig.EVICT_AFTER_WINDOWS, ex.key());
        assertEquals("sluice.state.evict-after-windows=1000000 is too large: 1000000 x sluice.window.size=31622400s " +
            "+ sluice.window.size + sluice.window.allowed-lateness=0s must stay within 100 years (3155760000s) of " +
            "event time", ex.getMessage());

        ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.window.type", "tumbling", "sluice.window.size", "86400s", "sluice.window.allowed-lateness", "1s",
            "sluice.state.evict-after-windows", "36524", "sluice.event.timestamp-max", "0",
            "sluice.event.timestamp-min", "-1")));
        assertEquals("sluice.state.evict-after-windows=36524 is too large: 36524 x sluice.window.size=86400s " +
            "+ sluice.window.size + sluice.window.allowed-lateness=1s must stay within 100 years (3155760000s) of " +
            "event time", ex.getMessage());

        final SluiceConfig hundredYears = SluiceConfig.of(props(
            "sluice.window.type", "tumbling", "sluice.window.size", "86400s", "sluice.window.allowed-lateness", "0s",
            "sluice.state.evict-after-windows", "36524", "sluice.event.timestamp-max", "0",
            "sluice.event.timestamp-min", "-1"));
        assertEquals(36524, hundredYears.evictAfterWindows());
    }

    @Test
    void shouldRejectAnEvictionHorizonThatPassesTheLargestEpochNanosecondAfterTheLatestTimestamp()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.window.type", "tumbling", "sluice.window.size", "86400s", "sluice.state.evict-after-windows", "36000")));
        assertEquals(SluiceConfig.EVICT_AFTER_WINDOWS, ex.key());
        assertEquals("sluice.state.evict-after-windows=36000 is too large: sluice.event.timestamp-max=" +
            "7258118400000000000 + 36000 x sluice.window.size=86400s + sluice.window.size + " +
            "sluice.window.allowed-lateness=0s passes the largest epoch-ns time, 2262-04-11T23:47:16.854775807Z",
            ex.getMessage());
        final SluiceConfig before2100 = SluiceConfig.of(props(
            "sluice.window.type", "tumbling", "sluice.window.size", "86400s", "sluice.state.evict-after-windows", "36000",
            "sluice.event.timestamp-max", "4102444800000000000"));
        assertEquals(36000, before2100.evictAfterWindows());
    }

    @Test
    void shouldRejectALatestTimestampThatLeavesNoRoomForAWindow()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.window.type", "tumbling", "sluice.event.timestamp-max", "9223372036854775000")));
        assertEquals(SluiceConfig.TIMESTAMP_MAX, ex.key());
        assertEquals("sluice.event.timestamp-max=9223372036854775000 leaves no room for a window: + " +
            "sluice.window.size=1s + sluice.window.allowed-lateness=0s passes the largest epoch-ns time, " +
            "2262-04-11T23:47:16.854775807Z", ex.getMessage());
        assertEquals(9223372036854775000L, SluiceConfig.of(props("sluice.event.timestamp-max", "9223372036854775000"))
            .timestampMaxNs());
    }

    private static String days(final String duration)
    {
        return duration.endsWith("d") ?
            Long.parseLong(duration.substring(0, duration.length() - 1)) * 86_400 + "s" : duration;
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = ';', value = {
        "sluice.ring.length;1;sluice.ring.length=1 must be in [2, 67108864]",
        "sluice.ring.length;128m;sluice.ring.length=128m must be in [2, 67108864]",
        "sluice.ring.length;48k;sluice.ring.length=48k must be a power of two",
        "sluice.ring.length;8589934592g;sluice.ring.length=8589934592g must be a size such as 65536, 64k or 1m",
        "sluice.state.capacity;1;sluice.state.capacity=1 must be in [2, 268435456]",
        "sluice.state.capacity;512m;sluice.state.capacity=512m must be in [2, 268435456]",
        "sluice.state.capacity;3;sluice.state.capacity=3 must be a power of two",
        "sluice.state.capacity;-4;sluice.state.capacity=-4 must be in [2, 268435456]"})
    void shouldKeepRingLengthAndStateCapacityPowersOfTwoInTheirRanges(
        final String key, final String value, final String message)
    {
        final ConfigurationException ex =
            assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(key, value)));
        assertEquals(key, ex.key());
        assertEquals(message, ex.getMessage());
    }

    @Test
    void shouldAcceptTheLargestRingAndStateTable()
    {
        final SluiceConfig largest = SluiceConfig.of(props("sluice.ring.length", "64m", "sluice.state.capacity", "256m"));
        assertEquals(1 << 26, largest.ringLength());
        assertEquals(1 << 28, largest.stateCapacity());
        final SluiceConfig smallest = SluiceConfig.of(props("sluice.ring.length", "2", "sluice.state.capacity", "2",
            "sluice.batch.max-events", "1"));
        assertEquals(2, smallest.ringLength());
        assertEquals(2, smallest.stateCapacity());
    }

    @Test
    void shouldRejectCpuListOfTheWrongLength()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.threading", "dedicated", "sluice.processor.count", "2", "sluice.processor.cpus", "1,2,3")));
        assertEquals("sluice.processor.cpus=1,2,3 must list exactly sluice.processor.count=2 CPUs, or be empty for no pinning",
            ex.getMessage());
    }

    @Test
    void shouldRejectInvokerDriverThreadingWithExternalDriver()
    {
        final ConfigurationException ex = assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(
            "sluice.driver.mode", "external", "sluice.driver.threading", "invoker")));
        assertEquals(SluiceConfig.DRIVER_THREADING, ex.key());
    }

    @Test
    void shouldParseSizesDurationsAndLists()
    {
        final SluiceConfig config = SluiceConfig.of(props(
            "sluice.ring.length", "64k", "sluice.state.capacity", "1m", "sluice.reject.log-interval", "250ms",
            "sluice.threading", "dedicated", "sluice.processor.count", "3", "sluice.processor.cpus", "1, 2,3",
            "sluice.ingress.idle-strategy", "busy-spin", "aeron.term.buffer.length", "4m"));
        assertEquals(65536, config.ringLength());
        assertEquals(1 << 20, config.stateCapacity());
        assertEquals(250_000_000L, config.rejectLogIntervalNs());
        assertEquals(ThreadingMode.DEDICATED, config.threading());
        assertArrayEquals(new int[]{1, 2, 3}, config.processorCpus());
        assertEquals(IdleStrategyType.BUSY_SPIN, config.ingressIdleStrategy());
        assertEquals("4m", config.aeronProperties().get("aeron.term.buffer.length"));
    }

    @Test
    void shouldLeaveTheMetricsEndpointOffUnlessGivenHostAndPort()
    {
        assertEquals("", SluiceConfig.of(props()).metricsEndpoint());
        assertEquals("localhost:9464", SluiceConfig.of(props("sluice.metrics.endpoint", "localhost:9464")).metricsEndpoint());
        assertEquals("[::1]:0", SluiceConfig.of(props("sluice.metrics.endpoint", "[::1]:0")).metricsEndpoint());
        assertEquals("0.0.0.0:9464", SluiceConfig.of(props("sluice.metrics.endpoint", "0.0.0.0:9464")).metricsEndpoint());
    }

    @Test
    void shouldLetSystemPropertiesOverrideTheFile()
    {
        final SluiceConfig config = SluiceConfig.load(profile("small-host.properties"), props("sluice.processor.count", "3"));
        assertEquals(3, config.processorCount());
        assertEquals(ThreadingMode.SHARED, config.threading());
    }

    private static Path profile(final String name)
    {
        Path path = Paths.get(name);
        if (!path.toFile().exists())
        {
            path = Paths.get("config", name);
        }
        return path;
    }

    private static final String MEMBERS = "0,h0:1,h0:2,h0:3,h0:4,h0:5|1,h1:1,h1:2,h1:3,h1:4,h1:5|2,h2:1,h2:2,h2:3,h2:4,h2:5";

    private static String clusterFailure(final String... keyValues)
    {
        final String[] node = new String[keyValues.length + 10];
        System.arraycopy(new String[]{
            SluiceConfig.CLUSTER_MEMBERS, MEMBERS, SluiceConfig.CLUSTER_MEMBER_ID, "1", SluiceConfig.HASH_SEED, "7",
            SluiceConfig.DRIVER_THREADING, "shared", SluiceConfig.JOURNAL_MODE, "off"}, 0, node, 0, 10);
        System.arraycopy(keyValues, 0, node, 10, keyValues.length);
        return assertThrows(ConfigurationException.class, () -> SluiceConfig.of(props(node))).getMessage();
    }

    @Test
    void shouldAcceptAClusterNodeAndAClientOfTheCluster()
    {
        final SluiceConfig node = SluiceConfig.of(props(SluiceConfig.CLUSTER_MEMBERS, MEMBERS,
            SluiceConfig.CLUSTER_MEMBER_ID, "2", SluiceConfig.HASH_SEED, "7", SluiceConfig.DRIVER_THREADING, "shared"));
        assertEquals(2, node.clusterMemberId());
        assertEquals(Path.of(System.getProperty("user.home"), "sluice-cluster-2").toString(),
            node.clusterDir());
        final SluiceConfig client = SluiceConfig.of(props(SluiceConfig.CLUSTER_MEMBERS, MEMBERS,
            SluiceConfig.HASH_SEED, "7", SluiceConfig.DRIVER_THREADING, "shared"));
        assertEquals(-1, client.clusterMemberId());
        assertEquals(false, SluiceConfig.of(new Properties()).isClustered());
    }

    @Test
    void shouldRefuseAClusterNodeThatCannotBeAReplicatedStateMachineNamingTheKey()
    {
        assertEquals("sluice.cluster.member-id=3 must be one of the ids in sluice.cluster.members: [0, 1, 2]",
            clusterFailure(SluiceConfig.CLUSTER_MEMBER_ID, "3"));
        assertEquals("sluice.hash.seed=random must be a fixed number in a cluster: every node routes keys with the " +
            "same seed", clusterFailure(SluiceConfig.HASH_SEED, "random"));
        assertEquals("sluice.journal.mode=async must be off in a cluster: the cluster's replicated log is the journal",
            clusterFailure(SluiceConfig.JOURNAL_MODE, "async"));
        assertEquals("sluice.threading=dedicated must be shared in a cluster: the processors run on the service " +
            "thread", clusterFailure(SluiceConfig.THREADING, "dedicated"));
        assertEquals("sluice.driver.threading=invoker must be shared, shared-network or dedicated in a cluster: the " +
            "node's driver, archive and consensus module run their own threads",
            clusterFailure(SluiceConfig.DRIVER_THREADING, "invoker"));
        assertEquals("sluice.driver.mode=external must be embedded in a cluster: each node runs its own driver beside " +
            "its archive and consensus module", clusterFailure(SluiceConfig.DRIVER_MODE, "external"));
        assertEquals("sluice.cluster.members=0,h0:1,h0:2|1,h1:1 must have member '0,h0:1,h0:2' as " +
            "id,ingress,consensus,log,catchup,archive with host:port endpoints",
            clusterFailure(SluiceConfig.CLUSTER_MEMBERS, "0,h0:1,h0:2|1,h1:1"));
        assertEquals("sluice.cluster.members=x,h0:1,h0:2,h0:3,h0:4,h0:5 must have member 'x,h0:1,h0:2,h0:3,h0:4,h0:5' " +
            "start with an integer id", clusterFailure(SluiceConfig.CLUSTER_MEMBERS, "x,h0:1,h0:2,h0:3,h0:4,h0:5",
            SluiceConfig.CLUSTER_MEMBER_ID, "-1"));
    }
}
