package io.telemetry.aggregator.operators.parse;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.TelemetryRecord;
import io.telemetry.aggregator.udp.UdpDatagram;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/** What a parser made of one datagram, for assertions. */
final class Parsed implements ParseOutput {

    static final String SENDER = "10.0.0.7:41234";
    static final long RECEIVED_AT = 1_795_430_460_000L; // 2026-11-23T10:41:00Z

    final List<TelemetryRecord> records = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();
    int parsedCount;

    static Parsed parse(String datagram) {
        return parse(datagram.getBytes(StandardCharsets.UTF_8), new Configuration());
    }

    static Parsed parse(String datagram, Configuration config) {
        return parse(datagram.getBytes(StandardCharsets.UTF_8), config);
    }

    static Parsed parse(byte[] payload, Configuration config) {
        Parsed out = new Parsed();
        DatagramParser parser = new DatagramParser(ParseSettings.from(config));
        out.parsedCount = parser.parse(new UdpDatagram(payload, SENDER, RECEIVED_AT, false), out);
        return out;
    }

    @Override
    public void record(TelemetryRecord record) {
        records.add(record);
    }

    @Override
    public void deadLetter(DeadLetter deadLetter) {
        deadLetters.add(deadLetter);
    }

    List<String> reasons() {
        List<String> reasons = new ArrayList<>();
        for (DeadLetter d : deadLetters) {
            reasons.add(d.reason);
        }
        return reasons;
    }

    static DeadLetter dead(String reason, String detail, String record) {
        return new DeadLetter(reason, detail, SENDER, RECEIVED_AT, record);
    }
}
