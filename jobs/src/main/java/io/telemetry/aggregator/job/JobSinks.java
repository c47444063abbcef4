package io.telemetry.aggregator.job;

import io.telemetry.aggregator.job.JobOptions.SinkType;
import io.telemetry.aggregator.operators.OperatorNames;
import io.telemetry.aggregator.sinks.LoggingSink;
import io.telemetry.aggregator.sinks.influxdb.InfluxDbSink;
import io.telemetry.aggregator.sinks.kafka.KafkaSinks;
import io.telemetry.aggregator.sinks.postgres.PostgresAggregateSink;
import java.util.EnumSet;
import java.util.Set;
import org.apache.flink.configuration.Configuration;

/**
 * The outputs chosen by {@code sink.types}, each built and checked from its settings, and attached
 * to the pipeline with its own stable uid. Dead letters go to the Kafka dead-letter topic when
 * Kafka is chosen, and to the log otherwise, so that they are never dropped.
 */
final class JobSinks {

    private final Set<SinkType> types;
    private final KafkaSinks kafka;
    private final PostgresAggregateSink postgres;
    private final InfluxDbSink influxDb;

    private JobSinks(
            Set<SinkType> types,
            KafkaSinks kafka,
            PostgresAggregateSink postgres,
            InfluxDbSink influxDb) {
        this.types = types;
        this.kafka = kafka;
        this.postgres = postgres;
        this.influxDb = influxDb;
    }

    /**
     * Builds the chosen sinks from the configuration.
     *
     * @throws IllegalArgumentException one line naming the setting that is missing or wrong
     */
    static JobSinks from(Configuration config) {
        Set<SinkType> types = EnumSet.noneOf(SinkType.class);
        types.addAll(config.get(JobOptions.SINKS));
        if (types.isEmpty()) {
            throw new IllegalArgumentException(
                    JobOptions.SINKS.key()
                            + " is empty: choose one or more of log, kafka, postgres, influxdb");
        }
        return new JobSinks(
                types,
                types.contains(SinkType.KAFKA) ? KafkaSinks.from(config) : null,
                types.contains(SinkType.POSTGRES) ? PostgresAggregateSink.from(config) : null,
                types.contains(SinkType.INFLUXDB) ? InfluxDbSink.from(config) : null);
    }

    /**
     * Checks the stores before the job starts: Kafka's transaction limit and topics, the PostgreSQL
     * table.
     *
     * @throws IllegalStateException one line saying what is wrong
     */
    void prepare() {
        if (kafka != null) {
            kafka.prepare();
        }
        if (postgres != null) {
            postgres.prepare();
        }
    }

    void attach(TelemetryAggregatorJob.Outputs outputs) {
        if (types.contains(SinkType.LOG)) {
            outputs.aggregates
                    .sinkTo(LoggingSink.aggregates())
                    .name(OperatorNames.AGGREGATE_LOG_SINK)
                    .uid(Uids.AGGREGATE_LOG_SINK);
        }
        if (kafka != null) {
            outputs.aggregates
                    .sinkTo(kafka.aggregateSink())
                    .name(OperatorNames.KAFKA_AGGREGATE_SINK)
                    .uid(Uids.KAFKA_AGGREGATE_SINK);
            outputs.deadLetters
                    .sinkTo(kafka.deadLetterSink())
                    .name(OperatorNames.KAFKA_DEAD_LETTER_SINK)
                    .uid(Uids.KAFKA_DEAD_LETTER_SINK);
        }
        if (kafka == null || types.contains(SinkType.LOG)) {
            outputs.deadLetters
                    .sinkTo(LoggingSink.deadLetters())
                    .name(OperatorNames.DEAD_LETTER_LOG_SINK)
                    .uid(Uids.DEAD_LETTER_LOG_SINK);
        }
        if (postgres != null) {
            outputs.aggregates
                    .sinkTo(postgres.sink())
                    .name(OperatorNames.POSTGRES_SINK)
                    .uid(Uids.POSTGRES_SINK);
        }
        if (influxDb != null) {
            outputs.aggregates
                    .sinkTo(influxDb)
                    .name(OperatorNames.INFLUXDB_SINK)
                    .uid(Uids.INFLUXDB_SINK);
        }
    }
}
