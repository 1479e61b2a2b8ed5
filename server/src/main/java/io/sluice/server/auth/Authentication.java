package io.sluice.server.auth;

import io.aeron.Aeron;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.server.counters.SluiceCounters;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Authentication on a standalone daemon ({@code sluice.auth.file} set), its control path: the credentials read at
 * start, the {@link SessionDirectory} the egress reads, the ingress's gate ({@link IngressSessions}), and reloads.
 * <pre>
 *   start:  Credentials.read (a bad file: ConfigurationException naming sluice.auth.file and the line, exit 2)
 *   reload: SIGHUP, or sluice auth reload (request counter in the CnC file, answered in the result counter and,
 *           when refused, in sluice-auth-&lt;id&gt;.refused in the driver directory): the file read on the calling
 *           thread, never the ingress's, and handed over; a bad file keeps the credentials in force
 * </pre>
 */
public final class Authentication
{
    private final Path file;
    private final Path driverDir;
    private final SessionDirectory directory;
    private final IngressSessions sessions;
    private final AuthCounters counters;
    private final AtomicCounter reloadRequest;
    private final AtomicCounter reloadResult;
    private final ErrorHandler errorHandler;
    private final int maxSessions;
    private final int responseTermLength;
    private long handledId;
    private long pendingId;
    private long pendingVersion;

    private Authentication(
        final SluiceConfig config, final Credentials credentials, final Aeron aeron, final SluiceCounters counters,
        final PrintStream out, final ErrorHandler errorHandler)
    {
        this.file = Path.of(config.authFile());
        this.driverDir = Path.of(config.driverDir()).toAbsolutePath();
        this.maxSessions = config.authMaxSessions();
        this.responseTermLength = config.authResponseTermLength();
        this.errorHandler = errorHandler;
        this.directory = new SessionDirectory(maxSessions);
        this.counters = new AuthCounters(aeron, counters);
        this.sessions = new IngressSessions(aeron, credentials, directory, new IngressSessions.Settings(
            config.authHandshakeTimeoutNs(), config.authFailureDelayNs(), responseTermLength,
            config.rejectLogIntervalNs()), this.counters, out);
        this.reloadRequest = counters.newCounter(aeron, SluiceCounters.AUTH_RELOAD_REQUEST_TYPE_ID,
            "sluice auth reload request");
        this.reloadResult = counters.newCounter(aeron, SluiceCounters.AUTH_RELOAD_RESULT_TYPE_ID,
            "sluice auth reload result");
        reloadRequest.setRelease(0);
        reloadResult.setRelease(0);
    }

    /**
     * @param config       the daemon's configuration.
     * @return the credentials file's clients, or null when authentication is off.
     * @throws ConfigurationException naming {@code sluice.auth.file}, the file's line and what is wrong.
     */
    public static Credentials readAtStart(final SluiceConfig config)
    {
        if (config.authFile().isEmpty())
        {
            return null;
        }
        try
        {
            return Credentials.read(Path.of(config.authFile()));
        }
        catch (final CredentialsException ex)
        {
            throw new ConfigurationException(SluiceConfig.AUTH_FILE, config.authFile(), "cannot be used: " +
                ex.getMessage());
        }
    }

    /**
     * @param config       the daemon's configuration.
     * @param credentials  what {@link #readAtStart} read, not null.
     * @param aeron        the daemon's client.
     * @param counters     the daemon's counters.
     * @param out          the daemon's log.
     * @param errorHandler where a refused reload is also reported.
     * @return authentication, its counters allocated.
     */
    public static Authentication start(
        final SluiceConfig config, final Credentials credentials, final Aeron aeron, final SluiceCounters counters,
        final PrintStream out, final ErrorHandler errorHandler)
    {
        return new Authentication(config, credentials, aeron, counters, out, errorHandler);
    }

    /**
     * @return where each authenticated client's publication and permissions are; the egress reads it.
     */
    public SessionDirectory directory()
    {
        return directory;
    }

    /**
     * @return the ingress agent's gate.
     */
    public IngressSessions gate()
    {
        return sessions;
    }

    /**
     * @return the authentication counters.
     */
    public AuthCounters counters()
    {
        return counters;
    }

    /**
     * Read the credentials file again and hand it to the ingress, which applies it between two messages. Any thread
     * but the ingress's (SIGHUP's handler, the control thread).
     *
     * @return the credentials handed over.
     * @throws CredentialsException naming the file and the line; the credentials in force stay.
     */
    public Credentials reload()
    {
        final Credentials credentials = Credentials.read(file);
        sessions.credentials(credentials);
        return credentials;
    }

    /**
     * The control thread's periodic step: take a {@code sluice auth reload} request from the request counter, read
     * the file, and answer in the result counter once the ingress applied it (its id), or at once when the file is
     * bad (minus its id, the reason in {@link #refusalFile}).
     */
    public void poll()
    {
        if (0 != pendingId)
        {
            if (counters.credentialsVersion().get() >= pendingVersion)
            {
                reloadResult.setRelease(pendingId);
                pendingId = 0;
            }
            return;
        }
        final long id = reloadRequest.get();
        if (0 == id || id == handledId)
        {
            return;
        }
        handledId = id;
        reloadRequest.compareAndSet(id, 0);
        try
        {
            final long version = counters.credentialsVersion().get();
            reload();
            pendingVersion = version + 1;
            pendingId = id;
        }
        catch (final CredentialsException ex)
        {
            try
            {
                Files.writeString(refusalFile(driverDir, id), ex.getMessage() + "\n");
            }
            catch (final IOException ioEx)
            {
                errorHandler.onError(ioEx);
            }
            errorHandler.onError(new IllegalArgumentException("sluice auth reload refused: " + ex.getMessage()));
            reloadResult.setRelease(-id);
        }
    }

    /**
     * @param dir the daemon's media driver directory.
     * @param id  a reload request's id.
     * @return where the daemon says why it refused the request.
     */
    public static Path refusalFile(final Path dir, final long id)
    {
        return dir.resolve("sluice-auth-" + id + ".refused");
    }

    /**
     * @return the start-up summary's {@code auth} line's text.
     */
    public String describe()
    {
        final Credentials credentials = sessions.credentials();
        return "on (" + credentials.size() + " clients from " + file + ", fingerprint " +
            String.format("%016x", credentials.fingerprint()) + ", at most " + maxSessions + " sessions, " +
            "response term length " + responseTermLength + " bytes; reload with SIGHUP or sluice auth reload)";
    }

    /**
     * @return the start-up summary's {@code auth} line's text with authentication off.
     */
    public static String describeOff()
    {
        return "off (any sender accepted; results on the shared egress; docs/security.md)";
    }

    /**
     * Close every session's publication. Ingress thread stopped.
     */
    public void close()
    {
        sessions.close();
    }
}
