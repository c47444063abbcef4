package io.telemetry.aggregator.operators;

/**
 * The operators' display names, as the web UI, the logs and the metrics show them (the job's {@code
 * Uids} are their stable ids). The REST API and the metric reporters name an operator's metrics
 * after its name with spaces and colons as underscores: {@link #metric}.
 */
public final class OperatorNames {

    public static final String UDP_SOURCE = "UDP telemetry source";
    public static final String PARSE = "Parse records";
    public static final String WATERMARKS = "Event-time watermarks";
    public static final String PRE_AGGREGATE = "Pre-aggregation";
    public static final String SERIES_ADMISSION = "Series admission";
    public static final String WINDOW_AGGREGATE = "Tumbling window aggregation";
    public static final String LATE_DEAD_LETTERS = "Late records to dead letters";
    public static final String AGGREGATE_LOG_SINK = "Aggregates to log";
    public static final String DEAD_LETTER_LOG_SINK = "Dead letters to log";
    public static final String KAFKA_AGGREGATE_SINK = "Aggregates to Kafka";
    public static final String KAFKA_DEAD_LETTER_SINK = "Dead letters to Kafka";
    public static final String POSTGRES_SINK = "Aggregates to PostgreSQL";
    public static final String INFLUXDB_SINK = "Aggregates to InfluxDB";

    /** The first word of the name of the job vertex that holds the source and the parser. */
    public static final String SOURCE_VERTEX = "Source";

    /**
     * How the name of the job vertex of the window task begins: with its first operator, the series
     * admission, chained before the windows and the sinks.
     */
    public static final String WINDOW_VERTEX = SERIES_ADMISSION;

    private OperatorNames() {}

    /**
     * A metric's id in the REST API: {@code metric(UDP_SOURCE, "kernel_drops")} is {@code
     * Source__UDP_telemetry_source.kernel_drops} (a source's operator is named "Source: " and its
     * name).
     */
    public static String metric(String operator, String metric) {
        String name = operator.equals(UDP_SOURCE) ? "Source: " + operator : operator;
        return name.replace(' ', '_').replace(':', '_') + "." + metric;
    }
}
