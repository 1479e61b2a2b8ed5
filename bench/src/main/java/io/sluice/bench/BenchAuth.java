package io.sluice.bench;

import io.sluice.client.SluiceClient;
import io.sluice.config.SluiceConfig;
import io.sluice.protocol.auth.Permission;
import io.sluice.tools.auth.CredentialsTool;
import org.agrona.IoUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --auth} of {@code ./sluice bench}: a credentials file of its own, written by {@code sluice auth add-client}'s
 * code ({@link CredentialsTool#addClient}) into a temporary directory ({@code rwx------}), one client id a bench
 * client ({@value #FIRST_CLIENT_ID}, {@value #FIRST_CLIENT_ID} + 1, ...) with {@value #PERMISSIONS}; the daemon
 * starts with {@code sluice.auth.file} naming it. The secrets stay in this process's memory and go to the bench's
 * own clients through their {@link SluiceClient.Context#secret(String)}; a generator process gets its clients'
 * secrets in a file of that directory ({@code rw-------}, see {@link #writeSecrets}), never on a command line. Closing
 * deletes the directory. Control thread only.
 */
final class BenchAuth implements AutoCloseable
{
    /** The first bench client's id. */
    static final long FIRST_CLIENT_ID = 1001;
    /** Every bench client's permissions: subscribe, so window results and alerts reach it as without auth. */
    static final String PERMISSIONS = "send,query,subscribe";

    private final Path dir;
    private final Path file;
    private final List<String> secrets = new ArrayList<>();
    private final int maxSessions;

    private BenchAuth(final Path dir, final Path file, final int maxSessions)
    {
        this.dir = dir;
        this.file = file;
        this.maxSessions = maxSessions;
    }

    /**
     * @param clients how many clients to list.
     * @return the credentials, written.
     * @throws IOException when the file cannot be written.
     */
    static BenchAuth create(final int clients) throws IOException
    {
        final Path dir = Files.createTempDirectory("sluice-bench-auth-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        final BenchAuth auth = new BenchAuth(dir, dir.resolve("credentials"), clients + 8);
        final SecureRandom random = new SecureRandom();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        for (int i = 0; i < clients; i++)
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final int status = CredentialsTool.addClient(auth.file, FIRST_CLIENT_ID + i, Permission.parse(PERMISSIONS),
                random, new PrintStream(out, true, StandardCharsets.US_ASCII),
                new PrintStream(err, true, StandardCharsets.UTF_8));
            final String secret = out.toString(StandardCharsets.US_ASCII).lines()
                .filter((l) -> l.startsWith("secret ")).map((l) -> l.substring("secret ".length())).findFirst()
                .orElse(null);
            if (0 != status || null == secret)
            {
                auth.close();
                throw new IllegalStateException("sluice auth add-client failed (" + status + "): " +
                    err.toString(StandardCharsets.UTF_8));
            }
            auth.secrets.add(secret);
        }
        return auth;
    }

    /**
     * @return the daemon's system properties: the credentials file, and room for every bench client's session.
     */
    List<String> daemonOptions()
    {
        return List.of("-D" + SluiceConfig.AUTH_FILE + "=" + file, "-D" + SluiceConfig.AUTH_MAX_SESSIONS + "=" +
            maxSessions);
    }

    /**
     * @return how many clients the file lists.
     */
    int clients()
    {
        return secrets.size();
    }

    /**
     * @param ctx   a client's context.
     * @param index the bench client, 0 to {@link #clients()} - 1.
     * @return the context, authenticating as that client.
     */
    SluiceClient.Context authenticate(final SluiceClient.Context ctx, final int index)
    {
        return ctx.clientId(FIRST_CLIENT_ID + index).secret(secrets.get(index));
    }

    /**
     * @param from  the first bench client.
     * @param count how many.
     * @return a file ({@code rw-------}) of lines {@code <client id> <secret>} for a generator process.
     * @throws IOException when it cannot be written.
     */
    Path writeSecrets(final int from, final int count) throws IOException
    {
        final Path secretsFile = Files.createTempFile(dir, "secrets-", "",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        final StringBuilder lines = new StringBuilder();
        for (int i = from; i < from + count; i++)
        {
            lines.append(FIRST_CLIENT_ID + i).append(' ').append(secrets.get(i)).append('\n');
        }
        Files.writeString(secretsFile, lines, StandardCharsets.US_ASCII);
        return secretsFile;
    }

    /**
     * @param secretsFile a file {@link #writeSecrets} wrote.
     * @return its lines, each {@code {client id, secret}}.
     * @throws IOException when it cannot be read.
     */
    static List<String[]> readSecrets(final Path secretsFile) throws IOException
    {
        final List<String[]> clients = new ArrayList<>();
        for (final String line : Files.readAllLines(secretsFile, StandardCharsets.US_ASCII))
        {
            if (!line.isBlank())
            {
                clients.add(line.trim().split(" "));
            }
        }
        return clients;
    }

    /**
     * Delete the directory: the credentials and every secrets file.
     */
    public void close()
    {
        IoUtil.delete(dir.toFile(), true);
    }
}
