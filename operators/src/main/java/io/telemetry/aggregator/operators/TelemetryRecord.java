package io.telemetry.aggregator.operators;

import java.util.Objects;

/**
 * One value of one series, ready to aggregate: what a parsed record yields per metric and function.
 * A Flink POJO, never serialized with Kryo.
 */
public class TelemetryRecord {

    public String metric;

    /** The device or host the value is from. */
    public String source;

    /** The tags as a canonical JSON object: keys sorted, no spaces, e.g. {@code {"site":"lab"}}. */
    public String tags;

    /** A {@link MetricFunction} code. */
    public byte function;

    public double value;

    /** Event time, epoch milliseconds. */
    public long timestamp;

    /** When the datagram holding this record arrived, epoch milliseconds. */
    public long receivedAt;

    /**
     * How many events this record stands for in {@code count}: 1, or 1/rate for a StatsD timer
     * sample sent at a sample rate.
     */
    public double weight = 1;

    /** {@link #NOT_A_GAUGE}, or for a StatsD gauge {@link #GAUGE_SET} or {@link #GAUGE_CHANGE}. */
    public byte gauge;

    public static final byte NOT_A_GAUGE = 0;

    /** A StatsD gauge's plain value: the gauge is now this value. */
    public static final byte GAUGE_SET = 1;

    /** A StatsD gauge's signed value ({@code +N}, {@code -N}): the gauge changes by it. */
    public static final byte GAUGE_CHANGE = 2;

    public TelemetryRecord() {}

    public TelemetryRecord(
            String metric,
            String source,
            String tags,
            MetricFunction function,
            double value,
            long timestamp,
            long receivedAt) {
        this.metric = metric;
        this.source = source;
        this.tags = tags;
        this.function = function.code();
        this.value = value;
        this.timestamp = timestamp;
        this.receivedAt = receivedAt;
    }

    public MetricFunction function() {
        return MetricFunction.ofCode(function);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TelemetryRecord)) {
            return false;
        }
        TelemetryRecord that = (TelemetryRecord) o;
        return function == that.function
                && Double.compare(value, that.value) == 0
                && Double.compare(weight, that.weight) == 0
                && gauge == that.gauge
                && timestamp == that.timestamp
                && receivedAt == that.receivedAt
                && Objects.equals(metric, that.metric)
                && Objects.equals(source, that.source)
                && Objects.equals(tags, that.tags);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, source, tags, function, value, timestamp);
    }

    @Override
    public String toString() {
        return metric
                + " source="
                + source
                + " tags="
                + tags
                + " function="
                + function()
                + " value="
                + value
                + " time="
                + timestamp
                + (weight == 1 ? "" : " weight=" + weight)
                + (gauge == GAUGE_CHANGE ? " change" : "");
    }
}
