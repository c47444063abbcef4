package io.telemetry.aggregator.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Sends real UDP datagrams to the job on loopback, and waits for its readers to bind. */
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

    /** A port that is free now. */
    static int freePort() {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code count} sockets are bound to the UDP port, as /proc/net/udp lists them. */
    static void awaitBoundSockets(int port, int count, Duration timeout) throws Exception {
        String hexPort = String.format(":%04X ", port);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/udp"));
            long bound = lines.stream().filter(l -> l.contains(hexPort) && l.indexOf(hexPort) < 30).count();
            if (bound >= count) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(bound + " of " + count + " readers bound port " + port + " in " + timeout);
            }
            Thread.sleep(50);
        }
    }
}
