package io.sluice.tools.auth;

import io.sluice.config.ConfigurationException;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.Permission;
import io.sluice.server.auth.Credentials;
import io.sluice.server.auth.CredentialsException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code sluice auth add-client | remove-client | set-permissions | list | check}: the credentials file
 * ({@code sluice.auth.file}) edited and read through the daemon's own parser ({@link Credentials#parse}).
 * <ul>
 *   <li>An edit first parses the whole file and changes nothing when it is bad (exit 2, the parser's message naming
 *   the line). It writes a temporary file beside it, forces it to disk and moves it over the file atomically, so
 *   the daemon reading the file at a reload sees the old or the new content, never half of it. Every line it does
 *   not edit keeps its bytes, comments included.</li>
 *   <li>A new file is created with POSIX permissions {@code rw-------} where the file system has them; an edited
 *   file keeps its permissions. Elsewhere (Windows) the file gets the directory's default access control list and
 *   the operator restricts it.</li>
 *   <li>{@code add-client} generates a secret of {@link AuthProof#SECRET_LENGTH} bytes from {@link SecureRandom},
 *   writes only its {@link AuthProof#storedKey stored key} and prints the secret once, on standard output, in a
 *   line {@code secret <64 hex digits>}; it is written nowhere else.</li>
 *   <li>Exit codes: 0 done; 2 the file is bad or cannot be read, the client id is already listed (add) or not
 *   listed (remove, set); 1 the file cannot be written (reported by the caller).</li>
 * </ul>
 * A running daemon uses a change from its next reload (SIGHUP or {@code sluice auth reload}). Two edits of one file
 * at the same moment: the second finds the file changed under it, writes nothing and exits 2. Main thread only.
 */
public final class CredentialsTool
{
    /** What every edit says about when it counts. */
    public static final String TAKES_EFFECT = "takes effect at the daemon's next reload (SIGHUP or sluice auth " +
        "reload) or start";
    /** The first line of a file {@code add-client} creates. */
    public static final String HEADER = "# Sluice credentials (sluice.auth.file): <client id> <stored key> " +
        "<permissions>, written by sluice auth; docs/security.md";

    private static final String PREFIX = "sluice auth: ";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private CredentialsTool()
    {
    }

    /**
     * @param text the {@code --id} option's value.
     * @return the client id.
     * @throws ConfigurationException naming {@code --id} when it is not a decimal int64 other than 0.
     */
    public static long clientId(final String text)
    {
        try
        {
            if (text.chars().allMatch((c) -> c == '-' || (c >= '0' && c <= '9')))
            {
                final long clientId = Long.parseLong(text);
                if (0 != clientId)
                {
                    return clientId;
                }
            }
        }
        catch (final NumberFormatException ex)
        {
            // answered below
        }
        throw new ConfigurationException("--id", text, "must be a decimal integer in [-2^63, 2^63-1], not 0");
    }

    /**
     * @param text the {@code --permissions} option's value.
     * @return its permission bits ({@link Permission#parse}).
     * @throws ConfigurationException naming {@code --permissions} and what is allowed.
     */
    public static int permissions(final String text)
    {
        try
        {
            return Permission.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigurationException("--permissions", text, "is refused: " + ex.getMessage());
        }
    }

    /**
     * Add a client with a new secret.
     *
     * @param file        the credentials file; created when missing.
     * @param clientId    the new client's id.
     * @param permissions its permissions.
     * @param random      where the secret comes from.
     * @param out         where the secret and the result go.
     * @param err         where a refusal goes.
     * @return the exit code.
     * @throws IOException when the file cannot be written.
     */
    public static int addClient(
        final Path file, final long clientId, final int permissions, final SecureRandom random,
        final PrintStream out, final PrintStream err) throws IOException
    {
        final byte[] current = readOrNull(file);
        final List<byte[]> lines = new ArrayList<>();
        try
        {
            if (null == current)
            {
                lines.add(HEADER.getBytes(StandardCharsets.US_ASCII));
            }
            else
            {
                final Credentials credentials = parse(file, current);
                if (null != credentials.client(clientId))
                {
                    err.println(PREFIX + file + ": client id " + clientId + " is already listed (line " +
                        lineOf(file, current, clientId) + "); remove-client it first, or set-permissions to " +
                        "change its permissions");
                    return 2;
                }
                lines.addAll(split(current));
                if (lines.get(lines.size() - 1).length == 0)
                {
                    lines.remove(lines.size() - 1);
                }
            }
            final boolean cr = !lines.isEmpty() && endsWithCr(lines.get(lines.size() - 1));
            final byte[] secret = AuthProof.newSecret(random);
            try
            {
                lines.add(line(clientId, AuthProof.storedKey(secret), permissions, cr));
                lines.add(new byte[0]);
                write(file, join(lines), current);
                out.println("secret " + AuthProof.toHex(secret));
            }
            finally
            {
                Arrays.fill(secret, (byte)0);
            }
        }
        catch (final CredentialsException ex)
        {
            err.println(PREFIX + ex.getMessage());
            return 2;
        }
        out.println(PREFIX + "client " + clientId + " added to " + file + " with " + Permission.format(permissions) +
            "; the secret above is shown this once and kept nowhere (the file holds only its stored key): give it " +
            "to the client, which takes it with its client id in SluiceClient.Context or from a secret file; " +
            TAKES_EFFECT);
        return 0;
    }

    /**
     * Remove a client's line.
     *
     * @param file     the credentials file.
     * @param clientId the client to remove.
     * @param out      where the result goes.
     * @param err      where a refusal goes.
     * @return the exit code.
     * @throws IOException when the file cannot be written.
     */
    public static int removeClient(
        final Path file, final long clientId, final PrintStream out, final PrintStream err) throws IOException
    {
        return edit(file, clientId, -1, out, err);
    }

    /**
     * Change a client's permissions, keeping its stored key (and so its secret).
     *
     * @param file        the credentials file.
     * @param clientId    the client.
     * @param permissions its new permissions.
     * @param out         where the result goes.
     * @param err         where a refusal goes.
     * @return the exit code.
     * @throws IOException when the file cannot be written.
     */
    public static int setPermissions(
        final Path file, final long clientId, final int permissions, final PrintStream out, final PrintStream err)
        throws IOException
    {
        return edit(file, clientId, permissions, out, err);
    }

    /**
     * Print each client's id and permissions, one line each in file order: {@code 42 send,query}; never a key.
     *
     * @param file the credentials file.
     * @param out  where the lines go.
     * @param err  where a refusal goes.
     * @return the exit code.
     */
    public static int list(final Path file, final PrintStream out, final PrintStream err)
    {
        try
        {
            for (final Credentials.Client client : Credentials.read(file).clients())
            {
                out.println(client.clientId() + " " + Permission.format(client.permissions()));
            }
            return 0;
        }
        catch (final CredentialsException ex)
        {
            err.println(PREFIX + ex.getMessage());
            return 2;
        }
    }

    /**
     * Check the file as the daemon will read it: prints {@code N clients}, or the first bad line's message.
     *
     * @param file the credentials file.
     * @param out  where the count goes.
     * @param err  where the message goes.
     * @return 0 when the daemon would take it, else 2.
     */
    public static int check(final Path file, final PrintStream out, final PrintStream err)
    {
        try
        {
            final int size = Credentials.read(file).size();
            out.println(size + (1 == size ? " client" : " clients"));
            return 0;
        }
        catch (final CredentialsException ex)
        {
            err.println(PREFIX + ex.getMessage());
            return 2;
        }
    }

    private static int edit(
        final Path file, final long clientId, final int permissions, final PrintStream out, final PrintStream err)
        throws IOException
    {
        try
        {
            final byte[] current = readOrNull(file);
            if (null == current)
            {
                Credentials.read(file);
                throw changedMeanwhile(file);
            }
            final Credentials.Client client = parse(file, current).client(clientId);
            if (null == client)
            {
                err.println(PREFIX + file + ": client id " + clientId + " is not listed");
                return 2;
            }
            final List<byte[]> lines = split(current);
            final int index = lineOf(file, current, clientId) - 1;
            final boolean cr = endsWithCr(lines.get(index));
            if (permissions < 0)
            {
                lines.remove(index);
            }
            else
            {
                lines.set(index, line(clientId, client.storedKey(), permissions, cr));
            }
            write(file, join(lines), current);
        }
        catch (final CredentialsException ex)
        {
            err.println(PREFIX + ex.getMessage());
            return 2;
        }
        out.println(PREFIX + "client " + clientId + (permissions < 0 ? " removed from " + file :
            " in " + file + " now has " + Permission.format(permissions) + " (its secret unchanged)") + "; " +
            TAKES_EFFECT);
        return 0;
    }

    private static Credentials parse(final Path file, final byte[] content)
    {
        return Credentials.parse(file.toString(), new String(content, StandardCharsets.UTF_8));
    }

    /**
     * @return the 1-based number of the line listing the client, found by parsing each client line alone with the
     * one parser; the whole file has parsed, so every such line does.
     */
    private static int lineOf(final Path file, final byte[] content, final long clientId)
    {
        final List<byte[]> lines = split(content);
        for (int i = 0; i < lines.size(); i++)
        {
            final String text = new String(lines.get(i), StandardCharsets.UTF_8);
            final String stripped = text.strip();
            if (!stripped.isEmpty() && !stripped.startsWith("#") &&
                clientId == Credentials.parse(file.toString(), text).clients().get(0).clientId())
            {
                return i + 1;
            }
        }
        throw new IllegalStateException(file + ": client id " + clientId + " parsed but its line was not found");
    }

    private static boolean endsWithCr(final byte[] line)
    {
        return line.length > 0 && '\r' == line[line.length - 1];
    }

    private static byte[] line(final long clientId, final byte[] storedKey, final int permissions, final boolean cr)
    {
        return (clientId + " " + AuthProof.toHex(storedKey) + " " + Permission.format(permissions) + (cr ? "\r" : ""))
            .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @return the content's lines split at each {@code \n} byte (which UTF-8 never uses inside a character), each
     * without it and with any {@code \r} kept; the last element is what follows the last {@code \n}.
     */
    private static List<byte[]> split(final byte[] content)
    {
        final List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < content.length; i++)
        {
            if ('\n' == content[i])
            {
                lines.add(Arrays.copyOfRange(content, start, i));
                start = i + 1;
            }
        }
        lines.add(Arrays.copyOfRange(content, start, content.length));
        return lines;
    }

    private static byte[] join(final List<byte[]> lines)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++)
        {
            if (i > 0)
            {
                bytes.write('\n');
            }
            bytes.writeBytes(lines.get(i));
        }
        return bytes.toByteArray();
    }

    private static CredentialsException changedMeanwhile(final Path file)
    {
        return new CredentialsException(file + ": changed while this command ran; nothing written, run it again");
    }

    private static byte[] readOrNull(final Path file)
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            throw new CredentialsException(file + ": cannot be read (" + ex.getClass().getSimpleName() + ": " +
                ex.getMessage() + ")");
        }
    }

    /**
     * Write the content to a temporary file beside the file, force it, and move it over the file atomically (where
     * the file system cannot, replace it); refuse when the file changed since it was read.
     *
     * @param file     the credentials file.
     * @param content  its new content.
     * @param expected its content when it was read, null when it did not exist.
     * @throws CredentialsException when its content is no longer {@code expected}; nothing is written.
     * @throws IOException          when the file cannot be written.
     */
    static void write(final Path file, final byte[] content, final byte[] expected) throws IOException
    {
        final Path absolute = file.toAbsolutePath();
        final Path dir = absolute.getParent();
        final boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        final Path temp = posix ?
            Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY)) :
            Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (posix && null != expected)
            {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(absolute));
            }
            if (!Arrays.equals(expected, readOrNull(absolute)))
            {
                throw changedMeanwhile(file);
            }
            try
            {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
    }
}
