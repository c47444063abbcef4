package io.telemetry.aggregator.operators.aggregate;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Merges the partial aggregates of a series into its window's {@link MetricAccumulator}. */
public final class MetricAggregateFunction
        implements AggregateFunction<PartialAggregate, MetricAccumulator, MetricAccumulator> {

    private static final long serialVersionUID = 1L;

    @Override
    public MetricAccumulator createAccumulator() {
        return new MetricAccumulator();
    }

    @Override
    public MetricAccumulator add(PartialAggregate partial, MetricAccumulator acc) {
        acc.merge(partial.accumulator);
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
