package io.telemetry.aggregator.sinks.influxdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.WindowAggregate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The points the InfluxDB sink writes, character for character. */
class LineProtocolTest {

    private static WindowAggregate aggregate(String metric, String tags, double value) {
        return new WindowAggregate(
                metric,
                "gpu-001",
                tags,
                "avg",
                1_795_430_400_000L,
                1_795_430_460_000L,
                value,
                3,
                0);
    }

    @Test
    void aPointHasTheMetricSortedTagsValueCountAndWindowStart() {
        String point =
                LineProtocol.point(
                        aggregate("temperature", "{\"site\":\"lab\",\"hostname\":\"w1\"}", 71.5),
                        true);

        assertThat(point)
                .isEqualTo(
                        "temperature,function=avg,hostname=w1,site=lab,source=gpu-001"
                                + " value=71.5,count=3i 1795430400000");
    }

    @Test
    void commasSpacesAndEqualsSignsAreEscapedWhereLineProtocolNeedsIt() {
        String point =
                LineProtocol.point(
                        aggregate("disk used,a=b", "{\"mount point\":\"/a,b=c\"}", 1), true);

        assertThat(point)
                .isEqualTo(
                        "disk\\ used\\,a=b,function=avg,mount\\ point=/a\\,b\\=c,source=gpu-001"
                                + " value=1.0,count=3i 1795430400000");
    }

    @Test
    void lineBreaksAreWrittenOutAndEmptyTagValuesLeftOut() {
        String point =
                LineProtocol.point(aggregate("a\nb", "{\"empty\":\"\",\"k\":\"x\\ry\"}", 2), true);

        assertThat(point)
                .isEqualTo(
                        "a\\nb,function=avg,k=x\\ry,source=gpu-001 value=2.0,count=3i 1795430400000");
    }

    /** InfluxDB 2.x reads every doubled backslash as one; 1.x keeps a lone one as it is. */
    @Test
    void backslashesForInfluxDb2AndForInfluxDb1() {
        WindowAggregate a = aggregate("c:\\temp", "{\"path\":\"a\\\\ b\\\\\"}", 4);

        assertThat(LineProtocol.point(a, true))
                .isEqualTo(
                        "c:\\\\temp,function=avg,path=a\\\\\\ b\\\\,source=gpu-001 value=4.0,count=3i 1795430400000");
        assertThat(LineProtocol.point(a, false))
                .isEqualTo(
                        "c:\\temp,function=avg,path=a\\\\\\ b\\\\,source=gpu-001 value=4.0,count=3i 1795430400000");
    }

    @Test
    void aValueThatIsNotFiniteLeavesTheValueFieldOut() {
        assertThat(LineProtocol.point(aggregate("m", "{}", Double.POSITIVE_INFINITY), true))
                .isEqualTo("m,function=avg,source=gpu-001 count=3i 1795430400000");
    }

    @Test
    void pointsAreJoinedByLineBreaks() {
        assertThat(LineProtocol.body(List.of("a count=1i 1", "b count=2i 2")))
                .isEqualTo("a count=1i 1\nb count=2i 2");
    }
}
