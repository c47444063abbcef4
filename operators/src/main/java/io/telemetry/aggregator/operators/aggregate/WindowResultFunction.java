package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.WindowAggregate;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Turns a window's accumulator into the {@link WindowAggregate} the sinks write. */
public final class WindowResultFunction
        extends ProcessWindowFunction<MetricAccumulator, WindowAggregate, SeriesKey, TimeWindow> {

    private static final long serialVersionUID = 1L;

    @Override
    public void process(
            SeriesKey key,
            Context context,
            Iterable<MetricAccumulator> accumulators,
            Collector<WindowAggregate> out) {
        MetricAccumulator acc = accumulators.iterator().next();
        TimeWindow window = context.window();
        out.collect(
                new WindowAggregate(
                        key.metric,
                        key.source,
                        key.tags,
                        acc.function().label(),
                        window.getStart(),
                        window.getEnd(),
                        acc.result(),
                        acc.count(),
                        acc.lastReceivedAt()));
    }
}
