package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;
import io.aeron.ChannelUri;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.server.daemon.DaemonContext;
import io.sluice.server.daemon.SluiceDaemon;
import org.agrona.IoUtil;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A daemon for a test: its own temporary driver directory (deleted on close), free loopback UDP ports, idle
 * strategies that never spin beyond the cores.
 */
final class TestDaemon implements AutoCloseable
{
    final Properties properties = new Properties();
    final String driverDir;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    SluiceDaemon daemon;

    private static final int START_ATTEMPTS = 5;

    private boolean channelsSetByTest;
    private boolean portsFixed;
    private int ingressPort;
    private int egressPort;
    private Path profile;
    private boolean resetWindows;

    TestDaemon()
    {
        driverDir = new File(System.getProperty("java.io.tmpdir"), "sluice-test-" + System.nanoTime()).getAbsolutePath();
        properties.setProperty(SluiceConfig.DRIVER_DIR, driverDir);
        choosePorts();
        properties.setProperty(SluiceConfig.INGRESS_IDLE_STRATEGY, "backoff");
        properties.setProperty(SluiceConfig.PROCESSOR_WAIT_STRATEGY, "sleeping");
        properties.setProperty(SluiceConfig.REJECT_LOG_INTERVAL, "100ms");
        properties.setProperty("aeron.term.buffer.length", "1m");
        properties.setProperty("aeron.ipc.term.buffer.length", "1m");
    }

    TestDaemon set(final String key, final String value)
    {
        properties.setProperty(key, value);
        if (SluiceConfig.INGRESS_CHANNEL.equals(key) || SluiceConfig.EGRESS_CHANNEL.equals(key))
        {
            channelsSetByTest = true;
        }
        return this;
    }

    /**
     * @return this, started as {@code sluice daemon --reset-windows} would be.
     */
    TestDaemon resetWindows()
    {
        resetWindows = true;
        return this;
    }

    /**
     * Start the daemon. A free port found by binding and closing can be taken by another process (another test
     * JVM) before the daemon binds it: when the ports were chosen here and the daemon refuses one, choose new ones
     * and try again.
     */
    TestDaemon start()
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                final DaemonContext ctx = DaemonContext.from(config()).out(new PrintStream(log, true));
                ctx.journal().resetWindows(resetWindows);
                daemon = SluiceDaemon.start(ctx);
                return this;
            }
            catch (final ConfigurationException ex)
            {
                final boolean portTaken = SluiceConfig.INGRESS_CHANNEL.equals(ex.key()) ||
                    SluiceConfig.EGRESS_CHANNEL.equals(ex.key());
                if (channelsSetByTest || portsFixed || !portTaken || attempt == START_ATTEMPTS)
                {
                    throw ex;
                }
                choosePorts();
            }
        }
    }

    /**
     * Stop the daemon and start a new one with the same configuration: the same driver directory and ports, so
     * clients on their own drivers can find it again.
     */
    TestDaemon restart()
    {
        daemon.close();
        daemon = null;
        portsFixed = true;
        return start();
    }

    private void choosePorts()
    {
        ingressPort = freeUdpPort();
        egressPort = freeUdpPort();
    }

    /**
     * @param file a shipped profile whose settings this daemon starts from; the test's settings win over it.
     * @return this.
     */
    TestDaemon profile(final Path file)
    {
        this.profile = file;
        return this;
    }

    /**
     * @return the configuration: the profile (if any) with this test's settings over it; unless the test set the
     * channels itself, the profile's (or the default) channels with their endpoint and control moved to this
     * daemon's free ports and every other parameter (mtu, flow control...) kept.
     */
    SluiceConfig config()
    {
        if (channelsSetByTest)
        {
            return SluiceConfig.load(profile, properties);
        }
        final SluiceConfig shipped = SluiceConfig.load(profile, properties);
        final Properties withPorts = new Properties();
        withPorts.putAll(properties);
        withPorts.setProperty(SluiceConfig.INGRESS_CHANNEL, onPort(shipped.ingressChannel(), "endpoint", ingressPort));
        withPorts.setProperty(SluiceConfig.EGRESS_CHANNEL, onPort(shipped.egressChannel(), "control", egressPort));
        return SluiceConfig.load(profile, withPorts);
    }

    private static String onPort(final String channel, final String param, final int port)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        if (null != uri.get(param))
        {
            uri.put(param, "localhost:" + port);
        }
        return uri.toString();
    }

    SluiceClient client()
    {
        final SluiceClient.Context ctx = SluiceMain.clientContextFor(config()).aeronDirectoryName(driverDir);
        return SluiceClient.connect(ctx);
    }

    long counter(final int typeId, final String labelSuffix)
    {
        final long[] value = {Long.MIN_VALUE};
        final var reader = daemon.aeron().countersReader();
        reader.forEach((id, type, key, label) ->
        {
            if (type == typeId && label.endsWith(labelSuffix))
            {
                value[0] = reader.getCounterValue(id);
            }
        });
        if (Long.MIN_VALUE == value[0])
        {
            throw new IllegalStateException("no counter " + typeId + " " + labelSuffix);
        }
        return value[0];
    }

    /**
     * Wait until each of the daemon's egress publications has a live receiver (its receiver counter is no longer
     * -1): only then does the daemon send results instead of counting them as not connected. A subscriber's image
     * appears before the daemon has heard the subscriber's first status message, so waiting for images alone races.
     *
     * @param timeoutNs longest wait.
     * @return true when every egress publication has a receiver.
     */
    boolean awaitEgressReceivers(final long timeoutNs) throws InterruptedException
    {
        final var reader = daemon.aeron().countersReader();
        final int egressStreamId = config().egressStreamId();
        final int publications = config().processorCount();
        final long deadline = System.nanoTime() + timeoutNs;
        while (System.nanoTime() < deadline)
        {
            final int[] live = {0};
            reader.forEach((id, type, key, label) ->
            {
                if (type == SluiceCounters.EGRESS_RECEIVER_POSITION_TYPE_ID && key.getInt(12) == egressStreamId &&
                    reader.getCounterValue(id) >= 0)
                {
                    live[0]++;
                }
            });
            if (live[0] >= publications)
            {
                return true;
            }
            Thread.sleep(1);
        }
        return false;
    }

    String log()
    {
        return log.toString();
    }

    public void close()
    {
        if (null != daemon)
        {
            daemon.close();
        }
        IoUtil.delete(new File(driverDir), true);
    }

    static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return the tools module's shaded jar ({@code sluice-tools-VERSION-all.jar}), which the reactor builds before
     * the system tests: what {@code ./sluice} runs, for the tests that start a daemon as a process of its own.
     */
    public static File shadedJar()
    {
        final File[] jars = new File("../tools/target").listFiles((dir, name) -> name.endsWith("-all.jar"));
        if (null == jars || 1 != jars.length)
        {
            throw new AssertionError("the tools module's shaded jar is built before the system tests: " +
                new File("../tools/target").getAbsolutePath());
        }
        return jars[0];
    }
}
