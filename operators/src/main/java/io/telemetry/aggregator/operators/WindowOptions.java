package io.telemetry.aggregator.operators;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The settings of watermarks and windows ({@code window.*}). */
public final class WindowOptions {

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

    public static final ConfigOption<Integer> MAX_SERIES =
            ConfigOptions.key("window.max-series")
                    .intType()
                    .defaultValue(1_000_000)
                    .withDescription(
                            "Series one parallel window task takes into one window (about 0.4 KiB"
                                    + " of heap each, a few KiB with percentiles); a record of a"
                                    + " further new series is refused as cardinality_limit. 0: no"
                                    + " limit.");

    public static final ConfigOption<Integer> MAX_SERIES_PER_SOURCE =
            ConfigOptions.key("window.max-series-per-source")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription(
                            "Series of one source that one parallel window task takes into one"
                                    + " window; further new ones are refused as cardinality_limit."
                                    + " 0: no limit.");

    public static final ConfigOption<Integer> MAX_SERIES_PER_METRIC =
            ConfigOptions.key("window.max-series-per-metric")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription(
                            "Series of one metric name that one parallel window task takes into"
                                    + " one window; further new ones are refused as"
                                    + " cardinality_limit. 0: no limit.");

    private WindowOptions() {}
}
