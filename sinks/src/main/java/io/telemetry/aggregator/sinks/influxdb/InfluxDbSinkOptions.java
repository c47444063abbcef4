package io.telemetry.aggregator.sinks.influxdb;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Settings of the InfluxDB output: the v2 write API (bucket) or the v1 API (database). */
public final class InfluxDbSinkOptions {

    public static final ConfigOption<String> URL =
            ConfigOptions.key("sink.influxdb.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "InfluxDB base URL, e.g. http://influxdb:8086. Required with the influxdb"
                                    + " sink. Seed variable: INFLUXDB_URL.");

    public static final ConfigOption<String> TOKEN =
            ConfigOptions.key("sink.influxdb.token")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("v2 API token; never logged. Seed variable: INFLUXDB_TOKEN.");

    public static final ConfigOption<String> ORG =
            ConfigOptions.key("sink.influxdb.org")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("v2 organisation. Seed variable: INFLUXDB_ORG.");

    public static final ConfigOption<String> BUCKET =
            ConfigOptions.key("sink.influxdb.bucket")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "v2 bucket; setting it selects the v2 write API (/api/v2/write). Seed"
                                    + " variable: INFLUXDB_BUCKET.");

    public static final ConfigOption<String> DATABASE =
            ConfigOptions.key("sink.influxdb.database")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("v1 database; setting it selects the v1 write API (/write).");

    public static final ConfigOption<String> RETENTION_POLICY =
            ConfigOptions.key("sink.influxdb.retention-policy")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("v1 retention policy; the database's default when unset.");

    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("sink.influxdb.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("v1 user, when authentication is on.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("sink.influxdb.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("v1 password; never logged.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("sink.influxdb.batch-size")
                    .intType()
                    .defaultValue(5000)
                    .withDescription("Most points in one write request.");

    public static final ConfigOption<Duration> FLUSH_INTERVAL =
            ConfigOptions.key("sink.influxdb.flush-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "Longest time a point waits for its batch; batches also go at each checkpoint.");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT =
            ConfigOptions.key("sink.influxdb.max-in-flight-requests")
                    .intType()
                    .defaultValue(4)
                    .withDescription("Write requests under way at once per parallel sink.");

    public static final ConfigOption<Integer> MAX_BUFFERED =
            ConfigOptions.key("sink.influxdb.max-buffered-points")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription(
                            "Points a parallel sink holds while InfluxDB is slow or away; beyond it"
                                    + " the job is held back.");

    private InfluxDbSinkOptions() {}
}
