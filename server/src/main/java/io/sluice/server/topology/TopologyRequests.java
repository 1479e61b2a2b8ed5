package io.sluice.server.topology;

import org.agrona.ErrorHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;

/**
 * How {@code sluice topology move} hands one step of a move to a daemon on the same host, never over the network,
 * the way {@code sluice rules apply} hands a rule file: the tool writes the request as
 * {@code sluice-topology-<id>.properties} into the daemon's media driver directory, then raises the daemon's
 * topology request counter to the id; the daemon answers in its topology result counter ({@code id} done,
 * {@code -id} refused) and writes {@code sluice-topology-<id>.result} (properties, {@link Result}) or
 * {@code sluice-topology-<id>.refused} (one line: why). The one definition of these files for the tool and the
 * daemon. Any thread.
 * <pre>
 *   request:  action=release|acquire, epoch=N, move-id=N, groups=first-last, slice-dir=/shared/slices,
 *             source=a (acquire only: the appliance that released the slice)
 *   result:   action, epoch, move-id, keys, bytes, position (journal position of the OWNERSHIP entry),
 *             duration-ns (from taking the request to the answer)
 * </pre>
 */
public final class TopologyRequests
{
    /** Action that gives key groups away: their keys go into a slice under the shared slice directory. */
    public static final String RELEASE = "release";
    /** Action that takes key groups in from a released slice. */
    public static final String ACQUIRE = "acquire";

    /**
     * One move step.
     *
     * @param action     {@link #RELEASE} or {@link #ACQUIRE}.
     * @param epoch      the topology epoch after the step, greater than the appliance's.
     * @param moveId     the move's id, positive: names the slice directory {@code move-<id>}.
     * @param firstGroup first key group of the range.
     * @param lastGroup  last key group of the range, included.
     * @param sliceDir   the shared slice directory (the topology's {@code slice-dir}).
     * @param source     for an acquire, the appliance that released the slice; empty for a release.
     */
    public record Request(
        String action, long epoch, long moveId, int firstGroup, int lastGroup, String sliceDir, String source)
    {
        /**
         * @return the range as written: {@code first-last}.
         */
        public String groups()
        {
            return firstGroup + "-" + lastGroup;
        }
    }

    /**
     * What a done step reports.
     *
     * @param action     {@link #RELEASE} or {@link #ACQUIRE}.
     * @param epoch      the appliance's epoch after the step.
     * @param moveId     the move's id.
     * @param keys       keys written into the slice (release) or taken in (acquire).
     * @param bytes      bytes of the slice's parts.
     * @param position   journal position of the step's OWNERSHIP entry.
     * @param durationNs from taking the request to the answer, ns.
     */
    public record Result(
        String action, long epoch, long moveId, long keys, long bytes, long position, long durationNs)
    {
    }

    private TopologyRequests()
    {
    }

    /**
     * @param dir the daemon's media driver directory.
     * @param id  the request id.
     * @return where the request is.
     */
    public static Path requestFile(final Path dir, final long id)
    {
        return dir.resolve("sluice-topology-" + id + ".properties");
    }

    /**
     * @param dir the daemon's media driver directory.
     * @param id  the request id.
     * @return where the daemon reports a done step.
     */
    public static Path resultFile(final Path dir, final long id)
    {
        return dir.resolve("sluice-topology-" + id + ".result");
    }

    /**
     * @param dir the daemon's media driver directory.
     * @param id  the request id.
     * @return where the daemon says why it refused the request.
     */
    public static Path refusalFile(final Path dir, final long id)
    {
        return dir.resolve("sluice-topology-" + id + ".refused");
    }

    /**
     * Write a request, atomically (a temporary file moved into place), before raising the request counter.
     *
     * @param dir     the daemon's media driver directory.
     * @param id      the request id.
     * @param request the step.
     * @return the file written.
     * @throws UncheckedIOException when it cannot be written.
     */
    public static Path writeRequest(final Path dir, final long id, final Request request)
    {
        final Properties p = new Properties();
        p.setProperty("action", request.action());
        p.setProperty("epoch", Long.toString(request.epoch()));
        p.setProperty("move-id", Long.toString(request.moveId()));
        p.setProperty("groups", request.groups());
        p.setProperty("slice-dir", request.sliceDir());
        if (!request.source().isEmpty())
        {
            p.setProperty("source", request.source());
        }
        final Path file = requestFile(dir, id);
        store(p, file, "Sluice topology request");
        return file;
    }

    /**
     * @param file a request file.
     * @return the request.
     * @throws IllegalArgumentException naming the key and value of the first bad entry.
     * @throws UncheckedIOException     when the file cannot be read.
     */
    public static Request readRequest(final Path file)
    {
        final Properties p = load(file);
        final String action = required(p, "action").toLowerCase(Locale.ROOT);
        if (!RELEASE.equals(action) && !ACQUIRE.equals(action))
        {
            throw new IllegalArgumentException("action=" + action + " is not allowed: release or acquire");
        }
        final long epoch = positive(p, "epoch");
        final long moveId = positive(p, "move-id");
        final String groups = required(p, "groups");
        final int dash = groups.indexOf('-');
        final int first;
        final int last;
        try
        {
            first = Integer.parseInt((dash < 0 ? groups : groups.substring(0, dash)).trim());
            last = dash < 0 ? first : Integer.parseInt(groups.substring(dash + 1).trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("groups=" + groups + " is not a range: allowed are N or N-M");
        }
        if (first < 0 || last < first)
        {
            throw new IllegalArgumentException("groups=" + groups + " is not a range with 0 <= first <= last");
        }
        final String sliceDir = required(p, "slice-dir");
        final String source = p.getProperty("source", "").trim();
        if (ACQUIRE.equals(action) && source.isEmpty())
        {
            throw new IllegalArgumentException("source is missing: an acquire names the appliance that released " +
                "the slice");
        }
        return new Request(action, epoch, moveId, first, last, sliceDir, source);
    }

    /**
     * @param dir    the daemon's media driver directory.
     * @param id     the request id.
     * @param result what the step did.
     * @throws UncheckedIOException when it cannot be written.
     */
    public static void writeResult(final Path dir, final long id, final Result result)
    {
        final Properties p = new Properties();
        p.setProperty("action", result.action());
        p.setProperty("epoch", Long.toString(result.epoch()));
        p.setProperty("move-id", Long.toString(result.moveId()));
        p.setProperty("keys", Long.toString(result.keys()));
        p.setProperty("bytes", Long.toString(result.bytes()));
        p.setProperty("position", Long.toString(result.position()));
        p.setProperty("duration-ns", Long.toString(result.durationNs()));
        store(p, resultFile(dir, id), "Sluice topology result");
    }

    /**
     * @param dir the daemon's media driver directory.
     * @param id  the request id whose result counter said done.
     * @return the result.
     * @throws IllegalArgumentException when a value is missing or not a number.
     * @throws UncheckedIOException     when the file cannot be read.
     */
    public static Result readResult(final Path dir, final long id)
    {
        final Properties p = load(resultFile(dir, id));
        return new Result(required(p, "action"), number(p, "epoch"), number(p, "move-id"), number(p, "keys"),
            number(p, "bytes"), number(p, "position"), number(p, "duration-ns"));
    }

    /**
     * @param dir the daemon's media driver directory.
     * @param id  the request id whose result counter said refused.
     * @return the reason, one line.
     * @throws UncheckedIOException when the file cannot be read.
     */
    public static String readRefusal(final Path dir, final long id)
    {
        try
        {
            return Files.readString(refusalFile(dir, id)).trim();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + refusalFile(dir, id), ex);
        }
    }

    /**
     * Refuse a request: its reason into its refusal file, reported to the error handler, its request file deleted.
     * The caller publishes the outcome in its counters.
     *
     * @param dir          the daemon's media driver directory.
     * @param id           the request.
     * @param reason       why, one line.
     * @param errorHandler where the refusal and any file error are reported.
     */
    public static void refuse(final Path dir, final long id, final String reason, final ErrorHandler errorHandler)
    {
        try
        {
            Files.writeString(refusalFile(dir, id), reason + "\n");
        }
        catch (final IOException ex)
        {
            errorHandler.onError(ex);
        }
        errorHandler.onError(new IllegalArgumentException("topology request " + id + " refused: " + reason));
        deleteQuietly(requestFile(dir, id), errorHandler);
    }

    /**
     * Delete a request's file, reporting (not throwing) a failure.
     *
     * @param file         the file.
     * @param errorHandler where a failure is reported.
     */
    public static void deleteQuietly(final Path file, final ErrorHandler errorHandler)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            errorHandler.onError(ex);
        }
    }

    private static void store(final Properties p, final Path file, final String comment)
    {
        final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try
        {
            try (OutputStream out = Files.newOutputStream(temporary))
            {
                p.store(out, comment);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    private static Properties load(final Path file)
    {
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file))
        {
            p.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        return p;
    }

    private static String required(final Properties p, final String key)
    {
        final String value = p.getProperty(key);
        if (null == value || value.isBlank())
        {
            throw new IllegalArgumentException(key + " is missing");
        }
        return value.trim();
    }

    private static long number(final Properties p, final String key)
    {
        final String value = required(p, key);
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + "=" + value + " is not a number");
        }
    }

    private static long positive(final Properties p, final String key)
    {
        final long value = number(p, key);
        if (value < 1)
        {
            throw new IllegalArgumentException(key + "=" + value + " must be at least 1");
        }
        return value;
    }
}
