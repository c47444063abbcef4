package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.WindowAggregate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns a window's accumulator into the {@link WindowAggregate} the sinks write, and records {@code
 * processing_time}: milliseconds from the arrival of the window's newest record to its emission to
 * the sinks, which run chained right behind this operator.
 */
public final class WindowResultFunction
        extends ProcessWindowFunction<MetricAccumulator, WindowAggregate, SeriesKey, TimeWindow> {

    private static final long serialVersionUID = 1L;

    private transient Histogram processingTime;

    @Override
    public void open(OpenContext openContext) {
        processingTime =
                getRuntimeContext()
                        .getMetricGroup()
                        .histogram("processing_time", new DescriptiveStatisticsHistogram(10_000));
    }

    @Override
    public void process(
            SeriesKey key,
            Context context,
            Iterable<MetricAccumulator> accumulators,
            Collector<WindowAggregate> out) {
        MetricAccumulator acc = accumulators.iterator().next();
        processingTime.update(System.currentTimeMillis() - acc.lastReceivedAt());
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
