package io.telemetry.aggregator.operators.parse;

import io.telemetry.aggregator.operators.DeadLetter;
import io.telemetry.aggregator.operators.TelemetryRecord;

/** Where the parsers put what they make of a datagram. */
public interface ParseOutput {

    void record(TelemetryRecord record);

    void deadLetter(DeadLetter deadLetter);
}
