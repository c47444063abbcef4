package io.telemetry.aggregator.sinks;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.WindowAggregate;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.util.function.SerializableFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each record as one JSON line to a named logger: {@code telemetry.aggregates} for
 * aggregates, {@code telemetry.deadletters} for dead letters. The output for a local run and
 * for jobs with no store configured.
 */
public final class LoggingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    private final String loggerName;
    private final SerializableFunction<T, String> toJson;
    private final boolean aggregates;

    private LoggingSink(String loggerName, SerializableFunction<T, String> toJson, boolean aggregates) {
        this.loggerName = loggerName;
        this.toJson = toJson;
        this.aggregates = aggregates;
    }

    public static LoggingSink<WindowAggregate> aggregates() {
        return new LoggingSink<>("telemetry.aggregates", AggregateJson::aggregate, true);
    }

    public static LoggingSink<DeadLetter> deadLetters() {
        return new LoggingSink<>("telemetry.deadletters", AggregateJson::deadLetter, false);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Histogram processingTime =
                aggregates
                        ? context.metricGroup()
                                .histogram(
                                        "processing_time",
                                        new DescriptiveStatisticsHistogram(10_000))
                        : null;
        return new Writer<>(LoggerFactory.getLogger(loggerName), toJson, processingTime);
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final Logger log;
        private final SerializableFunction<T, String> toJson;
        private final Histogram processingTime;

        Writer(Logger log, SerializableFunction<T, String> toJson, Histogram processingTime) {
            this.log = log;
            this.toJson = toJson;
            this.processingTime = processingTime;
        }

        @Override
        public void write(T element, Context context) {
            log.info(toJson.apply(element));
            if (processingTime != null) {
                WindowAggregate aggregate = (WindowAggregate) element;
                processingTime.update(System.currentTimeMillis() - aggregate.lastReceivedAt);
            }
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
    }
}
