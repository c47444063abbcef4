package io.telemetry.aggregator.job;

import io.telemetry.aggregator.operators.WindowAggregate;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A test sink that fails the job the first time (or the first {@code times} times) it sees an
 * aggregate of one window.
 */
final class FailOnceSink implements Sink<WindowAggregate> {

    private static final long serialVersionUID = 1L;

    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicInteger FAILURES = new AtomicInteger();
    static final AtomicInteger WRITERS = new AtomicInteger();

    private final long windowStart;
    private final int times;

    FailOnceSink(long windowStart) {
        this(windowStart, 1);
    }

    FailOnceSink(long windowStart, int times) {
        this.windowStart = windowStart;
        this.times = times;
    }

    @Override
    public SinkWriter<WindowAggregate> createWriter(WriterInitContext context) {
        WRITERS.incrementAndGet();
        return new SinkWriter<>() {
            @Override
            public void write(WindowAggregate a, Context ctx) {
                if (a.windowStart == windowStart && FAILURES.getAndIncrement() < times) {
                    FAILED.set(true);
                    throw new IllegalStateException("Injected failure on " + a);
                }
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
