package io.telemetry.aggregator.operators;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The settings of parsing ({@code parse.*}). */
public final class ParseOptions {

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

    public static final ConfigOption<List<String>> STATSD_TIMER_FUNCTIONS =
            ConfigOptions.key("parse.statsd.timer-functions")
                    .stringType()
                    .asList()
                    .defaultValues(
                            "count", "sum", "avg", "min", "max", "stddev", "p50", "p90", "p95",
                            "p99")
                    .withDescription(
                            "Functions of StatsD timers and histograms (ms, h, d): StatsD's count,"
                                    + " sum, mean, lower, upper, std and upper_N by default;"
                                    + " separated by ',' or ';'.");

    public static final ConfigOption<Duration> STATSD_GAUGE_EXPIRY =
            ConfigOptions.key("parse.statsd.gauge-expiry")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "How long a StatsD gauge's value is kept for a signed line (+N, -N)"
                                    + " in a later window to change; a gauge without a line for"
                                    + " longer starts again from 0.");

    private ParseOptions() {}
}
