package io.sluice.server;

import io.sluice.transport.codec.RejectReason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProtocolTest
{
    @Test
    void shouldUseTheSameRejectCodesInCoreAndOnTheWire()
    {
        int checked = 0;
        for (final RejectReason wire : RejectReason.values())
        {
            if (RejectReason.NULL_VAL == wire)
            {
                continue;
            }
            assertEquals(wire.name(), io.sluice.core.RejectReason.name(wire.value()));
            checked++;
        }
        assertEquals(io.sluice.core.RejectReason.LIMIT - 1, checked);
    }

    @Test
    void shouldUseTheSameResultModesInCoreAndOnTheWire()
    {
        assertEquals(io.sluice.core.ResultMode.PER_EVENT, io.sluice.transport.codec.ResultMode.PER_EVENT.value());
        assertEquals(io.sluice.core.ResultMode.BATCHED, io.sluice.transport.codec.ResultMode.BATCHED.value());
        assertEquals(io.sluice.core.ResultMode.NONE, io.sluice.transport.codec.ResultMode.NONE.value());
        assertEquals(io.sluice.core.ResultMode.LIMIT, io.sluice.transport.codec.ResultMode.values().length - 1);
    }
}
