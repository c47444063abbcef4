package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PreAggregationOperatorTest {

    private OneInputStreamOperatorTestHarness<TelemetryRecord, PartialAggregate> harness;
    private PreAggregationOperator operator;

    private void open(long lateness, int maxSeries) throws Exception {
        operator = new PreAggregationOperator(60_000, lateness, maxSeries);
        harness = new OneInputStreamOperatorTestHarness<>(operator);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void send(String metric, double value, long ts) throws Exception {
        harness.processElement(
                new StreamRecord<>(
                        new TelemetryRecord(
                                metric, "d1", "{}", MetricFunction.SUM, value, ts, ts + 5),
                        ts));
    }

    /**
     * What came out, in order: partials as "series @window xcount = result (timestamp)", and
     * watermarks.
     */
    private List<String> output() {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord) {
                PartialAggregate p = (PartialAggregate) ((StreamRecord<?>) o).getValue();
                out.add(
                        p.metric
                                + " @"
                                + p.windowStart
                                + " x"
                                + p.count()
                                + " = "
                                + p.accumulator.result()
                                + " ("
                                + ((StreamRecord<?>) o).getTimestamp()
                                + ")");
            } else if (o instanceof Watermark) {
                out.add("watermark " + ((Watermark) o).getTimestamp());
            } else {
                out.add(o.toString());
            }
        }
        return out;
    }

    @Test
    void combinesEachSeriesAndWindowUntilTheNextWatermark() throws Exception {
        open(0, 1_000);
        send("a", 1, 1_000);
        send("a", 2, 5_000);
        send("b", 10, 2_000);
        send("a", 4, 61_000); // the next window
        send("a", 8, 3_000);
        assertThat(output()).isEmpty();
        assertThat(operator.heldSeries()).isEqualTo(3);

        harness.processWatermark(new Watermark(10_000));

        assertThat(output())
                .containsExactlyInAnyOrder(
                        "a @0 x3 = 11.0 (5000)",
                        "b @0 x1 = 10.0 (2000)",
                        "a @60000 x1 = 4.0 (61000)",
                        "watermark 10000");
        assertThat(output().get(3)).isEqualTo("watermark 10000");
        assertThat(operator.heldSeries()).isZero();
    }

    @Test
    void recordsAlreadyLateHerePassAtOnceOneByOne() throws Exception {
        open(5_000, 1_000);
        harness.processWatermark(new Watermark(70_000));
        send("a", 1, 30_000); // window [0, 60 s) + 5 s lateness is over
        send("a", 2, 31_000);
        send("a", 3, 65_000); // open window

        assertThat(output())
                .containsExactly(
                        "watermark 70000", "a @0 x1 = 1.0 (30000)", "a @0 x1 = 2.0 (31000)");
        harness.processWatermark(new Watermark(70_001));
        assertThat(output()).endsWith("a @60000 x1 = 3.0 (65000)", "watermark 70001");
    }

    @Test
    void recordsWithinTheAllowedLatenessAreCombined() throws Exception {
        open(30_000, 1_000);
        harness.processWatermark(new Watermark(70_000));
        send("a", 1, 30_000);
        send("a", 2, 31_000);
        harness.processWatermark(new Watermark(71_000));
        assertThat(output())
                .containsExactly("watermark 70000", "a @0 x2 = 3.0 (31000)", "watermark 71000");
    }

    @Test
    void emitsEverythingBeforeACheckpointBarrierAndHoldsNoState() throws Exception {
        open(0, 1_000);
        send("a", 1, 1_000);
        send("a", 2, 2_000);
        harness.prepareSnapshotPreBarrier(1);
        assertThat(output()).containsExactly("a @0 x2 = 3.0 (2000)");
        assertThat(harness.snapshot(1, 1).getManagedOperatorState()).isEmpty();
        assertThat(harness.snapshot(1, 1).getManagedKeyedState()).isEmpty();
    }

    @Test
    void emitsWhenTheLimitOfHeldSeriesIsReached() throws Exception {
        open(0, 2);
        send("a", 1, 1_000);
        send("a", 1, 1_000);
        assertThat(output()).isEmpty();
        send("b", 1, 1_000);
        assertThat(output())
                .containsExactlyInAnyOrder("a @0 x2 = 2.0 (1000)", "b @0 x1 = 1.0 (1000)");
    }

    @Test
    void passesRecordsOnAtOnceWhileIdleOrWhenOff() throws Exception {
        open(0, 1_000);
        send("a", 1, 1_000);
        harness.processWatermarkStatus(WatermarkStatus.IDLE);
        send("a", 2, 2_000);
        harness.processWatermarkStatus(WatermarkStatus.ACTIVE);
        send("a", 3, 3_000);
        assertThat(output())
                .containsExactly(
                        "a @0 x1 = 1.0 (1000)",
                        "WatermarkStatus(IDLE)",
                        "a @0 x1 = 2.0 (2000)",
                        "WatermarkStatus(ACTIVE)");
        harness.close();

        open(0, 0);
        send("a", 1, 1_000);
        send("a", 2, 1_000);
        assertThat(output()).containsExactly("a @0 x1 = 1.0 (1000)", "a @0 x1 = 2.0 (1000)");
    }

    @Test
    void theEndOfInputEmitsWhatIsHeld() throws Exception {
        open(0, 1_000);
        send("a", 1, 1_000);
        harness.endInput();
        assertThat(output()).containsExactly("a @0 x1 = 1.0 (1000)");
    }
}
