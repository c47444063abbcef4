package io.telemetry.aggregator.udp.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetry.aggregator.udp.UdpDatagram;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's file format on a real disk: appends, reads, roll-over, truncation and damage. */
class DatagramJournalTest {

    private static final long MB = 1 << 20;

    @TempDir Path dir;

    static UdpDatagram datagram(int i) {
        return new UdpDatagram(
                ("m" + i + ":" + i + "|c").getBytes(StandardCharsets.UTF_8),
                "10.0.0." + i + ":4000",
                1_795_430_400_000L + i,
                false);
    }

    private static List<UdpDatagram> readAll(DatagramJournal journal, long from)
            throws IOException {
        List<UdpDatagram> out = new ArrayList<>();
        try (JournalReader reader = journal.readFrom(from)) {
            UdpDatagram d;
            while ((d = reader.next()) != null) {
                out.add(d);
            }
        }
        return out;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".journal")).sorted().toList();
        }
    }

    @Test
    void appendedDatagramsReadBackWithTheirSenderTimeAndFlags() throws IOException {
        UdpDatagram ipv6 = new UdpDatagram(new byte[0], "[2001:db8::1]:53000", 7, true);
        UdpDatagram large = new UdpDatagram(new byte[65_507], "10.0.0.9:1", 8, false);
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 8 * MB)) {
            long first = journal.append(datagram(1));
            long second = journal.append(ipv6);
            journal.append(large);
            journal.flush();

            assertThat(first).isEqualTo(DatagramJournal.frameBytes(datagram(1)));
            assertThat(second).isEqualTo(first + DatagramJournal.frameBytes(ipv6));
            assertThat(readAll(journal, 0)).containsExactly(datagram(1), ipv6, large);
            assertThat(readAll(journal, first)).containsExactly(ipv6, large);
            assertThat(readAll(journal, journal.end())).isEmpty();
        }
    }

    @Test
    void segmentsRollOverAndReopenWhereTheyEnded() throws IOException {
        List<UdpDatagram> sent = new ArrayList<>();
        long end;
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 200)) {
            for (int i = 0; i < 40; i++) {
                sent.add(datagram(i));
                journal.append(datagram(i));
            }
            end = journal.end();
        }
        assertThat(segments().size()).isGreaterThan(5);
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 200)) {
            assertThat(journal.end()).isEqualTo(end);
            assertThat(journal.cutBytes()).isZero();
            assertThat(readAll(journal, 0)).containsExactlyElementsOf(sent);
            journal.append(datagram(40));
            sent.add(datagram(40));
            assertThat(readAll(journal, 0)).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void segmentsWhollyBeforeAPositionAreDeleted() throws IOException {
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 200)) {
            long[] after = new long[40];
            for (int i = 0; i < 40; i++) {
                after[i] = journal.append(datagram(i));
            }
            journal.flush();
            int before = segments().size();
            long disk = journal.bytesOnDisk();
            long freed = journal.truncateBefore(after[19]);

            assertThat(segments().size()).isLessThan(before);
            assertThat(journal.bytesOnDisk()).isEqualTo(disk - freed);
            assertThat(journal.start()).isPositive().isLessThanOrEqualTo(after[19]);
            assertThat(readAll(journal, after[19]))
                    .containsExactlyElementsOf(
                            java.util.stream.IntStream.range(20, 40)
                                    .mapToObj(DatagramJournalTest::datagram)
                                    .toList());
            assertThatThrownBy(() -> journal.readFrom(0)).hasMessageContaining("not 0");
            assertThat(journal.bytesOnDisk())
                    .isEqualTo(segments().stream().mapToLong(p -> p.toFile().length()).sum());
        }
    }

    @Test
    void aTornTailIsCutOffAndCountedAtOpen() throws IOException {
        long afterSecond;
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 8 * MB)) {
            journal.append(datagram(1));
            afterSecond = journal.append(datagram(2));
            journal.append(datagram(3));
        }
        Path segment = segments().get(0);
        long size = Files.size(segment);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(size - 5); // the third frame's write did not complete
        }
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 8 * MB)) {
            assertThat(journal.cutBytes()).isEqualTo(DatagramJournal.frameBytes(datagram(3)) - 5);
            assertThat(journal.end()).isEqualTo(afterSecond);
            assertThat(readAll(journal, 0)).containsExactly(datagram(1), datagram(2));
            journal.append(datagram(4));
            assertThat(readAll(journal, 0)).containsExactly(datagram(1), datagram(2), datagram(4));
        }
    }

    @Test
    void aCorruptLastFrameIsFoundByItsCrcAndCutOff() throws IOException {
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 8 * MB)) {
            journal.append(datagram(1));
            journal.append(datagram(2));
        }
        Path segment = segments().get(0);
        flipLastByte(segment);
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 8 * MB)) {
            assertThat(journal.cutBytes()).isEqualTo(DatagramJournal.frameBytes(datagram(2)));
            assertThat(readAll(journal, 0)).containsExactly(datagram(1));
        }
    }

    @Test
    void damageInTheMiddleStopsTheReadWithAnError() throws IOException {
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 200)) {
            for (int i = 0; i < 20; i++) {
                journal.append(datagram(i));
            }
        }
        flipLastByte(segments().get(0));
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 200)) {
            assertThat(journal.cutBytes())
                    .isZero(); // only the last segment's tail is checked at open
            assertThatThrownBy(() -> readAll(journal, 0))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("is damaged at position")
                    .hasMessageContaining("CRC");
        }
    }

    @Test
    void aFullJournalRefusesAppendsUntilTruncated() throws IOException {
        int frame = DatagramJournal.frameBytes(datagram(1));
        // Two segments of 8 + 4 frames' worth, a limit of two segments.
        long segment = 8 + 4L * frame;
        try (DatagramJournal journal = DatagramJournal.open(dir, 2 * segment, segment)) {
            List<Long> accepted = new ArrayList<>();
            long refused = 0;
            for (int i = 0; i < 12; i++) {
                long p = journal.append(datagram(1));
                if (p < 0) {
                    refused++;
                } else {
                    accepted.add(p);
                }
            }
            assertThat(accepted).hasSize(8);
            assertThat(refused).isEqualTo(4);
            journal.flush();
            assertThat(journal.bytesOnDisk()).isLessThanOrEqualTo(2 * segment);

            journal.truncateBefore(accepted.get(3)); // the first segment is done with
            assertThat(journal.append(datagram(2))).isPositive();
            assertThat(readAll(journal, accepted.get(7))).containsExactly(datagram(2));
        }
    }

    @Test
    void whatWasFlushedSurvivesAKilledProcess() throws Exception {
        List<Process> started = new ArrayList<>();
        try {
            // Datagram 1 flushed; datagram 2 appended, never flushed: lost with the process.
            Process killed = JournalLockTest.start(started, "hold", dir, "1", "1");
            assertThat(JournalLockTest.firstLine(killed)).isEqualTo("locked");
            killed.destroyForcibly().waitFor();
        } finally {
            for (Process p : started) {
                p.destroyForcibly().waitFor();
            }
        }
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 8 * MB)) {
            assertThat(readAll(journal, 0)).containsExactly(datagram(1));
        }
    }

    @Test
    void aSegmentWhoseHeaderWasCutShortStartsOver() throws IOException {
        Files.write(dir.resolve(String.format("%020d.journal", 0)), new byte[] {0x54, 0x41});
        try (DatagramJournal journal = DatagramJournal.open(dir, 64 * MB, 8 * MB)) {
            assertThat(journal.end()).isZero();
            journal.append(datagram(1));
            assertThat(readAll(journal, 0)).containsExactly(datagram(1));
        }
    }

    @Test
    void aForeignFileIsNotReadAsASegment() throws IOException {
        Files.write(
                dir.resolve(String.format("%020d.journal", 0)),
                "not a journal at all".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> DatagramJournal.open(dir, 64 * MB, 8 * MB))
                .hasMessageContaining("is not a version 1 journal segment");
    }

    private static void flipLastByte(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() - 1);
            int b = f.read();
            f.seek(f.length() - 1);
            f.write(b ^ 0xff);
        }
    }
}
