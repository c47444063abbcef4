package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.SeriesKey;
import io.telemetry.aggregator.operators.TelemetryRecord;
import org.junit.jupiter.api.Test;

class CanonicalStringsTest {

    @Test
    void anEqualStringGivesTheInstanceKept() {
        CanonicalStrings strings = new CanonicalStrings(16);
        String first = new String("127.0.0.1");

        assertThat(strings.of(first)).isSameAs(first);
        assertThat(strings.of(new String("127.0.0.1"))).isSameAs(first);
    }

    @Test
    void stringsOfOneSlotNeverStandForEachOther() {
        CanonicalStrings strings = new CanonicalStrings(1);
        for (int round = 0; round < 3; round++) {
            for (String s : new String[] {"Aa", "BB", "", "Aa", "{}"}) {
                assertThat(strings.of(new String(s))).isEqualTo(s);
            }
        }
    }

    @Test
    void keysOfTwoSeriesShareTheirSourceAndTags() {
        TelemetryWindows.SeriesKeySelector selector = new TelemetryWindows.SeriesKeySelector();
        SeriesKey a = selector.getKey(partial("cpu.a"));
        SeriesKey b = selector.getKey(partial("cpu.b"));

        assertThat(a).isEqualTo(new SeriesKey("cpu.a", "10.0.0.1", "{\"k\":\"v\"}", a.function));
        assertThat(b.source).isSameAs(a.source);
        assertThat(b.tags).isSameAs(a.tags);
    }

    private static PartialAggregate partial(String metric) {
        return PartialAggregate.of(
                new TelemetryRecord(
                        metric,
                        new String("10.0.0.1"),
                        new String("{\"k\":\"v\"}"),
                        MetricFunction.SUM,
                        1,
                        0,
                        0),
                0);
    }
}
