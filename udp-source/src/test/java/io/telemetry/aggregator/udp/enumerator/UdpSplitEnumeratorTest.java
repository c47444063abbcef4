package io.telemetry.aggregator.udp.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetry.aggregator.udp.split.UdpSplit;
import java.util.List;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.Test;

class UdpSplitEnumeratorTest {

    @Test
    void everyReaderThatAsksGetsItsOwnSocketSplitAndJournal() {
        TestingSplitEnumeratorContext<UdpSplit> context = new TestingSplitEnumeratorContext<>(2);
        context.registerReader(0, "host-a");
        context.registerReader(1, "host-b");
        UdpSplitEnumerator enumerator =
                new UdpSplitEnumerator(context, "a1b2c3d4", UdpEnumeratorState.EMPTY);
        enumerator.start();

        enumerator.handleSplitRequest(1, "host-b");
        // A reader whose split was in its checkpointed state hands back nothing, then asks.
        enumerator.addSplitsBack(List.of(), 0);
        enumerator.handleSplitRequest(0, "host-a");

        assertThat(context.getSplitAssignments().get(0).getAssignedSplits())
                .containsExactly(new UdpSplit(0, "a1b2c3d4-udp-0"));
        assertThat(context.getSplitAssignments().get(1).getAssignedSplits())
                .containsExactly(new UdpSplit(1, "a1b2c3d4-udp-1"));
        assertThat(enumerator.snapshotState(1).returnedSplits()).isEmpty();
    }

    /**
     * A reader that fails before its split was in a checkpoint hands the split back; the split,
     * with its journal, goes to the restarted reader, also after the enumerator itself restored.
     */
    @Test
    void aHandedBackSplitGoesToTheRestartedReaderAgain() {
        TestingSplitEnumeratorContext<UdpSplit> context = new TestingSplitEnumeratorContext<>(2);
        UdpSplitEnumerator enumerator =
                new UdpSplitEnumerator(context, "a1b2c3d4", UdpEnumeratorState.EMPTY);
        UdpSplit returned = new UdpSplit(1, "a1b2c3d4-udp-1");
        enumerator.addSplitsBack(List.of(returned), 1);
        UdpEnumeratorState checkpoint = enumerator.snapshotState(7);

        UdpSplitEnumerator restored = new UdpSplitEnumerator(context, "e5f6a7b8", checkpoint);
        restored.handleSplitRequest(1, "host-b");
        restored.handleSplitRequest(0, "host-a");

        assertThat(checkpoint.returnedSplits()).containsExactly(returned);
        assertThat(context.getSplitAssignments().get(1).getAssignedSplits())
                .containsExactly(returned);
        assertThat(context.getSplitAssignments().get(0).getAssignedSplits())
                .containsExactly(new UdpSplit(0, "e5f6a7b8-udp-0"));
        assertThat(restored.snapshotState(8).returnedSplits()).isEmpty();
    }
}
