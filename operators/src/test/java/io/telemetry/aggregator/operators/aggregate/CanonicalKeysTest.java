package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;
import org.junit.jupiter.api.Test;

class CanonicalKeysTest {

    private static final byte SUM = MetricFunction.SUM.code();
    private static final byte MAX = MetricFunction.MAX.code();

    @Test
    void aSeriesThatComesBackGetsTheKeyItHadBefore() {
        CanonicalKeys keys = new CanonicalKeys(16);
        SeriesKey first = keys.of(copy("cpu"), copy("10.0.0.1"), copy("{}"), SUM);

        SeriesKey again = keys.of(copy("cpu"), copy("10.0.0.1"), copy("{}"), SUM);

        assertThat(again).isSameAs(first);
        assertThat(first).isEqualTo(new SeriesKey("cpu", "10.0.0.1", "{}", SUM));
    }

    @Test
    void seriesThatDifferInOneFieldGetKeysOfTheirOwn() {
        CanonicalKeys keys = new CanonicalKeys(16);
        SeriesKey[] distinct = {
            keys.of("cpu", "10.0.0.1", "{}", SUM),
            keys.of("cpu", "10.0.0.1", "{}", MAX),
            keys.of("cpu", "10.0.0.2", "{}", SUM),
            keys.of("cpu", "10.0.0.1", "{\"k\":\"v\"}", SUM),
            keys.of("mem", "10.0.0.1", "{}", SUM),
            // the same String hash as "cpu"'s neighbours: Aa and BB
            keys.of("Aa", "10.0.0.1", "{}", SUM),
            keys.of("BB", "10.0.0.1", "{}", SUM),
        };

        for (int i = 0; i < distinct.length; i++) {
            for (int j = 0; j < distinct.length; j++) {
                assertThat(distinct[i].equals(distinct[j])).isEqualTo(i == j);
            }
        }
    }

    @Test
    void moreSeriesThanSlotsAreEachGivenAnEqualKey() {
        CanonicalKeys keys = new CanonicalKeys(8);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100; i++) {
                String metric = "m" + i;
                assertThat(keys.of(copy(metric), "s", "{}", SUM))
                        .isEqualTo(new SeriesKey(metric, "s", "{}", SUM));
            }
        }
    }

    @Test
    void theTableGrowsWithTheSeriesUpToItsBoundAndKeepsItsKeys() {
        CanonicalKeys keys = new CanonicalKeys(1 << 14);
        assertThat(keys.capacity()).isEqualTo(CanonicalKeys.INITIAL_SLOTS);
        SeriesKey first = keys.of(copy("m0"), "s", "{}", SUM);

        for (int i = 1; i < 100_000; i++) {
            String metric = "m" + i;
            assertThat(keys.of(copy(metric), "s", "{}", SUM))
                    .isEqualTo(new SeriesKey(metric, "s", "{}", SUM));
            assertThat(keys.capacity()).isLessThanOrEqualTo(1 << 14);
            if (i == 5_000) {
                assertThat(keys.capacity()).isGreaterThan(CanonicalKeys.INITIAL_SLOTS);
                assertThat(keys.of(copy("m0"), "s", "{}", SUM)).isSameAs(first);
            }
        }
        assertThat(keys.capacity()).isEqualTo(1 << 14);
    }

    @Test
    void aSmallBoundIsTheTableFromTheStart() {
        assertThat(new CanonicalKeys(64).capacity()).isEqualTo(64);
    }

    @Test
    void seriesOfOneSlotNeverStandForEachOther() {
        CanonicalKeys keys = new CanonicalKeys(1);
        for (int round = 0; round < 3; round++) {
            for (String metric : new String[] {"Aa", "BB", "", "Aa", "cpu", "mem", "disk"}) {
                assertThat(keys.of(copy(metric), "s", "{}", SUM).metric).isEqualTo(metric);
            }
        }
    }

    @Test
    void keysOfTwoSeriesShareTheirSourceAndTags() {
        TelemetryWindows.WindowKeySelector selector = new TelemetryWindows.WindowKeySelector();
        SeriesKey a = selector.getKey(partial("cpu.a"));
        SeriesKey b = selector.getKey(partial("cpu.b"));

        assertThat(a).isEqualTo(new SeriesKey("cpu.a", "10.0.0.1", "{\"k\":\"v\"}", a.function));
        assertThat(b.source).isSameAs(a.source);
        assertThat(b.tags).isSameAs(a.tags);
        assertThat(selector.getKey(partial("cpu.a"))).isSameAs(a);
    }

    private static String copy(String s) {
        return new String(s);
    }

    private static PartialAggregate partial(String metric) {
        return PartialAggregate.of(
                new TelemetryRecord(
                        copy(metric),
                        copy("10.0.0.1"),
                        copy("{\"k\":\"v\"}"),
                        MetricFunction.SUM,
                        1,
                        0,
                        0),
                0);
    }
}
