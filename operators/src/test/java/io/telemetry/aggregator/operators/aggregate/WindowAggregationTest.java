package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;
import io.telemetry.aggregator.operators.WindowAggregate;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Drives the job's real window operator (taken from its transformation) with records and watermarks. */
class WindowAggregationTest {

    private KeyedOneInputStreamOperatorTestHarness<SeriesKey, TelemetryRecord, WindowAggregate> harness;

    private void open(Duration lateness) throws Exception {
        harness = create(lateness);
        harness.open();
    }

    @SuppressWarnings("unchecked")
    private static KeyedOneInputStreamOperatorTestHarness<SeriesKey, TelemetryRecord, WindowAggregate>
            create(Duration lateness) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<TelemetryRecord> records =
                env.fromData(new TelemetryRecord("m", "s", "{}", MetricFunction.AVG, 0, 0, 0));
        OneInputTransformation<TelemetryRecord, WindowAggregate> transformation =
                (OneInputTransformation<TelemetryRecord, WindowAggregate>)
                        TelemetryWindows.aggregate(records, Duration.ofSeconds(60), lateness)
                                .getTransformation();
        return new KeyedOneInputStreamOperatorTestHarness<>(
                transformation.getOperatorFactory(),
                (KeySelector<TelemetryRecord, SeriesKey>) transformation.getStateKeySelector(),
                TypeInformation.of(SeriesKey.class));
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void send(String metric, MetricFunction f, double value, long ts) throws Exception {
        harness.processElement(
                new StreamRecord<>(new TelemetryRecord(metric, "dev-1", "{\"site\":\"lab\"}", f, value, ts, ts + 7), ts));
    }

    private static WindowAggregate agg(String metric, String f, long start, double value, long count) {
        return new WindowAggregate(metric, "dev-1", "{\"site\":\"lab\"}", f, start, start + 60_000, value, count, 0);
    }

    private List<TelemetryRecord> lateRecords() {
        return harness.getSideOutput(TelemetryWindows.LATE_RECORDS).stream()
                .map(StreamRecord::getValue)
                .collect(Collectors.toList());
    }

    @Test
    void emitsEachSeriesOnceWhenTheWatermarkPassesTheWindowEnd() throws Exception {
        open(Duration.ZERO);
        send("temp", MetricFunction.AVG, 70, 1_000);
        send("temp", MetricFunction.AVG, 80, 59_999);
        send("temp", MetricFunction.MAX, 80, 30_000);
        send("temp", MetricFunction.MAX, 95, 2_000);
        send("temp", MetricFunction.AVG, 1, 60_000); // next window
        harness.processWatermark(59_998);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(59_999);

        assertThat(harness.extractOutputValues())
                .containsExactlyInAnyOrder(agg("temp", "avg", 0, 75, 2), agg("temp", "max", 0, 95, 2));
        assertThat(harness.extractOutputValues().get(0).lastReceivedAt).isIn(60_006L, 30_007L);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(119_999);
        assertThat(harness.extractOutputValues()).hasSize(3).contains(agg("temp", "avg", 60_000, 1, 1));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void recordsBehindAnEmittedWindowAreLate() throws Exception {
        open(Duration.ZERO);
        send("temp", MetricFunction.AVG, 70, 1_000);
        harness.processWatermark(60_500);
        send("temp", MetricFunction.AVG, 99, 59_000);

        assertThat(harness.extractOutputValues()).containsExactly(agg("temp", "avg", 0, 70, 1));
        assertThat(lateRecords())
                .containsExactly(new TelemetryRecord("temp", "dev-1", "{\"site\":\"lab\"}", MetricFunction.AVG, 99, 59_000, 59_007));
    }

    @Test
    void allowedLatenessReEmitsTheUpdatedWindow() throws Exception {
        open(Duration.ofSeconds(30));
        send("temp", MetricFunction.SUM, 10, 1_000);
        harness.processWatermark(60_000);
        send("temp", MetricFunction.SUM, 5, 59_000); // late but allowed
        harness.processWatermark(89_999); // lateness passed: state cleaned
        send("temp", MetricFunction.SUM, 1, 2_000); // too late

        assertThat(harness.extractOutputValues())
                .containsExactly(agg("temp", "sum", 0, 10, 1), agg("temp", "sum", 0, 15, 2));
        assertThat(lateRecords()).extracting(r -> r.value).containsExactly(1.0);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void windowStateSurvivesASnapshotAndRestore() throws Exception {
        open(Duration.ZERO);
        send("gpu", MetricFunction.P50, 10, 1_000);
        send("gpu", MetricFunction.STDDEV, 2, 1_000);
        send("gpu", MetricFunction.COUNT_DISTINCT, 3, 1_000);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = create(Duration.ZERO);
        harness.initializeState(snapshot);
        harness.open();
        send("gpu", MetricFunction.P50, 10, 2_000);
        send("gpu", MetricFunction.STDDEV, 4, 2_000);
        send("gpu", MetricFunction.COUNT_DISTINCT, 3, 2_000);
        harness.processWatermark(59_999);

        MetricAccumulator p50 = new MetricAccumulator();
        p50.add(new TelemetryRecord("gpu", "dev-1", "{}", MetricFunction.P50, 10, 0, 0));
        p50.add(new TelemetryRecord("gpu", "dev-1", "{}", MetricFunction.P50, 10, 0, 0));
        assertThat(harness.extractOutputValues())
                .containsExactlyInAnyOrder(
                        agg("gpu", "p50", 0, p50.result(), 2),
                        agg("gpu", "stddev", 0, 1, 2),
                        agg("gpu", "count_distinct", 0, 1, 2));
    }
}
