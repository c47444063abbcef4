package io.telemetry.aggregator.operators.parse;

import static io.telemetry.aggregator.operators.MetricFunction.AVG;
import static io.telemetry.aggregator.operators.MetricFunction.MAX;
import static io.telemetry.aggregator.operators.MetricFunction.P95;
import static io.telemetry.aggregator.operators.MetricFunction.SUM;
import static io.telemetry.aggregator.operators.parse.Parsed.RECEIVED_AT;
import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.ParseOptions;
import io.telemetry.aggregator.operators.TelemetryRecord;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonRecordParserTest {

    private static final long T0 = 1_795_430_400_000L; // 2026-11-23T10:40:00Z

    @Test
    void singleMetricFormWithSourceTagsAndIsoTime() {
        Parsed p =
                Parsed.parse(
                        "{\"metric\": \"temperature\", \"value\": 75.5, \"function\": \"avg\","
                                + " \"time\": \"2026-11-23T10:40:00Z\", \"device_id\": \"gpu-001\","
                                + " \"hostname\": \"worker-1\", \"tags\": {\"site\": \"lab\"}}");

        assertThat(p.deadLetters).isEmpty();
        assertThat(p.records)
                .containsExactly(
                        new TelemetryRecord(
                                "temperature",
                                "gpu-001",
                                "{\"hostname\":\"worker-1\",\"site\":\"lab\"}",
                                AVG,
                                75.5,
                                T0,
                                RECEIVED_AT));
        assertThat(p.parsedCount).isEqualTo(1);
    }

    @Test
    void nameFieldFunctionListAndCaseInsensitiveFunctions() {
        Parsed p =
                Parsed.parse(
                        "{\"name\":\"gpu.util\",\"value\":-3,\"function\":[\"SUM\",\"Max\",\"p95\",\"sum\"],\"ts\":1795430400}");

        assertThat(p.records)
                .containsExactly(
                        new TelemetryRecord("gpu.util", "10.0.0.7", "{}", SUM, -3, T0, RECEIVED_AT),
                        new TelemetryRecord("gpu.util", "10.0.0.7", "{}", MAX, -3, T0, RECEIVED_AT),
                        new TelemetryRecord(
                                "gpu.util", "10.0.0.7", "{}", P95, -3, T0, RECEIVED_AT));
    }

    @Test
    void multiFieldDroneForm() {
        Parsed p =
                Parsed.parse(
                        "{\"drone_id\": \"d-17\", \"ts\": 1795430400123, \"alt\": 120.5,"
                                + " \"battery\": 87, \"lat\": 52.1, \"lon\": 4.3, \"mode\": \"auto\","
                                + " \"armed\": true, \"gps\": {\"fix\": 3}}");

        long t = T0 + 123;
        String tags = "{\"mode\":\"auto\"}";
        assertThat(p.deadLetters).isEmpty();
        assertThat(p.records)
                .containsExactly(
                        new TelemetryRecord("alt", "d-17", tags, AVG, 120.5, t, RECEIVED_AT),
                        new TelemetryRecord("battery", "d-17", tags, AVG, 87, t, RECEIVED_AT),
                        new TelemetryRecord("lat", "d-17", tags, AVG, 52.1, t, RECEIVED_AT),
                        new TelemetryRecord("lon", "d-17", tags, AVG, 4.3, t, RECEIVED_AT));
    }

    @Test
    void functionRulesApplyWhenTheRecordNamesNone() {
        Configuration config = new Configuration();
        config.set(ParseOptions.FUNCTION_RULES, List.of("bat*=min", "*t=max,sum"));
        Parsed p =
                Parsed.parse(
                        "{\"drone_id\":\"d\",\"ts\":1795430400,\"alt\":1,\"battery\":2,\"x\":3}",
                        config);

        assertThat(p.records)
                .extracting(r -> r.metric + ":" + r.function().label())
                .containsExactly("alt:max", "alt:sum", "battery:min", "x:avg");
    }

    @Test
    void sourceFieldsInConfiguredOrderAndSenderFallback() {
        Parsed p =
                Parsed.parse(
                        "{\"metric\":\"m\",\"value\":1,\"hostname\":\"h\",\"drone_id\":\"d\"}\n"
                                + "{\"metric\":\"m\",\"value\":2}");

        assertThat(p.records).extracting(r -> r.source).containsExactly("d", "10.0.0.7");
        assertThat(p.records).extracting(r -> r.tags).containsExactly("{\"hostname\":\"h\"}", "{}");
        assertThat(p.records)
                .extracting(r -> r.timestamp)
                .containsExactly(RECEIVED_AT, RECEIVED_AT);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "1795430400|1795430400000",
                "1795430400.25|1795430400250",
                "1795430400123|1795430400123",
                "1795430400123456789|1795430400123",
                "\"2026-11-23T12:40:00+02:00\"|1795430400000",
                "\"2026-11-23T10:40:00.5Z\"|1795430400500",
                "\"2026-11-23T10:40:00\"|1795430400000",
            })
    void eventTimeForms(String json, long expectedMillis) {
        Parsed p = Parsed.parse("{\"metric\":\"m\",\"value\":1,\"timestamp\":" + json + "}");

        assertThat(p.deadLetters).isEmpty();
        assertThat(p.records)
                .singleElement()
                .extracting(r -> r.timestamp)
                .isEqualTo(expectedMillis);
    }

    @Test
    void hugeAndNegativeNumbersAreValues() {
        Parsed p =
                Parsed.parse(
                        "{\"metric\":\"a\",\"value\":123456789012345678901234567890}\n"
                                + "{\"metric\":\"b\",\"value\":-1.5e300}\n"
                                + "{\"metric\":\"c\",\"value\":1e-320}");

        assertThat(p.records)
                .extracting(r -> r.value)
                .containsExactly(1.2345678901234568e29, -1.5e300, 1e-320);
    }

    @Test
    void invalidValuesGoToDeadLetters() {
        String nan = "{\"metric\":\"m\",\"value\":NaN}";
        String inf = "{\"metric\":\"m\",\"value\":-Infinity}";
        String overflow = "{\"metric\":\"m\",\"value\":1e400}";
        String text = "{\"metric\":\"m\",\"value\":\"12\"}";
        String bool = "{\"metric\":\"m\",\"value\":true}";
        Parsed p = Parsed.parse(String.join("\n", nan, inf, overflow, text, bool));

        assertThat(p.records).isEmpty();
        assertThat(p.deadLetters)
                .containsExactly(
                        Parsed.dead(
                                DeadLetter.INVALID_VALUE, "value NaN is not a finite number", nan),
                        Parsed.dead(
                                DeadLetter.INVALID_VALUE,
                                "value -Infinity is not a finite number",
                                inf),
                        Parsed.dead(
                                DeadLetter.INVALID_VALUE,
                                "value 1e400 is not a finite number",
                                overflow),
                        Parsed.dead(
                                DeadLetter.INVALID_VALUE,
                                "value must be a number, not the string \"12\"",
                                text),
                        Parsed.dead(
                                DeadLetter.INVALID_VALUE,
                                "value must be a number, not a boolean",
                                bool));
    }

    @Test
    void missingMetricUnknownFunctionAndBadTimes() {
        String noMetric = "{\"value\":1}";
        String emptyMetric = "{\"metric\":\"\",\"value\":1}";
        String noNumbers = "{\"drone_id\":\"d\"}";
        String unknown = "{\"metric\":\"m\",\"value\":1,\"function\":[\"avg\",\"median\"]}";
        String badTime = "{\"metric\":\"m\",\"value\":1,\"time\":\"yesterday\"}";
        String future = "{\"metric\":\"m\",\"value\":1,\"ts\":1795430761000}";
        String negative = "{\"metric\":\"m\",\"value\":1,\"ts\":-5}";
        Parsed p =
                Parsed.parse(
                        String.join(
                                "\n",
                                noMetric,
                                emptyMetric,
                                noNumbers,
                                unknown,
                                badTime,
                                future,
                                negative));

        assertThat(p.records).isEmpty();
        assertThat(p.deadLetters)
                .containsExactly(
                        Parsed.dead(
                                DeadLetter.MISSING_METRIC,
                                "a record with a value needs a non-empty string 'metric' or 'name'",
                                noMetric),
                        Parsed.dead(
                                DeadLetter.MISSING_METRIC,
                                "a record with a value needs a non-empty string 'metric' or 'name'",
                                emptyMetric),
                        Parsed.dead(
                                DeadLetter.MISSING_METRIC,
                                "no 'value' field and no numeric fields to aggregate",
                                noNumbers),
                        Parsed.dead(
                                DeadLetter.UNKNOWN_FUNCTION,
                                "unknown function 'median'; known: count, sum, min, max, avg, first, last, stddev, count_distinct, p50, p90, p95, p99",
                                unknown),
                        Parsed.dead(
                                DeadLetter.MALFORMED,
                                "time 'yesterday' is not an ISO-8601 time or epoch number",
                                badTime),
                        Parsed.dead(
                                DeadLetter.TIMESTAMP_OUT_OF_RANGE,
                                "event time 2026-11-23T10:46:01Z is more than 300000 ms after its arrival at 2026-11-23T10:41:00Z",
                                future),
                        Parsed.dead(
                                DeadLetter.TIMESTAMP_OUT_OF_RANGE,
                                "event time -5000 ms is before 1970-01-01T00:00:00Z",
                                negative));
    }

    @Test
    void malformedJsonAndInvalidUtf8() {
        byte[] bad =
                "{\"metric\":\"m\u00ff\",\"value\":1}"
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Parsed p = Parsed.parse(bad, new Configuration());
        assertThat(p.reasons()).containsExactly(DeadLetter.MALFORMED);
        assertThat(p.deadLetters.get(0).detail).startsWith("invalid JSON: Invalid UTF-8");

        Parsed q = Parsed.parse("{\"metric\":\"m\",\"value\":1\n{\"metric\":\"m\",\"value\":1} {}");
        assertThat(q.reasons()).containsExactly(DeadLetter.MALFORMED, DeadLetter.MALFORMED);
        assertThat(q.deadLetters.get(1).detail).isEqualTo("trailing content after the JSON object");
    }

    @Test
    void tagsWithSpecialCharactersStayExact() {
        Parsed p =
                Parsed.parse(
                        "{\"metric\":\"m\",\"value\":1,\"tags\":{\"b\":\"a \\\"q\\\" \\\\ ,=\\n\",\"a\":\"Zürich ✓\",\"n\":5}}");

        assertThat(p.records)
                .singleElement()
                .extracting(r -> r.tags)
                .isEqualTo("{\"a\":\"Zürich ✓\",\"b\":\"a \\\"q\\\" \\\\ ,=\\n\",\"n\":\"5\"}");
    }

    /**
     * Every decimal a record can carry reads as the exact double {@link Double#parseDouble} gives.
     */
    @Test
    void decimalValuesReadAsJavaReadsThem() {
        List<String> texts = DecimalTexts.samples();
        StringBuilder datagram = new StringBuilder();
        for (String text : texts) {
            datagram.append("{\"metric\":\"m\",\"value\":").append(text).append("}\n");
        }

        Parsed p = Parsed.parse(datagram.toString());

        assertThat(p.deadLetters).isEmpty();
        assertThat(p.records).hasSameSizeAs(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(Double.doubleToRawLongBits(p.records.get(i).value))
                    .as(texts.get(i))
                    .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(texts.get(i))));
        }
    }
}
