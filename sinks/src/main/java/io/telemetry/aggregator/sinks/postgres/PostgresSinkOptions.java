package io.telemetry.aggregator.sinks.postgres;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Settings of the PostgreSQL output. */
public final class PostgresSinkOptions {

    public static final ConfigOption<String> CONNECTION =
            ConfigOptions.key("sink.postgres.connection")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The database: a JDBC URL (jdbc:postgresql://host:5432/db) or a libpq URI"
                                    + " (postgresql://user:password@host:5432/db). Required with the"
                                    + " postgres sink. Seed variable: POSTGRES_CONNECTION_STRING.");

    public static final ConfigOption<String> USER =
            ConfigOptions.key("sink.postgres.user")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("User name, when the connection string has none.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("sink.postgres.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Password, when the connection string has none; never logged. For a"
                                    + " Kubernetes Secret, set TELEMETRY_SINK_POSTGRES_PASSWORD from it.");

    public static final ConfigOption<String> TABLE =
            ConfigOptions.key("sink.postgres.table")
                    .stringType()
                    .defaultValue("telemetry_aggregates")
                    .withDescription(
                            "Table of the aggregates ([schema.]name), created with its unique key"
                                    + " when missing.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("sink.postgres.batch-size")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Rows per batched upsert.");

    public static final ConfigOption<Duration> BATCH_INTERVAL =
            ConfigOptions.key("sink.postgres.batch-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "Longest time a row waits for its batch; batches also go at each checkpoint.");

    public static final ConfigOption<Integer> MAX_RETRIES =
            ConfigOptions.key("sink.postgres.max-retries")
                    .intType()
                    .defaultValue(5)
                    .withDescription(
                            "Retries of a failed batch, waiting 1 s, 2 s, ... between them, after"
                                    + " reconnecting when the connection was lost.");

    public static final ConfigOption<Duration> RECONNECT_TIMEOUT =
            ConfigOptions.key("sink.postgres.reconnect-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "How long the sink keeps trying to reconnect to an unreachable database,"
                                    + " holding the job back meanwhile, before it fails the job.");

    private PostgresSinkOptions() {}
}
