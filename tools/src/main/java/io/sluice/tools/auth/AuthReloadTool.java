package io.sluice.tools.auth;

import io.sluice.config.SluiceConfig;
import io.sluice.server.auth.Authentication;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.tools.stat.CounterRequest;
import io.sluice.tools.stat.SluiceStat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice auth reload}: asks a running daemon on this host to read its credentials file
 * ({@code sluice.auth.file}) again, through its CnC file (the reload request counter), never over the network, and
 * waits until its ingress applied the file:
 * <pre>
 *   sluice auth: credentials version 2 in force
 * </pre>
 * A bad file changes nothing: the daemon names the file and line, the tool prints it and exits 2.
 */
public final class AuthReloadTool
{
    private static final int REQUEST = 0;
    private static final int RESULT = 1;
    private static final int VERSION = 2;

    private AuthReloadTool()
    {
    }

    /**
     * @param config    the daemon's configuration (its driver directory).
     * @param timeoutNs how long to wait for the daemon.
     * @param out       where the result goes.
     * @return 0 when applied; 2 when the daemon refused the file (the reason printed); 1 when no daemon runs there,
     * it has authentication off, or it timed out.
     */
    public static int reload(final SluiceConfig config, final long timeoutNs, final PrintStream out)
    {
        final int[] ids = { -1, -1, -1 };
        final boolean running = SluiceStat.read(config.driverDir(), (reader) -> reader.forEach(
            (counterId, typeId, keyBuffer, label) ->
            {
                switch (typeId)
                {
                    case SluiceCounters.AUTH_RELOAD_REQUEST_TYPE_ID -> ids[REQUEST] = counterId;
                    case SluiceCounters.AUTH_RELOAD_RESULT_TYPE_ID -> ids[RESULT] = counterId;
                    case SluiceCounters.AUTH_CREDENTIALS_VERSION_TYPE_ID -> ids[VERSION] = counterId;
                    default -> { }
                }
            }));
        if (!running)
        {
            out.println("sluice auth: " + SluiceStat.noDriverMessage(config.driverDir()));
            return 1;
        }
        if (-1 == ids[REQUEST] || -1 == ids[RESULT] || -1 == ids[VERSION])
        {
            out.println("sluice auth: the daemon at " + config.driverDir() + " has authentication off " +
                "(sluice.auth.file is empty): nothing to reload");
            return 1;
        }
        final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        final long[] outcome = CounterRequest.exchange(config.driverDir(), ids[REQUEST], ids[RESULT], id, timeoutNs,
            ids[VERSION]);
        if (0 == outcome[0])
        {
            out.println("sluice auth: the daemon at " + config.driverDir() + " did not reload its credentials within " +
                TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s (see sluice errors)");
            return 1;
        }
        if (outcome[0] < 0)
        {
            final Path refusal = Authentication.refusalFile(Path.of(config.driverDir()).toAbsolutePath(), id);
            String reason;
            try
            {
                reason = Files.readString(refusal).trim();
                Files.deleteIfExists(refusal);
            }
            catch (final IOException ex)
            {
                reason = "(no reason given: " + ex.getMessage() + ")";
            }
            out.println("sluice auth: the daemon kept its credentials: " + reason);
            return 2;
        }
        out.println("sluice auth: credentials version " + outcome[1] + " in force");
        return 0;
    }
}
