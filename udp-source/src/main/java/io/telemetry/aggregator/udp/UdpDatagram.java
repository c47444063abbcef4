package io.telemetry.aggregator.udp;

import java.util.Arrays;
import java.util.Objects;

/**
 * One received UDP datagram: its payload, who sent it and when it arrived.
 *
 * <p>A Flink POJO (public fields, no-arg constructor), so it never falls back to Kryo.
 */
public class UdpDatagram {

    /** The payload, exactly as received. */
    public byte[] payload;

    /** The sender as {@code ip:port} ({@code [ip]:port} for IPv6). */
    public String sender;

    /** Wall-clock receive time, epoch milliseconds. */
    public long receivedAt;

    /** True when the datagram filled the receive buffer, so the kernel may have cut it. */
    public boolean truncated;

    public UdpDatagram() {}

    public UdpDatagram(byte[] payload, String sender, long receivedAt, boolean truncated) {
        this.payload = payload;
        this.sender = sender;
        this.receivedAt = receivedAt;
        this.truncated = truncated;
    }

    /** The sender's IP address without the port (and without brackets for IPv6). */
    public String senderAddress() {
        return addressOf(sender);
    }

    /** Strips the port from an {@code ip:port} or {@code [ip]:port} string. */
    public static String addressOf(String sender) {
        if (sender == null) {
            return "";
        }
        int colon = sender.lastIndexOf(':');
        String host = colon > 0 ? sender.substring(0, colon) : sender;
        if (host.length() > 1 && host.charAt(0) == '[' && host.charAt(host.length() - 1) == ']') {
            host = host.substring(1, host.length() - 1);
        }
        return host;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof UdpDatagram)) {
            return false;
        }
        UdpDatagram that = (UdpDatagram) o;
        return receivedAt == that.receivedAt
                && truncated == that.truncated
                && Arrays.equals(payload, that.payload)
                && Objects.equals(sender, that.sender);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(sender, receivedAt, truncated) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "UdpDatagram{"
                + payload.length
                + " bytes from "
                + sender
                + " at "
                + receivedAt
                + '}';
    }
}
