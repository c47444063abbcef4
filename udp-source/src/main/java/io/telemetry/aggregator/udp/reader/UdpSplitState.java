package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.split.UdpSplit;

/** A split as its reader goes: the journal position after the last datagram emitted. */
final class UdpSplitState {

    final UdpSplit split;
    long position;

    UdpSplitState(UdpSplit split, long position) {
        this.split = split;
        this.position = position;
    }
}
