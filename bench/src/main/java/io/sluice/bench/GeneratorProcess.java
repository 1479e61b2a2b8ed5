package io.sluice.bench;

import io.sluice.config.DriverThreading;
import io.sluice.config.SluiceConfig;
import io.sluice.tools.SluiceMain;
import io.sluice.client.SluiceClient;
import io.sluice.transport.codec.ResultMode;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A generator process of the throughput benchmark: N threads, each with its own {@link SluiceClient} (own client
 * id, own embedded driver in INVOKER mode, the result mode asked for) and its own {@link BurstGenerator} over its
 * own keys, driven step by step over stdin/stdout by {@link ThroughputBench}.
 * <pre>
 *   ThroughputBench ──stdin "step RATE DURATION_MS DRAIN_MS BURST"──▶ main thread ─▶ N generator threads
 *                   ◀─stdout "result SENT ANSWERED ..."──────────────  (sums, longest send time)
 * </pre>
 * Run: {@code GeneratorProcess --config FILE --mode MODE --threads N --keys K --key-base B [--secrets FILE]}
 * ({@code --secrets}: a file of {@link BenchAuth#writeSecrets}, one {@code <client id> <secret>} line a thread, with
 * which each thread's client authenticates); prints
 * {@code generator: ready} once every client is connected; {@code quit} or end of input closes the clients and
 * exits. RATE is per thread, 0 for flat out. Only protocol lines go to stdout; diagnostics go to stderr.
 */
public final class GeneratorProcess
{
    private static final long[] STOP = new long[0];

    private GeneratorProcess()
    {
    }

    /**
     * @param args options, see the class comment.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final SluiceConfig config = SluiceConfig.load(Paths.get(option(args, "--config")), System.getProperties());
        final String mode = option(args, "--mode");
        final int threads = Integer.parseInt(option(args, "--threads"));
        final int keys = Integer.parseInt(option(args, "--keys"));
        final long keyBase = Long.parseLong(option(args, "--key-base"));
        final List<String[]> secrets = hasOption(args, "--secrets") ?
            BenchAuth.readSecrets(Paths.get(option(args, "--secrets"))) : null;
        if (null != secrets && secrets.size() != threads)
        {
            throw new IllegalArgumentException("--secrets lists " + secrets.size() + " clients for " + threads +
                " threads");
        }

        final CountDownLatch ready = new CountDownLatch(threads);
        final BlockingQueue<BurstGenerator.Totals> results = new ArrayBlockingQueue<>(threads);
        final List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final Worker worker = new Worker(config, mode, keyBase + (long)t * keys, keys,
                null == secrets ? null : secrets.get(t), ready, results);
            workers.add(worker);
            worker.thread.start();
        }
        if (!ready.await(60, TimeUnit.SECONDS) || workers.stream().anyMatch((w) -> null != w.failure))
        {
            System.err.println("generator: not every client connected");
            System.exit(1);
        }
        System.out.println("generator: ready (" + threads + " thread(s), mode " + mode + ", client batches of up to " +
            workers.get(0).batchLimit + " events)");
        System.out.flush();

        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while (null != (line = in.readLine()) && !"quit".equals(line.trim()))
        {
            final String[] f = line.trim().split(" ");
            if (5 != f.length || !"step".equals(f[0]))
            {
                System.err.println("generator: unknown command " + line);
                continue;
            }
            final long[] step = {Long.parseLong(f[1]), TimeUnit.MILLISECONDS.toNanos(Long.parseLong(f[2])),
                TimeUnit.MILLISECONDS.toNanos(Long.parseLong(f[3])), Long.parseLong(f[4])};
            for (final Worker w : workers)
            {
                w.commands.put(step);
            }
            BurstGenerator.Totals sum = null;
            for (int i = 0; i < threads; i++)
            {
                final BurstGenerator.Totals totals = results.take();
                sum = null == sum ? totals : sum.plus(totals);
            }
            for (final Worker w : workers)
            {
                if (null != w.failure)
                {
                    w.failure.printStackTrace();
                    System.exit(1);
                }
            }
            System.out.println(sum.toLine());
            System.out.flush();
        }
        for (final Worker w : workers)
        {
            w.commands.put(STOP);
        }
        for (final Worker w : workers)
        {
            w.thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    static SluiceClient connect(final SluiceConfig config, final String mode, final String[] secret)
    {
        final SluiceClient.Context ctx = SluiceMain.clientContextFor(config)
            .egressImages(config.processorCount())
            .resultMode(resultMode(mode))
            .embeddedDriver(true)
            .driverThreading(DriverThreading.INVOKER);
        if (null != secret)
        {
            ctx.clientId(Long.parseLong(secret[0])).secret(secret[1]);
        }
        final SluiceClient client = SluiceClient.connect(ctx);
        if (!client.awaitConnected(TimeUnit.SECONDS.toNanos(30)))
        {
            client.close();
            throw new IllegalStateException("could not connect to the daemon within 30 s");
        }
        return client;
    }

    /**
     * @param mode {@code none}, {@code batched} or {@code per-event}.
     * @return the wire's result mode of that name.
     */
    static ResultMode resultMode(final String mode)
    {
        return switch (mode)
        {
            case "none" -> ResultMode.NONE;
            case "batched" -> ResultMode.BATCHED;
            case "per-event" -> ResultMode.PER_EVENT;
            default -> throw new IllegalArgumentException("result mode must be none, batched or per-event: " + mode);
        };
    }

    private static boolean hasOption(final String[] args, final String name)
    {
        return List.of(args).contains(name);
    }

    private static String option(final String[] args, final String name)
    {
        for (int i = 0; i < args.length - 1; i++)
        {
            if (name.equals(args[i]))
            {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("missing option " + name);
    }

    /**
     * One generator thread: connects its client, then runs the steps it is given, servicing the client between.
     */
    private static final class Worker implements Runnable
    {
        private final SluiceConfig config;
        private final String mode;
        private final long keyBase;
        private final int keys;
        private final String[] secret;
        private final CountDownLatch ready;
        private final BlockingQueue<BurstGenerator.Totals> results;
        private final BlockingQueue<long[]> commands = new ArrayBlockingQueue<>(1);
        private final Thread thread;
        private volatile Throwable failure;
        private volatile int batchLimit;

        Worker(
            final SluiceConfig config,
            final String mode,
            final long keyBase,
            final int keys,
            final String[] secret,
            final CountDownLatch ready,
            final BlockingQueue<BurstGenerator.Totals> results)
        {
            this.config = config;
            this.mode = mode;
            this.keyBase = keyBase;
            this.keys = keys;
            this.secret = secret;
            this.ready = ready;
            this.results = results;
            this.thread = new Thread(this, "sluice-bench-generator-" + keyBase);
        }

        public void run()
        {
            SluiceClient client = null;
            try
            {
                client = connect(config, mode, secret);
                batchLimit = client.batchLimit();
                final BurstGenerator generator = new BurstGenerator(client, mode, keyBase, keys, config, keyBase + 7);
                ready.countDown();
                while (true)
                {
                    final long[] step = commands.poll();
                    if (STOP == step)
                    {
                        break;
                    }
                    if (null == step)
                    {
                        generator.service();
                        continue;
                    }
                    BurstGenerator.Totals totals;
                    try
                    {
                        totals = generator.step(step[0], step[1], (int)step[3], step[2]);
                    }
                    catch (final RuntimeException ex)
                    {
                        failure = ex;
                        totals = new BurstGenerator.Totals(0, 0, 0, 0, 0, 0, System.nanoTime(), 0, 0);
                    }
                    results.put(totals);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
                ready.countDown();
            }
            finally
            {
                if (null != client)
                {
                    client.close();
                }
            }
        }
    }
}
