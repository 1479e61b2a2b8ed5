package io.sluice.server.auth;

import io.sluice.config.ConfigurationException;
import io.sluice.config.SluiceConfig;
import io.sluice.protocol.auth.AuthProof;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The credentials file at the daemon's start: off when {@code sluice.auth.file} is empty; a bad file stops the start
 * with a configuration error (exit 2) naming the key, the file and the line, never the key material.
 */
class AuthenticationTest
{
    private static final String KEY = AuthProof.toHex(AuthProof.storedKey(new byte[AuthProof.SECRET_LENGTH]));

    @TempDir
    Path dir;

    @Test
    void shouldBeOffWithoutACredentialsFile()
    {
        assertNull(Authentication.readAtStart(SluiceConfig.of(new Properties())));
        assertEquals("off (any sender accepted; results on the shared egress; docs/security.md)",
            Authentication.describeOff());
    }

    @Test
    void shouldReadTheCredentialsFileAtStart() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("credentials"), "# clients\n42 " + KEY + " send,query\n");

        final Credentials credentials = Authentication.readAtStart(config(file));

        assertEquals(1, credentials.size());
        assertEquals(42, credentials.client(42).clientId());
    }

    @Test
    void shouldRefuseToStartWithABadLineNamingTheKeyTheFileAndTheLine() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("credentials"), "42 " + KEY + " send\n43 " + KEY + " fly\n");

        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> Authentication.readAtStart(config(file)));

        assertEquals("sluice.auth.file", ex.key());
        assertEquals("sluice.auth.file=" + file + " cannot be used: " + file + " line 2: ",
            ex.getMessage().substring(0, ex.getMessage().indexOf(" line 2: ") + 9));
        assertFalse(ex.getMessage().contains(KEY), "no key in the message");
    }

    @Test
    void shouldRefuseToStartWithAMissingFile()
    {
        final Path file = dir.resolve("absent");

        final ConfigurationException ex = assertThrows(ConfigurationException.class,
            () -> Authentication.readAtStart(config(file)));

        assertEquals("sluice.auth.file=" + file + " cannot be used: " + file + ": cannot be read (NoSuchFileException: " +
            file + ")", ex.getMessage());
    }

    private static SluiceConfig config(final Path file)
    {
        final Properties properties = new Properties();
        properties.setProperty("sluice.auth.file", file.toString());
        return SluiceConfig.of(properties);
    }
}
