package io.telemetry.aggregator.operators.parse;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.udp.UdpDatagram;

/**
 * Splits a datagram into its {@code \n}-separated records and hands each to the parser of its
 * format. Each record stands alone: a bad one becomes a dead letter and its neighbours are still
 * parsed. Blank lines are skipped. Not thread-safe: one per parallel instance.
 */
public final class DatagramParser {

    private final ParseSettings settings;
    private final DatagramContext ctx = new DatagramContext();
    private final JsonRecordParser json;
    private final LineProtocolParser lineProtocol;
    private final StatsdParser statsd;

    public DatagramParser(ParseSettings settings) {
        this.settings = settings;
        this.json = new JsonRecordParser(settings);
        this.lineProtocol = new LineProtocolParser(settings);
        this.statsd = new StatsdParser(settings);
    }

    /**
     * Parses every record of a datagram.
     *
     * @return the number of records that yielded at least one value
     */
    public int parse(UdpDatagram datagram, ParseOutput out) {
        ctx.reset(datagram);
        byte[] data = datagram.payload;
        if (datagram.truncated) {
            out.deadLetter(
                    ctx.deadLetter(
                            DeadLetter.TOO_LARGE,
                            "datagram filled the "
                                    + data.length
                                    + " byte receive buffer, so it may have been cut; UDP payloads are at most 65,507 bytes over IPv4",
                            0,
                            data.length));
            return 0;
        }
        try {
            return parseRecords(data, out);
        } finally {
            json.endDatagram();
        }
    }

    private int parseRecords(byte[] data, ParseOutput out) {
        int parsed = 0;
        int start = 0;
        while (start <= data.length) {
            int end = start;
            while (end < data.length && data[end] != '\n') {
                end++;
            }
            int from = start;
            int to = end;
            if (to > from && data[to - 1] == '\r') {
                to--;
            }
            while (from < to && isBlank(data[from])) {
                from++;
            }
            while (to > from && isBlank(data[to - 1])) {
                to--;
            }
            if (from < to && parseRecord(from, to, out)) {
                parsed++;
            }
            start = end + 1;
        }
        return parsed;
    }

    private boolean parseRecord(int from, int to, ParseOutput out) {
        byte[] data = ctx.data;
        switch (settings.format) {
            case JSON:
                return json.parse(ctx, from, to, out);
            case LINE_PROTOCOL:
                return lineProtocol.parse(ctx, from, to, out);
            case STATSD:
                return statsd.parse(ctx, from, to, out);
            case AUTO:
            default:
                if (data[from] == '{') {
                    return json.parse(ctx, from, to, out);
                }
                if (StatsdParser.looksLikeStatsd(data, from, to)
                        || StatsdParser.isDogStatsdEventOrCheck(data, from, to)) {
                    return statsd.parse(ctx, from, to, out);
                }
                return lineProtocol.parse(ctx, from, to, out);
        }
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }
}
