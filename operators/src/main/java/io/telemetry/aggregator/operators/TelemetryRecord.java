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
                + timestamp;
    }
}
