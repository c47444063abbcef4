package io.telemetry.aggregator.operators.parse;

import static io.telemetry.aggregator.operators.MetricFunction.COUNT;
import static io.telemetry.aggregator.operators.MetricFunction.COUNT_DISTINCT;
import static io.telemetry.aggregator.operators.MetricFunction.P99;
import static io.telemetry.aggregator.operators.MetricFunction.SUM;
import static io.telemetry.aggregator.operators.parse.Parsed.RECEIVED_AT;
import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.ParseOptions;
import io.telemetry.aggregator.operators.TelemetryRecord;
import org.apache.flink.configuration.Configuration;
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
        Parsed p = Parsed.parse("temp:4.5|g\nlatency:320|ms\nusers:alice|s\nusers:42|s");

        assertThat(p.records)
                .extracting(r -> r.metric + " " + r.function().label() + " " + r.value)
                .containsExactly(
                        "temp last 4.5",
                        "latency count 320.0",
                        "latency sum 320.0",
                        "latency avg 320.0",
                        "latency min 320.0",
                        "latency max 320.0",
                        "latency stddev 320.0",
                        "latency p50 320.0",
                        "latency p90 320.0",
                        "latency p95 320.0",
                        "latency p99 320.0",
                        "users count_distinct " + p.records.get(11).value,
                        "users count_distinct 42.0");
        assertThat(p.records.get(11).value).isNotEqualTo(42.0).isPositive();
        assertThat(p.records.get(0).gauge).isEqualTo(TelemetryRecord.GAUGE_SET);
        assertThat(p.records.subList(1, 11)).extracting(r -> r.weight).containsOnly(1.0);
        assertThat(p.records.get(12).function()).isEqualTo(COUNT_DISTINCT);
    }

    @Test
    void signedGaugesAreChangesAndSampledTimersCountOneOverTheRate() {
        Parsed p = Parsed.parse("g1:+5|g\ng1:-3|g\ng1:0|g\nt1:100|ms|@0.1\nh1:7|h|@0.5");

        assertThat(p.records.subList(0, 3))
                .extracting(r -> r.function().label() + " " + r.value + " " + r.gauge)
                .containsExactly(
                        "last 5.0 " + TelemetryRecord.GAUGE_CHANGE,
                        "last -3.0 " + TelemetryRecord.GAUGE_CHANGE,
                        "last 0.0 " + TelemetryRecord.GAUGE_SET);
        // The timer's sample counts 10 times in count; every statistic is of the sample 100.
        assertThat(p.records.subList(3, 13))
                .extracting(r -> r.function().label() + " " + r.value + " w" + r.weight)
                .containsExactly(
                        "count 100.0 w10.0",
                        "sum 100.0 w10.0",
                        "avg 100.0 w10.0",
                        "min 100.0 w10.0",
                        "max 100.0 w10.0",
                        "stddev 100.0 w10.0",
                        "p50 100.0 w10.0",
                        "p90 100.0 w10.0",
                        "p95 100.0 w10.0",
                        "p99 100.0 w10.0");
        assertThat(p.records.get(13).weight).isEqualTo(2.0);
        assertThat(p.records).hasSize(23);
    }

    @Test
    void timerFunctionsAreASetting() {
        Configuration config = new Configuration();
        config.setString(ParseOptions.STATSD_TIMER_FUNCTIONS.key(), "count;p99");
        Parsed p = Parsed.parse("t:5|ms", config);

        assertThat(p.records).extracting(TelemetryRecord::function).containsExactly(COUNT, P99);
    }

    @Test
    void dogStatsdEventsAndServiceChecksAreUnsupportedAndContainerIdsIgnored() {
        Parsed p =
                Parsed.parse(
                        "_e{10,9}:Deploy web|Version 2|#env:prod\n"
                                + "_sc|db.up|0|#env:prod\n"
                                + "hits:1|c|#env:prod|c:83c0a99c0a54c0c187f461c7980e9b57f3f6a8b0c918c8d93df19a9de6f3fe1d");

        assertThat(p.deadLetters)
                .extracting(d -> d.reason + ": " + d.detail)
                .containsExactly(
                        "unsupported: a DogStatsD event: the job aggregates metrics, not events",
                        "unsupported: a DogStatsD service check: the job aggregates metrics, not"
                                + " checks");
        assertThat(p.records)
                .containsExactly(rec("hits", "10.0.0.7", "{\"env\":\"prod\"}", SUM, 1));
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
