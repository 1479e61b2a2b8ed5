package io.sluice.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResendBufferTest
{
    @Test
    void shouldHoldEventsInOrderAndFindTheFirstAboveAMark()
    {
        final ResendBuffer buffer = new ResendBuffer(4);
        buffer.add(1, 10, 100, 1.5);
        buffer.add(2, 20, 200, 2.5);
        buffer.add(4, 40, 400, 4.5);

        assertEquals(3, buffer.size());
        assertTrue(buffer.holdsAllAbove(ResendBuffer.NONE));
        assertEquals(0, buffer.firstAbove(ResendBuffer.NONE));
        assertEquals(2, buffer.firstAbove(2));
        assertEquals(2, buffer.firstAbove(3));
        assertEquals(3, buffer.firstAbove(4));
        assertEquals(4, buffer.correlationId(2));
        assertEquals(40, buffer.key(2));
        assertEquals(400, buffer.timestamp(2));
        assertEquals(4.5, buffer.value(2));
    }

    @Test
    void shouldEvictTheOldestWhenFullAndKnowWhatItLost()
    {
        final ResendBuffer buffer = new ResendBuffer(3);
        for (long id = 1; id <= 5; id++)
        {
            buffer.add(id, id * 10, id * 100, id + 0.5);
        }

        assertEquals(3, buffer.size());
        assertEquals(3, buffer.correlationId(0));
        assertEquals(4, buffer.correlationId(1));
        assertEquals(5, buffer.correlationId(2));
        assertEquals(50, buffer.key(2));
        assertEquals(500, buffer.timestamp(2));
        assertEquals(5.5, buffer.value(2));
        assertEquals(2, buffer.evictedUpTo());
        assertTrue(buffer.holdsAllAbove(2));
        assertFalse(buffer.holdsAllAbove(1));
        assertEquals(2, buffer.firstLostAbove(1));
        assertFalse(buffer.holdsAllAbove(ResendBuffer.NONE));
        assertEquals(1, buffer.firstLostAbove(ResendBuffer.NONE));
    }

    @Test
    void shouldHoldNothingWithCapacityZero()
    {
        final ResendBuffer buffer = new ResendBuffer(0);
        buffer.add(7, 1, 1, 1.0);
        buffer.add(8, 1, 1, 1.0);

        assertEquals(0, buffer.size());
        assertTrue(buffer.holdsAllAbove(8));
        assertFalse(buffer.holdsAllAbove(6));
        assertEquals(7, buffer.firstLostAbove(6));
        assertEquals(8, buffer.evictedUpTo());
    }

    @Test
    void shouldRefuseANegativeCapacity()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new ResendBuffer(-1));

        assertEquals("capacity must be >= 0: -1", ex.getMessage());
    }
}
