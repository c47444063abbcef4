package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.UdpDatagram;
import java.util.Collections;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;

/** The datagrams one fetch took from one socket, handed to the task thread in one go. */
final class DatagramBatch implements RecordsWithSplitIds<UdpDatagram> {

    private final UdpDatagram[] datagrams;
    private String splitId;
    private int size;
    private int next;
    private boolean splitReturned;

    DatagramBatch(int capacity) {
        this.datagrams = new UdpDatagram[capacity];
    }

    void setSplitId(String splitId) {
        this.splitId = splitId;
    }

    void add(UdpDatagram datagram) {
        datagrams[size++] = datagram;
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == datagrams.length;
    }

    @Nullable
    @Override
    public String nextSplit() {
        if (splitReturned || size == 0) {
            return null;
        }
        splitReturned = true;
        return splitId;
    }

    @Nullable
    @Override
    public UdpDatagram nextRecordFromSplit() {
        if (next == size) {
            return null;
        }
        UdpDatagram datagram = datagrams[next];
        datagrams[next++] = null;
        return datagram;
    }

    @Override
    public Set<String> finishedSplits() {
        return Collections.emptySet();
    }
}
