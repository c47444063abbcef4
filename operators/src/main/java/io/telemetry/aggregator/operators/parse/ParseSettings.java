package io.telemetry.aggregator.operators.parse;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.ParseOptions;
import io.telemetry.aggregator.operators.ParseOptions.Format;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/** What the parsers need from the configuration, validated once at start. */
public final class ParseSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    final Format format;
    final FunctionRules functionRules;
    final String[] sourceFields;
    final long maxFutureSkewMillis;

    /** Divisor from line-protocol timestamp units to milliseconds (0: multiply by 1000). */
    final long lineProtocolUnitsPerMilli;

    /** The functions of StatsD timers and histograms. */
    final MetricFunction[] statsdTimerFunctions;

    private final Duration statsdGaugeExpiry;

    private ParseSettings(
            Format format,
            FunctionRules functionRules,
            String[] sourceFields,
            long maxFutureSkewMillis,
            long lineProtocolUnitsPerMilli,
            MetricFunction[] statsdTimerFunctions,
            Duration statsdGaugeExpiry) {
        this.format = format;
        this.functionRules = functionRules;
        this.sourceFields = sourceFields;
        this.maxFutureSkewMillis = maxFutureSkewMillis;
        this.lineProtocolUnitsPerMilli = lineProtocolUnitsPerMilli;
        this.statsdTimerFunctions = statsdTimerFunctions;
        this.statsdGaugeExpiry = statsdGaugeExpiry;
    }

    /** How long the window operator keeps a StatsD gauge's value for later signed lines. */
    public Duration statsdGaugeExpiry() {
        return statsdGaugeExpiry;
    }

    /** The defaults of every {@code parse.*} setting. */
    public static ParseSettings defaults() {
        return from(new Configuration());
    }

    /**
     * Reads and checks the {@code parse.*} settings.
     *
     * @throws IllegalArgumentException one line naming the setting, its value and what is allowed
     */
    public static ParseSettings from(Configuration config) {
        Format format = config.get(ParseOptions.FORMAT);
        MetricFunction[] defaults =
                FunctionRules.parseFunctionList(
                        ParseOptions.DEFAULT_FUNCTIONS.key(),
                        String.join(",", config.get(ParseOptions.DEFAULT_FUNCTIONS)));
        FunctionRules rules =
                FunctionRules.parse(config.get(ParseOptions.FUNCTION_RULES), defaults);
        List<String> sourceFields = config.get(ParseOptions.SOURCE_FIELDS);
        Duration skew = config.get(ParseOptions.MAX_FUTURE_SKEW);
        if (skew.isNegative()) {
            throw new IllegalArgumentException(
                    ParseOptions.MAX_FUTURE_SKEW.key()
                            + "="
                            + skew
                            + " is not allowed: use a duration of 0 or more, e.g. 5min");
        }
        String precision = config.get(ParseOptions.LINE_PROTOCOL_PRECISION).trim();
        long unitsPerMilli;
        switch (precision) {
            case "ns":
                unitsPerMilli = 1_000_000;
                break;
            case "us":
                unitsPerMilli = 1_000;
                break;
            case "ms":
                unitsPerMilli = 1;
                break;
            case "s":
                unitsPerMilli = 0;
                break;
            default:
                throw new IllegalArgumentException(
                        ParseOptions.LINE_PROTOCOL_PRECISION.key()
                                + "="
                                + precision
                                + " is not allowed: use ns, us, ms or s");
        }
        MetricFunction[] timerFunctions =
                FunctionRules.parseFunctionList(
                        ParseOptions.STATSD_TIMER_FUNCTIONS.key(),
                        String.join(",", config.get(ParseOptions.STATSD_TIMER_FUNCTIONS)));
        Duration gaugeExpiry = config.get(ParseOptions.STATSD_GAUGE_EXPIRY);
        if (gaugeExpiry.isNegative() || gaugeExpiry.isZero()) {
            throw new IllegalArgumentException(
                    ParseOptions.STATSD_GAUGE_EXPIRY.key()
                            + "="
                            + config.toMap()
                                    .getOrDefault(
                                            ParseOptions.STATSD_GAUGE_EXPIRY.key(),
                                            gaugeExpiry.toString())
                            + " is not allowed: use a duration above 0, e.g. 1h");
        }
        return new ParseSettings(
                format,
                rules,
                sourceFields.stream().map(String::trim).toArray(String[]::new),
                skew.toMillis(),
                unitsPerMilli,
                timerFunctions,
                gaugeExpiry);
    }
}
