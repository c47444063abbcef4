package io.telemetry.aggregator.job;

import io.telemetry.aggregator.operators.ParseOptions;
import io.telemetry.aggregator.operators.WindowOptions;
import io.telemetry.aggregator.sinks.influxdb.InfluxDbSinkOptions;
import io.telemetry.aggregator.sinks.kafka.KafkaSinkOptions;
import io.telemetry.aggregator.sinks.postgres.PostgresSinkOptions;
import io.telemetry.aggregator.udp.UdpSourceOptions;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The job's own settings, and the list of every setting the job reads (for --help and checks). */
public final class JobOptions {

    /** Where results go. */
    public enum SinkType {
        LOG,
        KAFKA,
        POSTGRES,
        INFLUXDB
    }

    public static final ConfigOption<List<SinkType>> SINKS =
            ConfigOptions.key("sink.types")
                    .enumType(SinkType.class)
                    .asList()
                    .defaultValues(SinkType.LOG)
                    .withDescription(
                            "Where aggregates go, one or more of log, kafka, postgres, influxdb"
                                    + " (e.g. kafka;postgres). Dead letters go to the Kafka dead-letter"
                                    + " topic with kafka, else to the log. log writes JSON lines to"
                                    + " the loggers telemetry.aggregates and telemetry.deadletters."
                                    + " Seed variable: STORAGE_TYPE (a comma list).");

    /** Every setting of the job, in the order --help and the README show them. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    UdpSourceOptions.BIND_ADDRESS,
                    UdpSourceOptions.PORT,
                    UdpSourceOptions.RECEIVE_BUFFER,
                    UdpSourceOptions.SOCKETS_PER_READER,
                    UdpSourceOptions.MAX_BATCH,
                    UdpSourceOptions.BATCH_LINGER,
                    UdpSourceOptions.ALLOWED_SENDERS,
                    UdpSourceOptions.JOURNAL_ENABLED,
                    UdpSourceOptions.JOURNAL_DIR,
                    UdpSourceOptions.JOURNAL_MAX_BYTES,
                    UdpSourceOptions.JOURNAL_SEGMENT_SIZE,
                    UdpSourceOptions.JOURNAL_SYNC,
                    UdpSourceOptions.JOURNAL_SYNC_INTERVAL,
                    UdpSourceOptions.JOURNAL_MISSING,
                    UdpSourceOptions.JOURNAL_LOCK_TIMEOUT,
                    ParseOptions.FORMAT,
                    ParseOptions.DEFAULT_FUNCTIONS,
                    ParseOptions.FUNCTION_RULES,
                    ParseOptions.SOURCE_FIELDS,
                    ParseOptions.MAX_FUTURE_SKEW,
                    ParseOptions.LINE_PROTOCOL_PRECISION,
                    ParseOptions.STATSD_TIMER_FUNCTIONS,
                    ParseOptions.STATSD_GAUGE_EXPIRY,
                    WindowOptions.WINDOW_SIZE,
                    WindowOptions.OUT_OF_ORDERNESS,
                    WindowOptions.ALLOWED_LATENESS,
                    WindowOptions.IDLE_TIMEOUT,
                    WindowOptions.PRE_AGGREGATION_MAX_SERIES,
                    WindowOptions.MAX_SERIES,
                    WindowOptions.MAX_SERIES_PER_SOURCE,
                    WindowOptions.MAX_SERIES_PER_METRIC,
                    SINKS,
                    KafkaSinkOptions.BOOTSTRAP_SERVERS,
                    KafkaSinkOptions.TOPIC,
                    KafkaSinkOptions.DEAD_LETTER_TOPIC,
                    KafkaSinkOptions.DELIVERY_GUARANTEE,
                    KafkaSinkOptions.TRANSACTIONAL_ID_PREFIX,
                    KafkaSinkOptions.TRANSACTION_TIMEOUT,
                    KafkaSinkOptions.CREATE_TOPICS,
                    KafkaSinkOptions.TOPIC_PARTITIONS,
                    KafkaSinkOptions.TOPIC_REPLICATION,
                    PostgresSinkOptions.CONNECTION,
                    PostgresSinkOptions.USER,
                    PostgresSinkOptions.PASSWORD,
                    PostgresSinkOptions.TABLE,
                    PostgresSinkOptions.BATCH_SIZE,
                    PostgresSinkOptions.BATCH_INTERVAL,
                    PostgresSinkOptions.MAX_RETRIES,
                    PostgresSinkOptions.RECONNECT_TIMEOUT,
                    InfluxDbSinkOptions.URL,
                    InfluxDbSinkOptions.TOKEN,
                    InfluxDbSinkOptions.ORG,
                    InfluxDbSinkOptions.BUCKET,
                    InfluxDbSinkOptions.DATABASE,
                    InfluxDbSinkOptions.RETENTION_POLICY,
                    InfluxDbSinkOptions.USERNAME,
                    InfluxDbSinkOptions.PASSWORD,
                    InfluxDbSinkOptions.BATCH_SIZE,
                    InfluxDbSinkOptions.FLUSH_INTERVAL,
                    InfluxDbSinkOptions.MAX_IN_FLIGHT,
                    InfluxDbSinkOptions.MAX_BUFFERED);

    private JobOptions() {}
}
