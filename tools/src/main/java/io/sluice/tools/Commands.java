package io.sluice.tools;

import io.sluice.client.SluiceClient;
import io.sluice.config.ConfigurationException;
import io.sluice.config.DriverThreading;
import io.sluice.config.SluiceConfig;
import io.sluice.server.daemon.DaemonContext;
import io.sluice.tools.auth.AuthReloadTool;
import io.sluice.tools.auth.CredentialsTool;
import io.sluice.tools.cluster.ClusterControlTool;
import io.sluice.tools.demo.ClusterDemo;
import io.sluice.tools.demo.Demo;
import io.sluice.tools.demo.DemoProducer;
import io.sluice.tools.journal.JournalTool;
import io.sluice.tools.metrics.MetricsExporter;
import io.sluice.tools.replay.JournalExport;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import io.sluice.tools.rules.RulesTool;
import io.sluice.tools.stat.SluiceStat;
import io.sluice.tools.stat.StatCommand;
import io.sluice.tools.topology.TopologyMove;
import io.sluice.tools.topology.TopologyTool;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static io.sluice.tools.Option.flag;
import static io.sluice.tools.Option.required;
import static io.sluice.tools.Option.value;

/**
 * The command table: every command of {@code sluice}, its options with their help, and the code that runs it.
 * {@link SluiceMain} dispatches through it, checks each command line against it and prints its usage from it;
 * the launcher prints the same usage by running {@code sluice help}, and docs/operations.md carries
 * {@link #overview()} (a test compares them).
 */
public final class Commands
{
    private static final String SMALL_HOST = "config/small-host.properties";
    private static final Option CONFIG = value("--config", "FILE", "the configuration (a profile such as " +
        SMALL_HOST + "; -Dkey=value overrides its settings)");
    private static final Option FROM = value("--from", "P|T",
        "start at this journal position or ISO-8601 time (default: the journal's start)");
    private static final Option TO = value("--to", "P|T",
        "end before this journal position or ISO-8601 time (default: the journal's end)");
    private static final Option FORMAT = value("--format", "csv|sbe",
        "the file's format (default: from --out's extension, .sbe for sbe, else csv)");
    private static final Option JOURNAL = value("--journal", "DIR",
        "the journal directory (default: the configuration's sluice.journal.dir)");
    private static final Option MAX_READ_MB = value("--max-read-mb", "N",
        "bound journal reads to N MiB/s, 0 for none (default: 64 beside a live daemon, else none)");
    private static final Option AUTH_FILE = required("--file", "FILE", "the credentials file (the daemon's " +
        "sluice.auth.file)");
    private static final Option AUTH_ID = required("--id", "N", "the client id (a decimal int64 other than 0)");
    private static final Option TOPOLOGY_FILE = required("--file", "FILE", "the topology file (docs/scale-out.md)");
    private static final Option AUTH_PERMISSIONS = required("--permissions", "P,...",
        "what the client may do, comma-separated: send, query, subscribe, admin (docs/security.md)");

    /** Every command, in the order the usage lists them. */
    public static final List<Command> TABLE = List.of(
        new Command("demo", "build if needed (./sluice), run the daemon and the demo producer, print the results, " +
            "clean up", "config/demo.properties", List.of(
            value("--config", "FILE", "the daemon's and the producer's configuration"),
            value("--rate", "N", "events per second (default 10000)"),
            value("--seconds", "N", "how long the producer sends (default 10)")),
            true, false, Commands::demo),
        new Command("daemon", "run the daemon until SIGTERM/SIGINT (a cluster node when sluice.cluster.members is " +
            "set)", SMALL_HOST, List.of(CONFIG,
            flag("--fresh-journal", "move the journal directory aside first (to DIR.old-yyyyMMdd-HHmmss, never " +
                "deleted) and start with a new one"),
            flag("--reset-windows", "on a change of window size, slide, lateness or eviction whose history the " +
                "journal no longer holds, start the windows empty (every key's running figures kept) rather than " +
                "refuse")),
            true, false, Commands::daemon),
        new Command("stat", "print a running daemon's counters (as JSON; refreshed in place every SECONDS with " +
            "per-second rates)", SMALL_HOST, List.of(CONFIG,
            flag("--json", "print one reading as a JSON document"),
            value("--watch", "[SECONDS]", "redraw every SECONDS, 0.1 to 3600 (default 1), with the rates; Ctrl-C ends")),
            true, false, (args, config) -> StatCommand.run(args.words(), config, System.out, System.err)),
        new Command("errors", "print a daemon's distinct errors with counts and first/last times", SMALL_HOST,
            List.of(CONFIG), true, false,
            (args, config) -> SluiceStat.printErrors(config.driverDir(), System.out) < 0 ? 1 : 0),
        new Command("snapshot", "ask a running daemon (journal on), or a cluster's leader, for a snapshot", SMALL_HOST,
            List.of(CONFIG, value("--timeout", "SECONDS", "how long to wait for it (default 60)")),
            true, false, Commands::snapshot),
        new Command("rules apply", "change a running daemon's (or, on its host, a cluster leader's) alert rules " +
            "live, at a position in its journal or cluster log, to the sluice.alert.* rules of --rules (validated " +
            "first; nothing changes on a bad rule)", SMALL_HOST,
            List.of(required("--rules", "FILE", "the new rules: sluice.alert.<name>.on|field|op|threshold keys (the " +
                "daemon's configuration file edited will do; other keys are ignored)"), CONFIG,
            value("--timeout", "SECONDS", "how long to wait for the daemon (default 10)"),
            flag("--dry-run", "apply nothing: replay the journal's recent history under these rules beside the " +
                "rules in force and print the alerts that would appear or disappear"),
            value("--since", "DURATION", "with --dry-run: history from this long ago (e.g. 10m, 2h; default 10m)"),
            value("--from-position", "P", "with --dry-run: history from this journal position instead")),
            true, false, Commands::rulesApply),
        new Command("auth add-client", "add a client to a credentials file (created rw------- if missing) with a " +
            "new random secret, printed once as 'secret HEX'; the file keeps only its stored key", null,
            List.of(AUTH_FILE, AUTH_ID, AUTH_PERMISSIONS), true, false,
            (args, config) -> CredentialsTool.addClient(args.path("--file"), CredentialsTool.clientId(
                args.value("--id")), CredentialsTool.permissions(args.value("--permissions")), new SecureRandom(),
                System.out, System.err)),
        new Command("auth remove-client", "remove a client from a credentials file", null,
            List.of(AUTH_FILE, AUTH_ID), true, false,
            (args, config) -> CredentialsTool.removeClient(args.path("--file"),
                CredentialsTool.clientId(args.value("--id")), System.out, System.err)),
        new Command("auth set-permissions", "change a client's permissions in a credentials file (its secret stays)",
            null, List.of(AUTH_FILE, AUTH_ID, AUTH_PERMISSIONS), true, false,
            (args, config) -> CredentialsTool.setPermissions(args.path("--file"), CredentialsTool.clientId(
                args.value("--id")), CredentialsTool.permissions(args.value("--permissions")), System.out,
                System.err)),
        new Command("auth list", "print each client's id and permissions (never a key)", null, List.of(AUTH_FILE),
            true, false, (args, config) -> CredentialsTool.list(args.path("--file"), System.out, System.err)),
        new Command("auth check", "check a credentials file as the daemon reads it: 'N clients', or exit 2 naming " +
            "the first bad line", null, List.of(AUTH_FILE), true, false,
            (args, config) -> CredentialsTool.check(args.path("--file"), System.out, System.err)),
        new Command("auth reload", "make a running daemon read its credentials file (sluice.auth.file) again, as " +
            "SIGHUP does: removed clients' sessions end, permissions change at once (a bad file changes nothing)",
            SMALL_HOST, List.of(CONFIG, value("--timeout", "SECONDS", "how long to wait for the daemon (default 10)")),
            true, false, (args, config) -> AuthReloadTool.reload(config,
            TimeUnit.SECONDS.toNanos(args.number("--timeout", 10, 1, 3600)), System.out)),
        new Command("cluster-shutdown", "ask the cluster's leader to snapshot and stop every node", null,
            List.of(required("--config", "NODE", "a cluster node's configuration")),
            true, false, (args, config) -> ClusterControlTool.shutdown(config, System.out)),
        new Command("cluster-demo", "3-node cluster on loopback under load: kill the leader, fail over, catch up",
            "config/cluster-node.properties", List.of(
            value("--config", "NODE", "a cluster profile such as config/cluster-node.properties"),
            value("--rate", "N", "events per second, 1 to 1000000 (default 10000)"),
            value("--seconds", "N", "how long to send, 8 to 3600 (default 20)")),
            true, false, Commands::clusterDemo),
        new Command("topology init", "write a new topology file at epoch 1, the key groups split evenly between " +
            "the appliances in their order", null, List.of(TOPOLOGY_FILE,
            required("--appliances", "A,B,...", "the appliances' names, in order (letters, digits, - and _)"),
            required("--appliance", "NAME:FIELD=V;...", "once per appliance, quoted: NAME:ingress=CH;egress=CH;" +
                "aeron-dir=DIR (also ingress-stream=N, egress-stream=N; cluster-ingress=... instead of ingress and " +
                "egress); aeron-dir is how move and show reach it on its host"),
            value("--key-groups", "N", "key groups, a power of two (default 4096, as sluice.keygroup.count)"),
            value("--hash-seed", "S", "the hash seed every appliance and client places keys by, decimal or 0x hex " +
                "(default: a random one)"),
            required("--slice-dir", "DIR", "a directory every appliance of a move can read and write: moves put " +
                "their slices there")),
            true, false, (args, config) -> TopologyTool.init(args.path("--file"), args.value("--appliances"),
            args.values("--appliance"), args.number("--key-groups", 4096, 1, 1 << 16), args.value("--hash-seed"),
            args.value("--slice-dir"), System.out, System.err)),
        new Command("topology check", "check a topology file: 0 valid, 2 naming the first problem", null,
            List.of(TOPOLOGY_FILE), true, false,
            (args, config) -> TopologyTool.check(args.path("--file"), System.out, System.err)),
        new Command("topology show", "print a topology file and, for each appliance running on this host, its live " +
            "epoch, owned key groups and moves (an appliance ahead of the file flagged)", null,
            List.of(TOPOLOGY_FILE), true, false,
            (args, config) -> TopologyTool.show(args.path("--file"), System.out, System.err)),
        new Command("topology move", "move key groups to another appliance under load (both on this host): release " +
            "on the owner, acquire on the target, the file at the next epoch; 0 moved, 1 not moved (the owner " +
            "keeps them), 2 bad file or option", null, List.of(TOPOLOGY_FILE,
            required("--groups", "N-M", "the key groups, all owned by one appliance"),
            required("--to", "NAME", "the appliance that takes them"),
            value("--timeout", "SECONDS", "how long to wait for each step's answer, 1 to 3600 (default 30)")),
            true, false, (args, config) -> TopologyMove.move(args.path("--file"), args.value("--groups"),
            args.value("--to"), TimeUnit.SECONDS.toNanos(args.number("--timeout", 30, 1, 3600)), System.out,
            System.err)),
        new Command("topology acquire", "make an appliance (on this host) take key groups in from the slice a " +
            "move's release left, when the move's owner could not take them back; the file at the next epoch", null,
            List.of(TOPOLOGY_FILE, required("--groups", "N-M", "the key groups, as released"),
            required("--on", "NAME", "the appliance that takes them"),
            required("--move-id", "ID", "the move whose slice holds them (as sluice topology move printed it)"),
            value("--from", "NAME", "the appliance that released them (default: their owner in the file)"),
            value("--timeout", "SECONDS", "how long to wait for the answer, 1 to 3600 (default 30)")),
            true, false, (args, config) -> TopologyMove.acquire(args.path("--file"), args.value("--groups"),
            args.value("--on"), args.number("--move-id", 0, 1, Long.MAX_VALUE), args.value("--from"),
            TimeUnit.SECONDS.toNanos(args.number("--timeout", 30, 1, 3600)), System.out, System.err)),
        new Command("journal", "list the journal's recording, snapshots, positions and sizes", SMALL_HOST,
            List.of(CONFIG), true, false, (args, config) -> JournalTool.list(config, System.out)),
        new Command("journal export", "write the journaled events to a file", SMALL_HOST, List.of(
            required("--out", "FILE", "the file to write"), FORMAT, FROM, TO, JOURNAL, MAX_READ_MB, CONFIG),
            true, false, Commands::journalExport),
        new Command("replay", "what-if replay of the journal under another window/alert configuration", null, List.of(
            required("--config", "WHATIF", "the what-if configuration"),
            required("--out", "FILE", "the file to write"),
            value("--compare", "BASELINE", "replay this configuration too and write the differences (csv)"),
            FROM, TO,
            value("--keys", "K1,K2", "only these keys' events, queries and rejects"),
            flag("--event-results", "a row for every accepted event too"),
            flag("--close-open-windows", "close every window still open at the end of the range"),
            FORMAT, JOURNAL, MAX_READ_MB,
            value("--threads", "N", "threads sharing the shards (default: one per shard up to the CPUs, one beside a live daemon)")),
            true, false, Commands::replay),
        new Command("exporter", "the Prometheus endpoint as a process of its own, reading a daemon's counters " +
            "from its CnC file", SMALL_HOST, List.of(CONFIG,
            value("--dir", "DIR", "the daemon's driver directory (default: sluice.driver.dir)"),
            value("--endpoint", "HOST:PORT", "where to serve /metrics (default: sluice.metrics.endpoint)"),
            value("--parent-pid", "PID", "stop when this process ends (the daemon that started it)")),
            true, false, Commands::exporter),
        new Command("producer", "the demo producer: events at a fixed rate against a running daemon, a report " +
            "each second", SMALL_HOST, List.of(CONFIG,
            value("--rate", "N", "events per second (default 10000)"),
            value("--seconds", "N", "how long to send, warm-up included (default 10)"),
            value("--warmup-seconds", "N", "the first seconds, left out of the percentiles (default 3; in a run " +
                "shorter than 6 s, half of it)"),
            value("--keys", "N", "distinct keys (default 1000)"),
            value("--client-id", "N", "authenticate as this client of the daemon's credentials file (with " +
                "--secret-file)"),
            value("--secret-file", "FILE", "the client's secret as sluice auth add-client printed it (64 hex " +
                "digits), read from this file")),
            true, false, Commands::producer),
        new Command("bench", "the latency benchmark; --throughput, --replay and --cluster its variants (source " +
            "checkout only: bench/target/benchmarks.jar; options in docs/performance.md)", null, List.of(),
            true, true, (args, config) ->
            {
                System.err.println("sluice: bench runs from a source checkout (./sluice bench; it needs " +
                    "bench/target/benchmarks.jar and writes bench/results/): the distribution does not ship it");
                return 2;
            }),
        new Command("help", "print this overview; sluice COMMAND --help prints a command's options", null, List.of(),
            true, false, (args, config) ->
            {
                System.out.print(overview());
                return 0;
            }),
        new Command("direct-memory", "print the direct memory bytes the configuration needs (the launcher's " +
            "-XX:MaxDirectMemorySize)", SMALL_HOST, List.of(CONFIG), false, false,
            (args, config) ->
            {
                System.out.println(DaemonContext.from(config).conclude().directMemoryBytes());
                return 0;
            }));

    private Commands()
    {
    }

    /**
     * @param words the command line.
     * @return the table entry its first word (or first two, {@code journal export}) names, or null.
     */
    public static Command find(final String[] words)
    {
        if (words.length > 1)
        {
            final Command sub = find(words[0] + " " + words[1]);
            if (null != sub)
            {
                return sub;
            }
        }
        return words.length == 0 ? null : find(words[0]);
    }

    /**
     * @param name the command's name.
     * @return its table entry, or null.
     */
    public static Command find(final String name)
    {
        for (final Command command : TABLE)
        {
            if (command.name().equals(name))
            {
                return command;
            }
        }
        return null;
    }

    /**
     * @return what {@code sluice}, {@code sluice help} and {@code ./sluice} print: every listed command's synopsis
     * and summary, then what holds for all of them.
     */
    public static String overview()
    {
        final StringBuilder text = new StringBuilder("usage: sluice COMMAND [OPTIONS]\n\n");
        for (final Command command : TABLE)
        {
            if (command.listed())
            {
                text.append(command.synopsis("  ")).append('\n');
                text.append(Command.wrap("      ", List.of(command.summary().split(" ")), "      ")).append('\n');
            }
        }
        text.append('\n');
        text.append(Command.wrap("", List.of(("-Dkey=value anywhere on the line is a system property, overriding " +
            "the configuration (e.g. -Dsluice.cluster.member-id=1). Without --config: " + SMALL_HOST +
            " (demo: config/demo.properties, cluster-demo: config/cluster-node.properties). sluice COMMAND --help: " +
            "the command's options. Exit codes: 0 success, 1 any other failure (one line), 2 bad configuration or " +
            "usage (an unknown option included).").split(" ")), "")).append('\n');
        return text.toString();
    }

    private static int demo(final Arguments args, final SluiceConfig config) throws Exception
    {
        return Demo.run(args.configFile(), config, (int)args.number("--rate", 10_000, 1, 1_000_000),
            (int)args.number("--seconds", 10, 1, 3600), System.out, SluiceMain.class.getName(), SluiceMain::run);
    }

    private static int daemon(final Arguments args, final SluiceConfig config)
    {
        if (args.has("--fresh-journal"))
        {
            System.out.println(JournalTool.moveAside(config));
        }
        return SluiceMain.daemon(config, args.has("--reset-windows"));
    }

    private static int snapshot(final Arguments args, final SluiceConfig config) throws Exception
    {
        final long timeoutNs = TimeUnit.SECONDS.toNanos(Long.parseLong(args.value("--timeout", "60")));
        return config.isClustered() ? ClusterControlTool.snapshot(config, timeoutNs, System.out) :
            JournalTool.snapshot(config, timeoutNs, System.out);
    }

    private static int rulesApply(final Arguments args, final SluiceConfig config) throws Exception
    {
        final long timeoutNs = TimeUnit.SECONDS.toNanos(args.number("--timeout", 10, 1, 3600));
        final Path rules = readable("--rules", args.value("--rules"));
        if (args.has("--dry-run"))
        {
            final String from = null != args.value("--from-position") ?
                Long.toString(args.number("--from-position", 0, 0, Long.MAX_VALUE)) :
                RulesTool.since(args.value("--since", "10m"));
            return RulesTool.dryRun(args.configFile(), config, RulesTool.validate(rules, config), from, System.out);
        }
        return RulesTool.apply(config, RulesTool.validate(rules, config), rules, timeoutNs, System.out);
    }

    private static int clusterDemo(final Arguments args, final SluiceConfig config) throws Exception
    {
        final Path configFile = args.configFile();
        if (null == configFile || !config.isClustered())
        {
            throw new ConfigurationException("--config", String.valueOf(configFile),
                "must be a cluster profile such as config/cluster-node.properties");
        }
        return ClusterDemo.run(new File(SluiceMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
            configFile, (int)args.number("--rate", 10_000, 1, 1_000_000), (int)args.number("--seconds", 20, 8, 3600),
            System.out);
    }

    private static int journalExport(final Arguments args, final SluiceConfig config) throws Exception
    {
        final Path out = args.path("--out");
        JournalExport.export(journalDir(args, config), config.driverDir(), args.value("--from"), args.value("--to"),
            out, WhatIfReplay.format(args.value("--format"), out), maxReadMib(args), System.out);
        return 0;
    }

    private static int replay(final Arguments args, final SluiceConfig whatIf) throws Exception
    {
        final Path out = args.path("--out");
        final String compare = args.value("--compare");
        final SluiceConfig baseline = null == compare ? null : SluiceConfig.load(readable("--compare", compare),
            System.getProperties());
        final WhatIfReplay.Request request = new WhatIfReplay.Request(whatIf, baseline, journalDir(args, whatIf),
            whatIf.driverDir(), args.value("--from"), args.value("--to"), keys(args.value("--keys")), out,
            WhatIfReplay.format(args.value("--format"), out), args.has("--event-results"),
            args.has("--close-open-windows"), maxReadMib(args), (int)args.number("--threads", -1, 1, 4096));
        if (null != baseline && ReplayOutput.Format.CSV != request.format())
        {
            throw new ConfigurationException("--format", request.format().name().toLowerCase(Locale.ROOT),
                "must be csv with --compare: the differences are written as CSV");
        }
        WhatIfReplay.run(request, System.out);
        return 0;
    }

    private static int exporter(final Arguments args, final SluiceConfig config) throws Exception
    {
        return MetricsExporter.run(args.value("--dir", config.driverDir()),
            args.value("--endpoint", config.metricsEndpoint()), args.number("--parent-pid", 0, 0, Long.MAX_VALUE),
            System.out);
    }

    private static int producer(final Arguments args, final SluiceConfig config) throws Exception
    {
        final int seconds = Integer.parseInt(args.value("--seconds", "10"));
        final SluiceClient.Context ctx =
            SluiceMain.clientContextFor(config).embeddedDriver(true).driverThreading(DriverThreading.INVOKER);
        if (args.has("--client-id") != args.has("--secret-file"))
        {
            throw new UsageException("sluice producer: --client-id and --secret-file go together (an " +
                "authenticating client needs both)");
        }
        if (args.has("--client-id"))
        {
            final long clientId = args.number("--client-id", 0, Long.MIN_VALUE, Long.MAX_VALUE);
            if (0 == clientId)
            {
                throw new ConfigurationException("--client-id", "0", "is not a client id (0 means none)");
            }
            ctx.clientId(clientId).secretFile(readable("--secret-file", args.value("--secret-file")));
        }
        return DemoProducer.run(
            ctx,
            Integer.parseInt(args.value("--rate", "10000")),
            seconds,
            (int)args.number("--warmup-seconds", DemoProducer.defaultWarmupSeconds(seconds), 0,
                Math.max(0, seconds - 1)),
            Integer.parseInt(args.value("--keys", "1000")),
            DemoProducer.CONNECT_TIMEOUT_SECONDS,
            System.out);
    }

    /**
     * @return {@code --max-read-mb}: MiB/s, 0 for no bound, -1 (absent) for the default.
     */
    private static long maxReadMib(final Arguments args)
    {
        return args.number("--max-read-mb", -1, 0, 1024 * 1024);
    }

    private static Path journalDir(final Arguments args, final SluiceConfig config)
    {
        return Paths.get(args.value("--journal", config.journalDir()));
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
}
