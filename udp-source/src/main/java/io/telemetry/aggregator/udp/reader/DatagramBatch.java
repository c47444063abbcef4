package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.UdpDatagram;
import java.util.Collections;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;

/**
 * Datagrams of one split in the order they were read, each with the journal position after it,
 * handed to the task thread in one go. The position travels with the records: the emitter makes it
 * the split's position once the datagram is emitted.
 */
final class DatagramBatch implements RecordsWithSplitIds<JournaledDatagram> {

    private final String splitId;
    private final UdpDatagram[] datagrams;
    private final long[] positions;
    private final JournaledDatagram current = new JournaledDatagram();
    private int size;
    private int next;
    private long bytes;
    private boolean splitReturned;

    /** The journal position before the first datagram. */
    long startPosition;

    DatagramBatch(String splitId, int capacity) {
        this.splitId = splitId;
        this.datagrams = new UdpDatagram[capacity];
        this.positions = new long[capacity];
    }

    /** An empty batch of no split: nothing arrived. */
    static DatagramBatch empty() {
        return new DatagramBatch(null, 0);
    }

    void add(UdpDatagram datagram, long position) {
        datagrams[size] = datagram;
        positions[size++] = position;
        bytes += datagram.payload.length;
    }

    /** Drops the datagrams from {@code from} on (they could not be journaled). */
    void cut(int from) {
        for (int i = from; i < size; i++) {
            bytes -= datagrams[i].payload.length;
            datagrams[i] = null;
        }
        size = from;
    }

    /**
     * Drops the datagrams after journal position {@code position} (the journal did not write them);
     * returns how many.
     */
    int keepThrough(long position) {
        int keep = 0;
        while (keep < size && positions[keep] <= position) {
            keep++;
        }
        int dropped = size - keep;
        cut(keep);
        return dropped;
    }

    /** Skips the datagrams whose journal position is at or before {@code position}. */
    void skipThrough(long position) {
        while (next < size && positions[next] <= position) {
            datagrams[next++] = null;
        }
    }

    /** Datagrams not yet handed out whose journal position is at or before {@code position}. */
    long countThrough(long position) {
        int count = 0;
        for (int i = next; i < size && positions[i] <= position; i++) {
            count++;
        }
        return count;
    }

    /**
     * When the first datagram not yet handed out whose journal position is after {@code position}
     * arrived; {@code Long.MAX_VALUE} when there is none.
     */
    long arrivalAfter(long position) {
        for (int i = next; i < size; i++) {
            if (positions[i] > position) {
                return datagrams[i].receivedAt;
            }
        }
        return Long.MAX_VALUE;
    }

    int size() {
        return size;
    }

    /** Datagrams not yet handed out. */
    int remaining() {
        return size - next;
    }

    boolean isFull() {
        return size == datagrams.length;
    }

    long payloadBytes() {
        return bytes;
    }

    /** The journal position after the last datagram. */
    long endPosition() {
        return positions[size - 1];
    }

    String splitId() {
        return splitId;
    }

    @Nullable
    @Override
    public String nextSplit() {
        if (splitReturned || remaining() == 0) {
            return null;
        }
        splitReturned = true;
        return splitId;
    }

    /** The next datagram; the returned holder is reused for the one after. */
    @Nullable
    @Override
    public JournaledDatagram nextRecordFromSplit() {
        if (next == size) {
            return null;
        }
        current.datagram = datagrams[next];
        current.position = positions[next];
        datagrams[next++] = null;
        return current;
    }

    @Override
    public Set<String> finishedSplits() {
        return Collections.emptySet();
    }
}
