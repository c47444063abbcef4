package io.telemetry.aggregator.job;

/**
 * The operators' stable uids. Savepoints map state to operators by these: never change one, and
 * give every new operator its own.
 */
public final class Uids {

    public static final String UDP_SOURCE = "udp-source";
    public static final String PARSE = "parse";
    public static final String WATERMARKS = "watermarks";
    public static final String PRE_AGGREGATE = "pre-aggregate";
    public static final String SERIES_ADMISSION = "series-admission";
    public static final String WINDOW_AGGREGATE = "window-aggregate";
    public static final String LATE_DEAD_LETTERS = "late-dead-letters";
    public static final String AGGREGATE_LOG_SINK = "aggregate-log-sink";
    public static final String DEAD_LETTER_LOG_SINK = "dead-letter-log-sink";
    public static final String KAFKA_AGGREGATE_SINK = "kafka-aggregate-sink";
    public static final String KAFKA_DEAD_LETTER_SINK = "kafka-dead-letter-sink";
    public static final String POSTGRES_SINK = "postgres-sink";
    public static final String INFLUXDB_SINK = "influxdb-sink";

    private Uids() {}
}
