package io.telemetry.aggregator.udp.reader;

import io.telemetry.aggregator.udp.UdpDatagram;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/**
 * Emits each datagram as it is (event time is assigned after parsing) and moves its split's
 * position past it.
 */
final class UdpRecordEmitter
        implements RecordEmitter<JournaledDatagram, UdpDatagram, UdpSplitState> {

    @Override
    public void emitRecord(
            JournaledDatagram record, SourceOutput<UdpDatagram> output, UdpSplitState split) {
        output.collect(record.datagram);
        split.position = record.position;
    }
}
