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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * #truncateBefore(long)}. A journal has one writer: opening it takes the lock of its directory
 * ({@link JournalLock}), closing it releases the lock. One thread appends and flushes; others may
 * read what was flushed, sync and truncate at the same time (the methods are synchronized).
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

    /** Held from opening to closing: one writer per journal. */
    private final JournalLock lock;

    private final long maxBytes;
    private final long segmentBytes;

    /** Forces a segment to the disk before it is closed at a roll-over. */
    private boolean syncOnRoll;

    /** Base position of every segment to its file. */
    private final TreeMap<Long, Path> segments = new TreeMap<>();

    private final CRC32C crc = new CRC32C();

    private FileChannel current;
    private long currentBase;
    private long currentSize;
    private long end;
    private volatile long flushedEnd;
    private volatile long bytesOnDisk;
    private byte[] lastSenderBytes = new byte[0];
    private String lastSender;
    private ByteBuffer pending = ByteBuffer.allocate(1 << 16).order(ByteOrder.BIG_ENDIAN);
    private long cutBytes;

    private DatagramJournal(Path dir, long maxBytes, long segmentBytes, JournalLock lock) {
        this.dir = dir;
        this.lock = lock;
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
        return open(dir, maxBytes, segmentBytes, 0);
    }

    /**
     * Opens the journal in {@code dir}; a new journal's first position is {@code firstPosition} (a
     * journal continued from the datagrams a savepoint carried). Fails at once when another writer
     * holds the journal.
     */
    public static DatagramJournal open(
            Path dir, long maxBytes, long segmentBytes, long firstPosition) throws IOException {
        return open(dir, maxBytes, segmentBytes, firstPosition, "a journal writer", Duration.ZERO);
    }

    /**
     * Opens the journal in {@code dir} for {@code holder} (named to a reader that finds the journal
     * locked), waiting up to {@code lockTimeout} while another writer holds its lock; a new
     * journal's first position is {@code firstPosition}.
     *
     * @throws JournalLockedException when another writer still holds the journal after {@code
     *     lockTimeout}
     */
    public static DatagramJournal open(
            Path dir,
            long maxBytes,
            long segmentBytes,
            long firstPosition,
            String holder,
            Duration lockTimeout)
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
        JournalLock lock = JournalLock.acquire(dir, holder, lockTimeout);
        DatagramJournal journal = new DatagramJournal(dir, maxBytes, segmentBytes, lock);
        try {
            journal.load(firstPosition);
        } catch (IOException | RuntimeException e) {
            journal.closeFiles();
            throw e;
        }
        return journal;
    }

    private void load(long firstPosition) throws IOException {
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
            startSegment(firstPosition);
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
        flushedEnd = end;
    }

    /**
     * The length of the segment's header and whole frames with a matching CRC; 0 when even the
     * header is incomplete (a crash while the segment was begun).
     */
    private long validLength(Path segment) throws IOException {
        if (Files.size(segment) < SEGMENT_HEADER_BYTES) {
            return 0;
        }
        try (JournalReader reader =
                new JournalReader(List.of(segment), 0, 0, Long.MAX_VALUE, true)) {
            while (reader.skipFrame()) {
                // counts the frames' bytes
            }
            return SEGMENT_HEADER_BYTES + reader.position();
        }
    }

    /** Begins the segment at {@code base}; when that fails the current segment stays current. */
    private void startSegment(long base) throws IOException {
        Path file = dir.resolve(String.format("%020d%s", base, SUFFIX));
        FileChannel next =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
        try {
            ByteBuffer header =
                    ByteBuffer.allocate(SEGMENT_HEADER_BYTES)
                            .putInt(MAGIC)
                            .putInt(VERSION_1)
                            .flip();
            while (header.hasRemaining()) {
                next.write(header);
            }
            if (current != null && syncOnRoll) {
                current.force(false);
            }
        } catch (IOException e) {
            next.close();
            Files.deleteIfExists(file);
            throw e;
        }
        if (current != null) {
            current.close();
        }
        current = next;
        segments.put(base, file);
        currentBase = base;
        currentSize = SEGMENT_HEADER_BYTES;
        bytesOnDisk += SEGMENT_HEADER_BYTES;
        end = base;
        flushedEnd = base;
    }

    /** Whether a segment is forced to the disk when the journal rolls over to the next one. */
    public synchronized void setSyncOnRoll(boolean syncOnRoll) {
        this.syncOnRoll = syncOnRoll;
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
    public synchronized long append(UdpDatagram d) throws IOException {
        byte[] sender = senderBytes(d.sender);
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

    /** The sender's UTF-8 bytes; a reader hands in the same string while the sender repeats. */
    private byte[] senderBytes(String sender) {
        if (sender == null) {
            return new byte[0];
        }
        if (sender != lastSender) {
            lastSenderBytes = sender.getBytes(StandardCharsets.UTF_8);
            lastSender = sender;
        }
        return lastSenderBytes;
    }

    /**
     * Writes what was appended to the current segment: into the page cache, not yet the disk. When
     * the write fails (a full disk), what it wrote of the frames is cut off again, the frames are
     * discarded and the error is thrown: the journal then ends at {@link #flushedEnd()}.
     */
    public synchronized void flush() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        int written = pending.remaining();
        try {
            while (pending.hasRemaining()) {
                current.write(pending);
            }
        } catch (IOException e) {
            pending.clear();
            end = flushedEnd;
            try {
                current.truncate(currentSize);
                current.position(currentSize);
            } catch (IOException cut) {
                e.addSuppressed(cut);
            }
            throw e;
        }
        pending.clear();
        currentSize += written;
        bytesOnDisk += written;
        flushedEnd = end;
    }

    /** Drops what was appended and not yet written: the journal ends at {@link #flushedEnd()}. */
    public synchronized void discardUnflushed() {
        pending.clear();
        end = flushedEnd;
    }

    /** Forces what was written to the current segment to the disk, without writing more. */
    public synchronized void forceFlushed() throws IOException {
        current.force(false);
    }

    /** Flushes, and forces the current segment's content to the disk. */
    public synchronized void sync() throws IOException {
        flush();
        current.force(false);
    }

    /** The position after the newest frame written to the segments (readable by others). */
    public long flushedEnd() {
        return flushedEnd;
    }

    /**
     * Deletes every segment whose frames all lie before {@code position} (the current segment is
     * kept).
     *
     * @return the bytes freed
     */
    public long truncateBefore(long position) throws IOException {
        // Unlinking a segment frees its page cache, which takes a while: outside the lock, so
        // that the appending thread goes on meanwhile.
        List<Path> deleted = new ArrayList<>();
        synchronized (this) {
            List<Long> bases = new ArrayList<>(segments.keySet());
            for (int i = 0; i + 1 < bases.size(); i++) {
                if (bases.get(i + 1) > position) {
                    break;
                }
                deleted.add(segments.remove(bases.get(i)));
            }
        }
        long freed = 0;
        for (Path file : deleted) {
            long size = Files.size(file);
            Files.delete(file);
            freed += size;
        }
        synchronized (this) {
            bytesOnDisk -= freed;
        }
        return freed;
    }

    /**
     * Reads the flushed frames from {@code position} on, in order, across segments.
     *
     * @throws IOException when the position is not held (deleted or beyond the end)
     */
    public synchronized JournalReader readFrom(long position) throws IOException {
        flush();
        return read(position, end);
    }

    /**
     * Reads the frames from {@code position} up to {@code limit}, both frame boundaries at or
     * before {@link #flushedEnd()}; it does not flush, so the appending thread may go on meanwhile.
     *
     * @throws IOException when the range is not held
     */
    public synchronized JournalReader read(long position, long limit) throws IOException {
        if (position < start() || position > limit || limit > flushedEnd) {
            throw new IOException(
                    "Journal "
                            + dir
                            + " holds positions "
                            + start()
                            + " to "
                            + flushedEnd
                            + ", not "
                            + position
                            + (limit == position ? "" : " to " + limit));
        }
        long base = segments.floorKey(position);
        List<Path> files = new ArrayList<>(segments.tailMap(base).values());
        return new JournalReader(files, base, position, limit, false);
    }

    /**
     * The frames from {@code from} to {@code to} (frame boundaries at or before {@link
     * #flushedEnd()}) as they are on disk, or null when they are more than {@code maxBytes}.
     */
    public byte[] copyFrames(long from, long to, int maxBytes) throws IOException {
        if (to - from > maxBytes) {
            return null;
        }
        byte[] out = new byte[(int) (to - from)];
        List<Map.Entry<Long, Path>> files;
        synchronized (this) {
            if (from < start() || from > to || to > flushedEnd) {
                throw new IOException(
                        "Journal " + dir + " does not hold positions " + from + " to " + to);
            }
            files = new ArrayList<>(segments.tailMap(segments.floorKey(from)).entrySet());
        }
        int copied = 0;
        for (Map.Entry<Long, Path> segment : files) {
            if (copied == out.length) {
                break;
            }
            long base = segment.getKey();
            long offset = Math.max(0, from + copied - base);
            try (FileChannel in = FileChannel.open(segment.getValue(), StandardOpenOption.READ)) {
                long available = in.size() - SEGMENT_HEADER_BYTES - offset;
                int length = (int) Math.min(out.length - copied, available);
                ByteBuffer target = ByteBuffer.wrap(out, copied, length);
                long at = SEGMENT_HEADER_BYTES + offset;
                while (target.hasRemaining()) {
                    int n = in.read(target, at);
                    if (n < 0) {
                        throw new IOException(
                                "Journal segment " + segment.getValue() + " ended early");
                    }
                    at += n;
                }
                copied += length;
            }
        }
        if (copied != out.length) {
            throw new IOException("Journal " + dir + " ended before position " + to);
        }
        return out;
    }

    /** The position of the oldest frame held. */
    public synchronized long start() {
        return segments.firstKey();
    }

    /** The position after the newest frame appended. */
    public synchronized long end() {
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
    public synchronized void close() throws IOException {
        try {
            flush();
        } finally {
            closeFiles();
        }
    }

    private void closeFiles() throws IOException {
        try {
            if (current != null) {
                current.close();
            }
        } finally {
            lock.close();
        }
    }
}
