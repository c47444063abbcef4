package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.WindowAggregate;
import java.time.Duration;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Turns a window's accumulator into the {@link WindowAggregate} the sinks write, and records {@code
 * processing_time}: milliseconds from the arrival of the window's newest record to its emission to
 * the sinks, which run chained right behind the window operator.
 *
 * <p>A StatsD gauge keeps its value from window to window (in the key's state across windows,
 * {@link #GAUGE}, kept for {@code parse.statsd.gauge-expiry} after its last update): a window of
 * only signed lines changes the value the gauge had at the end of the window before it (0 for a
 * gauge not seen within the expiry). A window emitted again for a late record starts from the value
 * before that window, and changes no later window's value.
 */
final class WindowResults {

    /**
     * A gauge's latest emitted window: its start, the gauge's value at its end, and the value
     * before it (for the window's re-emission after a late record).
     */
    static final String GAUGE = "statsd-gauge";

    private final ValueState<Tuple3<Long, Double, Double>> gauges;
    private final Histogram processingTime;

    /**
     * @param state the window operator's keyed state, at the key of each {@link #result} call
     */
    WindowResults(KeyedStateStore state, Duration gaugeExpiry, MetricGroup metrics) {
        ValueStateDescriptor<Tuple3<Long, Double, Double>> descriptor =
                new ValueStateDescriptor<>(
                        GAUGE, Types.TUPLE(Types.LONG, Types.DOUBLE, Types.DOUBLE));
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(gaugeExpiry).build());
        gauges = state.getState(descriptor);
        processingTime =
                metrics.histogram("processing_time", new DescriptiveStatisticsHistogram(10_000));
    }

    /** The aggregate of one series (the current key) and window. */
    WindowAggregate result(SeriesKey key, TimeWindow window, MetricAccumulator acc)
            throws Exception {
        processingTime.update(System.currentTimeMillis() - acc.lastReceivedAt());
        double value = acc.isGauge() ? gauge(acc, window.getStart()) : acc.result();
        return new WindowAggregate(
                key.metric,
                key.source,
                key.tags,
                acc.function().label(),
                window.getStart(),
                window.getEnd(),
                value,
                acc.count(),
                acc.lastReceivedAt());
    }

    /** The gauge's value at the end of the window, and what later windows start from. */
    private double gauge(MetricAccumulator acc, long start) throws Exception {
        Tuple3<Long, Double, Double> latest = gauges.value();
        double before;
        if (latest == null) {
            before = 0;
        } else if (start > latest.f0) {
            before = latest.f1;
        } else {
            before = latest.f2; // this window again, or an older one: the value before the latest
        }
        double value = acc.isGaugeChangeOnly() ? before + acc.result() : acc.result();
        if (latest == null || start > latest.f0) {
            gauges.update(Tuple3.of(start, value, before));
        } else if (start == latest.f0) {
            gauges.update(Tuple3.of(start, value, latest.f2));
        }
        return value;
    }
}
