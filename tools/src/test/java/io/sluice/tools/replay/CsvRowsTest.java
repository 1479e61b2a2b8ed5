package io.sluice.tools.replay;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CsvRowsTest
{
    private static String format(final double value)
    {
        return CsvRows.appendDouble(new StringBuilder(), value).toString();
    }

    @Test
    void shouldWriteCommonValuesAsJavaDoes()
    {
        for (final double value : new double[] { 0.0, -0.0, 1.0, -1.0, 95.01, 105.0, 0.001, 0.05, 298.3, 875.23,
            1234567.5, 9999999.0, 1e7, 1e-4, 0.1 + 0.2, 123.456789, Double.NaN, Double.POSITIVE_INFINITY, 1e300 })
        {
            assertEquals(Double.toString(value), format(value), "value " + value);
        }
        assertEquals("0.005", format(0.005));
        assertEquals("-12.0625", format(-12.0625));
        assertEquals("3.000001", format(3.000001));
    }

    @Test
    void shouldReadBackAsExactlyTheSameDouble()
    {
        final Random random = new Random(7);
        for (int i = 0; i < 200_000; i++)
        {
            final double value;
            switch (i % 4)
            {
                case 0 -> value = random.nextInt(2_000_000) / 100.0 - 10_000;
                case 1 -> value = random.nextDouble() * Math.pow(10, random.nextInt(12) - 4);
                case 2 -> value = (random.nextInt(1 << 20) - (1 << 19)) / 1024.0;
                default -> value = Double.longBitsToDouble(random.nextLong());
            }
            final String text = format(value);
            assertEquals(Double.doubleToLongBits(value), Double.doubleToLongBits(Double.parseDouble(text)),
                value + " written as " + text);
        }
    }

    @Test
    void shouldWriteSumsOfTwoDecimalValuesAsJavaDoes()
    {
        final Random random = new Random(11);
        double sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            sum += 95 + random.nextInt(1000) / 100.0;
            assertEquals(Double.toString(sum), format(sum));
        }
    }
}
