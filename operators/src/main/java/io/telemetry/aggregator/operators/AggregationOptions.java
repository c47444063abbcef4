package io.telemetry.aggregator.operators;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Settings of parsing, watermarks and windows. */
public final class AggregationOptions {

    /** How records are recognised. */
    public enum Format {
        AUTO,
        JSON,
        LINE_PROTOCOL,
        STATSD;

        /** The setting's spelling ({@code line-protocol}), which Flink matches values against. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public static final ConfigOption<Format> FORMAT =
            ConfigOptions.key("parse.format")
                    .enumType(Format.class)
                    .defaultValue(Format.AUTO)
                    .withDescription(
                            "Record format: auto detects each record's format from its first bytes"
                                    + " ({ is JSON, name:value|type is StatsD, else line protocol);"
                                    + " json, line-protocol or statsd fix it.");

    public static final ConfigOption<List<String>> DEFAULT_FUNCTIONS =
            ConfigOptions.key("parse.default-function")
                    .stringType()
                    .asList()
                    .defaultValues("avg")
                    .withDescription(
                            "Function(s) for records that name none and match no function rule;"
                                    + " several are separated by ',' or ';'.");

    public static final ConfigOption<List<String>> FUNCTION_RULES =
            ConfigOptions.key("parse.function-rules")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Functions by metric name for records that name none: 'pattern=fn,fn'"
                                    + " entries separated by ';', '*' matching any text, first"
                                    + " match wins. Example: 'gpu.*=avg,max;*.errors=sum'.");

    public static final ConfigOption<List<String>> SOURCE_FIELDS =
            ConfigOptions.key("parse.source-fields")
                    .stringType()
                    .asList()
                    .defaultValues("source", "device_id", "drone_id", "host", "hostname")
                    .withDescription(
                            "Fields (JSON) or tags (line protocol, StatsD) that name the source,"
                                    + " first present wins; without any, the sender's IP address.");

    public static final ConfigOption<Duration> MAX_FUTURE_SKEW =
            ConfigOptions.key("parse.max-future-skew")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "Records timed further than this ahead of their arrival go to the"
                                    + " dead letters as timestamp_out_of_range.");

    public static final ConfigOption<String> LINE_PROTOCOL_PRECISION =
            ConfigOptions.key("parse.line-protocol.precision")
                    .stringType()
                    .defaultValue("ns")
                    .withDescription("Unit of line-protocol timestamps: ns, us, ms or s.");

    public static final ConfigOption<Duration> WINDOW_SIZE =
            ConfigOptions.key("window.size")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "Size of the tumbling event-time windows, aligned to the epoch"
                                    + " (10s, 1m, ...). Seed variable: AGGREGATION_INTERVAL (seconds).");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            ConfigOptions.key("window.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "How far behind the newest event time a record may arrive and still"
                                    + " count: the watermark trails the newest event time by this.");

    public static final ConfigOption<Duration> ALLOWED_LATENESS =
            ConfigOptions.key("window.allowed-lateness")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "How long after a window was emitted a late record still updates it"
                                    + " (the window is emitted again); later records are dead letters.");

    public static final ConfigOption<Duration> IDLE_TIMEOUT =
            ConfigOptions.key("window.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(3))
                    .withDescription(
                            "After a reader has had no records for this long, its watermark moves"
                                    + " on with the wall clock until its open windows are emitted,"
                                    + " then it stops holding other readers back. Open windows are"
                                    + " emitted at most out-of-orderness + window size + this"
                                    + " after the last datagram.");

    public static final ConfigOption<Integer> PRE_AGGREGATION_MAX_SERIES =
            ConfigOptions.key("window.pre-aggregation.max-series")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription(
                            "Series-and-window partials each parsing task combines before the shuffle,"
                                    + " emitted at every watermark and checkpoint or when this many are held;"
                                    + " 0 sends every record to the window operator on its own.");

    private AggregationOptions() {}
}
