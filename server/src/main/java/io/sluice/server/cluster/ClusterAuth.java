package io.sluice.server.cluster;

import io.aeron.Aeron;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.server.auth.Credentials;
import io.sluice.server.auth.CredentialsException;
import io.sluice.server.counters.SluiceCounters;
import sun.misc.Signal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cluster node's authentication ({@code sluice.auth.file} set): the credentials read at start (a file that cannot
 * be used fails the start naming the line, exit 2), the consensus module's {@link ClusterAuthenticator} and
 * {@link ClusterAuthorisation}, its counters, and the reload of the file, on SIGHUP (this node) or an AdminRequest
 * {@code RELOAD_CREDENTIALS} through the log (every member). A reload that fails keeps the credentials in use and
 * says why; a reload applies to sessions that connect afterwards, open sessions keep the principal they opened with.
 * <p>
 * Control thread, except {@link #reload()} (the signal thread or the service thread).
 */
final class ClusterAuth implements AutoCloseable
{
    private static final Set<ClusterAuth> ON_HANGUP = ConcurrentHashMap.newKeySet();
    private static volatile boolean hangupHandled;

    private final Path file;
    private final PrintStream out;
    private final ClusterAuthenticator authenticator;

    private ClusterAuth(final Path file, final Credentials credentials, final long failureDelayNs,
        final PrintStream out)
    {
        this.file = file;
        this.out = out;
        this.authenticator = new ClusterAuthenticator(credentials, failureDelayNs, new SecureRandom(), out);
    }

    /**
     * @param config the node's configuration.
     * @param out    where reloads and failures are printed.
     * @return the node's authentication, or null when {@code sluice.auth.file} is empty.
     * @throws ConfigurationException naming {@code sluice.auth.file}, the file's line and what is wrong.
     */
    static ClusterAuth from(final SluiceConfig config, final PrintStream out)
    {
        if (config.authFile().isEmpty())
        {
            // SIGHUP still must not end the node (the JVM's default), e.g. under systemctl reload
            handleHangup(out);
            return null;
        }
        final Path file = Path.of(config.authFile());
        try
        {
            return new ClusterAuth(file, Credentials.read(file), config.authFailureDelayNs(), out);
        }
        catch (final CredentialsException ex)
        {
            throw new ConfigurationException(SluiceConfig.AUTH_FILE, config.authFile(), "cannot be used: " +
                ex.getMessage());
        }
    }

    /**
     * @return the consensus module's authenticator (one per node: Aeron asks its supplier once).
     */
    ClusterAuthenticator authenticator()
    {
        return authenticator;
    }

    /**
     * Reload on SIGHUP from now on.
     */
    void start()
    {
        ON_HANGUP.add(this);
        handleHangup(out);
    }

    /**
     * Add the counters, through the service's client (on the service thread: the consensus module's client is
     * driven by its own agent alone). They close with that client.
     *
     * @param counters the service's counters.
     * @param aeron    the service's client.
     * @param memberId this node's member id, in the labels.
     */
    void counters(final SluiceCounters counters, final Aeron aeron, final int memberId)
    {
        authenticator.counters(
            counters.newCounter(aeron, SluiceCounters.CLUSTER_AUTH_OK_TYPE_ID, "sluice cluster auth ok: member " +
                memberId),
            counters.newCounter(aeron, SluiceCounters.CLUSTER_AUTH_FAILED_TYPE_ID,
                "sluice cluster auth failed: member " + memberId),
            counters.newCounter(aeron, SluiceCounters.CLUSTER_AUTH_THROTTLED_TYPE_ID,
                "sluice cluster auth throttled: member " + memberId));
    }

    /**
     * Read the file again for sessions that connect from now on.
     *
     * @return what the node holds now, e.g. {@code credentials reloaded from F: 3 clients}.
     * @throws CredentialsException naming the line; the credentials in use are kept.
     */
    String reload()
    {
        final Credentials credentials = Credentials.read(file);
        authenticator.credentials(credentials);
        return "credentials reloaded from " + file + ": " + credentials.size() + " clients";
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        ON_HANGUP.remove(this);
    }

    private void reloadOnSignal()
    {
        try
        {
            out.println("sluice: SIGHUP: " + reload() + " (open sessions keep theirs)");
        }
        catch (final CredentialsException ex)
        {
            out.println("sluice: SIGHUP: the credentials in use are kept: " + ex.getMessage());
        }
        out.flush();
    }

    private static synchronized void handleHangup(final PrintStream out)
    {
        if (!hangupHandled)
        {
            hangupHandled = true;
            Signal.handle(new Signal("HUP"), (signal) ->
            {
                if (ON_HANGUP.isEmpty())
                {
                    out.println("sluice: nothing to reload: authentication is off (" + SluiceConfig.AUTH_FILE +
                        " is empty)");
                    out.flush();
                }
                for (final ClusterAuth auth : ON_HANGUP)
                {
                    auth.reloadOnSignal();
                }
            });
        }
    }
}
