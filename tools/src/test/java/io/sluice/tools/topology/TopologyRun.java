package io.sluice.tools.topology;

import io.sluice.tools.SluiceMain;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@code sluice} command run in process with its standard output and error captured; durations printed as
 * {@code 1.234 ms} read {@code T ms}, so that a whole output can be compared.
 *
 * @param exit the exit code.
 * @param out  what it printed on standard output.
 * @param err  what it printed on standard error.
 */
record TopologyRun(int exit, String out, String err)
{
    static TopologyRun of(final String... args)
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
            return new TopologyRun(exit, outBytes.toString(StandardCharsets.UTF_8),
                errBytes.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
    }

    String outTimed()
    {
        return out.replaceAll("[0-9]+\\.[0-9]{3} ms", "T ms");
    }
}
