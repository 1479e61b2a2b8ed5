package io.sluice.systemtest;

import io.sluice.client.SluiceClient;
import io.sluice.config.SluiceConfig;
import io.sluice.core.ring.SluiceRing;
import io.sluice.driver.EmbeddedDriver;
import io.sluice.server.daemon.SluiceDaemon;
import io.sluice.tools.SluiceMain;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No package of any module ({@code config}, {@code core}, {@code driver}, {@code client}, {@code server},
 * {@code tools}) depends on itself through others: the compiled
 * classes are read with the JDK's {@code jdeps} (package level) and every strongly connected set of more than one
 * package is a failure, named. The generated SBE codecs are left out as targets: every layer may use the contract.
 */
class PackageCyclesTest
{
    @Test
    void shouldHaveNoPackageCycleInAnyModule() throws Exception
    {
        final ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(
            () -> new AssertionError("the JDK's jdeps tool is needed to check package cycles"));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-q",
            "--multi-release", "17", location(SluiceConfig.class), location(SluiceRing.class), location(EmbeddedDriver.class),
            location(SluiceClient.class), location(SluiceDaemon.class), location(SluiceMain.class));
        assertEquals(0, exit, err.toString());

        final Map<String, Set<String>> graph = new TreeMap<>();
        for (final String line : out.toString().split("\n"))
        {
            final String[] parts = line.trim().split("\\s+");
            if (parts.length >= 3 && "->".equals(parts[1]) && parts[0].startsWith("io.sluice") &&
                parts[2].startsWith("io.sluice") && !parts[0].equals(parts[2]) && !parts[2].contains(".codec"))
            {
                graph.computeIfAbsent(parts[0], (k) -> new TreeSet<>()).add(parts[2]);
            }
        }
        assertTrue(graph.size() > 20, "packages read: " + graph.keySet());
        assertEquals(List.of(), cycles(graph), "package cycles");
    }

    @Test
    void shouldFindACycleWhereThereIsOne()
    {
        final Map<String, Set<String>> graph = new TreeMap<>();
        graph.put("a", Set.of("b"));
        graph.put("b", Set.of("c"));
        graph.put("c", Set.of("a", "d"));
        graph.put("d", Set.of());
        assertEquals(List.of(List.of("a", "b", "c")), cycles(graph));
    }

    private static String location(final Class<?> type) throws URISyntaxException
    {
        return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getAbsolutePath();
    }

    /**
     * @return every strongly connected set of more than one package (Tarjan), each sorted.
     */
    static List<List<String>> cycles(final Map<String, Set<String>> graph)
    {
        final Map<String, Integer> index = new HashMap<>();
        final Map<String, Integer> low = new HashMap<>();
        final Deque<String> stack = new ArrayDeque<>();
        final Set<String> onStack = new TreeSet<>();
        final List<List<String>> found = new ArrayList<>();
        for (final String node : graph.keySet())
        {
            if (!index.containsKey(node))
            {
                connect(node, graph, index, low, stack, onStack, found);
            }
        }
        return found;
    }

    private static void connect(
        final String node,
        final Map<String, Set<String>> graph,
        final Map<String, Integer> index,
        final Map<String, Integer> low,
        final Deque<String> stack,
        final Set<String> onStack,
        final List<List<String>> found)
    {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        for (final String next : graph.getOrDefault(node, Set.of()))
        {
            if (!index.containsKey(next))
            {
                connect(next, graph, index, low, stack, onStack, found);
                low.put(node, Math.min(low.get(node), low.get(next)));
            }
            else if (onStack.contains(next))
            {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node)))
        {
            final List<String> component = new ArrayList<>();
            String member;
            do
            {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            }
            while (!member.equals(node));
            if (component.size() > 1)
            {
                component.sort(String::compareTo);
                found.add(component);
            }
        }
    }
}
