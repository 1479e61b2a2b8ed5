package io.sluice.tools;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverThreading;
import io.sluice.config.SluiceConfig;
import io.sluice.client.SluiceClient;
import io.sluice.tools.cluster.ClusterControlTool;
import io.sluice.server.cluster.ClusterNode;
import io.sluice.server.daemon.DaemonContext;
import io.sluice.server.daemon.SluiceDaemon;
import io.sluice.server.signal.TerminationSignal;
import io.sluice.tools.demo.ClusterDemo;
import io.sluice.tools.demo.DemoProducer;
import io.sluice.tools.metrics.MetricsExporter;
import io.sluice.tools.stat.SluiceStat;
import io.sluice.tools.stat.StatCommand;
import io.sluice.tools.journal.JournalTool;
import io.sluice.tools.replay.JournalExport;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import java.io.File;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Command-line entry point of the appliance.
 * <pre>
 *   daemon   [--config FILE]   run until SIGTERM/SIGINT
 *   stat     [--config FILE] [--json | --watch [SECONDS]]   print a running daemon's counters (as JSON; refreshed
 *            in place with per-second rates)
 *   errors   [--config FILE]   print a daemon's distinct errors with counts and first/last times
 *   direct-memory [--config FILE]   print the direct memory bytes the configuration needs (for the launcher)
 *   exporter [--config FILE] [--dir DIR] [--endpoint HOST:PORT] [--parent-pid PID]   the Prometheus endpoint as a
 *            process of its own, reading a daemon's counters from its CnC file ({@link MetricsExporter})
 *   producer [--config FILE] [--rate N] [--seconds N] [--warmup-seconds N] [--keys N]   the demo producer
 *   journal  [--config FILE]   list the journal; {@code journal export --out FILE ...} writes its events to a file
 *   replay   --config WHATIF --out FILE [--compare BASELINE] ...   what-if replay of the journal ({@link WhatIfReplay})
 *   cluster-shutdown --config NODE   ask the cluster's leader to snapshot and stop every node
 *   cluster-demo --config NODE [--rate N] [--seconds N]   three nodes on loopback: kill the leader, fail over
 * </pre>
 * With {@code sluice.cluster.members} set, {@code daemon} runs a cluster node ({@link ClusterNode}) and
 * {@code snapshot} asks the node (it must be the leader) for a cluster snapshot.
 * <p>
 * Exit codes: 0 success, 1 any other failure (printed in one line), 2 bad configuration or usage.
 */
public final class SluiceMain
{
    private SluiceMain()
    {
    }

    /**
     * @param args command and options.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /**
     * Run one command as {@link #main} does, without exiting: how the tests and the demo run a command in process.
     *
     * @param args command and options.
     * @return the command's exit code.
     */
    public static int run(final String[] args)
    {
        if (args.length == 0)
        {
            return usage();
        }
        try
        {
            final Path configFile = option(args, "--config", null) == null ? null : Paths.get(option(args, "--config", null));
            if (null != configFile && !Files.isReadable(configFile))
            {
                System.err.println("sluice: --config " + configFile + ": no such readable file");
                return 2;
            }
            final SluiceConfig config = SluiceConfig.load(configFile, System.getProperties());
            switch (args[0])
            {
                case "daemon":
                    if (hasFlag(args, "--fresh-journal"))
                    {
                        System.out.println(JournalTool.moveAside(config));
                    }
                    return daemon(config);
                case "stat":
                    return StatCommand.run(args, config, System.out, System.err);
                case "errors":
                    return SluiceStat.printErrors(config.driverDir(), System.out) < 0 ? 1 : 0;
                case "snapshot":
                    if (config.isClustered())
                    {
                        return ClusterControlTool.snapshot(config, TimeUnit.SECONDS.toNanos(
                            Long.parseLong(option(args, "--timeout", "60"))), System.out);
                    }
                    return JournalTool.snapshot(config, TimeUnit.SECONDS.toNanos(
                        Long.parseLong(option(args, "--timeout", "60"))), System.out);
                case "journal":
                    if (hasFlag(args, "export"))
                    {
                        final Path out = requiredPath(args, "--out");
                        JournalExport.export(journalDir(args, config), config.driverDir(), option(args, "--from", null),
                            option(args, "--to", null), out, WhatIfReplay.format(option(args, "--format", null), out),
                            maxReadMib(args), System.out);
                        return 0;
                    }
                    return JournalTool.list(config, System.out);
                case "replay":
                    return replay(args, config);
                case "cluster-shutdown":
                    return ClusterControlTool.shutdown(config, System.out);
                case "cluster-demo":
                    if (null == configFile || !config.isClustered())
                    {
                        throw new ConfigurationException("--config", String.valueOf(configFile),
                            "must be a cluster profile such as config/cluster-node.properties");
                    }
                    return ClusterDemo.run(
                        new File(SluiceMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                        configFile, (int)number(args, "--rate", 10_000, 1, 1_000_000),
                        (int)number(args, "--seconds", 20, 8, 3600), System.out);
                case "direct-memory":
                    System.out.println(DaemonContext.from(config).conclude().directMemoryBytes());
                    return 0;
                case "exporter":
                    return MetricsExporter.run(option(args, "--dir", config.driverDir()),
                        option(args, "--endpoint", config.metricsEndpoint()),
                        number(args, "--parent-pid", 0, 0, Long.MAX_VALUE), System.out);
                case "producer":
                {
                    final int seconds = Integer.parseInt(option(args, "--seconds", "10"));
                    return DemoProducer.run(
                        clientContextFor(config).embeddedDriver(true).driverThreading(DriverThreading.INVOKER),
                        Integer.parseInt(option(args, "--rate", "10000")),
                        seconds,
                        (int)number(args, "--warmup-seconds", DemoProducer.defaultWarmupSeconds(seconds), 0,
                            Math.max(0, seconds - 1)),
                        Integer.parseInt(option(args, "--keys", "1000")),
                        DemoProducer.CONNECT_TIMEOUT_SECONDS,
                        System.out);
                }
                default:
                    return usage();
            }
        }
        catch (final ConfigurationException ex)
        {
            System.err.println("sluice: configuration error: " + ex.getMessage());
            return 2;
        }
        catch (final Throwable ex)
        {
            System.err.println("sluice: failed: " + ex);
            return 1;
        }
    }

    private static int replay(final String[] args, final SluiceConfig whatIf)
    {
        if (null == option(args, "--config", null))
        {
            throw new ConfigurationException("--config", "(missing)", "is required: the what-if configuration");
        }
        final Path out = requiredPath(args, "--out");
        final String compare = option(args, "--compare", null);
        final SluiceConfig baseline = null == compare ? null : SluiceConfig.load(readable("--compare", compare),
            System.getProperties());
        final WhatIfReplay.Request request = new WhatIfReplay.Request(whatIf, baseline, journalDir(args, whatIf),
            whatIf.driverDir(), option(args, "--from", null), option(args, "--to", null), keys(option(args, "--keys",
            null)), out, WhatIfReplay.format(option(args, "--format", null), out), hasFlag(args, "--event-results"),
            hasFlag(args, "--close-open-windows"), maxReadMib(args), (int)number(args, "--threads", -1, 1, 4096));
        if (null != baseline && ReplayOutput.Format.CSV != request.format())
        {
            throw new ConfigurationException("--format", request.format().name().toLowerCase(Locale.ROOT),
                "must be csv with --compare: the differences are written as CSV");
        }
        WhatIfReplay.run(request, System.out);
        return 0;
    }

    /**
     * @return {@code --max-read-mb}: MiB/s, 0 for no bound, -1 (absent) for the default.
     */
    private static long maxReadMib(final String[] args)
    {
        return number(args, "--max-read-mb", -1, 0, 1024 * 1024);
    }

    /**
     * @return the option's number, or the default when it is absent.
     * @throws ConfigurationException naming the option when it is not a number in range.
     */
    private static long number(final String[] args, final String name, final long dflt, final long min, final long max)
    {
        final String value = option(args, name, null);
        if (null == value)
        {
            return dflt;
        }
        try
        {
            final long number = Long.parseLong(value.trim());
            if (number >= min && number <= max)
            {
                return number;
            }
        }
        catch (final NumberFormatException ex)
        {
            // answered below
        }
        throw new ConfigurationException(name, value, "must be a number from " + min + " to " + max);
    }

    private static Path journalDir(final String[] args, final SluiceConfig config)
    {
        return Paths.get(option(args, "--journal", config.journalDir()));
    }

    private static Path requiredPath(final String[] args, final String name)
    {
        final String value = option(args, name, null);
        if (null == value)
        {
            throw new ConfigurationException(name, "(missing)", "is required: the file to write");
        }
        return Paths.get(value);
    }

    private static Path readable(final String name, final String value)
    {
        final Path file = Paths.get(value);
        if (!Files.isReadable(file))
        {
            throw new ConfigurationException(name, value, "must be a readable file");
        }
        return file;
    }

    private static long[] keys(final String keys)
    {
        if (null == keys)
        {
            return null;
        }
        try
        {
            return Arrays.stream(keys.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigurationException("--keys", keys, "must be keys (64-bit integers) separated by commas");
        }
    }

    private static int daemon(final SluiceConfig config)
    {
        if (config.isClustered())
        {
            return clusterNode(config);
        }
        final TerminationSignal signal = new TerminationSignal();
        try (SluiceDaemon daemon = SluiceDaemon.start(config, System.out))
        {
            System.out.println("sluice: SIG" + signal.await(100, daemon::updateJvmCounters) + " received, draining");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
        return 0;
    }

    private static int clusterNode(final SluiceConfig config)
    {
        final TerminationSignal signal = new TerminationSignal();
        try (ClusterNode node = ClusterNode.start(config, System.out))
        {
            while (!signal.received() && !node.awaitTerminated(100))
            {
                node.updateJvmCounters();
            }
            if (null != node.failure())
            {
                System.out.println("sluice: the node failed, stopping: " + node.failure());
                return 1;
            }
            System.out.println(signal.received() ? "sluice: SIG" + signal.name() + " received, stopping" :
                "sluice: the cluster terminated this node, stopping");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
        return 0;
    }

    /**
     * A client context that reaches a daemon running with this configuration over its UDP channels (a cluster through
     * every member's ingress endpoint), batching at most the daemon's {@code sluice.batch.max-events}.
     *
     * @param config the daemon's configuration.
     * @return the context.
     */
    public static SluiceClient.Context clientContextFor(final SluiceConfig config)
    {
        if (config.isClustered())
        {
            return new SluiceClient.Context()
                .clusterIngressEndpoints(SluiceClient.Context.ingressEndpointsOf(config.clusterMembers()))
                .maxBatchEvents(config.batchMaxEvents());
        }
        final ChannelUri egress = ChannelUri.parse(config.egressChannel());
        final String subscribe;
        if (null != egress.get(CommonContext.MDC_CONTROL_PARAM_NAME))
        {
            subscribe = "aeron:udp?endpoint=localhost:0|control=" + egress.get(CommonContext.MDC_CONTROL_PARAM_NAME) +
                "|control-mode=" + egress.get(CommonContext.MDC_CONTROL_MODE_PARAM_NAME);
        }
        else
        {
            subscribe = config.egressChannel();
        }
        return new SluiceClient.Context()
            .ingress(config.ingressChannel(), config.ingressStreamId())
            .egress(subscribe, config.egressStreamId())
            .egressImages(config.processorCount())
            .maxBatchEvents(config.batchMaxEvents());
    }

    private static boolean hasFlag(final String[] args, final String name)
    {
        for (int i = 1; i < args.length; i++)
        {
            if (name.equals(args[i]))
            {
                return true;
            }
        }
        return false;
    }

    private static String option(final String[] args, final String name, final String defaultValue)
    {
        for (int i = 1; i < args.length - 1; i++)
        {
            if (name.equals(args[i]))
            {
                return args[i + 1];
            }
        }
        return defaultValue;
    }

    private static int usage()
    {
        System.err.println("usage: sluice daemon [--config FILE] [--fresh-journal] | stat [--config FILE] [--json | --watch [SECONDS]] | errors [--config FILE] | " +
            "snapshot [--config FILE] [--timeout SECONDS] | journal [--config FILE] | " +
            "journal export --out FILE [--format csv|sbe] [--from P|T] [--to P|T] [--journal DIR] [--max-read-mb N] " +
            "[--config FILE] | " +
            "replay --config WHATIF --out FILE [--compare BASELINE] [--format csv|sbe] [--from P|T] [--to P|T] " +
            "[--keys K1,K2] [--event-results] [--close-open-windows] [--journal DIR] [--max-read-mb N] [--threads N] | " +
            "exporter [--config FILE] [--dir DIR] [--endpoint HOST:PORT] [--parent-pid PID] | " +
            "producer [--config FILE] [--rate N] [--seconds N] [--warmup-seconds N] [--keys N] | cluster-shutdown --config NODE | " +
            "cluster-demo --config NODE [--rate N] [--seconds N]");
        return 2;
    }
}
