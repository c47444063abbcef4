package io.telemetry.aggregator.udp.journal;

import io.telemetry.aggregator.udp.UdpDatagram;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The write-ahead journal of one UDP reader: every datagram it reads (payload, sender, receive
 * time) is appended here before it is handed on, so that what was read but not yet covered by a
 * completed checkpoint can be replayed after a failure.
 *
 * <p>The journal is a directory of segment files, each named by the position of its first frame (20
 * digits) and starting with a header (magic, format version). A position counts frame bytes from
 * the start of the journal, across segments, the way a Kafka offset counts records: the split's
 * checkpointed state holds the position of the first datagram not yet emitted. A frame is {@code
 * [int body length][int CRC32C of the body][body]}, the body {@code [long receive time][byte
 * flags][short sender length][sender, UTF-8][payload]}.
 *
 * <p>Appends go to a buffer that {@link #flush()} writes to the current segment (into the page
 * cache: a killed process loses nothing flushed), {@link #sync()} forces it to the disk. Opening a
 * journal checks the frames of its last segment and cuts off a torn or corrupt tail (a crash in the
 * middle of a write), counting what was cut. Disk use is bounded: an append that would take the
 * journal past its limit is refused, and segments wholly before a position are deleted by {@link
 * #truncateBefore(long)}. Not thread-safe: one reader's fetcher thread owns it.
 */
public final class DatagramJournal implements AutoCloseable {

    static final int MAGIC = 0x54414A31; // "TAJ1"
    static final int VERSION_1 = 1;
    static final int SEGMENT_HEADER_BYTES = 8;
    static final int FRAME_HEADER_BYTES = 8;

    /** Receive time, flags and sender length. */
    static final int BODY_FIXED_BYTES = 8 + 1 + 2;

    private static final String SUFFIX = ".journal";
    private static final byte TRUNCATED = 1;

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;

    /** Base position of every segment to its file. */
    private final TreeMap<Long, Path> segments = new TreeMap<>();

    private final CRC32C crc = new CRC32C();

    private FileChannel current;
    private long currentBase;
    private long currentSize;
    private long end;
    private long bytesOnDisk;
    private ByteBuffer pending = ByteBuffer.allocate(1 << 16).order(ByteOrder.BIG_ENDIAN);
    private long cutBytes;

    private DatagramJournal(Path dir, long maxBytes, long segmentBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Opens the journal in {@code dir} (created when missing), cutting a torn or corrupt tail off
     * its last segment.
     *
     * @param maxBytes the most the journal's segments may hold on disk
     * @param segmentBytes the size at which a new segment is begun
     */
    public static DatagramJournal open(Path dir, long maxBytes, long segmentBytes)
            throws IOException {
        if (segmentBytes < SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + BODY_FIXED_BYTES
                || maxBytes < segmentBytes) {
            throw new IllegalArgumentException(
                    "A journal needs segments of at least "
                            + (SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + BODY_FIXED_BYTES)
                            + " bytes and a limit of at least one segment, not "
                            + segmentBytes
                            + " and "
                            + maxBytes);
        }
        Files.createDirectories(dir);
        DatagramJournal journal = new DatagramJournal(dir, maxBytes, segmentBytes);
        journal.load();
        return journal;
    }

    private void load() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                try {
                    segments.put(
                            Long.parseLong(name.substring(0, name.length() - SUFFIX.length())),
                            file);
                } catch (NumberFormatException e) {
                    throw new IOException("Not a journal segment: " + file);
                }
            }
        }
        if (segments.isEmpty()) {
            startSegment(0);
            return;
        }
        for (Path file : segments.values()) {
            bytesOnDisk += Files.size(file);
        }
        long base = segments.lastKey();
        Path last = segments.lastEntry().getValue();
        long valid = validLength(last);
        long size = Files.size(last);
        current = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.READ);
        if (valid < size) {
            // A crash in the middle of a write: the frames from here on never completed.
            current.truncate(valid);
            cutBytes = size - valid;
            bytesOnDisk -= cutBytes;
        }
        if (valid == 0) {
            ByteBuffer header =
                    ByteBuffer.allocate(SEGMENT_HEADER_BYTES)
                            .putInt(MAGIC)
                            .putInt(VERSION_1)
                            .flip();
            while (header.hasRemaining()) {
                current.write(header, header.position());
            }
            valid = SEGMENT_HEADER_BYTES;
            bytesOnDisk += SEGMENT_HEADER_BYTES;
        }
        current.position(valid);
        currentBase = base;
        currentSize = valid;
        end = base + valid - SEGMENT_HEADER_BYTES;
    }

    /**
     * The length of the segment's header and whole frames with a matching CRC; 0 when even the
     * header is incomplete (a crash while the segment was begun).
     */
    private long validLength(Path segment) throws IOException {
        if (Files.size(segment) < SEGMENT_HEADER_BYTES) {
            return 0;
        }
        try (JournalReader reader = new JournalReader(List.of(segment), 0, 0, true)) {
            while (reader.skipFrame()) {
                // counts the frames' bytes
            }
            return SEGMENT_HEADER_BYTES + reader.position();
        }
    }

    private void startSegment(long base) throws IOException {
        if (current != null) {
            current.close();
        }
        Path file = dir.resolve(String.format("%020d%s", base, SUFFIX));
        current =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
        ByteBuffer header =
                ByteBuffer.allocate(SEGMENT_HEADER_BYTES).putInt(MAGIC).putInt(VERSION_1).flip();
        while (header.hasRemaining()) {
            current.write(header);
        }
        segments.put(base, file);
        currentBase = base;
        currentSize = SEGMENT_HEADER_BYTES;
        bytesOnDisk += SEGMENT_HEADER_BYTES;
        end = base;
    }

    /** The bytes one datagram takes in the journal. */
    static int frameBytes(UdpDatagram d) {
        return FRAME_HEADER_BYTES + BODY_FIXED_BYTES + utf8Length(d.sender) + d.payload.length;
    }

    private static int utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * Appends a datagram (to the buffer that {@link #flush()} writes).
     *
     * @return the journal position after it, or -1 when it would take the journal past its limit
     *     (nothing is appended then)
     */
    public long append(UdpDatagram d) throws IOException {
        byte[] sender = d.sender == null ? new byte[0] : d.sender.getBytes(StandardCharsets.UTF_8);
        int body = BODY_FIXED_BYTES + sender.length + d.payload.length;
        int frame = FRAME_HEADER_BYTES + body;
        long pendingEnd = currentSize + pending.position();
        boolean roll = pendingEnd > SEGMENT_HEADER_BYTES && pendingEnd + frame > segmentBytes;
        long needed = frame + (roll ? SEGMENT_HEADER_BYTES : 0);
        if (bytesOnDisk + pending.position() + needed > maxBytes) {
            return -1;
        }
        if (roll) {
            flush();
            startSegment(end);
        }
        if (pending.remaining() < frame) {
            ByteBuffer bigger =
                    ByteBuffer.allocate(
                            Math.max(pending.capacity() * 2, pending.position() + frame));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        int start = pending.position();
        pending.putInt(body).putInt(0);
        int bodyStart = pending.position();
        pending.putLong(d.receivedAt)
                .put(d.truncated ? TRUNCATED : 0)
                .putShort((short) sender.length)
                .put(sender)
                .put(d.payload);
        crc.reset();
        crc.update(pending.array(), bodyStart, body);
        pending.putInt(start + 4, (int) crc.getValue());
        end += frame;
        return end;
    }

    /** Writes what was appended to the current segment: into the page cache, not yet the disk. */
    public void flush() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        int written = pending.remaining();
        while (pending.hasRemaining()) {
            current.write(pending);
        }
        pending.clear();
        currentSize += written;
        bytesOnDisk += written;
    }

    /** Flushes, and forces the current segment's content to the disk. */
    public void sync() throws IOException {
        flush();
        current.force(false);
    }

    /**
     * Deletes every segment whose frames all lie before {@code position} (the current segment is
     * kept).
     *
     * @return the bytes freed
     */
    public long truncateBefore(long position) throws IOException {
        long freed = 0;
        List<Long> bases = new ArrayList<>(segments.keySet());
        for (int i = 0; i + 1 < bases.size(); i++) {
            if (bases.get(i + 1) > position) {
                break;
            }
            Path file = segments.remove(bases.get(i));
            long size = Files.size(file);
            Files.delete(file);
            freed += size;
        }
        bytesOnDisk -= freed;
        return freed;
    }

    /**
     * Reads the flushed frames from {@code position} on, in order, across segments.
     *
     * @throws IOException when the position is not held (deleted or beyond the end)
     */
    public JournalReader readFrom(long position) throws IOException {
        flush();
        if (position < start() || position > end) {
            throw new IOException(
                    "Journal "
                            + dir
                            + " holds positions "
                            + start()
                            + " to "
                            + end
                            + ", not "
                            + position);
        }
        long base = segments.floorKey(position);
        List<Path> files = new ArrayList<>(segments.tailMap(base).values());
        return new JournalReader(files, base, position, false);
    }

    /** The position of the oldest frame held. */
    public long start() {
        return segments.firstKey();
    }

    /** The position after the newest frame appended. */
    public long end() {
        return end;
    }

    /** Bytes the journal takes on disk (segments' headers and flushed frames). */
    public long bytesOnDisk() {
        return bytesOnDisk;
    }

    /** Bytes of a torn or corrupt tail cut off when the journal was opened. */
    public long cutBytes() {
        return cutBytes;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        flush();
        current.close();
    }
}
