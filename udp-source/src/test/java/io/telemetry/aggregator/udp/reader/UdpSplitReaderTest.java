package io.telemetry.aggregator.udp.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.udp.SenderAllowlist;
import io.telemetry.aggregator.udp.UdpDatagram;
import io.telemetry.aggregator.udp.journal.JournalSettings;
import io.telemetry.aggregator.udp.split.UdpSplit;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the fetcher fills its hand-over batches from a real socket on loopback. */
class UdpSplitReaderTest {

    private UdpSplitReader reader;
    private DatagramChannel sender;
    private int port;
    private int sockets = 1;

    @TempDir Path journalDir;

    private void open(int maxBatch, long lingerMillis) throws Exception {
        open(maxBatch, lingerMillis, 1 << 20, false);
    }

    private void open(int maxBatch, long lingerMillis, int socketBuffer, boolean journaled)
            throws Exception {
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        JournalSettings settings =
                new JournalSettings(
                        journalDir.toString(),
                        64 << 20,
                        1 << 20,
                        JournalSettings.Sync.PAGE_CACHE,
                        Duration.ofMillis(200),
                        JournalSettings.Missing.FAIL,
                        Duration.ZERO);
        UdpReaderMetrics metrics = new UdpReaderMetrics(new UnregisteredMetricsGroup());
        UdpSplit split = new UdpSplit(0, "test-udp-0");
        Map<String, SplitJournal> journals = new HashMap<>();
        if (journaled) {
            journal = SplitJournal.open(split, settings, "test", metrics);
            journals.put(split.splitId(), journal);
        }
        reader =
                new UdpSplitReader(
                        "127.0.0.1",
                        port,
                        socketBuffer,
                        sockets,
                        maxBatch,
                        TimeUnit.MILLISECONDS.toNanos(lingerMillis),
                        SenderAllowlist.all(),
                        journaled ? settings : null,
                        journals,
                        metrics);
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(split)));
        sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        sender.connect(new InetSocketAddress("127.0.0.1", port));
    }

    private SplitJournal journal;

    @AfterEach
    void close() throws Exception {
        reader.close();
        sender.close();
        if (journal != null) {
            journal.close();
        }
    }

    /** Fetches until a batch holds datagrams, as the source's fetcher does. */
    private RecordsWithSplitIds<JournaledDatagram> nextBatch() throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            DatagramBatch batch = (DatagramBatch) reader.fetch();
            if (batch.remaining() > 0) {
                return batch;
            }
            assertThat(System.nanoTime()).as("a batch within 30 s").isLessThan(deadline);
        }
    }

    private void send(String text) throws Exception {
        sender.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> payloads(RecordsWithSplitIds<JournaledDatagram> batch) {
        List<String> out = new ArrayList<>();
        while (batch.nextSplit() != null) {
            JournaledDatagram d;
            while ((d = batch.nextRecordFromSplit()) != null) {
                out.add(new String(d.datagram.payload, StandardCharsets.UTF_8));
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
        List<String> batch = payloads(nextBatch());
        long millis = (System.nanoTime() - start) / 1_000_000;

        later.get();
        assertThat(batch).containsExactly("a:1|c", "b:2|c");
        assertThat(millis)
                .isBetween(1_900L, 10_000L); // the linger, not the select timeout or longer
    }

    @Test
    void aBatchHoldsAtMostMaxBatchDatagramsAndTheRestGoesIntoTheNext() throws Exception {
        open(2, 100);
        send("a:1|c");
        send("b:2|c");
        send("c:3|c");

        assertThat(payloads(nextBatch())).containsExactly("a:1|c", "b:2|c");
        assertThat(payloads(nextBatch())).containsExactly("c:3|c");
    }

    @Test
    void withoutLingerABatchIsWhatHadArrived() throws Exception {
        open(1024, 0);
        send("a:1|c");

        List<String> batch = payloads(nextBatch());
        send("b:2|c");

        assertThat(batch).containsExactly("a:1|c");
        assertThat(payloads(nextBatch())).containsExactly("b:2|c");
    }

    /**
     * Nobody fetches while 3,000 datagrams arrive, far more than the socket's buffer and the
     * in-memory queue hold: the receiver keeps draining the socket into the journal, and the
     * fetcher then hands every datagram over, in order, with its journal position.
     */
    @Test
    void theJournalAbsorbsAStalledTask() throws Exception {
        open(8, 0, 65_536, true);
        int sent = 3_000;
        for (int i = 0; i < sent; i++) {
            send(String.format("m:%04d|c%s", i, "x".repeat(1_000)));
            if (i % 50 == 49) {
                awaitDrained();
            }
        }
        awaitDrained();

        List<String> received = new ArrayList<>();
        long lastPosition =
                fetchJournaled(
                        sent,
                        d -> received.add(new String(d.payload, 0, 6, StandardCharsets.UTF_8)));

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < sent; i++) {
            expected.add(String.format("m:%04d", i));
        }
        assertThat(received).isEqualTo(expected);
        assertThat(lastPosition).isEqualTo(journal.journal.flushedEnd());
        assertThat(KernelSocketTable.socketsOnPort(port).values()).containsOnly(0L);
    }

    /**
     * A split with four sockets on the port: 32 senders, which the kernel spreads across them, send
     * 100 datagrams each; every datagram reaches the fetcher once, each sender's in the order sent,
     * with journal positions that only grow.
     */
    @Test
    void aSplitsSocketsTogetherTakeEverySendersDatagramsOnceAndInOrder() throws Exception {
        sockets = 4;
        open(16, 0, 1 << 20, true);
        assertThat(KernelSocketTable.socketsOnPort(port)).hasSize(4);
        int senders = 32;
        int each = 100;
        List<DatagramChannel> channels = new ArrayList<>();
        try {
            for (int s = 0; s < senders; s++) {
                DatagramChannel c =
                        DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                c.connect(new InetSocketAddress("127.0.0.1", port));
                channels.add(c);
            }
            for (int i = 0; i < each; i++) {
                for (int s = 0; s < senders; s++) {
                    channels.get(s)
                            .write(ByteBuffer.wrap((s + ":" + i).getBytes(StandardCharsets.UTF_8)));
                }
                awaitDrained();
            }
        } finally {
            for (DatagramChannel c : channels) {
                c.close();
            }
        }

        Map<Integer, List<Integer>> bySender = new HashMap<>();
        long lastPosition =
                fetchJournaled(
                        senders * each,
                        d -> {
                            String[] parts =
                                    new String(d.payload, StandardCharsets.UTF_8).split(":");
                            bySender.computeIfAbsent(
                                            Integer.parseInt(parts[0]), k -> new ArrayList<>())
                                    .add(Integer.parseInt(parts[1]));
                        });
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < each; i++) {
            inOrder.add(i);
        }
        assertThat(bySender).hasSize(senders);
        assertThat(bySender.values()).allSatisfy(list -> assertThat(list).isEqualTo(inOrder));
        assertThat(lastPosition).isEqualTo(journal.journal.flushedEnd());
        assertThat(KernelSocketTable.socketsOnPort(port).values()).containsOnly(0L);
    }

    /**
     * Fetches batches until they held {@code count} datagrams, all of split udp-0 and each with a
     * journal position after the one before, and hands each datagram on (a batch reuses its record
     * object).
     *
     * @return the last datagram's position
     */
    private long fetchJournaled(int count, Consumer<UdpDatagram> each) throws Exception {
        int fetched = 0;
        long lastPosition = 0;
        while (fetched < count) {
            RecordsWithSplitIds<JournaledDatagram> batch = nextBatch();
            assertThat(batch.nextSplit()).isEqualTo("udp-0");
            JournaledDatagram d;
            while ((d = batch.nextRecordFromSplit()) != null) {
                assertThat(d.position).isGreaterThan(lastPosition);
                lastPosition = d.position;
                each.accept(d.datagram);
                fetched++;
            }
        }
        return lastPosition;
    }

    /** Waits until the receiver has taken everything from the kernel's queue. */
    private void awaitDrained() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (KernelSocketTable.queuedBytes(port) > 0) {
            assertThat(System.nanoTime())
                    .as("the receiver drains port " + port)
                    .isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
