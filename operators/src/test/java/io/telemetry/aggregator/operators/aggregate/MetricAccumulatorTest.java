package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;
import java.util.Arrays;
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
