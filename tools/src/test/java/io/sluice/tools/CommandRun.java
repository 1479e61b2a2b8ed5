package io.sluice.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@code sluice} command run in process ({@link SluiceMain#run}) with its standard output and error captured;
 * {@link #outTimed()} reads every duration printed as {@code 1.234 ms} as {@code T ms}, so that a whole output with
 * measured times can be compared.
 *
 * @param exit the exit code.
 * @param out  what it printed on standard output.
 * @param err  what it printed on standard error.
 */
public record CommandRun(int exit, String out, String err)
{
    /**
     * @param args the command line.
     * @return how it ended.
     */
    public static CommandRun of(final String... args)
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

    /**
     * @return standard output with every {@code N.NNN ms} as {@code T ms}.
     */
    public String outTimed()
    {
        return out.replaceAll("[0-9]+\\.[0-9]{3} ms", "T ms");
    }
}
