package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MetricAccumulatorTest {

    private static final double[] VALUES = {4, -2, 8, 8, 0, 3.5, -0.0, 10};
    private static final long[] TIMES = {50, 20, 90, 20, 70, 90, 60, 10};

    private static MetricAccumulator accumulate(MetricFunction f, int from, int to) {
        MetricAccumulator acc = new MetricAccumulator();
        for (int i = from; i < to; i++) {
            acc.add(new TelemetryRecord("m", "s", "{}", f, VALUES[i], TIMES[i], 1000 + i));
        }
        return acc;
    }

    @Test
    void exactResultsOfEachFunction() {
        int n = VALUES.length;
        assertThat(accumulate(MetricFunction.COUNT, 0, n).result()).isEqualTo(8);
        assertThat(accumulate(MetricFunction.SUM, 0, n).result()).isEqualTo(31.5);
        assertThat(accumulate(MetricFunction.MIN, 0, n).result()).isEqualTo(-2);
        assertThat(accumulate(MetricFunction.MAX, 0, n).result()).isEqualTo(10);
        assertThat(accumulate(MetricFunction.AVG, 0, n).result()).isEqualTo(31.5 / 8);
        // first: earliest event time 10 -> 10.0; last: latest time 90, later arrival wins -> 3.5
        assertThat(accumulate(MetricFunction.FIRST, 0, n).result()).isEqualTo(10);
        assertThat(accumulate(MetricFunction.LAST, 0, n).result()).isEqualTo(3.5);
        // 0 and -0.0 are one value; 8 twice: {4,-2,8,0,3.5,10}
        assertThat(accumulate(MetricFunction.COUNT_DISTINCT, 0, n).result()).isEqualTo(6);
        double mean = 31.5 / 8;
        double var = Arrays.stream(VALUES).map(v -> (v - mean) * (v - mean)).sum() / 8;
        assertThat(accumulate(MetricFunction.STDDEV, 0, n).result())
                .isCloseTo(Math.sqrt(var), within(1e-12));
        assertThat(accumulate(MetricFunction.COUNT, 0, n).count()).isEqualTo(8);
        assertThat(accumulate(MetricFunction.SUM, 0, n).lastReceivedAt()).isEqualTo(1007);
    }

    @Test
    void firstKeepsTheEarlierArrivalOnATie() {
        MetricAccumulator acc = new MetricAccumulator();
        acc.add(new TelemetryRecord("m", "s", "{}", MetricFunction.FIRST, 1, 5, 0));
        acc.add(new TelemetryRecord("m", "s", "{}", MetricFunction.FIRST, 2, 5, 0));
        assertThat(acc.result()).isEqualTo(1);
    }

    @Test
    void percentilesWithinOnePercentOfTheNearestRank() {
        for (MetricFunction f :
                new MetricFunction[] {
                    MetricFunction.P50, MetricFunction.P90, MetricFunction.P95, MetricFunction.P99
                }) {
            MetricAccumulator acc = new MetricAccumulator();
            for (int i = 1; i <= 10_000; i++) {
                acc.add(new TelemetryRecord("m", "s", "{}", f, i * 0.37, 0, 0));
            }
            double exact = Math.ceil(f.quantile() * 10_000) * 0.37;
            assertThat(acc.result()).as(f.label()).isCloseTo(exact, within(exact * 0.01));
        }
    }

    @Test
    void percentilesAreStatsdsNearestRankForSmallWindowsToo() {
        // An independent computation: StatsD's upper_N, the value at index round(p * n) - 1 of the
        // sorted samples.
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 2_000; trial++) {
            int n = 1 + random.nextInt(60);
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = 1 + random.nextInt(5_000);
            }
            for (MetricFunction f :
                    new MetricFunction[] {
                        MetricFunction.P50,
                        MetricFunction.P90,
                        MetricFunction.P95,
                        MetricFunction.P99
                    }) {
                MetricAccumulator acc = new MetricAccumulator();
                for (double v : values) {
                    acc.add(new TelemetryRecord("m", "s", "{}", f, v, 0, 0));
                }
                double[] sorted = values.clone();
                Arrays.sort(sorted);
                int rank = (int) Math.max(1, Math.round(f.quantile() * n));
                double expected = sorted[rank - 1];
                assertThat(acc.result())
                        .as("%s of %s", f.label(), Arrays.toString(values))
                        .isCloseTo(expected, within(expected * 0.01));
            }
        }
    }

    @Test
    void theIssuesTimerP99OfThreeSamplesIsTheLargest() {
        MetricAccumulator acc = new MetricAccumulator();
        for (double v : new double[] {100, 200, 300}) {
            acc.add(new TelemetryRecord("t1", "s", "{}", MetricFunction.P99, v, 0, 0));
        }
        assertThat(acc.result()).isCloseTo(300, within(3.0));
    }

    @Test
    void countSumsTheWeightsOfSampledTimerSamples() {
        MetricAccumulator acc = new MetricAccumulator();
        for (double weight : new double[] {10, 10, 1}) {
            TelemetryRecord r = new TelemetryRecord("t1", "s", "{}", MetricFunction.COUNT, 1, 0, 0);
            r.weight = weight;
            acc.add(r);
        }
        assertThat(acc.result()).isEqualTo(21);
        assertThat(acc.count()).isEqualTo(3);
    }

    private static TelemetryRecord gauge(double value, boolean change) {
        TelemetryRecord r = new TelemetryRecord("g1", "s", "{}", MetricFunction.LAST, value, 0, 0);
        r.gauge = change ? TelemetryRecord.GAUGE_CHANGE : TelemetryRecord.GAUGE_SET;
        return r;
    }

    @Test
    void gaugeLinesApplyInArrivalOrder() {
        MetricAccumulator acc = new MetricAccumulator();
        acc.add(gauge(10, false));
        acc.add(gauge(5, true));
        acc.add(gauge(-3, true));
        assertThat(acc.result()).isEqualTo(12);
        assertThat(acc.isGaugeChangeOnly()).isFalse();

        MetricAccumulator changes = new MetricAccumulator();
        changes.add(gauge(5, true));
        changes.add(gauge(-3, true));
        assertThat(changes.isGaugeChangeOnly()).isTrue();
        assertThat(changes.result()).isEqualTo(2);

        // Merged in arrival order: a value then changes, changes then a value.
        MetricAccumulator valueThenChanges = new MetricAccumulator();
        valueThenChanges.add(gauge(10, false));
        valueThenChanges.merge(changes.copy());
        assertThat(valueThenChanges.result()).isEqualTo(12);
        assertThat(valueThenChanges.isGaugeChangeOnly()).isFalse();
        MetricAccumulator changesThenValue = changes.copy();
        MetricAccumulator value = new MetricAccumulator();
        value.add(gauge(7, false));
        changesThenValue.merge(value);
        assertThat(changesThenValue.result()).isEqualTo(7);
        assertThat(changesThenValue.isGaugeChangeOnly()).isFalse();
    }

    @Test
    void stateOfTheFirstFormatRestores() throws Exception {
        // Format 1: format, function, count, last arrival, then the function's fields.
        DataOutputSerializer count = new DataOutputSerializer(32);
        count.writeByte(1);
        count.writeByte(MetricFunction.COUNT.code());
        count.writeLong(4);
        count.writeLong(99);
        MetricAccumulator c =
                MetricAccumulatorSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(count.getCopyOfBuffer()));
        assertThat(c.result()).isEqualTo(4);
        c.add(new TelemetryRecord("m", "s", "{}", MetricFunction.COUNT, 1, 0, 100));
        assertThat(c.result()).isEqualTo(5);

        DataOutputSerializer last = new DataOutputSerializer(32);
        last.writeByte(1);
        last.writeByte(MetricFunction.LAST.code());
        last.writeLong(2);
        last.writeLong(99);
        last.writeDouble(8.5);
        last.writeLong(1_000);
        MetricAccumulator l =
                MetricAccumulatorSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(last.getCopyOfBuffer()));
        assertThat(l.result()).isEqualTo(8.5);
        assertThat(l.isGauge()).isFalse();
        // A change after the upgrade changes the restored value.
        l.add(gauge(1.5, true));
        assertThat(l.result()).isEqualTo(10);
    }

    @Test
    void percentilesOfNegativeAndZeroValues() {
        MetricAccumulator acc = new MetricAccumulator();
        for (double v : new double[] {-100, -50, 0, 0, 0}) {
            acc.add(new TelemetryRecord("m", "s", "{}", MetricFunction.P50, v, 0, 0));
        }
        assertThat(acc.result()).isEqualTo(0.0);
    }

    @ParameterizedTest
    @EnumSource(MetricFunction.class)
    void mergeEqualsAddingEverything(MetricFunction f) {
        MetricAccumulator whole = accumulate(f, 0, VALUES.length);
        MetricAccumulator left = accumulate(f, 0, 3);
        left.merge(accumulate(f, 3, VALUES.length));
        MetricAccumulator empty = new MetricAccumulator();
        empty.merge(whole);

        assertThat(left.count()).isEqualTo(whole.count());
        assertThat(left.result()).isCloseTo(whole.result(), within(1e-9));
        assertThat(empty.result()).isEqualTo(whole.result());
    }

    @ParameterizedTest
    @EnumSource(MetricFunction.class)
    void serializerRoundTrip(MetricFunction f) throws Exception {
        MetricAccumulator acc = accumulate(f, 0, VALUES.length);
        DataOutputSerializer out = new DataOutputSerializer(64);
        MetricAccumulatorSerializer.INSTANCE.serialize(acc, out);
        MetricAccumulator back =
                MetricAccumulatorSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back.function()).isEqualTo(f);
        assertThat(back.count()).isEqualTo(acc.count());
        assertThat(back.lastReceivedAt()).isEqualTo(acc.lastReceivedAt());
        assertThat(back.result()).isEqualTo(acc.result());
        // Keeps accumulating after a restore.
        back.add(new TelemetryRecord("m", "s", "{}", f, 100, 100, 2000));
        acc.add(new TelemetryRecord("m", "s", "{}", f, 100, 100, 2000));
        assertThat(back.result()).isEqualTo(acc.result());
    }

    @Test
    void serializerRejectsAnUnknownFormat() {
        DataInputDeserializer in = new DataInputDeserializer(new byte[] {9, 0, 0});
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> MetricAccumulatorSerializer.INSTANCE.deserialize(in))
                .hasMessage(
                        "Unknown accumulator format 9; this state was written by a newer version of the job");
    }
}
