package io.sluice.systemtest;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No hand-written source file of any module, main or test, is much longer than 600 lines: none is over
 * {@value #MAX_LINES}. A class that grows past that holds more than one idea and is split along its seams.
 * Generated code (the SBE codecs, JMH's generated classes) lies under {@code target/} and is not read.
 */
class SourceSizeTest
{
    static final int MAX_LINES = 650;

    @Test
    void shouldKeepEverySourceFileWithinTheLimit() throws IOException
    {
        final Path root = Path.of("..").toAbsolutePath().normalize();
        final Map<String, Long> tooLong = new TreeMap<>();
        final int[] read = new int[1];
        try (Stream<Path> modules = Files.list(root))
        {
            for (final Path module : modules.filter((dir) -> Files.isDirectory(dir.resolve("src"))).collect(
                Collectors.toList()))
            {
                try (Stream<Path> files = Files.walk(module.resolve("src")))
                {
                    for (final Path file : files.filter((f) -> f.toString().endsWith(".java")).collect(
                        Collectors.toList()))
                    {
                        read[0]++;
                        final long lines;
                        try (Stream<String> text = Files.lines(file))
                        {
                            lines = text.count();
                        }
                        if (lines > MAX_LINES)
                        {
                            tooLong.put(root.relativize(file).toString(), lines);
                        }
                    }
                }
            }
        }
        assertTrue(read[0] > 200, "source files read under " + root + ": " + read[0]);
        assertEquals(Map.of(), tooLong, "source files over " + MAX_LINES + " lines");
    }
}
