package io.telemetry.aggregator.operators.parse;

import static io.telemetry.aggregator.operators.MetricFunction.AVG;
import static io.telemetry.aggregator.operators.parse.Parsed.RECEIVED_AT;
import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.ParseOptions;
import io.telemetry.aggregator.operators.TelemetryRecord;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class LineProtocolParserTest {

    private static final long T0 = 1_795_430_400_000L;

    @Test
    void fieldsBecomeMetricsAndTagsStayTags() {
        Parsed p =
                Parsed.parse(
                        "cpu,host=web-1,region=eu value=1.5,idle=3i,busy=2u,up=t,down=False 1795430400000000000");

        String tags = "{\"region\":\"eu\"}";
        assertThat(p.deadLetters).isEmpty();
        assertThat(p.records)
                .containsExactly(
                        new TelemetryRecord("cpu", "web-1", tags, AVG, 1.5, T0, RECEIVED_AT),
                        new TelemetryRecord("cpu.idle", "web-1", tags, AVG, 3, T0, RECEIVED_AT),
                        new TelemetryRecord("cpu.busy", "web-1", tags, AVG, 2, T0, RECEIVED_AT),
                        new TelemetryRecord("cpu.up", "web-1", tags, AVG, 1, T0, RECEIVED_AT),
                        new TelemetryRecord("cpu.down", "web-1", tags, AVG, 0, T0, RECEIVED_AT));
    }

    @Test
    void escapedCharactersAreUnescaped() {
        Parsed p =
                Parsed.parse("my\\ meas\\,ure,tag\\ key=va\\=l\\,ue\\ x,ü=ñ fi\\=eld\\ 1=-2.5e1");

        assertThat(p.deadLetters).isEmpty();
        assertThat(p.records)
                .containsExactly(
                        new TelemetryRecord(
                                "my meas,ure.fi=eld 1",
                                "10.0.0.7",
                                "{\"tag key\":\"va=l,ue x\",\"ü\":\"ñ\"}",
                                AVG,
                                -25,
                                RECEIVED_AT,
                                RECEIVED_AT));
    }

    @Test
    void stringFieldsAreDeadLettersButNumericNeighboursCount() {
        String line = "gpu,id=0 temp=70,state=\"busy, \\\"very\\\" hot\",load=0.5";
        Parsed p = Parsed.parse(line);

        assertThat(p.records).extracting(r -> r.metric).containsExactly("gpu.temp", "gpu.load");
        assertThat(p.deadLetters)
                .containsExactly(
                        Parsed.dead(
                                DeadLetter.INVALID_VALUE,
                                "field 'state' is a string; only numbers and booleans can be aggregated",
                                line));
        assertThat(p.parsedCount).isEqualTo(1);
    }

    @Test
    void malformedLines() {
        Parsed p =
                Parsed.parse(
                        String.join(
                                "\n",
                                "cpu",
                                "cpu value",
                                "cpu,host value=1",
                                "cpu value=1 12ab",
                                "cpu value=1 1 extra",
                                "cpu value=0x10",
                                "cpu value=NaN",
                                "cpu value=\"open"));

        assertThat(p.records).isEmpty();
        assertThat(p.deadLetters)
                .extracting(d -> d.reason + ": " + d.detail)
                .containsExactly(
                        "malformed: line protocol needs fields after the measurement and tags",
                        "malformed: field 'value' has no '='",
                        "malformed: tag 'host' has no '='",
                        "malformed: timestamp '12ab' is not an integer",
                        "malformed: unexpected text after the timestamp",
                        "invalid_value: field 'value' value '0x10' is not a number",
                        "invalid_value: field 'value' value 'NaN' is not a number",
                        "malformed: string field 'value' has no closing quote");
    }

    @Test
    void timestampPrecisionIsConfigurable() {
        Configuration config = new Configuration();
        config.set(ParseOptions.LINE_PROTOCOL_PRECISION, "s");
        Parsed p = Parsed.parse("m value=1 1795430400", config);

        assertThat(p.records).singleElement().extracting(r -> r.timestamp).isEqualTo(T0);
    }
}
