package io.telemetry.aggregator.job;

import io.telemetry.aggregator.services.UdpPortReservation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.execution.JobClient;

/** Sends real UDP datagrams to the job on loopback, and holds its port until its readers bind. */
final class UdpTestSender implements AutoCloseable {

    private final DatagramChannel channel;
    private final InetSocketAddress target;

    UdpTestSender(int port) {
        try {
            channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        target = new InetSocketAddress("127.0.0.1", port);
    }

    void send(String payload) {
        try {
            channel.send(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)), target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String address() {
        try {
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            return "127.0.0.1:" + local.getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Holds a UDP port on loopback for a job until its readers have bound it (see {@link
     * UdpPortReservation}).
     */
    static UdpPortReservation reservePort() {
        return UdpPortReservation.reserve("127.0.0.1");
    }

    /** Whether the job is still starting or running (for waits that must end when it fails). */
    static boolean alive(JobClient job) {
        try {
            return !job.getJobStatus().get().isGloballyTerminalState();
        } catch (Exception e) {
            return false;
        }
    }
}
