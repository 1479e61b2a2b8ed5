package io.sluice.server.signal;

import sun.misc.Signal;

/**
 * SIGHUP asks a running daemon to read its credentials file again ({@code sluice.auth.file}). Installed always, in
 * place of the JVM's default handler (which would end the process, so a {@code systemctl reload} of a daemon
 * without authentication would stop it); with authentication off the daemon says there is nothing to reload. The
 * reload runs on the JVM's signal thread, never the ingress's.
 */
public final class ReloadSignal
{
    private ReloadSignal()
    {
    }

    /**
     * @param reload what to run on each SIGHUP, on the JVM's signal thread.
     */
    public static void install(final Runnable reload)
    {
        Signal.handle(new Signal("HUP"), (signal) -> reload.run());
    }
}
