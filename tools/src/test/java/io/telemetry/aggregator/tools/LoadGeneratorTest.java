package io.telemetry.aggregator.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The generator against a plain socket: it sends what it says, and its expected aggregates are what
 * it sent.
 */
class LoadGeneratorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> sendAndReceive(
            LoadGenerator.Settings s, LoadGenerator[] generator, LoadGenerator.Report[] report)
            throws Exception {
        try (DatagramChannel receiver =
                DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            receiver.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            s.port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            generator[0] = new LoadGenerator(s);
            report[0] = generator[0].run();
            receiver.configureBlocking(false);
            List<String> payloads = new ArrayList<>();
            ByteBuffer buf = ByteBuffer.allocate(65_536);
            while (receiver.receive(buf.clear()) != null) {
                payloads.add(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
            }
            return payloads;
        }
    }

    @Test
    void sendsWhatItReportsAndExpectsWhatItSent() throws Exception {
        LoadGenerator.Settings s = new LoadGenerator.Settings();
        s.format = LoadGenerator.Format.JSON;
        s.rate = 2_000;
        s.seconds = 1.5;
        s.recordsPerDatagram = 3;
        s.series = 7;
        s.jitterMillis = 300;
        s.malformedShare = 0.05;
        s.lateShare = 0.05;
        s.windowMillis = 500;
        LoadGenerator[] g = new LoadGenerator[1];
        LoadGenerator.Report[] r = new LoadGenerator.Report[1];
        List<String> payloads = sendAndReceive(s, g, r);

        assertThat(payloads).hasSize(3_000);
        assertThat(r[0].datagrams).isEqualTo(3_000);
        assertThat(r[0].records).isEqualTo(9_000);
        assertThat(r[0].bytes)
                .isEqualTo(
                        payloads.stream()
                                .mapToLong(p -> p.getBytes(StandardCharsets.UTF_8).length)
                                .sum());
        assertThat(r[0].seconds).isBetween(1.4, 3.0);

        // Recount independently from what arrived.
        Map<String, long[]> sums = new TreeMap<>();
        long malformed = 0;
        long late = 0;
        long newest = 0;
        for (String p : payloads) {
            for (String line : p.split("\n")) {
                if (line.contains("broken")) {
                    malformed++;
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                long ts = n.path("ts").asLong();
                if (ts < newest - 5 * s.windowMillis) {
                    late++;
                    continue;
                }
                newest = Math.max(newest, ts);
                String key =
                        n.path("metric").asText()
                                + "|"
                                + n.path("device_id").asText()
                                + "|{}|sum|"
                                + (ts - ts % s.windowMillis);
                long[] sum = sums.computeIfAbsent(key, k -> new long[2]);
                sum[0] += n.path("value").asLong();
                sum[1]++;
            }
        }
        assertThat(malformed).isEqualTo(r[0].malformed).isPositive();
        assertThat(late).isEqualTo(r[0].late).isPositive();
        Map<String, String> expected = new TreeMap<>();
        g[0].expected().forEach((k, e) -> expected.put(k, e.value() + " x" + e.count()));
        Map<String, String> recount = new TreeMap<>();
        sums.forEach((k, v) -> recount.put(k, (double) v[0] + " x" + v[1]));
        assertThat(expected).isEqualTo(recount);

        // The expected file reads back as written.
        StringWriter w = new StringWriter();
        g[0].writeExpected(w);
        for (String line : w.toString().split("\n")) {
            LoadGenerator.Expected e = LoadGenerator.Expected.parse(line);
            assertThat(e.value() + " x" + e.count()).isEqualTo(expected.get(e.key()));
        }
    }

    @Test
    void everyFormatLooksAsTheContractSays() throws Exception {
        Map<String, String> first = new TreeMap<>();
        for (String format : List.of("statsd", "json", "drone", "gpu", "line")) {
            LoadGenerator.Settings s = new LoadGenerator.Settings();
            s.format = LoadGenerator.Format.of(format);
            s.rate = 100;
            s.seconds = 0.05;
            s.series = 3;
            s.statsdTimestamps = true;
            LoadGenerator[] g = new LoadGenerator[1];
            LoadGenerator.Report[] r = new LoadGenerator.Report[1];
            first.put(
                    format,
                    sendAndReceive(s, g, r)
                            .get(0)
                            .replaceAll("[0-9]{10,}", "T")
                            .replaceAll("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z", "ISO"));
        }
        assertThat(first)
                .containsEntry("statsd", "lg.c0:" + first.get("statsd").charAt(6) + "|c|TT")
                .hasEntrySatisfying(
                        "json",
                        v ->
                                assertThat(v)
                                        .matches(
                                                "\\{\"metric\":\"lg.j0\",\"value\":[1-9],\"ts\":T,\"device_id\":\"dev-0\",\"function\":\"sum\"}"))
                .hasEntrySatisfying(
                        "drone",
                        v ->
                                assertThat(v)
                                        .matches(
                                                "\\{\"drone_id\":\"lg.d-0\",\"ts\":T,\"alt\":[1-9],\"battery\":[1-9]}"))
                .hasEntrySatisfying(
                        "gpu",
                        v ->
                                assertThat(v)
                                        .matches(
                                                "\\{\"metric\":\"lg.gpu.temperature\",\"value\":[1-9],\"device_id\":\"gpu-0\",\"hostname\":\"node-0\",\"function\":\"max\",\"timestamp\":\"ISO\"}"))
                .hasEntrySatisfying(
                        "line", v -> assertThat(v).matches("lg.cpu,host=h0 usage=[1-9] T"));
    }
}
