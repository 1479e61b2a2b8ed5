package io.sluice.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes what users read about the settings from their declarations in {@link Settings}: the whole of
 * {@code config/defaults.properties} and the generated section of {@code docs/configuration.md} (one table per
 * section: key, default, allowed range, unit, scope, description), so neither is written by hand. Tests fail when
 * either file differs from what this class makes of the declarations; after changing a declaration run, from the
 * repository's root:
 * <pre>
 *   mvn -B -q -pl config compile
 *   java -cp config/target/classes io.sluice.config.ConfigurationReference
 * </pre>
 * <p>
 * Stateless; safe to share between threads.
 */
public final class ConfigurationReference
{
    /** Where the defaults file is, from the repository's root. */
    public static final String DEFAULTS_FILE = "config/defaults.properties";
    /** Where the configuration reference is, from the repository's root. */
    public static final String REFERENCE_FILE = "docs/configuration.md";
    /** The line before the generated section of the reference. */
    public static final String BEGIN_MARKER = "<!-- settings:begin -->";
    /** The line after the generated section of the reference. */
    public static final String END_MARKER = "<!-- settings:end -->";

    private static final int RULE_WIDTH = 99;
    private static final String REGENERATE = "java -cp config/target/classes io.sluice.config.ConfigurationReference";
    private static final String HEADER = """
        Sluice configuration reference: every key with its default and meaning.
        Load a file with `./sluice daemon --config FILE`; any key may also be given as a system property
        (-Dkey=value), which wins over the file. Unknown sluice.* keys fail the start (typo protection).
        Sizes take k/m/g suffixes (powers of 1024); durations take ns/us/ms/s.
        Keys under aeron.* are passed to the embedded media driver and the Aeron client unchanged
        (see https://github.com/aeron-io/aeron/wiki/Configuration-Options).
        Generated from the declarations in config/src/main/java/io/sluice/config/Settings.java: change those
        and run `%s`
        (a test fails until this file matches them).
        """.formatted(REGENERATE);

    private ConfigurationReference()
    {
    }

    /**
     * Rewrite {@code config/defaults.properties} and the generated section of {@code docs/configuration.md} (the
     * file is created with a title when it does not exist).
     *
     * @param args optional: the repository's root, default the working directory.
     * @throws IOException when a file cannot be read or written.
     */
    public static void main(final String[] args) throws IOException
    {
        final Path root = Path.of(args.length > 0 ? args[0] : ".");
        Files.writeString(root.resolve(DEFAULTS_FILE), defaultsFile(), StandardCharsets.UTF_8);
        final Path reference = root.resolve(REFERENCE_FILE);
        final String current = Files.exists(reference) ? Files.readString(reference, StandardCharsets.UTF_8) : null;
        Files.createDirectories(reference.toAbsolutePath().getParent());
        Files.writeString(reference, withReference(current), StandardCharsets.UTF_8);
    }

    /**
     * @return the text of {@code config/defaults.properties}: a header, then per section its title rule and, for
     * each setting, its documentation as comment lines and {@code key=default} (a derived default as a
     * commented-out example), then the section's note.
     */
    public static String defaultsFile()
    {
        final StringBuilder out = new StringBuilder();
        comment(out, HEADER.strip());
        for (final Section section : Settings.sections())
        {
            out.append('\n');
            final String title = "# ---- " + section.title() + " ";
            out.append(title).append("-".repeat(Math.max(4, RULE_WIDTH - title.length()))).append('\n');
            for (final Setting<?> setting : Settings.in(section))
            {
                comment(out, setting.documentation());
                if (setting.isDerivedDefault())
                {
                    out.append('#').append(setting.key()).append('=').append(setting.example()).append('\n');
                }
                else
                {
                    out.append(setting.key()).append('=').append(setting.defaultText()).append('\n');
                }
            }
            if (!section.note().isEmpty())
            {
                comment(out, section.note());
            }
            for (final String line : section.example().isEmpty() ? new String[0] : section.example().split("\n"))
            {
                out.append('#').append(line).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * @return the generated section of {@code docs/configuration.md}, from {@link #BEGIN_MARKER} to
     * {@link #END_MARKER} inclusive: the scopes, then a table per section.
     */
    public static String referenceSection()
    {
        final StringBuilder out = new StringBuilder();
        out.append(BEGIN_MARKER).append('\n');
        out.append("<!-- Generated from config/src/main/java/io/sluice/config/Settings.java: change the declarations " +
            "and run `").append(REGENERATE).append("`; a test fails until this section matches them. -->\n\n");
        out.append("Every `sluice.*` key, its default, what values are allowed and its scope:\n\n");
        for (final Scope scope : Scope.values())
        {
            out.append("* **").append(scope.label()).append("**: ").append(scope.meaning()).append(";\n");
        }
        out.setLength(out.length() - 2);
        out.append(".\n\nThe same documentation stands as comments above each key's default in ")
            .append("[`config/defaults.properties`](../config/defaults.properties).\n");
        for (final Section section : Settings.sections())
        {
            out.append("\n### ").append(section.title()).append("\n\n");
            if (!Settings.in(section).isEmpty())
            {
                out.append("| Key | Default | Allowed | Unit | Scope | Description |\n");
                out.append("|---|---|---|---|---|---|\n");
                for (final Setting<?> setting : Settings.in(section))
                {
                    out.append("| `").append(setting.key()).append("` | ")
                        .append(defaultCell(setting)).append(" | ")
                        .append(text(setting.range())).append(" | ")
                        .append(text(setting.unit())).append(" | ")
                        .append(setting.scope().label()).append(" | ")
                        .append(text(setting.documentation())).append(" |\n");
                }
            }
            if (!section.note().isEmpty())
            {
                out.append(Settings.in(section).isEmpty() ? "" : "\n");
                out.append("```properties\n");
                comment(out, section.note());
                for (final String line : section.example().isEmpty() ? new String[0] : section.example().split("\n"))
                {
                    out.append(line).append('\n');
                }
                out.append("```\n");
            }
        }
        out.append('\n').append(END_MARKER).append('\n');
        return out.toString();
    }

    /**
     * @param current the reference as it is, or null when there is none.
     * @return the reference with its generated section replaced by {@link #referenceSection()}; a new reference
     * with a title and only that section when there is none or it has no markers.
     */
    public static String withReference(final String current)
    {
        final int begin = null == current ? -1 : current.indexOf(BEGIN_MARKER);
        final int end = null == current ? -1 : current.indexOf(END_MARKER);
        if (begin < 0 || end < begin)
        {
            final String prefix = null == current || current.isBlank() ? "# Configuration reference\n\n" :
                current.stripTrailing() + "\n\n";
            return prefix + referenceSection();
        }
        final int afterEnd = current.indexOf('\n', end);
        return current.substring(0, begin) + referenceSection() +
            (afterEnd < 0 ? "" : current.substring(afterEnd + 1));
    }

    /**
     * @param reference the text of {@code docs/configuration.md}.
     * @return its generated section, from {@link #BEGIN_MARKER} to {@link #END_MARKER} inclusive with a final line
     * break; empty when it has none.
     */
    public static String generatedSection(final String reference)
    {
        final int begin = reference.indexOf(BEGIN_MARKER);
        final int end = reference.indexOf(END_MARKER);
        if (begin < 0 || end < begin)
        {
            return "";
        }
        return reference.substring(begin, end + END_MARKER.length()) + "\n";
    }

    private static String defaultCell(final Setting<?> setting)
    {
        if (setting.isDerivedDefault())
        {
            return text(setting.defaultText());
        }
        return setting.defaultText().isEmpty() ? "*(empty)*" : "`" + setting.defaultText().replace("|", "\\|") + "`";
    }

    private static String text(final String text)
    {
        return text.strip().replaceAll("\\s+", " ")
            .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|");
    }

    private static void comment(final StringBuilder out, final String text)
    {
        for (final String line : text.split("\n", -1))
        {
            out.append(line.isEmpty() ? "#" : "# " + line).append('\n');
        }
    }
}
