package io.sluice.tools;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.sluice.client.SluiceClient;
import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.server.cluster.ClusterNode;
import io.sluice.server.daemon.DaemonContext;
import io.sluice.server.daemon.SluiceDaemon;
import io.sluice.server.signal.TerminationSignal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Command-line entry point of the appliance: finds the command in {@link Commands#TABLE}, checks the command line
 * against the command's options ({@link Arguments}), loads the configuration and runs the command.
 * {@code sluice help} (or no command) prints every command ({@link Commands#overview()}), {@code sluice COMMAND
 * --help} one command's options ({@link Command#usage()}).
 * With {@code sluice.cluster.members} set, {@code daemon} runs a cluster node ({@link ClusterNode}) and
 * {@code snapshot} asks the node (it must be the leader) for a cluster snapshot.
 * <p>
 * Exit codes: 0 success (a command's {@code --help} and {@code help} included), 1 any other failure (printed in
 * one line), 2 bad configuration or usage: an unknown command or option, a missing value (printed in one line,
 * naming it) or no command (the overview, on standard error).
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
            System.err.print(Commands.overview());
            return 2;
        }
        final Command command = Commands.find(args);
        if (null == command)
        {
            System.err.println("sluice: unknown command " + args[0] + " (sluice help: the commands)");
            return 2;
        }
        try
        {
            final Arguments arguments = Arguments.parse(command, args);
            if (arguments.help())
            {
                System.out.print(command.usage());
                return 0;
            }
            final Path configFile = arguments.configFile();
            if (null != configFile && !Files.isReadable(configFile))
            {
                System.err.println("sluice: --config " + configFile + ": no such readable file");
                return 2;
            }
            return command.handler().run(arguments, SluiceConfig.load(configFile, System.getProperties()));
        }
        catch (final UsageException ex)
        {
            System.err.println(ex.getMessage());
            return 2;
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

    /**
     * Run the daemon, or a cluster node, until SIGTERM/SIGINT.
     *
     * @param config       its configuration.
     * @param resetWindows {@code --reset-windows}: a window change without history starts the windows empty.
     * @return the exit code.
     */
    static int daemon(final SluiceConfig config, final boolean resetWindows)
    {
        if (config.isClustered())
        {
            return clusterNode(config);
        }
        final TerminationSignal signal = new TerminationSignal();
        final DaemonContext ctx = DaemonContext.from(config).out(System.out);
        ctx.journal().resetWindows(resetWindows);
        try (SluiceDaemon daemon = SluiceDaemon.start(ctx))
        {
            final String name = signal.await(100, () ->
            {
                daemon.updateJvmCounters();
                return daemon.stopRequested();
            });
            System.out.println(null == name ? "sluice: shutdown requested by an admin client, draining" :
                "sluice: SIG" + name + " received, draining");
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
}
