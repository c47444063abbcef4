package io.telemetry.aggregator.udp.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.udp.SenderAllowlist;
import io.telemetry.aggregator.udp.UdpDatagram;
import io.telemetry.aggregator.udp.split.UdpSplit;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the fetcher fills its hand-over batches from a real socket on loopback. */
class UdpSplitReaderTest {

    private UdpSplitReader reader;
    private DatagramChannel sender;
    private int port;

    private void open(int maxBatch, long lingerMillis) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        reader =
                new UdpSplitReader(
                        "127.0.0.1",
                        port,
                        1 << 20,
                        maxBatch,
                        TimeUnit.MILLISECONDS.toNanos(lingerMillis),
                        SenderAllowlist.all(),
                        new UdpReaderMetrics(new UnregisteredMetricsGroup()));
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(new UdpSplit(0))));
        sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        sender.connect(new InetSocketAddress("127.0.0.1", port));
    }

    @AfterEach
    void close() throws Exception {
        reader.close();
        sender.close();
    }

    private void send(String text) throws Exception {
        sender.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> payloads(RecordsWithSplitIds<UdpDatagram> batch) {
        List<String> out = new ArrayList<>();
        while (batch.nextSplit() != null) {
            UdpDatagram d;
            while ((d = batch.nextRecordFromSplit()) != null) {
                out.add(new String(d.payload, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void aBatchTakesWhatArrivesWithinTheLinger() throws Exception {
        open(1024, 2_000);
        send("a:1|c");
        CompletableFuture<Void> later =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                Thread.sleep(100);
                                send("b:2|c");
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });

        long start = System.nanoTime();
        List<String> batch = payloads(reader.fetch());
        long millis = (System.nanoTime() - start) / 1_000_000;

        later.get();
        assertThat(batch).containsExactly("a:1|c", "b:2|c");
        assertThat(millis)
                .isBetween(1_900L, 10_000L); // the linger, not the select timeout or longer
    }

    @Test
    void aFullBatchIsHandedOverWithoutWaitingForTheLinger() throws Exception {
        open(2, 5_000);
        send("a:1|c");
        send("b:2|c");
        send("c:3|c");

        long start = System.nanoTime();
        List<String> first = payloads(reader.fetch());
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(first).containsExactly("a:1|c", "b:2|c");
        assertThat(millis).isLessThan(4_000); // not the linger
        assertThat(payloads(reader.fetch())).containsExactly("c:3|c");
    }

    @Test
    void withoutLingerABatchIsWhatTheSocketHeld() throws Exception {
        open(1024, 0);
        send("a:1|c");
        awaitQueued(); // in the socket before the fetch

        List<String> batch = payloads(reader.fetch());
        send("b:2|c");

        assertThat(batch).containsExactly("a:1|c");
        assertThat(payloads(reader.fetch())).containsExactly("b:2|c");
    }

    /** Waits until the kernel holds a datagram in the reader's socket. */
    private void awaitQueued() throws InterruptedException {
        int port = reader.boundPort();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (KernelSocketTable.queuedBytes(port) == 0) {
            assertThat(System.nanoTime())
                    .as("a datagram queued on port " + port)
                    .isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
