package io.telemetry.aggregator.operators;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OperatorNamesTest {

    @Test
    void metricIdsAreTheOnesTheRestApiShows() {
        assertThat(OperatorNames.metric(OperatorNames.UDP_SOURCE, "kernel_drops"))
                .isEqualTo("Source__UDP_telemetry_source.kernel_drops");
        assertThat(
                        OperatorNames.metric(
                                OperatorNames.PARSE, "reason.malformed.failed_events_count"))
                .isEqualTo("Parse_records.reason.malformed.failed_events_count");
    }
}
