package io.sluice.server.counters;

import io.sluice.core.RejectReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CounterCatalogTest
{
    @Test
    void shouldNameEverySluiceCounterTypeOnce() throws IllegalAccessException
    {
        int typeIds = 0;
        for (final Field field : SluiceCounters.class.getFields())
        {
            if (Modifier.isStatic(field.getModifiers()) && field.getName().endsWith("_TYPE_ID"))
            {
                final int typeId = field.getInt(null);
                typeIds++;
                if (SluiceCounters.LATENCY_BUCKET_TYPE_ID == typeId || SluiceCounters.LATENCY_SUM_TYPE_ID == typeId)
                {
                    assertNull(CounterCatalog.find(typeId), field.getName() + " is served as a histogram, not listed");
                    continue;
                }
                assertNotNull(CounterCatalog.find(typeId), field.getName() + " has no catalogue entry");
            }
        }
        assertEquals(63, typeIds, "Sluice counter types 1001..1039, 1050..1054 and 1060..1078");

        final Set<String> names = new HashSet<>();
        final Set<Integer> ids = new HashSet<>();
        for (final CounterCatalog.Entry entry : CounterCatalog.entries())
        {
            assertTrue(names.add(entry.name()), "name used twice: " + entry.name());
            assertTrue(ids.add(entry.typeId()), "type used twice: " + entry.typeId());
            assertTrue(entry.name().matches("[a-z][a-z0-9_]*"), entry.name());
        }
        assertEquals(66, CounterCatalog.entries().size(),
            "61 Sluice types (all but the latency histogram's two) and 5 consensus module counters");
        assertNull(CounterCatalog.find(SluiceCounters.TYPE_ID_BASE));
    }

    @Test
    void shouldReadLabelValuesFromKeyAndLabel()
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        key.putInt(0, 3);
        assertEquals("3", CounterCatalog.KeyLabel.SHARD.value(key, "sluice processor 3 processed"));
        key.putInt(0, RejectReason.LATE);
        assertEquals("LATE", CounterCatalog.KeyLabel.REASON.value(key, "sluice rejected LATE"));
        assertEquals("sluice-processor-1",
            CounterCatalog.KeyLabel.AGENT.value(key, "sluice agent sluice-processor-1 max cycle ns"));
        assertEquals("sluice-ingress", CounterCatalog.KeyLabel.AGENT.value(key, "sluice agent sluice-ingress stalls"));
        key.putLong(0, 1234567890123L);
        assertEquals("1234567890123", CounterCatalog.KeyLabel.REGISTRATION_ID.value(key, "whatever"));
        assertEquals("", CounterCatalog.KeyLabel.NONE.value(key, "sluice errors"));
        assertEquals(0.25, CounterCatalog.find(SluiceCounters.AGENT_MAX_CYCLE_TYPE_ID).scaled(250_000_000L), 1e-12);
        assertEquals(1.5, CounterCatalog.find(SluiceCounters.JVM_GC_TIME_TYPE_ID).scaled(1_500L), 1e-12);
        assertEquals(42.0, CounterCatalog.find(SluiceCounters.INGRESS_RECEIVED_TYPE_ID).scaled(42L), 0.0);
    }
}
