package io.sluice.bench;

/**
 * The options the in-process state benchmarks ({@link RescaleBench}, {@link MoveSteps}) share:
 * {@code [--keys 100k,1m] [--repeat N] [--windows] [--dir DIR]}.
 *
 * @param keys    key counts to run, comma-separated ({@code 100k}, {@code 1m}).
 * @param repeat  how many times each measured step runs.
 * @param windows 1 s tumbling windows instead of running aggregates.
 * @param dir     where the temporary files go.
 */
record StateBenchOptions(String keys, int repeat, boolean windows, String dir)
{
    /**
     * @param args          the command line.
     * @param defaultKeys   key counts when {@code --keys} is not given.
     * @param defaultRepeat repeats when {@code --repeat} is not given.
     * @return the options.
     * @throws IllegalArgumentException naming an unknown option.
     */
    static StateBenchOptions parse(final String[] args, final String defaultKeys, final int defaultRepeat)
    {
        String keys = defaultKeys;
        int repeat = defaultRepeat;
        boolean windows = false;
        String dir = System.getProperty("java.io.tmpdir");
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--keys" -> keys = args[++i];
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--windows" -> windows = true;
                case "--dir" -> dir = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new StateBenchOptions(keys, repeat, windows, dir);
    }
}
