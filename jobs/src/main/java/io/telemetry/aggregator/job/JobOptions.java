package io.telemetry.aggregator.job;

import io.telemetry.aggregator.operators.AggregationOptions;
import io.telemetry.aggregator.udp.UdpSourceOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.util.List;

/** The job's own settings, and the list of every setting the job reads (for --help and checks). */
public final class JobOptions {

    /** Where results go. */
    public enum SinkType {
        LOG
    }

    public static final ConfigOption<List<SinkType>> SINKS =
            ConfigOptions.key("sink.types")
                    .enumType(SinkType.class)
                    .asList()
                    .defaultValues(SinkType.LOG)
                    .withDescription(
                            "Where aggregates and dead letters go: LOG writes JSON lines to the"
                                    + " loggers telemetry.aggregates and telemetry.deadletters."
                                    + " Seed variable: STORAGE_TYPE.");

    /** Every setting of the job, in the order --help and the README show them. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    UdpSourceOptions.BIND_ADDRESS,
                    UdpSourceOptions.PORT,
                    UdpSourceOptions.RECEIVE_BUFFER,
                    UdpSourceOptions.MAX_BATCH,
                    AggregationOptions.FORMAT,
                    AggregationOptions.DEFAULT_FUNCTIONS,
                    AggregationOptions.FUNCTION_RULES,
                    AggregationOptions.SOURCE_FIELDS,
                    AggregationOptions.MAX_FUTURE_SKEW,
                    AggregationOptions.LINE_PROTOCOL_PRECISION,
                    AggregationOptions.WINDOW_SIZE,
                    AggregationOptions.OUT_OF_ORDERNESS,
                    AggregationOptions.ALLOWED_LATENESS,
                    AggregationOptions.IDLE_TIMEOUT,
                    SINKS);

    private JobOptions() {}
}
