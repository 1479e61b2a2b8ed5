package io.sluice.systemtest;

import io.sluice.tools.SluiceMain;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@code sluice} command run in this JVM, as {@code ./sluice} runs it, its standard output and error captured.
 *
 * @param exit the exit code.
 * @param out  what it printed on standard output.
 * @param err  what it printed on standard error.
 */
record ToolRun(int exit, String out, String err)
{
    /**
     * @param args the command line.
     * @return how it ended. One command at a time: standard output and error are the JVM's.
     */
    static synchronized ToolRun of(final String... args)
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
            return new ToolRun(exit, outBytes.toString(StandardCharsets.UTF_8),
                errBytes.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
