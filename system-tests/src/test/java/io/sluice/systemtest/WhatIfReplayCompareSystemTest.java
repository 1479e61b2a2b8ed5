package io.sluice.systemtest;

import io.sluice.config.SluiceConfig;
import io.sluice.transport.codec.WindowResultDecoder;
import io.sluice.tools.replay.ReplayOutput;
import io.sluice.tools.replay.WhatIfReplay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice replay --compare}: a what-if threshold, lateness, window sizes or no windows against the recorded
 * run report exactly the differences the script makes. The scripted run and its helpers: {@link WhatIfReplayScript}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WhatIfReplayCompareSystemTest extends WhatIfReplayScript
{
    @Test
    @Timeout(60)
    void shouldReportExactlyTheAlertsAThresholdChangeMakes() throws IOException
    {
        final Path out = dir.resolve("threshold.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final WhatIfReplay.Result result = WhatIfReplay.run(new WhatIfReplay.Request(
            config(Map.of("sluice.alert.hot.threshold", "108")), config(Map.of()), journalDir, driverDir, null, null,
            null, out, ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        assertEquals(SCRIPT.length - 1, result.events(), "every journaled event (the NaN one is a reject entry)");
        assertEquals(List.of(
            "windows: 7 equal, 0 differ, 0 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 2, baseline 4; 0 only in what-if, 2 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 0"), summary(log));
        assertEquals(List.of(
            "only,baseline,alert,1," + T0 + ",,1,,,,,,hot,,,,,,,,,,",
            "only,baseline,alert,2," + T0 + ",,1,,,,,,hot,,,,,,,,,,"), rows(out));
    }

    @Test
    @Timeout(60)
    void shouldReportExactlyTheWindowsAndRejectsALatenessChangeMakes() throws IOException
    {
        final Path out = dir.resolve("lateness.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(
            config(Map.of(SluiceConfig.WINDOW_ALLOWED_LATENESS, "40ms")), config(Map.of()), journalDir, driverDir,
            null, null, null, out, ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        assertEquals(List.of(
            "windows: 5 equal, 2 differ, 0 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 4, baseline 4; 0 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 2"), summary(log));
        final long w0 = T0;
        final long w1 = T0 + 100 * MS;
        final long w2 = T0 + 200 * MS;
        final String none = ",,,,,,,,,,,";
        assertEquals(sortedList(List.of(
            "differs,baseline,window,1," + w1 + "," + w2 + ",1,100.0,100.0,100.0,100.0,100.0" + none,
            "differs,baseline,window,2," + w0 + "," + w1 + ",2,207.0,101.0,106.0,106.0,101.0" + none,
            "differs,what-if,window,1," + w1 + "," + w2 + ",2,200.0,100.0,100.0,100.0,100.0" + none,
            "differs,what-if,window,2," + w0 + "," + w1 + ",3,309.0,101.0,106.0,106.0,102.0" + none,
            "only,baseline,reject,1,,,,,,,,,,,,,," + clientId + "," + correlationIds[14] + ",,LATE,2,",
            "only,baseline,reject,2,,,,,,,,,,,,,," + clientId + "," + correlationIds[9] + ",,LATE,1,")), rows(out));
    }

    /**
     * A run without windows produces none: every window the other run closes is "only in" that run as soon as it
     * closes, and nothing is left "not compared" at the end, whichever side has the windows.
     */
    @Test
    @Timeout(60)
    void shouldReportEveryWindowOfTheWindowedRunAsOnlyInItAgainstARunWithoutWindows() throws IOException
    {
        final Path out = dir.resolve("windowed-vs-none.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(config(Map.of()), windowless(journalDir), journalDir, driverDir,
            null, null, null, out, ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        assertEquals(List.of(
            "windows: 0 equal, 0 differ, 7 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 4, baseline 0; 4 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3"), summary(log));
        assertEquals(sortedList(onlyRows("what-if", closedWindows(), clientId, correlationIds)), rows(out));

        final Path reverse = dir.resolve("none-vs-windowed.csv");
        final ByteArrayOutputStream reverseLog = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(windowless(journalDir), config(Map.of()), journalDir, driverDir,
            null, null, null, reverse, ReplayOutput.Format.CSV, false, true, -1, -1),
            new PrintStream(reverseLog, true));
        assertEquals(List.of(
            "windows: 0 equal, 0 differ, 0 only in what-if, 10 only in baseline",
            "alerts of rule hot: what-if 0, baseline 6; 0 only in what-if, 6 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3"), summary(reverseLog));
        assertEquals(sortedList(onlyRows("baseline", allWindows(), clientId, correlationIds)), rows(reverse));
    }

    /**
     * The case as a user meets it: a daemon without windows wrote the journal (so it holds no ticks), and the
     * what-if run adds windows and a window alert. Both directions, with {@code --close-open-windows}.
     */
    @Test
    @Timeout(60)
    void shouldReportEveryWindowAsOnlyInTheWindowedRunOverAJournalWrittenWithoutWindows() throws IOException
    {
        final Path windowlessJournal = dir.resolve("windowless-journal");
        final long[] ids = new long[SCRIPT.length];
        final long client;
        try (TestDaemon daemon = journaled(new TestDaemon(), windowlessProperties(windowlessJournal))
            .start();
            LiveRun run = new LiveRun(daemon))
        {
            client = run.client.clientId();
            for (int i = 0; i < SCRIPT.length; i++)
            {
                ids[i] = run.offerEvent(SCRIPT[i][0], T0 + SCRIPT[i][1] * MS, VALUES[i]);
            }
            run.pollUntil((messages) -> answersTo(messages, client) == SCRIPT.length);
            assertEquals(0, run.messages.stream().filter((m) -> WindowResultDecoder.TEMPLATE_ID == m.templateId())
                .count(), "no windows live");
        }
        final SluiceConfig none = windowless(windowlessJournal);
        final SluiceConfig windowed = SluiceConfig.of(properties(windowlessJournal, Map.of()));

        final Path out = dir.resolve("windowless-journal-windowed.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(windowed, none, windowlessJournal, driverDir, null, null, null, out,
            ReplayOutput.Format.CSV, false, true, -1, -1), new PrintStream(log, true));
        assertEquals(List.of(
            "windows: 0 equal, 0 differ, 10 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 6, baseline 0; 6 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3"), summary(log));
        assertEquals(sortedList(onlyRows("what-if", allWindows(), client, ids)), rows(out));

        final Path reverse = dir.resolve("windowless-journal-none.csv");
        final ByteArrayOutputStream reverseLog = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(none, windowed, windowlessJournal, driverDir, null, null, null,
            reverse, ReplayOutput.Format.CSV, false, true, -1, -1), new PrintStream(reverseLog, true));
        assertEquals(List.of(
            "windows: 0 equal, 0 differ, 0 only in what-if, 10 only in baseline",
            "alerts of rule hot: what-if 0, baseline 6; 0 only in what-if, 6 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3"), summary(reverseLog));
        assertEquals(sortedList(onlyRows("baseline", allWindows(), client, ids)), rows(reverse));
    }

    /**
     * With {@code --close-open-windows} every window of both runs is closed at the end, so every one is compared,
     * even when the runs' windows end at different times (200 ms windows against 100 ms: the 200 ms run's last
     * windows end after the 100 ms run's last watermark), and nothing is reported "not compared".
     */
    @Test
    @Timeout(60)
    void shouldCompareEveryWindowOfRunsWithOtherWindowSizesWhenClosingOpenWindows() throws IOException
    {
        final Path out = dir.resolve("sizes.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(config(Map.of(SluiceConfig.WINDOW_SIZE, "200ms")),
            config(Map.of()), journalDir, driverDir, null, null, null, out, ReplayOutput.Format.CSV, false, true, -1,
            -1), new PrintStream(log, true));
        assertEquals(List.of(
            "windows: 0 equal, 0 differ, 7 only in what-if, 10 only in baseline",
            "alerts of rule hot: what-if 6, baseline 6; 0 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 2"), summary(log));
        final List<String> expected = new ArrayList<>();
        for (final String window : allWindows())
        {
            expected.add("only,baseline," + window);
        }
        for (final String window : List.of(
            "1,0,200,4,406.0,99.0,107.0,100.0,100.0",
            "2,0,200,3,309.0,101.0,106.0,106.0,102.0",
            "3,0,200,2,213.0,104.0,109.0,109.0,104.0",
            "4,0,200,2,263.0,103.0,160.0,160.0,103.0",
            "2,200,400,1,105.0,105.0,105.0,105.0,105.0",
            "3,200,400,1,108.0,108.0,108.0,108.0,108.0",
            "4,200,400,1,110.0,110.0,110.0,110.0,110.0"))
        {
            expected.add("only,what-if," + windowRow(window));
        }
        expected.add("only,baseline,reject,2,,,,,,,,,,,,,," + clientId + "," + correlationIds[9] + ",,LATE,1,");
        expected.add("only,baseline,reject,1,,,,,,,,,,,,,," + clientId + "," + correlationIds[11] + ",,LATE,3,");
        assertEquals(sortedList(expected), rows(out));
    }

    /**
     * Without {@code --close-open-windows}, a window one run closed while the other's watermark had not reached its
     * end is counted as not compared, and the hint names the option; with it, every window is compared. No lateness
     * against 60 ms: the first run's watermark ends at 250 ms (it closed [100,200) of keys 1, 3 and 4), the second's
     * at 190 ms; the second takes events 10, 12 and 15, which the first finds LATE.
     */
    @Test
    @Timeout(60)
    void shouldCountWindowsTheOtherRunHadNotReachedAsNotComparedUnlessClosingOpenWindows() throws IOException
    {
        final SluiceConfig early = config(Map.of(SluiceConfig.WINDOW_ALLOWED_LATENESS, "0ms"));
        final SluiceConfig late = config(Map.of(SluiceConfig.WINDOW_ALLOWED_LATENESS, "60ms"));
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(early, late, journalDir, driverDir, null, null, null,
            dir.resolve("open.csv"), ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        assertEquals(List.of(
            "windows: 2 equal, 2 differ, 0 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 4, baseline 4; 0 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3",
            "not compared, the other run's watermark had not reached their end: 3 windows closed only in what-if, " +
                "0 only in baseline, 0 alerts of such windows (--close-open-windows closes every window at the end " +
                "and compares them all)"), summary(log));

        final Path out = dir.resolve("all-closed.csv");
        final ByteArrayOutputStream closedLog = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(early, late, journalDir, driverDir, null, null, null, out,
            ReplayOutput.Format.CSV, false, true, -1, -1), new PrintStream(closedLog, true));
        assertEquals(List.of(
            "windows: 7 equal, 3 differ, 0 only in what-if, 0 only in baseline",
            "alerts of rule hot: what-if 6, baseline 6; 0 only in what-if, 0 only in baseline",
            "alerts of rule spike: what-if 1, baseline 1; 0 only in what-if, 0 only in baseline",
            "events rejected differently: 3"), summary(closedLog));
        assertEquals(sortedList(List.of(
            "differs,what-if," + windowRow("1,0,100,2,207.0,100.0,107.0,100.0,107.0"),
            "differs,baseline," + windowRow("1,0,100,3,306.0,99.0,107.0,100.0,99.0"),
            "differs,what-if," + windowRow("2,0,100,2,207.0,101.0,106.0,106.0,101.0"),
            "differs,baseline," + windowRow("2,0,100,3,309.0,101.0,106.0,106.0,102.0"),
            "differs,what-if," + windowRow("1,100,200,1,100.0,100.0,100.0,100.0,100.0"),
            "differs,baseline," + windowRow("1,100,200,2,200.0,100.0,100.0,100.0,100.0"),
            "only,what-if,reject,2,,,,,,,,,,,,,," + clientId + "," + correlationIds[9] + ",,LATE,1,",
            "only,what-if,reject,1,,,,,,,,,,,,,," + clientId + "," + correlationIds[11] + ",,LATE,3,",
            "only,what-if,reject,1,,,,,,,,,,,,,," + clientId + "," + correlationIds[14] + ",,LATE,2,")), rows(out));
    }

    /**
     * A run without windows has no window to leave open: its summary does not send the user to
     * {@code --close-open-windows}.
     */
    @Test
    @Timeout(60)
    void shouldNotSpeakOfOpenWindowsAfterARunWithoutWindows()
    {
        final Path out = dir.resolve("windowless.csv");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        WhatIfReplay.run(new WhatIfReplay.Request(windowless(journalDir), null, journalDir, driverDir, null, null,
            null, out, ReplayOutput.Format.CSV, false, false, -1, -1), new PrintStream(log, true));
        final String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("sluice replay: wrote 0 window results, 1 alerts, "), text);
        assertTrue(text.contains(", rejects: INVALID_VALUE 1 to " + out + " (csv)\n"), text);
        assertTrue(!text.contains("--close-open-windows"), text);
    }

    /**
     * @return the windows closed while the script ran (100 ms windows, 20 ms allowed lateness), as CSV columns from
     * key to last (times as ms after {@code T0}).
     */
    private static List<String> closedWindows()
    {
        return List.of(
            windowRow("1,0,100,2,207.0,100.0,107.0,100.0,107.0"),
            windowRow("1,100,200,1,100.0,100.0,100.0,100.0,100.0"),
            windowRow("2,0,100,2,207.0,101.0,106.0,106.0,101.0"),
            windowRow("3,0,100,1,109.0,109.0,109.0,109.0,109.0"),
            windowRow("3,100,200,1,104.0,104.0,104.0,104.0,104.0"),
            windowRow("4,0,100,1,160.0,160.0,160.0,160.0,160.0"),
            windowRow("4,100,200,1,103.0,103.0,103.0,103.0,103.0"));
    }

    /**
     * @return the closed windows and those {@code --close-open-windows} closes at the end.
     */
    private static List<String> allWindows()
    {
        final List<String> windows = new ArrayList<>(closedWindows());
        windows.add(windowRow("2,200,300,1,105.0,105.0,105.0,105.0,105.0"));
        windows.add(windowRow("3,200,300,1,108.0,108.0,108.0,108.0,108.0"));
        windows.add(windowRow("4,200,300,1,110.0,110.0,110.0,110.0,110.0"));
        return windows;
    }

    /**
     * @param window key, start and end in ms after {@code T0}, count, sum, min, max, first, last.
     * @return the window's CSV row.
     */
    private static String windowRow(final String window)
    {
        final String[] columns = window.split(",");
        return "window," + columns[0] + "," + (T0 + Long.parseLong(columns[1]) * MS) + "," +
            (T0 + Long.parseLong(columns[2]) * MS) + "," + String.join(",", List.of(columns).subList(3, 9)) +
            ",,,,,,,,,,,";
    }

    /**
     * @return the diff rows of a comparison of the script's 100 ms windows (these windows, and their {@code hot}
     * alerts) against a run without windows (no LATE rejects): every one only on the windowed side.
     */
    private static List<String> onlyRows(
        final String side, final List<String> windows, final long client, final long[] ids)
    {
        final List<String> rows = new ArrayList<>();
        for (final String window : windows)
        {
            rows.add("only," + side + "," + window);
            final String[] columns = window.split(",");
            if (Double.parseDouble(columns[7]) > 105)
            {
                rows.add("only," + side + ",alert," + columns[1] + "," + columns[2] + ",,1,,,,,,hot,,,,,,,,,,");
            }
        }
        rows.add("only," + side + ",reject,2,,,,,,,,,,,,,," + client + "," + ids[9] + ",,LATE,1,");
        rows.add("only," + side + ",reject,1,,,,,,,,,,,,,," + client + "," + ids[11] + ",,LATE,3,");
        rows.add("only," + side + ",reject,1,,,,,,,,,,,,,," + client + "," + ids[14] + ",,LATE,2,");
        return rows;
    }
}
