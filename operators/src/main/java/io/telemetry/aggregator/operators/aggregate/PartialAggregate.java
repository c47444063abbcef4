package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;

/**
 * The records of one series in one window that one parsing task received between two flushes,
 * combined into one accumulator before the shuffle ({@link PreAggregationOperator}). The window
 * operator merges these instead of single records. A record that passes on its own (late at the
 * parsing task, or while its reader is idle) is a partial of one, and {@link #value} is its value.
 * A Flink POJO; the accumulator has its own serializer.
 */
public class PartialAggregate {

    public String metric;
    public String source;
    public String tags;
    public byte function;

    /** Start of the window, epoch milliseconds. */
    public long windowStart;

    /** Newest event time of the records in it: the element's timestamp. */
    public long timestamp;

    /** Value of the newest record added; the record's value when it holds one. */
    public double value;

    public MetricAccumulator accumulator;

    public PartialAggregate() {}

    /** A partial of one record. */
    public static PartialAggregate of(TelemetryRecord record, long windowStart) {
        PartialAggregate p = new PartialAggregate();
        p.setKey(record, windowStart);
        p.accumulator = new MetricAccumulator();
        p.add(record);
        return p;
    }

    private void setKey(TelemetryRecord record, long windowStart) {
        this.metric = record.metric;
        this.source = record.source;
        this.tags = record.tags;
        this.function = record.function;
        this.windowStart = windowStart;
    }

    /** Adds a record of this series and window. */
    public void add(TelemetryRecord record) {
        accumulator.add(record);
        value = record.value;
        if (accumulator.count() == 1 || record.timestamp > timestamp) {
            timestamp = record.timestamp;
        }
    }

    public long count() {
        return accumulator.count();
    }

    public MetricFunction function() {
        return MetricFunction.ofCode(function);
    }

    public SeriesKey seriesKey() {
        return new SeriesKey(metric, source, tags, function);
    }

    @Override
    public String toString() {
        return metric
                + '|'
                + source
                + '|'
                + tags
                + '|'
                + function().label()
                + " @"
                + windowStart
                + " x"
                + count();
    }
}
