package io.sluice.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SettingsTest
{
    private static final Pattern COMMENTED_SETTING = Pattern.compile("^#(sluice\\.[A-Za-z0-9.-]+)=(.*)$");

    @Test
    void shouldGiveTheDeclaredDefaultAsAValueForAContextUsedWithoutAConfiguration()
    {
        assertEquals(16 * 1024, Settings.RING_LENGTH.defaultValue());
        assertEquals(1_000_000L, Settings.TICK_INTERVAL.defaultValue());
        assertEquals(WindowType.NONE, Settings.WINDOW_TYPE.defaultValue());
        assertThrows(IllegalStateException.class, Settings.WINDOW_SLIDE::defaultValue);
    }

    @Test
    void shouldCheckAValueGivenInCodeAgainstTheDeclaredRangeNamingTheKey()
    {
        assertEquals(1024, Settings.STATE_CAPACITY.check(1024));
        assertEquals("sluice.state.capacity=1000 must be a power of two",
            assertThrows(ConfigurationException.class, () -> Settings.STATE_CAPACITY.check(1000)).getMessage());
        assertEquals("sluice.tick.interval=10ns must be between 1us and 60s",
            assertThrows(ConfigurationException.class, () -> Settings.TICK_INTERVAL.check(10L)).getMessage());
        assertEquals("sluice.ingress.channel=null must be set",
            assertThrows(ConfigurationException.class, () -> Settings.INGRESS_CHANNEL.check(null)).getMessage());
    }

    @Test
    void shouldShipTheDefaultsFileGeneratedFromTheDeclarations() throws IOException
    {
        final String text = Files.readString(shipped("defaults.properties"));

        assertEquals(ConfigurationReference.defaultsFile(), text, "config/defaults.properties differs from the " +
            "declarations in Settings: run java -cp config/target/classes io.sluice.config.ConfigurationReference");
    }

    @Test
    void shouldDocumentEverySettingInTheDefaultsFileWithItsDeclaredDefault() throws IOException
    {
        final String text = ConfigurationReference.defaultsFile();
        final Properties active = new Properties();
        active.load(new StringReader(text));
        final Map<String, String> commented = new LinkedHashMap<>();
        for (final String line : text.split("\n"))
        {
            final Matcher matcher = COMMENTED_SETTING.matcher(line.trim());
            if (matcher.matches() && !matcher.group(1).startsWith(AlertRule.PREFIX))
            {
                commented.put(matcher.group(1), matcher.group(2));
            }
        }

        final List<String> problems = new ArrayList<>();
        for (final Setting<?> setting : Settings.all())
        {
            final String key = setting.key();
            final String value = active.getProperty(key);
            if (setting.documentation().isBlank())
            {
                problems.add(key + " has no documentation");
            }
            if (setting.isDerivedDefault())
            {
                if (null != value || !commented.containsKey(key))
                {
                    problems.add(key + " has a derived default: show it as a commented example #" + key + "=...");
                }
                else
                {
                    setting.parse(commented.get(key));
                }
            }
            else if (null == value || !setting.defaultText().equals(value.trim()))
            {
                problems.add(key + "=" + value + " but the declared default is " + setting.defaultText());
            }
        }
        for (final String key : active.stringPropertyNames())
        {
            if (!Settings.keys().contains(key))
            {
                problems.add(key + " is in the defaults file but not declared in Settings");
            }
        }
        assertEquals(List.of(), problems);
        final Properties example = new Properties();
        example.load(new StringReader(AlertRule.EXAMPLE));
        assertEquals(1, AlertRule.parse(PropertySource.of(example)).size(), "the example rule parses");
    }

    @Test
    void shouldDeclareTheScopeOfEverySettingThatShapesStateOrDecidesHowTheLogIsApplied()
    {
        assertEquals(List.of(SluiceConfig.PROCESSOR_COUNT, SluiceConfig.STATE_CAPACITY, SluiceConfig.KEYGROUP_COUNT,
            SluiceConfig.HASH_SEED,
            SluiceConfig.WINDOW_TYPE, SluiceConfig.WINDOW_SIZE, SluiceConfig.WINDOW_SLIDE,
            SluiceConfig.WINDOW_ALLOWED_LATENESS, SluiceConfig.EVICT_AFTER_WINDOWS), keys(Scope.STATE));
        assertEquals(List.of(SluiceConfig.RING_LENGTH, SluiceConfig.CLIENT_CAPACITY, SluiceConfig.BATCH_MAX_EVENTS,
            SluiceConfig.TIMESTAMP_MIN, SluiceConfig.TIMESTAMP_MAX, SluiceConfig.WINDOW_IDLE_ADVANCE,
            SluiceConfig.TICK_INTERVAL), keys(Scope.LOG));
        assertEquals(Settings.all().size() - 16, keys(Scope.LOCAL).size());
    }

    @Test
    void shouldDeriveTheKeyConstantsFromTheDeclarations() throws IllegalAccessException
    {
        final List<String> constants = new ArrayList<>();
        for (final java.lang.reflect.Field field : SluiceConfig.class.getFields())
        {
            if (field.getType() == String.class && java.lang.reflect.Modifier.isStatic(field.getModifiers()))
            {
                final Setting<?> declared = (Setting<?>)settingsField(field.getName());
                assertEquals(declared.key(), field.get(null), field.getName());
                constants.add((String)field.get(null));
            }
        }
        assertEquals(new java.util.TreeSet<>(Settings.keys()), new java.util.TreeSet<>(constants));
    }

    private static Object settingsField(final String name) throws IllegalAccessException
    {
        try
        {
            return Settings.class.getField(name).get(null);
        }
        catch (final NoSuchFieldException ex)
        {
            throw new AssertionError("SluiceConfig." + name + " is not declared in Settings", ex);
        }
    }

    private static List<String> keys(final Scope scope)
    {
        final List<String> keys = new ArrayList<>();
        for (final Setting<?> setting : Settings.inScope(scope))
        {
            keys.add(setting.key());
        }
        return keys;
    }

    @Test
    void shouldConcludeEveryLiteralDefaultToItsDeclaredText()
    {
        final Map<String, String> effective = SluiceConfig.of(new Properties()).effective();
        final List<String> problems = new ArrayList<>();
        for (final Setting<?> setting : Settings.all())
        {
            final boolean drawnAtLoad = Settings.HASH_SEED == setting;
            if (!setting.isDerivedDefault() && !drawnAtLoad && !setting.defaultText().equals(effective.get(setting.key())))
            {
                problems.add(setting.key() + " declares " + setting.defaultText() + " but concludes " +
                    effective.get(setting.key()));
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(Settings.keys().stream().toList(), List.copyOf(effective.keySet()));
    }

    @Test
    void shouldRenderEffectiveDurationsAsAUserWritesThem()
    {
        final Properties p = new Properties();
        p.setProperty(SluiceConfig.WINDOW_TYPE, "sliding");
        p.setProperty(SluiceConfig.WINDOW_SIZE, "300000000ns");
        p.setProperty(SluiceConfig.WINDOW_SLIDE, "100ms");
        p.setProperty(SluiceConfig.WINDOW_ALLOWED_LATENESS, "1500ms");
        p.setProperty(SluiceConfig.TICK_INTERVAL, "250us");
        p.setProperty(SluiceConfig.REJECT_LOG_INTERVAL, "7ns");
        p.setProperty(SluiceConfig.THREADING, "dedicated");
        p.setProperty(SluiceConfig.PROCESSOR_CPUS, "3, 4");
        final Map<String, String> effective = SluiceConfig.of(p).effective();
        assertEquals("300ms", effective.get(SluiceConfig.WINDOW_SIZE));
        assertEquals("100ms", effective.get(SluiceConfig.WINDOW_SLIDE));
        assertEquals("1500ms", effective.get(SluiceConfig.WINDOW_ALLOWED_LATENESS));
        assertEquals("0s", effective.get(SluiceConfig.WINDOW_IDLE_ADVANCE));
        assertEquals("250us", effective.get(SluiceConfig.TICK_INTERVAL));
        assertEquals("7ns", effective.get(SluiceConfig.REJECT_LOG_INTERVAL));
        assertEquals("sliding", effective.get(SluiceConfig.WINDOW_TYPE));
        assertEquals("3,4", effective.get(SluiceConfig.PROCESSOR_CPUS));
    }

    @Test
    void shouldDeriveTheSlideFromTheSizeWhenAbsent()
    {
        final Properties p = new Properties();
        p.setProperty(SluiceConfig.WINDOW_TYPE, "tumbling");
        p.setProperty(SluiceConfig.WINDOW_SIZE, "250ms");
        final SluiceConfig config = SluiceConfig.of(p);
        assertEquals(250_000_000L, config.windowSlideNs());
        assertEquals("250ms", config.effective().get(SluiceConfig.WINDOW_SLIDE));
    }

    @Test
    void shouldLoadItsOwnEffectiveSettingsToTheSameConfiguration()
    {
        final Properties p = new Properties();
        p.setProperty(SluiceConfig.WINDOW_TYPE, "sliding");
        p.setProperty(SluiceConfig.WINDOW_SIZE, "2s");
        p.setProperty(SluiceConfig.WINDOW_SLIDE, "500ms");
        p.setProperty(SluiceConfig.STATE_CAPACITY, "1m");
        p.setProperty(SluiceConfig.THREADING, "dedicated");
        p.setProperty(SluiceConfig.PROCESSOR_COUNT, "3");
        p.setProperty(SluiceConfig.PROCESSOR_CPUS, "1,2,3");
        final Map<String, String> effective = SluiceConfig.of(p).effective();
        final Properties reloaded = new Properties();
        reloaded.putAll(effective);
        assertEquals(effective, SluiceConfig.of(reloaded).effective());
    }

    static Path shipped(final String name)
    {
        final Path path = Paths.get(name);
        return Files.exists(path) ? path : Paths.get("config", name);
    }
}
