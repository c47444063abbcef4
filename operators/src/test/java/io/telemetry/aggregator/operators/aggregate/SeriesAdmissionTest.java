package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SeriesAdmissionTest {

    private KeyedOneInputStreamOperatorTestHarness<SeriesKey, PartialAggregate, PartialAggregate>
            harness;

    private static KeyedOneInputStreamOperatorTestHarness<
                    SeriesKey, PartialAggregate, PartialAggregate>
            create(CardinalityLimits limits) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SeriesAdmission(limits)),
                new TelemetryWindows.SeriesKeySelector(),
                TypeInformation.of(SeriesKey.class));
    }

    private void open(int total, int perSource, int perMetric) throws Exception {
        harness = create(new CardinalityLimits(total, perSource, perMetric, 60_000, 0));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void send(String metric, String source, long ts) throws Exception {
        TelemetryRecord r =
                new TelemetryRecord(metric, source, "{}", MetricFunction.SUM, 1, ts, ts);
        harness.processElement(new StreamRecord<>(PartialAggregate.of(r, ts - ts % 60_000), ts));
    }

    private List<String> passed() {
        return harness.extractOutputValues().stream()
                .map(p -> p.metric + "@" + p.source + "/" + p.windowStart / 1_000)
                .collect(Collectors.toList());
    }

    private List<DeadLetter> refused() {
        var side = harness.getSideOutput(SeriesAdmission.REFUSED);
        return side == null
                ? List.of()
                : side.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void aSourceBeyondItsLimitLosesItsNewSeriesAndNoOneElseLosesAny() throws Exception {
        open(0, 2, 0);
        send("a", "flood", 1_000);
        send("b", "flood", 1_000);
        send("c", "flood", 1_000); // the third series of the source: refused
        send("x", "calm", 2_000);
        send("a", "flood", 3_000); // admitted before: never refused in this window
        send("c", "flood", 4_000); // still refused
        send("c", "flood", 61_000); // a new window counts anew

        assertThat(passed())
                .containsExactly("a@flood/0", "b@flood/0", "x@calm/0", "a@flood/0", "c@flood/60");
        assertThat(refused())
                .extracting(d -> d.reason + ": " + d.detail)
                .containsExactly(
                        "cardinality_limit: source flood has 2 series, the limit"
                                + " window.max-series-per-source in window"
                                + " [1970-01-01T00:00:00Z, 1970-01-01T00:01:00Z) on this task",
                        "cardinality_limit: source flood has 2 series, the limit"
                                + " window.max-series-per-source in window"
                                + " [1970-01-01T00:00:00Z, 1970-01-01T00:01:00Z) on this task");
        assertThat(refused().get(0).record)
                .isEqualTo(
                        "{\"metric\":\"c\",\"source\":\"flood\",\"tags\":{},\"function\":\"sum\","
                                + "\"value\":1.0,\"time\":\"1970-01-01T00:00:01Z\"}");
    }

    @Test
    void totalAndPerMetricLimits() throws Exception {
        open(3, 0, 1);
        send("cpu", "h1", 1_000);
        send("cpu", "h2", 1_000); // a second series of the metric cpu
        send("mem", "h1", 1_000);
        send("disk", "h1", 1_000);
        send("net", "h1", 1_000); // the fourth series of the window

        assertThat(passed()).containsExactly("cpu@h1/0", "mem@h1/0", "disk@h1/0");
        assertThat(refused())
                .extracting(d -> d.detail.substring(0, d.detail.indexOf(" in window")))
                .containsExactly(
                        "metric cpu has 1 series, the limit window.max-series-per-metric",
                        "the window holds 3 series, the limit window.max-series");
    }

    @Test
    void namesOfTheSameStringHashAreCountedApart() throws Exception {
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        open(0, 1, 1);
        send("Aa", "Aa", 1_000);
        send("BB", "BB", 1_000); // another metric of another source: admitted
        send("Aa", "BB", 1_000); // a second series of metric Aa and of source BB: refused

        assertThat(passed()).containsExactly("Aa@Aa/0", "BB@BB/0");
        assertThat(refused())
                .extracting(d -> d.detail.substring(0, d.detail.indexOf(" in window")))
                .containsExactly("source BB has 1 series, the limit window.max-series-per-source");
    }

    @Test
    void aHundredThousandMetricNamesAreCountedApart() throws Exception {
        open(0, 0, 1);
        for (int i = 0; i < 100_000; i++) {
            send("m" + i, "s", 1_000);
        }
        send("m99999", "t", 1_000); // a second series of a metric seen before: refused
        assertThat(harness.extractOutputValues()).hasSize(100_000);
        assertThat(refused())
                .extracting(d -> d.detail.substring(0, d.detail.indexOf(" in window")))
                .containsExactly(
                        "metric m99999 has 1 series, the limit window.max-series-per-metric");
    }

    @Test
    void deadLettersOfAWindowAreCappedAndTheRestCounted() throws Exception {
        open(1, 0, 0);
        send("first", "s", 1_000);
        for (int i = 0; i < 250; i++) {
            send("m" + i, "s", 1_000);
        }
        assertThat(passed()).containsExactly("first@s/0");
        assertThat(refused()).hasSize(SeriesAdmission.DEAD_LETTERS_PER_WINDOW);
    }

    @Test
    void closedWindowsPassForTheWindowOperatorToCallLate() throws Exception {
        open(1, 0, 0);
        send("a", "s", 61_000);
        harness.processWatermark(119_999);
        send("b", "s", 1_000); // its window closed long ago: late, not refused
        assertThat(passed()).containsExactly("a@s/60", "b@s/0");
        assertThat(refused()).isEmpty();
    }

    @Test
    void afterARestoreTheOpenWindowsCountAgainFromZero() throws Exception {
        open(0, 1, 0);
        send("a", "s", 1_000);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = create(new CardinalityLimits(0, 1, 0, 60_000, 0));
        harness.initializeState(snapshot);
        harness.open();
        send("a", "s", 2_000); // counted again: admitted
        send("a", "s", 3_000);
        send("b", "s", 4_000); // the source's one series is taken: refused

        assertThat(passed()).containsExactly("a@s/0", "a@s/0");
        assertThat(refused()).hasSize(1);
    }
}
