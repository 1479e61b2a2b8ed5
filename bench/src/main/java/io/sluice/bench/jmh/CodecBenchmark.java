package io.sluice.bench.jmh;

import io.sluice.transport.codec.EventDecoder;
import io.sluice.transport.codec.EventEncoder;
import io.sluice.transport.codec.EventResultDecoder;
import io.sluice.transport.codec.EventResultEncoder;
import io.sluice.transport.codec.MessageHeaderDecoder;
import io.sluice.transport.codec.MessageHeaderEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * SBE encode and decode of the hot messages, Event and EventResult, over an off-heap buffer. 0 B/op expected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CodecBenchmark
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final EventEncoder eventEncoder = new EventEncoder();
    private final EventDecoder eventDecoder = new EventDecoder();
    private final EventResultEncoder resultEncoder = new EventResultEncoder();
    private final EventResultDecoder resultDecoder = new EventResultDecoder();
    private long counter;

    /**
     * @return a decoded field, so nothing is dead code.
     */
    @Benchmark
    public double eventEncodeDecode()
    {
        eventEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(7).correlationId(++counter).key(counter & 1023).timestamp(1_700_000_000_000_000_000L).value(1.5);
        eventDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        return eventDecoder.value() + eventDecoder.key();
    }

    /**
     * @return a decoded field, so nothing is dead code.
     */
    @Benchmark
    public double eventResultEncodeDecode()
    {
        resultEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(7).correlationId(++counter).key(counter & 1023).timestamp(1).windowStart(0).count(counter)
            .sum(2.5).min(1).max(3).first(1).last(2);
        resultDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        return resultDecoder.sum() + resultDecoder.count();
    }
}
