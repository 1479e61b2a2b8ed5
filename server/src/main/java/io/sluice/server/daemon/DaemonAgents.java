package io.sluice.server.daemon;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.sluice.config.JournalMode;
import io.sluice.config.SluiceConfig;
import io.sluice.config.ThreadingMode;
import io.sluice.core.shard.CpuPin;
import io.sluice.core.shard.ProcessorGroup;
import io.sluice.server.counters.SluiceCounters;
import io.sluice.driver.IdleStrategies;
import io.sluice.server.ingress.IngressAgent;
import io.sluice.server.journal.Journal;
import io.sluice.server.journal.Journaller;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's own thread: one agent runner whose composite runs, in order, the pinning, the embedded driver's
 * and the Aeron client's duty cycles (driver in INVOKER mode), the rule swap agent ({@code sluice rules apply}),
 * the topology agent ({@code sluice topology move}'s steps), the ingress, and in the shared layout every processor, measured by a {@link DutyCycleAgent}. With the journal on, the snapshot trigger runs before the
 * ingress (it puts the run's START entry into the ring before any input), and the journaller, the Archive's duty
 * cycle (INVOKER mode) and the journaller's acknowledgement of what the Archive recorded run after it. In async
 * mode the processors come before the journal's steps (their results do not wait for the journal write); in sync
 * mode after them, so a result can leave in the same cycle its entry was recorded. Its name is {@code sluice-shared} in the shared layout and
 * {@code sluice-ingress} in the dedicated one (where each processor has its own thread).
 */
final class DaemonAgents
{
    private DaemonAgents()
    {
    }

    static AgentRunner runner(
        final SluiceConfig config,
        final AgentInvoker driverInvoker,
        final Aeron aeron,
        final IngressAgent ingress,
        final ProcessorGroup group,
        final Journal journal,
        final Agent rules,
        final Agent topology,
        final SluiceCounters counters,
        final ErrorHandler errorHandler,
        final PrintStream out)
    {
        final boolean shared = ThreadingMode.SHARED == config.threading();
        final List<Agent> agents = new ArrayList<>();
        agents.add(new PinAgent(new CpuPin(config.ingressCpu(), out)));
        if (null != driverInvoker)
        {
            agents.add(new InvokerAgent(driverInvoker, "sluice-driver"));
            agents.add(new InvokerAgent(aeron.conductorAgentInvoker(), "sluice-aeron-client"));
        }
        if (null != journal)
        {
            agents.add(journal.trigger());
        }
        agents.add(rules);
        agents.add(topology);
        agents.add(ingress);
        final boolean sync = null != journal && JournalMode.SYNC == journal.mode();
        if (shared && !sync)
        {
            agents.add(group.pollAgent());
            if (null != journal && null != driverInvoker)
            {
                // async: send the results now, before the journal's write, not at the top of the next cycle
                agents.add(new InvokerAgent(driverInvoker, "sluice-driver-send"));
            }
        }
        if (null != journal)
        {
            agents.add(journal.journaller());
            if (null != journal.archiveInvoker())
            {
                agents.add(new ArchiveAgent(journal.archiveInvoker(), journal.journaller(), new SystemNanoClock()));
                agents.add(new AcknowledgeAgent(journal.journaller()));
            }
        }
        if (shared && sync)
        {
            agents.add(group.pollAgent());
        }
        final String roleName = shared ? "sluice-shared" : "sluice-ingress";
        final Counter[] dutyCycle = counters.agent(aeron, roleName);
        final Agent agent = new DutyCycleAgent(new NamedAgent(roleName, new CompositeAgent(agents)),
            new SystemNanoClock(), config.agentStallThresholdNs(), dutyCycle[0], dutyCycle[1]);
        return new AgentRunner(IdleStrategies.create(config.ingressIdleStrategy()), errorHandler, null, agent);
    }

    /**
     * Gives a composite the thread name the start-up summary uses.
     */
    static final class NamedAgent implements Agent
    {
        private final String roleName;
        private final Agent delegate;

        NamedAgent(final String roleName, final Agent delegate)
        {
            this.roleName = roleName;
            this.delegate = delegate;
        }

        public void onStart()
        {
            delegate.onStart();
        }

        public int doWork() throws Exception
        {
            return delegate.doWork();
        }

        public void onClose()
        {
            delegate.onClose();
        }

        public String roleName()
        {
            return roleName;
        }
    }

    /**
     * Pins the thread that runs it, first thing in its composite.
     */
    static final class PinAgent implements Agent
    {
        private final CpuPin pin;

        PinAgent(final CpuPin pin)
        {
            this.pin = pin;
        }

        public void onStart()
        {
            pin.pin();
        }

        public void onClose()
        {
            pin.release();
        }

        public int doWork()
        {
            return 0;
        }

        public String roleName()
        {
            return "sluice-pin";
        }
    }

    /**
     * Runs the Archive's duty cycle (INVOKER mode) when it has something to record, and at least once a millisecond
     * for its housekeeping (control sessions, mark file): an idle cycle of the daemon's thread then costs no Archive
     * cycle.
     */
    static final class ArchiveAgent implements Agent
    {
        private static final long HOUSEKEEPING_INTERVAL_NS = 1_000_000;

        private final AgentInvoker invoker;
        private final Journaller journaller;
        private final NanoClock clock;
        private long lastInvokeNs;

        ArchiveAgent(final AgentInvoker invoker, final Journaller journaller, final NanoClock clock)
        {
            this.invoker = invoker;
            this.journaller = journaller;
            this.clock = clock;
        }

        public int doWork()
        {
            final long nowNs = clock.nanoTime();
            if (journaller.hasUnrecorded() || nowNs - lastInvokeNs >= HOUSEKEEPING_INTERVAL_NS)
            {
                lastInvokeNs = nowNs;
                return invoker.invoke();
            }
            return 0;
        }

        public String roleName()
        {
            return "sluice-archive";
        }
    }

    /**
     * Moves the journal's recorded sequence right after the Archive's duty cycle.
     */
    static final class AcknowledgeAgent implements Agent
    {
        private final Journaller journaller;

        AcknowledgeAgent(final Journaller journaller)
        {
            this.journaller = journaller;
        }

        public int doWork()
        {
            return journaller.acknowledge();
        }

        public String roleName()
        {
            return "sluice-journal-recorded";
        }
    }

    /**
     * Runs an invoker-mode duty cycle (the embedded driver's, the Aeron client conductor's) as part of a composite.
     */
    static final class InvokerAgent implements Agent
    {
        private final AgentInvoker invoker;
        private final String roleName;

        InvokerAgent(final AgentInvoker invoker, final String roleName)
        {
            this.invoker = invoker;
            this.roleName = roleName;
        }

        public int doWork()
        {
            return invoker.invoke();
        }

        public String roleName()
        {
            return roleName;
        }
    }
}
