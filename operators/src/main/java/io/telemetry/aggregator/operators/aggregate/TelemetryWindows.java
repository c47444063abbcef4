package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.OperatorNames;
import io.telemetry.aggregator.operators.ParseOptions;
import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;
import io.telemetry.aggregator.operators.WindowAggregate;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * The aggregation steps: records combined per series and window inside their parsing task ({@link
 * #preAggregate}), then keyed by series, in tumbling event-time windows aligned to the epoch,
 * merged incrementally, emitted when the watermark passes the window's end and again for late
 * records within the allowed lateness ({@link #aggregate}, {@link TumblingWindowOperator}). Records
 * later than that leave through {@link #LATE_RECORDS}.
 */
public final class TelemetryWindows {

    public static final OutputTag<PartialAggregate> LATE_RECORDS =
            new OutputTag<>("late-records", TypeInformation.of(PartialAggregate.class));

    /** The longest a closed window's emission keeps the task off its input at a time. */
    static final long SLICE_MILLIS = 10;

    /** The pause between two slices of an emission, in which the task reads its input. */
    static final long PAUSE_MILLIS = 5;

    private TelemetryWindows() {}

    /**
     * Combines records per series and window before the shuffle; see {@link
     * PreAggregationOperator}.
     */
    public static SingleOutputStreamOperator<PartialAggregate> preAggregate(
            DataStream<TelemetryRecord> records,
            Duration windowSize,
            Duration allowedLateness,
            int maxSeries) {
        return records.transform(
                OperatorNames.PRE_AGGREGATE,
                TypeInformation.of(PartialAggregate.class),
                new PreAggregationOperator(
                        windowSize.toMillis(), allowedLateness.toMillis(), maxSeries));
    }

    /**
     * Keys the partials by series and admits series to windows up to the limits ({@link
     * SeriesAdmission}); refused records leave through {@link SeriesAdmission#REFUSED}.
     */
    public static SingleOutputStreamOperator<PartialAggregate> admit(
            DataStream<PartialAggregate> partials, CardinalityLimits limits) {
        return partials.keyBy(new SeriesKeySelector(), TypeInformation.of(SeriesKey.class))
                .process(new SeriesAdmission(limits), TypeInformation.of(PartialAggregate.class));
    }

    /**
     * {@link #aggregate(DataStream, Duration, Duration, Duration)} with gauges kept for the default
     * expiry.
     */
    public static SingleOutputStreamOperator<WindowAggregate> aggregate(
            DataStream<PartialAggregate> admitted, Duration windowSize, Duration allowedLateness) {
        return aggregate(
                admitted,
                windowSize,
                allowedLateness,
                ParseOptions.STATSD_GAUGE_EXPIRY.defaultValue());
    }

    /**
     * Aggregates the admitted partials (the output of {@link #admit}, still partitioned by series:
     * the window operator runs in the same task) per series in tumbling windows; a StatsD gauge's
     * value is kept across windows for {@code gaugeExpiry} (see {@link WindowResults}). A closed
     * window's series are emitted in slices of {@value #SLICE_MILLIS} ms, {@value #PAUSE_MILLIS} ms
     * apart (see {@link TumblingWindowOperator}).
     */
    public static SingleOutputStreamOperator<WindowAggregate> aggregate(
            DataStream<PartialAggregate> admitted,
            Duration windowSize,
            Duration allowedLateness,
            Duration gaugeExpiry) {
        return aggregate(
                admitted,
                new TumblingWindowOperator(
                        windowSize.toMillis(),
                        allowedLateness.toMillis(),
                        gaugeExpiry,
                        SLICE_MILLIS * 1_000_000L,
                        PAUSE_MILLIS));
    }

    static SingleOutputStreamOperator<WindowAggregate> aggregate(
            DataStream<PartialAggregate> admitted, TumblingWindowOperator operator) {
        return DataStreamUtils.reinterpretAsKeyedStream(
                        admitted, new WindowKeySelector(), TypeInformation.of(SeriesKey.class))
                .transform(
                        OperatorNames.WINDOW_AGGREGATE,
                        TypeInformation.of(WindowAggregate.class),
                        operator);
    }

    /** Keys a partial aggregate by its series: for the shuffle and the series admission. */
    public static final class SeriesKeySelector
            implements KeySelector<PartialAggregate, SeriesKey> {
        private static final long serialVersionUID = 1L;

        @Override
        public SeriesKey getKey(PartialAggregate partial) {
            return new SeriesKey(partial.metric, partial.source, partial.tags, partial.function);
        }
    }

    /**
     * Keys a partial aggregate by its series for the window state, which keeps the key of each
     * series and window: a series that comes back gets the key object it had before ({@link
     * CanonicalKeys}), and series that share a source, tag set or metric share the string.
     */
    public static final class WindowKeySelector
            implements KeySelector<PartialAggregate, SeriesKey> {
        private static final long serialVersionUID = 1L;

        /** Keys kept per window task. */
        static final int KEPT_KEYS = 1 << 20;

        private transient CanonicalKeys keys;

        @Override
        public SeriesKey getKey(PartialAggregate partial) {
            if (keys == null) {
                keys = new CanonicalKeys(KEPT_KEYS);
            }
            return keys.of(partial.metric, partial.source, partial.tags, partial.function);
        }
    }
}
