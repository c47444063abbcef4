package io.telemetry.aggregator.udp.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetry.aggregator.udp.SenderAllowlist;
import io.telemetry.aggregator.udp.UdpDatagram;
import io.telemetry.aggregator.udp.journal.DatagramJournal;
import io.telemetry.aggregator.udp.journal.JournalSettings;
import io.telemetry.aggregator.udp.split.UdpSplit;
import io.telemetry.aggregator.udp.split.UdpSplitSerializer;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader with its journal, against real sockets and a real disk: what a checkpoint holds, what
 * a restored reader replays, what a completed checkpoint deletes, and a journal that is missing.
 */
class UdpSourceReaderJournalTest {

    @TempDir Path journals;
    @TempDir Path otherMachine;

    private final List<UdpSourceReader> readers = new ArrayList<>();
    private final Map<String, Metric> metrics = new HashMap<>();
    private DatagramChannel held;
    private DatagramChannel sender;
    private int port;
    private int sent;

    private final UnregisteredMetricsGroup group =
            new UnregisteredMetricsGroup() {
                @Override
                public Counter counter(String name) {
                    Counter counter = new SimpleCounter();
                    metrics.put(name, counter);
                    return counter;
                }

                @Override
                public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
                    metrics.put(name, gauge);
                    return gauge;
                }
            };

    @BeforeEach
    void holdPort() throws Exception {
        held = DatagramChannel.open();
        held.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        held.bind(new InetSocketAddress("127.0.0.1", 0));
        port = ((InetSocketAddress) held.getLocalAddress()).getPort();
        sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void close() throws Exception {
        for (UdpSourceReader reader : readers) {
            reader.close();
        }
        held.close();
        sender.close();
    }

    private static JournalSettings settings(Path dir, JournalSettings.Missing missing) {
        return settings(dir, 1 << 20, 4_096, missing);
    }

    private static JournalSettings settings(
            Path dir, long maxBytes, long segmentBytes, JournalSettings.Missing missing) {
        return new JournalSettings(
                dir.toString(),
                maxBytes,
                segmentBytes,
                JournalSettings.Sync.PAGE_CACHE,
                Duration.ofMillis(200),
                missing,
                Duration.ZERO);
    }

    private UdpSourceReader start(JournalSettings settings, String sourceId, UdpSplit... splits)
            throws Exception {
        metrics.clear();
        UdpSourceReader reader =
                new UdpSourceReader(
                        "127.0.0.1",
                        port,
                        1 << 20,
                        1,
                        1024,
                        0,
                        SenderAllowlist.all(),
                        settings,
                        sourceId,
                        new UdpReaderMetrics(group),
                        new Configuration(),
                        new TestingReaderContext());
        readers.add(reader);
        reader.start();
        reader.addSplits(List.of(splits));
        return reader;
    }

    /** Sends datagrams {@code m<n>} once a reader's socket is bound beside the held one. */
    private void send(int count) throws Exception {
        KernelSocketTableTest.awaitSockets(port, 2);
        for (int i = 0; i < count; i++) {
            sent++;
            sender.send(
                    ByteBuffer.wrap(("m" + sent + ":1|c").getBytes(StandardCharsets.UTF_8)),
                    new InetSocketAddress("127.0.0.1", port));
        }
    }

    private void awaitJournaled(long count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (((Counter) metrics.get("datagrams_received")).getCount() < count) {
            assertThat(System.nanoTime()).as("journaled in 10 s").isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    /** Each reader's output (a reader keeps the output it first emitted a split's records to). */
    private final Map<UdpSourceReader, TestingReaderOutput<UdpDatagram>> outputs = new HashMap<>();

    /** Emits exactly {@code count} more datagrams (one per poll) and returns their payloads. */
    private List<String> emit(UdpSourceReader reader, int count) throws Exception {
        TestingReaderOutput<UdpDatagram> output =
                outputs.computeIfAbsent(reader, r -> new TestingReaderOutput<>());
        int before = output.getEmittedRecords().size();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (output.getEmittedRecords().size() < before + count) {
            assertThat(System.nanoTime()).as(count + " datagrams in 10 s").isLessThan(deadline);
            reader.pollNext(output);
            if (output.getEmittedRecords().size() < before + count) {
                reader.isAvailable().get();
            }
        }
        List<String> payloads = new ArrayList<>();
        for (UdpDatagram d : output.getEmittedRecords().subList(before, before + count)) {
            payloads.add(new String(d.payload, StandardCharsets.UTF_8));
        }
        return payloads;
    }

    private static List<String> range(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add("m" + i + ":1|c");
        }
        return out;
    }

    /** A checkpoint after four of ten datagrams, two more emitted, then the reader is gone. */
    private UdpSplit checkpointAfterFour() throws Exception {
        UdpSourceReader first =
                start(
                        settings(journals, JournalSettings.Missing.FAIL),
                        "job-a",
                        new UdpSplit(0, "job-a-udp-0"));
        send(10);
        awaitJournaled(10);
        assertThat(emit(first, 4)).isEqualTo(range(1, 4));
        List<UdpSplit> checkpoint = first.snapshotState(1);
        assertThat(emit(first, 2)).isEqualTo(range(5, 6));
        first.close();
        readers.remove(first);
        assertThat(checkpoint).hasSize(1);
        // What the split serializer writes is what a restore reads.
        UdpSplitSerializer serializer = UdpSplitSerializer.INSTANCE;
        return serializer.deserialize(
                serializer.getVersion(), serializer.serialize(checkpoint.get(0)));
    }

    @Test
    void aRestoredReaderReplaysItsJournalFromTheCheckpointThenGoesOnWithItsSocket()
            throws Exception {
        UdpSplit split = checkpointAfterFour();
        assertThat(split.getJournal()).isEqualTo("job-a-udp-0");
        assertThat(split.getCheckpointedBy()).isEqualTo("job-a");

        UdpSourceReader restored =
                start(settings(journals, JournalSettings.Missing.FAIL), "job-a", split);
        List<String> replayed = emit(restored, 6);
        send(2);

        assertThat(replayed).isEqualTo(range(5, 10));
        assertThat(emit(restored, 2)).isEqualTo(range(11, 12));
        assertThat(((Counter) metrics.get("journal_replayed_datagrams")).getCount()).isEqualTo(6);
        assertThat(((Counter) metrics.get("datagrams_received")).getCount()).isEqualTo(2);
    }

    /**
     * A reader that takes two splits at a restore (a lower parallelism) reads both journals back in
     * the order their datagrams arrived, not a batch of one split and then one of the other: the
     * watermark follows the records' event times after parsing, so the second split's records would
     * turn late.
     */
    @Test
    void aReaderOfTwoSplitsReplaysTheirJournalsInTheOrderTheirDatagramsArrived() throws Exception {
        JournalSettings settings = settings(journals, JournalSettings.Missing.FAIL);
        // One split's datagrams arrived every 1,000 ms, the other's every 2 ms in between.
        UdpSplit sparse = journaled(settings, 0, 1_001, 1_000, 3);
        UdpSplit dense = journaled(settings, 1, 0, 2, 3_000);

        UdpSourceReader reader = start(settings, "job-a", sparse, dense);
        List<Long> arrivals = new ArrayList<>();
        for (String payload : emit(reader, 3_003)) {
            arrivals.add(Long.parseLong(payload.substring(3, payload.indexOf(':'))));
        }

        assertThat(arrivals).hasSize(3_003).isSorted();
        assertThat(arrivals).contains(1_001L, 2_001L, 3_001L, 0L, 5_998L);
    }

    /** A split of job-a whose journal holds {@code count} datagrams, not yet emitted. */
    private UdpSplit journaled(
            JournalSettings settings, int subtask, long firstArrival, long every, int count)
            throws Exception {
        String name = "job-a-udp-" + subtask;
        try (DatagramJournal journal =
                DatagramJournal.open(
                        journals.resolve(name), settings.maxBytes(), settings.segmentBytes(), 0)) {
            for (int i = 0; i < count; i++) {
                long arrival = firstArrival + i * every;
                byte[] payload =
                        ("s" + subtask + "t" + arrival + ":1|c").getBytes(StandardCharsets.UTF_8);
                journal.append(new UdpDatagram(payload, "127.0.0.1:9", arrival, false));
            }
            journal.flush();
            return new UdpSplit(subtask, name, journal.start(), "job-a", null);
        }
    }

    @Test
    void aCompletedCheckpointDeletesTheSegmentsBeforeItsPosition() throws Exception {
        UdpSourceReader reader =
                start(
                        settings(journals, JournalSettings.Missing.FAIL),
                        "job-a",
                        new UdpSplit(0, "job-a-udp-0"));
        send(400); // about 12 KB of frames: three 4 KB segments
        awaitJournaled(400);
        emit(reader, 400);
        Path dir = journals.resolve("job-a-udp-0");
        long before = segments(dir);
        UdpSplit checkpoint = reader.snapshotState(1).get(0);

        reader.notifyCheckpointComplete(1);

        assertThat(before).isGreaterThanOrEqualTo(3);
        assertThat(segments(dir)).isEqualTo(1);
        assertThat(checkpoint.getCarried()).isEmpty();
        @SuppressWarnings("unchecked")
        Gauge<Long> bytes = (Gauge<Long>) metrics.get("journal_bytes");
        assertThat(bytes.getValue()).isLessThanOrEqualTo(4_096);
    }

    /**
     * A journal at its limit (no checkpoint completes to free it): the reader drops and counts what
     * does not fit instead of blocking its socket; what fit is emitted in order.
     */
    @Test
    void aFullJournalDropsAndCountsInsteadOfBlocking() throws Exception {
        JournalSettings small = settings(journals, 8_192, 4_096, JournalSettings.Missing.FAIL);
        UdpSourceReader reader = start(small, "job-a", new UdpSplit(0, "job-a-udp-0"));
        send(600); // about 18 KB of frames
        awaitJournaled(600);
        Counter dropped = (Counter) metrics.get("journal_dropped_datagrams");
        long kept = 600 - dropped.getCount();

        assertThat(dropped.getCount()).isPositive();
        assertThat(emit(reader, (int) kept)).isEqualTo(range(1, (int) kept));
        @SuppressWarnings("unchecked")
        Gauge<Long> bytes = (Gauge<Long>) metrics.get("journal_bytes");
        assertThat(bytes.getValue()).isLessThanOrEqualTo(8_192);
    }

    /**
     * A journal on a disk that fills up (a real 64 KiB tmpfs, mounted for the test: it needs root,
     * as the suite has on its machines): writes fail with "No space left on device", the reader
     * drops and counts what it could not write instead of failing or blocking, emits what it wrote
     * in order, and journals again once a completed checkpoint has freed the disk.
     */
    @Test
    void aFullDiskDropsAndCountsAndTheJournalGoesOnWhenACheckpointFreesIt() throws Exception {
        Path disk = Files.createDirectory(journals.resolve("small-disk"));
        mount(disk);
        try {
            // A limit of 1 MiB: more than the disk holds.
            JournalSettings onSmallDisk =
                    settings(disk, 1 << 20, 8_192, JournalSettings.Missing.FAIL);
            UdpSourceReader reader = start(onSmallDisk, "job-a", new UdpSplit(0, "job-a-udp-0"));
            send(3_000); // about 90 KB of frames
            awaitJournaled(3_000);
            Counter dropped = (Counter) metrics.get("journal_dropped_datagrams");
            int kept = (int) (3_000 - dropped.getCount());

            assertThat(dropped.getCount()).isPositive();
            assertThat(kept).isPositive();
            // What was written is emitted in order, once; what the disk refused is counted (a
            // write that fails part-way gives its pages back, so a later batch may fit again).
            List<String> emitted = emit(reader, kept);
            assertThat(emitted).doesNotHaveDuplicates().isSubsetOf(range(1, 3_000));
            assertThat(emitted)
                    .isSortedAccordingTo(
                            Comparator.comparingInt(
                                    m -> Integer.parseInt(m.substring(1, m.indexOf(':')))));

            reader.snapshotState(1);
            reader.notifyCheckpointComplete(1);
            send(100);
            awaitJournaled(3_100);
            assertThat(dropped.getCount()).isEqualTo(3_000 - kept);
            assertThat(emit(reader, 100)).isEqualTo(range(3_001, 3_100));
        } finally {
            for (UdpSourceReader reader : readers) {
                reader.close();
            }
            readers.clear();
            run("umount", disk.toString());
        }
    }

    private static void mount(Path dir) throws Exception {
        run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.toString());
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor())
                .as(String.join(" ", command) + " (the test needs root): " + output)
                .isZero();
    }

    private static long segments(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".journal")).count();
        }
    }

    /**
     * A savepoint resumed by another job on a machine without the journal: the split carries it.
     */
    @Test
    void anotherJobResumesFromWhatTheCheckpointCarriedWhenTheJournalIsNotThere() throws Exception {
        UdpSplit split = checkpointAfterFour();
        assertThat(split.getCarried()).isNotEmpty();

        UdpSourceReader resumed =
                start(settings(otherMachine, JournalSettings.Missing.FAIL), "job-b", split);

        assertThat(emit(resumed, 6)).isEqualTo(range(5, 10));
        send(1);
        assertThat(emit(resumed, 1)).isEqualTo(range(11, 11));
        assertThat(((Counter) metrics.get("journal_missing")).getCount()).isZero();
    }

    /** The job's own failover without its journal: the loss is not silent. */
    @Test
    void theJobsOwnRestoreWithoutItsJournalStopsTheJob() throws Exception {
        UdpSplit split = checkpointAfterFour();

        assertThatThrownBy(
                        () ->
                                start(
                                        settings(otherMachine, JournalSettings.Missing.FAIL),
                                        "job-a",
                                        split))
                .isInstanceOf(SuppressRestartsException.class)
                .hasRootCauseMessage(
                        "the journal of UDP split udp-0 is missing: "
                                + otherMachine.resolve("job-a-udp-0")
                                + " does not exist (put source.udp.journal.dir on storage the restarted"
                                + " TaskManager sees, or set source.udp.journal.missing: start-empty to"
                                + " accept the loss)");
    }

    /**
     * Two readers of one split's journal (a second job started from the same checkpoint with the
     * same journal directory) would both append to it: the second stops its job, naming the first.
     */
    @Test
    void aSecondReaderOfAJournalStopsTheJobNamingTheReaderThatHoldsIt() throws Exception {
        UdpSourceReader first =
                start(
                        settings(journals, JournalSettings.Missing.FAIL),
                        "job-a",
                        new UdpSplit(0, "job-a-udp-0"));
        send(3);
        assertThat(emit(first, 3)).isEqualTo(range(1, 3));

        assertThatThrownBy(
                        () ->
                                start(
                                        settings(journals, JournalSettings.Missing.FAIL),
                                        "job-b",
                                        new UdpSplit(0, "job-a-udp-0")))
                .isInstanceOf(SuppressRestartsException.class)
                .rootCause()
                .hasMessageStartingWith(
                        "UDP split udp-0: the journal in "
                                + journals.resolve("job-a-udp-0").toRealPath()
                                + " is locked by ")
                .hasMessageContaining(", job job-a split udp-0, since ");
        // It bound no socket: the kernel gives it no sender's datagrams (the held and first only).
        assertThat(KernelSocketTable.socketsOnPort(port)).hasSize(2);

        // The first reader goes on with its journal.
        send(2);
        assertThat(emit(first, 2)).isEqualTo(range(4, 5));
    }

    @Test
    void startEmptyAcceptsAMissingJournalAndCountsIt() throws Exception {
        UdpSplit split = checkpointAfterFour();

        UdpSourceReader restored =
                start(settings(otherMachine, JournalSettings.Missing.START_EMPTY), "job-a", split);

        // What the checkpoint carried is still replayed; what came after it is lost and counted.
        assertThat(emit(restored, 6)).isEqualTo(range(5, 10));
        assertThat(((Counter) metrics.get("journal_missing")).getCount()).isEqualTo(1);
    }
}
