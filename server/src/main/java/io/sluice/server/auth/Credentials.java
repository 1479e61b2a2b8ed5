package io.sluice.server.auth;

import io.sluice.protocol.auth.AuthProof;
import io.sluice.protocol.auth.Permission;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The credentials file ({@code sluice.auth.file}), parsed: for each client id its stored key and permissions.
 * <pre>
 *   # comment
 *   &lt;client id&gt; &lt;stored key: 64 hex digits&gt; &lt;permissions: send,query,subscribe,admin&gt;
 *   42 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 send,query
 * </pre>
 * A client id is a decimal int64 other than 0; each id appears once. The stored key is SHA-256 of the client's
 * ClientKey ({@link AuthProof}): the file does not hold the secret, and holding the file does not let anyone
 * authenticate. Immutable; thread safe.
 */
public final class Credentials
{
    /** One client's line. */
    public record Client(long clientId, byte[] storedKey, int permissions)
    {
    }

    /** Long.parseLong alone takes any Unicode digit (e.g. fullwidth): an id is written in ASCII. */
    private static final Pattern ASCII_DECIMAL = Pattern.compile("[+-]?[0-9]+");

    private final Map<Long, Client> clients;
    private final long fingerprint;

    private Credentials(final Map<Long, Client> clients, final long fingerprint)
    {
        this.clients = clients;
        this.fingerprint = fingerprint;
    }

    /**
     * @param file the credentials file.
     * @return its clients.
     * @throws CredentialsException naming the file, the line number and what is wrong, or that it cannot be read;
     *                              never echoing a key.
     */
    public static Credentials read(final Path file)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new CredentialsException(file + ": cannot be read (" + ex.getClass().getSimpleName() + ": " +
                ex.getMessage() + ")");
        }
        return parse(file.toString(), new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * @param name what to call the text in messages (the file's path).
     * @param text the file's text.
     * @return its clients.
     * @throws CredentialsException naming the line number and what is wrong.
     */
    public static Credentials parse(final String name, final String text)
    {
        final Map<Long, Client> clients = new LinkedHashMap<>();
        final String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final Client client = parseLine(name, i + 1, line);
            if (null != clients.putIfAbsent(client.clientId(), client))
            {
                throw new CredentialsException(name + " line " + (i + 1) + ": client id " + client.clientId() +
                    " is listed twice");
            }
        }
        return new Credentials(Collections.unmodifiableMap(clients), fingerprintOf(text));
    }

    private static Client parseLine(final String name, final int lineNumber, final String line)
    {
        final String where = name + " line " + lineNumber + ": ";
        final String[] fields = line.split("\\s+");
        if (3 != fields.length)
        {
            throw new CredentialsException(where + "must be '<client id> <stored key> <permissions>' (3 fields), " +
                "not " + fields.length + " fields");
        }
        final long clientId = clientId(where, fields[0]);
        if (0 == clientId)
        {
            throw new CredentialsException(where + "client id 0 is not allowed (0 names an unreadable message)");
        }
        final byte[] storedKey;
        try
        {
            storedKey = AuthProof.fromHex(fields[1], AuthProof.STORED_KEY_LENGTH);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CredentialsException(where + "stored key " + ex.getMessage());
        }
        final int permissions;
        try
        {
            permissions = Permission.parse(fields[2]);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CredentialsException(where + ex.getMessage().replaceAll("[^\\x20-\\x7E]", "?"));
        }
        return new Client(clientId, storedKey, permissions);
    }

    private static long clientId(final String where, final String field)
    {
        if (ASCII_DECIMAL.matcher(field).matches())
        {
            try
            {
                return Long.parseLong(field);
            }
            catch (final NumberFormatException ex)
            {
                // out of range: answered below
            }
        }
        throw new CredentialsException(where + "client id '" + printable(field) +
            "' must be a decimal integer in [-2^63, 2^63-1], not 0");
    }

    /**
     * @param clientId a client id.
     * @return its line, or null when it is not listed.
     */
    public Client client(final long clientId)
    {
        return clients.get(clientId);
    }

    /**
     * @return the clients in file order.
     */
    public List<Client> clients()
    {
        return new ArrayList<>(clients.values());
    }

    /**
     * @return how many clients are listed.
     */
    public int size()
    {
        return clients.size();
    }

    /**
     * @return the first 8 bytes of SHA-256 of the file's text, as a long: what the journal records of a change, so
     * two versions can be told apart without the file's content.
     */
    public long fingerprint()
    {
        return fingerprint;
    }

    private static long fingerprintOf(final String text)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++)
            {
                value = (value << 8) | (digest[i] & 0xFF);
            }
            return value;
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
        }
    }

    private static String printable(final String text)
    {
        final String shortened = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return shortened.replaceAll("[^\\x20-\\x7E]", "?");
    }
}
