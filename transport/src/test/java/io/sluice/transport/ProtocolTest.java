package io.sluice.transport;

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
}
