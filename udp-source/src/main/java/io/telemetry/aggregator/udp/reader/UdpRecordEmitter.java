package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.UdpDatagram;
import io.telemetry.aggregator.udp.split.UdpSplit;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/** Emits each datagram as it is; event time is assigned after parsing. */
final class UdpRecordEmitter implements RecordEmitter<UdpDatagram, UdpDatagram, UdpSplit> {

    @Override
    public void emitRecord(UdpDatagram datagram, SourceOutput<UdpDatagram> output, UdpSplit split) {
        output.collect(datagram);
    }
}
