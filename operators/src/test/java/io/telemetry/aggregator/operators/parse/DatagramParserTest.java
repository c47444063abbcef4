package io.telemetry.aggregator.operators.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.ParseOptions;
import io.telemetry.aggregator.udp.UdpDatagram;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class DatagramParserTest {

    @Test
    void eachRecordOfADatagramStandsAlone() {
        Parsed p =
                Parsed.parse(
                        "{\"metric\":\"a\",\"value\":1}\r\n"
                                + "\n"
                                + "   \n"
                                + "{\"metric\":\"b\",\"value\":oops}\n"
                                + "c:2|c\n"
                                + "d value=3\n");

        assertThat(p.records).extracting(r -> r.metric).containsExactly("a", "c", "d");
        assertThat(p.deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo(DeadLetter.MALFORMED);
                            assertThat(d.record).isEqualTo("{\"metric\":\"b\",\"value\":oops}");
                            assertThat(d.sender).isEqualTo(Parsed.SENDER);
                            assertThat(d.receivedAt).isEqualTo(Parsed.RECEIVED_AT);
                        });
        assertThat(p.parsedCount).isEqualTo(3);
    }

    /**
     * A datagram's JSON records are read by one parser in turn; whatever stands next to a record (a
     * bad record, an object spread over two lines, another format) changes nothing it yields.
     */
    @Test
    void eachJsonRecordYieldsWhatItYieldsAlone() {
        List<String> lines =
                List.of(
                        "{\"metric\":\"a\",\"value\":1,\"ts\":1795430400000,\"function\":\"sum\"}",
                        "{\"metric\":\"b\",\"value\":oops}",
                        "{\"metric\":\"c\",\"value\":3}",
                        "{\"metric\":\"d\",\"value\":4} {\"metric\":\"e\",\"value\":5}",
                        "{\"metric\":\"f\",\"value\":6}",
                        "{\"metric\":\"g\",",
                        "\"value\":7}",
                        "{\"metric\":\"h\",\"value\":8}",
                        "[1,2]",
                        "{\"drone_id\":\"d-1\",\"alt\":120.5,\"battery\":87}",
                        "c:2|c",
                        "{\"metric\":\"i\",\"value\":9,\"tags\":{\"k\":\"v\"}}",
                        "{\"metric\":\"j\",\"value\":\"ten\"}",
                        "d value=3",
                        "{\"metric\":\"k\",\"value\":11,\"function\":\"nope\"}",
                        "{\"metric\":\"l\",\"value\":12}}",
                        "{\"metric\":\"m\"",
                        "{\"metric\":\"n\",\"value\":14}");
        Parsed alone = new Parsed();
        for (String line : lines) {
            Parsed p = Parsed.parse(line);
            alone.records.addAll(p.records);
            alone.deadLetters.addAll(p.deadLetters);
            alone.parsedCount += p.parsedCount;
        }

        for (String separator : List.of("\n", "\r\n", "\n \t\n\n")) {
            Parsed together = Parsed.parse(String.join(separator, lines) + separator);

            assertThat(together.records).containsExactlyElementsOf(alone.records);
            assertThat(together.deadLetters)
                    .extracting(d -> d.reason + ": " + d.detail + " in " + d.record)
                    .containsExactlyElementsOf(
                            alone.deadLetters.stream()
                                    .map(d -> d.reason + ": " + d.detail + " in " + d.record)
                                    .toList());
            assertThat(together.parsedCount).isEqualTo(alone.parsedCount);
        }
        assertThat(alone.records)
                .extracting(r -> r.metric)
                .containsExactly("a", "c", "f", "h", "alt", "battery", "c", "i", "d", "n");
        assertThat(alone.deadLetters).hasSize(9);
    }

    @Test
    void invalidUtf8SpoilsOnlyItsOwnRecord() {
        byte[] good = "a value=1\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'b', ' ', 'v', '=', (byte) 0xC3, (byte) 0x28, '\n'};
        byte[] payload = new byte[good.length * 2 + bad.length];
        System.arraycopy(good, 0, payload, 0, good.length);
        System.arraycopy(bad, 0, payload, good.length, bad.length);
        System.arraycopy(good, 0, payload, good.length + bad.length, good.length);

        Parsed p = Parsed.parse(payload, new Configuration());

        assertThat(p.records).extracting(r -> r.metric).containsExactly("a", "a");
        assertThat(p.deadLetters)
                .extracting(d -> d.reason + ": " + d.detail)
                .containsExactly("malformed: not valid UTF-8");
    }

    @Test
    void largestUdpDatagramIsParsedWhole() {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        while (true) {
            String line = "{\"metric\":\"m" + (n % 10) + "\",\"value\":" + n + "}\n";
            if (sb.length() + line.length() > 65_507) {
                break;
            }
            sb.append(line);
            n++;
        }
        while (sb.length() < 65_507) {
            sb.insert(0, ' ');
        }
        byte[] payload = sb.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(payload).hasSize(65_507);

        Parsed p = Parsed.parse(payload, new Configuration());

        assertThat(p.deadLetters).isEmpty();
        assertThat(p.records).hasSize(n);
        assertThat(p.records.get(n - 1).value).isEqualTo(n - 1);
    }

    @Test
    void aCutDatagramIsTooLarge() {
        byte[] payload = new byte[65_536];
        Arrays.fill(payload, (byte) 'x');
        Parsed out = new Parsed();
        new DatagramParser(ParseSettings.defaults())
                .parse(new UdpDatagram(payload, Parsed.SENDER, Parsed.RECEIVED_AT, true), out);

        assertThat(out.records).isEmpty();
        assertThat(out.deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo(DeadLetter.TOO_LARGE);
                            assertThat(d.record).hasSize(DeadLetter.MAX_RECORD_BYTES);
                        });
    }

    @Test
    void fixedFormatSkipsDetection() {
        Configuration config = new Configuration();
        config.set(ParseOptions.FORMAT, ParseOptions.Format.LINE_PROTOCOL);
        Parsed p = Parsed.parse("a:1|c", config);

        assertThat(p.records).isEmpty();
        assertThat(p.reasons()).containsExactly(DeadLetter.MALFORMED);
    }

    @Test
    void deadLetterKeepsAtMostFourKibOfTheRecord() {
        String longRecord = "{\"metric\":\"m\",\"value\":\"" + "é".repeat(5000) + "\"}";
        Parsed p = Parsed.parse(longRecord);

        String kept = p.deadLetters.get(0).record;
        assertThat(kept.getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(4096)
                .isGreaterThan(4090);
        assertThat(longRecord).startsWith(kept);
    }
}
