package io.sluice.bench;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceResultHandler;
import io.sluice.config.SluiceConfig;
import io.sluice.tools.SluiceMain;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.RejectedDecoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code --clients N} of {@code ./sluice bench --auth}: the N - 1 authenticated clients connected beside the
 * bench's measuring client(s), each with its own session, response channel and response publication in the daemon,
 * and with {@code subscribe}, so every window result and alert is copied to each of them, as to N applications
 * that share the appliance. They send nothing after their handshake and connection probes, so they keep no resend
 * buffer (the bench JVM's heap is 256 MiB).
 * <pre>
 *   [bench process] N - 1 SluiceClients ── one media driver (shared thread, backoff) ──UDP──▶ daemon ingress
 *                        ◀── each its own response channel (localhost:0) ◀── its publication in the daemon
 *                   one thread polls them all, every millisecond at most
 * </pre>
 * Control thread creates and closes; the polling thread alone touches the clients in between.
 */
final class ConnectedClients implements AutoCloseable, Runnable, SluiceResultHandler
{
    private final MediaDriver driver;
    private final List<SluiceClient> clients = new ArrayList<>();
    private final Thread poller;
    private volatile boolean running = true;

    private ConnectedClients(final MediaDriver driver)
    {
        this.driver = driver;
        this.poller = new Thread(this, "sluice-bench-connected-clients");
        this.poller.setDaemon(true);
    }

    /**
     * Connect and authenticate the clients {@code from} to {@code from + count - 1} of the credentials.
     *
     * @param config the daemon's configuration (its ingress channel).
     * @param auth   the bench's credentials.
     * @param from   the first bench client.
     * @param count  how many; 0 starts nothing.
     * @return the connected clients, being polled.
     */
    static ConnectedClients start(final SluiceConfig config, final BenchAuth auth, final int from, final int count)
    {
        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(SluiceConfig.sharedMemoryDir() + "/sluice-bench-clients-" + ProcessHandle.current().pid())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MILLISECONDS.toNanos(1)))
            .publicationTermBufferLength(64 * 1024)
            .ipcTermBufferLength(64 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final ConnectedClients connected = new ConnectedClients(driver);
        try
        {
            for (int i = from; i < from + count; i++)
            {
                final SluiceClient client = SluiceClient.connect(auth.authenticate(SluiceMain.clientContextFor(config)
                    .embeddedDriver(false).aeronDirectoryName(driver.aeronDirectoryName())
                    .resendBufferLength(0), i));
                connected.clients.add(client);
                if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(30)))
                {
                    throw new IllegalStateException("client " + client.clientId() + " could not connect within 30 s");
                }
            }
        }
        catch (final RuntimeException ex)
        {
            connected.close();
            throw ex;
        }
        connected.poller.start();
        return connected;
    }

    /**
     * @return how many clients are connected.
     */
    int size()
    {
        return clients.size();
    }

    public void run()
    {
        final SleepingMillisIdleStrategy idle = new SleepingMillisIdleStrategy(1);
        while (running)
        {
            int work = 0;
            for (int i = 0, n = clients.size(); i < n; i++)
            {
                work += clients.get(i).poll(this, 64);
            }
            idle.idle(work);
        }
    }

    public void onEventResult(final EventResultDecoder result)
    {
        // the answers to the clients' connection probes: nothing to check
    }

    public void onRejected(final RejectedDecoder rejected)
    {
        // none expected: these clients send no events
    }

    /**
     * Stop polling, close every client and the driver.
     */
    public void close()
    {
        running = false;
        if (poller.isAlive())
        {
            try
            {
                poller.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        for (final SluiceClient client : clients)
        {
            CloseHelper.quietClose(client);
        }
        CloseHelper.quietClose(driver);
    }
}
