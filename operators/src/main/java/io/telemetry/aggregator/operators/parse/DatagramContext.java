package io.telemetry.aggregator.operators.parse;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.udp.UdpDatagram;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The datagram being parsed: who sent it, when, and its bytes, for the record parsers. */
final class DatagramContext {

    private final CharsetDecoder strictUtf8 =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);

    byte[] data;
    String sender;
    long receivedAt;
    private String senderAddress;

    void reset(UdpDatagram datagram) {
        this.data = datagram.payload;
        this.sender = datagram.sender;
        this.receivedAt = datagram.receivedAt;
        this.senderAddress = null;
    }

    /** The sender's IP address: the source of records that name none. */
    String senderAddress() {
        if (senderAddress == null) {
            senderAddress = UdpDatagram.addressOf(sender);
        }
        return senderAddress;
    }

    /** Decodes {@code data[from, to)} as UTF-8; null when it is not valid UTF-8. */
    String decode(int from, int to) {
        boolean ascii = true;
        for (int i = from; i < to; i++) {
            if (data[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(data, from, to - from, StandardCharsets.ISO_8859_1);
        }
        try {
            CharBuffer chars = strictUtf8.decode(ByteBuffer.wrap(data, from, to - from));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** A dead letter for the record {@code data[from, to)}, the raw text cut at 4 KiB. */
    DeadLetter deadLetter(String reason, String detail, int from, int to) {
        int end = Math.min(to, from + DeadLetter.MAX_RECORD_BYTES);
        // Do not cut inside a multi-byte character.
        while (end < to && end > from && (data[end] & 0xC0) == 0x80) {
            end--;
        }
        String record = new String(data, from, end - from, StandardCharsets.UTF_8);
        return new DeadLetter(reason, detail, sender, receivedAt, record);
    }

    /**
     * True when the event time is in range; otherwise sends the record {@code data[from, to)} to
     * the dead letters as timestamp_out_of_range and returns false.
     */
    boolean timeInRange(
            long timestamp, long maxFutureSkewMillis, int from, int to, ParseOutput out) {
        String problem = checkTime(timestamp, maxFutureSkewMillis);
        if (problem == null) {
            return true;
        }
        out.deadLetter(deadLetter(DeadLetter.TIMESTAMP_OUT_OF_RANGE, problem, from, to));
        return false;
    }

    /**
     * Checks an event time against the allowed range: not before the epoch, and not more than the
     * allowed skew after the arrival. Returns null when fine, else the dead-letter detail.
     */
    String checkTime(long timestamp, long maxFutureSkewMillis) {
        if (timestamp < 0) {
            return "event time " + timestamp + " ms is before 1970-01-01T00:00:00Z";
        }
        if (timestamp - receivedAt > maxFutureSkewMillis) {
            return "event time "
                    + java.time.Instant.ofEpochMilli(timestamp)
                    + " is more than "
                    + maxFutureSkewMillis
                    + " ms after its arrival at "
                    + java.time.Instant.ofEpochMilli(receivedAt);
        }
        return null;
    }
}
