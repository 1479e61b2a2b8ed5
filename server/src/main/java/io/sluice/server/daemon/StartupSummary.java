package io.sluice.server.daemon;

import io.aeron.ChannelUri;
import io.aeron.driver.MediaDriver;
import io.sluice.config.DriverThreading;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ring.SluiceRing;
import io.sluice.server.journal.Journal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The text a daemon prints when it starts: what it listens on, where, and how its threads are laid out.
 */
final class StartupSummary
{
    private StartupSummary()
    {
    }

    static String render(
        final SluiceConfig config,
        final MediaDriver driver,
        final SluiceRing ring,
        final boolean shared,
        final long hashSeed,
        final Journal journal)
    {
        final StringBuilder b = new StringBuilder(1024);
        b.append("sluice ").append(SluiceDaemon.VERSION).append(" starting\n");
        b.append("  ingress   ").append(config.ingressChannel()).append(" stream ").append(config.ingressStreamId())
            .append("  [").append(exposure(config.ingressChannel())).append("]\n");
        b.append("  egress    ").append(config.egressChannel()).append(" stream ").append(config.egressStreamId())
            .append("  [").append(exposure(config.egressChannel())).append("]\n");
        b.append("  driver    ").append(null == driver ? "external" : "embedded, " +
            config.driverThreading().name().toLowerCase()).append(", dir ").append(config.driverDir()).append('\n');
        b.append("  ring      ").append(ring.length()).append(" entries x ").append(ring.slotLength())
            .append(" B slots (").append((long)ring.length() * ring.slotLength() / 1024).append(" KiB off-heap)\n");
        b.append("  state     ").append(config.processorCount()).append(" processor(s) x ")
            .append(config.stateCapacity()).append(" keys; hash seed ")
            .append(String.format("0x%016x", hashSeed)).append(" (").append(SluiceConfig.HASH_SEED)
            .append(null != journal && null != journal.recovery().journal() && config.hashSeedDrawn() ?
                ", adopted from the journal" : ", to reproduce a run")
            .append(")\n");
        if (null == journal)
        {
            b.append("  journal   off (a restart starts empty)\n");
        }
        else
        {
            b.append("  journal   ").append(lower(journal.mode())).append(", ").append(journal.dir())
                .append(", file sync ").append(config.journalFileSync()).append(", snapshots ")
                .append(0 == config.snapshotIntervalNs() ? "on request and at stop" :
                "every " + config.snapshotIntervalNs() / 1_000_000 + " ms").append(", keep ")
                .append(config.snapshotRetain()).append('\n');
            b.append("  recovered ").append(journal.recovery().describe()).append('\n');
            final String rescale = journal.recovery().describeRescale();
            if (null != rescale)
            {
                b.append("  ").append(rescale).append('\n');
            }
            if (null != journal.windowChange())
            {
                b.append("  rebuilt   ").append(journal.windowChange()).append('\n');
            }
        }
        if (config.windowType() != io.sluice.config.WindowType.NONE)
        {
            b.append("  windows   ").append(config.windowType().name().toLowerCase()).append(", size ")
                .append(config.windowSizeNs() / 1_000_000.0).append(" ms, slide ").append(config.windowSlideNs() / 1_000_000.0)
                .append(" ms, allowed lateness ").append(config.allowedLatenessNs() / 1_000_000.0).append(" ms, idle advance ")
                .append(config.idleAdvanceNs() == 0 ? "off" : config.idleAdvanceNs() / 1_000_000.0 + " ms")
                .append(", eviction ").append(config.evictAfterWindows() == 0 ? "off" :
                "after " + config.evictAfterWindows() + " quiet windows").append('\n');
        }
        else
        {
            b.append("  windows   none (running aggregates per key)\n");
        }
        b.append("  alerts    ").append(config.alertRules().isEmpty() ? "none" : config.alertRules().size() + " rule(s)")
            .append(" in the configuration file").append(null == journal ? "" : " (the rules line says which are in force)")
            .append('\n');
        config.alertRules().forEach((rule) -> b.append("    ").append(rule.name()).append(": on ")
            .append(rule.on().name().toLowerCase()).append(", ").append(rule.field().name().toLowerCase()).append(' ')
            .append(rule.op().symbol()).append(' ').append(rule.threshold()).append('\n'));
        b.append("  threads   (").append(config.threading().name().toLowerCase()).append(" layout, ")
            .append(Runtime.getRuntime().availableProcessors()).append(" CPUs available)\n");

        final boolean invoker = null != driver && DriverThreading.INVOKER == config.driverThreading();
        final String ingressIdle = lower(config.ingressIdleStrategy());
        final String ingressCpu = cpu(config.ingressCpu());
        if (shared)
        {
            b.append("    sluice-shared      ").append(invoker ? "driver + client conductor + " : "")
                .append(null == journal ? "" : invoker ? "archive + journaller + " : "journaller + ")
                .append("ingress + ").append(config.processorCount()).append(" processor poller(s); idle ")
                .append(ingressIdle).append("; ").append(ingressCpu).append('\n');
        }
        else
        {
            b.append("    sluice-ingress     ").append(invoker ? "driver + client conductor + " : "")
                .append(null == journal ? "" : invoker ? "archive + journaller + " : "journaller + ").append("ingress; idle ")
                .append(ingressIdle).append("; ").append(ingressCpu).append('\n');
            final int[] cpus = config.processorCpus();
            for (int i = 0; i < config.processorCount(); i++)
            {
                b.append("    sluice-processor-").append(i).append(" shard ").append(i).append("; wait ")
                    .append(lower(config.processorWaitStrategy())).append("; ")
                    .append(cpu(cpus.length == 0 ? -1 : cpus[i])).append('\n');
            }
        }
        if (null != driver && !invoker)
        {
            b.append("    aeron driver       ").append(lower(config.driverThreading())).append(" thread(s); idle ")
                .append(lower(config.driverIdleStrategy())).append("; not pinned\n");
        }
        if (!invoker)
        {
            b.append("    aeron client       conductor thread; sleeping; not pinned\n");
        }
        if (null != journal && null == journal.archiveInvoker())
        {
            b.append("    aeron archive      shared thread; idle ").append(lower(config.driverIdleStrategy()))
                .append("; not pinned\n");
        }
        if (null != journal)
        {
            b.append("    sluice-snapshot-writer  writes snapshot sets; sleeping; not pinned\n");
        }
        return b.toString();
    }

    private static String cpu(final int cpu)
    {
        return cpu < 0 ? "not pinned" : "to be pinned to CPU " + cpu + " (each thread reports at start)";
    }

    private static String lower(final Enum<?> value)
    {
        return value.name().toLowerCase().replace('_', '-');
    }

    static String exposure(final String channel)
    {
        if (channel.startsWith("aeron:ipc"))
        {
            return "IPC, this host only";
        }
        final ChannelUri uri = ChannelUri.parse(channel);
        final String address = null != uri.get("endpoint") ? uri.get("endpoint") : uri.get("control");
        if (null == address)
        {
            return "no endpoint";
        }
        final String host = address.substring(0, address.lastIndexOf(':'));
        try
        {
            final InetAddress inet = InetAddress.getByName(host);
            if (inet.isLoopbackAddress())
            {
                return "loopback only: " + address;
            }
            return "OPEN on " + (inet.isAnyLocalAddress() ? "ALL interfaces" : "interface " + inet.getHostAddress()) +
                ": " + address;
        }
        catch (final UnknownHostException ex)
        {
            return "unresolved host " + host;
        }
    }
}
