package io.sluice.tools.stat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import io.aeron.AeronCounters;
import io.sluice.server.counters.CounterCatalog;
import io.sluice.server.counters.SluiceCounters;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sluice stat --json}: one reading of a daemon's (or cluster node's) counters as a JSON document, written
 * with Jackson's streaming {@link JsonGenerator}. Shape (pretty-printed, two-space indent, UTF-8):
 * <pre>
 * {
 *   "driver_dir": "/dev/shm/sluice-root-driver",
 *   "timestamp": "2026-05-01T10:00:00.123456Z",       ISO-8601 UTC, when the counters were read
 *   "counters": [
 *     {
 *       "id": 96,                                      counter id in the CnC file
 *       "type_id": 1005,
 *       "name": "processor_processed",                 CounterCatalog name
 *       "kind": "counter",                             "counter" (only grows) or "gauge"
 *       "labels": {"shard": "0"},                      {} for a type with one counter
 *       "label": "sluice processor 0 processed",       as AeronStat shows it
 *       "value": 47888,                                raw 64-bit integer, never scaled
 *       "scale": 1.0                                   value x scale is in the unit the name ends in
 *     }, ...                                           snapshot_digest adds "value_hex", cluster_role "role"
 *   ],
 *   "totals": {"ingress_received": 100009, ...}        per name of kind counter, the sum of its counters
 * }
 * </pre>
 * Not thread-safe: one call at a time per output stream.
 */
public final class StatJson
{
    private static final JsonFactory FACTORY = JsonFactory.builder()
        .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
        .build();

    private StatJson()
    {
    }

    /**
     * Read the counters under a driver directory and print them as JSON.
     *
     * @param driverDir the daemon's media driver directory.
     * @param out       where the JSON goes (nothing is written there when no driver runs).
     * @param err       where the line saying no driver runs goes.
     * @return 0 when printed, 1 when no media driver is there.
     * @throws IOException when the output cannot be written.
     */
    public static int print(final String driverDir, final PrintStream out, final PrintStream err) throws IOException
    {
        final StatReading reading = StatReading.read(driverDir);
        if (null == reading)
        {
            err.println(SluiceStat.noDriverMessage(driverDir));
            return 1;
        }
        write(driverDir, reading, out);
        out.flush();
        return 0;
    }

    /**
     * Write one reading as a JSON document followed by a newline.
     *
     * @param driverDir the driver directory it was read from.
     * @param reading   the counters.
     * @param out       where to write; left open.
     * @throws IOException when the output cannot be written.
     */
    public static void write(final String driverDir, final StatReading reading, final OutputStream out)
        throws IOException
    {
        try (JsonGenerator json = FACTORY.createGenerator(out, JsonEncoding.UTF8))
        {
            json.setPrettyPrinter(prettyPrinter());
            json.writeStartObject();
            json.writeStringField("driver_dir", driverDir);
            json.writeStringField("timestamp", reading.timestamp().toString());
            json.writeArrayFieldStart("counters");
            for (final StatReading.Value value : reading.values())
            {
                writeCounter(json, value);
            }
            json.writeEndArray();
            json.writeObjectFieldStart("totals");
            for (final Map.Entry<String, Long> total : reading.totals().entrySet())
            {
                json.writeNumberField(total.getKey(), total.getValue());
            }
            json.writeEndObject();
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }

    private static void writeCounter(final JsonGenerator json, final StatReading.Value value) throws IOException
    {
        final CounterCatalog.Entry entry = value.entry();
        json.writeStartObject();
        json.writeNumberField("id", value.counterId());
        json.writeNumberField("type_id", entry.typeId());
        json.writeStringField("name", entry.name());
        json.writeStringField("kind", entry.kind().name().toLowerCase(Locale.ROOT));
        json.writeObjectFieldStart("labels");
        if (CounterCatalog.KeyLabel.NONE != entry.keyLabel())
        {
            json.writeStringField(entry.keyLabel().labelName(), value.labelValue());
        }
        json.writeEndObject();
        json.writeStringField("label", value.label());
        json.writeNumberField("value", value.value());
        json.writeNumberField("scale", entry.scale());
        if (SluiceCounters.SNAPSHOT_DIGEST_TYPE_ID == entry.typeId())
        {
            json.writeStringField("value_hex", SluiceStat.hex(value.value()));
        }
        else if (AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID == entry.typeId())
        {
            json.writeStringField("role", SluiceStat.roleName(value.value()));
        }
        json.writeEndObject();
    }

    private static DefaultPrettyPrinter prettyPrinter()
    {
        final DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        return new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""))
            .withObjectIndenter(indenter)
            .withArrayIndenter(indenter);
    }
}
