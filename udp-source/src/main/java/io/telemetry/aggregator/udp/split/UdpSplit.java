package io.telemetry.aggregator.udp.split;

import org.apache.flink.api.connector.source.SourceSplit;

/**
 * The socket of one reader. A split is assigned to the subtask that asks for it and holds no
 * position, since UDP cannot replay anything.
 */
public final class UdpSplit implements SourceSplit {

    private final int subtaskId;

    public UdpSplit(int subtaskId) {
        this.subtaskId = subtaskId;
    }

    public int getSubtaskId() {
        return subtaskId;
    }

    @Override
    public String splitId() {
        return "udp-" + subtaskId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpSplit && ((UdpSplit) o).subtaskId == subtaskId;
    }

    @Override
    public int hashCode() {
        return subtaskId;
    }

    @Override
    public String toString() {
        return splitId();
    }
}
