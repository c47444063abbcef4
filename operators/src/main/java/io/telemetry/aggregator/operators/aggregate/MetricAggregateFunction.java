package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.TelemetryRecord;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Adds records to a window's {@link MetricAccumulator} as they arrive. */
public final class MetricAggregateFunction
        implements AggregateFunction<TelemetryRecord, MetricAccumulator, MetricAccumulator> {

    private static final long serialVersionUID = 1L;

    @Override
    public MetricAccumulator createAccumulator() {
        return new MetricAccumulator();
    }

    @Override
    public MetricAccumulator add(TelemetryRecord record, MetricAccumulator acc) {
        acc.add(record);
        return acc;
    }

    @Override
    public MetricAccumulator getResult(MetricAccumulator acc) {
        return acc;
    }

    @Override
    public MetricAccumulator merge(MetricAccumulator a, MetricAccumulator b) {
        a.merge(b);
        return a;
    }
}
