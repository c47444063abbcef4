package io.telemetry.aggregator.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.MetricFunction;
import io.telemetry.aggregator.operators.TelemetryRecord;
import org.junit.jupiter.api.Test;

/** The pre-aggregation's key: series and window, and nothing of the values. */
class SeriesWindowTest {

    private static TelemetryRecord record(String metric, MetricFunction f, double value) {
        return new TelemetryRecord(metric, "d1", "{}", f, value, 1_000L, 2_000L);
    }

    @Test
    void recordsOfOneSeriesAndWindowShareAKey() {
        SeriesWindow probe = new SeriesWindow();
        SeriesWindow stored = probe.set(record("temp", MetricFunction.AVG, 1), 0).copy();

        assertThat(probe.set(record("temp", MetricFunction.AVG, 99), 0)).isEqualTo(stored);
        assertThat(probe.hashCode()).isEqualTo(stored.hashCode());
        assertThat(probe.set(record("temp", MetricFunction.MAX, 1), 0)).isNotEqualTo(stored);
        assertThat(probe.set(record("temp", MetricFunction.AVG, 1), 60_000)).isNotEqualTo(stored);
        assertThat(probe.set(record("hum", MetricFunction.AVG, 1), 0)).isNotEqualTo(stored);
        // The stored copy does not follow the probe.
        assertThat(stored.toString()).startsWith("temp|d1|{}|");
    }
}
