package io.telemetry.aggregator.udp.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.udp.split.UdpSplit;
import java.util.List;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.Test;

class UdpSplitEnumeratorTest {

    @Test
    void everyReaderThatAsksGetsItsOwnSocketSplit() {
        TestingSplitEnumeratorContext<UdpSplit> context = new TestingSplitEnumeratorContext<>(2);
        context.registerReader(0, "host-a");
        context.registerReader(1, "host-b");
        UdpSplitEnumerator enumerator = new UdpSplitEnumerator(context);
        enumerator.start();

        enumerator.handleSplitRequest(1, "host-b");
        enumerator.handleSplitRequest(0, "host-a");
        // A restarted reader returns its split and asks again.
        enumerator.addSplitsBack(List.of(new UdpSplit(1)), 1);
        enumerator.handleSplitRequest(1, "host-b");

        assertThat(context.getSplitAssignments().get(0).getAssignedSplits())
                .containsExactly(new UdpSplit(0));
        assertThat(context.getSplitAssignments().get(1).getAssignedSplits())
                .containsExactly(new UdpSplit(1), new UdpSplit(1));
        assertThat(enumerator.snapshotState(1)).isSameAs(UdpEnumeratorState.EMPTY);
    }
}
