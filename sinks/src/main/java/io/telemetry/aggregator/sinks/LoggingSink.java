package io.telemetry.aggregator.sinks;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.WindowAggregate;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.util.function.SerializableFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each record as one JSON line to a named logger: {@code telemetry.aggregates} for
 * aggregates, {@code telemetry.deadletters} for dead letters. The output for a local run and for
 * jobs with no store configured.
 */
public final class LoggingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    private final String loggerName;
    private final SerializableFunction<T, String> toJson;

    private LoggingSink(String loggerName, SerializableFunction<T, String> toJson) {
        this.loggerName = loggerName;
        this.toJson = toJson;
    }

    public static LoggingSink<WindowAggregate> aggregates() {
        return new LoggingSink<>("telemetry.aggregates", OutputJson::aggregate);
    }

    public static LoggingSink<DeadLetter> deadLetters() {
        return new LoggingSink<>("telemetry.deadletters", OutputJson::deadLetter);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new Writer<>(LoggerFactory.getLogger(loggerName), toJson);
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final Logger log;
        private final SerializableFunction<T, String> toJson;

        Writer(Logger log, SerializableFunction<T, String> toJson) {
            this.log = log;
            this.toJson = toJson;
        }

        @Override
        public void write(T element, Context context) {
            log.info(toJson.apply(element));
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
    }
}
