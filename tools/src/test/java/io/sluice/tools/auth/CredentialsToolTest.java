package io.sluice.tools.auth;

import io.sluice.tools.CommandRun;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.Permission;
import io.sluice.server.auth.Credentials;
import io.sluice.server.auth.CredentialsException;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice auth}: the secret printed once and never stored, the file edited through the one parser with every
 * other byte kept, refusals with exit 2 that change nothing.
 */
class CredentialsToolTest
{
    private static final Pattern SECRET_LINE = Pattern.compile("secret ([0-9a-f]{64})\n");
    private static final String KEY_7 = "775a216779d525f4cff6d0099a69a7abed492a805354b56967c6af6e8deb19c8";
    private static final String KEY_9 = "3a5e29e97adbe8674dbd3819d36dc4870372afe8f818221c8ce05cbaf7755504";

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-auth-cmd-" + System.nanoTime());
    private final Path file = dir.resolve("credentials");

    @AfterEach
    void tearDown()
    {
        IoUtil.delete(dir.toFile(), true);
    }

    @Test
    void shouldCreateTheFileOwnerOnlyAndPrintTheSecretOnceStoringOnlyItsStoredKey() throws IOException
    {
        Files.createDirectories(dir);
        final CommandRun run = CommandRun.of("auth", "add-client", "--file", file.toString(), "--id", "42",
            "--permissions", "send,query");
        assertEquals(0, run.exit(), run.err());
        assertEquals("", run.err());
        final Matcher secretLine = SECRET_LINE.matcher(run.out());
        assertTrue(secretLine.lookingAt(), run.out());
        final byte[] secret = AuthProof.fromHex(secretLine.group(1), AuthProof.SECRET_LENGTH);
        assertEquals("sluice auth: client 42 added to " + file + " with send,query; the secret above is shown " +
            "this once and kept nowhere (the file holds only its stored key): give it to the client, which takes " +
            "it with its client id in SluiceClient.Context or from a secret file; " + CredentialsTool.TAKES_EFFECT +
            "\n", run.out().substring(secretLine.end()));

        final String text = Files.readString(file);
        assertEquals(CredentialsTool.HEADER + "\n42 " + AuthProof.toHex(AuthProof.storedKey(secret)) +
            " send,query\n", text);
        assertFalse(text.contains(secretLine.group(1)));
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix"))
        {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        final Credentials.Client client = Credentials.read(file).client(42);
        assertEquals(Permission.SEND | Permission.QUERY, client.permissions());
        final byte[] clientNonce = new byte[AuthProof.NONCE_LENGTH];
        final byte[] serverNonce = new byte[AuthProof.NONCE_LENGTH];
        serverNonce[3] = 9;
        assertTrue(AuthProof.verify(client.storedKey(), 42, clientNonce, serverNonce, 77,
            AuthProof.proof(secret, 42, clientNonce, serverNonce, 77)), "the printed secret proves client 42");
        assertEquals(List.of(), leftovers());
    }

    @Test
    void shouldAppendANewClientKeepingEveryOtherByteAndPrintADifferentSecretEachTime() throws IOException
    {
        final String before = "# ours\r\n7 " + KEY_7 + " admin\r\n\r\n# end\r\n";
        write(before);
        final CommandRun first = CommandRun.of("auth", "add-client", "--file", file.toString(), "--id", "-5",
            "--permissions", "subscribe");
        assertEquals(0, first.exit(), first.err());
        final String text = Files.readString(file);
        assertTrue(text.startsWith(before + "-5 "), text);
        assertTrue(text.endsWith(" subscribe\r\n"), "the file's CRLF kept: " + text);
        assertEquals(2, Credentials.read(file).size());
        assertEquals("rw-r-----", posix());

        final CommandRun second = CommandRun.of("auth", "add-client", "--file", file.toString(), "--id", "6",
            "--permissions", "send");
        assertEquals(0, second.exit(), second.err());
        assertFalse(first.out().substring(0, 71).equals(second.out().substring(0, 71)));
    }

    @Test
    void shouldRefuseAnIdAlreadyListedWithExitTwoChangingNothing() throws IOException
    {
        final String before = "7 " + KEY_7 + " admin\n9 " + KEY_9 + " send\n";
        write(before);
        final CommandRun run = CommandRun.of("auth", "add-client", "--file", file.toString(), "--id", "9",
            "--permissions", "send");
        assertEquals(2, run.exit());
        assertEquals("", run.out(), "no secret printed");
        assertEquals("sluice auth: " + file + ": client id 9 is already listed (line 2); remove-client it first, " +
            "or set-permissions to change its permissions\n", run.err());
        assertEquals(before, Files.readString(file));
    }

    @Test
    void shouldRefuseToEditABadFileNamingItsLine() throws IOException
    {
        final String before = "7 " + KEY_7 + " admin\n\n9 " + KEY_9 + " send,root\n";
        write(before);
        for (final String[] args : List.of(
            new String[]{"auth", "add-client", "--file", file.toString(), "--id", "1", "--permissions", "send"},
            new String[]{"auth", "remove-client", "--file", file.toString(), "--id", "7"},
            new String[]{"auth", "set-permissions", "--file", file.toString(), "--id", "7", "--permissions", "send"},
            new String[]{"auth", "list", "--file", file.toString()},
            new String[]{"auth", "check", "--file", file.toString()}))
        {
            final CommandRun run = CommandRun.of(args);
            assertEquals(2, run.exit(), args[1]);
            assertEquals("", run.out(), args[1]);
            assertEquals("sluice auth: " + file + " line 3: permission 'root' must be one of: send, query, " +
                "subscribe, admin\n", run.err(), args[1]);
        }
        assertEquals(before, Files.readString(file));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void shouldSetPermissionsKeepingTheKeyAndTheLineEnding() throws IOException
    {
        write("# a\r\n7 " + KEY_7 + " admin\r\n9\t" + KEY_9 + "  send\r\n");
        final CommandRun run = CommandRun.of("auth", "set-permissions", "--file", file.toString(), "--id", "7",
            "--permissions", "query,send");
        assertEquals(0, run.exit(), run.err());
        assertEquals("sluice auth: client 7 in " + file + " now has send,query (its secret unchanged); " +
            CredentialsTool.TAKES_EFFECT + "\n", run.out());
        assertEquals("# a\r\n7 " + KEY_7 + " send,query\r\n9\t" + KEY_9 + "  send\r\n", Files.readString(file));
        assertEquals("rw-r-----", posix());
    }

    @Test
    void shouldRemoveAClientAndRefuseOneNotListed() throws IOException
    {
        write("7 " + KEY_7 + " admin\n# keep\n9 " + KEY_9 + " send\n");
        final CommandRun run = CommandRun.of("auth", "remove-client", "--file", file.toString(), "--id", "7");
        assertEquals(0, run.exit(), run.err());
        assertEquals("sluice auth: client 7 removed from " + file + "; " + CredentialsTool.TAKES_EFFECT + "\n",
            run.out());
        assertEquals("# keep\n9 " + KEY_9 + " send\n", Files.readString(file));
        assertNull(Credentials.read(file).client(7));

        final CommandRun again = CommandRun.of("auth", "remove-client", "--file", file.toString(), "--id", "7");
        assertEquals(2, again.exit());
        assertEquals("sluice auth: " + file + ": client id 7 is not listed\n", again.err());
        final CommandRun set = CommandRun.of("auth", "set-permissions", "--file", file.toString(), "--id", "8",
            "--permissions", "send");
        assertEquals(2, set.exit());
        assertEquals("sluice auth: " + file + ": client id 8 is not listed\n", set.err());
        assertEquals("# keep\n9 " + KEY_9 + " send\n", Files.readString(file));
    }

    @Test
    void shouldListIdsAndPermissionsWithoutKeysAndCountThem() throws IOException
    {
        write("7 " + KEY_7 + " admin\n9 " + KEY_9 + " subscribe,send\n");
        final CommandRun list = CommandRun.of("auth", "list", "--file", file.toString());
        assertEquals(0, list.exit());
        assertEquals("7 admin\n9 send,subscribe\n", list.out());
        final CommandRun check = CommandRun.of("auth", "check", "--file", file.toString());
        assertEquals(0, check.exit());
        assertEquals("2 clients\n", check.out());
        assertEquals("", check.err());
    }

    @Test
    void shouldNameABadIdOrPermissionOptionAndAMissingFile() throws IOException
    {
        Files.createDirectories(dir);
        final CommandRun id = CommandRun.of("auth", "add-client", "--file", file.toString(), "--id", "0",
            "--permissions", "send");
        assertEquals(2, id.exit());
        assertEquals("sluice: configuration error: --id=0 must be a decimal integer in [-2^63, 2^63-1], not 0\n",
            id.err());
        final CommandRun permissions = CommandRun.of("auth", "add-client", "--file", file.toString(), "--id", "3",
            "--permissions", "send,send");
        assertEquals(2, permissions.exit());
        assertEquals("sluice: configuration error: --permissions=send,send is refused: permission 'send' is named " +
            "twice\n", permissions.err());
        assertFalse(Files.exists(file));
        final CommandRun check = CommandRun.of("auth", "check", "--file", file.toString());
        assertEquals(2, check.exit());
        assertEquals("sluice auth: " + file + ": cannot be read (NoSuchFileException: " + file + ")\n", check.err());
        final CommandRun remove = CommandRun.of("auth", "remove-client", "--file", file.toString(), "--id", "3");
        assertEquals(2, remove.exit());
        assertEquals(check.err(), remove.err());
    }

    @Test
    void shouldWriteNothingWhenTheFileChangedSinceItWasRead() throws IOException
    {
        write("7 " + KEY_7 + " admin\n");
        final byte[] stale = "# before another edit\n".getBytes(StandardCharsets.US_ASCII);
        final CredentialsException refused = assertThrows(CredentialsException.class,
            () -> CredentialsTool.write(file, "9 x\n".getBytes(StandardCharsets.US_ASCII), stale));
        assertEquals(file + ": changed while this command ran; nothing written, run it again", refused.getMessage());
        assertEquals("7 " + KEY_7 + " admin\n", Files.readString(file));
        final CredentialsException created = assertThrows(CredentialsException.class,
            () -> CredentialsTool.write(file, "9 x\n".getBytes(StandardCharsets.US_ASCII), null));
        assertEquals(refused.getMessage(), created.getMessage(), "a file that appeared meanwhile is kept too");
        assertEquals(List.of(), leftovers(), "no temporary file left");
    }

    private void write(final String text) throws IOException
    {
        Files.createDirectories(dir);
        Files.write(file, text.getBytes(StandardCharsets.UTF_8));
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix"))
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        }
    }

    private String posix() throws IOException
    {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix") ?
            PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) : "rw-r-----";
    }

    private List<Path> leftovers() throws IOException
    {
        try (var files = Files.list(dir))
        {
            return files.filter((path) -> !path.equals(file)).toList();
        }
    }
}
