package io.telemetry.aggregator.operators.parse;

import static io.telemetry.aggregator.operators.MetricFunction.AVG;
import static io.telemetry.aggregator.operators.MetricFunction.COUNT;
import static io.telemetry.aggregator.operators.MetricFunction.COUNT_DISTINCT;
import static io.telemetry.aggregator.operators.MetricFunction.LAST;
import static io.telemetry.aggregator.operators.MetricFunction.MAX;
import static io.telemetry.aggregator.operators.MetricFunction.P50;
import static io.telemetry.aggregator.operators.MetricFunction.P95;
import static io.telemetry.aggregator.operators.MetricFunction.P99;
import static io.telemetry.aggregator.operators.MetricFunction.SUM;
import static io.telemetry.aggregator.operators.parse.Parsed.RECEIVED_AT;
import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.TelemetryRecord;
import org.junit.jupiter.api.Test;

class StatsdParserTest {

    private static TelemetryRecord rec(
            String metric,
            String source,
            String tags,
            io.telemetry.aggregator.operators.MetricFunction f,
            double v) {
        return new TelemetryRecord(metric, source, tags, f, v, RECEIVED_AT, RECEIVED_AT);
    }

    @Test
    void countersScaleBySampleRate() {
        Parsed p = Parsed.parse("requests:3|c|@0.25\nerrors:1|c");

        assertThat(p.records)
                .containsExactly(
                        rec("requests", "10.0.0.7", "{}", SUM, 12),
                        rec("errors", "10.0.0.7", "{}", SUM, 1));
    }

    @Test
    void gaugesTimersAndSets() {
        Parsed p = Parsed.parse("temp:-4.5|g\nlatency:320|ms\nusers:alice|s\nusers:42|s");

        assertThat(p.records)
                .extracting(r -> r.metric + " " + r.function().label() + " " + r.value)
                .containsExactly(
                        "temp last -4.5",
                        "latency avg 320.0",
                        "latency p50 320.0",
                        "latency p95 320.0",
                        "latency p99 320.0",
                        "latency max 320.0",
                        "latency count 320.0",
                        "users count_distinct " + p.records.get(7).value,
                        "users count_distinct 42.0");
        assertThat(p.records.get(7).value).isNotEqualTo(42.0).isPositive();
        assertThat(p.records.get(0).function()).isEqualTo(LAST);
        assertThat(p.records.get(8).function()).isEqualTo(COUNT_DISTINCT);
        assertThat(p.records.subList(1, 7))
                .extracting(TelemetryRecord::function)
                .containsExactly(AVG, P50, P95, P99, MAX, COUNT);
    }

    @Test
    void dogStatsdTagsAndTimestamp() {
        Parsed p = Parsed.parse("page.views:1|c|#env:prod,host:web-2,canary|T1795430400");

        assertThat(p.records)
                .containsExactly(
                        new TelemetryRecord(
                                "page.views",
                                "web-2",
                                "{\"canary\":\"\",\"env\":\"prod\"}",
                                SUM,
                                1,
                                1_795_430_400_000L,
                                RECEIVED_AT));
    }

    @Test
    void invalidStatsd() {
        Parsed p = Parsed.parse(":1|c\nx:abc|c\nx:1|q\nx:1|c|@0\nx:1|c|@1.5\nx:1|c|T99999999999");

        assertThat(p.records).isEmpty();
        assertThat(p.deadLetters)
                .extracting(d -> d.reason + ": " + d.detail)
                .containsExactly(
                        "missing_metric: StatsD metric name is empty",
                        "invalid_value: value 'abc' is not a number",
                        "malformed: unknown StatsD type 'q'; use c, g, ms, h, d or s",
                        "invalid_value: sample rate '0' must be a number above 0 and at most 1",
                        "invalid_value: sample rate '1.5' must be a number above 0 and at most 1",
                        "timestamp_out_of_range: event time 5138-11-16T09:46:39Z is more than 300000 ms after its arrival at 2026-11-23T10:41:00Z");
        assertThat(p.deadLetters).extracting(d -> d.reason).doesNotContainNull();
        assertThat(p.deadLetters.get(0).reason).isEqualTo(DeadLetter.MISSING_METRIC);
    }
}
