package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;
import io.telemetry.aggregator.operators.WindowAggregate;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
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

/**
 * Drives the job's real window operator (taken from its transformation) with records and
 * watermarks.
 */
class WindowAggregationTest {

    private KeyedOneInputStreamOperatorTestHarness<SeriesKey, PartialAggregate, WindowAggregate>
            harness;

    private void open(Duration lateness) throws Exception {
        harness = create(lateness);
        harness.open();
    }

    @SuppressWarnings("unchecked")
    private static KeyedOneInputStreamOperatorTestHarness<
                    SeriesKey, PartialAggregate, WindowAggregate>
            create(Duration lateness) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<PartialAggregate> records =
                env.fromData(
                        PartialAggregate.of(
                                new TelemetryRecord("m", "s", "{}", MetricFunction.AVG, 0, 0, 0),
                                0));
        OneInputTransformation<PartialAggregate, WindowAggregate> transformation =
                (OneInputTransformation<PartialAggregate, WindowAggregate>)
                        TelemetryWindows.aggregate(
                                        TelemetryWindows.admit(records, CardinalityLimits.NONE),
                                        Duration.ofSeconds(60),
                                        lateness)
                                .getTransformation();
        return new KeyedOneInputStreamOperatorTestHarness<>(
                transformation.getOperatorFactory(),
                (KeySelector<PartialAggregate, SeriesKey>) transformation.getStateKeySelector(),
                TypeInformation.of(SeriesKey.class));
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void send(String metric, MetricFunction f, double value, long ts) throws Exception {
        TelemetryRecord record =
                new TelemetryRecord(metric, "dev-1", "{\"site\":\"lab\"}", f, value, ts, ts + 7);
        harness.processElement(
                new StreamRecord<>(PartialAggregate.of(record, ts - ts % 60_000), ts));
    }

    /** Several records of one series and window, combined as the pre-aggregation does. */
    private void sendCombined(String metric, MetricFunction f, long ts, double... values)
            throws Exception {
        PartialAggregate partial = null;
        for (double v : values) {
            TelemetryRecord record =
                    new TelemetryRecord(metric, "dev-1", "{\"site\":\"lab\"}", f, v, ts, ts + 7);
            if (partial == null) {
                partial = PartialAggregate.of(record, ts - ts % 60_000);
            } else {
                partial.add(record);
            }
        }
        harness.processElement(new StreamRecord<>(partial, ts));
    }

    private static WindowAggregate agg(
            String metric, String f, long start, double value, long count) {
        return new WindowAggregate(
                metric, "dev-1", "{\"site\":\"lab\"}", f, start, start + 60_000, value, count, 0);
    }

    private List<PartialAggregate> lateRecords() {
        return harness.getSideOutput(TelemetryWindows.LATE_RECORDS).stream()
                .map(StreamRecord::getValue)
                .collect(Collectors.toList());
    }

    private void sendGauge(double value, boolean change, long ts) throws Exception {
        TelemetryRecord record =
                new TelemetryRecord(
                        "g1", "dev-1", "{\"site\":\"lab\"}", MetricFunction.LAST, value, ts, ts);
        record.gauge = change ? TelemetryRecord.GAUGE_CHANGE : TelemetryRecord.GAUGE_SET;
        harness.processElement(
                new StreamRecord<>(PartialAggregate.of(record, ts - ts % 60_000), ts));
    }

    private List<String> gauges() {
        return harness.extractOutputValues().stream()
                .map(a -> a.windowStart / 1_000 + "s=" + a.value + " x" + a.count)
                .collect(Collectors.toList());
    }

    @Test
    void aGaugeCarriesItsValueIntoLaterWindowsOfSignedLines() throws Exception {
        open(Duration.ofSeconds(30));
        sendGauge(10, false, 1_000);
        sendGauge(5, true, 2_000);
        harness.processWatermark(59_999);
        sendGauge(-3, true, 61_000);
        harness.processWatermark(119_999);
        // No line in the third window; the fourth changes what the second left.
        sendGauge(1, true, 181_000);
        harness.processWatermark(239_999);
        assertThat(gauges()).containsExactly("0s=15.0 x2", "60s=12.0 x1", "180s=13.0 x1");

        // A late line re-emits the fourth window from the value before it; the fifth follows.
        sendGauge(1, true, 185_000);
        sendGauge(1, true, 241_000);
        harness.processWatermark(299_999);
        assertThat(gauges())
                .containsExactly(
                        "0s=15.0 x2",
                        "60s=12.0 x1",
                        "180s=13.0 x1",
                        "180s=14.0 x2",
                        "240s=15.0 x1");

        // A plain value sets the gauge, whatever it was.
        sendGauge(-2, false, 301_000);
        sendGauge(-2, true, 302_000);
        harness.processWatermark(359_999);
        assertThat(gauges()).last().isEqualTo("300s=-4.0 x2");
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
                .containsExactlyInAnyOrder(
                        agg("temp", "avg", 0, 75, 2), agg("temp", "max", 0, 95, 2));
        assertThat(harness.extractOutputValues().get(0).lastReceivedAt).isIn(60_006L, 30_007L);

        harness.processWatermark(119_999);
        assertThat(harness.extractOutputValues())
                .hasSize(3)
                .contains(agg("temp", "avg", 60_000, 1, 1));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void noSeriesHoldsATimerAndEmittedWindowsLeaveNoState() throws Exception {
        open(Duration.ZERO);
        send("temp", MetricFunction.SUM, 1, 1_000);
        send("temp", MetricFunction.SUM, 2, 2_000);
        send("temp", MetricFunction.MAX, 3, 3_000);
        assertThat(harness.numEventTimeTimers()).isZero();

        harness.processWatermark(59_999);

        assertThat(harness.extractOutputValues())
                .containsExactlyInAnyOrder(
                        agg("temp", "sum", 0, 3, 2), agg("temp", "max", 0, 3, 1));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void withLatenessAWindowIsKeptUntilItsCleanupAndFiresOnce() throws Exception {
        open(Duration.ofSeconds(30));
        send("temp", MetricFunction.SUM, 1, 1_000);
        send("temp", MetricFunction.SUM, 2, 2_000);

        harness.processWatermark(59_999);
        assertThat(harness.extractOutputValues()).containsExactly(agg("temp", "sum", 0, 3, 2));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        harness.processWatermark(70_000);
        assertThat(harness.extractOutputValues()).hasSize(1);
        harness.processWatermark(89_999);
        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void recordsBehindAnEmittedWindowAreLate() throws Exception {
        open(Duration.ZERO);
        send("temp", MetricFunction.AVG, 70, 1_000);
        harness.processWatermark(60_500);
        send("temp", MetricFunction.AVG, 99, 59_000);

        assertThat(harness.extractOutputValues()).containsExactly(agg("temp", "avg", 0, 70, 1));
        assertThat(lateRecords()).hasSize(1);
        assertThat(LateRecordDeadLetters.describe(lateRecords().get(0)))
                .isEqualTo(
                        "{\"metric\":\"temp\",\"source\":\"dev-1\",\"tags\":{\"site\":\"lab\"},\"function\":\"avg\","
                                + "\"value\":99.0,\"time\":\"1970-01-01T00:00:59Z\"}");
        assertThat(lateRecords().get(0).accumulator.lastReceivedAt()).isEqualTo(59_007);
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
    void mergesCombinedPartialsAsIfEachRecordCameAlone() throws Exception {
        open(Duration.ZERO);
        sendCombined("temp", MetricFunction.AVG, 1_000, 10, 20);
        sendCombined("temp", MetricFunction.AVG, 2_000, 40);
        sendCombined("temp", MetricFunction.STDDEV, 1_000, 2, 4);
        sendCombined("temp", MetricFunction.STDDEV, 3_000, 4, 4, 5, 5, 7, 9);
        sendCombined("temp", MetricFunction.FIRST, 5_000, 7, 8);
        sendCombined("temp", MetricFunction.FIRST, 4_000, 3);
        harness.processWatermark(59_999);

        assertThat(harness.extractOutputValues())
                .containsExactlyInAnyOrder(
                        agg("temp", "avg", 0, 70 / 3.0, 3),
                        agg("temp", "stddev", 0, 2, 8),
                        agg("temp", "first", 0, 3, 3));
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
