package io.telemetry.aggregator.udp.journal;

import static io.telemetry.aggregator.udp.journal.DatagramJournal.BODY_FIXED_BYTES;
import static io.telemetry.aggregator.udp.journal.DatagramJournal.FRAME_HEADER_BYTES;
import static io.telemetry.aggregator.udp.journal.DatagramJournal.MAGIC;
import static io.telemetry.aggregator.udp.journal.DatagramJournal.SEGMENT_HEADER_BYTES;
import static io.telemetry.aggregator.udp.journal.DatagramJournal.VERSION_1;

import io.telemetry.aggregator.udp.UdpDatagram;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads a journal's frames in order from a position, segment after segment, through a bounded
 * read-ahead buffer. A frame whose CRC does not match stops the read with an error naming the
 * segment and position: a journal whose middle is damaged cannot be replayed exactly.
 */
public final class JournalReader implements AutoCloseable {

    private static final int READ_AHEAD = 1 << 16;

    /** The largest body a frame can have: a sender of up to 65,535 bytes and a UDP payload. */
    private static final int MAX_BODY = BODY_FIXED_BYTES + 65_535 + 65_536;

    private final List<Path> segments;

    /** Tolerant: a torn or corrupt frame ends the read (the tail check at open). */
    private final boolean tolerant;

    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer = ByteBuffer.allocate(READ_AHEAD);
    private int segment;
    private FileChannel channel;
    private long position;

    /** The position the read stops at. */
    private final long limit;

    JournalReader(List<Path> segments, long base, long position, long limit, boolean tolerant)
            throws IOException {
        this.segments = segments;
        this.tolerant = tolerant;
        this.position = position;
        this.limit = limit;
        buffer.limit(0);
        if (!segments.isEmpty()) {
            openSegment(0, SEGMENT_HEADER_BYTES + (position - base));
        }
    }

    private JournalReader(ByteBuffer frames, long position) {
        this.segments = List.of();
        this.tolerant = false;
        this.position = position;
        this.limit = Long.MAX_VALUE;
        this.buffer = frames;
    }

    /** Reads frames held in memory (those a checkpoint carried), the first at {@code position}. */
    public static JournalReader of(byte[] frames, long position) {
        return new JournalReader(ByteBuffer.wrap(frames), position);
    }

    private void openSegment(int index, long offset) throws IOException {
        if (channel != null) {
            channel.close();
        }
        segment = index;
        Path file = segments.get(index);
        channel = FileChannel.open(file, StandardOpenOption.READ);
        checkHeader(file);
        channel.position(offset);
        buffer.clear().limit(0);
    }

    /** Checks the segment's magic and version. */
    void checkHeader(Path file) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER_BYTES);
        if (channel.read(header, 0) < SEGMENT_HEADER_BYTES) {
            if (tolerant) {
                throw new EOFException("Journal segment " + file + " has no complete header");
            }
            throw new IOException("Journal segment " + file + " has no complete header");
        }
        header.flip();
        int magic = header.getInt();
        int version = header.getInt();
        if (magic != MAGIC || version != VERSION_1) {
            throw new IOException(
                    "Journal segment "
                            + file
                            + " is not a version "
                            + VERSION_1
                            + " journal segment");
        }
    }

    /** The position after the last frame read. */
    public long position() {
        return position;
    }

    /**
     * The next datagram, or null at the end of what was flushed.
     *
     * @throws IOException when a frame is damaged
     */
    public UdpDatagram next() throws IOException {
        int body = frameBody();
        if (body < 0) {
            return null;
        }
        long receivedAt = buffer.getLong();
        boolean truncated = buffer.get() != 0;
        int senderLength = buffer.getShort() & 0xffff;
        byte[] sender = new byte[senderLength];
        buffer.get(sender);
        byte[] payload = new byte[body - BODY_FIXED_BYTES - senderLength];
        buffer.get(payload);
        position += FRAME_HEADER_BYTES + body;
        return new UdpDatagram(
                payload, new String(sender, StandardCharsets.UTF_8), receivedAt, truncated);
    }

    /** Moves past the next frame, checking it; false at the end (or, tolerant, a damaged frame). */
    boolean skipFrame() throws IOException {
        int body = frameBody();
        if (body < 0) {
            return false;
        }
        buffer.position(buffer.position() + body);
        position += FRAME_HEADER_BYTES + body;
        return true;
    }

    /** Makes the next whole frame's body readable in the buffer, its CRC checked; -1 at the end. */
    private int frameBody() throws IOException {
        if (position >= limit) {
            return -1;
        }
        while (true) {
            if (!fill(FRAME_HEADER_BYTES)) {
                if (segment + 1 < segments.size() && buffer.remaining() == 0) {
                    openSegment(segment + 1, SEGMENT_HEADER_BYTES);
                    continue;
                }
                return end("a frame header cut short");
            }
            int start = buffer.position();
            int body = buffer.getInt(start);
            int expected = buffer.getInt(start + 4);
            if (body < BODY_FIXED_BYTES || body > MAX_BODY) {
                return end("a frame length of " + body);
            }
            if (!fill(FRAME_HEADER_BYTES + body)) {
                return end("a frame cut short");
            }
            start = buffer.position(); // the fill may have moved the frame to the buffer's start
            crc.reset();
            crc.update(buffer.array(), start + FRAME_HEADER_BYTES, body);
            int senderLength = buffer.getShort(start + FRAME_HEADER_BYTES + 9) & 0xffff;
            if ((int) crc.getValue() != expected || senderLength > body - BODY_FIXED_BYTES) {
                return end("a frame whose CRC does not match");
            }
            buffer.position(start + FRAME_HEADER_BYTES);
            return body;
        }
    }

    /** The end of the read: normal when nothing is left, else damage. */
    private int end(String what) throws IOException {
        if (channel == null) {
            if (buffer.remaining() == 0) {
                return -1;
            }
            throw new IOException(
                    "Carried journal frames are damaged at position " + position + ": " + what);
        }
        if (buffer.remaining() == 0
                && channel.position() >= channel.size()
                && segment + 1 >= segments.size()) {
            return -1;
        }
        if (tolerant) {
            return -1;
        }
        throw new IOException(
                "Journal segment "
                        + segments.get(segment)
                        + " is damaged at position "
                        + position
                        + ": "
                        + what);
    }

    /**
     * Makes {@code bytes} readable from the buffer's position; false when the segment has fewer.
     */
    private boolean fill(int bytes) throws IOException {
        if (buffer.remaining() >= bytes) {
            return true;
        }
        if (channel == null) {
            return false;
        }
        if (buffer.capacity() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocate(bytes);
            bigger.put(buffer);
            buffer = bigger.flip();
        }
        while (buffer.remaining() < bytes) {
            buffer.compact();
            int n = channel.read(buffer);
            buffer.flip();
            if (n < 0) {
                return false;
            }
            if (n == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
