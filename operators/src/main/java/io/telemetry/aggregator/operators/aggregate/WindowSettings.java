package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.WindowOptions;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/** What the windows need from the configuration ({@code window.*}), validated once at start. */
public final class WindowSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public final Duration size;
    public final Duration outOfOrderness;
    public final Duration allowedLateness;
    public final Duration idleTimeout;
    public final int preAggregationMaxSeries;
    public final CardinalityLimits limits;

    private WindowSettings(
            Duration size,
            Duration outOfOrderness,
            Duration allowedLateness,
            Duration idleTimeout,
            int preAggregationMaxSeries,
            CardinalityLimits limits) {
        this.size = size;
        this.outOfOrderness = outOfOrderness;
        this.allowedLateness = allowedLateness;
        this.idleTimeout = idleTimeout;
        this.preAggregationMaxSeries = preAggregationMaxSeries;
        this.limits = limits;
    }

    /**
     * Reads and checks the {@code window.*} settings.
     *
     * @throws IllegalArgumentException one line naming the setting, its value and what is allowed
     */
    public static WindowSettings from(Configuration config) {
        int maxSeries = atLeastZero(config, WindowOptions.PRE_AGGREGATION_MAX_SERIES);
        Duration size = duration(config, WindowOptions.WINDOW_SIZE, false);
        Duration lateness = duration(config, WindowOptions.ALLOWED_LATENESS, true);
        CardinalityLimits limits =
                new CardinalityLimits(
                        atLeastZero(config, WindowOptions.MAX_SERIES),
                        atLeastZero(config, WindowOptions.MAX_SERIES_PER_SOURCE),
                        atLeastZero(config, WindowOptions.MAX_SERIES_PER_METRIC),
                        size.toMillis(),
                        lateness.toMillis());
        return new WindowSettings(
                size,
                duration(config, WindowOptions.OUT_OF_ORDERNESS, true),
                lateness,
                duration(config, WindowOptions.IDLE_TIMEOUT, false),
                maxSeries,
                limits);
    }

    private static int atLeastZero(Configuration config, ConfigOption<Integer> option) {
        int value = config.get(option);
        if (value < 0) {
            throw new IllegalArgumentException(
                    option.key() + "=" + value + " is not allowed: use 0 (off) or more");
        }
        return value;
    }

    private static Duration duration(
            Configuration config, ConfigOption<Duration> option, boolean zeroAllowed) {
        Duration d = config.get(option);
        if (d.isNegative() || (!zeroAllowed && d.toMillis() < 1)) {
            throw new IllegalArgumentException(
                    option.key()
                            + "="
                            + config.toMap().getOrDefault(option.key(), d.toString())
                            + " is not allowed: use a duration "
                            + (zeroAllowed ? "of 0 or more" : "of at least 1ms")
                            + ", e.g. 10s");
        }
        return d;
    }
}
