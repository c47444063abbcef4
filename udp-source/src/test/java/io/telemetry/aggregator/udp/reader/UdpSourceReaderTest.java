package io.telemetry.aggregator.udp.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.udp.SenderAllowlist;
import io.telemetry.aggregator.udp.UdpDatagram;
import io.telemetry.aggregator.udp.split.UdpSplit;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reader against real sockets on loopback. */
class UdpSourceReaderTest {

    private final Map<String, Metric> metrics = new HashMap<>();
    private final List<UdpSourceReader> readers = new ArrayList<>();
    private DatagramChannel sender;

    private final UnregisteredMetricsGroup group =
            new UnregisteredMetricsGroup() {
                @Override
                public Counter counter(String name, Counter counter) {
                    metrics.put(name, counter);
                    return counter;
                }

                @Override
                public Counter counter(String name) {
                    return counter(name, new org.apache.flink.metrics.SimpleCounter());
                }

                @Override
                public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
                    metrics.put(name, gauge);
                    return gauge;
                }
            };

    @AfterEach
    void close() throws Exception {
        for (UdpSourceReader reader : readers) {
            reader.close();
        }
        if (sender != null) {
            sender.close();
        }
    }

    private UdpSourceReader reader(
            int port, int receiveBuffer, int maxBatch, TestingReaderContext context) {
        return reader(port, receiveBuffer, maxBatch, SenderAllowlist.all(), context);
    }

    private UdpSourceReader reader(
            int port,
            int receiveBuffer,
            int maxBatch,
            SenderAllowlist allowed,
            TestingReaderContext context) {
        UdpSourceReader reader =
                new UdpSourceReader(
                        "127.0.0.1",
                        port,
                        receiveBuffer,
                        1,
                        maxBatch,
                        1_000_000L,
                        allowed,
                        null,
                        "test",
                        new UdpReaderMetrics(group),
                        new Configuration(),
                        context);
        readers.add(reader);
        return reader;
    }

    private void send(int port, byte[] payload) throws Exception {
        if (sender == null) {
            sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        }
        sender.send(ByteBuffer.wrap(payload), new InetSocketAddress("127.0.0.1", port));
    }

    private static List<UdpDatagram> poll(UdpSourceReader reader, int expected, long quietMillis)
            throws Exception {
        TestingReaderOutput<UdpDatagram> output = new TestingReaderOutput<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (output.getEmittedRecords().size() < expected
                && System.currentTimeMillis() < deadline) {
            reader.pollNext(output);
            try {
                reader.isAvailable().get(quietMillis, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (expected == Integer.MAX_VALUE) {
                    break;
                }
            }
        }
        return output.getEmittedRecords();
    }

    /** A socket that holds a port (with SO_REUSEPORT) until the readers under test bind it. */
    private java.nio.channels.DatagramChannel held;

    private int freePort() throws Exception {
        held = java.nio.channels.DatagramChannel.open();
        held.setOption(java.net.StandardSocketOptions.SO_REUSEPORT, true);
        held.bind(new InetSocketAddress("127.0.0.1", 0));
        return ((InetSocketAddress) held.getLocalAddress()).getPort();
    }

    /** Waits until {@code readers} sockets besides the held one are bound, then lets go of it. */
    private void awaitReaders(int port, int readers) throws Exception {
        KernelSocketTableTest.awaitSockets(port, readers + 1);
        held.close();
    }

    @org.junit.jupiter.api.AfterEach
    void releasePort() throws Exception {
        if (held != null) {
            held.close();
        }
    }

    @Test
    void receivesDatagramsWithSenderAndArrivalTime() throws Exception {
        int port = freePort();
        TestingReaderContext context = new TestingReaderContext();
        UdpSourceReader reader = reader(port, 1 << 20, 1024, context);
        reader.start();
        assertThat(context.getNumSplitRequests()).isEqualTo(1);
        reader.addSplits(List.of(new UdpSplit(0)));
        awaitReaders(port, 1);

        long before = System.currentTimeMillis();
        send(port, "a:1|c".getBytes());
        byte[] largest = new byte[65_507];
        Arrays.fill(largest, (byte) 'x');
        send(port, largest);
        List<UdpDatagram> received = poll(reader, 2, 100);
        long after = System.currentTimeMillis();

        String senderText = "127.0.0.1:" + ((InetSocketAddress) sender.getLocalAddress()).getPort();
        assertThat(received).hasSize(2);
        assertThat(received.get(0).payload).isEqualTo("a:1|c".getBytes());
        assertThat(received.get(0).sender).isEqualTo(senderText);
        assertThat(received.get(0).receivedAt).isBetween(before, after);
        assertThat(received.get(0).truncated).isFalse();
        assertThat(received.get(1).payload).isEqualTo(largest);
        assertThat(received.get(1).truncated).isFalse();
        assertThat(((Counter) metrics.get("datagrams_received")).getCount()).isEqualTo(2);
        assertThat(((Counter) metrics.get("bytes_received")).getCount()).isEqualTo(5 + 65_507);
        assertThat(reader.snapshotState(1)).isEmpty();
    }

    @Test
    void dropsAndCountsDatagramsFromSendersOutsideTheAllowlist() throws Exception {
        int port = freePort();
        TestingReaderContext context = new TestingReaderContext();
        UdpSourceReader reader =
                reader(
                        port,
                        1 << 20,
                        1024,
                        SenderAllowlist.parse(List.of("127.0.0.1/32", "10.0.0.0/8")),
                        context);
        reader.start();
        reader.addSplits(List.of(new UdpSplit(0)));
        awaitReaders(port, 1);

        // Any 127.x address is this machine's loopback: 127.0.0.2 is a sender outside the list.
        try (DatagramChannel stranger =
                DatagramChannel.open().bind(new InetSocketAddress("127.0.0.2", 0))) {
            for (int i = 0; i < 3; i++) {
                stranger.send(
                        ByteBuffer.wrap("bad:1|c".getBytes()),
                        new InetSocketAddress("127.0.0.1", port));
                send(port, ("good:" + i + "|c").getBytes());
            }
        }
        List<UdpDatagram> received = poll(reader, Integer.MAX_VALUE, 500);

        assertThat(received)
                .extracting(d -> new String(d.payload))
                .containsExactly("good:0|c", "good:1|c", "good:2|c");
        assertThat(((Counter) metrics.get("datagrams_received")).getCount()).isEqualTo(3);
        assertThat(((Counter) metrics.get("datagrams_rejected")).getCount()).isEqualTo(3);
    }

    @Test
    void twoReadersShareOnePort() throws Exception {
        int port = freePort();
        UdpSourceReader first = reader(port, 1 << 20, 1024, new TestingReaderContext());
        UdpSourceReader second = reader(port, 1 << 20, 1024, new TestingReaderContext());
        first.start();
        second.start();
        first.addSplits(List.of(new UdpSplit(0)));
        second.addSplits(List.of(new UdpSplit(1)));

        awaitReaders(port, 2);
        // The kernel hashes each sender to one reader; many senders reach both.
        int sent = 0;
        for (int i = 0; i < 32; i++) {
            try (DatagramChannel s =
                    DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
                s.send(
                        ByteBuffer.wrap(("m:" + i + "|c").getBytes()),
                        new InetSocketAddress("127.0.0.1", port));
                sent++;
            }
        }
        List<UdpDatagram> a = poll(first, Integer.MAX_VALUE, 300);
        List<UdpDatagram> b = poll(second, Integer.MAX_VALUE, 300);

        assertThat(a.size() + b.size()).isEqualTo(sent);
        assertThat(a).isNotEmpty();
        assertThat(b).isNotEmpty();
    }

    @Test
    void countsWhatTheKernelDropsWhenTheReaderFallsBehind() throws Exception {
        int port = freePort();
        UdpSourceReader reader = reader(port, 65_536, 1, new TestingReaderContext());
        reader.start();
        reader.addSplits(List.of(new UdpSplit(0)));
        awaitReaders(port, 1);

        int sent = 3_000;
        byte[] payload = new byte[1_000];
        for (int i = 0; i < sent; i++) {
            send(port, payload);
        }
        List<UdpDatagram> received = poll(reader, Integer.MAX_VALUE, 500);
        // The gauge reads the kernel's table at most once a second: ask until it has caught up.
        @SuppressWarnings("unchecked")
        Gauge<Long> gauge = (Gauge<Long>) metrics.get("kernel_drops");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (received.size() + gauge.getValue() < sent && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long drops = gauge.getValue();

        assertThat(drops).isPositive();
        assertThat(received.size() + drops).isEqualTo(sent);
    }
}
