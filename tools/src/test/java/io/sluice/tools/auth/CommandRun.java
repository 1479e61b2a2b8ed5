package io.sluice.tools.auth;

import io.sluice.tools.SluiceMain;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@code sluice} command run in process ({@link SluiceMain#run}) with its standard output and error captured.
 *
 * @param exit the exit code.
 * @param out  what it printed on standard output.
 * @param err  what it printed on standard error.
 */
record CommandRun(int exit, String out, String err)
{
    static CommandRun of(final String... args)
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            final int exit = SluiceMain.run(args);
            return new CommandRun(exit, outBytes.toString(StandardCharsets.UTF_8),
                errBytes.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
