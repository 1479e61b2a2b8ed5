package io.sluice.systemtest;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import org.agrona.BufferUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A start that fails with an {@link Error} after the media driver is up closes what it started: the driver, its
 * threads and its directory. The failsafe JVM runs with {@code -XX:MaxDirectMemorySize=1g} (system-tests/pom.xml);
 * the test fills all but 32 to 48 MiB of it, so the 96 MiB state table's allocation fails after the pre-flight check
 * passed, as it would when another part of the process holds direct memory.
 */
class StartFailureSystemTest
{
    private static final int CHUNK_BYTES = 16 * 1024 * 1024;

    @Test
    @Timeout(60)
    void shouldCloseTheDriverAndDeleteItsDirectoryWhenTheStartFailsWithAnError()
    {
        final Set<String> threadsBefore = aeronThreads();
        final List<ByteBuffer> ballast = new ArrayList<>();
        final TestDaemon daemon = new TestDaemon()
            .set(SluiceConfig.PROCESSOR_COUNT, "1")
            .set(SluiceConfig.STATE_CAPACITY, "1m");
        try
        {
            fillDirectMemory(ballast);
            BufferUtil.free(ballast.remove(ballast.size() - 1));
            BufferUtil.free(ballast.remove(ballast.size() - 1));

            final OutOfMemoryError error = assertThrows(OutOfMemoryError.class, daemon::start);
            assertTrue(error.getMessage().contains("direct buffer memory"), error.getMessage());
            assertFalse(new File(daemon.driverDir).exists(), "the embedded driver's directory was deleted");
            assertEquals(threadsBefore, aeronThreads(), "no driver thread left running");
        }
        finally
        {
            ballast.forEach(BufferUtil::free);
            daemon.close();
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseAMetricsEndpointInUseNamingTheKeyAndCloseWhatWasStarted() throws Exception
    {
        final Set<String> threadsBefore = aeronThreads();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final String endpoint = "127.0.0.1:" + taken.getLocalPort();
            final TestDaemon daemon = new TestDaemon().set(SluiceConfig.METRICS_ENDPOINT, endpoint);
            try
            {
                final ConfigurationException ex = assertThrows(ConfigurationException.class, daemon::start);
                assertEquals(SluiceConfig.METRICS_ENDPOINT, ex.key());
                assertTrue(ex.getMessage().startsWith("sluice.metrics.endpoint=" + endpoint +
                    " cannot be listened on: java.net.BindException"), ex.getMessage());
                assertFalse(new File(daemon.driverDir).exists(), "the embedded driver's directory was deleted");
                assertEquals(threadsBefore, aeronThreads(), "no driver thread left running");
            }
            finally
            {
                daemon.close();
            }
        }
    }

    /**
     * Allocate chunks until the JVM refuses one: by then it has collected every unreachable direct buffer of earlier
     * tests, so what is left free is known to be less than one chunk.
     */
    private static void fillDirectMemory(final List<ByteBuffer> ballast)
    {
        while (true)
        {
            try
            {
                ballast.add(ByteBuffer.allocateDirect(CHUNK_BYTES));
            }
            catch (final OutOfMemoryError full)
            {
                return;
            }
        }
    }

    private static Set<String> aeronThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter((name) -> name.contains("aeron") || name.contains("sluice"))
            .collect(Collectors.toSet());
    }
}
