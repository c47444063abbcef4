package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.UdpDatagram;

/**
 * A datagram on its way to the task with the journal position after it ({@link
 * io.telemetry.aggregator.udp.split.UdpSplit#NO_POSITION} without a journal). A batch reuses one
 * holder for all its datagrams.
 */
final class JournaledDatagram {
    UdpDatagram datagram;
    long position;
}
