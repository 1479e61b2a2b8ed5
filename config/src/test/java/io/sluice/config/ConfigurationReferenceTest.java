package io.sluice.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigurationReferenceTest
{
    @Test
    void shouldShipTheReferenceTableGeneratedFromTheDeclarations() throws IOException
    {
        final String reference = Files.readString(reference());

        assertEquals(ConfigurationReference.referenceSection(), ConfigurationReference.generatedSection(reference),
            "the generated section of docs/configuration.md differs from the declarations in Settings: run " +
            "java -cp config/target/classes io.sluice.config.ConfigurationReference");
    }

    @Test
    void shouldGiveEverySettingARowWithItsDefaultRangeUnitScopeAndDocumentation()
    {
        final String section = ConfigurationReference.referenceSection();

        assertTrue(section.contains("| `sluice.ring.length` | `16384` | a power of two in [2, 64m] | entries, " +
            "k/m/g suffixes | log | Ring entries, a power of two. When the ring is full the ingress stops reading " +
            "and Aeron's flow control pushes back on publishers: nothing is dropped. |\n"), section);
        assertTrue(section.contains("| `sluice.window.slide` | the window size | [1us, 31622400s] | duration: ns, " +
            "us, ms or s | state | "), section);
        assertTrue(section.contains("| `sluice.egress.channel` | `aeron:udp?control=localhost:20121\\|" +
            "control-mode=dynamic\\|fc=min,t:5s` | "), section);
        assertTrue(section.contains("| `sluice.metrics.endpoint` | *(empty)* | "), section);
        for (final Setting<?> setting : Settings.all())
        {
            assertTrue(section.contains("| `" + setting.key() + "` | "), setting.key());
        }
        assertTrue(section.contains("sluice.alert.hot.threshold=100.0\n"), "the alert rules' keys and example");
    }

    @Test
    void shouldReplaceOnlyTheGeneratedSectionOrCreateTheReference()
    {
        final String created = ConfigurationReference.withReference(null);
        assertEquals("# Configuration reference\n\n" + ConfigurationReference.referenceSection(), created);

        final String edited = "# Configuration\n\nHand-written text.\n\n" + ConfigurationReference.BEGIN_MARKER +
            "\nstale table\n" + ConfigurationReference.END_MARKER + "\n\n## Profiles\n\nMore text.\n";
        assertEquals("# Configuration\n\nHand-written text.\n\n" + ConfigurationReference.referenceSection() +
            "\n## Profiles\n\nMore text.\n", ConfigurationReference.withReference(edited));
        assertEquals(ConfigurationReference.referenceSection(),
            ConfigurationReference.generatedSection(ConfigurationReference.withReference(edited)));
    }

    private static Path reference()
    {
        final Path fromRoot = Paths.get(ConfigurationReference.REFERENCE_FILE);
        return Files.exists(fromRoot) ? fromRoot : Paths.get("..", ConfigurationReference.REFERENCE_FILE);
    }
}
