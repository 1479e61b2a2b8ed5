package io.sluice.tools.auth;

import io.sluice.tools.CommandRun;
import io.sluice.protocol.auth.AuthProof;
import io.sluice.server.auth.Credentials;
import io.sluice.server.auth.CredentialsException;
import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The credentials file's parser ({@link Credentials#parse}) against thousands of seeded mutations of valid files:
 * truncated lines and files, flipped bits, inserted and deleted text, duplicate ids, bad hex, bad permissions, huge
 * lines, non-ASCII characters, CRLF and lone CR. Each outcome must be what a reference written from the file's
 * grammar says, computed here character by character: the clients the lines list, or the exact message naming the
 * first bad line; a message never holds a stored key nor more than 40 characters of the field at fault. A few of
 * each kind of failure are run through {@code sluice auth check} in process: exit 2 with the same message.
 */
class CredentialsFileFuzzTest
{
    private static final long SEED = 0x51_0C_E2_3L;
    private static final int CASES = 6000;
    private static final String NAME = "fuzz.credentials";
    private static final String[] PERMISSIONS = { "send", "query", "subscribe", "admin" };
    private static final String ASCII_WHITESPACE = " \t\n\u000B\f\r";
    private static final int[] NON_ASCII = {
        0xE9, 0xA0, 0x85, 0x1C, 0x2003, 0x2028, 0x3000, 0xFEFF, 0xFF14, 0xFF41, 0x0664, 0x1D7D8, 0x1F600, 0xD800 };
    private static final String[] ZERO_IDS = { "0", "-0", "+0", "000" };
    private static final String GARBAGE = "azAZ09fF,,\t  #-+x\r\n";
    private static final String[] BAD_PERMISSIONS = {
        "", ",", "send,", ",send", "send,,query", "send,send", "Send", "SEND", "read", "admin,query,admin",
        "subscribe,alert", "send;query", "send\u0001,query", "send,\u0002", "query,é", "\u00A0send",
        "x".repeat(41), "send," + "subscribe".repeat(20), "\uD83D\uDE00".repeat(30) };

    private final Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sluice-auth-fuzz-" + System.nanoTime());

    private record Client(long clientId, byte[] storedKey, int permissions)
    {
    }

    /** What the reference says: the clients, or the first bad line and the whole message. */
    private record Expected(List<Client> clients, int line, String kind, String message)
    {
    }

    @AfterEach
    void tearDown()
    {
        IoUtil.delete(dir.toFile(), true);
    }

    @Test
    void shouldParseEveryMutatedFileAsTheReferenceSaysOrNameItsFirstBadLine() throws IOException
    {
        final Random random = new Random(SEED);
        final Map<String, Integer> outcomes = new TreeMap<>();
        final Map<String, Integer> commandRuns = new TreeMap<>();
        Files.createDirectories(dir);
        for (int i = 0; i < CASES; i++)
        {
            final List<String> keys = new ArrayList<>();
            String text = validFile(random, keys);
            final int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++)
            {
                text = mutate(random, text);
            }
            final Expected expected = reference(NAME, text);
            outcomes.merge(expected.kind(), 1, Integer::sum);
            final String where = "case " + i + " (seed " + SEED + ")";
            try
            {
                final Credentials credentials = Credentials.parse(NAME, text);
                if (null == expected.clients())
                {
                    fail(where + ": parsed, but the reference expects: " + expected.message());
                }
                assertClients(expected.clients(), credentials, where);
            }
            catch (final CredentialsException ex)
            {
                assertEquals(expected.message(), ex.getMessage(), where);
                assertTrue(ex.getMessage().startsWith(NAME + " line " + expected.line() + ": "), where);
                assertNoKeyNorLongField(ex.getMessage(), keys, text, expected.line(), where);
            }
            if (commandRuns.merge(expected.kind(), 1, Integer::sum) <= 3 && encodable(text))
            {
                assertCheckCommand(text, i);
            }
        }
        for (final String kind : List.of("parsed", "fields", "client id", "client id 0", "stored key length",
            "stored key digits", "permission unknown", "permission twice", "listed twice"))
        {
            assertTrue(outcomes.getOrDefault(kind, 0) >= 30, "too few cases of " + kind + ": " + outcomes);
        }
        assertEquals(CASES, outcomes.values().stream().mapToInt(Integer::intValue).sum());
    }

    private void assertCheckCommand(final String text, final int index) throws IOException
    {
        final Path file = dir.resolve("case-" + index);
        Files.write(file, text.getBytes(StandardCharsets.UTF_8));
        final Expected expected = reference(file.toString(), text);
        final CommandRun run = CommandRun.of("auth", "check", "--file", file.toString());
        if (null == expected.clients())
        {
            assertEquals(2, run.exit(), "case " + index);
            assertEquals("sluice auth: " + expected.message() + "\n", run.err(), "case " + index);
            assertEquals("", run.out());
        }
        else
        {
            assertEquals(0, run.exit(), run.err());
            final int size = expected.clients().size();
            assertEquals(size + (1 == size ? " client\n" : " clients\n"), run.out());
        }
    }

    private static void assertClients(final List<Client> expected, final Credentials actual, final String where)
    {
        final List<Credentials.Client> clients = actual.clients();
        assertEquals(expected.size(), clients.size(), where);
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(expected.get(i).clientId(), clients.get(i).clientId(), where);
            assertArrayEquals(expected.get(i).storedKey(), clients.get(i).storedKey(), where);
            assertEquals(expected.get(i).permissions(), clients.get(i).permissions(), where);
        }
    }

    private static void assertNoKeyNorLongField(
        final String message, final List<String> keys, final String text, final int lineNumber, final String where)
    {
        final String lower = message.toLowerCase(Locale.ROOT);
        for (final String key : keys)
        {
            assertFalse(lower.contains(key), where + ": the message holds a stored key");
        }
        final String line = text.split("\n", -1)[lineNumber - 1];
        for (final String field : fields(line))
        {
            for (int start = 0; start + 41 <= field.length(); start++)
            {
                final String window = field.substring(start, start + 41);
                assertTrue(window.contains(".") || !message.contains(window),
                    where + ": more than 40 characters of a field in " + message);
            }
        }
    }

    /**
     * The file's grammar, read character by character: lines end at \n (one \r before it dropped); a line blank or
     * starting with # after stripping whitespace is skipped; else three fields separated by ASCII whitespace: a
     * client id (an optional sign and ASCII digits, an int64 other than 0, not listed before), a stored key (64
     * ASCII hex digits) and permissions (names separated by commas, each stripped of control characters and spaces
     * around it, each known and named once).
     */
    private static Expected reference(final String name, final String text)
    {
        final Map<Long, Client> clients = new LinkedHashMap<>();
        int lineNumber = 0;
        int start = 0;
        while (start <= text.length())
        {
            lineNumber++;
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end;
            String line = text.substring(start, end);
            start = end + 1;
            if (line.endsWith("\r"))
            {
                line = line.substring(0, line.length() - 1);
            }
            line = stripWhitespace(line);
            if (line.isEmpty() || '#' == line.charAt(0))
            {
                continue;
            }
            final String where = name + " line " + lineNumber + ": ";
            final List<String> fields = fields(line);
            if (3 != fields.size())
            {
                return failure(lineNumber, "fields", where + "must be '<client id> <stored key> <permissions>' " +
                    "(3 fields), not " + fields.size() + " fields");
            }
            final String id = fields.get(0);
            if (!isDecimal(id) || new BigInteger(id).bitLength() > 63)
            {
                return failure(lineNumber, "client id", where + "client id '" + printable(id) + "' must be a " +
                    "decimal integer in [-2^63, 2^63-1], not 0");
            }
            final long clientId = new BigInteger(id).longValueExact();
            if (0 == clientId)
            {
                return failure(lineNumber, "client id 0", where + "client id 0 is not allowed (0 names an " +
                    "unreadable message)");
            }
            final String key = fields.get(1);
            if (64 != key.length())
            {
                return failure(lineNumber, "stored key length", where + "stored key must be 64 hex digits, not " +
                    key.length() + " characters");
            }
            final byte[] storedKey = new byte[32];
            for (int i = 0; i < 64; i++)
            {
                final int digit = "0123456789abcdef".indexOf(Character.toLowerCase(key.charAt(i) < 128 ?
                    key.charAt(i) : 'x'));
                if (digit < 0)
                {
                    return failure(lineNumber, "stored key digits", where + "stored key must be 64 hex digits " +
                        "(0-9, a-f)");
                }
                storedKey[i / 2] |= (byte)(digit << (0 == i % 2 ? 4 : 0));
            }
            int permissions = 0;
            final String permissionField = fields.get(2);
            int from = 0;
            while (from <= permissionField.length())
            {
                int comma = permissionField.indexOf(',', from);
                comma = comma < 0 ? permissionField.length() : comma;
                final String permission = trimControl(permissionField.substring(from, comma));
                from = comma + 1;
                if (!Arrays.asList(PERMISSIONS).contains(permission))
                {
                    return failure(lineNumber, "permission unknown", where + "permission '" +
                        printable(permission) + "' must be one of: send, query, subscribe, admin");
                }
                final int bit = 1 << Arrays.asList(PERMISSIONS).indexOf(permission);
                if (0 != (permissions & bit))
                {
                    return failure(lineNumber, "permission twice", where + "permission '" + permission +
                        "' is named twice");
                }
                permissions |= bit;
            }
            if (clients.containsKey(clientId))
            {
                return failure(lineNumber, "listed twice", where + "client id " + clientId + " is listed twice");
            }
            clients.put(clientId, new Client(clientId, storedKey, permissions));
        }
        return new Expected(new ArrayList<>(clients.values()), 0, "parsed", null);
    }

    private static Expected failure(final int line, final String kind, final String message)
    {
        return new Expected(null, line, kind, message);
    }

    private static boolean isDecimal(final String text)
    {
        final int first = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        if (text.length() == first)
        {
            return false;
        }
        for (int i = first; i < text.length(); i++)
        {
            if (text.charAt(i) < '0' || text.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }

    /** Whitespace at either end (Character.isWhitespace, code point by code point) removed. */
    private static String stripWhitespace(final String text)
    {
        int start = 0;
        int end = text.length();
        while (start < end && Character.isWhitespace(text.codePointAt(start)))
        {
            start += Character.charCount(text.codePointAt(start));
        }
        while (end > start && Character.isWhitespace(text.codePointBefore(end)))
        {
            end -= Character.charCount(text.codePointBefore(end));
        }
        return text.substring(start, end);
    }

    /** Characters up to U+0020 at either end removed (the spaces around a permission name). */
    private static String trimControl(final String text)
    {
        int start = 0;
        int end = text.length();
        while (start < end && text.charAt(start) <= ' ')
        {
            start++;
        }
        while (end > start && text.charAt(end - 1) <= ' ')
        {
            end--;
        }
        return text.substring(start, end);
    }

    private static List<String> fields(final String line)
    {
        final List<String> fields = new ArrayList<>();
        final StringBuilder field = new StringBuilder();
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (ASCII_WHITESPACE.indexOf(c) >= 0)
            {
                if (field.length() > 0)
                {
                    fields.add(field.toString());
                    field.setLength(0);
                }
            }
            else
            {
                field.append(c);
            }
        }
        if (field.length() > 0)
        {
            fields.add(field.toString());
        }
        return fields;
    }

    /** At most 40 UTF-16 units of the field then "...", every code point outside ASCII 0x20-0x7E shown as '?'. */
    private static String printable(final String field)
    {
        final String shortened = field.length() > 40 ? field.substring(0, 40) + "..." : field;
        final StringBuilder text = new StringBuilder();
        shortened.codePoints().forEach((c) -> text.append(c >= 0x20 && c <= 0x7E ? (char)c : '?'));
        return text.toString();
    }

    private static boolean encodable(final String text)
    {
        return text.equals(new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    private static String validFile(final Random random, final List<String> keys)
    {
        final StringBuilder text = new StringBuilder();
        final String newline = random.nextInt(4) == 0 ? "\r\n" : "\n";
        if (random.nextBoolean())
        {
            text.append("# credentials of the fuzz test").append(newline);
        }
        final Set<Long> ids = new HashSet<>();
        final int clients = 3 + random.nextInt(6);
        while (ids.size() < clients)
        {
            final long id = switch (random.nextInt(4))
            {
                case 0 -> Long.MAX_VALUE - random.nextInt(3);
                case 1 -> Long.MIN_VALUE + random.nextInt(3);
                case 2 -> -1 - random.nextInt(1000);
                default -> 1 + random.nextInt(1000);
            };
            if (!ids.add(id))
            {
                continue;
            }
            final byte[] secret = new byte[AuthProof.SECRET_LENGTH];
            random.nextBytes(secret);
            final String key = AuthProof.toHex(AuthProof.storedKey(secret));
            keys.add(key);
            final List<String> names = new ArrayList<>(List.of(PERMISSIONS));
            Collections.shuffle(names, random);
            final String separator = random.nextInt(5) == 0 ? "\t" : random.nextInt(5) == 0 ? "   " : " ";
            text.append(random.nextInt(8) == 0 ? "  " : "")
                .append(id).append(separator)
                .append(random.nextInt(6) == 0 ? key.toUpperCase(Locale.ROOT) : key).append(separator)
                .append(String.join(",", names.subList(0, 1 + random.nextInt(4))))
                .append(random.nextInt(8) == 0 ? " \t" : "").append(newline);
            if (random.nextInt(5) == 0)
            {
                text.append(random.nextBoolean() ? "" : "   # a comment").append(newline);
            }
        }
        return text.toString();
    }

    private static String mutate(final Random random, final String text)
    {
        final List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        final int index = random.nextInt(lines.size());
        final String line = lines.get(index);
        final List<String> fields = fields(line);
        switch (random.nextInt(12))
        {
            case 0 ->
            {
                return text.substring(0, random.nextInt(text.length() + 1));
            }
            case 1 -> lines.set(index, line.substring(0, random.nextInt(line.length() + 1)));
            case 2 ->
            {
                if (text.isEmpty())
                {
                    return text;
                }
                final char[] chars = text.toCharArray();
                final int at = random.nextInt(chars.length);
                chars[at] = (char)(chars[at] ^ (1 << random.nextInt(8)));
                return new String(chars);
            }
            case 3 ->
            {
                final StringBuilder garbage = new StringBuilder();
                final int length = 1 + random.nextInt(20);
                for (int i = 0; i < length; i++)
                {
                    garbage.append(GARBAGE.charAt(random.nextInt(GARBAGE.length())));
                }
                return insert(random, text, garbage.toString());
            }
            case 4 ->
            {
                final int at = random.nextInt(text.length() + 1);
                return text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(8)));
            }
            case 5 -> lines.add(index + random.nextInt(lines.size() - index + 1), line);
            case 6 ->
            {
                final List<String> other = fields(lines.get(random.nextInt(lines.size())));
                if (fields.size() == 3 && !other.isEmpty())
                {
                    final String id = random.nextInt(3) == 0 ? ZERO_IDS[random.nextInt(ZERO_IDS.length)] :
                        other.get(0);
                    lines.set(index, id + " " + fields.get(1) + " " + fields.get(2));
                }
            }
            case 7 ->
            {
                if (fields.size() == 3)
                {
                    final String key = fields.get(1);
                    final int at = random.nextInt(key.length() + 1);
                    final String bad = switch (random.nextInt(4))
                    {
                        case 0 -> key.substring(0, at) + "gG-x".charAt(random.nextInt(4)) +
                            key.substring(Math.min(key.length(), at + 1));
                        case 1 -> key.substring(0, at) + key.substring(Math.min(key.length(), at + 1));
                        case 2 -> key.substring(0, at) + "a" + key.substring(at);
                        default -> key.substring(0, at) + new String(Character.toChars(0xFF10 + random.nextInt(10))) +
                            key.substring(Math.min(key.length(), at + 1));
                    };
                    lines.set(index, fields.get(0) + " " + bad + " " + fields.get(2));
                }
            }
            case 8 ->
            {
                if (fields.size() == 3)
                {
                    lines.set(index, fields.get(0) + " " + fields.get(1) + " " +
                        BAD_PERMISSIONS[random.nextInt(BAD_PERMISSIONS.length)]);
                }
            }
            case 9 ->
            {
                final String run = String.valueOf("a0 ,\u00E9".charAt(random.nextInt(5)))
                    .repeat(1_000 + random.nextInt(random.nextInt(10) == 0 ? 200_000 : 5_000));
                return insert(random, text, run);
            }
            case 10 ->
            {
                final String character = new String(Character.toChars(NON_ASCII[random.nextInt(NON_ASCII.length)]));
                if (random.nextBoolean() || text.isEmpty())
                {
                    return insert(random, text, character);
                }
                final int at = random.nextInt(text.length());
                return text.substring(0, at) + character + text.substring(at + 1);
            }
            default ->
            {
                return switch (random.nextInt(3))
                {
                    case 0 -> text.replace("\r\n", "\n").replace("\n", "\r\n");
                    case 1 -> insert(random, text, "\r");
                    default -> text.replace("\r\n", "\n");
                };
            }
        }
        return String.join("\n", lines);
    }

    private static String insert(final Random random, final String text, final String insertion)
    {
        final int at = random.nextInt(text.length() + 1);
        return text.substring(0, at) + insertion + text.substring(at);
    }
}
