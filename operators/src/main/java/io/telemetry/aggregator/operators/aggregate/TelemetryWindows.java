package io.telemetry.aggregator.operators.aggregate;

import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;
import io.telemetry.aggregator.operators.WindowAggregate;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

import java.time.Duration;

/**
 * The aggregation step: records keyed by series, in tumbling event-time windows aligned to the
 * epoch, accumulated incrementally, emitted when the watermark passes the window's end and again
 * for late records within the allowed lateness. Records later than that leave through {@link
 * #LATE_RECORDS}.
 */
public final class TelemetryWindows {

    public static final OutputTag<TelemetryRecord> LATE_RECORDS =
            new OutputTag<>("late-records", TypeInformation.of(TelemetryRecord.class));

    private TelemetryWindows() {}

    public static SingleOutputStreamOperator<WindowAggregate> aggregate(
            DataStream<TelemetryRecord> records, Duration windowSize, Duration allowedLateness) {
        TypeInformation<MetricAccumulator> accumulatorType =
                TypeInformation.of(MetricAccumulator.class);
        return records.keyBy(new SeriesKeySelector(), TypeInformation.of(SeriesKey.class))
                .window(TumblingEventTimeWindows.of(windowSize))
                .trigger(new CountingEventTimeTrigger())
                .allowedLateness(allowedLateness)
                .sideOutputLateData(LATE_RECORDS)
                .aggregate(
                        new MetricAggregateFunction(),
                        new WindowResultFunction(),
                        accumulatorType,
                        accumulatorType,
                        TypeInformation.of(WindowAggregate.class));
    }

    /** Keys a record by its series. */
    public static final class SeriesKeySelector implements KeySelector<TelemetryRecord, SeriesKey> {
        private static final long serialVersionUID = 1L;

        @Override
        public SeriesKey getKey(TelemetryRecord record) {
            return SeriesKey.of(record);
        }
    }
}
